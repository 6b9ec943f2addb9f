"""A red line crossed: how often Tokyo answers within six months, against the base run.

Runs a what-if (default: the Supreme Court orders seized assets sold, scenarios/
liquidation-order.yaml) and its base with the same seed, and prints the share of runs in which
Tokyo imposes countermeasures (export controls or the white list) or suspends shuttle
diplomacy within six months of the event, with the rule's basis: the retaliation pull
w_retaliation x (liquidation stage / 3 - rule_retaliation_threshold), less the escalation cost.

Run: nice -n 10 .venv/bin/python bench/red_line.py [--runs 1000] [--seed 0] [--within 6]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.analysis.escalation import find_red_line, red_line_responses  # noqa: E402
from model.catalogue import load_catalogue  # noqa: E402
from model.scenario import load_scenario  # noqa: E402


def main() -> None:
    """Print the response distribution of one red-line what-if."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--what-if", default=str(ROOT / "scenarios" / "liquidation-order.yaml"))
    parser.add_argument("--base", default=str(ROOT / "scenarios" / "baseline-2026.yaml"))
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--within", type=int, default=6)
    parser.add_argument("--event", default="liquidation_order", help="the red line's event type")
    args = parser.parse_args()
    what_if, base = load_scenario(args.what_if), load_scenario(args.base)
    month = next(e.month for e in what_if.events if e.type == args.event)  # the red line's month
    start = time.perf_counter()
    df = red_line_responses(what_if, base, month, args.within, args.runs, args.seed)
    elapsed = time.perf_counter() - start
    print(f"{what_if.id} ({args.event}, {month}) against {base.id}: {args.runs} runs, "
          f"seed {args.seed} ({elapsed:.1f} s; load average {os.getloadavg()[0]:.2f})")
    line, _ = find_red_line(what_if)
    for r in df.itertuples():
        who = line.responder if r.response == "countermeasures" else "either capital"
        print(f"{r.response} ({who}) within {args.within} months in {100 * r.what_if:.1f}% of runs "
              f"(base {100 * r.base:.1f}%, difference {100 * r.difference:+.1f} points)")
    c = load_catalogue().coefficients
    print("basis: " + "; ".join(f"{k} = {c[k].value:g} ({c[k].source})" for k in line.basis))


if __name__ == "__main__":
    main()
