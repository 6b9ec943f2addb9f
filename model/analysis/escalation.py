"""How often the governments' rules escalate, per run-year, against the record of 2012-2025.

The record (model/data/events.csv) has, in 14 years, one presidential landing on
{dokdo} (2012-08), one GSOMIA notice (2019-08), one imposition of export controls (2019-07)
and one removal from the white list (2019-08): about 0.07 a year each. A baseline whose rules
do these several times as often says more about the rules than about the future.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.ensemble import iter_chunks
from model.scenario import Scenario

# The escalations a reviewer counts, with their count in the record of 2012-2025 (events.csv).
ESCALATIONS: dict[str, int] = {
    "seoul_dokdo_visit": 1,
    "seoul_suspend_gsomia": 1,
    "tokyo_impose_export_controls": 1,
    "tokyo_remove_whitelist": 1,
    "seoul_impose_countermeasures": 1,
    "tokyo_yasukuni_visit": 1,
}
RECORD_YEARS = 14
# Institutions whose share of runs "in force at the end" the note reports.
END_STATES = {"jp_export_controls": 1.0, "gsomia": 0.0}


@dataclass
class EscalationRates:
    """Per decision: occurrences per run-year; per institution: share of runs at the end."""

    runs: int
    years: float
    per_run_year: dict[str, float]
    at_end: dict[str, float]

    def frame(self) -> pd.DataFrame:
        """A table: decision, per run-year, the record's rate."""
        rows = [
            (d, self.per_run_year[d], ESCALATIONS[d] / RECORD_YEARS) for d in ESCALATIONS
        ]
        return pd.DataFrame(rows, columns=["decision", "per_run_year", "record_per_year"])


def escalation_rates(scenario: Scenario, runs: int = 1000, seed: int = 0) -> EscalationRates:
    """Count the rules' escalations in an ensemble of ``scenario`` (rules on)."""
    counts = dict.fromkeys(ESCALATIONS, 0)
    from model.state import OUTPUT_VARIABLES

    index = {name: OUTPUT_VARIABLES.index(name) for name in END_STATES}
    at_end = dict.fromkeys(END_STATES, 0)
    for chunk in iter_chunks(scenario, runs, seed):
        for occ in chunk.occurrences:
            if occ.kind == "decision" and occ.id in counts:
                counts[occ.id] += occ.runs
        last = chunk.values[-1]
        for name, value in END_STATES.items():
            at_end[name] += int(np.sum(np.abs(last[index[name]] - value) < 0.5))
    years = len(scenario.months) / 12.0
    return EscalationRates(
        runs,
        years,
        {d: c / (runs * years) for d, c in counts.items()},
        {k: c / runs for k, c in at_end.items()},
    )


# Tokyo's answers to a crossed red line, as the record of 2019 shows them (export controls,
# the white list), and the diplomatic ones the menu now has.
TOKYO_RESPONSES: dict[str, tuple[str, ...]] = {
    "countermeasures": ("tokyo_impose_export_controls", "tokyo_remove_whitelist"),
    "suspends shuttle diplomacy": ("tokyo_suspend_shuttle_diplomacy",),
}


def _answered(scenario: Scenario, decisions: tuple[str, ...], t0: int, t1: int, runs: int, seed: int) -> np.ndarray:
    """Per run, whether any of ``decisions`` happened in months ``t0 <= t < t1``."""
    out = np.zeros(runs, dtype=bool)
    for chunk in iter_chunks(scenario, runs, seed, chunk_size=100, ledger=True):
        sl = slice(chunk.first, chunk.first + chunk.values.shape[2])
        for occ in chunk.occurrences:
            if occ.kind == "decision" and occ.id in decisions and t0 <= occ.t < t1 and occ.mask is not None:
                out[sl] |= occ.mask
    return out


def red_line_responses(
    what_if: Scenario, base: Scenario, month: str, within: int = 6, runs: int = 1000, seed: int = 0
) -> pd.DataFrame:
    """Share of runs in which Tokyo answers within ``within`` months of ``month``, what-if and base.

    Both ensembles share the seed (same random draws run by run), so the difference is what
    the red line itself changes. Columns: response, what_if, base, difference.
    """
    t0 = what_if.index_of(month)
    rows = []
    for name, decisions in TOKYO_RESPONSES.items():
        a = _answered(what_if, decisions, t0, t0 + within, runs, seed).mean()
        b = _answered(base, decisions, t0, t0 + within, runs, seed).mean()
        rows.append((name, float(a), float(b), float(a - b)))
    return pd.DataFrame(rows, columns=["response", "what_if", "base", "difference"])
