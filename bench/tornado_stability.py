"""Is the explorer's tornado worth believing? Its top five at four seeds, per scenario and output.

Runs ``model.analysis.sensitivity.tornado`` (one-at-a-time swings, common random numbers) at
seeds 0, 1, 2 and 7 for each shipped what-if and prints, per scenario and output, the top five
at each seed, whether they agree as a set, the smallest gap between the 5th and the 6th bar
against their intervals (a tie that no seed can settle shows here), and the time per analysis.

Run: nice -n 10 .venv/bin/python bench/tornado_stability.py [--replicates 100] [--outputs ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.analysis.sensitivity import OUTPUTS, SWING_REPLICATES, tornado  # noqa: E402
from model.scenario import load_scenario, shipped_scenarios  # noqa: E402

SEEDS = (0, 1, 2, 7)
SCENARIOS = (
    "liquidation-order",
    "washington-steps-back",
    "nk-seventh-nuclear-test",
    "seoul-camp-change",
    "baseline-2026",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=SWING_REPLICATES)
    parser.add_argument("--outputs", nargs="*", default=list(OUTPUTS))
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    paths = shipped_scenarios()
    agreed = total = 0
    for sid in args.scenarios:
        scenario = load_scenario(paths[sid])
        tables = {}
        seconds = []
        for seed in SEEDS:
            start = time.perf_counter()
            # the tornado reads one output, so each output is its own analysis, as in the explorer
            tables[seed] = {out: tornado(scenario, out, replicates=args.replicates, seed=seed, top=6)
                            for out in args.outputs}
            seconds.append((time.perf_counter() - start) / len(args.outputs))
        for out in args.outputs:
            tops = {seed: list(tables[seed][out].parameter[:5]) for seed in SEEDS}
            same = len({frozenset(t) for t in tops.values()}) == 1
            agreed += same
            total += 1
            t = tables[SEEDS[0]][out]
            gap = abs(t.swing.iloc[4]) - abs(t.swing.iloc[5])
            half = max(t.swing_hi.iloc[4] - t.swing.iloc[4], t.swing_hi.iloc[5] - t.swing.iloc[5])
            print(f"{sid:<26} {out:<20} top five {'agree' if same else 'DIFFER'}; "
                  f"5th-6th gap {gap:.2f} points, interval half-width {half:.2f}")
            for seed in SEEDS:
                print(f"    seed {seed}: {', '.join(tops[seed])}")
        print(f"  {sid}: {sum(seconds) / len(seconds):.1f} s per analysis "
              f"({tables[SEEDS[0]][args.outputs[0]].attrs['runs']} runs)", flush=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"top five agree at seeds {SEEDS} for {agreed} of {total} (scenario, output) pairs; "
          f"{args.replicates} runs per setting; {os.cpu_count()} cores, load {load}")


if __name__ == "__main__":
    main()
