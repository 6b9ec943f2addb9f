"""The game's charts, made for a wall (issue 15): one label per month, markers that never overlap.

The projector showed months twice on its axis (2026-01, 2026-01, 2026-02...), every turn's
decisions without their seats in one overlapping line, a caption promising poll diamonds that
were not drawn, and small pale text. These tests read the Vega-Lite spec the pages send.
"""

from __future__ import annotations

import pandas as pd
import pytest

from model.catalogue import ACTORS
from model.i18n import tr
from ui import game_charts
from ui.game_charts import SCREEN, WALL, decision_strip, game_chart, month_step, publics_game_chart

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def game_table(months=MONTHS[:6]) -> pd.DataFrame:
    rows = [(0, m, v, 50.0 + i) for i, m in enumerate(months) for v in ("relationship_index", *ACTORS_PUBLICS)]
    return pd.DataFrame(rows, columns=["run", "month", "variable", "value"])


ACTORS_PUBLICS = ("kr_favorable_japan", "jp_favorable_korea")


def decisions(turns=2, months_per_turn=3) -> pd.DataFrame:
    rows = []
    for turn in range(turns):
        for seat in ACTORS:
            player = "human" if seat in ("seoul", "tokyo") else "rule"
            rows.append((turn + 1, MONTHS[turn * months_per_turn], seat, f"decision of {seat}", player))
    return pd.DataFrame(rows, columns=["turn", "month", "seat", "decision", "player"])


def turns(n=2) -> pd.DataFrame:
    return pd.DataFrame([(k + 1, MONTHS[3 * k]) for k in range(n)], columns=["turn", "month"])


def marks(spec) -> list[dict]:
    """Every single view (a dict with a mark) in a spec, however it is layered or stacked."""
    found = []
    if isinstance(spec, dict):
        if "mark" in spec:
            found.append(spec)
        for key in ("layer", "vconcat", "hconcat", "concat"):
            for part in spec.get(key, []):
                found += marks(part)
    return found


def mark_type(view: dict) -> str:
    mark = view["mark"]
    return mark["type"] if isinstance(mark, dict) else mark


@pytest.mark.parametrize(("months", "step"), [(6, 1), (12, 1), (24, 2), (36, 3), (60, 6), (120, 12), (400, 60)])
def test_the_month_axis_labels_at_most_a_dozen_whole_months(months, step):
    """Ticks only on whole months, every ``step`` of them: a month never appears twice."""
    assert month_step(months) == step
    assert months / step <= game_charts.MAX_MONTH_LABELS


def test_every_time_axis_ticks_on_whole_months():
    """Each view's x axis asks Vega-Lite for ticks at month intervals (no mid-month ticks)."""
    spec = game_chart(game_table(), turns(), MONTHS, "en", "both").chart.to_dict()
    strip = decision_strip(decisions(), MONTHS, "en", "both").to_dict()
    axes = [v["encoding"]["x"] for s in (spec, strip) for v in marks(s) if "x" in v.get("encoding", {})]
    assert len(axes) > 2
    for x in axes:
        assert x["axis"]["tickCount"] == {"interval": "month", "step": 1}


def test_decision_markers_carry_their_seat_and_never_share_a_spot():
    """One row per seat (its name on the axis), one marker per seat and turn: none on top of another."""
    frame = decisions(turns=4, months_per_turn=1)  # turns a month apart: the tightest case
    strip = decision_strip(frame, MONTHS, "en", "both").to_dict()
    assert strip["encoding"]["y"]["field"] == "seat_label"
    data = pd.DataFrame(strip["datasets"][strip["data"]["name"]])
    assert set(data["seat_label"]) == {tr(f"actor.{s}") for s in ACTORS}
    assert not data.duplicated(["seat_label", "month"]).any()
    spec = game_chart(game_table(), turns(4), MONTHS, "en", "both").chart.to_dict()
    texts = [v for v in marks(spec) if mark_type(v) == "text"]
    assert texts
    for text in texts:  # the only words drawn on the chart are the turns' numbers
        labels = pd.DataFrame(spec["datasets"][text["data"]["name"]])[text["encoding"]["text"]["field"]]
        assert all(str(label).isdigit() for label in labels)


def test_the_wall_version_is_large_and_dark():
    """On the projector, axis labels and titles are at least 18 px and the text near black."""
    spec = game_chart(game_table(), turns(), MONTHS, "en", "both", wall=True).chart.to_dict()
    axis = spec["config"]["axis"]
    assert axis["labelFontSize"] >= 18 and axis["titleFontSize"] >= 18
    assert axis["labelColor"] in ("#111111", "#000000")
    strip = decision_strip(decisions(), MONTHS, "en", "both", wall=True).to_dict()
    assert strip["config"]["axis"]["labelFontSize"] >= 18
    screen = game_chart(game_table(), turns(), MONTHS, "en", "both").chart.to_dict()
    assert screen["config"]["axis"]["labelFontSize"] < axis["labelFontSize"]
    assert WALL.label > SCREEN.label and WALL.marker > SCREEN.marker


def test_the_strip_lines_up_with_the_chart_above():
    """The chart's value axis and the strip's seat axis have one fixed width, so months align."""
    spec = game_chart(game_table(), turns(), MONTHS, "en", "both", wall=True).chart.to_dict()
    strip = decision_strip(decisions(), MONTHS, "en", "both", wall=True).to_dict()
    axes = [v["encoding"].get("y", {}).get("axis") for v in marks(spec)]
    widths = {(a["minExtent"], a["maxExtent"]) for a in axes if a}
    assert widths == {(WALL.extent, WALL.extent)}
    axis = strip["encoding"]["y"]["axis"]
    assert (axis["minExtent"], axis["maxExtent"]) == (WALL.extent, WALL.extent)


def test_bands_are_drawn_only_when_there_is_a_projection():
    """The class's game is one run: a line, no band; the fan adds its median and two bands."""
    plain = game_chart(game_table(), turns(), MONTHS, "en", "both").chart.to_dict()
    assert not [v for v in marks(plain) if mark_type(v) == "area"]
    runs = pd.DataFrame(
        [(r, m, "relationship_index", 50.0 + r) for r in range(5) for m in MONTHS[6:]],
        columns=["run", "month", "variable", "value"],
    )
    fan = game_chart(game_table(), turns(), MONTHS, "en", "both", projection=runs).chart.to_dict()
    assert len([v for v in marks(fan) if mark_type(v) == "area"]) == 2


def test_the_publics_chart_of_a_game_promises_no_polls():
    """Its title says what is drawn (the class's game); no diamonds, no bands."""
    fig = publics_game_chart(game_table(), MONTHS, "en", "both", wall=True)
    spec = fig.chart.to_dict()
    title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
    assert title == tr("game.chart.publics_title")
    assert "diamond" not in title.lower()
    assert {mark_type(v) for v in marks(spec)} == {"line"}


def test_a_page_draws_where_the_game_starts_before_the_first_resolve(tmp_path):
    """A new game's pages draw their chart at once: where the game starts.

    A resolve then only redraws it: a browser's first Vega-Lite chart costs it about half a
    second more, and a class's thirty browsers would otherwise all pay it on the first resolve.
    """
    from model.game.engine import Game
    from model.game.setup import create_game, scenario_file
    from model.game.store import GameStore
    from ui import game_views as gv

    store = GameStore(f"sqlite:///{tmp_path / 'games.db'}")
    try:
        new = create_game(store, scenario_file("baseline-2026").read_text(encoding="utf-8"), ["seoul"], seed=3, turns=2)
        game = Game(store, new.id)
        tl = game.timeline()
        view = game.world(tl)
        figure, strip = gv.trajectory_figure(game, tl, view, "en", "both")
    finally:
        store.dispose()
    rows = strip.to_dict()
    assert pd.DataFrame(rows["datasets"][rows["data"]["name"]]).empty  # nobody has decided anything yet
    assert rows["encoding"]["y"]["scale"]["domain"] == [tr(f"actor.{s}") for s in ACTORS]  # every row named
    start = view.trajectory[(view.trajectory.t == -1) & (view.trajectory.variable == "relationship_index")]
    assert figure.data["value"].tolist() == [round(float(start.value.iloc[0]), 2)]
    assert figure.data["month"].tolist() == [game.months_of(0)[0]]
    layers = figure.chart.to_dict()["layer"]
    assert any(layer["mark"]["type"] == "line" for layer in layers)  # the class's line, one point so far


def shape(spec: dict) -> str:
    """A Vega-Lite spec without its rows: what a browser's view is built from."""
    import json

    names = {name: f"data-{k}" for k, name in enumerate(spec.get("datasets", {}))}
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)
    for name, stable in names.items():
        text = text.replace(name, stable)
    return text


@pytest.mark.parametrize("wall", [False, True])
def test_the_charts_keep_their_shape_from_the_start_to_the_last_turn(tmp_path, wall):
    """Only the rows change at a resolve, the first one included, so a page's browser keeps its views.

    A browser builds a Vega-Lite view again when the spec changes; the turns' rules and the
    strip of decisions appearing at the first resolve made thirty browsers of a class build
    two views at once (the class's slowest resolve, issue 15). The projector's fan (not drawn
    here) reaches a fixed span past the present, so its axis, and its one view, move each turn.
    """
    from model.game.engine import Game
    from model.game.setup import create_game, scenario_file
    from model.game.store import GameStore
    from ui import game_views as gv

    store = GameStore(f"sqlite:///{tmp_path / 'games.db'}")
    try:
        new = create_game(store, scenario_file("baseline-2026").read_text(encoding="utf-8"), ["seoul"], seed=3, turns=3)
        game = Game(store, new.id)
        shapes, rows = [], []
        for turn in range(3):
            tl = game.timeline()
            drawn = gv.trajectory_prepared(game, tl, game.world(tl), "en", "both", wall=wall)
            shapes.append([shape(spec) for spec in drawn.specs])
            rows.append(drawn.table.num_rows)
            if turn == 0:
                assert game.start(new.instructor_code)
            assert game.resolve(new.instructor_code, turn)
    finally:
        store.dispose()
    assert len(shapes[0]) == 2  # the chart and its strip, from the start
    assert shapes[0] == shapes[1] == shapes[2]
    assert rows[0] < rows[1] < rows[2]  # the rows did change


def test_the_projector_draws_both_publics_from_the_start(tmp_path):
    """Before the first resolve the publics' chart shows where each starts, in the shape it keeps."""
    from model.game.engine import Game
    from model.game.setup import create_game, scenario_file
    from model.game.store import GameStore
    from ui import game_views as gv

    store = GameStore(f"sqlite:///{tmp_path / 'games.db'}")
    try:
        new = create_game(store, scenario_file("baseline-2026").read_text(encoding="utf-8"), ["seoul"], seed=3, turns=2)
        game = Game(store, new.id)
        drawn = []
        for turn in range(2):
            tl = game.timeline()
            drawn.append(gv.publics_prepared(game, game.world(tl), "en", "both", wall=True))
            if turn == 0:
                assert game.start(new.instructor_code)
            assert game.resolve(new.instructor_code, turn)
        start = game.world(game.timeline()).trajectory
    finally:
        store.dispose()
    before, after = drawn
    assert before is not None and after is not None
    assert before.table.num_rows == 2  # one point for each public
    begun = start[(start.t == -1) & start.variable.isin(ACTORS_PUBLICS)]
    assert sorted(before.table.column("value").to_pylist()) == sorted(round(float(v), 2) for v in begun.value)
    assert [shape(s) for s in before.specs] == [shape(s) for s in after.specs]


def test_the_value_axis_labels_a_start_of_one_point_as_it_is_written():
    """One point of float32 (the game's start) was labelled "58.200001": rows of 2 decimals, labels of at most 1."""
    import numpy as np

    start = {"run": 0, "month": ["2026-01"], "variable": ["relationship_index"], "value": [np.float32(58.2)]}
    table = pd.DataFrame(start)
    spec = game_chart(table, turns(0), MONTHS, "en", "both").chart.to_dict()
    line = next(v for v in marks(spec) if mark_type(v) == "line")
    assert [row["value"] for row in spec["datasets"][line["data"]["name"]]] == [58.2]
    assert line["encoding"]["y"]["axis"]["format"] == ".1~f"


def test_a_prepared_chart_sends_the_rows_it_was_drawn_from(tmp_path):
    """The rows are turned into Arrow once for every page: what is sent reads back as the rows drawn."""
    import pyarrow as pa

    from model.game.engine import Game
    from model.game.setup import create_game, scenario_file
    from model.game.store import GameStore
    from ui import game_views as gv

    store = GameStore(f"sqlite:///{tmp_path / 'games.db'}")
    try:
        new = create_game(store, scenario_file("baseline-2026").read_text(encoding="utf-8"), ["seoul"], seed=3, turns=2)
        game = Game(store, new.id)
        assert game.start(new.instructor_code)
        assert game.resolve(new.instructor_code, 0)
        tl = game.timeline()
        figure, strip = gv.trajectory_figure(game, tl, game.world(tl), "en", "both")
    finally:
        store.dispose()
    drawn = gv.prepare(figure, strip)
    specs = [figure.chart.to_dict(), strip.to_dict()]
    for spec in specs:  # as prepare() leaves them: the default theme's view size dropped
        for name in ("continuousWidth", "continuousHeight"):
            spec.get("config", {}).get("view", {}).pop(name, None)
    assert [shape(s) for s in drawn.specs] == [shape(s) for s in specs]
    for spec, sent in zip(specs, drawn.specs, strict=True):
        assert spec["datasets"].keys() == sent["datasets"].keys()
        for name, rows in spec["datasets"].items():
            back = pa.ipc.open_stream(sent["datasets"][name]).read_all().to_pandas()
            assert back.to_dict("records") == pd.DataFrame(rows).to_dict("records")
    assert drawn.table.to_pandas().equals(figure.data.reset_index(drop=True))
