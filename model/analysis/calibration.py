"""Calibrate the publics' coefficients to the polls and visitors up to 2019, as a posterior.

Why: most coefficients are judgements ("assumption"); the ones a *structure* leaves free (how
fast opinion follows its drivers, the publics' levels at the reference conditions, how strongly
they respond, how travel grows and how much it warms opinion) are better pinned by what the
publics actually did in 2012-2019 than by guesses, and what the data leave unknown about them
belongs in every forecast's bands.

Method: likelihood-free ABC-SMC (pyabc, through :mod:`model.analysis.abc`, vectorised: many
parameter samples per model object, on Dask when a scheduler is given) with uniform priors on
the coefficients' plausible ranges. The distance is the loss below: the root of the mean over
the series of each series' weighted mean squared error at every training wave (each wave
compared over its fieldwork months; a value the data set marks "derived" counts half), series
weighted equally so the eight Cabinet Office waves do not outvote the seven Genron NPO waves of
each side. The series are the three poll series and the yearly visitor totals each way, whose
error is a log-ratio in percent scaled to poll points (:func:`model.analysis.polls.target_error`).

Structures (:data:`STRUCTURES`) say which coefficients are free and which mechanisms are on;
which one ships is decided by the backtest (:mod:`model.analysis.backtest`), not by the fit.

Hold-out: only targets whose fieldwork ends before 2020-01 enter the loss, and the simulation
used for calibration stops at ``until`` (default 2019-12), so nothing after 2019 can reach it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

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
PUBLIC_VARIABLES = ("kr_favorable_japan", "jp_favorable_korea") + TRAVEL_VARIABLES


class NoCoefficients(ValueError):
    """The catalogue marks no coefficient as calibratable."""


def load_replay(
    scenario_path: str | Path | None = None, until: str | None = None, parameters: dict[str, float] | None = None,
    observed: bool = False,
):
    """The replay scenario, optionally cut at ``until`` and with parameter overrides.

    Without ``observed`` the replay runs free of its observed polls (``observations``), as every
    calibration and backtest must: a fit to the polls that the run was nudged to would measure
    nothing. The product's replay (the scenario file as the explorer opens it) meets them.

    Raises:
        ScenarioError: if the file is not a valid scenario.
    """
    from model.scenario import load_scenario

    sc = load_scenario(scenario_path or DEFAULT_SCENARIO)
    update: dict = {}
    if sc.observations and not observed:
        update["observations"] = None
    if parameters:
        update["parameters"] = {**sc.parameters, **{k: float(v) for k, v in parameters.items()}}
    if until is not None and until < sc.end:
        update["end"] = until
        update["events"] = [e for e in sc.events if e.month <= until]
        update["decisions"] = [d for d in sc.decisions if d.month <= until]
        if observed and sc.observations:
            update["observations"] = [o for o in sc.observations if o.month <= until]
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


def simulate_publics(
    sc, runs: int, seed: int, parameters: dict[str, float] | None = None, uncertainty: str = "posterior"
) -> dict[str, pd.DataFrame]:
    """Both publics' favourable shares and travel as month x run frames, stepping the model directly.

    Faster than the tidy table: it reads only the variables the targets measure.
    """
    from model.model import RelationsModel

    model = RelationsModel(sc, runs=runs, seed=seed, ledger=False, parameters=parameters, uncertainty=uncertainty)
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


def training_targets(until: str = "2019-12") -> list[PollTarget]:
    """Everything the calibration fits: the poll waves and the 2013-2018 visitor totals.

    Raises:
        HoldoutError: if ``until`` reaches 2020 or later.
    """
    return poll_targets(until=until) + visitor_targets(until=until)


# --- structures: which coefficients are free, which mechanisms are on ----------------------


@dataclass(frozen=True)
class Structure:
    """A choice of free coefficients and fixed values, scored by the backtest.

    Attributes:
        name: short id (``rapprochement calibrate --structure NAME``).
        free: coefficients the calibration fits (uniform priors on their catalogue ranges).
        fixed: coefficients set to a value for this structure (a mechanism switched off is a
            weight fixed at 0).
        description: what the structure says about the world, in a sentence.
    """

    name: str
    free: tuple[str, ...]
    fixed: tuple[tuple[str, float], ...] = ()
    description: str = ""


_OPINION = ("fav_relax_rate", "kr_fav_base", "jp_fav_base", "kr_public_response", "jp_public_response")
_TRAVEL = ("kr_travel_level", "jp_travel_level", "travel_growth", "travel_sentiment")
STRUCTURES: dict[str, Structure] = {
    s.name: s
    for s in (
        Structure(
            "full",
            _OPINION + ("contact_weight", "history_weight", "opinion_memory", "opening_memory", "memory_decay")
            + _TRAVEL + ("contact_years", "travel_contact_weight"),
            description="every coefficient marked calibratable is free (16)",
        ),
        Structure(
            "contact",
            _OPINION + ("history_weight", "opinion_memory", "opening_memory") + _TRAVEL + ("travel_contact_weight",),
            description="opinion follows travel experience (contact) and the history track; exchanges' "
            "contact weight, memory's fading and contact's time span at their defaults (13 free)",
        ),
        Structure(
            "contact_no_history",
            _OPINION + ("opinion_memory", "opening_memory") + _TRAVEL + ("travel_contact_weight",),
            fixed=(("history_weight", 0.0),),
            description="as contact, but the state of the history track does not pull opinion: the "
            "history issues move the publics only through the events themselves (12 free)",
        ),
        Structure(
            "contact_no_history_span",
            _OPINION + ("opinion_memory", "opening_memory") + _TRAVEL + ("contact_years", "travel_contact_weight"),
            fixed=(("history_weight", 0.0),),
            description="as contact_no_history, with contact's time span (contact_years) free: how long "
            "a public's visits keep shaping its opinion is fitted, not assumed (13 free)",
        ),
        Structure(
            "no_contact",
            _OPINION + ("history_weight", "opinion_memory", "opening_memory") + _TRAVEL,
            fixed=(("travel_contact_weight", 0.0), ("contact_weight", 0.0)),
            description="no contact effect: travel follows mood but does not move opinion (12 free)",
        ),
        Structure(
            "events_only",
            ("fav_relax_rate", "kr_fav_base", "jp_fav_base", "kr_public_response", "jp_public_response",
             "opinion_memory") + _TRAVEL,
            fixed=(("travel_contact_weight", 0.0), ("contact_weight", 0.0), ("history_weight", 0.0),
                   ("opening_memory", 0.0)),
            description="opinion moves only with events and fades to a fixed level (10 free)",
        ),
    )
}
DEFAULT_STRUCTURE = "contact_no_history"
"""The structure `rapprochement calibrate` fits unless told otherwise: the best backtest score
(docs/VALIDATION.md, "Structures tried")."""


def data_hash(scenario) -> str:
    """sha256 (first 16) of what a calibration reads: the poll and visitor files and the scenario."""
    from importlib import resources

    h = hashlib.sha256()
    for name in ("opinion_until_2019.csv", "visitors_trade_until_2019.csv"):
        h.update(resources.files("model").joinpath("data", name).read_bytes())
    h.update(scenario.to_yaml().encode())
    return h.hexdigest()[:16]


def make_setup(
    scenario_path: str | Path | None = None,
    until: str = "2019-12",
    structure: str = DEFAULT_STRUCTURE,
    targets: list[PollTarget] | None = None,
):
    """What a calibration fits: the replay cut at ``until``, a structure's free coefficients, the targets.

    Raises:
        HoldoutError: if ``until`` reaches 2020 or later.
        KeyError: for an unknown structure.
        ScenarioError: if the scenario file is invalid.
    """
    from model.analysis.abc import Setup
    from model.catalogue import load_catalogue

    targets = training_targets(until) if targets is None else targets  # raises HoldoutError
    struct = STRUCTURES[structure]
    sc = load_replay(scenario_path, until=until)
    assert sc.end < HOLDOUT_START
    cat = load_catalogue()
    coefs = [cat.coefficients[i] for i in struct.free]
    fixed = dict(struct.fixed)
    base = {k: v for k, v in sc.parameters.items() if k not in struct.free and k not in fixed}
    sc = sc.model_copy(update={"parameters": base})
    return Setup(
        scenario=sc,
        ids=list(struct.free),
        low=np.array([c.range[0] for c in coefs], dtype=float),
        high=np.array([c.range[1] for c in coefs], dtype=float),
        targets=targets,
        fixed=fixed,
    )


POLL_NOISE_FLOOR = 1.5
"""Least spread (points, one sd) of a published poll around the public's true share: the sampling
error of a poll of about 1,000 respondents at 20-40% (sqrt(0.3 x 0.7 / 1000) = 1.45 points)."""


def residual_noise(setup, posterior, runs: int = 200, seed: int = 7) -> dict[str, float]:
    """Spread (one sd) that the forecast adds for polls (points) and visitor totals (log-points x 100 / 5).

    Why: the ensemble's spread covers what is unknown about the coefficients and the randomness
    of events, but a poll also misses the public's true share (sampling, wording, the model's
    own error). That misfit is measured on the training targets only: the root mean square of
    the posterior ensemble median's error at each training target, pooled over the poll series
    and over the visitor series, with the poll sampling error as a floor.
    """
    from model.analysis.abc import simulate_targets
    from model.analysis.polls import VISITOR_TARGETS

    rows = posterior.resample(runs, seed)
    values = simulate_targets(
        setup.scenario, setup.ids, rows, setup.fixed, seed, np.arange(runs),
        setup.variables, setup.windows, [t.variable for t in setup.targets], setup.offsets,
    )
    med = np.median(values, axis=0)
    err = np.array([target_error(t.series, med[j], t.value) for j, t in enumerate(setup.targets)])
    visit = np.array([t.series in VISITOR_TARGETS for t in setup.targets])
    out = {}
    for kind, mask in (("polls", ~visit), ("visitors", visit)):
        rms = float(np.sqrt(np.mean(err[mask] ** 2))) if mask.any() else 0.0
        out[kind] = round(max(rms, POLL_NOISE_FLOOR), 3)
    return out


CALIBRATED_HEADER = """\
# Point estimate of the calibrated coefficients (the posterior mean), written by
# `rapprochement calibrate` (model/analysis/calibration.py). The catalogue reads `values` and uses
# them in place of the defaults in coefficients.yaml; ensembles draw the same coefficients from the
# posterior sample (posterior.csv) unless told to use this point estimate. Do not edit by hand:
# rerun the command in provenance.command.
"""
POSTERIOR_HEADER = """\
# Provenance and summary of the posterior sample in posterior.csv (ABC-SMC, pyabc), written by
# `rapprochement calibrate`. Do not edit by hand: rerun the command in provenance.command.
"""


def posterior_documents(setup, posterior, structure: str, command: str, seed: int, population: int,
                        noise: dict[str, float]) -> tuple[dict, dict, str]:
    """(calibrated.yaml, posterior.yaml, posterior.csv) contents for a calibration's result."""
    import pyabc

    from model.catalogue import load_catalogue

    cat = load_catalogue()
    off, n_off = affinity_offset()
    point = posterior.mean()
    quant = posterior.quantiles()
    corr = posterior.correlations()
    provenance = {
        "date": dt.date.today().isoformat(),
        "command": command,
        "scenario": "scenarios/history-2012-2025.yaml",
        "until": setup.scenario.end,
        "structure": structure,
        "seed": seed,
        "data_sha256": data_hash(setup.scenario),
        "targets": len(setup.targets),
        "method": (
            f"ABC-SMC (pyabc {pyabc.__version__}): uniform priors on the catalogue ranges, population "
            f"{population}, adaptive multivariate-normal perturbation, tolerance the median of the last "
            f"generation's distances; distance = sqrt(mean over series of weighted MSE of one stochastic run "
            f"at each training wave's fieldwork months; derived values weight {DERIVED_WEIGHT}; visitor "
            f"totals as log-ratio in percent / {VISITOR_PERCENT_PER_POINT:g}); vectorised: one run per "
            f"proposal, many proposals per model object"
        ),
        "holdout": f"no target with fieldwork on or after {HOLDOUT_START}; simulation cut at {setup.scenario.end}",
        "cabinet_office_offset": {
            "value": round(off, 3),
            "paired_years": n_off,
            "source": "data: opinion_until_2019.csv, mean Cabinet Office affinity minus Genron NPO good "
            "impression, 2013-2018",
        },
        "generations": len(posterior.epsilons),
        "tolerances": [round(e, 3) for e in posterior.epsilons],
        "evaluations": posterior.evaluations,
        "effective_sample_size": round(posterior.effective_size(), 1),
        "seconds": round(posterior.seconds, 1),
    }
    coefs = {}
    for j, cid in enumerate(setup.ids):
        c = cat.coefficients[cid]
        coefs[cid] = {
            "mean": round(point[cid], 4),
            "q05_q50_q95": [round(x, 4) for x in quant[cid]],
            "range": [float(setup.low[j]), float(setup.high[j])],
            "prior": float(_raw_coefficients()[cid]["value"]),
            "meaning": c.meaning,
        }
    calibrated = {
        "values": {cid: round(v, 4) for cid, v in point.items()},
        # the structure's fixed choices (a mechanism switched off is a weight fixed at 0)
        "fixed": dict(setup.fixed),
        "provenance": provenance,
        "coefficients": coefs,
    }
    summary = {
        "provenance": provenance,
        "ids": list(setup.ids),
        "fixed": dict(setup.fixed),
        "noise": noise,
        "correlations": {
            a: {b: round(float(corr[i, k]), 3) for k, b in enumerate(setup.ids) if k != i}
            for i, a in enumerate(setup.ids)
        },
    }
    lines = [",".join(["weight", *setup.ids])]
    for w, row in zip(posterior.weights, posterior.samples, strict=True):
        lines.append(",".join([f"{w:.6g}", *(f"{x:.6g}" for x in row)]))
    return calibrated, summary, "\n".join(lines) + "\n"


def _raw_coefficients() -> dict:
    from importlib import resources

    text = resources.files("model.catalogue").joinpath("coefficients.yaml").read_text("utf-8")
    return yaml.safe_load(text)["coefficients"]


def write_documents(
    calibrated: dict, summary: dict, samples: str, out_dir: str | Path = CALIBRATED_FILE.parent
) -> Path:
    """Write calibrated.yaml, posterior.yaml and posterior.csv into ``out_dir``."""
    out = Path(out_dir)
    (out / "calibrated.yaml").write_text(
        CALIBRATED_HEADER + yaml.safe_dump(calibrated, sort_keys=False, width=100), encoding="utf-8"
    )
    (out / "posterior.yaml").write_text(
        POSTERIOR_HEADER + yaml.safe_dump(summary, sort_keys=False, width=100), encoding="utf-8"
    )
    (out / "posterior.csv").write_text(samples, encoding="utf-8")
    return out
