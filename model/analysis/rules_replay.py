"""The rules replay of 2012-2025: real events scheduled, the governments' decisions left to their rules.

The history scenario scripts every decision the governments took. Here those decisions are
removed, and so are the scheduled events that were a government's own act (the 2012 landing
on {dokdo}, the bilateral summits, Seoul's repudiation of the 2015 agreement); the leaders
still change when they did, North Korea still fires what it fired, the courts still rule when
they ruled. The rules then decide, run by run, and the count of each key decision over the
fourteen years is compared with the record's count: the record should sit inside the
ensemble's 90% interval. The record is read from the history scenario itself (which
``scripts/build_history_scenario.py`` builds from ``model/data/events.csv``), so the two never
disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.ensemble import iter_chunks
from model.scenario import Scenario

# Scheduled events of the history scenario that were a government's decision, and the
# decision (or triggered event) the rules replay counts instead.
GOVERNMENT_EVENTS: dict[str, str] = {
    "dokdo_visit": "seoul_dokdo_visit",
    "bilateral_summit": "bilateral_summit",
    "agreement_repudiated": "seoul_repudiate_agreement",
}
# The key decisions the table reports (the list), in order.
KEY_DECISIONS: tuple[str, ...] = (
    "seoul_dokdo_visit",
    "tokyo_yasukuni_visit",
    "tokyo_impose_export_controls",
    "tokyo_lift_export_controls",
    "tokyo_remove_whitelist",
    "tokyo_restore_whitelist",
    "seoul_suspend_gsomia",
    "seoul_restore_gsomia",
    "seoul_impose_countermeasures",
    "seoul_lift_countermeasures",
    "bilateral_summit",
    "seoul_compensation_fund",
    "seoul_repudiate_agreement",
    "comfort_women_agreement",
    "agreement_unratified",
)
# Agreements stay scheduled in the replay (the 2015 agreement's event replays as it happened),
# and the rules may make more (two-level games, model/agents/two_level.py): the row counts
# both, so the record's count is the scheduled one and any rule-made agreement is extra.
SCHEDULED_AGREEMENTS = ("comfort_women_agreement",)


def record_counts(history: Scenario) -> dict[str, int]:
    """How often each key decision happened in 2012-2025, read from the history scenario.

    Seoul's repudiation of the 2015 agreement is two rows of the record (the review of
    2017-12 and the dissolution of 2018-11) but one decision: the first disowns, the second
    completes it, so it counts once.
    """
    counts: Counter[str] = Counter(d.type for d in history.decisions)
    for ev in history.events:
        if ev.type in GOVERNMENT_EVENTS:
            counts[GOVERNMENT_EVENTS[ev.type]] += 1
    counts["seoul_repudiate_agreement"] = min(counts["seoul_repudiate_agreement"], 1)
    counts.update(ev.type for ev in history.events if ev.type in SCHEDULED_AGREEMENTS)
    return {d: counts.get(d, 0) for d in KEY_DECISIONS}


def rules_replay(history: Scenario) -> Scenario:
    """The history scenario with the rules playing: scripted decisions and government acts off."""
    events = [e for e in history.events if e.type not in GOVERNMENT_EVENTS]
    processes = history.processes.model_copy(update={"rules": True})
    return history.model_copy(
        update={"id": "rules-replay-2012-2025", "decisions": [], "events": events, "processes": processes}
    )


@dataclass
class ReplayCounts:
    """Per key decision, the count of each run (shape runs) and the record's count."""

    runs: int
    seed: int
    per_run: dict[str, np.ndarray]
    record: dict[str, int]

    def frame(self) -> pd.DataFrame:
        """decision, record, median, 5%, 95%, holds (the record inside the 90% interval)."""
        rows = []
        for d in KEY_DECISIONS:
            c = self.per_run[d]
            lo, med, hi = np.percentile(c, [5, 50, 95], method="inverted_cdf")
            rec = self.record[d]
            rows.append((d, rec, float(np.mean(c)), int(med), int(lo), int(hi), bool(lo <= rec <= hi)))
        return pd.DataFrame(rows, columns=["decision", "record", "mean", "median", "p5", "p95", "holds"])


def replay_counts(
    history: Scenario, runs: int = 300, seed: int = 2012, parameters: dict | None = None
) -> ReplayCounts:
    """Run the rules replay and count each key decision per run."""
    scenario = rules_replay(history)
    per_run = {d: np.zeros(runs, dtype=np.int64) for d in KEY_DECISIONS}
    for chunk in iter_chunks(scenario, runs, seed, chunk_size=100, ledger=True, parameters=parameters):
        sl = slice(chunk.first, chunk.first + chunk.values.shape[2])
        for occ in chunk.occurrences:
            if occ.id in per_run and occ.mask is not None:
                per_run[occ.id][sl] += occ.mask.astype(np.int64)
    return ReplayCounts(runs, seed, per_run, record_counts(history))


def table_markdown(counts: ReplayCounts, command: str) -> str:
    """The generated block of docs/VALIDATION.md."""
    df = counts.frame()
    held = int(df.holds.sum())
    lines = [
        f"`{command}`: {counts.runs} runs, seed {counts.seed}; the record holds inside the 90% "
        f"interval for {held} of {len(df)} key decisions.",
        "",
        "| decision | record 2012-2025 | mean | median | 90% interval | holds |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in df.itertuples():
        lines.append(
            f"| {r.decision} | {r.record} | {r.mean:.2f} | {r.median} | {r.p5}-{r.p95} | "
            f"{'yes' if r.holds else '**no**'} |"
        )
    return "\n".join(lines)
