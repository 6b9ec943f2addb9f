"""Reading a log into a timeline: the rules every view of a game shares."""

from __future__ import annotations

from datetime import UTC, datetime

from model.game.replay import ENDED, LOBBY, PAUSED, RUNNING, read_log
from model.game.store import LogEntry

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def log(*rows: tuple) -> list[LogEntry]:
    """Entries from (kind, turn, seat, payload) rows, numbered in order."""
    return [LogEntry("g", i + 1, turn, kind, seat, payload, T0) for i, (kind, turn, seat, payload) in enumerate(rows)]


def sub(turn: int, seat: str, *decisions: str, branch: int = 0) -> tuple:
    return ("submission", turn, seat, {"decisions": list(decisions), "branch": branch})


def resolve(turn: int, human: dict | None = None, branch: int = 0) -> tuple:
    return ("resolve", turn, "instructor", {"human": human or {}, "branch": branch})


def test_status_moves_lobby_running_paused_ended():
    """Start, pause, resume and end move the status; nonsense orders change nothing."""
    assert read_log([]).status == LOBBY
    assert read_log(log(("pause", 0, "instructor", {}))).status == LOBBY
    tl = read_log(log(("start", 0, "instructor", {}), ("pause", 0, "instructor", {})))
    assert tl.status == PAUSED
    tl = read_log(log(("start", 0, None, {}), ("pause", 0, None, {}), ("resume", 0, None, {})))
    assert tl.status == RUNNING
    assert read_log(log(("start", 0, None, {}), ("end", 0, None, {}))).status == ENDED


def test_second_submission_replaces_first_visibly():
    """The later submission counts; the earlier one is listed as replaced."""
    tl = read_log(log(sub(0, "seoul", "a"), sub(0, "tokyo", "b"), sub(0, "seoul", "c", "d")))
    assert tl.pending["seoul"].decisions == ("c", "d")
    assert tl.pending["tokyo"].decisions == ("b",)
    assert [(s.seat, s.decisions) for s in tl.replaced] == [("seoul", ("a",))]


def test_resolve_closes_the_turn_with_what_it_names():
    """A resolve advances the turn, keeps its injects and forgets the turn's submissions."""
    tl = read_log(
        log(
            ("start", 0, None, {}),
            sub(0, "seoul", "a"),
            ("inject", 0, "instructor", {"event": "nuclear_test", "branch": 0}),
            resolve(0, {"seoul": {"seq": 2, "decisions": ["a"], "statement": ""}}),
        )
    )
    assert tl.turn == 1 and tl.pending == {} and tl.injects == []
    (r,) = tl.resolved
    assert r.turn == 0 and r.injects == ("nuclear_test",) and r.human["seoul"]["decisions"] == ["a"]


def test_late_and_stale_entries_change_nothing():
    """A submission or resolve stamped with a past turn is ignored; the submission is late."""
    tl = read_log(log(resolve(0), sub(0, "seoul", "late"), resolve(0), sub(1, "tokyo", "b")))
    assert tl.turn == 1 and len(tl.resolved) == 1
    assert [s.decisions for s in tl.late] == [("late",)]
    assert tl.pending["tokyo"].decisions == ("b",)


def test_last_resolve_ends_the_game():
    """Resolving the last turn ends the game; later submissions are late."""
    tl = read_log(log(("start", 0, None, {}), resolve(0), resolve(1), sub(2, "seoul", "x")), turns=2)
    assert tl.status == ENDED and tl.turn == 2 and [s.seat for s in tl.late] == ["seoul"]


def test_rewind_drops_later_turns_and_opens_a_branch():
    """Rewinding to turn 1 keeps turn 0, drops turns 1-2, and old-branch entries no longer count."""
    tl = read_log(
        log(
            ("start", 0, None, {}),
            resolve(0),
            resolve(1),
            resolve(2),
            ("rewind", 3, "instructor", {"to_turn": 1}),
            sub(1, "seoul", "old", branch=0),
            sub(1, "seoul", "new", branch=1),
        ),
        turns=3,
    )
    assert tl.status == RUNNING and tl.turn == 1 and tl.branch == 1
    assert [r.turn for r in tl.resolved] == [0]
    assert tl.pending["seoul"].decisions == ("new",)
    assert [s.decisions for s in tl.late] == [("old",)]


def test_rewind_to_the_future_is_ignored():
    """A rewind beyond the current turn changes nothing."""
    tl = read_log(log(resolve(0), ("rewind", 1, None, {"to_turn": 5})))
    assert tl.turn == 1 and tl.branch == 0


def test_joins_are_remembered():
    """Seats that joined stay joined, once each."""
    tl = read_log(log(("join", 0, "seoul", {}), ("join", 0, "seoul", {}), ("join", 0, "tokyo", {})))
    assert tl.joined == {"seoul", "tokyo"} and tl.last_seq == 3


def test_every_submission_has_a_visible_fate():
    """Counted, replaced, late, rewound or pending: the log says what became of each one."""
    tl = read_log(
        log(
            ("start", 0, None, {}),
            sub(0, "seoul", "a"),  # 2 replaced
            sub(0, "seoul", "b"),  # 3 counted in turn 0, later rewound
            sub(0, "tokyo", "c"),  # 4 landed while the resolve was written: late
            resolve(0, {"seoul": {"seq": 3, "decisions": ["b"], "statement": ""}}),
            sub(1, "tokyo", "d"),  # 6 counted in turn 1
            resolve(1, {"tokyo": {"seq": 6, "decisions": ["d"], "statement": ""}}),
            ("rewind", 2, None, {"to_turn": 1}),
            sub(1, "tokyo", "e", branch=1),  # 9 pending
        )
    )
    assert tl.fates == {2: "replaced", 3: "counted", 4: "late", 6: "rewound", 9: "pending"}
