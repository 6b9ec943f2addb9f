"""The rules replay of 2012-2025: the governments' key decisions counted against the record.

Runs ``model.analysis.rules_replay`` (the real events scheduled, the scripted decisions off, the
rules playing) and rewrites the table of docs/VALIDATION.md (block ``rules_replay``).
``--calibrate`` first finds, by bisection with common random numbers, the value of diplomacy
(``rule_diplomacy_value``) at which the replay holds as many bilateral summits as the record,
then the escalation cost (``rule_escalation_cost``) at which its escalations (landings on the
islets, Yasukuni visits, GSOMIA notices, export controls, white-list removals,
countermeasures) add up, on average, to the record's count; the values are printed for the
catalogue, not written to it.

Run: nice -n 10 .venv/bin/python scripts/rules_replay.py [--runs 300] [--seed 2012] [--calibrate] [--no-docs]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.analysis.backtest_report import refresh_doc  # noqa: E402
from model.analysis.escalation import ESCALATIONS  # noqa: E402
from model.analysis.rules_replay import replay_counts, table_markdown  # noqa: E402
from model.catalogue import load_catalogue  # noqa: E402
from model.scenario import load_scenario  # noqa: E402

HISTORY = ROOT / "scenarios" / "history-2012-2025.yaml"


# Each calibrated coefficient, the decisions whose total it sets, and whether raising it
# raises (+1) or lowers (-1) that total.
TARGETS: dict[str, tuple[tuple[str, ...], int]] = {
    "rule_diplomacy_value": (("bilateral_summit",), +1),
    "rule_escalation_cost": (tuple(ESCALATIONS), -1),
}


def total(counts, decisions: tuple[str, ...]) -> tuple[float, int]:
    """Mean total of ``decisions`` per run, and the record's total."""
    model = sum(float(counts.per_run[d].mean()) for d in decisions)
    record = sum(counts.record[d] for d in decisions)
    return model, record


def calibrate(history, runs: int, seed: int, steps: int = 8) -> dict[str, float]:
    """Bisection on each target's coefficient within its catalogue range, one after the other."""
    found: dict[str, float] = {}
    for cid, (decisions, sign) in TARGETS.items():
        lo, hi = load_catalogue().coefficients[cid].range
        for _ in range(steps):
            mid = (lo + hi) / 2.0
            counts = replay_counts(history, runs, seed, parameters=found | {cid: mid})
            model, record = total(counts, decisions)
            print(f"  {cid} {mid:.3f}: {model:.2f} a run (record {record})", flush=True)
            lo, hi = (mid, hi) if (model - record) * sign < 0 else (lo, mid)
        found[cid] = round((lo + hi) / 2.0, 2)
    return found


def main() -> None:
    """Calibrate if asked, run the replay, print the table and rewrite it in VALIDATION.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    history = load_scenario(HISTORY)
    start = time.perf_counter()
    if args.calibrate:
        for cid, value in calibrate(history, args.runs, args.seed).items():
            print(f"{cid}: {value:.2f} (write it to model/catalogue/coefficients.yaml)")
    counts = replay_counts(history, args.runs, args.seed)
    elapsed = time.perf_counter() - start
    model, record = total(counts, TARGETS["rule_escalation_cost"][0])
    print(f"rules replay: {args.runs} runs, seed {args.seed} ({elapsed:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f}); escalations a run {model:.2f}, record {record}")
    print(counts.frame().to_string(index=False))
    if not args.no_docs:
        command = f"python scripts/rules_replay.py --runs {args.runs} --seed {args.seed}"
        refresh_doc({"rules_replay": table_markdown(counts, command)})
        print("docs/VALIDATION.md: rules_replay table rewritten")


if __name__ == "__main__":
    main()
