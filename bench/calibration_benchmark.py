"""How long the calibration takes: ABC-SMC (pyabc) over the replay, vectorised, on this machine.

Runs ``rapprochement calibrate`` at the given settings as a whole process into a temporary
folder (the shipped posterior is not touched), with a fresh pyabc history (no resume), and
prints the wall time, the simulations made, simulations per second and the machine's load.
The issue-10 figure is at the command's defaults (population 400, 8 generations):

    nice -n 10 .venv/bin/python bench/calibration_benchmark.py
    .venv/bin/python bench/calibration_benchmark.py --population 100 --generations 3   # quicker
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=400)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--structure", default=None)
    parser.add_argument("--seed", type=int, default=2012)
    args = parser.parse_args(argv)
    exe = Path(sys.executable).with_name("rapprochement")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(exe), "calibrate", "scenarios/history-2012-2025.yaml", "--population", str(args.population),
               "--generations", str(args.generations), "--seed", str(args.seed), "--out-dir", tmp,
               "--db-dir", str(Path(tmp) / "db"), "--no-resume"]
        if args.structure:
            cmd += ["--structure", args.structure]
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - start
        load_after = os.getloadavg()[0]
    found = re.search(r"from (\d+) simulations", done.stdout)
    sims = int(found.group(1)) if found else 0
    print(" ".join(cmd[1:]).replace(tmp, "TMP"))
    print(f"  {seconds:.1f} s whole process, {sims:,} simulations of 2012-2019 (96 months), "
          f"{sims / seconds:,.0f} simulations/s; load average {load_before:.2f} before, {load_after:.2f} after")
    print(done.stdout.splitlines()[0] if done.stdout else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
