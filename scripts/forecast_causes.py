"""Why a backtest forecast moves: the ledger's causes over chosen windows, as the backtest forecasts.

    .venv/bin/python scripts/forecast_causes.py --origin 2017-12 --seed 2012 \
        --window kr_favorable_japan:2018-06:2019-06 --window jp_visitors_korea:2017-12:2019-12

For one origin it calibrates as `rapprochement backtest` does (ABC-SMC on the data up to the
origin, the same settings and seed), reruns the shipped forecast (posterior draws, the
assimilation of the last polls and visitor counts) with the effects ledger on, and prints, per
window, the mean over runs of each cause's booked change (months after FROM up to TO) and the
median path of the variable (at the origin itself, the path is read before the nudge).
``--free`` shows the forecast without the assimilation.
docs/VALIDATION.md, round 6, reads the forecasts' misses with it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.analysis import calibration as cal  # noqa: E402
from model.analysis.abc import Setup, run_abc  # noqa: E402
from model.analysis.assimilation import SHIPPED_RULE, Assimilation  # noqa: E402
from model.analysis.backtest import LAST_TEST_MONTH, Settings, split_targets  # noqa: E402
from model.model import RelationsModel  # noqa: E402


def causes(scenario_path, origin: str, seed: int, windows: list[tuple[str, str, str]], free: bool = False,
           settings: Settings | None = None) -> tuple[dict, dict]:
    """(per window: {cause: mean booked change}, per variable: median path by month) of the forecast."""
    settings = settings or Settings()
    train, _test = split_targets(origin)
    setup = cal.make_setup(scenario_path, until=origin, structure=cal.DEFAULT_STRUCTURE, targets=train)
    posterior = run_abc(setup, population=settings.population, generations=settings.generations, seed=seed)
    sc = cal.load_replay(scenario_path, until=LAST_TEST_MONTH)
    sc = sc.model_copy(update={"parameters": setup.scenario.parameters})
    fsetup = Setup(scenario=sc, ids=setup.ids, low=setup.low, high=setup.high, targets=train, fixed=setup.fixed)
    months = list(sc.months)
    nudge = None if free else Assimilation(
        origin_index=months.index(origin), targets=train, windows=fsetup.windows, offsets=fsetup.offsets,
        noise_sd=cal.POLL_NOISE_FLOOR, seed=seed, rule=SHIPPED_RULE,
    )
    thetas = posterior.resample(settings.runs, seed)
    params = dict(setup.fixed) | {c: np.ascontiguousarray(thetas[:, j]) for j, c in enumerate(setup.ids)}
    # the backtest's forecast: the same draws, seed + 1 and one stream per run
    model = RelationsModel(sc, runs=settings.runs, seed=seed + 1, ledger=True, parameters=params,
                           stream_ids=np.arange(settings.runs), uncertainty="point")
    names = set(fsetup.variables) | {w[0] for w in windows}
    series = {v: np.empty((len(months), settings.runs)) for v in names}
    for i in range(len(months)):
        model.step()
        for v in series:
            series[v][i] = model.state.get(v)
        if nudge is not None:
            nudge(model, i, series)
    booked = {}
    for var, first, last in windows:
        t0 = months.index(first) + 1
        totals: dict[str, float] = {}
        for (cause, _actor), delta in model.ledger.contributions(var, t0, months.index(last)).items():
            totals[cause] = totals.get(cause, 0.0) + float(np.mean(delta))
        booked[(var, first, last)] = dict(sorted(totals.items(), key=lambda kv: -abs(kv[1])))
    paths = {v: {m: float(np.median(series[v][k])) for k, m in enumerate(months)} for v in {w[0] for w in windows}}
    return booked, paths


def main() -> None:
    """Print the causes of each window of one origin's forecast."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(cal.DEFAULT_SCENARIO))
    parser.add_argument("--origin", required=True, help="last training month, e.g. 2017-12")
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--window", action="append", required=True, metavar="VARIABLE:FROM:TO",
                        help="e.g. kr_favorable_japan:2018-06:2019-06 (repeatable)")
    parser.add_argument("--free", action="store_true", help="the forecast without the assimilation")
    parser.add_argument("--top", type=int, default=12, help="causes shown per window")
    args = parser.parse_args()
    windows = [tuple(w.split(":")) for w in args.window]
    booked, paths = causes(args.scenario, args.origin, args.seed, windows, free=args.free)
    for (var, first, last), totals in booked.items():
        path = paths[var]
        print(f"{var} {first} -> {last}: median {path[first]:.2f} -> {path[last]:.2f}; "
              f"booked {sum(totals.values()):+.2f} (mean over runs)")
        for cause, value in list(totals.items())[: args.top]:
            print(f"  {cause:36s} {value:+.2f}")


if __name__ == "__main__":
    main()
