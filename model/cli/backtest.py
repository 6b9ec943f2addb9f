"""``rapprochement backtest``: calibrate up to each origin, forecast the later years, score against baselines."""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import time
from contextlib import ExitStack
from pathlib import Path

from model.cli import MONTH, UserError, open_backend, relay, seed
from model.cli.calibrate import require_replay
from model.i18n import current_language, month_text, tr


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``backtest`` subcommand."""
    from model.analysis.backtest import DEFAULT_ORIGINS
    from model.analysis.calibration import DEFAULT_STRUCTURE, STRUCTURES

    p = subparsers.add_parser(
        "backtest",
        help=tr("cli.help.backtest"),
        description=tr("cli.help.backtest_description", out="model/validation/backtest.json", doc="docs/VALIDATION.md"),
    )
    p.add_argument("scenario", help=tr("cli.help.replay_scenario", path="scenarios/history-2012-2025.yaml"))
    p.add_argument("--origins", default=",".join(DEFAULT_ORIGINS),
                   help=tr("cli.help.origins", default=",".join(DEFAULT_ORIGINS)))
    p.add_argument("--structure", default=DEFAULT_STRUCTURE, choices=sorted(STRUCTURES),
                   help=tr("cli.help.structure", default=DEFAULT_STRUCTURE))
    p.add_argument("--quick", action="store_true", help=tr("cli.help.quick"))
    p.add_argument("--population", type=int, default=None, help=tr("cli.help.population"))
    p.add_argument("--generations", type=int, default=None, help=tr("cli.help.generations"))
    p.add_argument("--runs", type=int, default=None, help=tr("cli.help.forecast_runs"))
    p.add_argument("--seed", type=seed, default=2012, help=tr("cli.help.seed", default=2012))
    p.add_argument("--backend", default="local", choices=["local", "processes", "dask"], help=tr("cli.help.backend"))
    p.add_argument("--scheduler", help=tr("cli.help.scheduler"))
    p.add_argument("--out", default=None, help=tr("cli.help.backtest_out", default="model/validation/backtest.json"))
    p.add_argument("--no-docs", action="store_true", help=tr("cli.help.no_docs"))
    p.add_argument("--alternatives", action="store_true", help=tr("cli.help.alternatives"))
    p.add_argument("--quiet", action="store_true", help=tr("cli.help.quiet"))
    p.set_defaults(handler=cmd_backtest)


def _origins(text: str) -> list[str]:
    from model.analysis.polls import HOLDOUT_START

    origins = [o.strip() for o in text.split(",") if o.strip()]
    if not origins:
        raise UserError(tr("cli.backtest.origins_empty"))
    for o in origins:
        if not MONTH.match(o):
            raise UserError(tr("cli.backtest.origins_month", origin=o))
        if o >= "2019-06" or o < "2013-06":
            raise UserError(tr("cli.backtest.origins_range", origin=o, holdout=HOLDOUT_START))
    return origins


def verdict_text(verdict) -> str:  # noqa: ANN001 - a pandas DataFrame
    """The verdict per origin as a table for the terminal: headers and yes/no in the user's language.

    The same column names as the Model & data page's table (``modeldata.trustcol_*``).
    """
    import pandas as pd

    shown = verdict.round(2)
    shown["origin"] = [month_text(o, current_language()) for o in shown["origin"]]
    for column in shown.columns:
        if shown[column].dtype == bool:
            shown[column] = [tr("charts.yes" if v else "charts.no") for v in shown[column]]
    shown = shown.rename(columns={c: tr(f"modeldata.trustcol_{c}") for c in shown.columns})
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 10_000):
        return shown.to_string(index=False)


def cmd_backtest(args: argparse.Namespace) -> int:
    """Run the backtest, print the verdict per origin, write scores and docs."""
    from model.analysis import backtest as bt
    from model.analysis import backtest_report as report
    from model.analysis.calibration import STRUCTURES, data_hash, load_replay

    origins = _origins(args.origins)
    settings = bt.Settings.quick() if args.quick else bt.Settings()
    overrides = {k: getattr(args, k) for k in ("population", "generations", "runs") if getattr(args, k) is not None}
    if any(v < 4 for v in overrides.values()):
        raise UserError(tr("cli.backtest.budget"))
    settings = bt.Settings(**(settings.__dict__ | overrides))
    scenario = load_replay(args.scenario)  # its problems: model.cli._run
    require_replay(args.scenario, [t for o in origins for part in bt.split_targets(o) for t in part])
    if args.quick and args.out is None:
        raise UserError(tr("cli.backtest.quick_out"))
    out = Path(args.out) if args.out else bt.RESULTS_FILE
    if not out.parent.exists():
        raise UserError(tr("cli.no_dir", path=out.parent))
    progress = None if args.quiet else relay
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
    print(verdict_text(report.verdict_table(scores)))
    print(tr("cli.backtest.wrote", path=out))
    if not args.quick and not args.no_docs:
        report.record_variants(scores, provenance)
        report.draw_chart(scores)
        report.refresh_doc(report.blocks(scores, provenance))
        print(tr("cli.backtest.updated", doc=report.DOC, chart=report.CHART))
    return 0
