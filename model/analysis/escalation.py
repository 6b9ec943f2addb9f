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


# ----- red lines ---------------------------------------------------------------------------
# A red line is a scheduled event or scripted decision that a capital has said it would answer
# (Tokyo: the sale of seized assets; Seoul: Japan's export controls, answered in 2019 by
# dropping Japan from Korea's white list). The answer is read from the runs themselves: the month
# an institutional fact turns, run by run, so any ensemble the explorer has already run gives it.

RED_LINE_WINDOW = 6
"""Months after the red line in which an answer counts (the record: about 8 months in 2018-19)."""


@dataclass(frozen=True)
class Response:
    """One way of answering a red line: any of ``facts`` turning to its value in a month.

    Attributes:
        key: Its name (and the last part of its translation key, ``redline.<line>.<key>``).
        facts: ``(fact, value)`` pairs; the answer happens in a run in the first month in which
            one of the facts takes its value after having another.
    """

    key: str
    facts: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class RedLine:
    """A red line: the item that crosses it, whose it is, the answers counted and their basis.

    Attributes:
        kind: "event" (a scheduled event) or "decision" (a scripted decision).
        id: The event or decision id in the catalogue.
        responder: The capital whose decision rule answers.
        responses: The answers counted.
        crossed: ``(fact, value)`` the fact holds at the end of the red line's month in a run
            where it was crossed (an event or decision happens only where its preconditions
            hold: no liquidation order without a seizure, no controls where they are in force).
        basis: The catalogue coefficients of the rule that makes the answer (the retaliation
            pull ``w_retaliation x (provocation - rule_retaliation_threshold)`` on moves tagged
            economic pressure, less the escalation cost; model/agents/rules.py).
    """

    kind: str
    id: str
    responder: str
    responses: tuple[Response, ...]
    crossed: tuple[str, float]
    basis: tuple[str, ...] = ("w_retaliation", "rule_retaliation_threshold", "rule_escalation_cost")


SHUTTLE = Response("shuttle_suspended", (("shuttle_diplomacy", 0.0),))
RED_LINES: tuple[RedLine, ...] = (
    RedLine(
        "event", "liquidation_order", "tokyo",
        (Response("countermeasures", (("jp_export_controls", 1.0), ("jp_whitelist_kr", 0.0))), SHUTTLE),
        ("liquidation_stage", 3.0),
    ),
    *(
        RedLine(
            "decision", d, "seoul", (Response("countermeasures", (("kr_countermeasures", 1.0),)), SHUTTLE), crossed
        )
        for d, crossed in (
            ("tokyo_impose_export_controls", ("jp_export_controls", 1.0)),
            ("tokyo_remove_whitelist", ("jp_whitelist_kr", 0.0)),
        )
    ),
)


def find_red_line(scenario: Scenario) -> tuple[RedLine, str] | None:
    """The first red line the scenario's calendar crosses, and its month (None if none)."""
    found: list[tuple[str, int, RedLine]] = []
    for order, line in enumerate(RED_LINES):
        items = scenario.events if line.kind == "event" else scenario.decisions
        months = [item.month for item in items if item.type == line.id and item.month in scenario.months]
        if months:
            found.append((min(months), order, line))
    if not found:
        return None
    month, _, line = min(found)
    return line, month


def answered(values: np.ndarray, response: Response, t0: int, within: int = RED_LINE_WINDOW) -> np.ndarray:
    """Per run, whether the answer came in months ``t0 <= t < t0 + within``.

    ``values`` is an ensemble's output, shape (months, variables, runs), each month its state
    at the month's end; a fact that turns between months ``t - 1`` and ``t`` answered in ``t``.
    """
    from model.state import OUTPUT_VARIABLES

    out = np.zeros(values.shape[2], dtype=bool)
    last = min(t0 + within, values.shape[0])
    for fact, value in response.facts:
        series = values[:, OUTPUT_VARIABLES.index(fact), :]
        for t in range(max(t0, 1), last):
            out |= (np.abs(series[t] - value) < 0.5) & (np.abs(series[t - 1] - value) >= 0.5)
    return out


def crossed_share(values: np.ndarray, line: RedLine, t0: int) -> float:
    """Share of runs in which the red line was crossed in month ``t0`` (its preconditions held)."""
    from model.state import OUTPUT_VARIABLES

    fact, value = line.crossed
    return float(np.mean(np.abs(values[t0, OUTPUT_VARIABLES.index(fact), :] - value) < 0.5))


def response_shares(values: np.ndarray, line: RedLine, t0: int, within: int = RED_LINE_WINDOW) -> dict[str, float]:
    """Share of runs of an ensemble that answer the red line in each way counted."""
    return {r.key: float(answered(values, r, t0, within).mean()) for r in line.responses}


def red_line_responses(
    what_if: Scenario, base: Scenario, month: str, within: int = RED_LINE_WINDOW, runs: int = 1000, seed: int = 0,
    line: RedLine | None = None,
) -> pd.DataFrame:
    """Share of runs in which the red line is answered within ``within`` months of ``month``.

    Both ensembles share the seed (same random draws run by run), so the difference is what
    the red line itself changes. ``line`` defaults to the first red line of ``what_if``.
    Columns: response, what_if, base, difference.
    """
    from model.ensemble import run_ensemble

    line = line or _line_of(what_if)
    t0 = what_if.index_of(month)
    a = response_shares(run_ensemble(what_if, runs=runs, seed=seed).values, line, t0, within)
    b = response_shares(run_ensemble(base, runs=runs, seed=seed).values, line, t0, within)
    rows = [(k, a[k], b[k], a[k] - b[k]) for k in a]
    return pd.DataFrame(rows, columns=["response", "what_if", "base", "difference"])


def _line_of(scenario: Scenario) -> RedLine:
    found = find_red_line(scenario)
    if found is None:
        raise ValueError(f"{scenario.id}: its calendar crosses no red line")
    return found[0]
