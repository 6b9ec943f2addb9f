"""The state of many runs at once: every variable is a numpy array over runs.

All changes go through :meth:`State.shift`, :meth:`State.shift_public` or :meth:`State.assign`,
which keep each variable in bounds and record the change actually made in the ledger. Nothing
else writes to the arrays; that is what makes the ledger add up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

try:  # the clip ufunc itself: np.clip's Python wrapper costs more than the clipping at 200 runs
    from numpy._core.umath import clip as _clip
except ImportError:  # another numpy layout: the same numbers through the public function
    _clip = np.clip

from model.catalogue import (
    CONTINUOUS,
    INSTITUTIONS,
    PUBLIC_OPINION,
    STAGED_INSTITUTIONS,
    TRACKS,
    TRAVEL_VARIABLES,
)
from model.ledger import Ledger


@dataclass(frozen=True)
class Cohort:
    """A slice of a public with its population weight and how strongly it reacts.

    ``offset`` is the cohort's long-run favourability relative to its public's baseline; the
    sensitivities scale shocks by channel (contact and cohorts: the young react most to
    culture and travel; camps weigh history and security differently).
    """

    name: str
    weight: float
    offset: float
    history: float = 1.0
    security: float = 1.0
    economic: float = 1.0
    culture: float = 1.0

    def sensitivity(self, channel: str) -> float:
        """Multiplier for a shock on ``channel`` (``general`` is 1)."""
        return 1.0 if channel == "general" else getattr(self, channel)


# Weights: assumption, rounded from adult population shares by age (Statistics Korea, Japan's
# Statistics Bureau) and from the progressive/conservative split of recent Korean elections;
# offsets and sensitivities: assumption from the age gradients reported by the Genron NPO/EAI
# polls (younger respondents warmer) and the camps' known priorities.
KR_COHORTS = (
    Cohort("kr_18_39_progressive", 0.18, 6.0, history=1.2, security=0.8, culture=1.5),
    Cohort("kr_18_39_conservative", 0.14, 10.0, history=0.9, security=1.1, culture=1.5),
    Cohort("kr_40_59_progressive", 0.21, -3.0, history=1.3, security=0.8, culture=1.0),
    Cohort("kr_40_59_conservative", 0.15, 2.0, history=0.9, security=1.2, culture=1.0),
    Cohort("kr_60_plus_progressive", 0.11, -8.0, history=1.2, security=0.9, culture=0.6),
    Cohort("kr_60_plus_conservative", 0.21, -4.0, history=0.8, security=1.3, culture=0.6),
)
JP_COHORTS = (
    Cohort("jp_18_29", 0.13, 14.0, history=0.8, security=0.9, culture=1.6),
    Cohort("jp_30_59", 0.46, 0.0, history=1.0, security=1.0, culture=1.0),
    Cohort("jp_60_plus", 0.41, -5.0, history=1.2, security=1.1, culture=0.6),
)
COHORTS = {"kr_favorable_japan": KR_COHORTS, "jp_favorable_korea": JP_COHORTS}

# Who holds power, per run (elections can change it in some runs and not others).
PROFILE = ("kr_camp", "kr_hawkish", "jp_camp", "jp_hawkish", "us_transactional")
INSTITUTION_BOUNDS = {name: (0.0, 1.0) for name in INSTITUTIONS} | {
    name: (0.0, 3.0) for name in STAGED_INSTITUTIONS
}

# The variables of the tidy output table, in order.
OUTPUT_VARIABLES = (
    ("relationship_index",)
    + TRACKS
    + PUBLIC_OPINION
    + CONTINUOUS
    + INSTITUTIONS
    + PROFILE
)


class State:
    """Arrays over runs for every variable, cohorts for the publics.

    Args:
        runs: Number of runs.
        ledger: Where changes are recorded.
        weights: Weights of the five tracks in the relationship index.
    """

    def __init__(self, runs: int, ledger: Ledger, weights: dict[str, float]):
        self.runs = runs
        self.ledger = ledger
        self.t = 0
        total = sum(weights.values())
        self.weights = {k: weights[k] / total for k in TRACKS}
        ledger.composites["relationship_index"] = dict(self.weights)
        self.v: dict[str, np.ndarray] = {}
        for name in TRACKS + CONTINUOUS + INSTITUTIONS + PROFILE:
            self.v[name] = np.zeros(runs)
        self.cohorts = {pub: np.zeros((len(c), runs)) for pub, c in COHORTS.items()}
        # A cohort's opinion is the sum of parts, each recorded in the ledger under its own
        # cause (see model/agents/publics.py): the anchor's parts (``components``, each following
        # its driver), what is left of recent events (``shock``, fading at the pace of opinion)
        # and the lasting memory of past events (``memory``, fading over years).
        self.components: dict[str, dict[str, np.ndarray]] = {pub: {} for pub in COHORTS}
        self.shock = {pub: np.zeros((len(c), runs)) for pub, c in COHORTS.items()}
        # What the opening opinion held beyond its drivers and its memory: it settles at the
        # pace of opinion, booked as ``settling`` (a scenario's opening drift, told apart from
        # the fading of events that happen in the run).
        self.opening = {pub: np.zeros((len(c), runs)) for pub, c in COHORTS.items()}
        self.memory = {pub: np.zeros((len(c), runs)) for pub, c in COHORTS.items()}
        # What an observed poll corrected (data assimilation at a forecast origin; see
        # ``RelationsModel.assimilate``): the gap between the poll and the model, fading at the
        # rate ``observed_rate`` per month (the assimilation's rule), booked as
        # ``observed_poll``. Zero unless a forecast or the replay meets a poll.
        self.observed = {pub: np.zeros((len(c), runs)) for pub, c in COHORTS.items()}
        self.observed_rate = {pub: np.zeros(runs) for pub in COHORTS}
        # Travel capacity (flights, prices, habit), millions a year per travel variable: the
        # slow part of travel, which sentiment and boycotts move around quickly.
        self.capacity = {name: np.zeros(runs) for name in TRAVEL_VARIABLES}
        # Travel experience, millions a year averaged over recent years: what contact with the
        # other country has left in a public, which a boycott erodes only slowly.
        self.experience = {name: np.zeros(runs) for name in TRAVEL_VARIABLES}
        # Travel as the public would choose it with the borders open (capacity, mood,
        # boycotts): equal to the visits unless a border measure holds travel back. Contact
        # reads this, so a border closed for a virus is not read as estrangement.
        self.free_travel = {name: np.zeros(runs) for name in TRAVEL_VARIABLES}
        self.cohort_weights = {
            pub: np.array([c.weight for c in cs])[:, None] for pub, cs in COHORTS.items()
        }
        self._sensitivity = {
            (pub, ch): np.array([c.sensitivity(ch) for c in cs])[:, None]
            for pub, cs in COHORTS.items()
            for ch in ("general", "history", "security", "economic", "culture")
        }

    # ----- reading -----
    def get(self, name: str) -> np.ndarray:
        """Current values of a variable (derived ones computed on the fly)."""
        if name == "relationship_index":
            return sum(w * self.v[k] for k, w in self.weights.items())
        if name in self.cohorts:
            return (self.cohort_weights[name] * self.cohorts[name]).sum(axis=0)
        return self.v[name]

    def flag(self, name: str) -> np.ndarray:
        """An institutional fact as a boolean array (stage > 0 for staged ones)."""
        return self.v[name] > 0.5

    def sensitivity(self, public: str, channel: str) -> np.ndarray:
        """Cohort multipliers (cohorts, 1) for a shock on ``channel``."""
        return self._sensitivity[(public, channel)]

    def snapshot(self) -> np.ndarray:
        """All output variables, shape (variables, runs), float32 to keep ensembles small."""
        out = np.empty((len(OUTPUT_VARIABLES), self.runs), dtype=np.float32)
        for i, name in enumerate(OUTPUT_VARIABLES):
            out[i] = self.get(name)
        return out

    # ----- writing (and recording) -----
    @staticmethod
    def bounds(name: str) -> tuple[float, float]:
        """Lower and upper bound of a variable."""
        return INSTITUTION_BOUNDS.get(name, (0.0, 1.0) if name in PROFILE else (0.0, 100.0))

    def shift(self, name: str, delta: np.ndarray | float, cause: str, actor: str) -> np.ndarray:
        """Add ``delta`` to a variable within its bounds; record and return the change made."""
        if name in self.cohorts:
            return self.shift_public(name, delta, cause, actor)
        lo, hi = self.bounds(name)
        old = self.v[name]
        new = _clip(old + delta, lo, hi)
        applied = new - old
        self.v[name] = new
        self.ledger.record(self.t, cause, actor, name, applied)
        return applied

    def shift_public(
        self,
        public: str,
        delta: np.ndarray | float,
        cause: str,
        actor: str,
        channel: str = "general",
        persist: float | np.ndarray = 0.0,
        shock: bool = False,
    ) -> np.ndarray:
        """Shift every cohort of a public, scaled by the cohorts' sensitivity to ``channel``.

        ``delta`` is per run (runs,) or per cohort and run (cohorts, runs). The ledger records
        the change of the public's aggregate share. With ``shock`` (events and decisions, not
        relaxation) the change is remembered: the share ``persist`` in the cohorts' lasting
        memory, the rest as a recent shock that fades at the pace of opinion.
        """
        delta = np.asarray(delta, dtype=np.float64)
        per_cohort = delta if delta.ndim == 2 else self.sensitivity(public, channel) * delta
        old = self.cohorts[public]
        new = _clip(old + per_cohort, 0.0, 100.0)
        applied = ((new - old) * self.cohort_weights[public]).sum(axis=0)
        self.cohorts[public] = new
        if shock:
            change = new - old
            kept = persist * change
            self.memory[public] += kept
            self.shock[public] += change - kept
        self.ledger.record(self.t, cause, actor, public, applied)
        return applied

    def assign(
        self, name: str, value: np.ndarray | float, mask: np.ndarray | None, cause: str, actor: str
    ) -> np.ndarray:
        """Set a variable to ``value`` where ``mask`` holds (everywhere if None); record it."""
        lo, hi = self.bounds(name)
        old = self.v[name]
        target = np.clip(np.broadcast_to(value, old.shape), lo, hi)
        new = target if mask is None else np.where(mask, target, old)
        applied = new - old
        self.v[name] = np.array(new, dtype=np.float64)
        self.ledger.record(self.t, cause, actor, name, applied)
        return applied
