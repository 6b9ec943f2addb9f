"""RelationsModel: one Mesa model that steps many runs of a scenario at once.

Step order within a month (one step): scheduled events and scripted decisions (Mesa
``schedule_event``, just before the step), multi-month effects carried over, the exogenous
processes (elections are scheduled events; calendar, Pyongyang, courts, world), then in a
decision window Washington and the two capitals choose simultaneously, the publics
mobilise, and finally every continuous variable relaxes toward its anchor. The state after
the month is collected by a Mesa ``DataCollector``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from model.agents.exogenous import Courts, Elections, IrritantCalendar, Pyongyang, WorldEvents
from model.agents.governments import Seoul, Tokyo, Washington
from model.agents.publics import JapanesePublic, KoreanPublic
from model.agents.seats import SeatAgent
from model.catalogue import (
    ACTORS,
    INSTITUTION_INITIAL,
    LEVEL_INITIAL,
    TRACKS,
    UNCERTAINTY,
    Decision,
    EventType,
    load_catalogue,
    load_posterior,
)
from model.effects import Pending, apply_entry, apply_pending, relax
from model.ledger import Ledger
from model.rng import RunStreams, run_keys, stream_keys
from model.scenario import Scenario
from model.state import COHORTS, OUTPUT_VARIABLES, State

# Where a scenario says nothing: the continuous variables' starting levels (levels.yaml, each
# with meaning, range and source) and the institutional facts' own (institutions.yaml).
DEFAULT_INITIAL: dict[str, float] = LEVEL_INITIAL | INSTITUTION_INITIAL


@dataclass
class Occurrence:
    """An event or decision that happened in some runs in one month."""

    t: int
    kind: str
    id: str
    actor: str
    runs: int
    mask: np.ndarray | None


class _Scheduled:
    """Scheduled events and scripted decisions of one month.

    Held strongly by the model, since Mesa's ``schedule_event`` keeps only a weak reference
    to its callback.
    """

    def __init__(self, model: RelationsModel, t: int):
        self.model = model
        self.t = t
        self.items: list[tuple[str, Any]] = []

    def fire(self) -> None:
        model = self.model
        model.begin_month(self.t)
        ones = np.ones(model.runs)
        for k, (kind, item) in enumerate(self.items):
            if kind == "event":
                entry = model.catalogue.events[item.type]
                apply_entry(model, entry, ones, f"scheduled:{k}:{item.type}", item.params)
            else:
                entry = model.catalogue.decisions[item.type]
                apply_entry(model, entry, ones, f"scripted:{k}:{item.type}")


class RelationsModel(mesa.Model):
    """South Korea-Japan relations, many runs at once.

    Args:
        scenario: A validated scenario.
        runs: Number of replicates stepped together (an array dimension of the state).
        seed: Root seed of the ensemble.
        run_offset: Index of this batch's first run in the ensemble (run ``i`` draws the same
            numbers whichever batch it is in).
        ledger: Record every change with its cause (off for large ensembles).
        parameters: Coefficient overrides on top of the scenario's; a value may be an array
            over runs (for sensitivity analysis).
        stream_ids: Optional, per run, the ensemble run whose random stream it draws (default
            ``run_offset``, ``run_offset + 1``...); repeated ids give common random numbers.
        uncertainty: "posterior" (default): each run draws the calibrated coefficients from
            the calibration's posterior sample, from its own random stream, so the draws
            depend only on the root seed and the run's index (a what-if and its base run with
            the same seed share them); "point": every run uses the point estimate. A
            coefficient the scenario or ``parameters`` sets is never drawn.
    """

    def __init__(
        self,
        scenario: Scenario,
        runs: int = 1,
        seed: int = 0,
        run_offset: int = 0,
        ledger: bool = True,
        parameters: dict[str, float | np.ndarray] | None = None,
        stream_ids: np.ndarray | None = None,
        uncertainty: str = "posterior",
    ):
        super().__init__(rng=seed)
        if uncertainty not in UNCERTAINTY:
            raise ValueError(f"uncertainty must be one of {', '.join(UNCERTAINTY)}")
        if runs < 1:
            raise ValueError("runs must be at least 1")
        self.spec = scenario
        self.runs = runs
        self.months = scenario.months
        self.catalogue = load_catalogue()
        self.p: dict[str, Any] = self.catalogue.defaults() | dict(scenario.parameters)
        self.p |= {k: v for k, v in (parameters or {}).items()}
        unknown = set(parameters or {}) - set(self.catalogue.coefficients)
        if unknown:
            raise ValueError(f"unknown parameters: {', '.join(sorted(unknown))}")
        if stream_ids is None:
            self.streams = RunStreams(run_keys(seed, run_offset, runs))
        else:
            if len(stream_ids) != runs:
                raise ValueError("stream_ids needs one id per run")
            self.streams = RunStreams(stream_keys(seed, stream_ids))
        self.uncertainty = uncertainty
        self.drawn: dict[str, np.ndarray] = {}
        if uncertainty == "posterior":
            self._draw_coefficients(set(scenario.parameters) | set(parameters or {}))
        self.ledger = Ledger(enabled=ledger)
        self.state = State(runs, self.ledger, dict(scenario.weights))
        self.pending: list[Pending] = []
        self.occurrences: list[Occurrence] = []
        self.t = -1
        self.leaders = {
            "seoul": scenario.actors.seoul.leader,
            "tokyo": scenario.actors.tokyo.leader,
            "washington": scenario.actors.washington.leader,
        }
        self._initialise_state()
        self.seats: dict[str, SeatAgent] = {}
        for cls in (Washington, Seoul, Tokyo, KoreanPublic, JapanesePublic):
            self.seats[cls.seat] = cls(self)
        self.pyongyang = Pyongyang(self)
        self.courts = Courts(self)
        self.calendar = IrritantCalendar(self)
        self.world = WorldEvents(self)
        self.elections = Elections(self)
        self._schedule_scenario()
        self._schedule_observations()
        self.datacollector = mesa.DataCollector(model_reporters={"state": self.state.snapshot})

    # ----- set-up -----
    def _draw_coefficients(self, fixed: set[str]) -> None:
        """Give each run a row of the posterior sample (weighted), drawn from the run's own stream."""
        posterior = load_posterior()
        if posterior is None:
            return
        samples, cum = posterior.arrays()
        u = self.streams.uniform("posterior")
        rows = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
        for j, cid in enumerate(posterior.ids):
            if cid in fixed or cid not in self.catalogue.coefficients:
                continue
            self.drawn[cid] = self.p[cid] = samples[rows, j]

    def _initialise_state(self) -> None:
        sc, state = self.spec, self.state
        values = DEFAULT_INITIAL | dict(sc.initial)
        for name, value in values.items():
            if name in COHORTS:
                cohorts = COHORTS[name]
                offsets = np.array([c.offset for c in cohorts])
                weights = np.array([c.weight for c in cohorts])
                centred = offsets - (weights * offsets).sum()
                state.cohorts[name][:] = np.clip(value + centred, 0, 100)[:, None]
            else:
                state.v[name][:] = value
        actors = sc.actors
        state.v["kr_camp"][:] = actors.seoul.camp == "conservative"
        state.v["kr_hawkish"][:] = actors.seoul.stance == "hawkish"
        state.v["jp_camp"][:] = actors.tokyo.camp == "conservative"
        state.v["jp_hawkish"][:] = actors.tokyo.stance == "hawkish"
        state.v["us_transactional"][:] = actors.washington.stance == "transactional"

    def _schedule_scenario(self) -> None:
        sc = self.spec
        by_month: dict[int, _Scheduled] = {}
        for ev in sc.events:
            t = sc.index_of(ev.month)
            by_month.setdefault(t, _Scheduled(self, t)).items.append(("event", ev))
        for dec in sc.decisions:
            t = sc.index_of(dec.month)
            by_month.setdefault(t, _Scheduled(self, t)).items.append(("decision", dec))
        self._scheduled = by_month
        for t, batch in sorted(by_month.items()):
            # Month t is simulated by the step at model time t + 1: fire just before it.
            self.schedule_event(batch.fire, at=t + 0.5)

    def _schedule_observations(self) -> None:
        """The polls the scenario meets (``observations``): by month, and the months whose shares they read."""
        sc = self.spec
        self._observations: dict[int, list] = {}
        self._watched: dict[str, dict[int, np.ndarray]] = {}
        self._watch: dict[int, set[str]] = {}
        for ob in sc.observations or ():
            self._observations.setdefault(sc.index_of(ob.month), []).append(ob)
            for m in ob.window:
                self._watch.setdefault(sc.index_of(m), set()).add(ob.variable)

    def _observe(self, t: int) -> None:
        """Meet the polls whose fieldwork ends this month (see ``assimilate``).

        The gap is the poll (with its sampling error, drawn from each run's own stream, so that
        the runs do not all start from one number) minus the run's share over the fieldwork
        months, read before this month's nudge.
        """
        from model.analysis.assimilation import half_life_rate
        from model.analysis.calibration import POLL_NOISE_FLOOR

        for var in self._watch.get(t, ()):
            self._watched.setdefault(var, {})[t] = self.state.get(var).copy()
        gaps: dict[str, list[tuple[np.ndarray, float]]] = {}
        for i, ob in enumerate(self._observations.get(t, ())):
            seen = self._watched.get(ob.variable, {})
            shares = [seen[k] for k in (self.spec.index_of(m) for m in ob.window) if k in seen]
            if not shares:
                continue
            noise = POLL_NOISE_FLOOR * self.streams.normal(f"observed:{ob.variable}:{i}")
            gaps.setdefault(ob.variable, []).append((ob.value + noise - np.mean(shares, axis=0), ob.half_life))
        # two polls of one public ending in the same month nudge it once, by their mean gap
        for var, found in gaps.items():
            gap = np.mean([g for g, _h in found], axis=0)
            half_life = float(np.mean([h for _g, h in found]))
            self.assimilate(var, gap, half_life_rate(half_life))

    # ----- the month -----
    @property
    def month(self) -> str:
        """Calendar label of the month being (or last) simulated."""
        return self.months[max(self.t, 0)]

    def begin_month(self, t: int) -> None:
        """Point the state, ledger and random streams at month ``t``."""
        self.t = t
        self.state.t = t
        self.streams.month = t

    def is_decision_window(self, t: int | None = None) -> bool:
        """Whether the seats decide in month ``t`` (every ``decision_interval`` months)."""
        t = self.t if t is None else t
        return t % self.spec.decision_interval == 0

    def step(self) -> None:
        """Simulate one month for every run."""
        t = self.steps - 1
        if t >= len(self.months):
            self.running = False
            return
        self.begin_month(t)
        apply_pending(self)
        for process in (self.calendar, self.pyongyang, self.courts, self.world):
            process.step()
        if self.is_decision_window():
            self.decision_window()
        for seat in ("kr_public", "jp_public"):
            self.seats[seat].step()
        self.seats["washington"].settle()
        self._substitute()
        self._settle_tracks()
        if self._observations:
            self._observe(t)
        self.datacollector.collect(self)
        if t == len(self.months) - 1:
            self.running = False

    def decision_window(self) -> None:
        """Every seat decides on the window's starting state; then the moves are applied.

        Clashes resolve by one stated rule: the moves are applied in the catalogue's order of
        seats (Seoul, Tokyo, Washington, the Korean public, the Japanese public), and a move
        whose preconditions an earlier move of the window has undone lapses in that run
        (Seoul's notice on GSOMIA and a restoration chosen elsewhere cannot both hold). No
        seat reacts within the window to another's move of the same window: Tokyo cannot
        contribute to a foundation that Seoul creates in it, it can in the next window.
        """
        plans = {seat: self.seats[seat].choose() for seat in ACTORS}
        for seat in ACTORS:
            self.seats[seat].act(plans[seat])

    def assimilate(self, public: str, gap: np.ndarray, rate: float | np.ndarray) -> None:
        """Nudge a public by what an observed poll says the model missed (data assimilation).

        Why: a forecaster starts from what was observed, not from where the model drifted. Every
        cohort moves by the same ``gap`` (per run: the poll minus the simulated share), so the
        cohorts keep their differences; the gap is booked as ``observed_poll`` and fades by
        ``rate`` a month (the assimilation's rule, :mod:`model.analysis.assimilation`),
        so the mechanisms take over again as the observation ages.
        """
        state = self.state
        seat = next(s for s in ("kr_public", "jp_public") if self.seats[s].opinion == public)
        gap = np.broadcast_to(np.asarray(gap, dtype=np.float64), (self.runs,))
        per_cohort = np.broadcast_to(gap, state.cohorts[public].shape)
        old = state.cohorts[public].copy()
        state.shift_public(public, per_cohort, "observed_poll", self.seats[seat].seat)
        state.observed[public] += state.cohorts[public] - old
        state.observed_rate[public][:] = rate

    def assimilate_travel(self, variable: str, factor: float | np.ndarray) -> None:
        """Scale a travel direction by what the last observed visitor total says the model missed.

        Why: a forecast of travel, like one of opinion, starts from what was observed. Capacity
        (the slow part), the travel the public would choose and the visits all move by the same
        ratio ``factor`` (per run: observed total over simulated), so the mood and border parts
        keep their proportions; capacity then grows toward its long-run level as before, and the
        public's experience of travel (what contact reads, an average over years) is left as
        simulated and follows the visits from then on. The change of visits is booked as
        ``observed_visits``.
        """
        state = self.state
        seat = next(s for s in ("kr_public", "jp_public") if self.seats[s].travel == variable)
        factor = np.broadcast_to(np.asarray(factor, dtype=np.float64), (self.runs,))
        state.capacity[variable] *= factor
        state.free_travel[variable] *= factor
        state.shift(variable, state.v[variable] * (factor - 1.0), "observed_visits", seat)

    def run(self) -> None:
        """Simulate to the scenario's end (Mesa ``run_until``)."""
        self.run_until(len(self.months))

    def _substitute(self) -> None:
        """While Japan's export controls last, Korea replaces Japanese materials.

        Weaponised interdependence: the chokepoint erodes. The dependence lost does not come
        back when the controls are lifted: the new suppliers and plants stay.
        """
        v = self.state.v
        loss = self.p["wi_substitution_rate"] * v["jp_export_controls"] * v["kr_dependence"]
        self.state.shift("kr_dependence", -loss, "substitution", "seoul")

    def _settle_tracks(self) -> None:
        """Each track relaxes toward an equilibrium its pulls set (the catalogue's pulls.yaml)."""
        p, get = self.p, self.state.get
        pulls: dict[str, dict[str, np.ndarray]] = {track: {} for track in TRACKS}
        for pull in self.catalogue.pulls:
            level = sum(get(name) for name in pull.variables) / len(pull.variables)
            value = pull.sign * p[pull.coefficient] * (level - pull.reference) / pull.per
            if pull.scale is not None:
                value = value * get(pull.scale) / 100.0
            pulls[pull.track][pull.cause] = value
        for track in TRACKS:
            relax(self, track, p["track_relax_rate"], p[f"{track}_base"], pulls[track])

    # ----- seats (the interface a classroom game uses) -----
    def menu(self, actor: str) -> list[tuple[Decision, np.ndarray]]:
        """A seat's decisions and, per run, whether each is available now."""
        seat = self.seats[actor]
        return list(zip(seat.menu, seat.available(), strict=True))

    def submit(self, actor: str, decision_ids: list[str]) -> None:
        """A human seat's decisions for the next decision window (replaces its rule once)."""
        self.seats[actor].submit(decision_ids)

    def inject(self, event_id: str, params: dict | None = None) -> np.ndarray:
        """Make a catalogue event happen now in every run (an instructor's injection).

        Between steps "now" is the month simulated next: that is the month whose output first
        shows the event, and the month the ledger books it in.
        """
        entry = self.catalogue.events[event_id]
        # The month it acts in: the next one to simulate (``steps`` months are done), so the
        # ledger and the occurrences book it where its effect shows in the output.
        t = min(self.steps, len(self.months) - 1)
        self.begin_month(t)
        n = sum(1 for o in self.occurrences if o.t == t)
        return apply_entry(self, entry, np.ones(self.runs), f"inject:{n}:{event_id}", params)

    # ----- records -----
    def record_occurrence(self, entry: EventType | Decision, happened: np.ndarray) -> None:
        """Note that an event or decision took place (in how many runs, and which)."""
        count = int(happened.sum())
        if count:
            kind = "decision" if isinstance(entry, Decision) else "event"
            mask = happened.copy() if self.ledger.enabled else None
            self.occurrences.append(Occurrence(self.t, kind, entry.id, entry.actor, count, mask))

    def values(self) -> np.ndarray:
        """Collected output, shape (months so far, variables, runs), float32."""
        rows = self.datacollector.model_vars["state"]
        if not rows:
            return np.empty((0, len(OUTPUT_VARIABLES), self.runs), dtype=np.float32)
        return np.stack(rows)
