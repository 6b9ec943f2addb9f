"""Backtest: calibrate on the data up to an origin, forecast the later training years, score.

Why: a model that fits the years it was tuned on can still forecast worse than carrying the last
poll forward. What earns trust is skill out of sample, so the model's structure (which
mechanisms, which coefficients are free) is chosen by this score, never by the in-sample fit.

For each origin (e.g. 2015-12):
1. the targets whose fieldwork ends by the origin (polls; visitor totals of whole years) are the
   training set; the poll waves and visitor totals after it, up to 2019, are the test set (polls
   from 2020 on are held out of the repository and of every fit);
2. the structure's free coefficients are calibrated on the training set alone (ABC-SMC,
   :mod:`model.analysis.abc`);
3. the replay is run from 2012 to 2019 with each run's coefficients drawn from that posterior,
   from the events alone (no poll after the origin enters); at the origin each public is nudged
   to the last poll observed at or before it and the gap fades by the assimilation's shipped
   rule, a 12-month half-life, and each travel direction is scaled to the last whole year's
   visitor total (data assimilation, :mod:`model.analysis.assimilation`; the same forecast
   without either nudge is scored alongside as ``model_free``, and ``alternatives`` scores the
   other rules). Each test target's forecast is the ensemble at its fieldwork months plus
   the poll-level noise measured on the training set
   (:func:`model.analysis.calibration.residual_noise`);
4. two baselines fitted on the same training years forecast the same targets: persistence (the
   last value carried forward, with a random walk's spread from the training changes) and an
   AR(1) toward the training mean (least squares on the training pairs, coefficient in [0, 1]);
5. every forecast is scored on level error (MAE of the median), direction of the change from
   the previous wave, 50% and 90% band coverage and CRPS (``scoringrules``).

Visitor totals are scored on the scale the calibration compares them on: 100 x ln(visitors) / 5,
so one unit is a 5% miss and weighs as one poll point; tables show their MAE in percent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis.polls import (
    HOLDOUT_START,
    VISITOR_PERCENT_PER_POINT,
    VISITOR_TARGETS,
    PollTarget,
    poll_targets,
    visitor_targets,
)
from model.analysis.progress import Reporter, progress_line

RESULTS_FILE = Path(__file__).resolve().parents[1] / "validation" / "backtest.json"
"""Where the shipped backtest is kept (read by the Model & data page and docs/VALIDATION.md)."""
DEFAULT_ORIGINS = ("2015-12", "2016-12", "2017-12")
LAST_TEST_MONTH = "2019-12"
METHODS = ("model", "persistence", "ar1")
FREE = "model_free"
"""The model forecast from its own simulated level at the origin (no assimilation), scored alongside;
with ``alternatives`` also ``model_<rule>`` for each other fading rule of the assimilation."""


@dataclass(frozen=True)
class Settings:
    """How much work a backtest does (the full settings, or ``quick`` for tests).

    The full setting calibrates each origin with fewer particles and generations than the shipped
    calibration (population 400, 25 generations) so that five structures x three origins fit in
    an hour on two shared cores; its tolerance ends about a point looser.
    """

    population: int = 300
    generations: int = 15
    runs: int = 300

    @classmethod
    def quick(cls) -> Settings:
        """A reduced setting that runs in seconds (the tests' setting; not for conclusions)."""
        return cls(population=24, generations=2, runs=40)


def _scale(series: str, values):
    """Values on the scale scores are computed on: points for polls, 100 ln(x) / 5 for visitors."""
    values = np.asarray(values, dtype=float)
    if series in VISITOR_TARGETS:
        return 100.0 * np.log(np.maximum(values, 1e-9)) / VISITOR_PERCENT_PER_POINT
    return values


def split_targets(origin: str) -> tuple[list[PollTarget], list[PollTarget]]:
    """(training, test) targets for an origin: up to it, and after it up to 2019.

    Raises:
        HoldoutError: if the origin reaches the hold-out period.
    """
    train = poll_targets(until=origin) + visitor_targets(until=origin)
    later = poll_targets(until=LAST_TEST_MONTH) + visitor_targets(until=LAST_TEST_MONTH, years=(2012, 2019))
    test = [t for t in later if t.month > origin]
    assert all(t.month < HOLDOUT_START for t in test)
    return train, test


def _series_history(targets: list[PollTarget], key: str) -> list[PollTarget]:
    return sorted((t for t in targets if t.series == key), key=lambda t: t.month)


def baseline_forecasts(train: list[PollTarget], test: list[PollTarget]) -> pd.DataFrame:
    """Persistence and AR(1)-toward-the-training-mean forecasts (Gaussian) of each test target.

    Both are fitted on the training values of the same series only, on the scoring scale.
    Persistence: mean the last value, sd the root mean square of the training year-to-year
    changes times sqrt(horizon). AR(1): ``x[t+1] - mu = phi (x[t] - mu) + e`` with mu the
    training mean and phi by least squares through the origin on the training pairs, clipped
    to [0, 1]; the h-step mean is ``mu + phi^h (x_last - mu)``, its variance
    ``s^2 (1 - phi^2h) / (1 - phi^2)``. A spread never falls below the poll noise floor.

    Returns:
        One row per (test target, method): series, month, method, mean, sd, previous (the
        method's forecast for the wave before, or the last value for the first test wave).
    """
    from model.analysis.calibration import POLL_NOISE_FLOOR

    rows = []
    for key in dict.fromkeys(t.series for t in test):
        hist = _series_history(train, key)
        future = _series_history(test, key)
        if not hist:
            continue
        x = _scale(key, [t.value for t in hist])
        last, mu = float(x[-1]), float(x.mean())
        diffs = np.diff(x)
        rw_sd = max(float(np.sqrt(np.mean(diffs**2))) if diffs.size else POLL_NOISE_FLOOR, POLL_NOISE_FLOOR)
        dev = x - mu
        phi = float(np.clip(dev[:-1] @ dev[1:] / max(dev[:-1] @ dev[:-1], 1e-9), 0.0, 1.0)) if x.size > 1 else 0.0
        resid = dev[1:] - phi * dev[:-1]
        s = max(float(np.sqrt(np.mean(resid**2))) if resid.size else POLL_NOISE_FLOOR, POLL_NOISE_FLOOR)
        prev = {"persistence": last, "ar1": last}
        for h, t in enumerate(future, start=1):
            ar_mean = mu + phi**h * (last - mu)
            ar_var = s**2 * (h if phi >= 0.999 else (1 - phi ** (2 * h)) / (1 - phi**2))
            for method, mean, sd in (
                ("persistence", last, rw_sd * np.sqrt(h)),
                ("ar1", ar_mean, float(np.sqrt(ar_var))),
            ):
                rows.append({"series": t.series, "year": t.year, "month": t.month, "method": method,
                             "mean": float(mean), "sd": float(sd), "previous": prev[method]})
                prev[method] = float(mean)
    return pd.DataFrame(rows)


def _quantiles_normal(mean: float, sd: float, qs) -> np.ndarray:
    from scipy.stats import norm

    return norm.ppf(qs, loc=mean, scale=sd)


def score_rows(observed: float, previous_observed: float, method: str, *, samples=None, mean=None,
               sd=None, previous=None) -> dict:
    """Scores of one forecast on the scoring scale (see the module docstring)."""
    import scoringrules as sr

    qs = [0.05, 0.25, 0.5, 0.75, 0.95]
    if samples is not None:
        q = np.quantile(samples, qs)
        crps = float(sr.crps_ensemble(observed, samples))
    else:
        q = _quantiles_normal(mean, sd, qs)
        crps = float(sr.crps_normal(observed, mean, sd))
    median = float(q[2])
    change_obs = observed - previous_observed
    change_fc = median - previous
    return {
        "method": method,
        "median": median,
        "q05": float(q[0]),
        "q25": float(q[1]),
        "q75": float(q[3]),
        "q95": float(q[4]),
        "abs_error": abs(median - observed),
        "direction_right": bool(np.sign(change_fc) == np.sign(change_obs) and change_obs != 0),
        "in50": bool(q[1] <= observed <= q[3]),
        "in90": bool(q[0] <= observed <= q[4]),
        "crps": crps,
    }


def backtest_origin(
    scenario_path, origin: str, structure: str, settings: Settings, seed: int,
    executor=None, progress: Reporter | None = None, db_dir=None, alternatives: bool = False,
) -> pd.DataFrame:
    """Calibrate on the data up to ``origin``, forecast the test targets, score every method.

    Returns:
        One row per test target and method: origin, series, year, month, observed, the
        forecast's median and quantiles, and the scores (all on the scoring scale).
    """
    from model.analysis import calibration as cal
    from model.analysis.abc import Setup, run_abc, simulate_targets
    from model.analysis.assimilation import RULES, SHIPPED_RULE, Assimilation

    train, test = split_targets(origin)
    setup = cal.make_setup(scenario_path, until=origin, structure=structure, targets=train)
    say = progress or (lambda _line: None)
    say(progress_line("progress.origin", origin=origin, structure=structure, train=len(train), test=len(test)))
    posterior = run_abc(
        setup, population=settings.population, generations=settings.generations, seed=seed,
        executor=executor, progress=progress, db_dir=db_dir,
    )
    noise = cal.residual_noise(setup, posterior, runs=min(settings.runs, 200), seed=seed)
    # the forecast: the replay to the last test month, one posterior draw per run
    sc = cal.load_replay(scenario_path, until=LAST_TEST_MONTH)
    sc = sc.model_copy(update={"parameters": setup.scenario.parameters})
    last_train = {key: _series_history(train, key)[-1] for key in dict.fromkeys(t.series for t in test)}
    wanted = test + [t for t in last_train.values() if t not in test]
    fsetup = Setup(scenario=sc, ids=setup.ids, low=setup.low, high=setup.high, targets=wanted + train,
                   fixed=setup.fixed)
    rows_theta = posterior.resample(settings.runs, seed)
    n_wanted = len(wanted)
    sims = {}
    variants = {"model": SHIPPED_RULE, "model_free": None}
    variants |= {f"model_{rule}": rule for rule in RULES if rule != SHIPPED_RULE} if alternatives else {}
    for method, rule in variants.items():
        nudge = None
        if rule is not None:
            nudge = Assimilation(
                origin_index=list(sc.months).index(origin), targets=train,
                windows=fsetup.windows[n_wanted:], offsets=fsetup.offsets[n_wanted:],
                noise_sd=cal.POLL_NOISE_FLOOR, seed=seed, rule=rule,
            )
        values = simulate_targets(
            sc, setup.ids, rows_theta, setup.fixed, seed + 1, np.arange(settings.runs),
            fsetup.variables, fsetup.windows, [t.variable for t in fsetup.targets], fsetup.offsets,
            after_month=nudge,
        )[:, :n_wanted]
        rng = np.random.default_rng([seed, int(origin.replace("-", ""))])
        sim, previous = {}, {}
        for j, t in enumerate(wanted):
            z = _scale(t.series, values[:, j])
            if nudge is not None and t in last_train.values() and t.variable in nudge.at_poll:
                # the assimilated model's own estimate of the last wave: the run plus its gap there
                previous[t.series] = float(np.median(z + nudge.at_poll[t.variable]))
            sd = noise["visitors" if t.series in VISITOR_TARGETS else "polls"]
            noisy = z + rng.normal(0.0, sd, z.shape)
            # a poll is a share: its forecast stays within 0-100
            sim[(t.series, t.month)] = noisy if t.series in VISITOR_TARGETS else np.clip(noisy, 0.0, 100.0)
        if nudge is not None:
            say(progress_line(
                "progress.assimilated", origin=origin, method=method, rule=rule,
                rates=[progress_line("progress.gap", series=k, rate=v, gap=nudge.gaps[k])
                       for k, v in nudge.rates.items()],
                factors=[progress_line("progress.factor", series=k, factor=v)
                         for k, v in nudge.travel_factors.items()],
            ))
        sims[method] = (sim, previous)
    base = baseline_forecasts(train, test)
    out = []
    for key in dict.fromkeys(t.series for t in test):
        prev_target = last_train[key]
        prev_obs = float(_scale(key, prev_target.value))
        prev_model = {m: sims[m][1].get(key, float(np.median(sims[m][0][(key, prev_target.month)]))) for m in sims}
        for t in _series_history(test, key):
            obs = float(_scale(key, t.value))
            head = {"origin": origin, "structure": structure, "series": key, "year": t.year, "month": t.month,
                    "observed": obs}
            for method, (sim, _previous) in sims.items():
                row = score_rows(obs, prev_obs, method, samples=sim[(key, t.month)], previous=prev_model[method])
                out.append(head | row)
                prev_model[method] = row["median"]
            for method in ("persistence", "ar1"):
                b = base[(base.series == key) & (base.month == t.month) & (base.method == method)].iloc[0]
                out.append(head | score_rows(obs, prev_obs, method, mean=b["mean"], sd=b["sd"], previous=b["previous"]))
            prev_obs = obs
    say(progress_line("progress.origin_done", origin=origin, evaluations=posterior.evaluations,
                      seconds=posterior.seconds))
    return pd.DataFrame(out)


def summarise(scores: pd.DataFrame, by: tuple[str, ...] = ("origin", "series", "method")) -> pd.DataFrame:
    """Mean scores per group: MAE, share of directions right, 50%/90% coverage, CRPS, and n.

    Visitor series' MAE and CRPS stay on the scoring scale (x 5 = percent).
    """
    g = scores.groupby(list(by), sort=False)
    out = g.agg(
        n=("abs_error", "size"),
        mae=("abs_error", "mean"),
        directions=("direction_right", "mean"),
        cover50=("in50", "mean"),
        cover90=("in90", "mean"),
        crps=("crps", "mean"),
    ).reset_index()
    return out


def poll_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per origin and method, the scores over the three poll series (the "Done when" test)."""
    polls = scores[~scores["series"].isin(list(VISITOR_TARGETS))]
    return summarise(polls, ("origin", "method"))


def verdict(summary: pd.DataFrame) -> pd.DataFrame:
    """Per origin, whether the model meets each target of issue 10 on the poll series."""
    rows = []
    for origin, grp in summary.groupby("origin", sort=False):
        by = grp.set_index("method")
        m = by.loc["model"]
        rows.append({
            "origin": origin,
            "mae_model": m["mae"],
            "mae_persistence": by.loc["persistence", "mae"],
            "mae_ar1": by.loc["ar1", "mae"],
            "beats_persistence": bool(m["mae"] <= by.loc["persistence", "mae"]),
            "beats_ar1": bool(m["mae"] <= by.loc["ar1", "mae"]),
            "directions": m["directions"],
            "directions_ok": bool(m["directions"] >= 0.7),
            "cover90": m["cover90"],
            "cover90_ok": bool(0.75 <= m["cover90"] <= 1.0),
            "crps_model": m["crps"],
            "crps_persistence": by.loc["persistence", "crps"],
            "crps_ar1": by.loc["ar1", "crps"],
        })
    return pd.DataFrame(rows)


def run_backtest(
    scenario_path=None, origins=DEFAULT_ORIGINS, structure: str | None = None, settings: Settings | None = None,
    seed: int = 2012, executor=None, progress: Reporter | None = None, db_dir=None,
    alternatives: bool = False,
) -> pd.DataFrame:
    """Backtest every origin (see the module docstring); one row per test target and method.

    ``alternatives`` also scores the forecast under each other fading rule of the assimilation
    (methods ``model_<rule>``) from the same posterior.
    """
    from model.analysis.calibration import DEFAULT_STRUCTURE

    settings = settings or Settings()
    structure = structure or DEFAULT_STRUCTURE
    frames = [
        backtest_origin(scenario_path, o, structure, settings, seed, executor, progress, db_dir, alternatives)
        for o in origins
    ]
    return pd.concat(frames, ignore_index=True)


def save_results(scores: pd.DataFrame, path: str | Path, provenance: dict) -> Path:
    """Write the scores and their provenance as JSON (the docs and the app read it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"provenance": provenance, "scores": json.loads(scores.to_json(orient="records"))}
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return path


def load_results(path: str | Path = RESULTS_FILE) -> tuple[pd.DataFrame, dict] | None:
    """The shipped backtest (scores, provenance), or None when it has not been run."""
    path = Path(path)
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return pd.DataFrame(doc["scores"]), doc["provenance"]
