"""Ensemble speed against the plainest Mesa model, whole processes timed on this machine.

What it measures (issue 4), all in one invocation so both sides see the same machine:

1. The plain Mesa reference (``bench/plain_mesa.py``: 5 agents, 3 DataCollector reporters, one
   model object per run, 1,000 runs of 120 monthly steps, table written to Parquet), timed as a
   whole process from interpreter start to exit, with its peak RSS.
2. ``rapprochement run SCENARIO --runs 10000 --out x.parquet``, timed the same way, with the
   default parameter uncertainty (each run draws the calibrated coefficients from the posterior).
   Both costs per run-month, their ratio (the goal is at most 0.5), runs per second, peak RSS.
   The two commands alternate ``--repeat`` times and the fastest of each counts (the machine is
   shared: the minimum is the least disturbed measurement); the median is printed too.
3. The project's own model run one run per model object (``RelationsModel(sc, runs=1, ...)`` in
   a loop): timed in this process on a subset of runs and scaled to the ensemble's size; the
   speed-up of the vectorised command over it.
4. A 200-run ensemble through ``run_ensemble`` (the function the app calls), in this process:
   the first call and the median of the next calls.
5. 100,000 runs streamed to Parquet by the command (chunks, progress bar on stderr), with its
   peak RSS next to the 10,000-run command's, to show that memory stays bounded.

Run: ``.venv/bin/python bench/run_benchmark.py`` (``--help`` for sizes; ``--skip-large`` drops
step 5). Wall clock is ``time.perf_counter`` around ``subprocess.Popen`` .. ``os.wait4``; peak
RSS is the child's ``ru_maxrss`` from ``os.wait4`` (it covers the child's own children too).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ProcessCost:
    """Wall time and peak memory of one whole child process."""

    seconds: float
    peak_rss_mb: float


def time_process(cmd: list[str]) -> ProcessCost:
    """Run ``cmd`` to completion; return its wall time and peak RSS (stdout/stderr discarded).

    Raises:
        RuntimeError: The command failed (its stderr tail is in the message).
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{tail}")
    return ProcessCost(seconds, usage.ru_maxrss / 1024)  # Linux reports kB


def best(costs: list[ProcessCost]) -> tuple[ProcessCost, float]:
    """The fastest measurement and the median seconds."""
    return min(costs, key=lambda c: c.seconds), statistics.median(c.seconds for c in costs)


def rapprochement_cmd() -> list[str]:
    """The installed console script next to this interpreter, else the CLI through python."""
    script = Path(sys.executable).with_name("rapprochement")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from model.cli import main; sys.exit(main())"]


def one_run_per_object(scenario_path: str, runs: int, seed: int) -> float:
    """Seconds to simulate ``runs`` runs as separate ``RelationsModel(runs=1)`` objects."""
    from model.model import RelationsModel
    from model.scenario import load_scenario

    scenario = load_scenario(ROOT / scenario_path)
    start = time.perf_counter()
    for run in range(runs):
        RelationsModel(scenario, runs=1, seed=seed, run_offset=run, ledger=False).run()
    return time.perf_counter() - start


def interactive_ensemble(scenario_path: str, runs: int, repeats: int, ledger: bool = False) -> tuple[float, float]:
    """First-call and median warm seconds of ``run_ensemble(scenario, runs)`` in this process."""
    from model.ensemble import run_ensemble
    from model.scenario import load_scenario

    scenario = load_scenario(ROOT / scenario_path)
    times = []
    for repeat in range(repeats + 1):
        start = time.perf_counter()
        run_ensemble(scenario, runs=runs, seed=repeat, ledger=ledger)
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def machine() -> str:
    """One line saying where the figures come from."""
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import mesa

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {len(os.sched_getaffinity(0))} CPUs usable, load average {load:.1f} at start, "
        f"Python {platform.python_version()}, Mesa {mesa.__version__}"
    )


def compare_with_plain_mesa(args: argparse.Namespace, tmp: Path) -> ProcessCost:
    """Steps 1 and 2: both whole commands, alternated; print costs, ratio, rates, memory."""
    from model.scenario import load_scenario

    months = len(load_scenario(ROOT / args.scenario).months)  # one step() per month
    plain_cmd = [
        sys.executable,
        str(ROOT / "bench" / "plain_mesa.py"),
        "--runs",
        str(args.mesa_runs),
        "--steps",
        str(args.mesa_steps),
        "--out",
        str(tmp / "plain.parquet"),
    ]
    ours_cmd = [
        *rapprochement_cmd(),
        "run",
        args.scenario,
        "--runs",
        str(args.runs),
        "--out",
        str(tmp / "x.parquet"),
    ]
    plains, ours_all = [], []
    for _ in range(args.repeat):
        plains.append(time_process(plain_cmd))
        ours_all.append(time_process(ours_cmd))
    plain, plain_median = best(plains)
    ours, ours_median = best(ours_all)

    plain_rm = args.mesa_runs * args.mesa_steps
    ours_rm = args.runs * months
    plain_us = plain.seconds / plain_rm * 1e6
    ours_us = ours.seconds / ours_rm * 1e6
    print(
        f"\nplain Mesa: python bench/plain_mesa.py --runs {args.mesa_runs} "
        f"--steps {args.mesa_steps} --out plain.parquet   (best of {args.repeat})"
    )
    print(
        f"  {plain.seconds:.2f} s whole process (median {plain_median:.2f}), {plain_rm:,} "
        f"run-months, {plain_us:.2f} us per run-month, {args.mesa_runs / plain.seconds:,.0f} "
        f"runs/s, peak RSS {plain.peak_rss_mb:.0f} MB"
    )
    print(
        f"rapprochement run {args.scenario} --runs {args.runs} --out x.parquet   (best of {args.repeat}; "
        "posterior draws on: each run draws the calibrated coefficients, the default)"
    )
    print(
        f"  {ours.seconds:.2f} s whole process (median {ours_median:.2f}), {args.runs:,} runs x "
        f"{months} months = {ours_rm:,} run-months, {ours_us:.2f} us per run-month, "
        f"{args.runs / ours.seconds:,.0f} runs/s, peak RSS {ours.peak_rss_mb:.0f} MB"
    )
    ratio = ours_us / plain_us
    median_ratio = (ours_median / ours_rm) / (plain_median / plain_rm)
    verdict = "meets" if ratio <= 0.5 else "MISSES"
    print(
        f"  cost per run-month relative to plain Mesa: {ratio:.3f} (medians: {median_ratio:.3f}); "
        f"{verdict} the goal of <= 0.5"
    )

    loop_s = one_run_per_object(args.scenario, args.subset, seed=1)
    scaled = loop_s / args.subset * args.runs
    print(
        f"\none run per model object: {args.subset} x RelationsModel(sc, runs=1).run() in "
        f"{loop_s:.2f} s (in this process: simulation only, no table, no imports)"
    )
    print(
        f"  {loop_s / (args.subset * months) * 1e6:.1f} us per run-month; scaled to "
        f"{args.runs:,} runs: {scaled:.0f} s, so the whole vectorised command is "
        f"{scaled / ours.seconds:.0f}x faster"
    )
    return ours


def main(argv: list[str] | None = None) -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/baseline-2026.yaml")
    parser.add_argument("--runs", type=int, default=10_000, help="runs of the project command")
    parser.add_argument("--mesa-runs", type=int, default=1_000)
    parser.add_argument("--mesa-steps", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3, help="alternations of the two commands")
    parser.add_argument("--subset", type=int, default=30, help="runs of the one-per-object loop")
    parser.add_argument("--interactive-runs", type=int, default=200)
    parser.add_argument("--large-runs", type=int, default=100_000)
    parser.add_argument("--skip-large", action="store_true", help="skip the 100,000-run stream")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="rapprochement-bench-"))
    try:
        ours = compare_with_plain_mesa(args, tmp)

        print()
        for ledger in (False, True):
            first, warm = interactive_ensemble(args.scenario, args.interactive_runs, 5, ledger)
            print(
                f"run_ensemble(sc, runs={args.interactive_runs}, ledger={ledger}) in this "
                f"process: first call {first * 1000:.0f} ms, then median {warm * 1000:.0f} ms"
            )

        if not args.skip_large:
            large_cmd = [
                *rapprochement_cmd(),
                "run",
                args.scenario,
                "--runs",
                str(args.large_runs),
                "--out",
                str(tmp / "large.parquet"),
            ]
            large = time_process(large_cmd)
            size_mb = (tmp / "large.parquet").stat().st_size / 1e6
            print(f"\nrapprochement run {args.scenario} --runs {args.large_runs} --out large.parquet")
            print(
                f"  {large.seconds:.1f} s, {args.large_runs / large.seconds:,.0f} runs/s, peak "
                f"RSS {large.peak_rss_mb:.0f} MB (10,000 runs: {ours.peak_rss_mb:.0f} MB), "
                f"file {size_mb:.0f} MB"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
