"""No lost submission: a Submit that arrives after its turn closed is kept in the log as late.

Issue 14: "fill in the form, the teacher resolves, press Submit at once: the page jumps to the
next turn with no message, and the log has no entry at all, not even ``late``". The engine
refused such a submission and stored nothing. Now it is stored, stamped with the turn and
branch the team was answering, and read back as late; the team's page says so in words.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from model.game.engine import Game
from model.game.errors import GameError
from model.game.setup import create_game
from model.game.show import show_game


@pytest.fixture
def running(sqlite_store, scenario_text):
    new = create_game(sqlite_store, scenario_text, ["seoul", "tokyo"], seed=1, turns=2)
    game = Game(sqlite_store, new.id)
    game.start(new.instructor_code)
    return game, new


def fates(game: Game) -> list[tuple[int, str, str]]:
    """(turn, seat, fate) of every submission, as ``game show`` prints them."""
    log = show_game(game.store, game.id)["log"]
    return [(e["turn"], e["seat"], e["fate"]) for e in log if e["kind"] == "submission"]


def test_a_submit_after_the_resolve_is_logged_late(running):
    """The turn closed under the team: its choice is kept, late, with its statement."""
    game, new = running
    game.resolve(new.instructor_code, 0)
    entry = game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], "Too slow.", turn=0, branch=0)
    assert entry.turn == 0 and entry.payload["late"] == "turn_closed"
    assert entry.payload["statement"] == "Too slow."
    assert fates(game) == [(0, "seoul", "late")]
    assert game.timeline().pending == {}  # it counts for no turn


def test_a_submit_from_before_a_rewind_is_logged_late(running):
    """A rewind opened a new branch: the old branch's submission is late."""
    game, new = running
    game.resolve(new.instructor_code, 0)
    game.rewind(new.instructor_code, 0)
    entry = game.submit(new.seat_codes["tokyo"], ["tokyo_propose_summit"], turn=0, branch=0)
    assert entry.payload["late"] == "turn_closed"
    assert fates(game) == [(0, "tokyo", "late")] and game.timeline().pending == {}


def test_a_submit_after_the_end_is_logged_late(running):
    """The game ended while the team typed: kept as late."""
    game, new = running
    game.end(new.instructor_code)
    entry = game.submit(new.seat_codes["seoul"], ["seoul_hold"], turn=0, branch=0)
    assert entry.payload["late"] == "ended" and fates(game) == [(0, "seoul", "late")]


def test_a_submit_after_the_deadline_is_logged_late(running, sqlite_store):
    """Past the deadline the turn is the teacher's to resolve: the submission is kept, late."""
    game, new = running
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    sqlite_store.append(game.id, "deadline", 0, "instructor", {"until": past, "branch": 0})
    entry = game.submit(new.seat_codes["seoul"], ["seoul_hold"], turn=0, branch=0)
    assert entry.payload["late"] == "deadline"
    assert fates(game) == [(0, "seoul", "late")] and game.timeline().pending == {}
    game.resolve(new.instructor_code, 0)
    assert game.world().outcomes[0].played_by["seoul"] == "rule"


def test_a_paused_game_still_refuses_and_stores_nothing(running):
    """Paused is not closed: the page keeps the team's text and says the game is paused."""
    game, new = running
    game.pause(new.instructor_code)
    with pytest.raises(GameError) as err:
        game.submit(new.seat_codes["seoul"], ["seoul_hold"], turn=0, branch=0)
    assert err.value.key == "game.error.paused" and fates(game) == []


def test_a_late_submission_is_still_checked(running):
    """Late or not, a seat sends its own decisions, one or two, and a short statement."""
    game, new = running
    game.resolve(new.instructor_code, 0)
    for decisions, statement, key in (
        (["tokyo_propose_summit"], "", "not_on_menu"),
        ([], "", "decision_count"),
        (["seoul_hold"], "x" * 281, "statement_too_long"),
    ):
        with pytest.raises(GameError) as err:
            game.submit(new.seat_codes["seoul"], decisions, statement, turn=0, branch=0)
        assert err.value.key == f"game.error.{key}"
    assert fates(game) == []


def test_an_on_time_submission_counts_as_before(running):
    """The current turn and branch: pending, then counted."""
    game, new = running
    entry = game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], turn=0, branch=0)
    assert "late" not in entry.payload
    game.resolve(new.instructor_code, 0)
    assert fates(game) == [(0, "seoul", "counted")]
