"""Charts drawn from synthetic ensemble tables: the numbers behind each picture are right."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.i18n import month_text
from ui import charts

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def synthetic_table(runs: int = 50, shift: float = 0.0, seed: int = 1) -> pd.DataFrame:
    """A tidy table with a known distribution: value = 50 + shift + run-specific noise."""
    rng = np.random.default_rng(seed)
    rows = []
    noise = rng.normal(0, 5, size=runs)
    for r in range(runs):
        for i, m in enumerate(MONTHS):
            base = 50 + shift + noise[r] + i
            rows.append((r, m, "relationship_index", base))
            for k, track in enumerate(charts.TRACKS):
                rows.append((r, m, track, base + k))
            rows.append((r, m, "kr_favorable_japan", 30 + noise[r]))
            rows.append((r, m, "jp_favorable_korea", 40 + noise[r]))
            rows.append((r, m, "kr_gov_approval", 45.0))
            rows.append((r, m, "jp_gov_approval", 38.0))
            rows.append((r, m, "gsomia", float(r % 4 != 0 or i < 6)))
            rows.append((r, m, "jp_export_controls", 0.0))
    return pd.DataFrame(rows, columns=["run", "month", "variable", "value"])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return synthetic_table()


def test_quantiles_are_ordered_and_match_numpy(table):
    """Bands nest (5% <= 25% <= median <= 75% <= 95%) and the median is numpy's."""
    q = charts.quantile_table(table, ["relationship_index"])
    assert list(q["month"]) == MONTHS
    assert (q["q05"] <= q["q25"]).all() and (q["q25"] <= q["median"]).all()
    assert (q["median"] <= q["q75"]).all() and (q["q75"] <= q["q95"]).all()
    jan = table[(table["variable"] == "relationship_index") & (table["month"] == "2026-01")]["value"]
    assert q.loc[0, "median"] == pytest.approx(np.median(jan))
    assert (q["runs"] == 50).all()


def _layers(spec: dict) -> list[dict]:
    """Every single-mark layer in a (possibly nested) layered Vega-Lite spec."""
    out = []
    for layer in spec.get("layer", []):
        out += _layers(layer) if "layer" in layer else [layer]
    return out


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark["type"] if isinstance(mark, dict) else mark


def _marks(spec: dict) -> list[str]:
    """Every mark type in a (possibly nested) layered Vega-Lite spec."""
    return [_mark(layer) for layer in _layers(spec)]


def test_fan_chart_is_valid_vega_lite_with_event_markers(table):
    """The fan chart serialises; bands, median and events inside the period are drawn, with legends."""
    events = pd.DataFrame({"month": ["2026-03", "2031-01"], "label": ["Summit", "Outside"]})
    fig = charts.fan_chart(table, events=events)
    spec = fig.chart.to_dict()
    marks = _marks(spec)
    assert "area" in marks and "line" in marks and "rule" in marks and "text" in marks
    text = str(spec)
    for legend in ("Median", "Half of the runs (50% band)", "9 runs in 10 (90% band)", "Scheduled event"):
        assert legend in text  # the bands and the lines are explained in legends
    assert "Outside" not in text
    assert len(fig.data) == len(MONTHS)
    assert "Median" in fig.data.columns
    assert fig.alt.startswith("Relationship index: the median goes from")


def test_markers_name_decisions_and_elections_and_thin_out_thousands():
    """Decisions and elections get their own kind of line; thousands of items keep 14 labels."""
    months = [f"2026-{m:02d}" for m in range(1, 13)] + [f"2027-{m:02d}" for m in range(1, 13)]
    few = pd.DataFrame(
        {
            "month": ["2026-04", "2026-07", "2027-03"],
            "label": ["Tariffs on both allies (Washington)", "Step back (Washington)", "Local elections"],
            "kind": ["decision", "decision", "election"],
        }
    )
    marks = charts.thin_markers(few, months)
    assert set(marks["kind"]) == {"decision", "election"} and marks["labelled"].all()
    assert (marks.loc[marks["kind"] == "election", "line"] > marks.loc[marks["kind"] == "decision", "line"].max()).all()
    many = pd.DataFrame({"month": [months[i % 24] for i in range(3507)], "label": [f"e{i}" for i in range(3507)]})
    many["first"] = many["label"] == "e3000"
    thin = charts.thin_markers(many, months, width=charts.LABEL_WIDTHS[-1])  # room for more than 14
    assert len(thin) == 24 and thin["labelled"].sum() == charts.MAX_LABELS
    assert thin["count"].sum() == 3507
    assert thin.loc[thin["month"] == months[3000 % 24], "labelled"].item()  # the what-if's own first


def test_share_on_counts_runs_where_fact_is_in_force(table):
    """GSOMIA is off in a quarter of runs from July: the share falls from 100% to 75%."""
    s = charts.share_on_table(table, ["gsomia"]).set_index("month")["share_on"]
    assert s["2026-01"] == pytest.approx(100.0)
    assert s["2026-12"] == pytest.approx(74.0)  # runs 0,4,...,48: 13 of 50 off


def test_institutions_chart_table_covers_present_facts_only(table):
    fig = charts.institutions_chart(table)
    assert set(fig.data.iloc[:, 1]) == {
        charts.variable_label("gsomia"),
        charts.variable_label("jp_export_controls"),
    }
    fig.chart.to_dict()


def test_polls_become_points_only_where_the_run_covers_them(table):
    """Polls map to the public they measure; unknown series and months outside are dropped."""
    polls = pd.DataFrame(
        {
            "series": [
                "genron_eai_KR_good_impression_of_japan",
                "jp_favorable_korea",
                "pew_other",
                "kr_favorable_japan",
            ],
            "month": ["2026-05", "2026-10", "2026-05", "2019-06"],
            "value": [31.7, 41.0, 20.0, 31.0],
            "source": ["Genron NPO/EAI", "Cabinet Office", "Pew", "x"],
        }
    )
    fig = charts.publics_chart(table, polls)
    observed = fig.data.dropna(subset=["Published figure"])
    assert sorted(observed["Published figure"]) == [31.7, 41.0]
    fig.chart.to_dict()


def test_difference_pairs_runs_and_is_the_shift():
    """Same noise, B shifted by 3: every paired difference is exactly 3."""
    a, b = synthetic_table(shift=0.0), synthetic_table(shift=3.0)
    d = charts.paired_difference(a, b, "relationship_index")
    assert len(d) == 50 * len(MONTHS)
    assert np.allclose(d["value"], 3.0)
    fig = charts.difference_fan_chart(a, b)
    assert np.allclose(fig.data["Median"], 3.0)


def test_difference_without_overlap_is_a_clear_error(table):
    other = table.assign(month="2040-01")
    with pytest.raises(ValueError, match="share no months"):
        charts.difference_fan_chart(table, other)


LEDGER = pd.DataFrame(
    {
        "month": ["2027-03", "2027-03", "2027-05", "2027-06", "2027-06", "2027-07"],
        "cause": ["liquidation_order", "summit", "relax_baseline", "summit", "tiny", "summit"],
        "actor": ["courts", "seoul", "model", "seoul", "model", "seoul"],
        "variable": ["history", "history", "history", "diplomatic", "history", "history"],
        "delta": [-6.1, 1.5, 0.8, 4.0, 0.01, 0.5],
    }
)


def test_waterfall_steps_add_up_to_the_net_change():
    """Each bar starts where the previous ended; the net bar equals the sum of the deltas."""
    w = charts.waterfall_table(LEDGER, "history", {"liquidation_order": "The liquidation order"})
    body, net = w.iloc[:-1], w.iloc[-1]
    assert body.iloc[0]["label"] == "The liquidation order (Korean courts)"  # largest first, with its actor
    assert np.allclose(body["start"].iloc[1:].to_numpy(), body["end"].iloc[:-1].to_numpy())
    assert net["delta"] == pytest.approx(-6.1 + 1.5 + 0.8 + 0.01 + 0.5)
    assert net["end"] == pytest.approx(body["end"].iloc[-1])


def test_waterfall_groups_the_tail_as_other_causes():
    w = charts.waterfall_table(LEDGER, "history", top=1, most=1)
    assert list(w["cause"]) == ["liquidation_order", "_other", "_net"]
    assert w.iloc[1]["delta"] == pytest.approx(1.5 + 0.8 + 0.01 + 0.5)
    fig = charts.waterfall_chart(LEDGER, "history", top=1)
    assert "Other causes" in fig.data.iloc[-2, 0]
    fig.chart.to_dict()


def test_other_causes_never_outweigh_a_quarter_of_the_largest_bar():
    """More causes are named while the rest would be a large bar: "Other causes" never dominates."""
    w = charts.waterfall_table(LEDGER, "history", top=1)
    other = w.loc[w["cause"] == "_other", "delta"]
    largest = w.loc[~w["cause"].isin(["_other", "_net"]), "delta"].abs().max()
    assert other.empty or abs(other.item()) <= charts.REST_SHARE * largest
    assert charts.shown_count([5.0, 1.0, 1.0, 1.0, 1.0], top=1, most=10) == 4  # the rest: 1.0 <= 1.25


def test_causes_in_words_reads_like_the_issue():
    """The sentence the issue asks for, built through the translation layer."""
    words = charts.causes_in_words(LEDGER, "history", {"liquidation_order": "the liquidation order"})
    assert words[0] == "The liquidation order (Korean courts) of 2027-03 took 6.1 points off the history track."
    assert "Summit (Seoul) added 2.0 points to the history track." in words  # two months: not dated
    dated = charts.causes_in_words(LEDGER, "history", dates={"summit": "2027-03"})
    assert "Summit (Seoul) of 2027-03 added 2.0 points to the history track." in dated
    assert not any("tiny" in w for w in words)  # below the noise threshold


def test_tornado_draws_both_ends_around_the_scenario_as_written():
    """Each assumption is a bar from its low end to its high end, in the order given, with whiskers."""
    swings = pd.DataFrame(
        {
            "parameter": ["b", "c"],
            "label": ["Long-run level of B", "Rate of C"],
            "low": [20.0, 0.1],
            "high": [70.0, 0.5],
            "at_low": [40.0, 49.0],
            "at_high": [60.0, 51.5],
            "at_low_lo": [39.0, 48.5],
            "at_low_hi": [41.0, 49.5],
            "at_high_lo": [59.0, 51.0],
            "at_high_hi": [61.0, 52.0],
            "swing": [20.0, 2.5],
            "as_written": [50.0, 50.0],
        }
    )
    fig = charts.tornado_chart(swings, "relationship_index", "2030-12")
    assert list(fig.data.iloc[:, 0]) == ["Long-run level of B: 20 to 70", "Rate of C: 0.1 to 0.5"]
    spec = fig.chart.to_dict()
    assert {"bar", "rule"} <= set(_marks(spec))
    assert "Relationship index in 2030-12 (average over runs)" in str(spec)
    assert "mu_star" not in str(spec)
    assert fig.alt.startswith("Relationship index at 2030-12 is 50.0 with every assumption as written")


def test_missing_columns_name_what_is_missing():
    with pytest.raises(ValueError, match="lacks the columns"):
        charts.quantile_table(pd.DataFrame({"run": [1]}), ["x"])


def test_summarise_from_the_array_matches_the_table_summaries(table):
    """The fast path (numpy on the array) gives the same numbers as the group-by on the table."""
    variables = sorted(table["variable"].unique())
    wide = table.pivot_table(index=["month", "variable"], columns="run", values="value")
    values = wide.to_numpy().reshape(len(MONTHS), len(variables), -1)
    quant, shares = charts.summarise(values, MONTHS, variables, ["relationship_index", "gsomia", "nope"])
    slow = charts.quantile_table(table, ["relationship_index", "gsomia"])
    cols = list(charts.QUANTILES)
    assert np.allclose(quant[cols].to_numpy(), slow[cols].to_numpy())
    assert list(quant["month"]) == list(slow["month"])
    slow_share = charts.share_on_table(table, ["gsomia"])
    fast_share = shares[shares["variable"] == "gsomia"]
    assert np.allclose(fast_share["share_on"].to_numpy(), slow_share["share_on"].to_numpy())
    # Charts take the summaries as they are.
    fig = charts.fan_chart(quant)
    assert len(fig.data) == len(MONTHS)


def test_a_cause_taken_by_two_actors_is_named_with_each_actor():
    ledger = pd.DataFrame(
        {
            "cause": ["exercise", "exercise"],
            "actor": ["seoul", "tokyo"],
            "variable": ["security", "security"],
            "delta": [2.0, 1.0],
        }
    )
    w = charts.waterfall_table(ledger, "security", {"exercise": "Join an exercise"})
    assert list(w["label"][:2]) == ["Join an exercise (Seoul)", "Join an exercise (Tokyo)"]
    words = charts.causes_in_words(ledger, "security", {"exercise": "join an exercise"})
    assert words[0].startswith("Join an exercise (Seoul) added 2.0")


def test_the_value_axis_names_the_unit_of_travel():
    """Travel is in millions a year, not on the 0-100 scale of tracks and shares."""
    assert charts.axis_title(["kr_visitors_japan", "jp_visitors_korea"], "en") == "Millions of visitors a year"
    assert charts.axis_title(["people"], "en") == "Value (0-100)"
    assert "millions" in charts.axis_title(["people", "kr_visitors_japan"], "en")


def _titles(spec) -> list[str]:
    """Every text a chart draws of its own: titles, axis and legend titles, tooltips, headers."""
    out = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                out.append(value)
            out += _titles(value)
    elif isinstance(spec, list):
        for value in spec:
            out += _titles(value)
    return out


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_the_backtest_chart_reads_in_the_language(lang):
    """The Model & data page's backtest chart: no English title, legend, tooltip or panel label.

    (It was the PNG drawn for docs/VALIDATION.md, English on a Korean or Japanese page.)
    """
    from model.analysis.backtest import load_results

    scores, _ = load_results()
    fig = charts.backtest_chart(scores, lang)
    spec = fig.chart.to_dict()
    words = [t for t in _titles(spec) if re.search(r"[A-Za-z]{2,}", t.replace("AR(1)", ""))]
    assert not words, words
    data = next(iter(spec["datasets"].values()))
    shown = {row[c] for row in data for c in ("what", "poll", "series_label", "origin_label") if row.get(c)}
    assert shown and not [s for s in shown if re.search(r"[A-Za-z]{3,}", s.replace("AR(1)", "").replace("NPO", ""))]
    assert month_text("2015-12", lang) in " ".join(shown)
    assert re.search(r"[\uac00-\ud7a3]" if lang == "ko" else r"[\u3040-\u30ff]", fig.alt)


LATIN = "abcdefghijklmnopqrstuvwxyz ()-"
HANGUL = "정상회담한일관계위안부합의징용판결"  # Korean labels
KANA_KANJI = "首脳会談日韓関係慰安婦合意徴用工判決ワシントン"  # Japanese labels


def _spans(
    marks: pd.DataFrame, months: list[str], width: float, placed_for: float | None = None
) -> dict[int, list[tuple[float, float]]]:
    """Each row's label extents (px), recomputed from the label's side and its estimated width.

    ``placed_for``: the width the labels were placed for (their cut), when drawn on another.
    """
    step = width / max(len(months) - 1, 1)
    rows: dict[int, list[tuple[float, float]]] = {}
    for m in marks[marks["labelled"]].itertuples():
        band = "election" if m.kind == "election" else "top"
        x, w = months.index(m.month) * step, charts.label_extent(m.text, band, placed_for or width)
        rows.setdefault(m.line, []).append((x + 3, x + 3 + w) if m.align == "left" else (x - 3 - w, x - 3))
    return rows


def _crossings(marks: pd.DataFrame, months: list[str], width: float, placed_for: float | None = None) -> list:
    """Labels that a labelled marker's line crosses on its way up from the data to its own label."""
    step = width / max(len(months) - 1, 1)
    rows = _spans(marks, months, width, placed_for)
    out = []
    for m in marks[marks["labelled"]].itertuples():
        x = months.index(m.month) * step
        out += [(m.text, row, span) for row, spans in rows.items() if row > m.line
                for span in spans if span[0] - charts.LEADER_GAP <= x <= span[1] + charts.LEADER_GAP]
    return out


def _apart(marks: pd.DataFrame, months: list[str], width: float, placed_for: float | None = None) -> None:
    """No two labels on a row touch, and no line crosses a label."""
    for row, spans in _spans(marks, months, width, placed_for).items():
        assert row in charts.LABEL_ROWS["top"] + charts.LABEL_ROWS["election"]
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end + charts.LABEL_GAP, (row, spans)
    assert not _crossings(marks, months, width, placed_for)


@settings(max_examples=150, deadline=None)
@given(
    n_months=st.integers(1, 170),
    items=st.lists(
        st.tuples(
            st.integers(0, 169),
            st.sampled_from((LATIN, HANGUL, KANA_KANJI)).flatmap(lambda a: st.text(a, min_size=1, max_size=30)),
            st.sampled_from(charts.MARKER_KINDS),
            st.booleans(),
        ),
        max_size=120,
    ),
    width=st.sampled_from(charts.LABEL_WIDTHS),
)
def test_placed_labels_never_overlap_on_a_row_and_no_marker_is_lost(n_months, items, width):
    """Whatever the markers and their language, labels keep apart and off each other's lines; every item stays."""
    months = list(pd.period_range("2012-01", periods=n_months, freq="M").strftime("%Y-%m"))
    events = pd.DataFrame(
        [(months[i % n_months], text, kind, first) for i, text, kind, first in items],
        columns=["month", "label", "kind", "first"],
    )
    marks = charts.thin_markers(events, months, width=width)
    assert marks["count"].sum() == len(events)
    keys = ["month", "kind"]
    assert set(marks[keys].itertuples(index=False)) == set(events[keys].itertuples(index=False))
    assert marks["labelled"].sum() <= charts.MAX_LABELS
    assert ((marks["text"] != "") == marks["labelled"]).all()
    _apart(marks, months, width)
    assert marks.empty or marks["labelled"].any()  # the first label placed never collides


def test_label_width_counts_hangul_and_kanji_about_twice_a_latin_letter():
    for wide in ("한", "首", "ワ"):
        assert 1.6 < charts.label_width(wide, 11) / charts.label_width("a", 11) < 2.2
    assert charts.label_width("Summit +2", 11) == pytest.approx(9 * charts.label_width("a", 11))


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
def test_the_history_replay_labels_are_spread_over_its_14_years(lang):
    """On the 2012-2025 replay (~150 markers) labels stand in every third of the period, none overlapping."""
    from model.scenario import load_scenario, shipped_scenarios
    from ui.widgets import marker_events

    scenario = load_scenario(shipped_scenarios()["history-2012-2025"])
    months = scenario.months
    events = marker_events(scenario, None, lang, "both")
    marks = charts.thin_markers(events, months)
    assert len(marks) > 100 and marks["count"].sum() == len(events)
    labelled = marks[marks["labelled"]]
    thirds = [months.index(m) * 3 // len(months) for m in labelled["month"]]
    assert {0, 1, 2} <= set(thirds), labelled[["month", "text"]]
    assert min(thirds.count(k) for k in range(3)) >= 2, thirds
    _apart(marks, months, charts.PLOT_WIDTH)


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
def test_each_plot_width_gets_labels_that_stay_apart_on_it(lang):
    """The replay's label set for each width range keeps apart on any plot in that range, and fills wider plots more.

    Why: the browser picks the set by its plot's width (about 500 px on a 600 px screen); one set
    placed for 600 px touched on every narrower plot.
    """
    from model.scenario import load_scenario, shipped_scenarios
    from ui.widgets import marker_events

    scenario = load_scenario(shipped_scenarios()["history-2012-2025"])
    months = list(scenario.months)
    sets = charts.label_sets(marker_events(scenario, None, lang, "both"), months)
    counts = []
    for (wmin, wmax), labels in sets.groupby(["wmin", "wmax"]):
        placed_for = max(wmin, charts.LABEL_WIDTHS[0])
        for width in (placed_for, min(wmax - 1, 2000), 2 * placed_for):  # wider than placed for: only more room
            _apart(labels.assign(labelled=True), months, width, placed_for)
        counts.append(len(labels))
    assert counts[0] >= 6 and counts[-1] == charts.MAX_LABELS and counts[-1] > counts[0]


def test_a_label_already_on_the_chart_waits_for_the_others():
    """Five missile launches and one summit, room for two labels: the summit gets one, not a second launch."""
    months = [f"{y}-{m:02d}" for y in (2026, 2027) for m in range(1, 13)]
    events = pd.DataFrame({"month": ["2026-01", "2026-05", "2026-07", "2026-12", "2027-12", "2027-03"],
                           "label": ["Missile launch"] * 5 + ["Summit"]})
    marks = charts.thin_markers(events, months, most=2)
    assert sorted(marks.loc[marks["labelled"], "label"]) == ["Missile launch", "Summit"]


def test_no_data_reaches_the_labels_strip(table):
    """At any plot height the bands and the median stay below the labels; only labelled lines enter the strip."""
    events = pd.DataFrame({"month": ["2026-03", "2026-05", "2026-06"], "label": ["Summit", "Tariffs", "Vote"],
                           "kind": ["event", "decision", "election"]})
    fig = charts.fan_chart(table, events=events)
    spec = fig.chart.to_dict()
    value = [y["scale"] for y in (layer.get("encoding", {}).get("y", {}) for layer in _layers(spec))
             if y.get("scale") and "domainMax" in y["scale"]]
    assert len(value) == 1
    lo, top = value[0]["domainMin"], value[0]["domainMax"]["expr"]
    q = charts.quantile_table(table, ["relationship_index"])
    highest = max(q["q95"].max(), q["median"].max())
    for height in (150, 250, 400):
        domain_max = eval(top, {"max": max, "height": height})  # noqa: S307 (our own expression)
        assert height * (domain_max - highest) / (domain_max - lo) >= charts.LABEL_STRIP - 1e-6
    last_row = max(charts.LABEL_ROWS["top"] + charts.LABEL_ROWS["election"])
    assert last_row + max(charts.LABEL_SIZE.values()) <= charts.LABEL_STRIP
    rules = [layer for layer in _layers(spec) if _mark(layer) == "rule" and "tooltip" in layer["encoding"]]
    assert rules and all(r["encoding"]["y"] == {"value": charts.LABEL_STRIP} for r in rules)


def test_the_what_ifs_own_item_is_labelled_whole_where_the_others_are_cut():
    """The item the reader changed is what the difference chart is about: its label is not cut at 180 px."""
    months = [f"{y}-{m:02d}" for y in range(2026, 2031) for m in range(1, 13)]
    own = "Order to liquidate seized assets (Korean courts)"
    other = "A scheduled event whose label is as long as the what-if's own one"
    events = pd.DataFrame({"month": ["2027-03", "2028-06"], "label": [own, other], "first": [True, False]})
    marks = charts.thin_markers(events, months).set_index("label")
    assert marks.at[own, "text"] == own and marks.at[own, "limit"] >= charts.label_width(own, charts.LABEL_SIZE["top"])
    assert marks.at[other, "limit"] == charts.LABEL_LIMIT < charts.label_width(other, charts.LABEL_SIZE["top"])
