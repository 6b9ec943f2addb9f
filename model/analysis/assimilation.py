"""Data assimilation: a forecast starts from the last observed poll, not from the model's drift.

Why: persistence starts from the last poll; a model that starts from the level it simulated
itself carries its whole in-sample misfit into the forecast. At the origin each public is nudged
to the last poll(s) observed at or before it (every cohort by the same amount, so they keep their
differences; :meth:`model.model.RelationsModel.assimilate`), and the gap fades month by month so
that the mechanisms take over again as the observation ages.

How fast the gap fades is a rule (:data:`RULES`). The shipped one (:data:`SHIPPED_RULE`) is a
half-life of 12 months, an assumption picked among the rules by the backtest itself
(docs/VALIDATION.md, round 5), so its score is optimistic until unseen polls confirm it. The
rule with a basis in the training polls alone, ``residuals``, measures how long the model's
misfit persisted there: per public, the residuals ``r`` (poll minus the ensemble's median, over
the training waves of that public's series) are paired with the next wave of the same series,
``d`` months later, and the monthly persistence ``rho`` minimises
``sum (r[k+1] - rho**d r[k])**2`` over [0, 1]; the gap then fades by ``1 - rho`` a month (a
public with fewer than two pairs takes the estimate pooled over both publics). It found no
persistence, so it forecasts as the free start does.

Travel is assimilated too (round 6 of docs/VALIDATION.md): at the origin each direction's
capacity, the travel its public would choose and the visits are scaled by the ratio of the last
whole year's observed visitor total to the simulated one (per run;
:meth:`model.model.RelationsModel.assimilate_travel`, booked as ``observed_visits``). Capacity then
grows toward its long-run level as before, so no separate fading is needed; the public's travel
experience (what contact reads, an average over years) is left as simulated and follows the
visits from then on. Basis: the same as for the polls, a forecast starts from what was observed
(here the visitor totals up to the origin, training data).

The gap's uncertainty is in the forecast: each run's gap is drawn around the poll with the poll's
sampling error (``POLL_NOISE_FLOOR``), so the runs do not all start from one number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.analysis.polls import VISITOR_TARGETS, PollTarget

RHO_GRID = np.linspace(0.0, 1.0, 1001)
RULES = {
    "residuals": "the persistence of the model's residuals on the training polls (estimated per public)",
    "opinion_pace": "the pace of opinion (each run's fav_relax_rate: the gap fades as a recent event's effect does)",
    "half_life_12": "a half-life of 12 months (assumption)",
    "no_fade": "no fading (the gap is a lasting bias of the model for that public; assumption)",
}
"""How the gap's monthly fading rate is set: every rule the backtest tried (docs/VALIDATION.md)."""
SHIPPED_RULE = "half_life_12"


def half_life_rate(months: float) -> float:
    """The monthly fading rate of a gap that halves in ``months`` months."""
    return 1.0 - 0.5 ** (1.0 / months)


def persistence(pairs: list[tuple[float, float, int]]) -> float | None:
    """Monthly persistence rho of residual pairs (r, r_next, months apart); None without two pairs."""
    if len(pairs) < 2:
        return None
    r0 = np.array([p[0] for p in pairs])
    r1 = np.array([p[1] for p in pairs])
    d = np.array([p[2] for p in pairs], dtype=float)
    sse = ((r1[None, :] - RHO_GRID[:, None] ** d[None, :] * r0[None, :]) ** 2).sum(axis=1)
    return float(RHO_GRID[int(np.argmin(sse))])


def _month_number(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


@dataclass
class Assimilation:
    """What to assimilate at one origin: the training polls and where they sit in the run.

    Attributes:
        origin_index: the month index (in the forecast's scenario) after which the nudge happens.
        targets: the training targets: poll waves (each public meets its last polls) and visitor
            totals (each travel direction meets its last whole year).
        windows: each target's fieldwork month indices in the forecast's scenario.
        offsets: each target's wording offset (added to the simulated share).
        noise_sd: the poll's sampling error drawn into each run's gap (points, one sd).
        seed: seeds the draws of the gap's noise (one stream per origin).
        rule: how the fading rate is set (a key of :data:`RULES`).
        rates, rho, gaps, at_poll: filled in when applied, per public: the monthly fading rate,
            the monthly persistence, the median gap at the origin, and each run's gap at the
            polls' own months (before it faded to the origin).
        travel_factors: filled in when applied, per travel direction: the median ratio of the last
            observed visitor total to the simulated one, by which the travel was scaled.
    """

    origin_index: int
    targets: list[PollTarget]
    windows: list[np.ndarray]
    offsets: np.ndarray
    noise_sd: float
    seed: int
    rule: str = SHIPPED_RULE
    rates: dict[str, float] = field(default_factory=dict)
    rho: dict[str, float] = field(default_factory=dict)
    gaps: dict[str, float] = field(default_factory=dict)
    at_poll: dict[str, np.ndarray] = field(default_factory=dict)
    travel_factors: dict[str, float] = field(default_factory=dict)

    def __call__(self, model, i: int, series: dict[str, np.ndarray]) -> None:
        """After month ``i`` of the run: at the origin, nudge each public and travel (module docstring)."""
        if i != self.origin_index:
            return
        polls = [j for j, t in enumerate(self.targets) if t.series not in VISITOR_TARGETS]
        sim = {j: series[self.targets[j].variable][self.windows[j]].mean(axis=0) + self.offsets[j] for j in polls}
        med = {j: float(np.median(sim[j])) for j in polls}
        publics = list(dict.fromkeys(self.targets[j].variable for j in polls))
        pairs: dict[str, list[tuple[float, float, int]]] = {p: [] for p in publics}
        last: dict[str, dict[str, int]] = {p: {} for p in publics}
        for key in dict.fromkeys(self.targets[j].series for j in polls):
            waves = sorted((j for j in polls if self.targets[j].series == key), key=lambda j: self.targets[j].month)
            public = self.targets[waves[0]].variable
            for a, b in zip(waves, waves[1:], strict=False):
                ta, tb = self.targets[a], self.targets[b]
                pairs[public].append((ta.value - med[a], tb.value - med[b],
                                      _month_number(tb.month) - _month_number(ta.month)))
            last[public][key] = waves[-1]
        pooled = persistence([p for ps in pairs.values() for p in ps])
        rng = np.random.default_rng([self.seed, 0xA551])
        for public in publics:
            rho = persistence(pairs[public])
            rho = pooled if rho is None else rho
            rho = 0.0 if rho is None else rho
            self.rho[public] = rho
            rate = self._rate(model, rho)
            keep = 1.0 - rate
            gap = np.zeros(model.runs)
            at_poll = np.zeros(model.runs)
            for j in last[public].values():
                observed = self.targets[j].value + rng.normal(0.0, self.noise_sd, model.runs)
                age = self.origin_index - int(self.windows[j][-1])
                at_poll += observed - sim[j]
                gap += (observed - sim[j]) * keep**age
            gap /= len(last[public])
            self.rates[public] = float(np.median(rate))
            self.gaps[public] = float(np.median(gap))
            self.at_poll[public] = at_poll / len(last[public])
            model.assimilate(public, gap, rate)
        self._travel(model, series)

    def _travel(self, model, series: dict[str, np.ndarray]) -> None:
        """Scale each travel direction to its last observed visitor total (see the module docstring)."""
        visits = [j for j, t in enumerate(self.targets) if t.series in VISITOR_TARGETS]
        for key in dict.fromkeys(self.targets[j].series for j in visits):
            j = max((j for j in visits if self.targets[j].series == key), key=lambda j: self.targets[j].month)
            t = self.targets[j]
            simulated = np.maximum(series[t.variable][self.windows[j]].mean(axis=0), 1e-9)
            factor = t.value / simulated
            self.travel_factors[t.variable] = float(np.median(factor))
            model.assimilate_travel(t.variable, factor)

    def _rate(self, model, rho: float) -> np.ndarray:
        """Each run's monthly fading rate under this rule."""
        if self.rule == "residuals":
            rate = 1.0 - rho
        elif self.rule == "opinion_pace":
            rate = model.p["fav_relax_rate"]
        elif self.rule == "half_life_12":
            rate = half_life_rate(12.0)
        elif self.rule == "no_fade":
            rate = 0.0
        else:
            raise ValueError(f"unknown assimilation rule {self.rule!r} (one of {', '.join(RULES)})")
        return np.broadcast_to(np.asarray(rate, dtype=np.float64), (model.runs,)).copy()
