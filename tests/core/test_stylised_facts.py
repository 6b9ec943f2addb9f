"""Stylised facts over many seeds: what the theories and the record say must show.

Each test compares an ensemble with and without one event or decision, on the same seeds.
Random draws are named by month and site (model/rng.py), so the two ensembles share every draw
except the new ones: the difference is the event's doing (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pytest

from model.ensemble import run_ensemble
from model.scenario import load_scenario, shipped_scenarios
from tests.core.helpers import scenario, series

RUNS = 200
pytestmark = pytest.mark.slow


def paired(variable: str, extra: str, month_index: int, base: str = "") -> np.ndarray:
    """Per-run difference of a variable at a month, with minus without the extra lines."""
    with_it = series(scenario(base + extra), variable, runs=RUNS)
    without = series(scenario(base), variable, runs=RUNS)
    return with_it[month_index] - without[month_index]


def test_summit_raises_diplomatic_track_on_average():
    diff = paired("diplomatic", "events:\n  - {month: 2026-05, type: bilateral_summit}\n", 4)
    assert diff.mean() > 3.0 and (diff > 0).mean() > 0.8


def test_nuclear_test_raises_threat_perception_in_both_publics():
    extra = "events:\n  - {month: 2026-05, type: nuclear_test}\n"
    for public in ("kr_threat", "jp_threat"):
        diff = paired(public, extra, 5)
        assert diff.mean() > 5.0, public
    assert paired("nk_threat", extra, 4).mean() > 15.0


def test_export_controls_lower_korean_favourability_and_economic_track():
    extra = "decisions:\n  - {month: 2026-05, actor: tokyo, type: tokyo_impose_export_controls}\n"
    fav = paired("kr_favorable_japan", extra, 8)
    eco = paired("economic", extra, 8)
    assert fav.mean() < -0.5 and (fav < 0).mean() > 0.9
    assert eco.mean() < -5.0 and (eco < 0).mean() > 0.9


def test_export_controls_invite_boycott_and_fewer_visits():
    """Weaponised interdependence: controls set off a boycott in many runs, the people track falls."""
    extra = "decisions:\n  - {month: 2026-05, actor: tokyo, type: tokyo_impose_export_controls}\n"
    boycott = series(scenario(extra), "boycott", runs=RUNS)[6]
    assert boycott.mean() > 0.4
    assert paired("people", extra, 10).mean() < -3.0


def test_liquidation_order_lowers_history_track():
    base = "initial: {liquidation_stage: 2}\n"
    diff = paired("history", "events:\n  - {month: 2026-05, type: liquidation_order}\n", 5, base)
    assert diff.mean() < -5.0


def test_dokdo_visit_lowers_japanese_favourability():
    diff = paired("jp_favorable_korea", "events:\n  - {month: 2026-05, type: dokdo_visit}\n", 5)
    assert diff.mean() < -1.0 and (diff < 0).mean() > 0.9


def test_cultural_boom_warms_the_young_most():
    """Contact and cohorts: the youngest Japanese cohort gains more than the oldest."""
    from model.model import RelationsModel

    sc_with = scenario("events:\n  - {month: 2026-02, type: cultural_boom}\n")
    sc_without = scenario()
    gains = []
    for sc in (sc_with, sc_without):
        m = RelationsModel(sc, runs=RUNS, seed=3)
        m.run_until(8)
        gains.append(m.state.cohorts["jp_favorable_korea"].mean(axis=1))
    diff = gains[0] - gains[1]
    assert diff[0] > diff[-1] > 0


def test_apology_backlash_is_likelier_under_conservative_government():
    extra = "decisions:\n  - {month: 2026-05, actor: tokyo, type: tokyo_reaffirm_apologies}\n"
    effects = {}
    for camp in ("conservative", "liberal"):
        base = f"actors: {{tokyo: {{camp: {camp}}}}}\n"
        effects[camp] = paired("history", extra, 4, base).mean()
    assert effects["liberal"] > effects["conservative"] > 0


def test_washington_stepping_back_raises_cooperation_quasi_alliance():
    """Cha's quasi-alliance: less US commitment, more Seoul-Tokyo security cooperation."""
    sc = load_scenario(shipped_scenarios()["baseline-2026"])
    back = load_scenario(shipped_scenarios()["washington-steps-back"])
    base = run_ensemble(sc, runs=RUNS, seed=21).series("security")[-1]
    steps = run_ensemble(back, runs=RUNS, seed=21).series("security")[-1]
    assert steps.mean() > base.mean()


def test_forced_election_outcome_changes_camp_in_every_run():
    sc = load_scenario(shipped_scenarios()["seoul-camp-change"])
    base = load_scenario(shipped_scenarios()["baseline-2026"])
    changed = run_ensemble(sc, runs=RUNS, seed=4, ledger=False)
    assert (changed.series("kr_camp")[-1] == 1).all()
    assert np.mean(run_ensemble(base, runs=RUNS, seed=4).series("kr_camp")[-1]) < 1
