"""How often the baseline's governments escalate, per run-year, against the record of 2012-2025.

Runs the shipped baseline (rules on) as one ensemble and prints, per escalation, the
occurrences per run-year beside the record's rate (one of each in 14 years, about 0.07), and
the share of runs with Japan's export controls in force and GSOMIA suspended at the end.

Run: nice -n 10 .venv/bin/python bench/escalation_rates.py [--runs 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.analysis.escalation import escalation_rates  # noqa: E402
from model.scenario import load_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline-2026.yaml"))
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    start = time.perf_counter()
    rates = escalation_rates(scenario, runs=args.runs, seed=args.seed)
    elapsed = time.perf_counter() - start
    print(f"{scenario.id}: {rates.runs} runs x {rates.years:g} years, seed {args.seed} "
          f"({elapsed:.1f} s; load average {os.getloadavg()[0]:.2f})")
    print(rates.frame().to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    for name, share in rates.at_end.items():
        print(f"share of runs with {name} = {'in force' if name != 'gsomia' else 'suspended'} "
              f"at {scenario.end}: {share:.3f}")


if __name__ == "__main__":
    main()
