"""The effects ledger: every change of state, with its cause.

Each entry is (month index, cause, actor, variable, delta per run). Because every mutation of
the state goes through :class:`model.state.State`, which records the change it actually made
(after bounds), the recorded deltas of a variable over any window add up to its movement. The
ledger is how the app answers "why", how the debrief tells a team what its decisions did, and
how tests pin behaviour.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(slots=True)
class Entry:
    """One recorded change: ``delta`` holds one value per run."""

    t: int
    cause: str
    actor: str
    variable: str
    delta: np.ndarray


@dataclass
class Ledger:
    """Append-only record of state changes (switched off for large ensembles)."""

    enabled: bool = True
    entries: list[Entry] = field(default_factory=list)
    # Derived variables are linear in recorded ones: index -> {component: weight}
    composites: dict[str, dict[str, float]] = field(default_factory=dict)

    def record(self, t: int, cause: str, actor: str, variable: str, delta: np.ndarray) -> None:
        """Add one change, unless the ledger is off."""
        if self.enabled:
            self.entries.append(Entry(t, cause, actor, variable, delta))

    def _components(self, variable: str) -> dict[str, float]:
        return self.composites.get(variable, {variable: 1.0})

    def contributions(
        self, variable: str, t0: int = 0, t1: int | None = None
    ) -> dict[tuple[str, str], np.ndarray]:
        """Sum of recorded changes per (cause, actor) for months ``t0 <= t <= t1``.

        The sum over causes equals the variable's value after month ``t1`` minus its value
        before month ``t0``.
        """
        weights = self._components(variable)
        out: dict[tuple[str, str], np.ndarray] = {}
        for e in self.entries:
            w = weights.get(e.variable)
            if w is None or e.t < t0 or (t1 is not None and e.t > t1):
                continue
            key = (e.cause, e.actor)
            add = e.delta * w
            out[key] = out[key] + add if key in out else add.astype(np.float64)
        return out

    def _per_entry(self, run: int | None) -> list[float]:
        """Each entry's delta in run ``run``, or its mean over runs.

        Why one array: one ``np.mean`` per entry (thousands a month in a 60-month ensemble)
        costs more than the means themselves; the row means of the stacked deltas are the same
        numbers (the same pairwise sum per row).
        """
        if run is not None:
            return [float(e.delta[run]) for e in self.entries]
        kinds = {(np.shape(e.delta), np.asarray(e.delta).dtype) for e in self.entries}
        if len(kinds) == 1 and len(next(iter(kinds))[0]) == 1:
            return np.stack([e.delta for e in self.entries]).mean(axis=1).tolist()
        return [float(np.mean(e.delta)) for e in self.entries]

    def frame(self, months: list[str] | None = None, run: int | None = None) -> pd.DataFrame:
        """The ledger as a table: t, month, cause, actor, variable, delta (mean over runs).

        Args:
            months: Calendar labels by month index, to add a ``month`` column.
            run: One run's deltas instead of the mean over runs.
        """
        rows: dict[tuple[int, str, str, str], float] = defaultdict(float)
        for e, value in zip(self.entries, self._per_entry(run), strict=True):
            if value != 0.0:
                rows[(e.t, e.cause, e.actor, e.variable)] += value
        df = pd.DataFrame(
            [(t, c, a, v, d) for (t, c, a, v), d in rows.items()],
            columns=["t", "cause", "actor", "variable", "delta"],
        )
        for name, comps in self.composites.items():
            part = df[df.variable.isin(comps)].copy()
            if part.empty:
                continue
            part["delta"] = part["delta"] * part["variable"].map(comps)
            part = part.groupby(["t", "cause", "actor"], as_index=False)["delta"].sum()
            part["variable"] = name
            df = pd.concat([df, part[df.columns]], ignore_index=True)
        if months is not None:
            df.insert(1, "month", [months[t] for t in df["t"]])
        return df
