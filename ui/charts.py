"""Altair charts of an ensemble, each returned with the table of its numbers.

Every function reads the tidy table the core produces (``run``, ``month`` as ``YYYY-MM``,
``variable``, ``value``) or a frame derived from it, and returns a :class:`Figure`: the chart
and the very numbers it draws, so that a page can always offer the table beside the picture
(readers who cannot see the colours, or who want to quote a figure, use the table).

Colours come from the Okabe-Ito palette, which stays distinguishable under the common forms of
colour blindness. Every text a reader sees is looked up through :mod:`model.i18n`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import altair as alt
import numpy as np
import pandas as pd

from model.catalogue import PUBLIC_OPINION, TRACKS, TRAVEL_VARIABLES
from model.i18n import DEFAULT_LANGUAGE, DEFAULT_PLACES, axis_month_format, has, month_text, tr

# Okabe & Ito (2008), "Color Universal Design": eight colours safe for colour-blind readers.
OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (kept last: too pale for thin lines on white)
    "#000000",  # black
)
BAND_COLOUR = OKABE_ITO[0]
EVENT_COLOUR = "#555555"

# Streamlit fits the whole chart (title, axes, legend) into the given height: these leave a
# plot area of about 250 px under a title and above a legend at the bottom.
FAN_HEIGHT = 380
LEGEND_HEIGHT = 420


def _legend() -> alt.Legend:
    """A legend under the chart, with room for long translated labels."""
    return alt.Legend(orient="bottom", labelLimit=420, columns=3)


def _bars_height(rows: int) -> int:
    """Height of a horizontal bar chart: one bar per 30 px, plus title and axis."""
    return 110 + 30 * rows


PUBLICS = PUBLIC_OPINION
APPROVALS = ("kr_gov_approval", "jp_gov_approval")
# The facts chart's selection from the catalogue's INSTITUTIONS: the on/off facts of the 2019
# trade and security dispute.
INSTITUTIONS = (
    "gsomia",
    "jp_export_controls",
    "jp_whitelist_kr",
    "kr_whitelist_jp",
    "kr_countermeasures",
)
QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}


@dataclass(frozen=True)
class Figure:
    """A chart and the table of the numbers it draws.

    Attributes:
        chart: The Altair chart to render.
        data: The same numbers as a plain table, with readable column names.
    """

    chart: alt.TopLevelMixin
    data: pd.DataFrame


def variable_label(variable: str, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> str:
    """The reader's name for a model variable (the key itself when none is written yet)."""
    return tr(f"variable.{variable}", lang, places)


def _dates(months: pd.Series) -> pd.Series:
    """Turn ``YYYY-MM`` strings into timestamps so that the time axis is spaced by date."""
    return pd.to_datetime(months.astype(str) + "-01", format="%Y-%m-%d")


def _check_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the columns {missing}; it has {list(frame.columns)}")


def quantile_table(table: pd.DataFrame, variables: Sequence[str]) -> pd.DataFrame:
    """Median and the 50% and 90% bands over runs, per month and variable.

    Args:
        table: The tidy ensemble table (or a frame this function returned, used as it is).
        variables: Which variables to summarise; absent ones are skipped.

    Returns:
        Columns ``month``, ``variable``, ``q05``, ``q25``, ``median``, ``q75``, ``q95``, ``runs``.
    """
    if "median" in table.columns:  # already summarised (see ``summarise``)
        return table[table["variable"].isin(list(variables))].reset_index(drop=True)
    _check_columns(table, ("run", "month", "variable", "value"), "The results table")
    sub = table[table["variable"].isin(list(variables))]
    grouped = sub.groupby(["variable", "month"], sort=True, observed=True)["value"]
    out = pd.DataFrame({name: grouped.quantile(q) for name, q in QUANTILES.items()})
    out["runs"] = grouped.size()
    return out.reset_index()[["month", "variable", *QUANTILES, "runs"]]


def share_on_table(table: pd.DataFrame, variables: Sequence[str]) -> pd.DataFrame:
    """Share of runs (%) in which each on/off institutional fact is on, per month.

    A fact counts as on when its value is at least 0.5, so 0/1 and 0/100 codings both work.
    """
    if "share_on" in table.columns:  # already summarised (see ``summarise``)
        return table[table["variable"].isin(list(variables))].reset_index(drop=True)
    _check_columns(table, ("run", "month", "variable", "value"), "The results table")
    sub = table[table["variable"].isin(list(variables))]
    on = (sub["value"] >= 0.5).astype(float) * 100.0
    out = on.groupby([sub["variable"], sub["month"]]).mean().rename("share_on")
    return out.reset_index()[["month", "variable", "share_on"]]


def summarise(
    values: np.ndarray, months: Sequence[str], variables: Sequence[str], wanted: Iterable[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quantiles and shares-on straight from an ensemble's array, for the charts.

    Why: every widget interaction redraws the page; summarising the array once per ensemble
    (a few milliseconds with numpy) spares a group-by over the long table on every redraw.
    The charts accept these frames wherever they accept the tidy table.

    Args:
        values: Array (months, variables, runs), as the core's ensemble result holds it.
        months: Calendar labels of the first axis.
        variables: Names of the second axis.
        wanted: Variables to summarise.

    Returns:
        ``(quantiles, shares)``: the frames of :func:`quantile_table` and
        :func:`share_on_table` for the wanted variables.
    """
    index = [variables.index(v) for v in wanted if v in variables]
    names = [variables[i] for i in index]
    sub = values[:, index, :].astype(np.float64)  # (months, k, runs)
    qs = np.quantile(sub, list(QUANTILES.values()), axis=2)  # (5, months, k)
    n_t, n_k = sub.shape[0], sub.shape[1]
    month_col = np.repeat(np.asarray(months, dtype=object), n_k)
    var_col = np.tile(np.asarray(names, dtype=object), n_t)
    quant = pd.DataFrame({"month": month_col, "variable": var_col})
    for j, name in enumerate(QUANTILES):
        quant[name] = qs[j].reshape(-1)
    quant["runs"] = sub.shape[2]
    shares = pd.DataFrame(
        {"month": month_col, "variable": var_col, "share_on": (sub >= 0.5).mean(axis=2).reshape(-1) * 100}
    )
    order = ["variable", "month"]
    return (
        quant.sort_values(order, kind="stable").reset_index(drop=True)[["month", "variable", *QUANTILES, "runs"]],
        shares.sort_values(order, kind="stable").reset_index(drop=True),
    )


def _readable(frame: pd.DataFrame, lang: str, places: str) -> pd.DataFrame:
    """Add ``label`` (each variable's name for the reader), ``date`` and ``month_label`` columns.

    ``month_label`` is the month as the reader's language writes it (2026-03, 2026년 3월,
    2026年3月), for tooltips; ``month`` stays the key the charts join and filter on.
    """
    out = frame.copy()
    out["label"] = [variable_label(v, lang, places) for v in out["variable"]]
    out["date"] = _dates(out["month"])
    out["month_label"] = _month_labels(out["month"], lang)
    return out


def _month_labels(months: pd.Series, lang: str) -> pd.Series:
    """Months as the reader's language writes them (unchanged in English)."""
    if lang == DEFAULT_LANGUAGE:
        return months.astype(str)
    return months.astype(str).map(partial(month_text, lang=lang))


def _colour_scale(labels: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=list(labels), range=list(OKABE_ITO[: max(len(labels), 1)]))


def _time_x(lang: str) -> alt.X:
    return alt.X("date:T", title=tr("charts.month", lang), axis=alt.Axis(format=axis_month_format(lang)))


def _event_layer(events: pd.DataFrame | None, months: Sequence[str], lang: str = DEFAULT_LANGUAGE) -> list[alt.Chart]:
    """Dashed rules where events fall inside the chart, labelled unless they are background.

    Rows with ``labelled`` False (elections, say) get a lighter rule and a tooltip only, so
    that a crowded calendar does not bury the scenario's own events; labels are staggered on
    three lines so that close events stay readable.
    """
    if events is None or events.empty:
        return []
    _check_columns(events, ("month", "label"), "The event frame")
    inside = events[events["month"].isin(set(months))].copy()
    if inside.empty:
        return []
    inside["date"] = _dates(inside["month"])
    inside["month_label"] = _month_labels(inside["month"], lang)
    if "labelled" not in inside.columns:
        inside["labelled"] = True
    inside = inside.sort_values("date").reset_index(drop=True)
    main, background = inside[inside["labelled"]].copy(), inside[~inside["labelled"]]
    layers: list[alt.Chart] = []
    if not background.empty:
        layers.append(
            alt.Chart(background)
            .mark_rule(color=EVENT_COLOUR, strokeDash=[2, 4], opacity=0.45)
            .encode(x="date:T", tooltip=["month_label:N", "label:N"])
        )
    if not main.empty:
        main["line"] = [8 + 12 * (i % 3) for i in range(len(main))]
        base = alt.Chart(main)
        layers.append(
            base.mark_rule(color=EVENT_COLOUR, strokeDash=[4, 3]).encode(
                x="date:T", tooltip=["month_label:N", "label:N"]
            )
        )
        layers.append(
            base.mark_text(align="left", dx=3, fontSize=11, color=EVENT_COLOUR).encode(
                x="date:T", y=alt.Y("line:Q", scale=None), text="label:N"
            )
        )
    return layers


def fan_chart(
    table: pd.DataFrame,
    variable: str = "relationship_index",
    events: pd.DataFrame | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> Figure:
    """The median of one variable over months with its 50% and 90% bands, and event markers.

    Args:
        table: The tidy ensemble table.
        variable: The variable to draw (the relationship index by default).
        events: Optional frame of ``month`` and ``label`` (and ``labelled``) drawn as rules.
        lang: Language of the texts.
        places: Place-name setting for texts that carry contested names.

    Returns:
        The chart and its quantile table.
    """
    q = _readable(quantile_table(table, [variable]), lang, places)
    return _fan_from_quantiles(q, variable_label(variable, lang, places), events, lang)


def _fan_from_quantiles(
    q: pd.DataFrame,
    title: str,
    events: pd.DataFrame | None,
    lang: str,
    zero_rule: bool = False,
    y_title: str | None = None,
) -> Figure:
    base = alt.Chart(q).encode(x=_time_x(lang))
    band90 = base.mark_area(opacity=0.18, color=BAND_COLOUR).encode(
        y=alt.Y("q05:Q", title=y_title or title), y2="q95:Q"
    )
    band50 = base.mark_area(opacity=0.35, color=BAND_COLOUR).encode(y="q25:Q", y2="q75:Q")
    median = base.mark_line(color=BAND_COLOUR, strokeWidth=2).encode(
        y="median:Q",
        tooltip=[
            alt.Tooltip("month_label:N", title=tr("charts.month", lang)),
            alt.Tooltip("median:Q", title=tr("charts.median", lang), format=".1f"),
            alt.Tooltip("q25:Q", title="25%", format=".1f"),
            alt.Tooltip("q75:Q", title="75%", format=".1f"),
            alt.Tooltip("q05:Q", title="5%", format=".1f"),
            alt.Tooltip("q95:Q", title="95%", format=".1f"),
        ],
    )
    layers: list[alt.Chart] = [band90, band50, median]
    if zero_rule:
        layers.append(alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="black").encode(y="zero:Q"))
    layers += _event_layer(events, list(q["month"]), lang)
    chart = alt.layer(*layers).properties(title=title, height=FAN_HEIGHT)
    return Figure(chart, _table_for_reader(q, lang))


def _column_names(lang: str) -> dict[str, str]:
    """What a reader calls each column of the charts' tables (one wording for every table)."""
    return {
        "month": tr("charts.month", lang),
        "label": tr("charts.variable", lang),
        "series": tr("charts.source", lang),
        "source": tr("charts.source", lang),
        "observed_model_scale": tr("charts.observed", lang),
        "q05": "5%",
        "low": "5%",
        "q25": "25%",
        "median": tr("charts.median", lang),
        "q75": "75%",
        "q95": "95%",
        "high": "95%",
        "inside_text": tr("charts.inside_band", lang),
        "role_text": tr("charts.role", lang),
        "share_on": tr("charts.share_on", lang),
    }


def _reader_table(
    frame: pd.DataFrame, columns: Sequence[str], lang: str, extra: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The given columns of a frame, in that order, renamed for the reader (``extra`` adds names)."""
    names = _column_names(lang) | dict(extra or {})
    out = frame[list(columns)]
    if "month" in out.columns and lang != DEFAULT_LANGUAGE:
        out = out.assign(month=_month_labels(out["month"], lang))
    return out.rename(columns=names).reset_index(drop=True)


def _table_for_reader(q: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The quantile numbers with column names a reader understands."""
    keep = [c for c in ("month", "label", "q05", "q25", "median", "q75", "q95") if c in q.columns]
    return _reader_table(q, keep, lang).round(2)


def _observed_points(
    points: pd.DataFrame, y: str, colour: alt.Color, tooltip: list[alt.Tooltip], size: int
) -> alt.Chart:
    """Published observations (poll waves) as black-edged diamonds in their variable's colour."""
    return (
        alt.Chart(points)
        .mark_point(filled=True, size=size, shape="diamond", stroke="black", strokeWidth=0.7)
        .encode(x="date:T", y=y, color=colour, tooltip=tooltip)
    )


def axis_title(variables: Sequence[str], lang: str) -> str:
    """The value axis's title: 0-100 for tracks and shares, millions a year for travel."""
    travel = [v in TRAVEL_VARIABLES for v in variables]
    if travel and all(travel):
        return tr("charts.millions_a_year", lang)
    return tr("charts.value_mixed" if any(travel) else "charts.value", lang)


def lines_chart(
    table: pd.DataFrame,
    variables: Sequence[str],
    title_key: str,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
    points: pd.DataFrame | None = None,
) -> Figure:
    """Medians of several variables with their 50% bands, one Okabe-Ito colour each.

    Args:
        table: The tidy ensemble table.
        variables: The variables to draw, in legend order.
        title_key: Translation key of the chart's title.
        lang: Language of the texts.
        places: Place-name setting.
        points: Optional observations (``variable``, ``month``, ``value``, ``source``) drawn
            as points in the colour of their variable, e.g. published polls.

    Returns:
        The chart and its table (quantiles, then any observed points).
    """
    present = [v for v in variables if v in set(table["variable"].unique())]
    q = _readable(quantile_table(table, present), lang, places)
    labels = [variable_label(v, lang, places) for v in present]
    colour = alt.Color("label:N", scale=_colour_scale(labels), title=None, legend=_legend())
    base = alt.Chart(q).encode(x=_time_x(lang), color=colour)
    band = base.mark_area(opacity=0.22).encode(y="q25:Q", y2="q75:Q")
    median = base.mark_line(strokeWidth=2).encode(
        y=alt.Y("median:Q", title=axis_title(present, lang)),
        tooltip=[
            alt.Tooltip("label:N", title=tr("charts.variable", lang)),
            alt.Tooltip("month_label:N", title=tr("charts.month", lang)),
            alt.Tooltip("median:Q", title=tr("charts.median", lang), format=".1f"),
        ],
    )
    layers: list[alt.Chart] = [band, median]
    data = _table_for_reader(q, lang)
    if points is not None and not points.empty:
        pts = points[points["variable"].isin(present)].copy()
        if not pts.empty:
            pts = _readable(pts, lang, places)
            tooltip = [
                alt.Tooltip("label:N", title=tr("charts.variable", lang)),
                alt.Tooltip("month_label:N", title=tr("charts.month", lang)),
                alt.Tooltip("value:Q", title=tr("charts.observed", lang), format=".1f"),
                alt.Tooltip("source:N", title=tr("charts.source", lang)),
            ]
            layers.append(_observed_points(pts, "value:Q", colour, tooltip, size=70))
            observed = _reader_table(
                pts, ["month", "label", "value", "source"], lang, extra={"value": tr("charts.observed", lang)}
            )
            data = pd.concat([data, observed], ignore_index=True)
    chart = alt.layer(*layers).properties(title=tr(title_key, lang, places), height=LEGEND_HEIGHT)
    return Figure(chart, data)


def tracks_chart(table: pd.DataFrame, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> Figure:
    """The five relationship tracks (diplomatic, security, economic, history, people)."""
    return lines_chart(table, TRACKS, "charts.tracks_title", lang, places)


def approval_chart(table: pd.DataFrame, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> Figure:
    """Approval of the Korean and the Japanese governments."""
    return lines_chart(table, APPROVALS, "charts.approval_title", lang, places)


def travel_chart(table: pd.DataFrame, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> Figure:
    """Travel each way, millions of visitors a year: what a boycott or a thaw does to people."""
    return lines_chart(table, TRAVEL_VARIABLES, "charts.travel_chart_title", lang, places)


# Poll series -> the model variable they measure. The model variables themselves map to
# themselves, so a poll frame may use either naming.
POLL_SERIES_VARIABLE = {
    "kr_favorable_japan": "kr_favorable_japan",
    "jp_favorable_korea": "jp_favorable_korea",
    "genron_eai_KR_good_impression_of_japan": "kr_favorable_japan",
    "genron_eai_JP_good_impression_of_korea": "jp_favorable_korea",
    "cabinet_office_JP_affinity_toward_korea_pct": "jp_favorable_korea",
}


def polls_as_points(polls: pd.DataFrame | None) -> pd.DataFrame:
    """Turn poll targets (``series``, ``month``, ``value``, ``source``) into chart points.

    A ``variable`` column, when present (as in ``model.analysis.polls.targets_frame``), names
    the simulated variable each poll measures; otherwise the series name is looked up. Series
    that measure neither public's favourability are left out, since they would be drawn
    against a variable they do not measure.
    """
    cols = ["variable", "month", "value", "source"]
    if polls is None or polls.empty:
        return pd.DataFrame(columns=cols)
    _check_columns(polls, ("series", "month", "value"), "The poll frame")
    out = polls.copy()
    if "variable" not in out.columns:
        out["variable"] = out["series"].map(lambda s: POLL_SERIES_VARIABLE.get(str(s)))
    if "source" not in out.columns:
        out["source"] = out["series"]
    out["source"] = out["source"].fillna(out["series"]).astype(str)
    out = out.dropna(subset=["variable"])
    return out[cols].reset_index(drop=True)


def publics_chart(
    table: pd.DataFrame,
    polls: pd.DataFrame | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> Figure:
    """Both publics' favourability, with the published polls as points where they overlap."""
    points = polls_as_points(polls)
    months = set(table["month"].unique())
    points = points[points["month"].isin(months)]
    return lines_chart(table, PUBLICS, "charts.publics_title", lang, places, points=points)


def institutions_chart(
    table: pd.DataFrame,
    variables: Sequence[str] = INSTITUTIONS,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> Figure:
    """Share of runs in which each institutional fact (GSOMIA, export controls...) is on."""
    present = [v for v in variables if v in set(table["variable"].unique())]
    s = _readable(share_on_table(table, present), lang, places)
    labels = [variable_label(v, lang, places) for v in present]
    chart = (
        alt.Chart(s)
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=_time_x(lang),
            y=alt.Y("share_on:Q", title=tr("charts.share_on", lang), scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "label:N",
                scale=_colour_scale(labels),
                title=None,
                legend=_legend(),
            ),
            strokeDash=alt.StrokeDash("label:N", legend=None),
            tooltip=[
                alt.Tooltip("label:N", title=tr("charts.variable", lang)),
                alt.Tooltip("month_label:N", title=tr("charts.month", lang)),
                alt.Tooltip("share_on:Q", title=tr("charts.share_on", lang), format=".0f"),
            ],
        )
        .properties(title=tr("charts.institutions_title", lang, places), height=LEGEND_HEIGHT)
    )
    return Figure(chart, _reader_table(s, ["month", "label", "share_on"], lang).round(1))


def paired_difference(table_a: pd.DataFrame, table_b: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Per-run difference B minus A of one variable, on the months and runs both share.

    With the same seed, run ``i`` of both ensembles draws from the same random stream, so the
    pairwise difference isolates the effect of what differs between the scenarios.
    """
    cols = ["run", "month", "value"]
    # Months as plain text: two ensembles' categorical months have different category sets.
    a = table_a.loc[table_a["variable"] == variable, cols].astype({"month": str})
    b = table_b.loc[table_b["variable"] == variable, cols].astype({"month": str})
    merged = a.merge(b, on=["run", "month"], suffixes=("_a", "_b"))
    merged["value"] = merged["value_b"] - merged["value_a"]
    merged["variable"] = variable
    return merged[["run", "month", "variable", "value"]]


def difference_fan_chart(
    table_a: pd.DataFrame,
    table_b: pd.DataFrame,
    variable: str = "relationship_index",
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> Figure:
    """Fan chart of B minus A, run by run: above zero, B leaves the relationship warmer."""
    diff = paired_difference(table_a, table_b, variable)
    if diff.empty:
        raise ValueError(tr("charts.no_overlap", lang))
    q = _readable(quantile_table(diff, [variable]), lang, places)
    title = tr("charts.difference_title", lang, places, variable=variable_label(variable, lang, places))
    return _fan_from_quantiles(q, title, None, lang, zero_rule=True, y_title=tr("charts.difference_axis", lang))


def _cause_names(grouped: pd.DataFrame, cause_label: Mapping[str, str], lang: str, places: str) -> list[str]:
    """A readable name per (cause, actor) row; the actor is added where a cause has several.

    E.g. "Join a trilateral exercise (Seoul)" and "... (Tokyo)" rather than the same label twice.
    """
    actors_per_cause = grouped.groupby("cause")["actor"].nunique()
    names = []
    for r in grouped.itertuples():
        name = cause_label.get(r.cause, r.cause)
        if actors_per_cause.get(r.cause, 1) > 1:
            name = tr("charts.by_actor", lang, places, cause=name, actor=tr(f"actor.{r.actor}", lang, places))
        names.append(name)
    return names


def waterfall_table(
    ledger: pd.DataFrame,
    variable: str,
    cause_label: Mapping[str, str] | None = None,
    top: int = 8,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> pd.DataFrame:
    """Contributions to one variable's change over a window, largest first, as a waterfall.

    Args:
        ledger: Frame of ``cause``, ``actor``, ``variable``, ``delta`` (mean over runs), and
            optionally ``month``; rows for other variables are ignored.
        variable: The variable whose change is explained.
        cause_label: Readable names of causes; missing ones show the cause id.
        top: How many causes to show one by one; the rest are summed as "other causes".
        lang: Language of the actors' names (added where a cause has several actors).
        places: Place-name setting.

    Returns:
        Columns ``step`` (order), ``cause``, ``actor``, ``label``, ``delta``, ``start``, ``end``;
        the last row is the net change.
    """
    _check_columns(ledger, ("cause", "actor", "variable", "delta"), "The ledger frame")
    cause_label = cause_label or {}
    sub = ledger[ledger["variable"] == variable]
    grouped = sub.groupby(["cause", "actor"], as_index=False)["delta"].sum()
    grouped = grouped[grouped["delta"].abs() > 1e-9]
    grouped = grouped.reindex(grouped["delta"].abs().sort_values(ascending=False).index)
    shown, rest = grouped.head(top), grouped.iloc[top:]
    names = _cause_names(grouped, cause_label, lang, places)
    rows = [
        {"cause": r.cause, "actor": r.actor, "label": names[i], "delta": r.delta}
        for i, r in enumerate(shown.itertuples())
    ]
    if not rest.empty:
        rows.append({"cause": "_other", "actor": "", "label": "_other", "delta": rest["delta"].sum()})
    out = pd.DataFrame(rows, columns=["cause", "actor", "label", "delta"])
    out["end"] = out["delta"].cumsum()
    out["start"] = out["end"] - out["delta"]
    net = out["delta"].sum() if not out.empty else 0.0
    total = pd.DataFrame([{"cause": "_net", "actor": "", "label": "_net", "delta": net, "start": 0.0, "end": net}])
    out = pd.concat([out, total], ignore_index=True) if not out.empty else total
    out.insert(0, "step", range(1, len(out) + 1))
    return out


def waterfall_chart(
    ledger: pd.DataFrame,
    variable: str,
    cause_label: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
    top: int = 8,
) -> Figure:
    """Waterfall of the causes that moved one variable over a window (from the effects ledger)."""
    w = waterfall_table(ledger, variable, cause_label, top, lang, places)
    names = {"_other": tr("charts.other_causes", lang), "_net": tr("charts.net_change", lang)}
    w["label"] = [names.get(lbl, lbl) for lbl in w["label"]]
    w["label"] = [f"{i}. {lbl}" for i, lbl in zip(w["step"], w["label"], strict=True)]
    w["kind"] = [
        tr("charts.net_change", lang)
        if c == "_net"
        else (tr("charts.raised", lang) if d >= 0 else tr("charts.lowered", lang))
        for c, d in zip(w["cause"], w["delta"], strict=True)
    ]
    kinds = [tr("charts.raised", lang), tr("charts.lowered", lang), tr("charts.net_change", lang)]
    title = tr("charts.waterfall_title", lang, places, variable=variable_label(variable, lang, places))
    chart = (
        alt.Chart(w)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(w["label"]), title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("start:Q", title=tr("charts.points", lang)),
            x2="end:Q",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=[OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[7]]),
                title=None,
                legend=_legend(),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=tr("charts.cause", lang)),
                alt.Tooltip("actor:N", title=tr("charts.actor", lang)),
                alt.Tooltip("delta:Q", title=tr("charts.points", lang), format="+.2f"),
            ],
        )
        .properties(title=title, height=_bars_height(len(w)))
    )
    data = w[["label", "actor", "delta"]].rename(
        columns={
            "label": tr("charts.cause", lang),
            "actor": tr("charts.actor", lang),
            "delta": tr("charts.points", lang),
        }
    )
    return Figure(chart, data.round(2))


def causes_in_words(
    ledger: pd.DataFrame,
    variable: str,
    cause_label: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
    top: int = 5,
    threshold: float = 0.05,
    dates: Mapping[str, str] | None = None,
) -> list[str]:
    """The largest contributions to a variable's change, as sentences a student can read.

    E.g. "The liquidation order of 2027-03 took 6.1 points off the history track". Causes
    smaller than ``threshold`` points are left out as noise. A cause is dated by ``dates``
    (say, the month a scenario schedules it, though its effect spreads over months), else
    when it acted in a single month of the window; a recurring one (a summit each year, the
    pull toward the long-run level) is summed over the window.
    """
    _check_columns(ledger, ("cause", "actor", "variable", "delta"), "The ledger frame")
    cause_label = cause_label or {}
    dates = dates or {}
    sub = ledger[ledger["variable"] == variable]
    grouped = sub.groupby(["cause", "actor"], as_index=False).agg(
        delta=("delta", "sum"),
        months=("month", "unique") if "month" in sub.columns else ("delta", "size"),
    )
    grouped = grouped[grouped["delta"].abs() >= threshold]
    grouped = grouped.reindex(grouped["delta"].abs().sort_values(ascending=False).index).head(top)
    key = f"charts.in_sentence.{variable}"
    target = tr(key, lang, places) if has(key, lang) else variable_label(variable, lang, places)
    names = _cause_names(grouped, cause_label, lang, places)
    sentences = []
    for i, row in enumerate(grouped.itertuples()):
        name = names[i]
        month = dates.get(row.cause)
        if month is None and "month" in sub.columns and len(row.months) == 1:
            month = row.months[0]
        if month is not None:
            name = tr("charts.cause_of_month", lang, places, cause=name, month=month)
        key = "charts.sentence_up" if row.delta > 0 else "charts.sentence_down"
        text = tr(key, lang, places, cause=name, points=abs(row.delta), variable=target)
        sentences.append(text[:1].upper() + text[1:])
    return sentences


def tornado_chart(
    indices: pd.DataFrame,
    value: str,
    label: str = "parameter",
    spread: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
    detail: str | None = None,
) -> Figure:
    """Sensitivity indices as a tornado chart: the assumptions that matter most on top.

    Args:
        indices: One row per assumption with a ``label`` column and a ``value`` column (for
            instance Morris ``mu_star`` or Sobol ``ST``).
        value: Column holding the index to rank by.
        label: Column naming the assumption.
        spread: Optional column drawn as a tick to the right (Morris ``sigma``, a confidence).
        lang: Language of the texts.
        places: Place-name setting.
        detail: Optional column shown in the tooltip and the table (what the assumption means).

    Returns:
        The chart and its table, ranked.
    """
    _check_columns(indices, (label, value), "The sensitivity table")
    detail = detail if detail and detail in indices.columns else None
    ranked = indices.sort_values(value, key=lambda s: s.abs(), ascending=False).reset_index(drop=True)
    order = list(ranked[label].astype(str))
    base = alt.Chart(ranked).encode(y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)))
    bars = base.mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X(f"{value}:Q", title=tr("charts.sensitivity_index", lang, value=value)),
        tooltip=[f"{label}:N", alt.Tooltip(f"{value}:Q", format=".3f")]
        + ([alt.Tooltip(f"{spread}:Q", format=".3f")] if spread else [])
        + ([f"{detail}:N"] if detail else []),
    )
    layers: list[alt.Chart] = [bars]
    if spread and spread in ranked.columns:
        layers.append(base.mark_tick(color=OKABE_ITO[1], thickness=2, size=16).encode(x=f"{spread}:Q"))
    chart = alt.layer(*layers).properties(
        title=tr("charts.tornado_title", lang, places), height=_bars_height(len(ranked))
    )
    cols = [label, value] + ([spread] if spread and spread in ranked.columns else []) + ([detail] if detail else [])
    return Figure(chart, ranked[cols].round(4))


def fit_chart(
    bands: pd.DataFrame,
    points: pd.DataFrame,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
    title: str = "charts.fit_title",
    axis: str = "charts.value",
) -> Figure:
    """The historical replay against the published data: median and 90% band per variable.

    Args:
        bands: ``month, variable, low, median, high`` (``model.analysis.fit.bands``).
        points: Poll waves with ``variable, month, series, observed_model_scale, inside``
            (``model.analysis.fit.poll_points``); an optional ``role`` (opening, training,
            test) is shown in the table.
        lang: Language of the texts.
        places: Place-name setting.
        title: Translation key of the chart's title.
        axis: Translation key of the value axis's title.

    Returns:
        The chart and a table of each poll wave or yearly total beside the simulated median and band.
    """
    _check_columns(bands, ("month", "variable", "low", "median", "high"), "The band frame")
    b = _readable(bands, lang, places)
    labels = list(dict.fromkeys(b["label"]))
    colour = alt.Color("label:N", scale=_colour_scale(labels), title=None, legend=_legend())
    base = alt.Chart(b).encode(x=_time_x(lang), color=colour)
    layers: list[alt.Chart] = [
        base.mark_area(opacity=0.2).encode(y=alt.Y("low:Q", title=tr(axis, lang)), y2="high:Q"),
        base.mark_line(strokeWidth=2).encode(y="median:Q"),
    ]
    data = pd.DataFrame()
    if not points.empty:
        p = _readable(points, lang, places)
        p["inside_text"] = [tr("charts.yes" if v else "charts.no", lang) for v in p["inside"]]
        tooltip = [
            alt.Tooltip("series:N", title=tr("charts.source", lang)),
            alt.Tooltip("month_label:N", title=tr("charts.month", lang)),
            alt.Tooltip("observed_model_scale:Q", title=tr("charts.observed", lang), format=".1f"),
            alt.Tooltip("median:Q", title=tr("charts.median", lang), format=".1f"),
        ]
        layers.append(_observed_points(p, "observed_model_scale:Q", colour, tooltip, size=80))
        columns = ["month", "label", "series", "observed_model_scale", "median", "low", "high", "inside_text"]
        if "role" in p:
            p["role_text"] = [tr(f"history.role.{r}", lang) for r in p["role"]]
            columns.append("role_text")
        data = _reader_table(p, columns, lang).round(2)
    chart = alt.layer(*layers).properties(title=tr(title, lang, places), height=LEGEND_HEIGHT)
    return Figure(chart, data.reset_index(drop=True))
