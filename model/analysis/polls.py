"""The published polls as calibration targets, each placed at its fieldwork months.

Why: the model steps monthly, and a poll measures opinion while it is in the field, not in the
calendar year it is filed under (the Cabinet Office's FY2015 wave was fielded in January 2016;
the Genron NPO / EAI 2019 wave in May-June 2019, before Japan's July 2019 export controls).
Comparing the simulated public over exactly those months is what makes the 2019 test honest.

Polls dated 2020 or later are held out to judge the model. The shipped files contain none, and
this module refuses to build a target whose fieldwork reaches into the hold-out period, so no
calibration can be tuned to them by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

HOLDOUT_START = "2020-01"
"""First month held out: no calibration target may be dated on or after it."""

_MONTH_NAMES = ("january february march april may june july august september october november december").split()
_MONTHS = (
    {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
    | {name[:3]: i for i, name in enumerate(_MONTH_NAMES, start=1)}
    | {"sept": 9}
)


class HoldoutError(ValueError):
    """A poll dated in the hold-out period (2020 on) was about to be used as a target."""


@dataclass(frozen=True)
class SeriesSpec:
    """How one published series maps onto a simulated variable.

    Attributes:
        key: short name used in reports and charts.
        csv_series: the ``series`` value in ``opinion_until_2019.csv``.
        variable: the simulated variable (column ``variable`` of the tidy run table).
        label: what the question asks, in a few words.
        first_year: first year used as a target (earlier rows are context only).
    """

    key: str
    csv_series: str
    variable: str
    label: str
    first_year: int


TARGET_SERIES: tuple[SeriesSpec, ...] = (
    SeriesSpec(
        "kr_good_impression",
        "genron_eai_KR_good_impression_of_japan_pct",
        "kr_favorable_japan",
        "Genron NPO/EAI: Koreans with a good impression of Japan (%)",
        2013,
    ),
    SeriesSpec(
        "jp_good_impression",
        "genron_eai_JP_good_impression_of_korea_pct",
        "jp_favorable_korea",
        "Genron NPO/EAI: Japanese with a good impression of Korea (%)",
        2013,
    ),
    SeriesSpec(
        "jp_affinity",
        "cabinet_office_JP_affinity_toward_korea_pct",
        "jp_favorable_korea",
        "Cabinet Office: Japanese feeling affinity toward Korea (%)",
        2012,
    ),
)
SERIES = {s.key: s for s in TARGET_SERIES}


@dataclass(frozen=True)
class PollTarget:
    """One poll wave to compare with the simulation.

    Attributes:
        series: key of the :class:`SeriesSpec`.
        variable: simulated variable it is compared with.
        year: year the source files it under (the FY2015 Cabinet Office wave is 2015).
        months: the fieldwork months, "YYYY-MM", in order.
        value: published value (%).
        confidence: the source file's confidence note (exact, derived, ...).
        source: where the number comes from.
    """

    series: str
    variable: str
    year: int
    months: tuple[str, ...]
    value: float
    confidence: str
    source: str

    def __post_init__(self) -> None:
        if not self.months:
            raise ValueError(f"{self.series} {self.year}: no fieldwork months")
        if self.months[-1] >= HOLDOUT_START:
            raise HoldoutError(
                f"{self.series} {self.year}: fieldwork {self.months[0]}..{self.months[-1]} "
                f"reaches into the hold-out period (from {HOLDOUT_START}); polls from 2020 on "
                "are never calibration targets"
            )

    @property
    def month(self) -> str:
        """The last fieldwork month: the latest state the respondents could have seen."""
        return self.months[-1]

    @property
    def derived(self) -> bool:
        """True when the value was derived by arithmetic from a reported value and change."""
        return self.confidence.startswith("derived")


def _data_file(name: str):
    return resources.files("model").joinpath("data", name)


@cache
def _read_csv(name: str) -> pd.DataFrame:
    with _data_file(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def load_opinion() -> pd.DataFrame:
    """The published polls, as shipped in model/data (a copy; callers may modify it)."""
    return _read_csv("opinion_until_2019.csv").copy()


def load_visitors() -> pd.DataFrame:
    """Visitor and trade figures up to 2019, as shipped in model/data."""
    return _read_csv("visitors_trade_until_2019.csv").copy()


def yearly_launches() -> dict[int, int]:
    """North Korean missiles per year (CNS database count, all missiles)."""
    df = _read_csv("nk_missiles_yearly.csv")
    return dict(zip(df["year"].astype(int), df["cns_missiles_all"].astype(int), strict=True))


def fieldwork_months(text: str) -> tuple[str, ...]:
    """Parse a fieldwork note such as "Sep 27-Oct 7 2012" or "May-Jun 2019" into months.

    Args:
        text: the ``fieldwork`` cell of the opinion file.

    Returns:
        The months from the first to the last month named, as "YYYY-MM".

    Raises:
        ValueError: if the text names no month or no year.
    """
    years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", text)]
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", text)]
    months = [_MONTHS[w] for w in words if w in _MONTHS]
    if not years or not months:
        raise ValueError(f"cannot read fieldwork months from {text!r}")
    year = years[0]
    first, last = months[0], months[-1]
    end_year = year + 1 if last < first else year
    out, y, m = [], year, first
    while (y, m) <= (end_year, last):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def poll_targets(until: str = "2019-12", series: tuple[str, ...] | None = None) -> list[PollTarget]:
    """The calibration targets: the chosen poll waves whose fieldwork ends by ``until``.

    Args:
        until: last month of the training window, "YYYY-MM"; must be before 2020-01.
        series: keys of :data:`SERIES` to include (default: all three).

    Returns:
        Targets sorted by series and month.

    Raises:
        HoldoutError: if ``until`` reaches into the hold-out period.
        KeyError: for an unknown series key.
    """
    if until >= HOLDOUT_START:
        raise HoldoutError(f"training window ends {until}: polls from {HOLDOUT_START} on are held out")
    keys = series or tuple(SERIES)
    data = _read_csv("opinion_until_2019.csv")
    out: list[PollTarget] = []
    for key in keys:
        spec = SERIES[key]
        rows = data[(data["series"] == spec.csv_series) & (data["year"] >= spec.first_year)]
        for row in rows.itertuples(index=False):
            target = PollTarget(
                series=key,
                variable=spec.variable,
                year=int(row.year),
                months=fieldwork_months(str(row.fieldwork)),
                value=float(row.value),
                confidence=str(row.confidence),
                source=str(row.source_url_or_title),
            )
            if target.month <= until:
                out.append(target)
    return sorted(out, key=lambda t: (t.series, t.month))


def targets_frame(targets: list[PollTarget]) -> pd.DataFrame:
    """The targets as a table (series, variable, year, first/last fieldwork month, value, ...)."""
    return pd.DataFrame(
        [
            {
                "series": t.series,
                "variable": t.variable,
                "year": t.year,
                "first_month": t.months[0],
                "month": t.month,
                "value": t.value,
                "confidence": t.confidence,
                "source": t.source,
            }
            for t in targets
        ]
    )


@dataclass(frozen=True)
class ContextValue:
    """A pre-2012 poll used to set the initial state, not as a target."""

    series: str
    year: int
    value: float
    source: str


def context_values() -> dict[str, ContextValue]:
    """The 2011 context values the replay starts from.

    Returns:
        ``jp_affinity`` (Cabinet Office 2011, 62.2, before the 2012 Dokdo visit) and
        ``kr_favorable`` (Gallup Korea 2011, 41, just after the Tohoku earthquake).
    """
    data = _read_csv("opinion_until_2019.csv")
    wanted = {
        "jp_affinity": "cabinet_office_JP_affinity_toward_korea_pct",
        "kr_favorable": "gallup_korea_KR_favorable_japan_pct",
    }
    out = {}
    for key, csv_series in wanted.items():
        row = data[(data["series"] == csv_series) & (data["year"] == 2011)].iloc[0]
        out[key] = ContextValue(csv_series, 2011, float(row["value"]), str(row["source_url_or_title"]))
    return out


def affinity_offset(until_year: int = 2018) -> tuple[float, int]:
    """Mean gap between the Cabinet Office affinity and the Genron NPO good impression in Japan.

    Why: the two polls ask different questions ("feel affinity" vs "good impression") and are
    never spliced; the simulated ``jp_favorable_korea`` is on the Genron NPO scale, and the
    Cabinet Office series is compared with it through this constant wording offset, measured
    from the years both polls were fielded. 2019 is left out because its two waves straddle
    the July 2019 export controls (Genron in May-June, Cabinet Office in October).

    Args:
        until_year: last paired year used.

    Returns:
        (offset in percentage points, number of paired years).
    """
    data = _read_csv("opinion_until_2019.csv")
    co = data[data["series"] == SERIES["jp_affinity"].csv_series].set_index("year")["value"]
    gn = data[data["series"] == SERIES["jp_good_impression"].csv_series].set_index("year")["value"]
    years = [y for y in co.index.intersection(gn.index) if y <= until_year]
    gap = (co.loc[years] - gn.loc[years]).mean()
    return float(gap), len(years)


def series_offset(key: str) -> float:
    """Offset added to the simulated share before comparing it with series ``key``.

    Zero for the Genron NPO / EAI series (the simulated shares are on their scale); the
    wording offset of :func:`affinity_offset` for the Cabinet Office affinity series.
    """
    if key == "jp_affinity":
        return affinity_offset()[0]
    if key not in SERIES and key not in VISITOR_TARGETS:
        raise KeyError(key)
    return 0.0


VISITOR_SERIES = {
    "kr_visitors_japan": "jnto_korean_visitors_to_japan",
    "jp_visitors_korea": "kto_japanese_visitors_to_korea",
}
"""Simulated travel variable -> its visitor series (JNTO counts Koreans, KTO Japanese)."""


VISITOR_TARGETS = {"kr_visitors": "kr_visitors_japan", "jp_visitors": "jp_visitors_korea"}
"""Target series key -> simulated travel variable."""
VISITOR_YEARS = (2013, 2018)
"""Years of visitor totals used as targets: 2012 is the replay's opening rate, and 2019 (the
boycott year) is kept out so that its fall stays a test of the mechanisms."""
VISITOR_PERCENT_PER_POINT = 5.0
"""A miss of this many percent on a year's visitors weighs as one point of a poll in the loss.
Assumption: it makes a typical 10-15% year-to-year swing in travel weigh like a 2-3 point swing
in a poll, about the size of the polls' sampling error."""


def visitors_by_year(variable: str) -> dict[int, float]:
    """Visitors per year for a simulated travel variable, in millions (the model's unit)."""
    data = _read_csv("visitors_trade_until_2019.csv")
    rows = data[data["series"] == VISITOR_SERIES[variable]]
    return {int(r.year): float(r.value) / 1e6 for r in rows.itertuples(index=False)}


def visitor_targets(until: str = "2019-12", years: tuple[int, int] = VISITOR_YEARS) -> list[PollTarget]:
    """Yearly visitor totals as calibration targets, each compared over its twelve months.

    The simulated travel variables are annualised monthly rates, so a year's total is their
    mean over the year. Only the ``years`` (first, last; default :data:`VISITOR_YEARS`, the
    training years) ending by ``until`` are used; wider spans are for display.

    Raises:
        HoldoutError: if ``until`` reaches into the hold-out period.
    """
    if until >= HOLDOUT_START:
        raise HoldoutError(f"training window ends {until}: outcomes from {HOLDOUT_START} on are held out")
    data = _read_csv("visitors_trade_until_2019.csv")
    out = []
    first, last = years
    for key, variable in VISITOR_TARGETS.items():
        rows = data[(data["series"] == VISITOR_SERIES[variable]) & data["year"].between(first, last)]
        for row in rows.itertuples(index=False):
            target = PollTarget(
                series=key,
                variable=variable,
                year=int(row.year),
                months=tuple(f"{int(row.year)}-{m:02d}" for m in range(1, 13)),
                value=float(row.value) / 1e6,
                confidence=str(row.confidence),
                source=str(row.source_url_or_title),
            )
            if target.month <= until:
                out.append(target)
    return out


def target_error(key: str, simulated: np.ndarray | float, observed: float) -> np.ndarray | float:
    """Error of a simulated value against a target, in poll points.

    Polls: simulated minus observed. Visitors: the log-ratio in percent divided by
    :data:`VISITOR_PERCENT_PER_POINT` (travel is compared relatively; see there).
    """
    if key in VISITOR_TARGETS:
        return 100.0 * np.log(np.maximum(simulated, 1e-9) / observed) / VISITOR_PERCENT_PER_POINT
    return simulated - observed


def visitor_change(series: str = "jnto_korean_visitors_to_japan", year: int = 2019) -> float:
    """Relative change (fraction) of a visitor series from the year before to ``year``."""
    data = _read_csv("visitors_trade_until_2019.csv")
    s = data[data["series"] == series].set_index("year")["value"]
    return float(s.loc[year] / s.loc[year - 1] - 1.0)
