"""``rapprochement backtest``: calibrate up to each origin, forecast the later years, score against baselines."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shlex
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from model.cli import UserError, open_backend

_ORIGIN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``backtest`` subcommand."""
    from model.analysis.backtest import DEFAULT_ORIGINS
    from model.analysis.calibration import DEFAULT_STRUCTURE, STRUCTURES

    p = subparsers.add_parser(
        "backtest",
        help="score out-of-sample forecasts of the polls against persistence and AR(1)",
        description=(
            "For each origin: calibrate (ABC-SMC) on the polls and visitor totals up to it, forecast "
            "the later waves up to 2019 from the events alone with posterior draws, and score the "
            "forecasts and two baselines fitted on the same years (persistence; AR(1) toward the "
            "training mean) on level MAE, direction of change, 50%% and 90%% band coverage and CRPS "
            "(scoringrules). Writes the scores (model/validation/backtest.json), the record of "
            "structures tried, and the tables and chart of docs/VALIDATION.md."
        ),
    )
    p.add_argument("scenario", help="the replay scenario, e.g. scenarios/history-2012-2025.yaml")
    p.add_argument("--origins", default=",".join(DEFAULT_ORIGINS),
                   help=f"comma-separated last training months (default {','.join(DEFAULT_ORIGINS)})")
    p.add_argument("--structure", default=DEFAULT_STRUCTURE, choices=sorted(STRUCTURES),
                   help=f"which coefficients are free (default {DEFAULT_STRUCTURE})")
    p.add_argument("--quick", action="store_true",
                   help="reduced setting for tests (tiny population, few runs); writes only --out, never the docs")
    p.add_argument("--population", type=int, default=None, help="ABC-SMC population per generation")
    p.add_argument("--generations", type=int, default=None, help="ABC-SMC generations")
    p.add_argument("--runs", type=int, default=None, help="forecast runs per origin")
    p.add_argument("--seed", type=int, default=2012, help="root seed")
    p.add_argument("--backend", default="local", choices=["local", "processes", "dask"],
                   help="where calibration batches are simulated (default local)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--out", default=None, help="scores as JSON (default model/validation/backtest.json)")
    p.add_argument("--no-docs", action="store_true", help="do not regenerate docs/VALIDATION.md and its chart")
    p.add_argument("--alternatives", action="store_true",
                   help="also score every other fading rule of the assimilation (same posterior)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(handler=cmd_backtest)


def _origins(text: str) -> list[str]:
    from model.analysis.polls import HOLDOUT_START

    origins = [o.strip() for o in text.split(",") if o.strip()]
    if not origins:
        raise UserError("--origins: give at least one month, e.g. 2015-12")
    for o in origins:
        if not _ORIGIN.match(o):
            raise UserError(f"--origins: {o!r} is not a month (YYYY-MM)")
        if o >= "2019-06" or o < "2013-06":
            raise UserError(
                f"--origins: {o} leaves no training or no test years (between 2013-06 and 2019-05; "
                f"polls from {HOLDOUT_START} on are held out)"
            )
    return origins


def cmd_backtest(args: argparse.Namespace) -> int:
    """Run the backtest, print the verdict per origin, write scores and docs."""
    from model.analysis import backtest as bt
    from model.analysis import backtest_report as report
    from model.analysis.calibration import STRUCTURES, data_hash, load_replay
    from model.scenario import ScenarioError

    origins = _origins(args.origins)
    settings = bt.Settings.quick() if args.quick else bt.Settings()
    overrides = {k: getattr(args, k) for k in ("population", "generations", "runs") if getattr(args, k) is not None}
    if any(v < 4 for v in overrides.values()):
        raise UserError("--population and --runs must be at least 4, --generations at least 1")
    settings = bt.Settings(**(settings.__dict__ | overrides))
    try:
        scenario = load_replay(args.scenario)
    except ScenarioError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 1
    if args.quick and args.out is None:
        raise UserError("--quick writes only to a file you name: give --out (the shipped results stay as they are)")
    out = Path(args.out) if args.out else bt.RESULTS_FILE
    if not out.parent.exists():
        raise UserError(f"{out.parent}: no such directory")
    progress = None if args.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    with ExitStack() as stack:
        executor = open_backend(stack, args)
        scores = bt.run_backtest(
            args.scenario, origins, args.structure, settings, args.seed, executor, progress,
            db_dir=None, alternatives=args.alternatives,
        )
    command = f"rapprochement backtest {shlex.quote(args.scenario)} --origins {','.join(origins)} " \
              f"--structure {args.structure} --seed {args.seed}" + (" --quick" if args.quick else "")
    if overrides:
        command += "".join(f" --{k} {v}" for k, v in overrides.items())
    provenance = {
        "date": dt.date.today().isoformat(),
        "command": command,
        "structure": args.structure,
        "description": STRUCTURES[args.structure].description,
        "origins": origins,
        "population": settings.population,
        "generations": settings.generations,
        "runs": settings.runs,
        "seed": args.seed,
        "seconds": round(time.perf_counter() - t0, 1),
        "data_sha256": data_hash(scenario),
    }
    bt.save_results(scores, out, provenance)
    verdict = report.verdict_table(scores)
    print(verdict.round(2).to_string(index=False))
    print(f"wrote {out}")
    if not args.quick and not args.no_docs:
        report.record_variants(scores, provenance)
        report.draw_chart(scores)
        report.refresh_doc(report.blocks(scores, provenance))
        print(f"updated {report.DOC} and {report.CHART}")
    return 0
