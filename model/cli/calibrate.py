"""``rapprochement calibrate``: a posterior of the publics' coefficients from the polls and visitors up to 2019."""

from __future__ import annotations

import argparse
import shlex
from contextlib import ExitStack
from pathlib import Path

from model.cli import MONTH, UserError, open_backend, relay, say, seed
from model.i18n import join_list, tr

REPLAY = "scenarios/history-2012-2025.yaml"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` subcommand."""
    from model.analysis.calibration import DEFAULT_STRUCTURE, STRUCTURES

    p = subparsers.add_parser(
        "calibrate", help=tr("cli.help.calibrate"), description=tr("cli.help.calibrate_description")
    )
    p.add_argument("scenario", help=tr("cli.help.replay_scenario", path=REPLAY))
    p.add_argument("--until", default="2019-12", help=tr("cli.help.until"))
    p.add_argument("--structure", default=DEFAULT_STRUCTURE, choices=sorted(STRUCTURES),
                   help=tr("cli.help.structure", default=DEFAULT_STRUCTURE))
    p.add_argument("--population", type=int, default=400, help=tr("cli.help.calibrate_population", default=400))
    p.add_argument("--generations", type=int, default=25, help=tr("cli.help.calibrate_generations", default=25))
    p.add_argument("--seed", type=seed, default=2012, help=tr("cli.help.calibrate_seed", default=2012))
    p.add_argument("--backend", default="local", choices=["local", "processes", "dask"], help=tr("cli.help.backend"))
    p.add_argument("--scheduler", help=tr("cli.help.scheduler"))
    p.add_argument("--db-dir", default="var/calibration", help=tr("cli.help.db_dir", default="var/calibration"))
    p.add_argument("--no-resume", action="store_true", help=tr("cli.help.no_resume"))
    p.add_argument("--out-dir", default=None, help=tr("cli.help.out_dir"))
    p.add_argument("--quiet", action="store_true", help=tr("cli.help.quiet"))
    p.set_defaults(handler=cmd_calibrate)


def require_replay(path: str, targets: list) -> None:
    """Refuse a scenario that does not run through the months of the polls and counts it is scored on.

    Why: the calibration reads the simulation at each target's fieldwork months; a scenario
    that starts later (the 2026 baseline) failed deep in the sampler with a ValueError, and no
    target at all (``--until 2012-01``) with a numpy AxisError.

    Raises:
        UserError: no targets, or months the scenario does not cover.
        ScenarioError: the file's own problems (printed by ``model.cli._run``).
    """
    from model.analysis.calibration import load_replay, training_targets

    if not targets:
        first = min(t.months[-1] for t in training_targets())
        raise UserError(tr("history.error.no_targets", first=first))
    months = set(load_replay(path).months)
    needed = sorted({m for t in targets for m in t.months})
    if not months.issuperset(needed):
        raise UserError(tr("history.error.not_replay", path=path, first=needed[0], last=needed[-1], replay=REPLAY))


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the calibration and write its result."""
    from model.analysis import calibration as cal
    from model.analysis.abc import run_abc
    from model.analysis.polls import HOLDOUT_START, HoldoutError

    if args.population < 4:
        raise UserError(tr("history.error.population"))
    if args.generations < 1:
        raise UserError(tr("history.error.generations"))
    out = Path(args.out_dir) if args.out_dir else cal.CALIBRATED_FILE.parent
    if not out.exists():
        raise UserError(tr("history.error.no_dir", path=out))
    if not MONTH.match(args.until):
        raise UserError(tr("history.error.until_month", until=args.until))
    try:
        require_replay(args.scenario, cal.training_targets(args.until))
        setup = cal.make_setup(args.scenario, until=args.until, structure=args.structure)
    except HoldoutError:
        raise UserError(tr("history.error.holdout", until=args.until, start=HOLDOUT_START)) from None
    progress = None if args.quiet else relay
    say(tr("cli.calibrate.start", ids=join_list(setup.ids, short=True), targets=len(setup.targets), until=args.until,
           population=args.population, generations=args.generations, seed=args.seed))
    with ExitStack() as stack:
        executor = open_backend(stack, args)
        posterior = run_abc(
            setup, population=args.population, generations=args.generations, seed=args.seed,
            executor=executor, db_dir=args.db_dir, resume=not args.no_resume, progress=progress,
        )
    noise = cal.residual_noise(setup, posterior)
    command = (
        f"rapprochement calibrate {shlex.quote(args.scenario)} --until {args.until} --structure {args.structure} "
        f"--population {args.population} --generations {args.generations} --seed {args.seed}"
    )
    docs = cal.posterior_documents(setup, posterior, args.structure, command, args.seed, args.population, noise)
    path = cal.write_documents(*docs, out)
    print(tr("cli.calibrate.result", coefficients=len(setup.ids), evaluations=posterior.evaluations,
             seconds=posterior.seconds, tolerance=posterior.epsilons[-1], ess=posterior.effective_size(),
             n=len(posterior.weights), path=path))
    quant = posterior.quantiles()
    for cid in setup.ids:
        q05, q50, q95 = quant[cid]
        print(tr("cli.calibrate.coefficient", id=cid, median=q50, low=q05, high=q95))
    return 0
