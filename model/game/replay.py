"""Read a game's log into its timeline: which turns count, who submitted what, who joined.

This is the pure part of the replay: it needs no model. The rules, which every view of a game
(seat, instructor, projector, CLI) shares:

- Entries are read in sequence order; an entry stamped with another turn or branch than the
  current one changes nothing (a late submission, a resolve of a turn already resolved), nor
  does a submission the engine stored as ``late`` (past the turn's deadline).
- A seat's later submission in a turn replaces its earlier one; both stay in the log and the
  earlier one is listed in ``replaced`` so that the replacement is visible.
- A resolve closes the current turn with exactly the submissions its payload names, so the
  state does not depend on how close a submission came to the resolve.
- A rewind to turn ``k`` drops the resolved turns from ``k`` on and opens turn ``k`` again
  (a new *branch*: once-only actions of the old branch do not block the new one).
- A game created with minutes per turn gives every turn a deadline that many minutes after
  it opens (the start, a resolve, a rewind); the teacher can still set or clear it. A pause
  stops the clock: the resume moves the deadline on by the time the game stood paused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from model.game.store import LogEntry

LOBBY, RUNNING, PAUSED, ENDED = "lobby", "running", "paused", "ended"
# What became of a submission (shown beside it in the log).
PENDING, COUNTED, REPLACED, LATE, REWOUND = "pending", "counted", "replaced", "late", "rewound"


@dataclass(frozen=True)
class Submission:
    """A seat's choice for one turn: one or two decision ids and an optional statement."""

    seq: int
    seat: str
    turn: int
    decisions: tuple[str, ...]
    statement: str
    time: datetime | None = None

    @classmethod
    def from_entry(cls, entry: LogEntry) -> Submission:
        """Read a ``submission`` log entry."""
        return cls(
            seq=entry.seq,
            seat=str(entry.seat),
            turn=entry.turn,
            decisions=tuple(entry.payload.get("decisions", ())),
            statement=str(entry.payload.get("statement", "")),
            time=entry.time,
        )

    def as_payload(self) -> dict[str, Any]:
        """What a resolve records for this submission."""
        return {"seq": self.seq, "decisions": list(self.decisions), "statement": self.statement}


@dataclass(frozen=True)
class ResolvedTurn:
    """One turn of the current branch, as its resolve closed it."""

    turn: int
    seq: int
    injects: tuple[str, ...]
    human: dict[str, dict[str, Any]]
    played_by: dict[str, str]


@dataclass
class Timeline:
    """Where a game stands after reading its log."""

    status: str = LOBBY
    turn: int = 0
    branch: int = 0
    resolved: list[ResolvedTurn] = field(default_factory=list)
    pending: dict[str, Submission] = field(default_factory=dict)
    replaced: list[Submission] = field(default_factory=list)
    late: list[Submission] = field(default_factory=list)
    injects: list[str] = field(default_factory=list)
    joined: set[str] = field(default_factory=set)
    deadline: str | None = None
    last_seq: int = 0
    fates: dict[int, str] = field(default_factory=dict)
    paused_at: datetime | None = None

    def open_turn(self, at: datetime | None = None, minutes: float | None = None) -> None:
        """Forget what belonged to the turn that just closed; start its clock if it has one."""
        self.pending = {}
        self.replaced = []
        self.injects = []
        self.deadline = None
        if at is not None and minutes:
            self.deadline = (at + timedelta(minutes=float(minutes))).isoformat()

    def copy(self) -> Timeline:
        """A copy that can be folded further without changing this one."""
        return replace(
            self,
            resolved=list(self.resolved),
            pending=dict(self.pending),
            replaced=list(self.replaced),
            late=list(self.late),
            injects=list(self.injects),
            joined=set(self.joined),
            fates=dict(self.fates),
        )


def read_log(log: Iterable[LogEntry], turns: int | None = None, turn_minutes: float | None = None) -> Timeline:
    """Fold a log into a :class:`Timeline`.

    Args:
        log: Entries in sequence order.
        turns: Number of turns of the game; resolving the last one ends it.
        turn_minutes: Minutes each turn has from its opening (None: no deadline unless set).

    Returns:
        The timeline after the last entry.
    """
    return fold(log, turns, turn_minutes)


def fold(
    log: Iterable[LogEntry],
    turns: int | None = None,
    turn_minutes: float | None = None,
    start: Timeline | None = None,
) -> Timeline:
    """Fold entries into a timeline: a new one, or a copy of ``start`` carried further.

    ``start`` is left as it was, so a timeline shared between pages can be extended by the
    entries that came after it (see :mod:`model.game.live`).
    """
    tl = Timeline() if start is None else start.copy()
    for entry in log:
        tl.last_seq = max(tl.last_seq, entry.seq)
        _apply(tl, entry, turns, turn_minutes)
    return tl


def _apply(tl: Timeline, entry: LogEntry, turns: int | None, minutes: float | None = None) -> None:
    kind = entry.kind
    if kind == "join" and entry.seat:
        tl.joined.add(entry.seat)
    elif kind == "start" and tl.status == LOBBY:
        tl.status = RUNNING
        if minutes and tl.deadline is None:  # the first turn's clock starts with the game
            tl.deadline = (entry.time + timedelta(minutes=float(minutes))).isoformat()
    elif kind == "pause" and tl.status == RUNNING:
        tl.status = PAUSED
        tl.paused_at = entry.time
    elif kind == "resume" and tl.status == PAUSED:
        tl.status = RUNNING
        if tl.deadline and tl.paused_at is not None:
            stood = entry.time - tl.paused_at
            tl.deadline = (datetime.fromisoformat(tl.deadline) + stood).isoformat()
        tl.paused_at = None
    elif kind == "end":
        tl.status = ENDED
        for sub in tl.pending.values():
            tl.fates[sub.seq] = LATE
    elif kind == "rewind":
        _rewind(tl, int(entry.payload.get("to_turn", entry.turn)), entry, minutes)
    elif kind == "submission" and entry.payload.get("late"):  # stored as late by the engine
        tl.late.append(Submission.from_entry(entry))
        tl.fates[entry.seq] = LATE
    elif entry.turn != tl.turn or entry.payload.get("branch", tl.branch) != tl.branch or tl.status == ENDED:
        if kind == "submission":
            tl.late.append(Submission.from_entry(entry))
            tl.fates[entry.seq] = LATE
    elif kind == "submission":
        new = Submission.from_entry(entry)
        old = tl.pending.get(new.seat)
        if old is not None:
            tl.replaced.append(old)
            tl.fates[old.seq] = REPLACED
        tl.pending[new.seat] = new
        tl.fates[new.seq] = PENDING
    elif kind == "inject":
        tl.injects.append(str(entry.payload["event"]))
    elif kind == "deadline":
        tl.deadline = entry.payload.get("until")
    elif kind == "resolve":
        _resolve(tl, entry, turns, minutes)


def _resolve(tl: Timeline, entry: LogEntry, turns: int | None, minutes: float | None) -> None:
    human = {seat: dict(body) for seat, body in entry.payload.get("human", {}).items()}
    counted = {int(body.get("seq", 0)) for body in human.values()}
    for sub in tl.pending.values():
        # A submission that landed while the resolve was being written is not in it.
        tl.fates[sub.seq] = COUNTED if sub.seq in counted else LATE
    tl.resolved.append(
        ResolvedTurn(
            turn=tl.turn,
            seq=entry.seq,
            injects=tuple(tl.injects),
            human=human,
            played_by=dict(entry.payload.get("played_by", {})),
        )
    )
    tl.turn += 1
    ended = turns is not None and tl.turn >= turns
    tl.open_turn(None if ended else _clock_start(tl, entry), minutes)
    if ended:
        tl.status = ENDED


def _clock_start(tl: Timeline, entry: LogEntry) -> datetime | None:
    """When a turn opened by ``entry`` starts its clock: now if the game runs, not in the lobby.

    A turn opened while the game stands paused starts its clock as it opens; the resume then
    moves it on by the time the pause lasted from here.
    """
    if tl.status == LOBBY:
        return None
    if tl.status == PAUSED:
        tl.paused_at = entry.time
    return entry.time


def _rewind(tl: Timeline, target: int, entry: LogEntry, minutes: float | None) -> None:
    if not 0 <= target <= tl.turn:
        return
    for sub in tl.pending.values():
        tl.fates[sub.seq] = REWOUND
    for undone in tl.resolved[target:]:
        for body in undone.human.values():
            tl.fates[int(body.get("seq", 0))] = REWOUND
    tl.resolved = tl.resolved[:target]
    tl.turn = target
    tl.branch += 1
    if tl.status == ENDED:
        tl.status = RUNNING
    tl.open_turn(_clock_start(tl, entry), minutes)
