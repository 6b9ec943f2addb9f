"""Read a game's log into its timeline: which turns count, who submitted what, who joined.

This is the pure part of the replay: it needs no model. The rules, which every view of a game
(seat, instructor, projector, CLI) shares:

- Entries are read in sequence order; an entry stamped with another turn or branch than the
  current one changes nothing (a late submission, a resolve of a turn already resolved).
- A seat's later submission in a turn replaces its earlier one; both stay in the log and the
  earlier one is listed in ``replaced`` so that the replacement is visible.
- A resolve closes the current turn with exactly the submissions its payload names, so the
  state does not depend on how close a submission came to the resolve.
- A rewind to turn ``k`` drops the resolved turns from ``k`` on and opens turn ``k`` again
  (a new *branch*: once-only actions of the old branch do not block the new one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
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

    def open_turn(self) -> None:
        """Forget what belonged to the turn that just closed."""
        self.pending = {}
        self.replaced = []
        self.injects = []
        self.deadline = None


def read_log(log: Iterable[LogEntry], turns: int | None = None) -> Timeline:
    """Fold a log into a :class:`Timeline`.

    Args:
        log: Entries in sequence order.
        turns: Number of turns of the game; resolving the last one ends it.

    Returns:
        The timeline after the last entry.
    """
    tl = Timeline()
    for entry in log:
        tl.last_seq = max(tl.last_seq, entry.seq)
        _apply(tl, entry, turns)
    return tl


def _apply(tl: Timeline, entry: LogEntry, turns: int | None) -> None:
    kind = entry.kind
    if kind == "join" and entry.seat:
        tl.joined.add(entry.seat)
    elif kind == "start" and tl.status == LOBBY:
        tl.status = RUNNING
    elif kind == "pause" and tl.status == RUNNING:
        tl.status = PAUSED
    elif kind == "resume" and tl.status == PAUSED:
        tl.status = RUNNING
    elif kind == "end":
        tl.status = ENDED
        for sub in tl.pending.values():
            tl.fates[sub.seq] = LATE
    elif kind == "rewind":
        _rewind(tl, int(entry.payload.get("to_turn", entry.turn)))
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
        _resolve(tl, entry, turns)


def _resolve(tl: Timeline, entry: LogEntry, turns: int | None) -> None:
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
    tl.open_turn()
    if turns is not None and tl.turn >= turns:
        tl.status = ENDED


def _rewind(tl: Timeline, target: int) -> None:
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
    tl.open_turn()
    if tl.status == ENDED:
        tl.status = RUNNING
