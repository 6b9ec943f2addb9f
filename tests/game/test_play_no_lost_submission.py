"""The seat page loses no submission and says in words what became of it (issue 14).

Reproduced first: the team fills in the form, the teacher resolves, the team presses Submit
before its page has redrawn: the page jumped to the next turn with no message and nothing was
logged. The seat's form names the turn and branch it was drawn for (``ui/seat_page.py``), and
its Submit is sent for that turn: sending the form of a closed turn is exactly that race. A
statement over the limit was silently dropped (a paste into a box with ``max_chars``): now the
box takes it and Submit says what to shorten (the page keeps the text: the browser tests).
"""

from __future__ import annotations

import re

import pytest

from model.game.engine import Game
from model.game.setup import create_game
from model.game.show import show_game
from model.i18n import tr
from model.limits import MAX_STATEMENT
from tests.game.test_game_pages import db  # noqa: F401 (the fixture)
from ui import seat_page


@pytest.fixture
def seat(db, scenario_text):  # noqa: F811 (the fixture imported above)
    new = create_game(db, scenario_text, ["seoul", "tokyo"], seed=4, turns=3)
    game = Game(db, new.id)
    game.start(new.instructor_code)
    return game, new


def form_of(game: Game, new) -> tuple[int, int]:
    """The (branch, turn) the seat's form is drawn for now, read off its HTML."""
    html = seat_page.shown(game, new.seat_codes["seoul"], "seoul", "en", "both").html
    found = re.search(r'<form class="rp-form" data-branch="(\d+)" data-turn="(\d+)"', html)
    assert found, "no form on the seat's page"
    return int(found[1]), int(found[2])


def send(game: Game, new, decisions: list[str], statement: str, drawn: tuple[int, int]) -> seat_page.Sent:
    """Press Submit on a form drawn for ``drawn`` (branch, turn)."""
    branch, turn = drawn
    return seat_page.submit(game, new.seat_codes["seoul"], decisions, statement, branch, turn, "en", "both")


def submissions(game: Game) -> list[dict]:
    return [e for e in show_game(game.store, game.id)["log"] if e["kind"] == "submission"]


def test_a_submit_pressed_as_the_turn_closes_is_logged_late_and_the_team_told(seat):
    """Resolve between drawing the form and pressing Submit: a late entry and words that say so."""
    game, new = seat
    drawn = form_of(game, new)
    game.resolve(new.instructor_code, 0)  # the teacher, while the team's page still shows turn 1
    sent = send(game, new, ["seoul_propose_summit"], "Let us talk.", drawn)
    (entry,) = submissions(game)
    assert (entry["turn"], entry["decisions"], entry["statement"], entry["fate"]) == (
        0,
        ["seoul_propose_summit"],
        "Let us talk.",
        "late",
    )
    assert sent.level == "warning" and sent.stored
    assert tr("game.play.late_turn_closed", turn=1, decisions="").split("(")[0][:30] in sent.text
    assert tr("game.play.late_now", turn=2) in sent.text
    assert form_of(game, new) == (0, 1)  # the page's next form is the new turn's


def test_a_statement_over_the_limit_is_refused_with_a_message_and_nothing_sent(seat):
    """312 characters (a paste): nothing sent, a message with the count; shortened, it is sent."""
    game, new = seat
    long = "x" * (MAX_STATEMENT + 32)
    sent = send(game, new, ["seoul_propose_summit"], long, form_of(game, new))
    assert (sent.level, sent.stored) == ("error", False)
    assert sent.text == tr("game.play.statement_over", count=len(long), limit=MAX_STATEMENT)
    assert submissions(game) == []
    assert send(game, new, ["seoul_propose_summit"], "Short.", form_of(game, new)).stored
    assert [e["statement"] for e in submissions(game)] == ["Short."]


def test_the_box_states_the_limit_and_takes_any_length(seat):
    """The label names the limit; the box has no maxlength that would swallow a long paste."""
    game, new = seat
    html = seat_page.shown(game, new.seat_codes["seoul"], "seoul", "en", "both").html
    form = html[html.index('<form class="rp-form"'):html.index("</form>")]
    assert tr("game.play.statement", limit=MAX_STATEMENT) in form
    assert "<textarea" in form and "maxlength" not in form


def test_a_paused_game_refuses_with_a_message_and_stores_nothing(seat):
    """Paused while typing: the form stays on the page, Submit says the game is paused."""
    game, new = seat
    drawn = form_of(game, new)
    game.pause(new.instructor_code)
    sent = send(game, new, ["seoul_propose_summit"], "Wait for us.", drawn)
    assert (sent.level, sent.text, sent.stored) == ("error", tr("game.error.paused"), False)
    assert submissions(game) == []
    assert form_of(game, new) == drawn  # a paused game's page keeps its form


def test_a_double_clicked_submit_keeps_one_choice_and_no_notice(seat):
    """Two clicks on Submit: the second replaces the first (both logged), nothing late, no error."""
    game, new = seat
    drawn = form_of(game, new)
    first = send(game, new, ["seoul_propose_summit"], "Once.", drawn)
    second = send(game, new, ["seoul_propose_summit"], "Once.", drawn)
    assert first.level == second.level == "success"
    fates = [(e["statement"], e["fate"]) for e in submissions(game)]
    assert fates == [("Once.", "replaced"), ("Once.", "pending")]
    game.resolve(new.instructor_code, 0)
    assert [e["fate"] for e in submissions(game)] == ["replaced", "counted"]
