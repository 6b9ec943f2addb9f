"""The model a game's log builds: one run of the scenario, turn by turn.

Replaying is deterministic: the game's seed, the scenario and the resolved turns (injected
events, the humans' decisions) fix every random draw, because the core's streams are keyed by
seed, month and site, not by call order. A turn is ``turn_months`` months; the game sets the
scenario's decision window to the turn length, so each seat decides once per turn, in the
turn's first month: a human's submission replaces the seat's rule for that window, and a seat
that did not submit is played by its rule (``SeatAgent.decide``).

Rebuilding on every page view would cost a full replay, so :func:`world_for` keeps the latest
world of each game in this process and steps it forward when the log only added turns.

An event the teacher injects happens at the start of the open turn's first month, before the
seats decide: the world applies it as soon as it is injected, so that every page shows the
crisis at once (the indicators it moved, the menus and the advisers' leanings in the new
state) and the teams answer it in the same turn. The resolve then plays the turn from there;
the numbers are the same as if the event had been applied at the resolve.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from model.catalogue import ACTORS
from model.game.replay import ResolvedTurn
from model.game.setup import parse_game_scenario
from model.game.store import GameRecord
from model.model import Occurrence, RelationsModel
from model.state import OUTPUT_VARIABLES

_CACHE_SIZE = 32
T = TypeVar("T")


@dataclass(frozen=True)
class TurnOutcome:
    """What one resolved turn was: who decided what, what was injected, what happened."""

    turn: int
    months: tuple[str, ...]
    first_t: int
    last_t: int
    injects: tuple[str, ...]
    played_by: dict[str, str]
    decisions: dict[str, tuple[str, ...]]
    statements: dict[str, str]
    occurrences: tuple[Occurrence, ...]


@dataclass
class World:
    """A game's model after some turns, with what each turn did.

    Attributes:
        model: The one-run model, stepped to the end of the last resolved turn.
        turn_months: Months per turn.
        start: Every output variable before the first month (run 0).
        outcomes: One entry per resolved turn.
        signature: The resolved turns it was built from, as (turn, resolve seq) pairs.
    """

    model: RelationsModel
    turn_months: int
    start: np.ndarray
    outcomes: list[TurnOutcome] = field(default_factory=list)
    signature: tuple[tuple[int, int], ...] = ()
    opened: tuple[str, ...] = ()
    opened_before: int | None = None

    @property
    def turns_done(self) -> int:
        """Number of turns resolved."""
        return len(self.outcomes)

    def view(self) -> WorldView:
        """A read-only picture of the world now (see :class:`WorldView`)."""
        model = self.model
        return WorldView(
            scenario=model.spec,
            months=tuple(model.months),
            turn_months=self.turn_months,
            signature=self.signature,
            injects=self.opened,
            outcomes=tuple(self.outcomes),
            values={n: float(model.state.get(n)[0]) for n in OUTPUT_VARIABLES},
            menus={seat: tuple((d.id, bool(mask[0])) for d, mask in model.menu(seat)) for seat in ACTORS},
            trajectory=self.trajectory(),
            ledger=model.ledger.frame(list(model.months), run=0),
            leaders=dict(model.leaders),
            advice={seat: _advice(model, seat) for seat in ACTORS},
        )

    def trajectory(self) -> pd.DataFrame:
        """Monthly values so far: t (-1 for the start), month, variable, value.

        The start point is labelled with the scenario's first month, as "before it".
        """
        values = self.model.values()[:, :, 0]
        months = self.model.months
        rows = [(-1, months[0], name, float(self.start[i])) for i, name in enumerate(OUTPUT_VARIABLES)]
        for t in range(values.shape[0]):
            rows += [(t, months[t], n, float(values[t, i])) for i, n in enumerate(OUTPUT_VARIABLES)]
        return pd.DataFrame(rows, columns=["t", "month", "variable", "value"])

    def can_open(self, injects: tuple[str, ...]) -> bool:
        """Whether the open turn's events so far are the start of ``injects`` (else rebuild)."""
        return injects[: len(self.opened)] == self.opened

    def open_turn(self, injects: tuple[str, ...]) -> None:
        """Make the open turn's injected events happen now (those not applied yet)."""
        if not self.can_open(injects):
            raise ValueError("the injected events do not continue those already applied")
        new = injects[len(self.opened) :]
        if not new:
            return
        model = self.model
        if self.opened_before is None:
            self.opened_before = len(model.occurrences)
        model.begin_month(self.turns_done * self.turn_months)
        for event in new:
            model.inject(event)
        self.opened = injects

    def apply(self, turn: ResolvedTurn) -> None:
        """Play one more resolved turn: injects, the humans' decisions, the months."""
        model = self.model
        first = turn.turn * self.turn_months
        last = first + self.turn_months - 1
        before = len(model.occurrences) if self.opened_before is None else self.opened_before
        self.open_turn(tuple(turn.injects))
        self.opened, self.opened_before = (), None
        for seat, body in turn.human.items():
            model.submit(seat, list(body.get("decisions", [])))
        decisions: dict[str, tuple[str, ...]] = {}
        for _ in range(self.turn_months):
            model.step()
            if model.t == first:
                decisions = self._window_choices(turn)
        self.outcomes.append(
            TurnOutcome(
                turn=turn.turn,
                months=tuple(model.months[first : last + 1]),
                first_t=first,
                last_t=last,
                injects=turn.injects,
                played_by={s: ("human" if s in turn.human else "rule") for s in ACTORS},
                decisions=decisions,
                statements={s: str(b.get("statement", "")) for s, b in turn.human.items()},
                occurrences=tuple(model.occurrences[before:]),
            )
        )
        self.signature = (*self.signature, (turn.turn, turn.seq))

    def _window_choices(self, turn: ResolvedTurn) -> dict[str, tuple[str, ...]]:
        """What each seat chose in the turn's decision window ("hold" is a choice too)."""
        out: dict[str, tuple[str, ...]] = {}
        for seat in ACTORS:
            if seat in turn.human:
                out[seat] = tuple(turn.human[seat].get("decisions", []))
                continue
            agent = self.model.seats[seat]
            if agent.last_choice is None:
                out[seat] = ()
            else:
                out[seat] = (agent.menu[int(agent.last_choice[0])].id,)
        return out


@dataclass(frozen=True)
class WorldView:
    """A read-only picture of a game's world after some turns, safe to share between threads.

    The model itself stays inside the cache (another session may step it); pages, the CLI and
    the engine read this picture. ``injects`` are the open turn's injected events, already
    applied to ``values``, ``menus`` and ``advice`` (not yet to ``trajectory``, which holds
    whole months).
    """

    scenario: Any
    months: tuple[str, ...]
    turn_months: int
    signature: tuple[tuple[int, int], ...]
    injects: tuple[str, ...]
    outcomes: tuple[TurnOutcome, ...]
    values: dict[str, float]
    menus: dict[str, tuple[tuple[str, bool], ...]]
    trajectory: pd.DataFrame
    ledger: pd.DataFrame
    leaders: dict[str, str]
    advice: dict[str, tuple[tuple[str, float], ...]]
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    memo_lock: Any = field(default_factory=threading.RLock, compare=False, repr=False)

    @property
    def turns_done(self) -> int:
        """Number of turns resolved."""
        return len(self.outcomes)

    def derived(self, key: Any, make: Callable[[], T]) -> T:
        """Something computed from this picture alone (a chart, a table), computed once.

        Every page that shows the same point of a game holds the same picture, so what is
        memoised here is computed by the first page that needs it and read by the others;
        it goes when the picture leaves the cache. Treat the result as read-only.
        """
        with self.memo_lock:
            if key not in self.memo:
                self.memo[key] = make()
            return self.memo[key]

    def value(self, variable: str) -> float:
        """Current value of a variable."""
        return self.values[variable]

    def available(self, seat: str) -> dict[str, bool]:
        """The seat's menu now: decision id -> whether its preconditions hold."""
        return dict(self.menus[seat])


def _advice(model: RelationsModel, seat: str) -> tuple[tuple[str, float], ...]:
    """What the seat's advisers recommend: its rule's choice probabilities now, best first.

    The rule that plays a seat nobody holds is the seat's counsel when a team holds it: the
    same theories (threat, abandonment, two-level games, diversion) weigh the same state.
    """
    agent = model.seats[seat]
    probs = agent.probabilities()[:, 0]
    ranked = sorted(zip(agent.menu, probs, strict=True), key=lambda dp: -dp[1])
    return tuple((d.id, float(p)) for d, p in ranked if p > 0)


def game_scenario(record: GameRecord) -> Any:
    """The game's scenario as the game plays it.

    The decision window is the turn; rule seats take their chosen profiles; and a seat that
    a team holds loses the scenario's scripted decisions (in a historical replay the team, not
    history, decides for its seat, while history still scripts the seats nobody holds).
    """
    sc = parse_game_scenario(record.scenario, f"{record.id}.yaml", stored=True)
    config = record.config
    humans = {s for s, spec in config["seats"].items() if spec.get("player") == "human"}
    actors = sc.actors
    for seat, spec in config["seats"].items():
        profile = spec.get("profile")
        if spec.get("player") == "rule" and profile and hasattr(actors, seat):
            current = getattr(actors, seat)
            actors = actors.model_copy(update={seat: current.model_copy(update=dict(profile))})
    scripted = [d for d in sc.decisions if d.actor not in humans]
    return sc.model_copy(
        update={"decision_interval": int(config["turn_months"]), "actors": actors, "decisions": scripted}
    )


def build_world(record: GameRecord, resolved: list[ResolvedTurn]) -> World:
    """Replay a game from its first month through the given resolved turns."""
    sc = game_scenario(record)
    model = RelationsModel(sc, runs=1, seed=record.seed)
    world = World(model, int(record.config["turn_months"]), model.state.snapshot()[:, 0].copy())
    for turn in resolved:
        world.apply(turn)
    return world


class _WorldCache:
    """The latest world of each game in this process, stepped forward when turns are added.

    Streamlit serves every browser from threads of one process: one lock per game keeps two
    sessions from stepping the same model at once.
    """

    def __init__(self, size: int = _CACHE_SIZE):
        self.size = size
        self.worlds: OrderedDict[str, World] = OrderedDict()
        self.views: dict[tuple[str, tuple[tuple[int, int], ...]], WorldView] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.guard = threading.Lock()

    def get(self, record: GameRecord, resolved: list[ResolvedTurn], injects: tuple[str, ...] = ()) -> WorldView:
        want = tuple((r.turn, r.seq) for r in resolved)
        key = (record.id, want, injects)
        with self.guard:
            lock = self.locks.setdefault(record.id, threading.Lock())
            seen = self.views.get(key)
        if seen is not None:
            return seen
        with lock:
            with self.guard:
                seen = self.views.get(key)  # built by another thread while this one waited
            if seen is not None:
                return seen
            world = self.worlds.get(record.id)
            if world is None or not _continues(world, resolved, injects):
                world = build_world(record, [])
            for turn in resolved[world.turns_done :]:
                world.apply(turn)
            world.open_turn(injects)
            view = world.view()
            with self.guard:
                self.worlds[record.id] = world
                self.worlds.move_to_end(record.id)
                self.views[key] = view
                while len(self.worlds) > self.size:
                    gone, _ = self.worlds.popitem(last=False)
                    self.views = {k: v for k, v in self.views.items() if k[0] != gone}
                while len(self.views) > 4 * self.size:
                    self.views.pop(next(iter(self.views)))
            return view

    def clear(self) -> None:
        """Forget every world (tests; a process that wants its memory back)."""
        with self.guard:
            self.worlds.clear()
            self.views.clear()


def _continues(world: World, resolved: list[ResolvedTurn], injects: tuple[str, ...]) -> bool:
    """Whether ``world`` can be carried forward to ``resolved`` and the open turn's ``injects``.

    Its resolved turns must begin the wanted ones, and the events it already applied to its
    open turn must begin the events of the turn that comes next (resolved or still open).
    """
    want = tuple((r.turn, r.seq) for r in resolved)
    if want[: len(world.signature)] != world.signature:
        return False
    if world.turns_done < len(resolved):
        return world.can_open(tuple(resolved[world.turns_done].injects))
    return world.can_open(injects)


WORLDS = _WorldCache()


def world_for(record: GameRecord, resolved: list[ResolvedTurn], injects: tuple[str, ...] = ()) -> WorldView:
    """A picture of the game's world after ``resolved`` and the open turn's ``injects``.

    Replayed, or carried forward from this process's cache.
    """
    return WORLDS.get(record, resolved, tuple(injects))
