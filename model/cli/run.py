"""``rapprochement run`` and ``validate``: the core commands (``app`` is in :mod:`model.cli.app`)."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

from model.cli import UserError, open_backend, problem_line, seed
from model.i18n import tr
from model.scenario import ScenarioError, load_scenario


def _progress_bar(total: int):
    """A tqdm bar on stderr for long runs (silent when stderr is not a terminal and runs are few)."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit=tr("cli.progress.unit"), file=sys.stderr, disable=None, leave=False)

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)
        if done >= _total:
            bar.close()

    return update


def cmd_run(args: argparse.Namespace) -> int:
    """Run an ensemble and write the tidy table (run, month, variable, value)."""
    from model.ensemble import iter_chunks, tidy, write_table

    scenario = load_scenario(args.scenario)  # its problems: model.cli._run
    if args.runs < 1:
        raise UserError(tr("cli.runs_min"))
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise UserError(tr("cli.out_suffix", path=out))
    if out is not None and not out.parent.exists():
        raise UserError(tr("cli.no_dir", path=out.parent))
    uncertainty = "point" if args.point_estimate else "posterior"
    with ExitStack() as stack:
        executor = open_backend(stack, args)
        if out is None:
            header = True
            for chunk in iter_chunks(scenario, args.runs, args.seed, executor=executor, uncertainty=uncertainty):
                tidy(chunk.values, scenario.months, chunk.first).to_csv(
                    sys.stdout, index=False, header=header, float_format="%.4f", lineterminator="\n"
                )
                header = False
        else:
            write_table(
                out, scenario, args.runs, args.seed, executor=executor,
                progress=_progress_bar(args.runs), uncertainty=uncertainty,
            )
    if out is not None:
        print(tr("cli.wrote", runs=args.runs, months=len(scenario.months), path=out), file=sys.stderr)
        print(tr("cli.wrote_point" if args.point_estimate else "cli.wrote_posterior"), file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check scenario files (and a catalogue folder with ``--catalogue``); print one line per problem."""
    from model.catalogue import CatalogueError, read_catalogue

    bad = 0
    if args.catalogue and not Path(args.catalogue).is_dir():  # else one "no such file" per catalogue file
        raise UserError(tr("cli.no_dir", path=args.catalogue))
    if args.catalogue:
        try:
            cat = read_catalogue(args.catalogue)
        except CatalogueError as exc:
            bad += 1
            for problem in exc.problems:
                print(problem_line(problem), file=sys.stderr)
        else:
            print(tr("cli.validate_catalogue_ok", path=args.catalogue, events=len(cat.events),
                     decisions=len(cat.decisions), coefficients=len(cat.coefficients), pulls=len(cat.pulls)))
    if not args.scenarios and not args.catalogue:
        raise UserError(tr("cli.validate_nothing"))
    for path in args.scenarios:
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            bad += 1
            for problem in exc.problems:
                print(problem_line(problem), file=sys.stderr)
            continue
        print(tr("cli.validate_ok", path=path, id=sc.id, start=sc.start, end=sc.end,
                 events=len(sc.events), decisions=len(sc.decisions)))
    return 1 if bad else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add run and validate."""
    p = subparsers.add_parser("run", help=tr("cli.help.run"))
    p.add_argument("scenario", help=tr("cli.help.scenario_file"))
    p.add_argument("--runs", type=int, default=100, help=tr("cli.help.runs", default=100))
    p.add_argument("--seed", type=seed, default=0, help=tr("cli.help.seed", default=0))
    p.add_argument("--out", help=tr("cli.help.out"))
    p.add_argument("--backend", default="local", choices=["local", "processes", "dask"],
                   help=tr("cli.help.backend"))
    p.add_argument("--scheduler", help=tr("cli.help.run_scheduler"))
    p.add_argument("--point-estimate", action="store_true", help=tr("cli.help.point_estimate"))
    p.set_defaults(handler=cmd_run)

    v = subparsers.add_parser("validate", help=tr("cli.help.validate"))
    v.add_argument("scenarios", nargs="*", metavar="SCENARIO")
    v.add_argument("--catalogue", metavar="FOLDER", help=tr("cli.help.validate_catalogue"))
    v.set_defaults(handler=cmd_validate)

