"""The Compare and Model & data pages driven by AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from model.i18n import tr
from tests.ui.conftest import PAGES
from ui import state_url as su
from ui.explore_logic import Edits

TIMEOUT = 120


def compare(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(PAGES / "compare.py"), default_timeout=TIMEOUT)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return at.run()


def test_two_scenarios_side_by_side_and_their_difference(scenario_dir):
    """Alpha and beta cover the same months: two fan charts and a difference fan chart."""
    at = compare()
    assert not at.exception
    assert at.selectbox(key="compare_b").value == "beta"  # same period as alpha
    at.number_input(key="compare_runs").set_value(20)
    at.button(key="compare_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("vega_lite_chart")) == 4  # two fans, their difference, the causes of the gap
    assert [s.value for s in at.subheader][:2] == ["Alpha, a quiet two years", "Beta, a liquidation order"]
    assert at.query_params["compare"] == "beta"
    sentence = " ".join(m.value for m in at.markdown)
    assert "By 2027-12, the relationship index is about" in sentence
    assert "with the what-if's 2 changes to the calendar" in sentence  # beta adds an order, drops a summit
    waterfall = at.get("vega_lite_chart")[3].proto.spec
    assert "1. Order to liquidate seized assets (Korean courts)" in waterfall  # beta's own event first


def test_the_edited_copy_from_a_link(scenario_dir):
    """A link with edits compares alpha with alpha-as-edited, and names the changes."""
    edits = Edits((("actors.washington.stance", "transactional"),))
    state = su.PageState("alpha", edits, 20, 5, None, "edited")
    at = compare(su.to_params(state))
    assert not at.exception, [e.value for e in at.exception]
    assert "with 1 change(s)" in at.subheader[1].value
    assert len(at.get("vega_lite_chart")) == 4


def test_the_edited_copy_without_edits_says_so(scenario_dir):
    at = compare()
    at.selectbox(key="compare_b").set_value("edited").run()
    assert not at.exception
    assert any("no changes" in i.value for i in at.info)


def test_a_tampered_compare_link_gives_a_message(scenario_dir):
    at = compare({"scenario": "alpha", "compare": "../../x", "runs": "20"})
    assert not at.exception
    assert any("does not exist" in w.value for w in at.warning)


def test_model_and_data_lists_the_catalogue_with_sources(scenario_dir):
    """Actors, mechanisms, the catalogue with a source column, the data files: no traceback."""
    at = AppTest.from_file(str(PAGES / "model_data.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    headers = [h.value for h in at.header]
    assert "The mechanisms, in plain words" in headers and "The data" in headers
    events, _decisions, coefficients = (d.value for d in at.dataframe[:3])
    assert "Source" in events.columns and events["Source"].str.len().gt(0).any()
    assert coefficients["Source"].str.len().gt(0).all()
    assert not any("{dokdo}" in m.value for m in at.markdown)  # place names filled in


def test_the_fit_speaks_the_readers_place_names(scenario_dir):
    """The signatures' claims follow the reader's place-name setting, not the default pair."""
    at = AppTest.from_file(str(PAGES / "model_data.py"), default_timeout=TIMEOUT)
    at.session_state["settings_places"] = "japanese"
    at.run()
    at.button(key="modeldata_fit_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    claims = " ".join(at.dataframe[-1].value["What happened"])
    assert "Takeshima" in claims and "Dokdo" not in claims
    errors = next(d.value for d in at.dataframe if "Unit of the errors" in d.value.columns)
    assert set(errors["Unit of the errors"]) == {"points", "%"}  # polls and visitor totals
    roles = [d.value for d in at.dataframe if "What the year is to the model" in d.value.columns]
    assert roles and "test: not fitted" in set(roles[0]["What the year is to the model"])
    # each chart says in one line what it shows (for screen readers): how many figures it meets
    assert sum("published figures lie inside the simulated 90% band" in c.value for c in at.caption) == 2


@pytest.mark.parametrize(("lang", "month"), [("ko", "2015년 12월"), ("ja", "2015年12月")])
def test_how_far_to_trust_it_writes_months_as_the_reader_does(scenario_dir, lang, month):
    """The backtest's origins in the lines and the table read as the language writes a month."""
    at = AppTest.from_file(str(PAGES / "model_data.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key="settings_lang_widget").set_value(lang).run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert month in text and "2015-12" not in text
    table = next(d.value for d in at.dataframe if tr("modeldata.trustcol_origin", lang) in d.value.columns)
    assert month in set(table[tr("modeldata.trustcol_origin", lang)])


def test_lists_on_the_japanese_page_are_written_with_japanese_punctuation(scenario_dir):
    """A menu of decisions and a rule's leanings read 「A、B」, not 「A; B」 or 「A, B」 after 「：」."""
    at = AppTest.from_file(str(PAGES / "model_data.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key="settings_lang_widget").set_value("ja").run()
    assert not at.exception, [e.value for e in at.exception]
    menus = [c.value for c in at.caption if c.value.startswith("選択肢：")]
    assert menus and all("; " not in m and "、" in m for m in menus), menus[:2]
    rules = [m.value for m in at.markdown if tr("modeldata.tag_weights", "ja", weights="") in m.value]
    assert rules and all(", " not in r and "（" in r for r in rules), rules[:2]
