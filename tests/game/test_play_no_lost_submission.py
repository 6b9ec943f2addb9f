"""The seat page loses no submission and says in words what became of it (issue 14).

Reproduced first: the team fills in the form, the teacher resolves, the team presses Submit
before its page has redrawn: the page jumped to the next turn with no message and nothing was
logged. AppTest keeps the page as it was last drawn, so clicking its Submit after a resolve in
the store is exactly that race. A statement over the limit was silently dropped (a paste into
a box with ``max_chars``): now the box takes it and Submit says what to shorten.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from model.game.engine import Game
from model.game.setup import create_game
from model.game.show import show_game
from model.i18n import tr
from model.limits import MAX_STATEMENT
from tests.game.test_game_pages import PAGES, TIMEOUT, db  # noqa: F401 (the fixture)
from ui.plain_text import shown


@pytest.fixture
def seat(db, scenario_text):  # noqa: F811 (the fixture imported above)
    new = create_game(db, scenario_text, ["seoul", "tokyo"], seed=4, turns=3)
    game = Game(db, new.id)
    game.start(new.instructor_code)
    at = AppTest.from_file(str(PAGES / "play.py"), default_timeout=TIMEOUT)
    at.query_params["game"] = game.id
    at.query_params["code"] = new.seat_codes["seoul"]
    at.run()
    assert not at.exception
    return game, new, at


def fill(at: AppTest, decision: str, statement: str) -> None:
    """Choose a decision and write a statement in the current form (not sent yet)."""
    at.multiselect[0].set_value([decision])
    at.text_area[0].input(statement)


def submit(at: AppTest) -> AppTest:
    (button,) = [b for b in at.button if b.label == tr("game.play.submit")]
    return button.click().run()


def submissions(game: Game) -> list[dict]:
    return [e for e in show_game(game.store, game.id)["log"] if e["kind"] == "submission"]


def page_text(at: AppTest) -> str:
    kinds = ("markdown", "warning", "error", "success", "info")
    return "\n".join(shown(str(e.value)) for kind in kinds for e in at.get(kind))


def test_a_submit_pressed_as_the_turn_closes_is_logged_late_and_the_team_told(seat):
    """Resolve between drawing the form and pressing Submit: a late entry and words that say so."""
    game, new, at = seat
    fill(at, "seoul_propose_summit", "Let us talk.")
    game.resolve(new.instructor_code, 0)  # the teacher, while the team's page still shows turn 1
    at = submit(at)
    assert not at.exception, [e.value for e in at.exception]
    (entry,) = submissions(game)
    assert (entry["turn"], entry["decisions"], entry["statement"], entry["fate"]) == (
        0,
        ["seoul_propose_summit"],
        "Let us talk.",
        "late",
    )
    text = page_text(at)
    assert tr("game.play.late_turn_closed", turn=1, decisions="").split("(")[0][:30] in text
    assert tr("game.play.late_now", turn=2) in text
    at.run()  # the next poll: the notice stays until the team sends again
    assert tr("game.play.late_now", turn=2) in page_text(at)


def test_a_statement_over_the_limit_is_kept_in_the_box_with_a_message(seat):
    """312 characters (a paste): nothing sent, a message with the count, the text still there."""
    game, _new, at = seat
    long = "x" * (MAX_STATEMENT + 32)
    fill(at, "seoul_propose_summit", long)
    at = submit(at)
    assert not at.exception
    assert tr("game.play.statement_over", count=len(long), limit=MAX_STATEMENT) in [e.value for e in at.error]
    assert at.text_area[0].value == long and submissions(game) == []
    at.text_area[0].input("Short.")
    at = submit(at)
    assert [e["statement"] for e in submissions(game)] == ["Short."]


def test_the_box_states_the_limit_and_takes_any_length(seat):
    """The label names the limit; the box has no max_chars that would swallow a long paste."""
    _game, _new, at = seat
    box = at.text_area[0]
    assert str(MAX_STATEMENT) in box.label
    assert not box.proto.max_chars


def test_a_paused_game_keeps_the_form_and_the_text(seat):
    """Paused while typing: the form stays, Submit says the game is paused, the text survives."""
    game, new, at = seat
    fill(at, "seoul_propose_summit", "Wait for us.")
    game.pause(new.instructor_code)
    at = submit(at)
    assert tr("game.error.paused") in [e.value for e in at.error]
    assert at.text_area[0].value == "Wait for us." and submissions(game) == []


def test_a_double_clicked_submit_keeps_one_choice_and_no_notice(seat):
    """Two clicks on Submit: the second replaces the first (both logged), nothing late, no error."""
    game, new, at = seat
    fill(at, "seoul_propose_summit", "Once.")
    at = submit(submit(at))
    assert not at.exception and not at.error and not at.warning
    fates = [(e["statement"], e["fate"]) for e in submissions(game)]
    assert fates == [("Once.", "replaced"), ("Once.", "pending")]
    game.resolve(new.instructor_code, 0)
    assert [e["fate"] for e in submissions(game)] == ["replaced", "counted"]
