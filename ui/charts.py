"""Altair charts of an ensemble, each returned with the table of its numbers.

Every function reads the tidy table the core produces (``run``, ``month`` as ``YYYY-MM``,
``variable``, ``value``) or a frame derived from it, and returns a :class:`Figure`: the chart
and the very numbers it draws, so that a page can always offer the table beside the picture
(readers who cannot see the colours, or who want to quote a figure, use the table).

Colours come from the Okabe-Ito palette, which stays distinguishable under the common forms of
colour blindness. Every text a reader sees is looked up through :mod:`model.i18n`.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

import altair as alt
import numpy as np
import pandas as pd

from model.catalogue import PUBLIC_OPINION, TRACKS, TRAVEL_VARIABLES
from model.i18n import DEFAULT_LANGUAGE, DEFAULT_PLACES, axis_month_format, has, join_list, month_text, tr

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
LEGEND_COLUMN_HEIGHT = 36
"""What a fan chart with markers adds for its legends in columns (three entries high, not one)."""
LEGEND_LAYOUT = "{bottom: {anchor: 'start', margin: 16, direction: width < 420 ? 'vertical' : 'horizontal'}}"
"""Vega's layout of a fan chart's legends below it: side by side, or one under the other on a plot
narrower than 420 px (``width``), where the two passed the chart's right edge."""
LEGEND_HEIGHT = 420


def _legend() -> alt.Legend:
    """A legend under the chart, with room for long translated labels."""
    return alt.Legend(orient="bottom", labelLimit=420, columns=3)


def _bars_height(rows: int) -> int:
    """Height of a horizontal bar chart: one bar per 30 px, plus title, axis and legend.

    Streamlit fits the whole chart (title, axis, a two-line legend below) into this height:
    with too little left for the bars, Vega drops every other bar's label (seen in ko, ja, en).
    """
    return 210 + 30 * rows


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
        alt: One line describing what the chart shows, for screen readers (shown under it).
    """

    chart: alt.TopLevelMixin
    data: pd.DataFrame
    alt: str = ""


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


MARKER_KINDS = ("event", "decision", "election")
"""Kinds of marker on the time axis: the scenario's events, its decisions, elections."""
MARKER_STYLE = {"event": ("#555555", [4, 3]), "decision": (OKABE_ITO[1], [8, 3]), "election": ("#999999", [2, 3])}
MAX_LABELS = 14
"""Markers labelled at most on one chart; the others keep their line and their tooltip."""
PLOT_WIDTH = 600
"""Plot width (px) :func:`thin_markers` places labels for when it is not told another."""
LABEL_WIDTHS = (240, 300, 360, 440, 520, 600, 700, 820, 960, 1120, 1300)
"""Plot widths (px) the labels are placed for; the browser draws the set placed for the widest one
its plot reaches (the narrowest below 240 px).

Why: Streamlit stretches a chart to its column, so the plot's width is only known in the browser
(about 500 px in the explorer on a 600 px screen, 670 px at 1200 px beside the sidebar, 300 px in
one of the compare page's two columns). Labels placed for one assumed width touched each other
wherever the plot was narrower, and left room unused wherever it was wider.
"""
LABEL_SIZE = {"top": 11, "election": 10}
"""Font size (px) of the labels of events and decisions (top) and of elections'."""
LABEL_ROWS = {"top": (2, 15, 28), "election": (42,)}
"""Rows (px from the plot's top) of the labels: three for events and decisions, one for elections."""
LABEL_STRIP = 57
"""Height (px) at the top of a chart with markers that the data never enters: the labels' rows
stand there (:data:`LABEL_ROWS`, the last one and its text's height), not over the line and bands.
Only a labelled marker's line rises into it, to its label; the others stop below it."""
LABEL_GAP = 6
"""Space (px) kept between two labels on one row, besides the 3 px between a line and its label."""
LEADER_GAP = 2
"""Space (px) kept between a label and a line that passes it (a labelled marker's line, rising to its label)."""
LABEL_LIMIT = 180
"""Longest label drawn (px); Vega cuts a longer one with "…" (its full text stays in the tooltip)."""
FIRST_LABEL_LIMIT = 360
"""The same for the what-if's own items (``first``): what the reader changed is read whole."""


def label_limit(width: float, first: bool = False) -> float:
    """Longest label (px) on a plot ``width`` wide.

    A third of the plot, so that a row holds three; for the what-if's own items (placed first,
    they are what the chart is about) 0.6 of it.
    """
    return min(FIRST_LABEL_LIMIT, width * 0.6) if first else min(LABEL_LIMIT, width / 3)


def label_extent(text: str, band: str, width: float, first: bool = False) -> float:
    """Width (px) a label takes on its row: its estimated width, cut at :func:`label_limit`."""
    return min(label_width(text, LABEL_SIZE[band]), label_limit(width, first))


def label_width(text: str, size: float) -> float:
    """Estimated width (px) of ``text`` at font size ``size``: no browser to measure it in Python.

    A Latin character of the chart's sans-serif is about 0.6 em wide on average, a Hangul or CJK
    character (East Asian wide or full-width) a full em, about twice (an assumption that
    overestimates slightly, so that two labels placed apart stay apart in the browser).
    """
    wide = sum(unicodedata.east_asian_width(c) in ("W", "F") for c in text)
    return size * (0.6 * (len(text) - wide) + 1.05 * wide)


def _spread_order(n: int) -> list[int]:
    """Positions 0..n-1 in an order that covers the whole range early (ends, middle, quarters...).

    Why: labels are accepted greedily in priority order; earliest first would fill the left of
    the axis and reach ``most`` before the later years get any label.
    """
    if n <= 2:
        return list(range(n))
    bits = (n - 1).bit_length()
    order = [0, n - 1]
    for k in range(1, 1 << bits):
        vdc = int(format(k, f"0{bits}b")[::-1], 2) / (1 << bits)  # van der Corput: 1/2, 1/4, 3/4...
        order.append(min(n - 1, round(vdc * (n - 1))))
    for i in range(n):  # rounding may skip a position: every one is still a candidate
        order.append(i)
    return list(dict.fromkeys(order))


def _place_labels(
    grouped: pd.DataFrame, order: Sequence[int], months: Sequence[str], most: int, width: float
) -> dict[int, tuple[int, str]]:
    """Row and side of each label accepted, greedily in ``order``, so that none collides with another.

    A label stands right of its line, or left of it where it would pass the plot's right edge or
    the right is taken; it is accepted on the first row of its band where it keeps ``LABEL_GAP`` from the labels
    already there and no line crosses it (a labelled marker's line rises from the data to its
    label, through the rows below that label), and skipped (line and tooltip only) where no row
    has room.
    """
    index = {m: i for i, m in enumerate(months)}
    step = width / max(len(months) - 1, 1)
    rows = grouped[["kind", "text", "first", "month"]].to_dict("index")
    taken: list[tuple[int, float, float, float]] = []  # row, text from, text to, line
    placed: dict[int, tuple[int, str]] = {}

    def free(row: int, lo: float, hi: float, x: float) -> bool:
        for r, a, b, line in taken:
            if r == row and not (hi + LABEL_GAP <= a or lo >= b + LABEL_GAP):
                return False  # the texts touch
            if r < row and lo - LEADER_GAP <= line <= hi + LEADER_GAP:
                return False  # the line of a label above crosses this text
            if r > row and a - LEADER_GAP <= x <= b + LEADER_GAP:
                return False  # this label's line would cross a text below
        return True

    for i in order:
        if len(placed) >= most:
            break
        row = rows[i]
        band = "election" if row["kind"] == "election" else "top"
        w = label_extent(row["text"], band, width, bool(row["first"]))
        x = index[row["month"]] * step
        after, before = ("left", x + 3, x + 3 + w), ("right", x - 3 - w, x - 3)
        # the text starts at its line, or ends there where it would pass the plot's right edge or
        # where the other side is taken
        fits = before[1] >= 0
        sides = ([after, before] if fits else [after]) if after[2] <= width else [before if fits else after]
        for line, (side, lo, hi) in itertools.product(LABEL_ROWS[band], sides):
            if free(line, lo, hi, x):
                taken.append((line, lo, hi, x))
                placed[i] = (line, side)
                break
    return placed


def thin_markers(
    events: pd.DataFrame, months: Sequence[str], most: int = MAX_LABELS, width: float = PLOT_WIDTH
) -> pd.DataFrame:
    """One marker per month and kind inside the chart, labelled where a label has room.

    Why: an uploaded scenario may schedule thousands of events, and a replay of 14 years some
    150; a line and a label each would bury the chart. Items of one month and kind share a line
    ("Summit (Seoul) +2"). Labels are chosen greedily: rows marked ``first`` (the what-if's own
    items) before the others, then decisions and events before elections, then spread over the
    whole period (see :func:`_spread_order`), a label already offered after every other; a label
    is kept only if it fits on one of its band's rows (:data:`LABEL_ROWS`) without touching
    another or crossing a labelled marker's line at the estimated ``width`` (see
    :func:`label_width`). Every marker keeps its line and its full text in the tooltip.

    Args:
        events: ``month``, ``label``; optional ``kind`` (``event``, ``decision``,
            ``election``), ``labelled`` (False: line only) and ``first``.
        months: The chart's months.
        most: Labels at most.
        width: Plot width (px) assumed for the labels' room.

    Returns:
        ``month``, ``label``, ``kind``, ``labelled``, ``count``, ``text`` (the label drawn,
        empty when the marker is not labelled), ``line`` (the text's row, px from the top),
        ``align`` (``left``: the text starts at the line; ``right``: it ends there).
    """
    months = list(months)
    frame = _inside(events, months)
    if frame.empty:
        return frame.drop(columns=["first"]).assign(count=[], text=[], line=[], align=[], limit=[])
    return _placed(*_marker_groups(frame), months, most, width)


def _inside(events: pd.DataFrame, months: Sequence[str]) -> pd.DataFrame:
    """The markers inside the chart's months, with ``kind``, ``labelled`` and ``first`` (defaults where absent)."""
    frame = events[events["month"].isin(set(months))].copy()
    for column, default in (("kind", "event"), ("labelled", True), ("first", False)):
        if column not in frame.columns:
            frame[column] = default
    return frame


def _marker_groups(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The markers of :func:`thin_markers` (one per month and kind) and the order their labels are offered in.

    Neither depends on the plot's width, so :func:`label_sets` groups and orders once and places
    the labels for each width. ``frame``: :func:`_inside`'s, not empty.
    """
    grouped = (
        frame.groupby(["month", "kind"], sort=False)
        .agg(label=("label", "first"), labelled=("labelled", "any"), first=("first", "any"), count=("label", "size"))
        .reset_index()
    )
    grouped = grouped.sort_values("month", kind="stable").reset_index(drop=True)
    grouped["text"] = [
        lbl if n == 1 else f"{lbl} +{n - 1}" for lbl, n in zip(grouped["label"], grouped["count"], strict=True)
    ]
    candidates = grouped[grouped["labelled"]]
    order: list[int] = []
    for first in (True, False):
        for band in ("top", "election"):
            elections = candidates["kind"] == "election"
            part = candidates[(candidates["first"] == first) & (elections == (band == "election"))]
            order += [int(part.index[k]) for k in _spread_order(len(part))]
    # a label already offered (the replay's many "Ballistic missile launch") waits until every other has had its turn
    seen: set[str] = set()
    fresh: list[int] = []
    again: list[int] = []
    labels = grouped["label"].tolist()
    for i in order:
        (again if labels[i] in seen else fresh).append(i)
        seen.add(labels[i])
    return grouped, fresh + again


def _placed(
    grouped: pd.DataFrame, order: Sequence[int], months: Sequence[str], most: int, width: float
) -> pd.DataFrame:
    """:func:`thin_markers`' table: the markers with the labels placed for a plot ``width`` wide."""
    placed = _place_labels(grouped, order, months, most, width)
    out = grouped.copy()
    out["labelled"] = [i in placed for i in out.index]
    out["text"] = [t if i in placed else "" for i, t in zip(out.index, out["text"], strict=True)]
    out["line"] = [placed[i][0] if i in placed else 0 for i in out.index]
    out["align"] = [placed[i][1] if i in placed else "left" for i in out.index]
    out["limit"] = [label_limit(width, bool(f)) for f in out["first"]]
    return out.drop(columns=["first"])


def label_sets(events: pd.DataFrame, months: Sequence[str], widths: Sequence[float] = LABEL_WIDTHS) -> pd.DataFrame:
    """The labels :func:`thin_markers` places for each plot width of ``widths``, one set per width.

    Returns:
        The labelled rows of each width's placement, with ``wmin`` and ``wmax``: the browser
        draws a set where its plot is at least ``wmin`` and less than ``wmax`` px wide (the
        first set from 0 px, the last to any width). A set placed for ``wmin`` stays apart on
        a wider plot: the lines move apart, the labels keep their size.
    """
    months = list(months)
    frame = _inside(events, months)
    grouped = None if frame.empty else _marker_groups(frame)
    sets = []
    for k, width in enumerate(widths):
        if grouped is None:
            marks = thin_markers(events, months, width=width)
        else:
            marks = _placed(*grouped, months, MAX_LABELS, width)
        labelled = marks[marks["text"] != ""]
        sets.append(labelled.assign(wmin=0.0 if k == 0 else float(width),
                                    wmax=float(widths[k + 1]) if k + 1 < len(widths) else 1e9))
    return pd.concat(sets, ignore_index=True)


SHOWN = "datum.wmin <= width && width < datum.wmax"
"""Vega's test that a label set (:func:`label_sets`) is the one for the plot's width (``width``, px)."""


def _event_layer(
    events: pd.DataFrame | None, months: Sequence[str], lang: str = DEFAULT_LANGUAGE
) -> alt.LayerChart | None:
    """Rules where the scenario's events, decisions and elections fall, with a legend and labels.

    Each kind has its own colour and dash (in the legend "Lines"); the labels stand in the strip
    at the top of the plot (:data:`LABEL_STRIP`), staggered (see :func:`thin_markers`) for the
    plot's width as the browser finds it (:func:`label_sets`), so that close markers stay readable.
    """
    if events is None or events.empty:
        return None
    _check_columns(events, ("month", "label"), "The event frame")
    marks = thin_markers(events, months)
    if marks.empty:
        return None
    names = {k: tr(f"charts.marker_{k}", lang) for k in MARKER_KINDS}
    labelled = label_sets(events, months)
    for frame in (marks, labelled):
        frame["date"] = _dates(frame["month"])
        frame["kind_label"] = frame["kind"].map(names)
    marks["month_label"] = _month_labels(marks["month"], lang)
    present = [k for k in MARKER_KINDS if k in set(marks["kind"])]
    domain = [names[k] for k in present]
    scale = alt.Scale(domain=domain, range=[MARKER_STYLE[k][0] for k in present])
    legend = alt.Legend(title=tr("charts.lines", lang), orient="bottom", direction="vertical", labelLimit=420)
    colour = alt.Color("kind_label:N", scale=scale, legend=legend)
    dashes = alt.Scale(domain=domain, range=[MARKER_STYLE[k][1] for k in present])
    dash = alt.StrokeDash("kind_label:N", scale=dashes, legend=legend)
    tooltip = [
        alt.Tooltip("month_label:N", title=tr("charts.month", lang)),
        alt.Tooltip("label:N", title=tr("charts.marker", lang)),
        alt.Tooltip("count:Q", title=tr("charts.marker_count", lang)),
    ]
    # every marker's line crosses the data; only a labelled one's goes on up to its label, so that
    # no line crosses another's text
    rules = alt.Chart(marks).mark_rule(opacity=0.8).encode(
        x="date:T", y=alt.value(LABEL_STRIP), y2=alt.value("height"), color=colour, strokeDash=dash, tooltip=tooltip,
    )
    leaders = alt.Chart(labelled[["date", "line", "kind_label", "wmin", "wmax"]]).transform_filter(SHOWN).mark_rule(
        opacity=0.8
    ).encode(
        x="date:T", y=alt.Y("line:Q", scale=None), y2=alt.value(LABEL_STRIP),
        color=alt.Color("kind_label:N", scale=scale, legend=None),
        strokeDash=alt.StrokeDash("kind_label:N", scale=dashes, legend=None),
    )
    layers = [rules, leaders]
    for band, size in LABEL_SIZE.items():
        for align, dx in (("left", 3), ("right", -3)):
            for limit in sorted(set(labelled["limit"])):  # Vega's limit is the mark's: one layer per limit
                part = labelled[((labelled["kind"] == "election") == (band == "election"))
                                & (labelled["align"] == align) & (labelled["limit"] == limit)]
                if part.empty:
                    continue
                layers.append(
                    alt.Chart(part[["date", "text", "line", "kind_label", "wmin", "wmax"]])
                    .transform_filter(SHOWN)
                    .mark_text(align=align, dx=dx, fontSize=size, baseline="top", limit=limit)
                    .encode(
                        x="date:T", y=alt.Y("line:Q", scale=None), text="text:N",
                        color=alt.Color("kind_label:N", scale=scale, legend=None),
                    )
                )
    return alt.layer(*layers)


def _headroom_scale(q: pd.DataFrame) -> alt.Scale:
    """A value scale whose top :data:`LABEL_STRIP` px hold no data, whatever height the plot gets.

    The domain runs from the data's lowest value (or 0) to the value that puts the data's highest
    (or 0) ``LABEL_STRIP`` px below the top, worked out in the browser from the plot's ``height``.
    """
    lo = min(0.0, float(q[["q05", "median"]].min().min()))
    hi = max(0.0, float(q[["q95", "median"]].max().max()))
    span = max(hi - lo, 1e-9)
    top = f"{hi} + {span} * {LABEL_STRIP} / max(height - {LABEL_STRIP}, {LABEL_STRIP})"
    return alt.Scale(domainMin=lo, domainMax=alt.ExprRef(expr=top), nice=False, zero=False)


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
        events: Optional frame of ``month`` and ``label`` (and ``kind``, ``labelled``,
            ``first``) drawn as labelled lines (see :func:`thin_markers`).
        lang: Language of the texts.
        places: Place-name setting for texts that carry contested names.

    Returns:
        The chart, its quantile table and a one-line description.
    """
    q = _readable(quantile_table(table, [variable]), lang, places)
    label = variable_label(variable, lang, places)
    fig = _fan_from_quantiles(q, label, events, lang)
    return replace(fig, alt=describe_fan(q, label, lang, places))


def _band_frame(q: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 90% and 50% bands as rows (``lo``, ``hi``, ``band``), for one area mark with a legend."""
    wide = tr("charts.band90", lang)
    narrow = tr("charts.band50", lang)
    cols = ["date", "month"]
    return pd.concat(
        [
            q[cols].assign(lo=q["q05"], hi=q["q95"], band=wide),
            q[cols].assign(lo=q["q25"], hi=q["q75"], band=narrow),
        ],
        ignore_index=True,
    )


def _fan_from_quantiles(
    q: pd.DataFrame,
    title: str,
    events: pd.DataFrame | None,
    lang: str,
    zero_rule: bool = False,
    y_title: str | None = None,
) -> Figure:
    median_name, narrow, wide = tr("charts.median", lang), tr("charts.band50", lang), tr("charts.band90", lang)
    markers = _event_layer(events, list(q["month"]), lang)
    # beside the lines' legend, each legend in a column: in one row the two passed the chart's right edge
    direction = "horizontal" if markers is None else "vertical"
    colour = alt.Color(
        "band:N",
        scale=alt.Scale(domain=[median_name, narrow, wide], range=[BAND_COLOUR, "#7FB2D9", "#CFE2F0"]),
        legend=alt.Legend(title=tr("charts.bands", lang), orient="bottom", direction=direction, labelLimit=420),
    )
    scale = alt.Undefined if markers is None else _headroom_scale(q)  # the labels' strip above the data
    bands = alt.Chart(_band_frame(q, lang)).mark_area().encode(
        x=_time_x(lang), y=alt.Y("lo:Q", title=y_title or title, scale=scale), y2="hi:Q", color=colour,
        order=alt.Order("band:N", sort="descending"),
    )
    median = alt.Chart(q.assign(band=median_name)).mark_line(strokeWidth=2).encode(
        x=_time_x(lang),
        y="median:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("month_label:N", title=tr("charts.month", lang)),
            alt.Tooltip("median:Q", title=tr("charts.median", lang), format=".1f"),
            alt.Tooltip("q25:Q", title="25%", format=".1f"),
            alt.Tooltip("q75:Q", title="75%", format=".1f"),
            alt.Tooltip("q05:Q", title="5%", format=".1f"),
            alt.Tooltip("q95:Q", title="95%", format=".1f"),
        ],
    )
    layers: list[alt.Chart] = [bands, median]
    if zero_rule:
        layers.append(alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="black").encode(y="zero:Q"))
    chart: alt.TopLevelMixin = alt.layer(*layers)
    height = FAN_HEIGHT
    if markers is not None:
        chart = alt.layer(chart, markers).resolve_scale(color="independent", strokeDash="independent")
        height += LABEL_STRIP + LEGEND_COLUMN_HEIGHT  # the data keeps its room below the labels, above the legends
        # on a narrow plot (one of two columns) the lines' legend goes under the bands', not past the edge
        chart = chart.configure_legend(layout=alt.ExprRef(expr=LEGEND_LAYOUT))
    return Figure(chart.properties(title=title, height=height), _table_for_reader(q, lang))


def describe_fan(q: pd.DataFrame, label: str, lang: str, places: str = DEFAULT_PLACES) -> str:
    """A one-line description of a fan chart for readers who cannot see it."""
    if q.empty:
        return ""
    first, last = q.iloc[0], q.iloc[-1]
    return tr(
        "charts.alt_fan",
        lang,
        places,
        variable=label,
        start=month_text(str(first["month"]), lang),
        end=month_text(str(last["month"]), lang),
        first=float(first["median"]),
        last=float(last["median"]),
        low=float(last["q05"]),
        high=float(last["q95"]),
    )


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
    return Figure(chart, data, describe_lines(q, tr(title_key, lang, places), lang, places))


def describe_lines(q: pd.DataFrame, title: str, lang: str, places: str = DEFAULT_PLACES) -> str:
    """One line for a chart of several medians: each series' median at the first and last month."""
    if q.empty:
        return ""
    months = sorted(q["month"].astype(str).unique())
    first, last = months[0], months[-1]
    parts = []
    for label, part in q.groupby("label", sort=False):
        by_month = dict(zip(part["month"].astype(str), part["median"], strict=True))
        parts.append(
            tr("charts.alt_series", lang, places, label=label, first=float(by_month[first]), last=float(by_month[last]))
        )
    return tr(
        "charts.alt_lines", lang, places, title=title, start=month_text(first, lang), end=month_text(last, lang),
        series=join_list(parts, lang),
    )


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
    end = str(s["month"].max()) if not s.empty else ""
    at_end = s[s["month"] == end]
    parts = join_list(
        (tr("charts.alt_share", lang, places, label=lbl, share=float(v))
        for lbl, v in zip(at_end["label"], at_end["share_on"], strict=True)),
        lang,
    )
    alt_text = tr("charts.alt_facts", lang, places, end=month_text(end, lang), facts=parts) if parts else ""
    return Figure(chart, _reader_table(s, ["month", "label", "share_on"], lang).round(1), alt_text)


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
    fig = _fan_from_quantiles(q, title, None, lang, zero_rule=True, y_title=tr("charts.difference_axis", lang))
    return replace(fig, alt=describe_difference(q, variable_label(variable, lang, places), lang, places))


def whatif_difference_chart(
    quantiles: pd.DataFrame,
    variable: str,
    events: pd.DataFrame | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> Figure:
    """The what-if minus its reference, run by run (median and bands), with the what-if's items.

    Args:
        quantiles: ``model.analysis.difference.difference_quantiles`` (``month``,
            ``variable``, ``q05`` ... ``q95``).
        variable: The variable drawn.
        events: Markers (the what-if's own items first), as for :func:`fan_chart`.
        lang: Language.
        places: Place-name setting.
    """
    q = _readable(quantiles[quantiles["variable"] == variable], lang, places)
    label = variable_label(variable, lang, places)
    title = tr("charts.whatif_title", lang, places, variable=label)
    fig = _fan_from_quantiles(q, title, events, lang, zero_rule=True, y_title=tr("charts.difference_axis", lang))
    return replace(fig, alt=describe_difference(q, label, lang, places))


def describe_difference(q: pd.DataFrame, label: str, lang: str, places: str = DEFAULT_PLACES) -> str:
    """One line for a difference chart: the median gap at the end and its 90% range."""
    if q.empty:
        return ""
    last = q.iloc[-1]
    return tr(
        "charts.alt_difference",
        lang,
        places,
        variable=label,
        end=month_text(str(last["month"]), lang),
        median=float(last["median"]),
        low=float(last["q05"]),
        high=float(last["q95"]),
    )


def _cause_names(grouped: pd.DataFrame, cause_label: Mapping[str, str], lang: str, places: str) -> list[str]:
    """A readable name per (cause, actor) row, with its actor unless the model itself acts.

    E.g. "Join a trilateral exercise (Seoul)" and "... (Tokyo)": two capitals' decisions of the
    same name never read alike, whatever their ids.
    """
    names = []
    for r in grouped.itertuples():
        name = cause_label.get(r.cause, r.cause)
        name = name[:1].upper() + name[1:]
        if r.actor and r.actor != "model" and has(f"actor.{r.actor}", lang):
            name = tr("charts.by_actor", lang, places, cause=name, actor=tr(f"actor.{r.actor}", lang, places))
        names.append(name)
    return names


REST_SHARE = 0.25
"""A waterfall names more causes (up to ``most``) while the rest, summed, is above this share of its largest bar."""


def shown_count(deltas: Sequence[float], top: int, most: int, largest: float = 0.0) -> int:
    """How many of ``deltas`` (largest first) a waterfall names one by one.

    At least ``top``, at most ``most``, and more while "other causes" (the sum of the rest)
    would be larger than :data:`REST_SHARE` of the largest bar, so that it never dominates.
    """
    values = np.asarray(list(deltas), dtype=float)
    shown = min(top, len(values))
    biggest = max([abs(largest)] + [float(abs(values).max())] if len(values) else [abs(largest)])
    while shown < min(most, len(values)) and abs(values[shown:].sum()) > REST_SHARE * biggest:
        shown += 1
    return shown


def waterfall_table(
    ledger: pd.DataFrame,
    variable: str,
    cause_label: Mapping[str, str] | None = None,
    top: int = 8,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
    most: int = 14,
) -> pd.DataFrame:
    """Contributions to one variable's change over a window, largest first, as a waterfall.

    Args:
        ledger: Frame of ``cause``, ``actor``, ``variable``, ``delta`` (mean over runs), and
            optionally ``month``; rows for other variables are ignored.
        variable: The variable whose change is explained.
        cause_label: Readable names of causes; missing ones show the cause id.
        top: How many causes to show one by one at least; the rest are summed as "other causes".
        lang: Language of the actors' names (added where a cause has several actors).
        places: Place-name setting.
        most: How many causes to show one by one at most (more are shown while "other
            causes" would outweigh a quarter of the largest bar).

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
    count = shown_count(grouped["delta"], top, max(top, most))
    shown, rest = grouped.head(count), grouped.iloc[count:]
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
    title = tr("charts.waterfall_title", lang, places, variable=variable_label(variable, lang, places))
    return _waterfall_figure(w, title, tr("charts.net_change", lang), lang, places)


def whatif_waterfall_chart(
    waterfall: pd.DataFrame,
    labels: Sequence[str],
    variable: str,
    month: str,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> Figure:
    """The causes of a what-if's gap at a month, its own items first (from two ledgers).

    Args:
        waterfall: ``model.analysis.difference.difference_waterfall``.
        labels: The reader's name of each row (``difference.label_waterfall``).
        variable: Whose gap.
        month: At which month.
        lang: Language.
        places: Place-name setting.
    """
    w = waterfall.copy()
    w["label"] = list(labels)
    w.insert(0, "step", range(1, len(w) + 1))
    title = tr(
        "charts.whatif_waterfall_title", lang, places,
        variable=variable_label(variable, lang, places), month=month_text(month, lang),
    )
    return _waterfall_figure(w, title, tr("difference.net_gap", lang, places), lang, places)


def _waterfall_figure(w: pd.DataFrame, title: str, net_name: str, lang: str, places: str) -> Figure:
    """Draw a waterfall (``step``, ``label``, ``cause``, ``actor``, ``delta``, ``start``, ``end``; ``own``)."""
    w = w.copy()
    w["label"] = [f"{i}. {lbl}" for i, lbl in zip(w["step"], w["label"], strict=True)]
    own = w["own"] if "own" in w.columns else pd.Series(False, index=w.index)
    raised, lowered, mine = tr("charts.raised", lang), tr("charts.lowered", lang), tr("charts.own_item", lang)
    w["kind"] = [
        net_name if c == "_net" else mine if o else (raised if d >= 0 else lowered)
        for c, d, o in zip(w["cause"], w["delta"], own, strict=True)
    ]
    w["actor_name"] = [tr(f"actor.{a}", lang, places) if a else "" for a in w["actor"]]
    kinds = [k for k in (mine, raised, lowered, net_name) if k in set(w["kind"])]
    colours = {mine: OKABE_ITO[3], raised: OKABE_ITO[0], lowered: OKABE_ITO[1], net_name: OKABE_ITO[7]}
    chart = (
        alt.Chart(w)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(w["label"]), title=None, axis=alt.Axis(labelLimit=380)),
            x=alt.X("start:Q", title=tr("charts.points", lang)),
            x2="end:Q",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=[colours[k] for k in kinds]),
                title=None,
                legend=_legend(),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=tr("charts.cause", lang)),
                alt.Tooltip("actor_name:N", title=tr("charts.actor", lang)),
                alt.Tooltip("delta:Q", title=tr("charts.points", lang), format="+.2f"),
            ],
        )
        .properties(title=title, height=_bars_height(len(w)))
    )
    data = w[["label", "actor_name", "delta"]].rename(
        columns={
            "label": tr("charts.cause", lang),
            "actor_name": tr("charts.actor", lang),
            "delta": tr("charts.points", lang),
        }
    )
    return Figure(chart, data.round(2), describe_waterfall(w, lang, places))


def describe_waterfall(w: pd.DataFrame, lang: str, places: str = DEFAULT_PLACES) -> str:
    """One line for a waterfall: the total, and the largest causes with their points."""
    if w.empty:
        return ""
    net = float(w["delta"].iloc[-1])
    causes = w.iloc[:-1]
    causes = causes.reindex(causes["delta"].abs().sort_values(ascending=False).index).head(3)
    parts = join_list(
        (tr("charts.alt_cause", lang, places, cause=str(lbl).split(". ", 1)[-1], points=float(d))
         for lbl, d in zip(causes["label"], causes["delta"], strict=True)),
        lang, short=True,
    )
    return tr("charts.alt_waterfall", lang, places, net=net, causes=parts or "-")


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
    swings: pd.DataFrame,
    output: str,
    month: str,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> Figure:
    """The tornado: for each assumption, the output with it at the low and at the high end.

    Args:
        swings: ``model.analysis.sensitivity.tornado`` (``parameter``, ``label``, ``low``,
            ``high``, ``at_low``, ``at_high`` and their ``_lo``/``_hi`` intervals,
            ``as_written``), longest bar first.
        output: The output variable.
        month: The month it is read at (the scenario's last).
        lang: Language.
        places: Place-name setting.

    Returns:
        The chart (two coloured halves per bar around the line "as written", the 90% interval
        of each end as a whisker), its table and a one-line description.
    """
    _check_columns(swings, ("parameter", "label", "low", "high", "at_low", "at_high", "as_written"), "The tornado")
    t = swings.reset_index(drop=True).copy()
    t["name"] = [
        tr("charts.tornado_label", lang, places, label=lbl, low=lo, high=hi)
        for lbl, lo, hi in zip(t["label"], t["low"], t["high"], strict=True)
    ]
    order = list(t["name"])
    at_low, at_high = tr("charts.at_low", lang), tr("charts.at_high", lang)
    long = pd.concat(
        [
            t.assign(end=at_low, value=t["at_low"], lo=t.get("at_low_lo", t["at_low"]),
                     hi=t.get("at_low_hi", t["at_low"]), setting=t["low"]),
            t.assign(end=at_high, value=t["at_high"], lo=t.get("at_high_lo", t["at_high"]),
                     hi=t.get("at_high_hi", t["at_high"]), setting=t["high"]),
        ],
        ignore_index=True,
    )
    out_label = variable_label(output, lang, places)
    axis = tr("charts.tornado_axis", lang, places, variable=out_label, month=month_text(month, lang))
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=420))
    colour = alt.Color(
        "end:N", scale=alt.Scale(domain=[at_low, at_high], range=[OKABE_ITO[1], OKABE_ITO[0]]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    tooltip = [
        alt.Tooltip("name:N", title=tr("charts.assumption", lang)),
        alt.Tooltip("end:N", title=tr("charts.setting", lang)),
        alt.Tooltip("setting:Q", title=tr("charts.setting_value", lang), format=".4g"),
        alt.Tooltip("value:Q", title=out_label, format=".1f"),
        alt.Tooltip("lo:Q", title="90% (5%)", format=".1f"),
        alt.Tooltip("hi:Q", title="90% (95%)", format=".1f"),
    ]
    base = alt.Chart(long)
    bars = base.mark_bar(opacity=0.85).encode(
        y=y, x=alt.X("as_written:Q", title=axis, scale=alt.Scale(zero=False)), x2="value:Q", color=colour,
        tooltip=tooltip,
    )
    whiskers = base.mark_rule(color="black", strokeWidth=1.5).encode(y=y, x="lo:Q", x2="hi:Q")
    written = float(t["as_written"].iloc[0]) if len(t) else 0.0
    line = alt.Chart(pd.DataFrame({"x": [written], "what": [tr("charts.as_written", lang)]})).mark_rule(
        color="black", strokeDash=[4, 2]
    ).encode(x="x:Q", tooltip=[alt.Tooltip("what:N", title=" "), alt.Tooltip("x:Q", title=out_label, format=".1f")])
    chart = alt.layer(bars, whiskers, line).properties(
        title=tr("charts.tornado_title", lang, places), height=_bars_height(len(t))
    )
    names = {
        "name": tr("charts.assumption", lang),
        "at_low": at_low,
        "at_high": at_high,
        "swing": tr("charts.swing", lang),
    }
    cols = ["name", "at_low", "at_high"] + (["swing"] if "swing" in t.columns else [])
    data = t[cols].rename(columns=names).round(2)
    top = t.head(3)
    parts = join_list(
        (tr("charts.alt_swing", lang, places, label=lbl, at_low=float(a), at_high=float(b))
         for lbl, a, b in zip(top["label"], top["at_low"], top["at_high"], strict=True)),
        lang, short=True,
    )
    alt_text = tr(
        "charts.alt_tornado", lang, places, variable=out_label, month=month_text(month, lang),
        written=written, items=parts or "-",
    )
    return Figure(chart, data, alt_text)


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
    alt_text = ""
    if not points.empty:
        alt_text = tr(
            "charts.alt_fit", lang, places, title=tr(title, lang, places), count=len(points),
            inside=int(points["inside"].astype(bool).sum()),
        )
    return Figure(chart, data.reset_index(drop=True), alt_text)


def backtest_chart(scores: pd.DataFrame, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> Figure:
    """The backtest's poll forecasts, one panel per series and origin, in the reader's language.

    The model's median and 90% band, the two baselines' forecasts and the polls held back from
    the fit: what ``docs/validation/backtest.png`` shows, drawn here so that its titles,
    legend and tooltips read in Korean and Japanese too.

    Args:
        scores: the backtest's rows (``model.analysis.backtest.load_results``): ``origin``,
            ``series``, ``year``, ``method``, ``median``, ``q05``, ``q95``, ``observed``.
        lang: The reader's language.
        places: The reader's naming setting (the series' names may carry a place).
    """
    from model.analysis.backtest import METHODS, VISITOR_TARGETS

    _check_columns(scores, ["origin", "series", "year", "method", "median", "q05", "q95", "observed"], "scores")
    d = scores[~scores["series"].isin(list(VISITOR_TARGETS)) & scores["method"].isin(METHODS)].copy()
    names = {m: tr(f"charts.backtest_{m}", lang) for m in METHODS}
    poll = tr("charts.backtest_poll", lang)
    d["what"] = d["method"].map(names)
    d["series_label"] = [tr(f"history.series.{s}", lang, places) for s in d["series"]]
    d["origin_label"] = [tr("charts.backtest_origin", lang, month=month_text(o, lang)) for o in d["origin"]]
    model = d[d["method"] == "model"].assign(poll=poll)
    value = tr("charts.value", lang)
    year = tr("charts.backtest_year", lang)
    colours = alt.Scale(domain=[*names.values(), poll], range=[OKABE_ITO[0], "#7f7f7f", OKABE_ITO[3], OKABE_ITO[1]])
    x = alt.X("year:Q", title=year, axis=alt.Axis(format="d", tickMinStep=1))
    band = alt.Chart().mark_area(opacity=0.25, color=BAND_COLOUR).encode(
        x=x, y=alt.Y("q05:Q", title=value, scale=alt.Scale(zero=False)), y2="q95:Q",
        tooltip=[alt.Tooltip("year:Q", title=year, format="d"),
                 alt.Tooltip("q05:Q", title="5%", format=".1f"), alt.Tooltip("q95:Q", title="95%", format=".1f")],
    ).transform_filter(alt.datum.method == "model")
    lines = alt.Chart().mark_line().encode(
        x=x, y=alt.Y("median:Q", title=value),
        color=alt.Color("what:N", scale=colours, title=None, legend=_legend()),
        tooltip=[alt.Tooltip("what:N", title=tr("charts.backtest_method", lang)),
                 alt.Tooltip("year:Q", title=year, format="d"),
                 alt.Tooltip("median:Q", title=tr("charts.median", lang), format=".1f")],
    )
    points = alt.Chart().mark_point(filled=True, size=50).encode(
        x=x, y=alt.Y("observed:Q", title=value), color=alt.Color("poll:N", scale=colours, title=None),
        tooltip=[alt.Tooltip("poll:N", title=tr("charts.backtest_method", lang)),
                 alt.Tooltip("year:Q", title=year, format="d"),
                 alt.Tooltip("observed:Q", title=value, format=".1f")],
    ).transform_filter(alt.datum.method == "model")
    data = pd.concat([d.drop(columns=["poll"], errors="ignore"), model[["poll"]]], axis=1)
    chart = (
        alt.layer(band, lines, points, data=data)
        .properties(width=230, height=140)
        # a series' label on two lines, its source above what it measures: on one line the
        # labels are wider than a panel and push the third origin off the page
        .facet(row=alt.Row("series_label:N", title=None, header=alt.Header(
            labelAngle=0, labelAlign="left", labelAnchor="start", labelLimit=0, labelOrient="top", labelFontSize=12,
            labelExpr="split(datum.label, regexp('(?<=：)|(?<=: )'))")),
               column=alt.Column("origin_label:N", title=None, header=alt.Header(labelFontSize=12)))
        .resolve_scale(x="independent")
        .properties(title=tr("charts.backtest_title", lang))
    )
    table = model[["series_label", "origin_label", "year", "median", "q05", "q95", "observed"]].rename(columns={
        "series_label": tr("charts.backtest_series", lang), "origin_label": tr("charts.backtest_origin_col", lang),
        "year": year, "median": tr("charts.median", lang), "q05": "5%", "q95": "95%", "observed": poll,
    })
    held = (model["observed"] >= model["q05"]) & (model["observed"] <= model["q95"])
    inside = float(held.mean() * 100) if len(model) else 0.0
    alt_text = tr("charts.backtest_alt", lang, polls=len(model), inside=inside)
    return Figure(chart, table.round(1), alt_text)
