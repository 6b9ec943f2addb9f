"""The Explore page driven by Streamlit's AppTest: pick, edit, run, upload, links."""

from __future__ import annotations

import hashlib

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from model.scenario import parse_scenario
from tests.ui.conftest import PAGES
from ui import state_url as su
from ui.explore_logic import Edits
from ui.plain_text import shown

WASHINGTON = "explore_field|{key}|actors.washington.stance"
TIMEOUT = 120


def page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(PAGES / "explore.py"), default_timeout=TIMEOUT)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return at.run()


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def show(at: AppTest, view: str) -> AppTest:
    """Pick a view of the results (the segmented control above the chart)."""
    control = next(b for b in at.get("button_group") if b.key == "explore_view")
    return control.set_value(view).run()


def run_small(at: AppTest, runs: int = 20) -> AppTest:
    at.number_input(key="explore_runs").set_value(runs)
    return at.button(key="explore_run").click().run()


def test_a_newcomer_sees_the_scenario_and_a_run_button_then_charts(scenario_dir):
    """Before Run: title, question, no chart. After Run: every chart, and a link in the URL."""
    at = page()
    no_traceback(at)
    assert at.subheader[0].value == "Alpha, a quiet two years"
    assert any("quiet relationship" in m.value for m in at.markdown)
    assert charts(at) == []
    at = run_small(at)
    no_traceback(at)
    assert len(charts(at)) == 1  # the relationship fan chart
    assert "20 runs of 24 months" in at.success[0].value
    assert at.query_params["scenario"] == "alpha"
    assert at.query_params["runs"] == "20"


@pytest.mark.parametrize("view", ["tracks", "publics", "travel", "facts", "approval", "why"])
def test_each_view_draws_its_chart_from_the_same_ensemble(scenario_dir, view):
    """Switching the view redraws one chart; only "why" needs (and runs) the ledger."""
    at = run_small(page())
    show(at, view)
    no_traceback(at)
    assert len(charts(at)) == 1
    if view == "why":
        assert any("points" in m.value for m in at.markdown)  # the causes in words
    else:
        assert "already simulated" in at.success[0].value


def test_picking_another_scenario_shows_its_question(scenario_dir):
    at = page()
    at.selectbox(key="explore_scenario").set_value("beta").run()
    no_traceback(at)
    assert at.subheader[0].value == "Beta, a liquidation order"


def test_an_edit_goes_into_the_link_and_back_to_the_same_result(scenario_dir):
    """Editing reruns from the cache key; the link's edits rebuild the same page."""
    at = run_small(page())
    at.selectbox(key=WASHINGTON.format(key="alpha")).set_value("transactional").run()
    no_traceback(at)
    edits = su.decode_edits(at.query_params["edits"])
    assert edits.values == (("actors.washington.stance", "transactional"),)
    first = at.success[0].value
    # Back to the written value: the earlier ensemble comes from the store.
    at.selectbox(key=WASHINGTON.format(key="alpha")).set_value("alliance_builder").run()
    assert "already simulated" in at.success[0].value
    assert "edits" not in at.query_params
    # A fresh session opened from the link shows the same edit and runs at once.
    again = page(su.to_params(su.PageState("alpha", edits, 20, 7)))
    no_traceback(again)
    assert again.selectbox(key=WASHINGTON.format(key="alpha")).value == "transactional"
    # An edited scenario opens on what the edit changed: the difference and its causes.
    assert len(charts(again)) == 2
    assert first  # the edited run reported its time


def test_adding_and_removing_scheduled_events(scenario_dir):
    """An added event joins the timeline and the link; removing a written one is an edit too."""
    at = page()
    at.selectbox(key="explore_add_type|alpha|").set_value("nuclear_test")
    at.selectbox(key="explore_add_month|alpha|event").set_value("2027-02")
    at.button(key="explore_add|alpha|event").click().run()
    no_traceback(at)
    assert any("2027-02" in m.value and "(added by you)" in m.value for m in at.markdown)
    removes = [b for b in at.button if b.label == "Remove"]
    assert len(removes) == 2
    removes[0].click().run()  # the summit written in the scenario (2026-06 comes first)
    no_traceback(at)
    at = run_small(at)
    edits = su.decode_edits(at.query_params["edits"])
    assert edits.added == (("nuclear_test", "2027-02"),)
    assert edits.removed == (("bilateral_summit", "2026-06"),)


def test_adding_moving_and_removing_a_decision(scenario_dir):
    """A decision is added with its actor, moved to another month, and both show in the link."""
    at = page()
    at.radio(key="explore_add_kind|alpha|").set_value("decision").run()
    at.selectbox(key="explore_add_decision|alpha|").set_value("tokyo_trilateral_exercise")
    at.selectbox(key="explore_add_month|alpha|decision").set_value("2026-09")
    at.button(key="explore_add|alpha|decision").click().run()
    no_traceback(at)
    assert any("Join a trilateral exercise (Tokyo)" in m.value and "2026-09" in m.value for m in at.markdown)
    mover = next(s for s in at.selectbox if s.key.startswith("explore_mv|alpha|") and "|decision|" in s.key)
    mover.set_value("2027-01").run()
    no_traceback(at)
    at = run_small(at)
    edits = su.decode_edits(at.query_params["edits"])
    assert edits.decisions_added == (("tokyo_trilateral_exercise", "2027-01"),)
    assert at.query_params["view"] == "difference"
    sentence = " ".join(m.value for m in at.markdown)
    assert "with “Join a trilateral exercise (Tokyo, 2027-01)”" in sentence


def test_a_starting_level_is_an_edit_within_its_range(scenario_dir):
    """Starting levels are a group of assumptions; the edited scenario starts there."""
    at = page()
    next(b for b in at.get("button_group") if b.key == "explore_group").set_value("initial").run()
    at.number_input(key="explore_field|alpha|initial.history").set_value(20.0).run()
    at.selectbox(key="explore_field|alpha|initial.gsomia").set_value(0.0).run()
    no_traceback(at)
    at = run_small(at)
    edits = su.decode_edits(at.query_params["edits"])
    assert dict(edits.values) == {"initial.history": 20.0, "initial.gsomia": 0.0}
    specs = " ".join(c.proto.spec for c in charts(at))
    assert "Different starting levels" in specs  # the waterfall of the difference names the start


BROKEN = (
    b"id: upload\ntitle: Broken\nquestion: q\nstart: 2026-01\nend: 2027-12\nevents:\n"
    b"  - {month: 2026-13, type: nuclear_test}\n"
)


def test_a_broken_upload_says_what_to_fix_and_keeps_the_other_edits(scenario_dir):
    """The error names the line and field; the shipped scenario's edits are still there."""
    at = page()
    at.selectbox(key=WASHINGTON.format(key="alpha")).set_value("transactional").run()
    at.radio(key="explore_source").set_value("upload").run()
    at.file_uploader(key="explore_upload").upload("mine.yaml", BROKEN, "application/x-yaml").run()
    no_traceback(at)
    message = shown(at.error[0].value)  # what the reader sees of the escaped Markdown
    assert "mine.yaml" in message and "line 7" in message and "events[0].month" in message
    # The page still shows the shipped scenario with the user's edit.
    assert at.selectbox(key=WASHINGTON.format(key="alpha")).value == "transactional"
    at.radio(key="explore_source").set_value("shipped").run()
    assert at.selectbox(key=WASHINGTON.format(key="alpha")).value == "transactional"


def test_a_what_if_that_runs_part_of_its_base_is_read_against_the_same_months(scenario_dir):
    """``base: alpha`` with ``end: 2026-12``: the difference view compares it with alpha's first year."""
    text = "id: mine\nbase: alpha\ntitle: Mine\nquestion: q\nend: 2026-12\n"
    text += "events:\n  - {month: 2026-09, type: nuclear_test}\n"
    at = page()
    at.radio(key="explore_source").set_value("upload").run()
    at.file_uploader(key="explore_upload").upload("mine.yaml", text.encode(), "application/x-yaml").run()
    at = run_small(at)
    no_traceback(at)
    views = next(b for b in at.get("button_group") if b.key == "explore_view")
    assert views.value == "difference", views.value


def test_a_binary_or_huge_upload_is_refused_with_a_message(scenario_dir):
    at = page()
    at.radio(key="explore_source").set_value("upload").run()
    at.file_uploader(key="explore_upload").upload("x.yaml", b"\x89PNG\x00\x01", "image/png").run()
    no_traceback(at)
    assert "not a text (YAML) file" in at.error[0].value


def test_a_good_upload_runs_and_its_yaml_download_loads_again(scenario_dir):
    """An uploaded scenario runs; the edited scenario's YAML parses back to the same scenario."""
    text = (scenario_dir / "beta.yaml").read_text().replace("id: beta", "id: mine")
    at = page()
    at.radio(key="explore_source").set_value("upload").run()
    at.file_uploader(key="explore_upload").upload("mine.yaml", text.encode(), "application/x-yaml").run()
    no_traceback(at)
    assert at.subheader[0].value == "Beta, a liquidation order"
    key = "upload-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    at.selectbox(key=f"explore_field|{key}|actors.tokyo.stance").set_value("hawkish").run()
    at = run_small(at)
    no_traceback(at)
    assert "scenario" not in at.query_params  # an uploaded file cannot travel in a link
    current = at.session_state["explore_current"][1]
    again = parse_scenario(current, "download.yaml")
    assert again.actors.tokyo.stance == "hawkish"
    assert again.id == "mine-edited"
    assert yaml.safe_load(again.to_yaml()) == yaml.safe_load(current)


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"scenario": "no-such"}, "does not exist"),
        ({"scenario": "alpha", "runs": "100000"}, "whole number from 1 to 2000"),
        ({"scenario": "alpha", "edits": "bm90IGpzb24"}, "damaged"),
        ({"scenario": "alpha", "edits": su.encode_edits(Edits((("parameters.nope", 1.0),)))}, "cannot take"),
        (
            {"scenario": "alpha", "edits": su.encode_edits(Edits((("actors.seoul.camp", "royalist"),)))},
            "cannot be used",
        ),
        (
            {"scenario": "alpha", "edits": su.encode_edits(Edits(added=(("nuclear_test", "2031-01"),)))},
            "outside the scenario",
        ),
        ({"scenario": "alpha", "from": "2026-09", "to": "2026-01"}, "starts (2026-09) after"),
    ],
)
def test_a_tampered_link_gives_a_message_not_a_traceback(scenario_dir, params, says):
    """Each kind of bad link shows what was wrong and the page still works."""
    at = page(params)
    no_traceback(at)
    warnings = " ".join(w.value for w in at.warning)
    assert says in warnings
    assert at.subheader[0].value == "Alpha, a quiet two years"


def test_a_coefficient_out_of_range_in_a_link_is_refused(scenario_dir):
    from model.catalogue import load_catalogue

    cid, coef = next(iter(load_catalogue().coefficients.items()))
    edits = Edits(((f"parameters.{cid}", coef.range[1] * 10 + 1),))
    at = page({"scenario": "alpha", "edits": su.encode_edits(edits)})
    no_traceback(at)
    assert "outside its plausible range" in " ".join(w.value for w in at.warning)


def test_edits_survive_a_visit_to_another_page_and_feed_compare():
    """An edit on Explore is Compare's edited copy, and is still there on return.

    Streamlit drops the state of widgets a page did not draw; the pages keep shadow copies.
    """
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(PAGES.parent / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("views/explore.py").run()
    no_traceback(at)
    sid = at.session_state["explore_scenario"]
    field = WASHINGTON.format(key=sid)
    new = "alliance_builder" if at.selectbox(key=field).value == "transactional" else "transactional"
    at.selectbox(key=field).set_value(new).run()
    at.switch_page("views/compare.py").run()
    no_traceback(at)
    assert at.selectbox(key="compare_b").value == "edited"
    at.switch_page("views/explore.py").run()
    assert at.selectbox(key=field).value == new


def test_the_what_matters_view_ranks_the_coefficients(scenario_dir):
    at = run_small(page())
    show(at, "matter")
    at.button(key="explore_matter_run").click().run()
    no_traceback(at)
    assert not at.error, [e.value for e in at.error]
    assert len(charts(at)) == 1


def test_another_language_setting_still_draws_the_page(scenario_dir):
    """Korean texts fall back to English key by key until translators supply them."""
    at = page()
    at.selectbox(key="settings_lang_widget").set_value("ko").run()
    no_traceback(at)
    at.selectbox(key="settings_places_widget").set_value("korean").run()
    no_traceback(at)
    assert at.subheader[0].value == "Alpha, a quiet two years"


def test_a_coefficient_edit_stays_when_another_group_is_shown(scenario_dir):
    """Only one group of coefficients is drawn at a time; the others' edits are kept."""
    from model.catalogue import load_catalogue

    cid, coef = next((c, v) for c, v in load_catalogue().coefficients.items() if v.group == "dynamics")
    at = run_small(page())
    group = next(b for b in at.get("button_group") if b.key == "explore_group")
    group.set_value("dynamics").run()
    value = (coef.range[0] + coef.range[1]) / 2
    at.number_input(key=f"explore_field|alpha|parameters.{cid}").set_value(value).run()
    next(b for b in at.get("button_group") if b.key == "explore_group").set_value("rate").run()
    no_traceback(at)
    edits = su.decode_edits(at.query_params["edits"])
    assert dict(edits.values)[f"parameters.{cid}"] == pytest.approx(value)


def test_why_for_a_big_ensemble_averages_the_first_runs_and_says_so(scenario_dir, monkeypatch):
    """The ledger's memory is bounded: past the bound it covers the first runs only."""
    from model import limits

    monkeypatch.setattr(limits, "LEDGER_RUN_MONTHS", 240)  # 10 runs of 24 months (the one definition)
    at = show(run_small(page(), runs=20), "why")
    no_traceback(at)
    assert any("first 10 runs" in c.value for c in at.caption)
    assert len(charts(at)) == 1


def test_a_failure_inside_the_model_is_a_message_not_a_traceback(scenario_dir, monkeypatch):
    """Even a bug in the core reaches the reader as a message (and the log keeps the traceback)."""
    import model.ensemble

    def broken(*args, **kwargs):
        raise ValueError("simulated failure")

    monkeypatch.setattr(model.ensemble, "run_ensemble", broken)
    at = run_small(page())
    no_traceback(at)
    assert "simulated failure" in at.error[0].value


def test_a_scenario_handed_over_by_another_page_is_explored():
    """A game forked at a turn opens in Explore from session state (no upload needed)."""
    from model.scenario import load_scenario, shipped_scenarios
    from ui import widgets

    forked = load_scenario(shipped_scenarios()["liquidation-order"]).model_copy(
        update={"id": "fork-of-game", "title": "Fork of a class game"}
    )
    at = AppTest.from_file(str(PAGES / "explore.py"), default_timeout=120)
    at.session_state[widgets.HANDOVER_KEY] = ("fork.yaml", forked.to_yaml())
    at.run()
    assert not at.exception
    assert any("Fork of a class game" in info.value for info in at.info)


def test_point_estimate_applies_to_both_arms_of_the_difference(scenario_dir, monkeypatch):
    """With "Point estimate only" the reference runs the point estimate too.

    So the arms agree month for month until the what-if's own decision (a posterior reference
    would differ from the first month: the difference would not be the what-if's).
    """
    from ui import widgets

    real = widgets.ensemble
    drawn: list[tuple[str, object]] = []

    def spy(*args, **kwargs):
        found = real(*args, **kwargs)
        drawn.append((kwargs.get("uncertainty", "posterior"), found.values))
        return found

    monkeypatch.setattr(widgets, "ensemble", spy)
    at = page()
    at.checkbox(key="explore_point").check().run()
    at.radio(key="explore_add_kind|alpha|").set_value("decision").run()
    at.selectbox(key="explore_add_decision|alpha|").set_value("tokyo_trilateral_exercise")
    at.selectbox(key="explore_add_month|alpha|decision").set_value("2027-01")
    at.button(key="explore_add|alpha|decision").click().run()
    drawn.clear()
    at = run_small(at)
    no_traceback(at)
    assert at.query_params["view"] == "difference"
    assert {u for u, _ in drawn} == {"point"}
    whatif, reference = drawn[0][1], drawn[-1][1]
    before = 12  # 2026-01 .. 2026-12: the what-if's decision acts from 2027-01
    assert (whatif[:before] == reference[:before]).all()
    assert not (whatif == reference).all()  # and the decision does change something afterwards


@pytest.mark.parametrize(("lang", "places", "want", "never"), [
    ("ko", "japanese", "처음으로 다케시마 방문", "Dokdo"),
    ("ja", "korean", "李明博大統領が独島に上陸", "Takeshima"),
    ("en", "japanese", "lands on Takeshima,", "Dokdo"),
])
def test_the_replays_timeline_quotes_its_rows_in_the_language_and_naming(lang, places, want, never):
    """A quoted row reads in the reader's language, named as the setting says, its citation kept."""
    at = AppTest.from_file(str(PAGES / "explore.py"), default_timeout=TIMEOUT)
    at.query_params["scenario"] = "history-2012-2025"
    at.query_params["lang"] = lang
    at.session_state["settings_places_widget"] = places
    at.run()
    no_traceback(at)
    lines = [shown(m.value) for m in at.markdown if "events.csv 2012-08-10: " in shown(m.value)]
    assert lines, "the 2012-08 row is on the timeline's first page"
    assert any(want in line for line in lines), lines
    assert not any(never in line or "Dokdo/Takeshima" in line for line in lines), lines
