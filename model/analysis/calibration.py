"""Calibrate the model's free coefficients to the polls and visitors up to 2019, rerunnably.

Why: most coefficients are judgements ("assumption"); the ones the catalogue marks
``calibrate: true`` (how fast opinion relaxes, where it relaxes to, how strongly publics
respond) are better pinned by what the publics actually did in 2012-2019 than by guesses.

Method (deterministic for a given seed, budget and catalogue):
1. The loss is the root of the mean over the series of each series' mean squared error of
   the *ensemble median* at every training wave (each wave compared over its fieldwork
   months; a value the data set marks "derived" counts half). Series are weighted equally
   so the eight Cabinet Office waves do not outvote the seven Genron NPO waves of each side.
   The series are the three poll series and the yearly visitor totals each way, 2013-2018
   (JNTO, KTO), whose error is a log-ratio in percent scaled to poll points
   (:func:`model.analysis.polls.target_error`). 2019's visitors are left out: the boycott
   year is a test.
2. Every evaluation runs the same ensemble (same root seed: common random numbers), so the
   loss surface is smooth in the coefficients rather than noisy from one evaluation to the
   next.
3. A scrambled Sobol design (scipy.stats.qmc, seeded) explores the box of plausible ranges;
   bounded Nelder-Mead (scipy.optimize.minimize) refines the three best points.
4. A one-at-a-time profile moves each coefficient across its range with the others at the
   optimum: a coefficient is *pinned* by the data when the loss rises by at least
   :data:`PINNED_RISE` points somewhere in its range, *loose* otherwise.
5. Loose coefficients go back to their defaults (the data cannot tell their value, so the
   optimiser's choice among equally good values would be arbitrary and would silently change
   what-if scenarios); the pinned ones are refitted with them, and the profile is redrawn.

Hold-out: only targets whose fieldwork ends before 2020-01 enter the loss, and the simulation
used for calibration stops at ``until`` (default 2019-12), so nothing after 2019 can reach it.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import minimize
from scipy.stats import qmc

from model.analysis.polls import (
    HOLDOUT_START,
    VISITOR_PERCENT_PER_POINT,
    PollTarget,
    affinity_offset,
    poll_targets,
    series_offset,
    target_error,
    visitor_targets,
)
from model.catalogue import TRAVEL_VARIABLES

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "history-2012-2025.yaml"
CALIBRATED_FILE = Path(__file__).resolve().parents[1] / "catalogue" / "calibrated.yaml"
DERIVED_WEIGHT = 0.5
"""Weight of a poll value the data set derived by arithmetic (reported value +/- change)."""
PINNED_RISE = 1.0
"""Loss rise (percentage points) across a coefficient's range above which the data pin it."""
PUBLIC_VARIABLES = ("kr_favorable_japan", "jp_favorable_korea") + TRAVEL_VARIABLES


class NoCoefficients(ValueError):
    """The catalogue marks no coefficient as calibratable."""


def load_replay(
    scenario_path: str | Path | None = None, until: str | None = None, parameters: dict[str, float] | None = None
):
    """The replay scenario, optionally cut at ``until`` and with parameter overrides.

    Raises:
        ScenarioError: if the file is not a valid scenario.
    """
    from model.scenario import load_scenario

    sc = load_scenario(scenario_path or DEFAULT_SCENARIO)
    update: dict = {}
    if parameters:
        update["parameters"] = {**sc.parameters, **{k: float(v) for k, v in parameters.items()}}
    if until is not None and until < sc.end:
        update["end"] = until
        update["events"] = [e for e in sc.events if e.month <= until]
        update["decisions"] = [d for d in sc.decisions if d.month <= until]
    return sc.model_copy(update=update) if update else sc


def run_replay(
    scenario_path: str | Path | None = None,
    runs: int = 100,
    seed: int = 2012,
    until: str | None = None,
    parameters: dict[str, float] | None = None,
    progress: Callable | None = None,
) -> pd.DataFrame:
    """Run the replay ensemble and return its tidy table (run, month, variable, value)."""
    from model.ensemble import run_ensemble

    sc = load_replay(scenario_path, until, parameters)
    return run_ensemble(sc, runs=runs, seed=seed, progress=progress).table


def simulate_publics(sc, runs: int, seed: int, parameters: dict[str, float] | None = None) -> dict[str, pd.DataFrame]:
    """Both publics' favourable shares as month x run frames, stepping the model directly.

    Faster than the tidy table for the many evaluations of a calibration: it reads only the
    two variables the polls measure.
    """
    from model.model import RelationsModel

    model = RelationsModel(sc, runs=runs, seed=seed, ledger=False, parameters=parameters)
    months = sc.months
    out = {v: np.empty((len(months), runs)) for v in PUBLIC_VARIABLES}
    for i in range(len(months)):
        model.step()
        for v in PUBLIC_VARIABLES:
            out[v][i] = model.state.get(v)
    return {v: pd.DataFrame(a, index=months) for v, a in out.items()}


def wave_medians(sim: dict[str, pd.DataFrame], targets: list[PollTarget]) -> np.ndarray:
    """Median over runs of each target's fieldwork-window mean, plus the series offset."""
    out = np.empty(len(targets))
    for j, t in enumerate(targets):
        w = sim[t.variable].loc[list(t.months)].to_numpy().mean(axis=0)
        out[j] = float(np.median(w)) + series_offset(t.series)
    return out


def loss_parts(medians: np.ndarray, targets: list[PollTarget]) -> dict[str, float]:
    """Weighted RMSE of the median per series, in poll points (see the module docstring)."""
    parts = {}
    for key in dict.fromkeys(t.series for t in targets):
        idx = [j for j, t in enumerate(targets) if t.series == key]
        err = np.array([target_error(key, medians[j], targets[j].value) for j in idx])
        w = np.array([DERIVED_WEIGHT if targets[j].derived else 1.0 for j in idx])
        parts[key] = float(np.sqrt(np.sum(w * err**2) / np.sum(w)))
    return parts


def total_loss(parts: dict[str, float]) -> float:
    """Root of the mean of the series' mean squared errors (series weighted equally)."""
    return float(np.sqrt(np.mean([v**2 for v in parts.values()])))


@dataclass
class Problem:
    """What is being calibrated: the scenario, the coefficients and their boxes, the targets."""

    scenario: object
    ids: list[str]
    low: np.ndarray
    high: np.ndarray
    prior: np.ndarray
    targets: list[PollTarget]
    runs: int
    seed: int
    evaluations: list[tuple[np.ndarray, float, dict]] = field(default_factory=list)

    def values(self, u: np.ndarray) -> dict[str, float]:
        """Coefficient values from unit-box coordinates."""
        x = self.low + np.clip(u, 0.0, 1.0) * (self.high - self.low)
        return dict(zip(self.ids, (float(v) for v in x), strict=True))

    def evaluate(self, u: np.ndarray) -> tuple[float, dict[str, float]]:
        """Loss and per-series errors at unit-box point ``u`` (same seed every time)."""
        sim = simulate_publics(self.scenario, self.runs, self.seed, self.values(u))
        parts = loss_parts(wave_medians(sim, self.targets), self.targets)
        loss = total_loss(parts)
        self.evaluations.append((np.array(u, dtype=float), loss, parts))
        return loss, parts


def training_targets(until: str = "2019-12") -> list[PollTarget]:
    """Everything the calibration fits: the poll waves and the 2013-2018 visitor totals.

    Raises:
        HoldoutError: if ``until`` reaches 2020 or later.
    """
    return poll_targets(until=until) + visitor_targets(until=until)


def make_problem(
    scenario_path: str | Path | None = None,
    until: str = "2019-12",
    runs: int = 32,
    seed: int = 2012,
    coefficients: list[str] | None = None,
) -> Problem:
    """Set up a calibration: the coefficients marked calibratable in the catalogue.

    Raises:
        HoldoutError: if ``until`` reaches 2020 or later.
        NoCoefficients: if no coefficient is marked calibratable.
    """
    from model.catalogue import load_catalogue

    targets = training_targets(until)  # raises HoldoutError for a window into 2020
    sc = load_replay(scenario_path, until=until)
    assert sc.end < HOLDOUT_START
    cat = load_catalogue()
    ids = coefficients or [cid for cid, c in cat.coefficients.items() if c.calibrate]
    if not ids:
        raise NoCoefficients("no coefficient in the catalogue is marked calibrate: true")
    coefs = [cat.coefficients[i] for i in ids]
    base = {k: v for k, v in sc.parameters.items() if k not in ids}
    sc = sc.model_copy(update={"parameters": base})
    return Problem(
        scenario=sc,
        ids=ids,
        low=np.array([c.range[0] for c in coefs], dtype=float),
        high=np.array([c.range[1] for c in coefs], dtype=float),
        prior=np.array([_prior(c) for c in coefs], dtype=float),
        targets=targets,
        runs=runs,
        seed=seed,
    )


def _prior(coef) -> float:
    """The coefficient's default in coefficients.yaml, before any calibrated override."""
    return float(_raw_coefficients()[coef.id]["value"])


def _raw_coefficients() -> dict:
    from importlib import resources

    text = resources.files("model.catalogue").joinpath("coefficients.yaml").read_text("utf-8")
    return yaml.safe_load(text)["coefficients"]


@dataclass
class Result:
    """Outcome of a calibration."""

    values: dict[str, float]
    loss: float
    parts: dict[str, float]
    prior_loss: float
    prior_parts: dict[str, float]
    profiles: dict[str, dict]
    evaluations: int
    seconds: float


def _say(progress: Callable[[str], None] | None, text: str) -> None:
    if progress is not None:
        progress(text)


def calibrate(
    problem: Problem,
    design: int = 32,
    refine: int = 60,
    profile_points: int = 5,
    progress: Callable[[str], None] | None = None,
    starts_n: int = 3,
) -> Result:
    """Run the three stages (design, refinement, profiles); see the module docstring.

    Args:
        problem: from :func:`make_problem`.
        design: number of Sobol points (rounded up to a power of two).
        refine: evaluation budget of the Nelder-Mead refinement, shared by the starts.
        profile_points: grid points per coefficient in the profile.
        progress: called with one line of text per step.
        starts_n: Nelder-Mead starts, from the best design points (the loss has local minima).
    """
    t0 = time.perf_counter()
    k = len(problem.ids)
    span = problem.high - problem.low
    u_prior = np.where(span > 0, (problem.prior - problem.low) / np.where(span > 0, span, 1), 0.5)
    prior_loss, prior_parts = problem.evaluate(u_prior)
    _say(progress, f"prior coefficients: loss {prior_loss:.2f} ({_fmt(prior_parts)})")
    scored: list[tuple[float, np.ndarray]] = [(prior_loss, u_prior)]
    m = int(np.ceil(np.log2(max(design, 1))))
    points = qmc.Sobol(k, scramble=True, seed=problem.seed).random_base2(m) if design else []
    for i, u in enumerate(points, 1):
        loss, _ = problem.evaluate(u)
        scored.append((loss, np.array(u)))
        _say(progress, f"design {i}/{len(points)}: loss {loss:.2f}, best {min(s for s, _ in scored):.2f}")
    scored.sort(key=lambda su: su[0])
    best, best_u = scored[0]
    starts = [u for _, u in scored[:starts_n]] if refine else []
    count = [0]

    def f(u: np.ndarray) -> float:
        count[0] += 1
        loss, _ = problem.evaluate(u)
        _say(progress, f"refine {count[0]}/{refine}: loss {loss:.2f}")
        return loss

    for u0 in starts:
        res = minimize(
            f,
            u0,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * k,
            options={
                "maxfev": max(refine // len(starts), k + 2),
                "xatol": 1e-3,
                "fatol": 0.01,
                "initial_simplex": _simplex(u0),
            },
        )
        if res.fun < best:
            best_u, best = np.clip(res.x, 0, 1), float(res.fun)
    best_loss, _ = problem.evaluate(best_u)
    first = profile(problem, best_u, best_loss, profile_points, progress)
    loose = np.array([not first[cid]["pinned"] for cid in problem.ids])
    if loose.any():
        # What the data cannot see keeps its prior value; the pinned ones are refitted with it.
        best_u = np.where(loose, u_prior, best_u)
        _say(
            progress,
            "loose coefficients back to their defaults: "
            + ", ".join(cid for cid, lo in zip(problem.ids, loose, strict=True) if lo),
        )
        pinned = np.flatnonzero(~loose)
        if pinned.size and refine:

            def g(z: np.ndarray) -> float:
                u = best_u.copy()
                u[pinned] = z
                return f(u)

            res = minimize(
                g,
                best_u[pinned],
                method="Nelder-Mead",
                bounds=[(0.0, 1.0)] * pinned.size,
                options={
                    "maxfev": max(refine // 3, pinned.size + 2),
                    "xatol": 1e-3,
                    "fatol": 0.01,
                    "initial_simplex": _simplex(best_u[pinned]),
                },
            )
            best_u = best_u.copy()
            best_u[pinned] = np.clip(res.x, 0, 1)
    best_loss, best_parts = problem.evaluate(best_u)
    profiles = profile(problem, best_u, best_loss, profile_points, progress) if loose.any() else first
    for cid, lo in zip(problem.ids, loose, strict=True):
        profiles[cid]["pinned"] = not lo  # the verdict of the first profile decided the refit
    return Result(
        values=problem.values(best_u),
        loss=best_loss,
        parts=best_parts,
        prior_loss=prior_loss,
        prior_parts=prior_parts,
        profiles=profiles,
        evaluations=len(problem.evaluations),
        seconds=time.perf_counter() - t0,
    )


def _simplex(u0: np.ndarray, step: float = 0.15) -> np.ndarray:
    """A starting simplex around ``u0`` that stays inside the unit box."""
    k = len(u0)
    simplex = np.tile(u0, (k + 1, 1))
    for i in range(k):
        simplex[i + 1, i] = u0[i] + step if u0[i] + step <= 1 else u0[i] - step
    return simplex


def profile(
    problem: Problem,
    u_best: np.ndarray,
    best_loss: float,
    points: int = 5,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict]:
    """One-at-a-time profile of the loss across each coefficient's range.

    Returns:
        Per coefficient: grid (values), loss at each, rise (max loss - best), pinned (bool).
    """
    out = {}
    grid = np.linspace(0.0, 1.0, points)
    for i, cid in enumerate(problem.ids):
        losses = []
        for g in grid:
            u = np.array(u_best, dtype=float)
            u[i] = g
            loss, _ = problem.evaluate(u)
            losses.append(loss)
        rise = float(max(losses) - best_loss)
        xs = problem.low[i] + grid * (problem.high[i] - problem.low[i])
        out[cid] = {
            "grid": [round(float(x), 4) for x in xs],
            "loss": [round(float(v), 3) for v in losses],
            "rise": round(rise, 3),
            "pinned": bool(rise >= PINNED_RISE),
        }
        _say(
            progress,
            f"profile {cid}: loss rises {rise:.2f} across its range ({'pinned' if rise >= PINNED_RISE else 'loose'})",
        )
    return out


def _fmt(parts: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in parts.items())


def result_document(problem: Problem, result: Result, command: str, design: int, refine: int) -> dict:
    """The calibrated.yaml content: ``values`` (read by the catalogue) and the provenance."""
    from model.catalogue import load_catalogue

    cat = load_catalogue()
    off, n_off = affinity_offset()
    coefs = {}
    for i, cid in enumerate(problem.ids):
        c = cat.coefficients[cid]
        coefs[cid] = {
            "value": round(result.values[cid], 4),
            "range": [float(problem.low[i]), float(problem.high[i])],
            "prior": float(problem.prior[i]),
            "meaning": c.meaning,
            "range_reason": _raw_coefficients()[cid]["source"],
            "status": "calibrated" if result.profiles[cid]["pinned"] else "default kept (loose)",
            "pinned": result.profiles[cid]["pinned"],
            "profile_rise": result.profiles[cid]["rise"],
            "profile": {"grid": result.profiles[cid]["grid"], "loss": result.profiles[cid]["loss"]},
        }
    return {
        # only what the data pin: a loose coefficient keeps its default and its own source
        "values": {cid: round(v, 4) for cid, v in result.values.items() if result.profiles[cid]["pinned"]},
        "provenance": {
            "date": dt.date.today().isoformat(),
            "command": command,
            "scenario": "scenarios/history-2012-2025.yaml",
            "until": problem.scenario.end,
            "runs": problem.runs,
            "seed": problem.seed,
            "targets": len(problem.targets),
            "method": (
                f"loss = sqrt(mean over series of weighted MSE of the ensemble median at each "
                f"training wave's fieldwork months; derived values weight {DERIVED_WEIGHT}; "
                f"visitor totals 2013-2018 as log-ratio in percent / {VISITOR_PERCENT_PER_POINT:g}); "
                f"common random numbers (fixed seed); scrambled Sobol design of {design} points "
                f"(scipy.stats.qmc) over the plausible ranges, then bounded Nelder-Mead "
                f"(scipy.optimize.minimize) from the 3 best points, {refine} evaluations in "
                f"all; one-at-a-time profiles; loose coefficients reset to their defaults and the pinned ones "
                f"refitted; "
                f"pinned if the loss rises >= {PINNED_RISE} points across the range"
            ),
            "holdout": f"no target with fieldwork on or after {HOLDOUT_START}; simulation cut "
            f"at {problem.scenario.end}",
            "cabinet_office_offset": {
                "value": round(off, 3),
                "paired_years": n_off,
                "source": "data: opinion_until_2019.csv, mean Cabinet Office affinity minus "
                "Genron NPO good impression, 2013-2018",
            },
            "evaluations": result.evaluations,
            "seconds": round(result.seconds, 1),
        },
        "training_error": {
            "loss": round(result.loss, 3),
            "prior_loss": round(result.prior_loss, 3),
            "rmse_of_median_per_series": {k: round(v, 3) for k, v in result.parts.items()},
            "prior_rmse_per_series": {k: round(v, 3) for k, v in result.prior_parts.items()},
        },
        "coefficients": coefs,
    }


HEADER = """\
# Calibrated coefficient values, written by `rapprochement calibrate` (model/analysis/
# calibration.py). The catalogue reads `values` and uses them in place of the defaults in
# coefficients.yaml, marking their source as this calibration. Everything else is provenance:
# how the values were found, the training error per series, and how firmly the data pin each
# coefficient (profile). Do not edit by hand: rerun the command in provenance.command.
"""


def write_result(doc: dict, path: str | Path = CALIBRATED_FILE) -> Path:
    """Write the calibration document as YAML with its header."""
    path = Path(path)
    path.write_text(HEADER + yaml.safe_dump(doc, sort_keys=False, width=100), encoding="utf-8")
    return path


def stderr_progress(text: str) -> None:
    """Progress lines on stderr, so stdout stays clean for the result."""
    print(text, file=sys.stderr, flush=True)
