"""How long the Explore page takes to redraw when the user changes an assumption.

Prints, for a 200-run ensemble of the baseline scenario (override with --runs / --scenario):
- the ensemble itself, as the page runs it (ledger on, summaries for the charts);
- a whole page rerun after a changed assumption (a new ensemble: a cache miss), through
  Streamlit's AppTest, which executes the page script exactly as the server does (the browser's
  own drawing is not included);
- a whole page rerun after changing the assumption back (the ensemble comes from the store).

Each figure is the median of --repeat changes, each to a value not seen before in the process.
Run: .venv/bin/python bench/explore_redraw.py [--runs 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from model.catalogue import load_catalogue
from model.scenario import load_scenario, shipped_scenarios
from ui import widgets

PAGE = Path(__file__).resolve().parents[1] / "ui" / "views" / "explore.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline-2026")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    scenario = load_scenario(shipped_scenarios()[args.scenario])
    months = len(scenario.months)
    cat = load_catalogue()
    # A coefficient the user might move; each repeat sets a value not used before.
    cid, coef = next((c, v) for c, v in cat.coefficients.items() if v.group == "rate")
    low, high = coef.range
    values = [low + (high - low) * (i + 1) / (2 * args.repeat + 2) for i in range(2 * args.repeat)]

    ensemble_times = []
    for i in range(args.repeat):
        text = scenario.model_copy(update={"parameters": {cid: values[i]}}).to_yaml()
        start = time.perf_counter()
        widgets._run(text, args.runs, 7, progress=None, ledger=False)
        ensemble_times.append(time.perf_counter() - start)

    at = AppTest.from_file(str(PAGE), default_timeout=600)
    at.query_params["scenario"] = args.scenario
    at.query_params["runs"] = str(args.runs)
    at.run()  # opened from a link: runs at once
    if at.exception:
        raise SystemExit(f"the page failed: {at.exception[0].value}")
    field = f"explore_field|{args.scenario}|parameters.{cid}"
    miss, hit = [], []
    for i in range(args.repeat):
        value = values[args.repeat + i]
        start = time.perf_counter()
        at.number_input(key=field).set_value(value).run()
        miss.append(time.perf_counter() - start)
        assert "already simulated" not in at.success[0].value, "expected a new ensemble"
        start = time.perf_counter()
        at.number_input(key=field).set_value(coef.value).run()
        hit.append(time.perf_counter() - start)
        assert "already simulated" in at.success[0].value, "expected the stored ensemble"

    def show(name: str, xs: list[float]) -> None:
        print(f"{name:<58} median {statistics.median(xs):.2f} s  (min {min(xs):.2f}, max {max(xs):.2f})")

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Explore redraw, {args.scenario}: {args.runs} runs x {months} months, {args.repeat} changes of {cid}")
    print(f"(machine: {os.cpu_count()} cores, load average {load} at the end)")
    show("ensemble as the page runs it (summaries, no ledger)", ensemble_times)
    show("page rerun after a changed assumption (new ensemble)", miss)
    show("page rerun after changing it back (from the store)", hit)


if __name__ == "__main__":
    main()
