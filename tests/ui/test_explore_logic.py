"""Edits, bounds and links of the Explore page, without Streamlit."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.i18n import has
from ui import explore_logic as el
from ui import state_url as su

TREE = {
    "title": "t",
    "actors": {"seoul": {"hawkishness": 0.3}},
    "events": [{"type": "summit", "month": "2026-05"}],
}


def test_apply_edits_sets_adds_removes_and_leaves_the_original_alone():
    edits = (
        el.Edits()
        .with_value("actors.seoul.hawkishness", 0.8)
        .with_value("actors.tokyo.hawkishness", 0.6)
        .with_added("nuclear_test", "2027-01")
        .with_removed("summit", "2026-05")
    )
    out = el.apply_edits(TREE, edits)
    assert out["actors"]["seoul"]["hawkishness"] == 0.8
    assert out["actors"]["tokyo"]["hawkishness"] == 0.6
    assert out["events"] == [{"type": "nuclear_test", "month": "2027-01"}]
    assert TREE["actors"]["seoul"]["hawkishness"] == 0.3
    assert len(TREE["events"]) == 1


def test_later_value_for_a_path_replaces_the_earlier_one():
    edits = el.Edits().with_value("a.b", 1).with_value("a.b", 2)
    assert edits.values == (("a.b", 2),)
    assert edits.without_value("a.b").values == ()


def test_removing_an_added_event_drops_the_addition():
    edits = el.Edits().with_added("nuclear_test", "2027-01").with_removed("nuclear_test", "2027-01")
    assert not edits


def test_removing_an_event_the_scenario_lacks_says_which():
    edits = el.Edits().with_removed("summit", "2030-01")
    with pytest.raises(el.InputError) as err:
        el.apply_edits(TREE, edits)
    assert err.value.key == "explore.error_remove_missing"
    assert err.value.values == {"event": "summit", "month": "2030-01"}


def test_setting_a_path_through_a_value_is_refused():
    with pytest.raises(el.InputError):
        el.apply_edits(TREE, el.Edits().with_value("title.x", 1))


@pytest.mark.parametrize("size", [el.MAX_UPLOAD_BYTES + 1, 10 * el.MAX_UPLOAD_BYTES])
def test_uploads_over_the_bound_are_refused(size):
    with pytest.raises(el.InputError) as err:
        el.read_upload(b"a" * size)
    assert err.value.key == "explore.error_upload_size"


@pytest.mark.parametrize("data", [b"\xff\xfe\x00binary", b"title: x\x00"])
def test_binary_uploads_are_refused(data):
    with pytest.raises(el.InputError) as err:
        el.read_upload(data)
    assert err.value.key == "explore.error_upload_encoding"


@pytest.mark.parametrize("runs", [0, -1, el.MAX_RUNS + 1, "many", "1e3", True, 2.5])
def test_runs_outside_the_bounds_are_refused(runs):
    with pytest.raises(el.InputError):
        el.check_runs(runs)


def test_runs_and_seed_within_bounds_pass():
    assert el.check_runs("200") == 200
    assert el.check_runs(el.MAX_RUNS) == el.MAX_RUNS
    assert el.check_seed("0") == 0
    with pytest.raises(el.InputError):
        el.check_seed(el.MAX_SEED + 1)


@pytest.mark.parametrize("seed", [-1, el.MAX_SEED + 1, "seven", True, 2.5])
def test_a_refused_seed_states_the_seed_bounds(seed):
    """The message for any refused seed gives the seed's range, not the runs'."""
    with pytest.raises(el.InputError) as caught:
        el.check_seed(seed)
    assert caught.value.key == "explore.error_seed"
    assert caught.value.values == {"low": 0, "high": el.MAX_SEED}


def test_cache_key_changes_with_each_input():
    base = el.cache_key("a: 1\n", 200, 7)
    assert base == el.cache_key("a: 1\n", 200, 7)
    assert (
        len(
            {
                base,
                el.cache_key("a: 2\n", 200, 7),
                el.cache_key("a: 1\n", 201, 7),
                el.cache_key("a: 1\n", 200, 8),
            }
        )
        == 4
    )


edit_values = st.one_of(
    st.integers(-1000, 1000),
    st.floats(0, 100, allow_nan=False),
    st.booleans(),
    st.text(max_size=20),
)
paths = st.from_regex(r"\A[a-z_]{1,8}(\.[a-z_]{1,8}){0,2}\Z")
months = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2000, 2099), st.integers(1, 12))


@given(
    values=st.lists(st.tuples(paths, edit_values), max_size=6),
    added=st.lists(st.tuples(st.sampled_from(["summit", "nuclear_test"]), months), max_size=4),
    scenario=st.sampled_from(["baseline-2026", "us-steps-back"]),
    runs=st.integers(el.MIN_RUNS, el.MAX_RUNS),
    seed=st.integers(0, el.MAX_SEED),
)
def test_a_link_round_trips_the_page_state(values, added, scenario, runs, seed):
    """Whatever the user set, the link brings back exactly the same state."""
    edits = el.Edits()
    for p, v in values:
        edits = edits.with_value(p, v)
    for a in added:
        edits = edits.with_added(*a)
    state = su.PageState(scenario, edits, runs, seed, ("2027-01", "2027-12"), "edited")
    back, problems = su.from_params(su.to_params(state), ["baseline-2026", "us-steps-back"], "x")
    assert problems == []
    assert back == state


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"scenario": "../../etc/passwd"}, "explore.error_link_scenario"),
        ({"runs": "999999"}, "explore.error_runs"),
        ({"runs": "-3"}, "explore.error_runs"),
        ({"seed": "abc"}, "explore.error_seed"),
        ({"edits": "%%%not-base64"}, "explore.error_link_edits"),
        ({"edits": su.encode_edits(el.Edits())[:-3] + "x!"}, "explore.error_link_edits"),
        ({"edits": "eyJzZXQiOiA1fQ"}, "explore.error_link_edits"),  # {"set": 5}
        ({"from": "2027-13", "to": "2027-12"}, "explore.error_month"),
        ({"from": "2028-01", "to": "2027-12"}, "explore.error_window"),
        ({"compare": "nope"}, "explore.error_link_scenario"),
        ({"edits": "A" * (su.MAX_PARAM_CHARS + 1)}, "explore.error_link_param"),
    ],
)
def test_a_tampered_link_gives_a_message_and_keeps_the_rest(params, key):
    """Each bad parameter is reported by a known message; valid ones still apply."""
    good = {"scenario": "baseline-2026", "runs": "300", "seed": "11"}
    merged = good | params
    state, problems = su.from_params(merged, ["baseline-2026"], "baseline-2026")
    assert [p.key for p in problems] == [key]
    assert has(key), f"no English text for {key}"
    assert state.scenario == "baseline-2026"
    if "runs" not in params:
        assert state.runs == 300
    if "seed" not in params:
        assert state.seed == 11


def test_edit_paths_in_links_are_checked():
    bad = su.encode_edits(el.Edits(values=(("__class__.x y", 1),)))
    _, problems = su.from_params({"edits": bad}, ["s"], "s")
    assert [p.key for p in problems] == ["explore.error_edit_path"]


# --- with the real catalogue and a shipped scenario ----------------------------------------


@pytest.fixture(scope="module")
def baseline():
    from model.scenario import load_scenario, shipped_scenarios

    return load_scenario(shipped_scenarios()["baseline-2026"])


@pytest.fixture(scope="module")
def catalogue():
    from model.catalogue import load_catalogue

    return load_catalogue()


def test_every_coefficient_is_editable_within_its_range_with_its_source(baseline, catalogue):
    """The page offers each coefficient with the catalogue's range, and says where it comes from."""
    fields = {f.path: f for f in el.editable_fields(baseline, catalogue)}
    for cid, coef in catalogue.coefficients.items():
        f = fields[f"parameters.{cid}"]
        assert (f.low, f.high) == tuple(coef.range)
        assert coef.source in f.help
    seoul = fields["actors.seoul.camp"]
    assert set(seoul.options) == {"progressive", "conservative"}
    assert seoul.default == baseline.actors.seoul.camp


def test_an_edited_scenario_parses_again_and_carries_the_edits(baseline, catalogue):
    """The downloaded YAML of an edited scenario loads back to the same scenario."""
    from model.scenario import parse_scenario

    cid, coef = next(iter(catalogue.coefficients.items()))
    value = (coef.range[0] + coef.range[1]) / 2
    month = baseline.months[3]
    edits = (
        el.Edits()
        .with_value(f"parameters.{cid}", value)
        .with_value("actors.washington.stance", "transactional")
        .with_added("nuclear_test", month)
    )
    edited = el.edited_scenario(baseline, edits)
    assert edited.id == "baseline-2026-edited"
    assert edited.parameters[cid] == value
    assert ("nuclear_test", month) in [(e.type, e.month) for e in edited.events]
    again = parse_scenario(edited.to_yaml(), "download.yaml")
    assert again == edited


def test_an_impossible_edit_is_a_scenario_error_naming_the_field(baseline):
    from model.scenario import ScenarioError

    with pytest.raises(ScenarioError) as err:
        el.edited_scenario(baseline, el.Edits().with_added("nuclear_test", "2099-01"))
    assert any("events" in p.field for p in err.value.problems)


def test_validate_edits_keeps_the_good_and_names_the_bad(baseline, catalogue):
    fields = el.editable_fields(baseline, catalogue)
    edits = el.Edits(
        values=(("actors.tokyo.stance", "hawkish"), ("actors.tokyo.stance", "emperor"), ("x.y", 1)),
        added=(("no_such_event", baseline.months[0]), ("nuclear_test", baseline.months[1])),
    )
    kept, problems = el.validate_edits(edits, fields, baseline, catalogue)
    assert kept.values == (("actors.tokyo.stance", "hawkish"),)
    assert kept.added == (("nuclear_test", baseline.months[1]),)
    assert sorted(p.key for p in problems) == [
        "explore.error_edit_path",
        "explore.error_edit_value",
        "explore.error_event_type",
    ]


def test_every_cause_in_a_ledger_gets_a_readable_name(baseline, catalogue):
    """No raw id reaches the Why section: events, decisions, mechanisms and facts all have names."""
    from model.ensemble import run_ensemble

    ledger = run_ensemble(baseline, runs=10, seed=3, ledger=True).ledger_frame()
    labels = el.cause_labels(catalogue)
    for cause in ledger["cause"].unique():
        assert el.cause_label_for(cause, labels, "en", "both") != cause, cause


def test_coefficient_labels_are_plain_words_with_their_unit():
    """No label is its id dressed up ("W relief"): each is written in words, most with a unit."""
    from model.catalogue import humanise, load_catalogue

    assert humanise("us_commitment_rate") == "US commitment rate"  # the fallback keeps acronyms
    for cid in load_catalogue().coefficients:
        assert el.coefficient_label(cid) != humanise(cid), cid
    assert el.coefficient_label("w_relief") == "Pull toward lifting measures once the other side has moved (weight)"
    assert el.coefficient_label("track_relax_rate").endswith("(share of the gap a month)")


def test_the_result_store_forgets_the_least_recently_used():
    store = el.ResultStore(max_entries=2)
    store.put("a", 1)
    store.put("b", 2)
    assert store.get("a") == 1  # a is now the most recent
    store.put("c", 3)
    assert store.get("b") is None and store.get("a") == 1 and store.get("c") == 3
    value, hit = store.get_or_compute("d", lambda: 4)
    assert (value, hit) == (4, False)
    assert store.get_or_compute("d", lambda: 5) == (4, True)


def test_run_months_are_bounded_and_the_ledger_covers_the_first_runs():
    """2,000 runs of ten years pass; of fifty years they do not; the ledger shrinks with size."""
    el.check_run_months(el.MAX_RUNS, 120)
    with pytest.raises(el.InputError) as err:
        el.check_run_months(el.MAX_RUNS, 600)
    assert err.value.values["most"] == el.MAX_RUN_MONTHS // 600
    assert el.ledger_runs(200, 60) == 200
    assert el.ledger_runs(2000, 120) == el.LEDGER_RUN_MONTHS // 120
    assert el.ledger_runs(5, 600) == 5


def test_the_csv_download_is_what_the_command_line_writes(baseline, tmp_path):
    """Same scenario, runs and seed: the page's CSV and `rapprochement run --out x.csv` agree."""
    import pandas as pd

    from model.ensemble import write_table
    from ui import widgets

    results = widgets._run(baseline.to_yaml(), 12, 5, progress=None)
    out = tmp_path / "cli.csv"
    write_table(out, baseline, 12, 5)
    page = pd.read_csv(io.BytesIO(widgets.csv_bytes(results.table)))
    cli = pd.read_csv(out)
    pd.testing.assert_frame_equal(page, cli)


def test_poll_sources_are_named_in_the_readers_language():
    """The polls drawn on the publics chart name their series through the translation layer."""
    from model import i18n

    key = "history.series.kr_good_impression"
    table = i18n._table("ko")
    before = table.get(key)
    i18n.register({key: "한국인 일본 호감도"}, "ko")
    try:
        frame = el.poll_frame("ko")
    finally:
        if before is None:
            table.pop(key, None)
        else:
            table[key] = before
    korean = frame[frame["series"] == "kr_good_impression"]
    assert not korean.empty and (korean["source"] == "한국인 일본 호감도").all()
    assert (frame.loc[frame["series"] != "kr_good_impression", "source"].str.len() > 0).all()


# ----- issue 13: decisions, starting levels, titles, views, one upload limit -----


@given(
    decisions=st.lists(
        st.tuples(st.sampled_from(["seoul_trilateral_exercise", "washington_step_back"]), months), max_size=4
    ),
    removed=st.lists(st.tuples(st.sampled_from(["washington_tariffs_allies"]), months), max_size=2),
    title=st.one_of(st.none(), st.text(min_size=1, max_size=40).filter(str.strip)),
    view=st.one_of(st.none(), st.sampled_from(el.VIEWS)),
)
def test_a_link_round_trips_decisions_title_and_view(decisions, removed, title, view):
    """Decisions added or removed, the edited copy's title and the open view survive a link."""
    edits = el.Edits()
    for d in decisions:
        edits = edits.with_item_added("decision", *d)
    for r in removed:
        edits = edits.with_item_removed("decision", *r)
    edits = edits.with_title(title)
    state = su.PageState("baseline-2026", edits, 200, 7, None, None, view)
    back, problems = su.from_params(su.to_params(state), ["baseline-2026"], "x")
    assert problems == []
    assert back == state


def test_an_unknown_view_in_a_link_is_refused_and_the_rest_kept():
    state, problems = su.from_params({"scenario": "a", "view": "<script>", "runs": "30"}, ["a"], "a")
    assert [p.key for p in problems] == ["explore.error_link_view"]
    assert state.view is None and state.runs == 30


def test_decisions_are_added_moved_and_removed_with_their_actor(baseline, catalogue):
    """A move keeps the entry's other fields; an added decision gets its actor from the catalogue."""
    from model.scenario import load_scenario

    sc = load_scenario("scenarios/washington-steps-back.yaml")
    edits = (
        el.Edits()
        .with_moved("decision", "washington_step_back", "2026-07", "2027-01")
        .with_item_added("decision", "tokyo_trilateral_exercise", "2026-05")
        .with_item_removed("decision", "washington_tariffs_allies", "2026-04")
        .with_moved("event", "kr_presidential_election", "2030-04", "2030-05")
    )
    out = el.edited_scenario(sc, edits)
    assert [(d.month, d.actor, d.type) for d in out.decisions] == [
        ("2027-01", "washington", "washington_step_back"),
        ("2026-05", "tokyo", "tokyo_trilateral_exercise"),
    ]
    election = next(e for e in out.events if e.type == "kr_presidential_election")
    written = next(e for e in sc.events if e.type == "kr_presidential_election")
    assert election.month == "2030-05" and election.note == written.note  # moved, not rewritten
    items = el.scheduled_items(sc, edits, catalogue)
    assert ("decision", "tokyo_trilateral_exercise", "tokyo", "2026-05", True) in [
        (i.kind, i.type, i.actor, i.month, i.by_user) for i in items
    ]
    assert not any(i.type == "washington_tariffs_allies" for i in items)


def test_removing_a_decision_the_scenario_lacks_says_which(baseline, catalogue):
    edits = el.Edits(decisions_removed=(("washington_step_back", "2026-07"),))
    kept, problems = el.validate_edits(edits, el.editable_fields(baseline, catalogue), baseline, catalogue)
    assert not kept.decisions_removed
    assert [p.key for p in problems] == ["explore.error_remove_missing_decision"]
    bad = el.Edits(decisions_added=(("no_such_decision", "2026-07"), ("seoul_trilateral_exercise", "2040-01")))
    kept, problems = el.validate_edits(bad, el.editable_fields(baseline, catalogue), baseline, catalogue)
    assert not kept.decisions_added
    assert [p.key for p in problems] == ["explore.error_decision_type", "explore.error_event_month"]


def test_starting_levels_are_editable_within_the_states_bounds(baseline, catalogue):
    """Every track, both publics and the institutional facts can start elsewhere, within bounds."""
    fields = {f.path: f for f in el.editable_fields(baseline, catalogue) if f.group == "initial"}
    assert {f"initial.{v}" for v in ("diplomatic", "history", "kr_favorable_japan", "gsomia")} <= set(fields)
    history = fields["initial.history"]
    assert (history.low, history.high, history.default) == (0.0, 100.0, 45.0)
    with pytest.raises(el.InputError):
        history.check(120)
    stage = fields["initial.liquidation_stage"]
    assert stage.options == (0.0, 1.0, 2.0, 3.0) and stage.default == 2.0
    assert stage.option_label(3.0) == "sale of the assets ordered"
    with pytest.raises(el.InputError):
        fields["initial.gsomia"].check(True)
    out = el.edited_scenario(baseline, el.Edits((("initial.history", 30.0), ("initial.gsomia", 0.0))))
    assert out.initial["history"] == 30.0 and out.initial["gsomia"] == 0.0


def test_an_edited_copy_has_its_own_title(baseline):
    """The downloaded YAML never keeps the base's title: the user's, else the base's marked as mine."""
    marked = el.edited_scenario(baseline, el.Edits((("initial.history", 30.0),)))
    assert marked.title == f"{baseline.title} (my version)" and marked.id == "baseline-2026-edited"
    named = el.edited_scenario(baseline, el.Edits((("initial.history", 30.0),)).with_title("  Our class's 2026  "))
    assert named.title == "Our class's 2026"
    assert el.edited_scenario(baseline, el.Edits(title="Only a title")).title == "Only a title"


def test_the_upload_limit_is_defined_once_in_whole_megabytes():
    """The upload box shows Streamlit's whole-MB limit: the page refuses exactly above that."""
    assert el.MAX_UPLOAD_BYTES == el.MAX_UPLOAD_MB * 1024 * 1024
    assert el.read_upload(b"a" * el.MAX_UPLOAD_BYTES)
    with pytest.raises(el.InputError) as err:
        el.read_upload(b"a" * (el.MAX_UPLOAD_BYTES + 1))
    assert err.value.values["limit"] == el.MAX_UPLOAD_MB


def test_the_parquet_download_has_month_as_text(baseline):
    """The page's Parquet is what the command line writes: month compares with any month."""
    import pandas as pd

    from model.ensemble import run_ensemble
    from ui.widgets import parquet_bytes

    table = run_ensemble(baseline.model_copy(update={"end": "2026-06"}), runs=2, seed=1).table
    df = pd.read_parquet(io.BytesIO(parquet_bytes(table)))
    assert df.month.min() == "2026-01" and df[df.month >= "2031-01"].empty
