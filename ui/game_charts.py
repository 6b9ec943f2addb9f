"""Charts of a classroom game: the class's trajectory, its turns, who decided what; screen or wall.

The projector is read from the back of a room, so its charts are made for a wall: large dark
text, one label per month tick (a short game never shows the same month twice on its axis),
the turns numbered where they start, and who decided what in a strip of its own, one row per
seat, so that no two markers ever sit on each other and each row carries its seat's name.
Every caption says what is drawn and nothing more: the class's own game is one line (one run,
no band); the projection, when shown, is a median with its 50% and 90% bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from model.catalogue import ACTORS, PUBLIC_OPINION
from model.i18n import axis_month_format, month_text, tr
from ui.charts import BAND_COLOUR, OKABE_ITO, Figure, quantile_table

GAME_COLOUR = "#222222"  # the class's own line: darkest on the chart
RULE_COLOUR = "#444444"
TEAM_COLOUR = OKABE_ITO[1]  # vermillion: a team's decision
MODEL_COLOUR = "#888888"  # the model's rules
MAX_MONTH_LABELS = 12  # on the time axis, at most about this many (assumption: readable)


@dataclass(frozen=True)
class Sizes:
    """Text and chart sizes: for a screen, or for a wall read from the back of a room."""

    label: int
    title: int
    heading: int
    height: int
    row: int
    marker: int
    stroke: float
    extent: int  # width of the value axis: the same on the chart and its strip, so months line up
    frame: int  # height of what is not the plot (title, axis labels, legend): Streamlit fits all in

    def strip_height(self, rows: int) -> int:
        """Height of the strip of decisions with ``rows`` seats, legend included."""
        return self.row * rows + self.frame


SCREEN = Sizes(label=12, title=13, heading=16, height=340, row=26, marker=90, stroke=2.0, extent=120, frame=60)
WALL = Sizes(label=20, title=22, heading=28, height=520, row=44, marker=320, stroke=4.0, extent=200, frame=90)


def month_step(months: int) -> int:
    """Months between two labels on the time axis: the smallest of 1, 2, 3, 6, 12... that fits."""
    for step in (1, 2, 3, 6, 12, 24, 60, 120):
        if months / step <= MAX_MONTH_LABELS:
            return step
    return 120


def _dates(months: pd.Series) -> pd.Series:
    return pd.to_datetime(months.astype(str) + "-01", format="%Y-%m-%d")


def time_axis(months: Sequence[str], lang: str, size: Sizes, labels: bool = True) -> alt.X:
    """The month axis: ticks only on whole months, every ``month_step`` months, one label each."""
    step = month_step(len(months))
    first, last = _dates(pd.Series([months[0], months[-1]]))
    axis = alt.Axis(
        format=axis_month_format(lang),
        tickCount={"interval": "month", "step": step},
        labelFontSize=size.label,
        labelColor="#111111",
        labelOverlap=True,
        labels=labels,
        title=None,
        grid=True,
        gridOpacity=0.4,
    )
    scale = alt.Scale(domain=[first.isoformat(), last.isoformat()])
    return alt.X("date:T", axis=axis, scale=scale)


def game_chart(
    game: pd.DataFrame,
    turns: pd.DataFrame,
    months: Sequence[str],
    lang: str,
    places: str,
    projection: pd.DataFrame | None = None,
    wall: bool = False,
    variable: str = "relationship_index",
) -> Figure:
    """The class's game so far, each turn numbered where it began, and optionally the fan.

    Who decided what goes in :func:`decision_strip`, drawn under it.

    Args:
        game: The game's tidy table (run 0; ``month``, ``variable``, ``value``).
        turns: One row per resolved turn: ``turn`` (1-based) and ``month`` (its first month).
        months: Every month the axis spans (the game's, and the projection's when shown).
        lang: Language of the texts.
        places: Place-name setting.
        projection: Tidy table of the projection's runs (``run``, ``month``, ...), or None.
        wall: Sizes for the projector.
        variable: What the main chart draws.

    Returns:
        The chart and the table of its numbers.
    """
    size = WALL if wall else SCREEN
    x = time_axis(months, lang, size)
    name = tr(f"variable.{variable}", lang, places)
    line = game[game["variable"] == variable][["month", "value"]].copy()
    line["value"] = line["value"].astype(float).round(2)  # a float32 58.2 would be labelled 58.200001
    line["date"] = _dates(line["month"])
    line["month_label"] = [month_text(m, lang) for m in line["month"]]
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=_value_axis(size))
    layers: list[alt.Chart] = []
    data = line.assign(series=tr("game.chart.class_game", lang, places))[["month", "series", "value"]]
    if projection is not None and not projection.empty:
        q = quantile_table(projection, [variable])
        q["date"] = _dates(q["month"])
        base = alt.Chart(q).encode(x=x)
        layers += [
            base.mark_area(opacity=0.16, color=BAND_COLOUR).encode(
                y=alt.Y("q05:Q", title=None, scale=alt.Scale(zero=False), axis=_value_axis(size)), y2="q95:Q"
            ),
            base.mark_area(opacity=0.32, color=BAND_COLOUR).encode(y="q25:Q", y2="q75:Q"),
            base.mark_line(color=BAND_COLOUR, strokeWidth=size.stroke, strokeDash=[8, 5]).encode(y="median:Q"),
        ]
        fan = q.assign(series=tr("game.chart.projection_median", lang, places))
        data = pd.concat([data, fan.rename(columns={"median": "value"})[["month", "series", "value"]]])
    if not line.empty:
        layers.append(
            alt.Chart(line)
            .mark_line(
                color=GAME_COLOUR,
                strokeWidth=size.stroke + 1,
                point=alt.OverlayMarkDef(size=size.marker / 3, color=GAME_COLOUR, filled=True),
            )
            .encode(
                x=x,
                y=y,
                tooltip=[
                    alt.Tooltip("month_label:N", title=tr("charts.month", lang)),
                    alt.Tooltip("value:Q", title=name, format=".1f"),
                ],
            )
        )
    # The turns' rules are drawn even before the first turn (no rows yet): the chart keeps one
    # shape from the game's start to its end, and a browser then only feeds its view new rows
    # at a resolve instead of building the view again (see trajectory_figure in ui.game_views).
    marks = turns.copy()
    marks["date"] = _dates(marks["month"])
    marks["number"] = marks["turn"].astype(str)
    rules = alt.Chart(marks)
    layers += [
        rules.mark_rule(color=RULE_COLOUR, strokeDash=[4, 4], opacity=0.7).encode(x=x),
        rules.mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=size.label, fontWeight="bold",
                        color=RULE_COLOUR).encode(x=x, y=alt.value(0), text="number:N"),
    ]  # fmt: skip
    main = alt.layer(*layers).properties(height=size.height, title=alt.Title(name, fontSize=size.heading))
    return Figure(_configured(main, size), data.reset_index(drop=True).round({"value": 2}))


def _value_axis(size: Sizes) -> alt.Axis:
    """The value axis, of a fixed width so that the strip below lines up month for month."""
    # at most one decimal: with one point (before the first resolve) Vega labels 58.2 "58.200000"
    return alt.Axis(minExtent=size.extent, maxExtent=size.extent, labelFontSize=size.label, format=".1~f")


def _configured(chart: alt.TopLevelMixin, size: Sizes) -> alt.TopLevelMixin:
    chart = chart.configure_axis(labelFontSize=size.label, titleFontSize=size.title, labelColor="#111111")
    chart = chart.configure_legend(labelFontSize=size.label, titleFontSize=size.label, orient="bottom")
    return chart.configure_view(strokeWidth=0)


def decision_strip(
    decisions: pd.DataFrame, months: Sequence[str], lang: str, places: str, wall: bool = False
) -> alt.Chart:
    """One row per seat, one marker per turn: filled where a team decided, grey where the rules did.

    Drawn under :func:`game_chart` on the same months and the same axis width, so that each
    marker stands under its turn's line. Rows never share a marker, so turns as close as a month
    apart stay apart; the row's name is the seat's; what was decided is in each marker's
    tooltip and listed under the chart. Before the first resolve the rows stand empty, every
    seat named: the strip has one shape all game long (see :func:`game_chart`).

    Args:
        decisions: One row per seat and resolved turn: ``turn``, ``month``, ``seat`` (id),
            ``decision`` (labels, joined), ``player`` (``human`` or ``rule``).
        months: The months of the chart above.
        lang: Language of the texts.
        places: Place-name setting.
        wall: Sizes for the projector.
    """
    size = WALL if wall else SCREEN
    x = time_axis(months, lang, size, labels=False)  # the months are labelled on the chart above
    d = decisions.copy()
    d["date"] = _dates(d["month"])
    d["seat_label"] = [tr(f"actor.{s}", lang, places) for s in d["seat"]]
    d["player_label"] = [tr(f"game.player.{p}", lang, places) for p in d["player"]]
    order = [tr(f"actor.{s}", lang, places) for s in ACTORS]
    players = [tr("game.player.human", lang, places), tr("game.player.rule", lang, places)]
    return (
        alt.Chart(d)
        .mark_point(filled=True, size=size.marker, opacity=0.95)
        .encode(
            x=x,
            y=alt.Y(
                "seat_label:N",
                sort=order,
                scale=alt.Scale(domain=order),  # every seat's row, decided or not yet
                title=None,
                axis=alt.Axis(labelFontSize=size.label, labelLimit=size.extent, minExtent=size.extent,
                              maxExtent=size.extent),
            ),
            color=alt.Color(
                "player_label:N",
                scale=alt.Scale(domain=players, range=[TEAM_COLOUR, MODEL_COLOUR]),
                title=None,
            ),
            shape=alt.Shape("player_label:N", scale=alt.Scale(domain=players, range=["circle", "square"]), title=None),
            tooltip=[
                alt.Tooltip("turn:N", title=tr("game.common.turn_marker", lang, places, turn="").strip()),
                alt.Tooltip("seat_label:N", title=tr("game.common.seat", lang, places)),
                alt.Tooltip("decision:N", title=tr("game.common.decisions", lang, places)),
                alt.Tooltip("player_label:N", title=tr("game.common.player", lang, places)),
            ],
        )
        .properties(height=size.strip_height(len(ACTORS)))
        .configure_axis(labelFontSize=size.label, labelColor="#111111")
        .configure_legend(labelFontSize=size.label, orient="bottom")
        .configure_view(strokeWidth=0)
    )


def publics_game_chart(game: pd.DataFrame, months: Sequence[str], lang: str, places: str, wall: bool = False) -> Figure:
    """Both publics' favourability in the class's game: one line each (one run, no bands)."""
    size = WALL if wall else SCREEN
    x = time_axis(months, lang, size)
    d = game[game["variable"].isin(PUBLIC_OPINION)][["month", "variable", "value"]].copy()
    d["value"] = d["value"].astype(float).round(2)
    d["date"] = _dates(d["month"])
    d["label"] = [tr(f"variable.{v}", lang, places) for v in d["variable"]]
    labels = [tr(f"variable.{v}", lang, places) for v in PUBLIC_OPINION]
    title = tr("game.chart.publics_title", lang, places)
    chart = (
        alt.Chart(d)
        # points: before the first resolve each public is one month, which a bare line does not draw
        .mark_line(strokeWidth=size.stroke + 1, point=alt.OverlayMarkDef(size=size.marker / 3, filled=True))
        .encode(
            x=x,
            y=alt.Y("value:Q", title=tr("charts.value", lang), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=labels, range=list(OKABE_ITO[: len(labels)])),
                title=None,
                legend=alt.Legend(orient="bottom", labelLimit=600, labelFontSize=size.label),
            ),
            tooltip=["label:N", "month:N", alt.Tooltip("value:Q", format=".1f")],
        )
        .properties(height=size.height, title=alt.Title(title, fontSize=size.heading))
        .configure_axis(labelFontSize=size.label, titleFontSize=size.title, labelColor="#111111")
        .configure_view(strokeWidth=0)
    )
    table = d.rename(columns={"label": "series"})[["month", "series", "value"]].reset_index(drop=True)
    return Figure(chart, table.round({"value": 2}))
