"""The model's invariants: bounds, determinism, batching, the ledger adding up."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.catalogue import load_catalogue
from model.ensemble import run_ensemble
from model.model import RelationsModel
from model.scenario import load_scenario, shipped_scenarios
from model.state import OUTPUT_VARIABLES, State
from tests.core.helpers import quiet, scenario

CAT = load_catalogue()
EVENT_IDS = sorted(e for e, v in CAT.events.items() if v.mechanism is None)
CALIBRATABLE = sorted(c for c, v in CAT.coefficients.items())


def test_model_is_a_mesa_model_with_all_actors_as_agents():
    model = RelationsModel(scenario(), runs=3, seed=1)
    names = {type(a).__name__ for a in model.agents}
    assert {"Seoul", "Tokyo", "Washington", "KoreanPublic", "JapanesePublic",
            "Pyongyang", "Courts", "IrritantCalendar", "WorldEvents", "Elections"} <= names
    model.run()
    assert model.values().shape == (24, len(OUTPUT_VARIABLES), 3)
    assert not model.running


def test_same_seed_same_numbers_and_runs_differ():
    sc = scenario()
    a = run_ensemble(sc, runs=20, seed=5).values
    b = run_ensemble(sc, runs=20, seed=5).values
    assert np.array_equal(a, b)
    ri = OUTPUT_VARIABLES.index("relationship_index")
    assert np.unique(a[-1, ri, :]).size == 20
    c = run_ensemble(sc, runs=20, seed=6).values
    assert not np.array_equal(a, c)


def test_a_run_does_not_depend_on_its_batch():
    """Run i is the same alone, in a batch of 30, or in chunks of 7 (any backend's chunking)."""
    sc = load_scenario(shipped_scenarios()["baseline-2026"])
    whole = run_ensemble(sc, runs=30, seed=9).values
    chunked = run_ensemble(sc, runs=30, seed=9, chunk_size=7).values
    assert np.array_equal(whole, chunked)
    alone = RelationsModel(sc, runs=1, seed=9, run_offset=17)
    alone.run()
    assert np.array_equal(alone.values()[:, :, 0], whole[:, :, 17])


def _ledger_adds_up(model: RelationsModel, variables, t0: int, t1: int) -> None:
    values = model.values()
    for var in variables:
        i = OUTPUT_VARIABLES.index(var)
        before = values[t0 - 1, i] if t0 > 0 else model._initial[var]
        after = values[t1, i]
        total = sum(model.ledger.contributions(var, t0, t1).values())
        np.testing.assert_allclose(total, after.astype(np.float64) - before, atol=2e-3, err_msg=var)


def test_ledger_adds_up_over_any_window():
    sc = load_scenario(shipped_scenarios()["liquidation-order"])
    model = RelationsModel(sc, runs=40, seed=2)
    model._initial = {v: model.state.get(v).copy() for v in OUTPUT_VARIABLES}
    model.run()
    variables = [v for v in OUTPUT_VARIABLES]
    for t0, t1 in [(0, 59), (14, 14), (12, 30), (40, 59)]:
        _ledger_adds_up(model, variables, t0, t1)


def test_ledger_names_the_cause():
    sc = quiet("events:\n  - {month: 2026-06, type: liquidation_order}\ninitial: {liquidation_stage: 2}\n")
    res = run_ensemble(sc, runs=50, seed=1, ledger=True)
    led = res.ledger_frame()
    row = led[(led.cause == "liquidation_order") & (led.variable == "history")]
    assert row.month.tolist() == ["2026-06"] and row.delta.iloc[0] < -4
    stage = led[(led.cause == "liquidation_order") & (led.variable == "liquidation_stage")]
    assert stage.delta.iloc[0] == 1.0


def test_precondition_blocks_decision():
    sc = quiet("initial: {gsomia: 1}\ndecisions:\n  - {month: 2026-03, actor: seoul, type: seoul_restore_gsomia}\n")
    res = run_ensemble(sc, runs=10, seed=1, ledger=True)
    assert res.events_frame().query("id == 'seoul_restore_gsomia'").empty


def test_decision_sets_institution_and_next_restores_it():
    sc = quiet(
        "decisions:\n  - {month: 2026-03, actor: seoul, type: seoul_suspend_gsomia}\n"
        "  - {month: 2026-09, actor: seoul, type: seoul_restore_gsomia}\n"
    )
    g = run_ensemble(sc, runs=5, seed=1).series("gsomia")
    assert (g[:2] == 1).all() and (g[2:8] == 0).all() and (g[8:] == 1).all()


def test_human_seat_replaces_rule_for_one_window():
    model = RelationsModel(scenario(), runs=8, seed=4)
    model.submit("tokyo", ["tokyo_impose_export_controls"])
    model.step()
    assert (model.state.v["jp_export_controls"] == 1).all()
    assert model.seats["tokyo"].submitted is None


def test_multi_month_effect_is_spread():
    sc = quiet("events:\n  - {month: 2026-02, type: cultural_boom}\n")
    res = run_ensemble(sc, runs=20, seed=1, ledger=True)
    led = res.ledger_frame()
    boom = led[(led.cause == "cultural_boom") & (led.variable == "people")]
    assert boom.month.tolist() == ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]


def test_model_is_garbage_collected():
    model = RelationsModel(scenario(), runs=2, seed=1)
    model.run()
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    events=st.lists(st.tuples(st.integers(0, 23), st.sampled_from(EVENT_IDS)), max_size=6),
    coef=st.sampled_from(CALIBRATABLE),
    where=st.floats(0, 1),
    start=st.dictionaries(
        st.sampled_from(["diplomatic", "security", "economic", "history", "people",
                         "kr_favorable_japan", "jp_favorable_korea", "nk_threat", "us_commitment"]),
        st.floats(0, 100), max_size=4),
)
def test_bounds_and_no_nan(seed, events, coef, where, start):
    """Whatever the events, a parameter anywhere in its range and any start: 0-100, no NaN."""
    lo, hi = CAT.coefficients[coef].range
    months = [f"2026-{m + 1:02d}" if m < 12 else f"2027-{m - 11:02d}" for m, _ in events]
    extra = "events:\n" + "".join(
        f"  - {{month: {mo}, type: {ev}}}\n" for mo, (_, ev) in zip(months, events, strict=True)
    ) if events else ""
    extra += f"parameters: {{{coef}: {lo + where * (hi - lo)}}}\n"
    if start:
        extra += "initial: {" + ", ".join(f"{k}: {v}" for k, v in start.items()) + "}\n"
    values = run_ensemble(scenario(extra), runs=8, seed=seed).values
    assert np.isfinite(values).all()
    for i, name in enumerate(OUTPUT_VARIABLES):
        lo_b, hi_b = State.bounds(name) if name != "relationship_index" else (0, 100)
        assert values[:, i].min() >= lo_b - 1e-4 and values[:, i].max() <= hi_b + 1e-4, name


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_shipped_scenario_runs_and_is_collected(name):
    """Smoke-run each file in scenarios/ (as mesa-examples does), then check it is freed."""
    sc = load_scenario(shipped_scenarios()[name])
    model = RelationsModel(sc, runs=4, seed=1)
    model.run()
    values = model.values()
    assert values.shape[0] == len(sc.months) and np.isfinite(values).all()
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
