"""``rapprochement sensitivity``: which assumptions move the relationship and the publics.

Writes the indices as a table (CSV or Parquet by the suffix of ``--out``) or prints a ranking.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.cli import UserError, seed
from model.i18n import current_language, month_text, tr

TOP = 10  # rows of the printed ranking per output


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sensitivity`` command."""
    from model.analysis.sensitivity import OUTPUTS

    p = subparsers.add_parser("sensitivity", help=tr("cli.help.sensitivity"))
    p.add_argument("scenario", help=tr("cli.help.scenario_file"))
    p.add_argument("--method", choices=["morris", "sobol"], default="morris", help=tr("cli.help.method"))
    p.add_argument("--params", nargs="+", metavar="NAME", help=tr("cli.help.params"))
    p.add_argument("--samples", type=int, help=tr("cli.help.samples"))
    p.add_argument("--replicates", type=int, default=10, help=tr("cli.help.replicates", default=10))
    p.add_argument("--outputs", nargs="+", metavar="VARIABLE", help=tr("cli.help.outputs", default=" ".join(OUTPUTS)))
    p.add_argument("--seed", type=seed, default=0, help=tr("cli.help.seed", default=0))
    p.add_argument("--out", help=tr("cli.help.sensitivity_out"))
    p.add_argument("--backend", default="local", choices=["local", "processes", "dask"], help=tr("cli.help.backend"))
    p.add_argument("--scheduler", help=tr("cli.help.scheduler"))
    p.set_defaults(handler=cmd_sensitivity)


def _check_out(out: Path | None) -> None:
    if out is None:
        return
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise UserError(tr("sensitivity.bad_out", path=out))
    if not out.parent.exists():
        raise UserError(tr("sensitivity.no_dir", path=out.parent))


def ranking_text(table, scenario, method: str, points: int, replicates: int) -> str:  # noqa: ANN001
    """The indices as a readable ranking: the top assumptions for each output."""
    value, conf, spread = ("mu_star", "mu_star_conf", "sigma") if method == "morris" else ("ST", "ST_conf", "S1")
    lines = []
    for output, rows in table.groupby("output", sort=False):
        lines.append(
            tr(
                "sensitivity.heading",
                output=tr(f"variable.{output}"),
                month=month_text(scenario.months[-1], current_language()),
                method=method,
                points=points,
                replicates=replicates,
            )
        )
        width = max(len(p) for p in rows.parameter.head(TOP))
        lines.append(f"  {'':3} {'':{width}}  {value:>8} {'+/-':>7} {spread:>8}")
        for row in rows.head(TOP).itertuples():
            lines.append(
                f"  {row.rank:>3} {row.parameter:<{width}}  {getattr(row, value):8.3f} "
                f"{getattr(row, conf):7.3f} {getattr(row, spread):8.3f}"
            )
        lines.append("")
    return "\n".join(lines)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Run the analysis and write or print the indices."""
    from model.analysis.sensitivity import OUTPUTS, SensitivityError, run_sensitivity
    from model.backends import BackendError
    from model.cli.run import _progress_bar
    from model.scenario import load_scenario

    scenario = load_scenario(args.scenario)  # its problems: model.cli._run
    if args.samples is not None and args.samples < 2:  # 0 read as "not given": the default design ran
        raise UserError(tr("sensitivity.bad_sizes"))
    out = Path(args.out) if args.out else None
    _check_out(out)
    params = [p for item in args.params or [] for p in item.split(",") if p.strip()]
    outputs = [o for item in args.outputs or [] for o in item.split(",") if o.strip()]
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or _progress_bar(total)
        bar(done, total)

    try:
        table = run_sensitivity(
            scenario,
            args.method,
            params or None,
            samples=args.samples,
            replicates=args.replicates,
            seed=args.seed,
            outputs=tuple(outputs) or OUTPUTS,
            backend=args.backend,
            scheduler=args.scheduler,
            progress=progress,
        )
    except (SensitivityError, BackendError) as exc:
        raise UserError(str(exc)) from None
    points = table.attrs["points"]
    if out is None:
        print(ranking_text(table, scenario, args.method, points, args.replicates))
        return 0
    if out.suffix.lower() == ".parquet":
        table.to_parquet(out, index=False)
    else:
        table.to_csv(out, index=False, float_format="%.6g", lineterminator="\n")
    print(tr("sensitivity.wrote", rows=len(table), path=out), file=sys.stderr)
    return 0
