"""A game's actions: who may do what, checked against the state rebuilt from the log.

Every action reads the log, checks the request (the code, the game's status, the turn the
person was looking at, the menu), and appends one entry; nothing else changes a game. A
refused request raises :class:`~model.game.errors.GameError` and appends nothing.

Actions that must happen once per turn and branch (resolve, rewind, end, start) carry a
``once_key``: two clicks, two tabs or two teachers racing append one entry, and the loser learns
that the turn has already moved on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from model.catalogue import load_catalogue
from model.game.codes import derive_code, normalise
from model.game.errors import AccessDenied, GameError
from model.game.links import DEFAULT_BASE_URL, invitation
from model.game.live import TIMELINES
from model.game.replay import ENDED, LOBBY, PAUSED, RUNNING, Timeline
from model.game.setup import MAX_DEADLINE_MINUTES, MAX_DECISIONS, SEATS, parse_game_scenario
from model.game.store import INSTRUCTOR, VIEWER, GameRecord, GameStore, LogEntry, NewGame
from model.game.world import WorldView, world_for
from model.limits import MAX_STATEMENT


class Game:
    """One game in a store: its fixed record, its log, and the actions on it.

    Cheap to create (one row read); create one per request. The model rebuilt from the log is
    cached per process by :func:`model.game.world.world_for`.

    Args:
        store: The store the game lives in.
        game_id: The game's id.

    Raises:
        UnknownGame: No such game.
    """

    def __init__(self, store: GameStore, game_id: str):
        self.store = store
        self.record: GameRecord = store.game(game_id)
        self.id = game_id

    # ----- what the game is -----
    @property
    def config(self) -> dict[str, Any]:
        """Seats, turns, turn length, homework flag (as created)."""
        return self.record.config

    @property
    def turns(self) -> int:
        """Number of turns."""
        return int(self.config["turns"])

    @property
    def turn_months(self) -> int:
        """Months per turn."""
        return int(self.config["turn_months"])

    @property
    def homework(self) -> bool:
        """One student plays one seat at their own pace and may run the turns."""
        return bool(self.config.get("homework"))

    @property
    def humans(self) -> list[str]:
        """Seats that students play, in the usual order."""
        return [s for s in SEATS if self.config["seats"][s]["player"] == "human"]

    @cached_property
    def scenario(self) -> Any:
        """The game's own copy of its scenario, parsed."""
        return parse_game_scenario(self.record.scenario, f"{self.id}.yaml", stored=True)

    @property
    def turn_minutes(self) -> float | None:
        """Minutes each turn has from its opening (none in homework: the student's own pace)."""
        minutes = self.config.get("deadline_minutes")
        return None if self.homework or not minutes else float(minutes)

    def timeline(self, at_least: int | None = None) -> Timeline:
        """Where the game stands: its log folded (shared by the process; do not change it).

        Args:
            at_least: Enough if the timeline has reached this sequence number (a page that
                learnt it from the process's log watch); without it the latest entries are read.
        """
        return TIMELINES.get(self.store, self.id, self.turns, self.turn_minutes, at_least)

    def world(self, tl: Timeline | None = None) -> WorldView:
        """The model after the timeline's resolved turns and this turn's injected events.

        Cached per process: every page of a game at one point of its log shares one picture.
        """
        tl = tl or self.timeline()
        return world_for(self.record, tl.resolved, tuple(tl.injects))

    def months_of(self, turn: int) -> list[str]:
        """Calendar months that one turn covers."""
        months = self.scenario.months
        first = turn * self.turn_months
        return months[first : first + self.turn_months]

    # ----- who is asking -----
    def role(self, code: str | None) -> str:
        """The role a code opens (``"instructor"`` or a seat), or :class:`AccessDenied`."""
        return self.store.role_of(self.id, code)

    def seat_of(self, code: str | None) -> str:
        """The seat a code plays, or :class:`AccessDenied` (instructor and viewer hold none)."""
        role = self.role(code)
        if role not in SEATS:
            raise AccessDenied("game.error.not_a_seat")
        return role

    def runner(self, code: str | None) -> str:
        """Check that a code may run the turns: the instructor's, or the student's in homework."""
        role = self.role(code)
        if role == INSTRUCTOR or (self.homework and role in self.humans):
            return role
        raise AccessDenied("game.error.instructor_only")

    def invitation(
        self, code: str | None, base_url: str = DEFAULT_BASE_URL, lang: str | None = None
    ) -> dict[str, Any]:
        """Every code and link of the game again (the instructor's code derives them).

        ``lang`` makes the links open in that language (None: each reader's browser decides).
        """
        if self.role(code) != INSTRUCTOR:
            raise AccessDenied("game.error.instructor_only")
        assert code is not None
        new = NewGame(
            self.id,
            normalise(code),
            {s: derive_code(code, self.id, s) for s in self.humans},
            derive_code(code, self.id, VIEWER),
        )
        return invitation(new, base_url, lang)

    # ----- seats -----
    def join(self, code: str | None) -> str:
        """A seat opens its page: remember that it joined (once); return the seat."""
        seat = self.seat_of(code)
        tl = self.timeline()
        if seat not in tl.joined:
            self.store.append(self.id, "join", tl.turn, seat, {}, once_key=f"join:{seat}")
        return seat

    def submit(
        self,
        code: str | None,
        decisions: Sequence[str],
        statement: str = "",
        turn: int | None = None,
        branch: int | None = None,
    ) -> LogEntry:
        """A seat's decisions for the current turn (a later submission replaces this one).

        A submission for a turn that has closed (resolved, rewound, ended, or past its
        deadline) is not lost: it is stored as *late*, stamped with the turn and branch the
        team was answering, counts for nothing, and its entry's payload says why
        (``late``: ``"turn_closed"``, ``"ended"`` or ``"deadline"``) so the page can tell the
        team in words.

        Args:
            code: The seat's code.
            decisions: One or two decision ids from the seat's menu.
            statement: Optional public statement (at most ``MAX_STATEMENT`` characters).
            turn: The turn the seat was looking at (without it, a closed turn is refused).
            branch: The branch the seat was looking at (a rewind starts a new one).

        Returns:
            The stored entry; ``entry.payload.get("late")`` says whether it came too late.

        Raises:
            GameError: Wrong code, game not started or paused, a statement too long, or a
                decision that is not on the menu or not available now; nothing is stored.
        """
        seat = self.seat_of(code)
        tl = self.timeline()
        if tl.status == LOBBY and self.homework:
            self.start(code)
            tl = self.timeline()
        statement = (statement or "").strip()
        if len(statement) > MAX_STATEMENT:
            raise GameError("game.error.statement_too_long", limit=MAX_STATEMENT)
        late = self._lateness(tl, turn, branch)
        if late is not None:
            chosen = self._check_own_decisions(seat, list(decisions))
            stamp = tl.branch if branch is None else branch
            payload = {"decisions": chosen, "statement": statement, "branch": stamp, "late": late}
            entry = self.store.append(self.id, "submission", tl.turn if turn is None else turn, seat, payload)
            assert entry is not None
            return entry
        self._require_open(tl)
        chosen = self._check_decisions(seat, list(decisions), tl)
        payload = {"decisions": chosen, "statement": statement, "branch": tl.branch}
        entry = self.store.append(self.id, "submission", tl.turn, seat, payload)
        assert entry is not None  # no once_key: always stored
        return entry

    def _lateness(self, tl: Timeline, turn: int | None, branch: int | None) -> str | None:
        """Why a submission for ``turn`` (and ``branch``) can no longer count, or None if it can."""
        if turn is None:
            return None  # a caller that does not say which turn gets the plain refusals
        if turn != tl.turn or (branch is not None and branch != tl.branch):
            return "turn_closed"
        if tl.status == ENDED:
            return "ended"
        if tl.status == RUNNING and tl.deadline and datetime.now(UTC) > datetime.fromisoformat(tl.deadline):
            return "deadline"
        return None

    def _check_own_decisions(self, seat: str, decisions: list[str]) -> list[str]:
        """A late submission's decisions: one or two of the seat's own (the menu has moved on)."""
        if not 1 <= len(decisions) <= MAX_DECISIONS or len(set(decisions)) != len(decisions):
            raise GameError("game.error.decision_count", most=MAX_DECISIONS)
        known = load_catalogue().decisions
        for did in decisions:
            if did not in known or known[did].actor != seat:
                raise GameError("game.error.not_on_menu", decision=did, seat=seat)
        return decisions

    def _require_open(self, tl: Timeline) -> None:
        if tl.status == ENDED:
            raise GameError("game.error.ended")
        if tl.status == LOBBY:
            raise GameError("game.error.not_started")
        if tl.status == PAUSED:
            raise GameError("game.error.paused")

    def _check_decisions(self, seat: str, decisions: list[str], tl: Timeline) -> list[str]:
        if not 1 <= len(decisions) <= MAX_DECISIONS or len(set(decisions)) != len(decisions):
            raise GameError("game.error.decision_count", most=MAX_DECISIONS)
        open_now = self.world(tl).available(seat)
        for did in decisions:
            if did not in open_now:
                raise GameError("game.error.not_on_menu", decision=did, seat=seat)
            if not open_now[did]:
                raise GameError("game.error.unavailable", decision=did)
        catalogue = load_catalogue()
        holds = [d for d in decisions if catalogue.decisions[d].is_hold]
        if holds and len(decisions) > 1:
            raise GameError("game.error.hold_alone")
        return decisions

    # ----- the instructor (or the homework student) -----
    def start(self, code: str | None) -> bool:
        """Open the first turn; False if it was already started."""
        return self._move(code, "start", LOBBY, once_key="start")

    def pause(self, code: str | None) -> bool:
        """Pause a running game (submissions wait); False if it was not running."""
        return self._move(code, "pause", RUNNING)

    def resume(self, code: str | None) -> bool:
        """Resume a paused game; False if it was not paused."""
        return self._move(code, "resume", PAUSED)

    def _move(self, code: str | None, kind: str, status: str, once_key: str | None = None) -> bool:
        """Append ``kind`` if the game is in ``status`` now; False (nothing appended) otherwise."""
        role = self.runner(code)
        tl = self.timeline()
        if tl.status != status:
            return False
        return self._append(role, kind, tl, {}, once_key=once_key) is not None

    def set_deadline(self, code: str | None, minutes: float | None) -> str | None:
        """Give the current turn a deadline ``minutes`` from now (None or 0 clears it).

        Returns:
            The deadline as an ISO timestamp, or None.
        """
        role, tl = self._not_ended(code)
        until = None
        if minutes:
            if not 0 < minutes <= MAX_DEADLINE_MINUTES:
                raise GameError("game.error.bad_deadline", most=MAX_DEADLINE_MINUTES)
            until = (datetime.now(UTC) + timedelta(minutes=float(minutes))).isoformat()
        self._append(role, "deadline", tl, {"until": until, "branch": tl.branch})
        return until

    def inject(self, code: str | None, event: str) -> LogEntry:
        """Make a catalogue event happen during the current turn."""
        role, tl = self._not_ended(code)
        if event not in load_catalogue().events:
            raise GameError("game.error.unknown_event", event=event)
        entry = self._append(role, "inject", tl, {"event": event, "branch": tl.branch})
        assert entry is not None
        return entry

    def _not_ended(self, code: str | None) -> tuple[str, Timeline]:
        """The runner's role and where the game stands, refused once the game has ended."""
        role = self.runner(code)
        tl = self.timeline()
        if tl.status == ENDED:
            raise GameError("game.error.ended")
        return role, tl

    def resolve(self, code: str | None, turn: int) -> bool:
        """Close turn ``turn``: the submissions count, the rules play the other seats.

        Args:
            code: The instructor's code (or the seat's, in homework mode).
            turn: The turn the button was shown for; a click on a turn already resolved
                (a double click, a second tab) changes nothing.

        Returns:
            True if this call resolved the turn, False if it had already been resolved.
        """
        role = self.runner(code)
        tl = self.timeline()
        if tl.status == LOBBY:
            raise GameError("game.error.not_started")
        if tl.status == ENDED or turn != tl.turn:
            return False
        payload = {
            "human": {seat: sub.as_payload() for seat, sub in sorted(tl.pending.items())},
            "played_by": {s: ("human" if s in tl.pending else "rule") for s in SEATS},
            "branch": tl.branch,
        }
        once = f"resolve:{tl.branch}:{tl.turn}"
        return self._append(role, "resolve", tl, payload, once_key=once) is not None

    def rewind(self, code: str | None, to_turn: int) -> bool:
        """Go back to the start of an earlier turn; what came after stays in the log only.

        Returns:
            True if this call rewound, False if the game was already at that turn.
        """
        role = self.runner(code)
        tl = self.timeline()
        if to_turn == tl.turn:
            return False  # already there (a second click)
        if not 0 <= to_turn < tl.turn:
            raise GameError("game.error.bad_rewind", last=tl.turn)
        payload = {"to_turn": int(to_turn), "branch": tl.branch}
        once = f"rewind:{tl.branch}:{to_turn}"
        return self._append(role, "rewind", tl, payload, once_key=once) is not None

    def end(self, code: str | None) -> bool:
        """End the game now; False if it had already ended."""
        role = self.runner(code)
        tl = self.timeline()
        if tl.status == ENDED:
            return False
        once = f"end:{tl.branch}"
        return self._append(role, "end", tl, {"branch": tl.branch}, once_key=once) is not None

    def _append(
        self,
        role: str,
        kind: str,
        tl: Timeline,
        payload: dict[str, Any],
        once_key: str | None = None,
    ) -> LogEntry | None:
        return self.store.append(self.id, kind, tl.turn, role, payload, once_key=once_key)
