"""A join screen safe to project: the seats' QR codes, never the teacher's link or code (issue 14).

Reproduced first: the instructor page showed "Your link (keep it private)" with the whole
instructor link right above the seats' QR codes, on the screen a teacher projects.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Element, Expander

from model.game.engine import Game
from model.game.setup import create_game
from model.i18n import tr
from tests.game.test_game_pages import PAGES, TIMEOUT, db  # noqa: F401 (the fixture)
from ui import game_views as gv


@pytest.fixture
def game(db, scenario_text):  # noqa: F811 (the fixture imported above)
    new = create_game(db, scenario_text, ["seoul", "tokyo", "kr_public"], seed=8, turns=2)
    return Game(db, new.id), new


def shown_outside_folds(node) -> list[str]:
    """Every text and image the page shows unfolded (expanders' contents left out)."""
    found: list[str] = []
    if isinstance(node, Expander):
        return found
    if isinstance(node, Element):
        value = getattr(node, "value", None)
        if node.type in ("image", "imgs"):
            found.append("<image>")
        elif value is not None:
            found.append(str(value))
        return found
    if isinstance(node, Block):
        for child in node.children.values():
            found += shown_outside_folds(child)
    return found


def instructor_page(game: Game, code: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / "instructor.py"), default_timeout=TIMEOUT)
    at.query_params["game"] = game.id
    at.query_params["code"] = code
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_the_instructor_page_shows_no_code_and_no_qr_unfolded(game):
    """The teacher's code and the seats' codes are folded away; the QR codes left for the join screen."""
    g, new = game
    at = instructor_page(g, new.instructor_code)
    unfolded = "\n".join(shown_outside_folds(at.main))
    assert new.instructor_code not in unfolded
    assert all(code not in unfolded for code in new.seat_codes.values())
    assert "<image>" not in unfolded
    folded = "\n".join(str(e.value) for e in at.code)
    assert new.instructor_code in folded  # still there for the teacher, in its fold


def test_the_join_button_hands_the_seats_links_over_and_nothing_else(game):
    """Open the join screen: the session holds the seats' links, the address the game only."""
    g, new = game
    at = instructor_page(g, new.instructor_code)
    (button,) = [b for b in at.button if b.label == tr("game.instructor.open_join_screen")]
    button.click().run()
    links = at.session_state[gv.JOIN_HANDOVER][g.id]
    assert set(links) == {"seoul", "tokyo", "kr_public"}
    assert all(new.seat_codes[s] in link for s, link in links.items())
    assert all(new.instructor_code not in link for link in links.values())


def join_page(game_id: str, links: dict[str, str] | None) -> AppTest:
    at = AppTest.from_file(str(PAGES / "join.py"), default_timeout=TIMEOUT)
    at.query_params["game"] = game_id
    if links is not None:
        at.session_state[gv.JOIN_HANDOVER] = {game_id: links}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_the_join_screen_shows_qr_codes_only_and_can_hide_them(game):
    """One QR code per team, who joined, never the teacher's code; hidden on request."""
    g, new = game
    invitation = g.invitation(new.instructor_code)
    links = {seat: entry["link"] for seat, entry in invitation["seats"].items()}
    g.join(new.seat_codes["seoul"])
    at = join_page(g.id, links)
    everything = "\n".join(shown_outside_folds(at.main))
    assert everything.count("<image>") == 3
    assert new.instructor_code not in everything
    assert all(code not in everything for code in new.seat_codes.values())  # only inside the QR images
    assert tr("game.join.joined", done=1, total=3) in everything
    (hide,) = [b for b in at.button if b.label == tr("game.join.hide")]
    hide.click().run()
    assert "<image>" not in "\n".join(shown_outside_folds(at.main))
    assert tr("game.join.hidden") in [i.value for i in at.info]


def test_the_join_screen_opened_without_the_hand_over_says_where_to_open_it(game):
    """A typed address or a reload: no codes, a message."""
    g, _new = game
    at = join_page(g.id, None)
    assert [i.value for i in at.info] == [tr("game.join.open_from_instructor")]
    assert not at.get("image") and not at.get("imgs")
