"""``rapprochement calibrate``: fit the calibratable coefficients to the polls and visitors up to 2019."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from model.cli import UserError
from model.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` subcommand."""
    p = subparsers.add_parser(
        "calibrate",
        help="fit the calibratable coefficients to the polls and visitor counts up to 2019 (history replay)",
        description=(
            "Calibrate the coefficients marked 'calibrate: true' in the catalogue to the Genron "
            "NPO/EAI and Cabinet Office polls whose fieldwork ends by --until (never 2020 or "
            "later) and to the JNTO/KTO visitor totals of 2013-2018: Sobol design, then "
            "bounded Nelder-Mead on the ensemble-median error with "
            "a fixed seed, then a profile of each coefficient. Writes the values, ranges, "
            "method, date and training error to model/catalogue/calibrated.yaml (or --out)."
        ),
    )
    p.add_argument("scenario", help="the replay scenario, e.g. scenarios/history-2012-2025.yaml")
    p.add_argument("--until", default="2019-12", help="last training month (before 2020-01)")
    p.add_argument("--runs", type=int, default=48, help="runs per evaluation (default 48)")
    p.add_argument("--seed", type=int, default=2012, help="root seed, the same at every evaluation")
    p.add_argument("--design", type=int, default=256, help="Sobol design points (default 256)")
    p.add_argument("--refine", type=int, default=300, help="Nelder-Mead evaluations (default 300)")
    p.add_argument("--profile-points", type=int, default=9, help="profile grid per coefficient (default 9)")
    p.add_argument("--out", default=None, help="output YAML (default model/catalogue/calibrated.yaml)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(handler=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the calibration and write its result."""
    from model.analysis import calibration as cal
    from model.analysis.calibration import NoCoefficients
    from model.analysis.polls import HOLDOUT_START, HoldoutError
    from model.scenario import ScenarioError

    if args.runs < 4:
        raise UserError(tr("history.error.runs"))
    if args.design < 0 or args.refine < 0 or args.profile_points < 2:
        raise UserError(tr("history.error.budget"))
    out = Path(args.out) if args.out else cal.CALIBRATED_FILE
    if not out.parent.exists():
        raise UserError(tr("history.error.no_dir", path=out.parent))
    try:
        problem = cal.make_problem(args.scenario, until=args.until, runs=args.runs, seed=args.seed)
    except ScenarioError as exc:
        for problem_line in exc.problems:
            print(problem_line, file=sys.stderr)
        return 1
    except HoldoutError:
        raise UserError(tr("history.error.holdout", until=args.until, start=HOLDOUT_START)) from None
    except NoCoefficients:
        raise UserError(tr("history.error.nothing")) from None
    progress = None if args.quiet else cal.stderr_progress
    print(
        f"calibrating {', '.join(problem.ids)} on {len(problem.targets)} poll waves "
        f"to {args.until} ({args.runs} runs per evaluation, seed {args.seed})",
        file=sys.stderr,
    )
    result = cal.calibrate(problem, args.design, args.refine, args.profile_points, progress)
    command = (
        f"rapprochement calibrate {shlex.quote(args.scenario)} --until {args.until} "
        f"--runs {args.runs} --seed {args.seed} --design {args.design} --refine {args.refine} "
        f"--profile-points {args.profile_points}"
    )
    doc = cal.result_document(problem, result, command, args.design, args.refine)
    path = cal.write_result(doc, out)
    print(f"training loss {result.loss:.2f} (prior {result.prior_loss:.2f}); wrote {path}")
    from model.analysis.polls import VISITOR_PERCENT_PER_POINT, VISITOR_TARGETS

    for key, value in result.parts.items():
        unit = f" ({value * VISITOR_PERCENT_PER_POINT:.1f}% of the visitors)" if key in VISITOR_TARGETS else ""
        print(f"  {key}: RMSE of the median {value:.2f} points{unit}")
    for cid, prof in result.profiles.items():
        state = "pinned" if prof["pinned"] else "loose"
        print(f"  {cid} = {result.values[cid]:.4g}  ({state}: loss rises {prof['rise']:.2f})")
    return 0
