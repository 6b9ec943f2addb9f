"""How well the historical replay fits the polls, and whether it shows the known signatures.

Why: teachers and analysts trust the model only if it reproduces what happened. This module
turns an ensemble's tidy table (run, month, variable, value) into the numbers the docs and the
Model & data page show: per poll wave the simulated median and 90% band against the published
value, per series the error of the median (RMSE, mean bias) and the coverage of the band, and
the stylised facts of the period as pass/fail checks over the runs.

Everything here reads outputs; nothing changes the model. Poll waves are compared over their
fieldwork months (see :mod:`model.analysis.polls`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.analysis.polls import (
    VISITOR_TARGETS,
    VISITOR_YEARS,
    PollTarget,
    load_opinion,
    poll_targets,
    series_offset,
    visitor_change,
    visitor_targets,
    yearly_launches,
)
from model.catalogue import TRAVEL_VARIABLES
from model.i18n import DEFAULT_LANGUAGE, DEFAULT_PLACES, tr

BAND = (0.05, 0.95)
"""The ensemble band drawn and scored: 90% of runs."""

SIGNATURE_SHARE = 0.8
"""A signature holds when its direction is right in the median and in this share of runs."""


def wide(table: pd.DataFrame, variable: str) -> pd.DataFrame:
    """One variable as a month x run matrix (months sorted).

    Raises:
        KeyError: if the table has no such variable.
    """
    sub = table[table["variable"] == variable]
    if sub.empty:
        raise KeyError(f"variable {variable!r} is not in the run table")
    sub = sub.assign(month=sub["month"].astype(str))  # run_ensemble gives categories
    return sub.pivot(index="month", columns="run", values="value").sort_index()


def window_mean(w: pd.DataFrame, months: Iterable[str]) -> np.ndarray:
    """Per-run mean of a month x run matrix over the given months.

    Raises:
        KeyError: if a month is outside the simulated period.
    """
    months = list(months)
    missing = [m for m in months if m not in w.index]
    if missing:
        raise KeyError(f"months {missing} are outside the simulated period")
    return w.loc[months].to_numpy(dtype=float).mean(axis=0)


def year_mean(w: pd.DataFrame, year: int) -> np.ndarray:
    """Per run, the mean of a month x run matrix over the simulated months of ``year``."""
    return window_mean(w, [m for m in w.index if m.startswith(str(year))])


def poll_points(table: pd.DataFrame, targets: list[PollTarget] | None = None) -> pd.DataFrame:
    """Each poll wave against the simulated median and 90% band over its fieldwork months.

    The simulated share is shifted by the series' wording offset (non-zero only for the
    Cabinet Office affinity series) before it is compared.

    Args:
        table: tidy run table of the replay.
        targets: poll waves (default: all training targets up to 2019-12).

    Returns:
        One row per wave: series, variable, year, month, observed, observed_model_scale
        (observed minus the wording offset, for drawing against the simulated variable),
        median, low, high (offset included), inside (observed within the band), error
        (median - observed; for visitor totals in percent of the observed), confidence. A
        visitor total's month is the middle of its year, where a yearly mean belongs on a chart.
    """
    targets = poll_targets() if targets is None else targets
    cache: dict[str, pd.DataFrame] = {}
    rows = []
    for t in targets:
        w = cache.setdefault(t.variable, wide(table, t.variable))
        vals = window_mean(w, t.months) + series_offset(t.series)
        lo, med, hi = np.quantile(vals, [BAND[0], 0.5, BAND[1]])
        visitors = t.series in VISITOR_TARGETS
        rows.append(
            {
                "series": t.series,
                "variable": t.variable,
                "year": t.year,
                "month": t.months[len(t.months) // 2] if visitors else t.month,
                "observed": t.value,
                "observed_model_scale": t.value - series_offset(t.series),
                "median": float(med),
                "low": float(lo),
                "high": float(hi),
                "inside": bool(lo <= t.value <= hi),
                "error": float(100.0 * (med / t.value - 1.0) if visitors else med - t.value),
                "confidence": t.confidence,
            }
        )
    return pd.DataFrame(rows)


def travel_points(table: pd.DataFrame) -> pd.DataFrame:
    """Yearly visitor totals 2012-2019 against the simulated travel (see :func:`poll_points`).

    The ``role`` column says what each year is to the model: ``opening`` (2012, the replay's
    starting rate), ``training`` (2013-2018, calibration targets) or ``test`` (2019, the
    boycott year, never fitted).
    """
    first, last = VISITOR_YEARS
    points = poll_points(table, visitor_targets(years=(first - 1, last + 1)))
    points["role"] = np.select(
        [points["year"] < first, points["year"] > last], ["opening", "test"], default="training"
    )
    return points


def series_errors(points: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Error of the ensemble median per series, from :func:`poll_points` (training rows only).

    Returns:
        One row per series: n (waves), unit (points, or % for visitor totals), rmse, bias
        (mean of median - observed), mae, coverage (share of waves inside the 90% band), label.
    """
    if "role" in points:
        points = points[points["role"] == "training"]
    rows = []
    for key, grp in points.groupby("series", sort=False):
        err = grp["error"].to_numpy()
        rows.append(
            {
                "series": key,
                "label": tr(f"history.series.{key}", lang),
                "n": len(grp),
                "unit": "%" if key in VISITOR_TARGETS else tr("history.points", lang),
                "rmse": float(np.sqrt(np.mean(err**2))),
                "bias": float(err.mean()),
                "mae": float(np.abs(err).mean()),
                "coverage": float(grp["inside"].mean()),
            }
        )
    return pd.DataFrame(rows)


def bands(
    table: pd.DataFrame,
    variables: Iterable[str] = ("kr_favorable_japan", "jp_favorable_korea"),
) -> pd.DataFrame:
    """Monthly median and 90% band of the given variables, for charts.

    Returns:
        Columns month, variable, low, median, high.
    """
    frames = []
    for v in variables:
        w = wide(table, v).to_numpy(dtype=float)
        q = np.quantile(w, [BAND[0], 0.5, BAND[1]], axis=1)
        months = sorted(str(m) for m in table.loc[table["variable"] == v, "month"].unique())
        frames.append(pd.DataFrame({"month": months, "variable": v, "low": q[0], "median": q[1], "high": q[2]}))
    return pd.concat(frames, ignore_index=True)


# --- signatures ---------------------------------------------------------------------------


@dataclass
class Signature:
    """One stylised fact of 2012-2019 and whether the replay shows it.

    Its words (the fact, what the data say, what was measured) live in the translation layer
    under ``history.signature.<key>``; :meth:`text` renders them in the reader's language.

    Attributes:
        key: short id (also the key of its texts).
        simulated: median simulated change (units of the ``measure`` text).
        share: share of runs in which the direction is right.
        holds: direction right in the median and in at least :data:`SIGNATURE_SHARE` of runs.
        scripted: True when the replay schedules the fact as an input (then it is a check of
            the scenario, not of the model's mechanisms).
        values: numbers from the data that the texts quote.
        details: further simulated numbers.
    """

    key: str
    simulated: float
    share: float
    holds: bool
    scripted: bool = False
    values: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    def text(self, part: str, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> str:
        """One of the signature's texts: ``claim``, ``observed`` or ``measure``."""
        return tr(f"history.signature.{self.key}.{part}", lang, places, **self.values)


def _direction(diff: np.ndarray, sign: int) -> tuple[float, float, bool]:
    med = float(np.median(diff))
    share = float(np.mean(np.sign(diff) == sign))
    return med, share, bool(np.sign(med) == sign and share >= SIGNATURE_SHARE)


def _targets_by(series: str) -> dict[int, PollTarget]:
    return {t.year: t for t in poll_targets(series=(series,))}


def _change(
    key: str, w: pd.DataFrame, later: Iterable[str], earlier: Iterable[str], sign: int, **extra: Any
) -> Signature:
    """A signature that one variable moves in direction ``sign`` from one window to a later one.

    Args:
        key: The signature's id.
        w: The variable as a month x run matrix (see :func:`wide`).
        later: Months of the later window.
        earlier: Months of the earlier window.
        sign: +1 for a rise, -1 for a fall.
        **extra: Further fields of the :class:`Signature` (``values``, ``details``...).
    """
    diff = window_mean(w, later) - window_mean(w, earlier)
    med, share, holds = _direction(diff, sign)
    return Signature(key, med, share, holds, **extra)


def sig_jp_drop_after_dokdo(table: pd.DataFrame) -> Signature:
    """Japanese affinity falls between the month before the Dokdo visit and the 2012 wave."""
    co = _targets_by("jp_affinity")
    return _change("jp_drop_after_dokdo", wide(table, "jp_favorable_korea"), co[2012].months, ["2012-07"], -1)


def sig_jp_further_fall_2014(table: pd.DataFrame) -> Signature:
    """Japanese affinity is lower at the 2014 wave than at the 2012 wave."""
    co = _targets_by("jp_affinity")
    return _change("jp_further_fall_2014", wide(table, "jp_favorable_korea"), co[2014].months, co[2012].months, -1)


def sig_kr_slow_rise(table: pd.DataFrame) -> Signature:
    """Korean good impressions rise from the 2013 wave to the spring 2019 wave."""
    w = wide(table, "kr_favorable_japan")
    gn = _targets_by("kr_good_impression")
    mid = window_mean(w, gn[2016].months) - window_mean(w, gn[2013].months)
    return _change(
        "kr_slow_rise",
        w,
        gn[2019].months,
        gn[2013].months,
        +1,
        details={"median_rise_to_2016": float(np.median(mid))},
    )


def sig_nk_threat_2018_2022(table: pd.DataFrame) -> Signature:
    """The simulated North Korean threat is lower in 2018 than 2017 and higher in 2022 than 2021.

    The launches themselves are scripted inputs of the replay (0 missiles in 2018, 69 in 2022,
    from the CNS database); what is tested is the model's threat level responding to them.
    """
    w = wide(table, "nk_threat")
    d18 = year_mean(w, 2018) - year_mean(w, 2017)
    d22 = year_mean(w, 2022) - year_mean(w, 2021)
    both = np.minimum(-d18, d22)
    med, share, holds = _direction(both, +1)
    yearly = yearly_launches()
    return Signature(
        "nk_launches_2018_2022",
        med,
        share,
        holds,
        scripted=True,
        details={
            "median_2018_minus_2017": float(np.median(d18)),
            "median_2022_minus_2021": float(np.median(d22)),
        },
        values={"launches_2018": yearly[2018], "launches_2022": yearly[2022]},
    )


def sig_people_fall_2019(table: pd.DataFrame) -> Signature:
    """The people-to-people track falls after the July 2019 export controls (the boycott).

    Nothing on the publics' side is scripted: the fall must come from the model's response to
    the export controls and white-list removal.
    """
    return _change(
        "people_fall_2019",
        wide(table, "people"),
        [f"2019-{m:02d}" for m in range(8, 13)],
        [f"2019-{m:02d}" for m in range(1, 7)],
        -1,
        values={"change": f"{visitor_change():+.1%}"},
    )


def sig_kr_visitors_fall_2019(table: pd.DataFrame) -> Signature:
    """Korean visitors to Japan are fewer in 2019 than in 2018 (the boycott), in percent.

    2019 is no calibration target; the boycott's size per month comes from JNTO's August to
    October 2019 figures (``travel_boycott``), so what is tested is that the model starts the
    boycott after the July controls, keeps it going, and what that does to the year's total.
    """
    w = wide(table, "kr_visitors_japan")
    change = 100.0 * (year_mean(w, 2019) / year_mean(w, 2018) - 1.0)
    med, share, holds = _direction(change, -1)
    return Signature(
        "kr_visitors_fall_2019", med, share, holds, values={"change": f"{visitor_change():+.1%}"}
    )


SIGNATURES: tuple[Callable[[pd.DataFrame], Signature], ...] = (
    sig_jp_drop_after_dokdo,
    sig_jp_further_fall_2014,
    sig_kr_slow_rise,
    sig_nk_threat_2018_2022,
    sig_people_fall_2019,
    sig_kr_visitors_fall_2019,
)


def signatures(table: pd.DataFrame) -> list[Signature]:
    """Check every signature of the period on a replay's run table."""
    return [check(table) for check in SIGNATURES]


def signatures_frame(sigs: list[Signature], lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> pd.DataFrame:
    """Signatures as a table with their texts in the reader's language (details dropped)."""
    return pd.DataFrame(
        [
            {
                "key": sig.key,
                "claim": sig.text("claim", lang, places),
                "observed": sig.text("observed", lang, places),
                "simulated": sig.simulated,
                "share": sig.share,
                "holds": sig.holds,
                "measure": sig.text("measure", lang, places),
                "scripted": sig.scripted,
            }
            for sig in sigs
        ]
    )


# --- the page's data -----------------------------------------------------------------------


@dataclass
class FitView:
    """Everything the Model & data page and docs/VALIDATION.md draw.

    Attributes:
        bands: monthly median and 90% band of both publics' favourable shares.
        points: poll waves (training targets) with the simulated values at their fieldwork.
        travel_bands: the same bands for travel each way (millions of visitors a year).
        travel_points: yearly visitor totals 2012-2019 with their role (see
            :func:`travel_points`).
        errors: error per series (polls in points, visitor totals in percent).
        signatures: stylised-fact checks.
        other_polls: other published polls on the same subjects (context, not targets).
        runs: ensemble size.
        seed: root seed.
    """

    bands: pd.DataFrame
    points: pd.DataFrame
    travel_bands: pd.DataFrame
    travel_points: pd.DataFrame
    errors: pd.DataFrame
    signatures: pd.DataFrame
    other_polls: pd.DataFrame
    runs: int
    seed: int


def fit_view(table: pd.DataFrame, seed: int = 0, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> FitView:
    """Compute the fit of a replay run table (see :class:`FitView`), texts in ``lang``."""
    points = poll_points(table)
    opinion = load_opinion()
    other = opinion[
        opinion["series"].isin(
            [
                "gallup_korea_KR_favorable_japan_pct",
                "pew_KR_favorable_japan_pct",
                "pew_JP_favorable_southkorea_pct",
            ]
        )
    ][["year", "series", "value", "fieldwork", "source_url_or_title"]]
    travel = travel_points(table)
    return FitView(
        bands=bands(table),
        points=points,
        travel_bands=bands(table, TRAVEL_VARIABLES),
        travel_points=travel,
        errors=pd.concat([series_errors(points, lang), series_errors(travel, lang)], ignore_index=True),
        signatures=signatures_frame(signatures(table), lang, places),
        other_polls=other.reset_index(drop=True),
        runs=int(table["run"].nunique()),
        seed=seed,
    )


def replay_fit(
    scenario_path: str | None = None,
    runs: int = 100,
    seed: int = 2012,
    progress: Callable | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> FitView:
    """Run the historical replay (with the calibrated coefficients) and compute its fit.

    The docs' figures come from this function via ``scripts/build_validation.py``; the Model &
    data page runs the same replay once and calls :func:`fit_view` per reader's language.

    Args:
        scenario_path: replay file (default: the shipped ``history-2012-2025.yaml``).
        runs: ensemble size.
        seed: root seed.
        progress: optional callback passed to the ensemble runner.
        lang: language of the texts (signature claims, series labels).
        places: place-name setting for those texts.
    """
    from model.analysis.calibration import run_replay

    table = run_replay(scenario_path, runs=runs, seed=seed, progress=progress)
    return fit_view(table, seed=seed, lang=lang, places=places)
