"""Institutions the record needs: two foundations, repudiation, shuttle diplomacy that can end."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.ensemble import run_ensemble
from model.model import RelationsModel
from model.scenario import load_scenario
from tests.core.helpers import quiet

ROOT = Path(__file__).parents[2]


def _flag(model: RelationsModel, name: str) -> np.ndarray:
    return model.state.v[name].copy()


def test_the_2015_foundation_and_the_2023_fund_are_separate_facts():
    """The 2015 agreement opens its own foundation; repudiation closes it, not the 2023 fund."""
    sc = quiet(
        "initial: {foundation: 1}\n"
        "events:\n  - {month: 2026-01, type: comfort_women_agreement}\n"
        "  - {month: 2026-06, type: agreement_repudiated}\n"
    )
    model = RelationsModel(sc, runs=3, seed=1)
    model.step()
    assert np.all(_flag(model, "healing_foundation") == 1)
    assert np.all(_flag(model, "foundation") == 1)
    for _ in range(6):
        model.step()
    assert np.all(_flag(model, "healing_foundation") == 0)
    assert np.all(_flag(model, "foundation") == 1)


def test_tokyo_contributions_go_to_the_right_foundation():
    """Tokyo can finance the 2015 foundation only while it exists, the 2023 fund only while it pays."""
    sc = quiet("initial: {foundation: 0, healing_foundation: 1}\n")
    model = RelationsModel(sc, runs=2, seed=1)
    menu = {d.id: ok for d, ok in model.menu("tokyo")}
    assert menu["tokyo_fund_healing_foundation"].all()
    assert not menu["tokyo_contribute_foundation"].any()


def test_seoul_can_repudiate_and_wind_up_and_either_capital_ends_shuttle_diplomacy():
    sc = quiet("initial: {foundation: 1, healing_foundation: 1, shuttle_diplomacy: 1}\n")
    model = RelationsModel(sc, runs=2, seed=1)
    model.submit("seoul", ["seoul_repudiate_agreement", "seoul_end_compensation_fund"])
    model.submit("tokyo", ["tokyo_suspend_shuttle_diplomacy"])
    model.step()
    assert np.all(_flag(model, "healing_foundation") == 0)
    assert np.all(_flag(model, "foundation") == 0)
    assert np.all(_flag(model, "shuttle_diplomacy") == 0)
    assert any(o.id == "agreement_repudiated" for o in model.occurrences)
    for _ in range(2):
        model.step()
    model.submit("seoul", ["seoul_resume_shuttle_diplomacy"])
    model.step()
    assert np.all(_flag(model, "shuttle_diplomacy") == 1)
    model.submit("seoul", ["seoul_suspend_shuttle_diplomacy"])
    for _ in range(3):
        model.step()
    assert np.all(_flag(model, "shuttle_diplomacy") == 0)


def test_the_replay_books_japans_2016_payment_to_the_2015_foundation():
    sc = load_scenario(ROOT / "scenarios" / "history-2012-2025.yaml")
    paid = [d for d in sc.decisions if d.month == "2016-07"]
    assert [d.type for d in paid] == ["tokyo_fund_healing_foundation"]
    res = run_ensemble(sc, runs=2, seed=0)
    done = {(o.t, o.id) for o in res.occurrences}
    assert (sc.index_of("2016-07"), "tokyo_fund_healing_foundation") in done
    hf = res.series("healing_foundation")
    assert hf[sc.index_of("2016-07")].min() == 1
    assert hf[sc.index_of("2019-01")].max() == 0


def test_baseline_institutions_can_end():
    """In the baseline, shuttle diplomacy and the fund are no longer 1 in every run and month."""
    sc = load_scenario(ROOT / "scenarios" / "baseline-2026.yaml")
    res = run_ensemble(sc, runs=300, seed=4)
    assert res.series("shuttle_diplomacy").min() == 0
    assert res.series("foundation").min() == 0
