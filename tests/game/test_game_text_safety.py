"""A team's statement and a scenario's title are shown as text on every game page (issue 14).

Statements were put inside ``st.markdown`` on every other team's page: ``# FAKE HEADING`` was a
heading, ``:red[...]`` red, a link live, an image fetched from outside. Each page that shows a
text someone wrote is checked here with the issue's payloads: in Markdown it must arrive through
:func:`ui.plain_text.plain`; in tables (plain text already) and the debrief's HTML it must be the
text itself, escaped for HTML.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from model.game.debrief import debrief_html
from model.game.engine import Game
from model.game.setup import create_game
from tests.game.test_game_pages import PAGES, TIMEOUT, db  # noqa: F401 (the fixture)
from tests.support import payloads
from tests.support.seat_view import seat_html, visible_text
from ui.plain_text import WORD_JOINER, plain

SCENARIO = f"""\
id: hostile-game
title: "{payloads.TITLE}"
question: "{payloads.RED} {payloads.LINK}"
start: 2026-01
end: 2028-12
"""


@pytest.fixture
def played(db):  # noqa: F811 (the fixture imported above)
    """A game whose title is hostile, with Seoul's hostile statement resolved and another pending."""
    new = create_game(db, SCENARIO, ["seoul", "tokyo"], seed=3, turns=3)
    game = Game(db, new.id)
    game.start(new.instructor_code)
    game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], payloads.STATEMENT, turn=0)
    game.resolve(new.instructor_code, 0)
    game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], payloads.STATEMENT, turn=1)
    return game, new


def open_page(name: str, game: Game, code: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT)
    at.query_params["game"] = game.id
    at.query_params["code"] = code
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def markdown_sources(at: AppTest) -> list[str]:
    """Every Markdown source the page drew (titles, text, captions, alerts)."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def assert_plain_only(at: AppTest, text: str) -> None:
    """``text`` reaches the page's Markdown only through :func:`plain`."""
    sources = markdown_sources(at)
    assert any(plain(text) in s for s in sources), (plain(text), sources)
    assert not any(text in s for s in sources), [s for s in sources if text in s]


def test_other_teams_read_a_statement_as_text_on_their_seat(played):
    """Tokyo's page: the game's title is plain, not Markdown; Seoul's statement reads as written.

    The statement is in the seat's HTML (``ui/seat_page.py``): its Markdown is not read and
    no tag of it opens (no heading, link, image or colour); the reader sees the text typed.
    """
    game, new = played
    at = open_page("play", game, new.seat_codes["tokyo"])
    assert_plain_only(at, payloads.TITLE)
    html = seat_html(at)
    assert "<h1" not in html and "<a " not in html and "<img" not in html and "color" not in html
    assert payloads.STATEMENT in visible_text(html).replace(WORD_JOINER, "")


def test_the_instructor_sees_the_title_as_text_and_the_statement_whole(played):
    """Instructor: the title is plain; the seats' table holds the statement as it was written."""
    game, new = played
    at = open_page("instructor", game, new.instructor_code)
    assert_plain_only(at, payloads.TITLE)
    cells = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert payloads.STATEMENT in cells


def test_the_projector_shows_the_title_and_statements_as_text(played):
    """Projector: the title and last turn's statements (shown on the wall) are plain."""
    game, new = played
    at = open_page("projector", game, new.viewer_code)
    assert_plain_only(at, payloads.TITLE)
    assert_plain_only(at, payloads.STATEMENT)


def test_the_debrief_shows_title_and_statement_as_text(played):
    """Debrief page: title plain, statement whole in the table; the HTML file escapes both."""
    game, new = played
    at = open_page("debrief", game, new.viewer_code)
    assert_plain_only(at, payloads.TITLE)
    cells = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert payloads.STATEMENT in cells
    html = debrief_html(game.record, game.world())
    assert "<img" not in html and "<script" not in html and "<a " not in html
    assert "![pic](http://198.51.100.7/pixel.png)" in html  # the statement, as text
