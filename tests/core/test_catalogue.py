"""The catalogue: every entry complete, every number sourced, every rule conformant."""

from __future__ import annotations

import numpy as np
import pytest

from model.agents.rules import ALL_RULES, RULES
from model.catalogue import ACTORS, load_catalogue
from model.i18n import tr
from model.model import RelationsModel
from tests.core.helpers import scenario

CAT = load_catalogue()

REQUIRED_EVENTS = {
    "ballistic_launch", "icbm_launch", "launch_over_japan", "nuclear_test", "satellite_launch",
    "forced_labour_ruling", "liquidation_order", "comfort_women_ruling", "dokdo_visit",
    "takeshima_day", "defence_white_paper", "textbook_screening", "yasukuni_visit",
    "military_incident", "chinese_coercion", "us_administration_change",
    "kr_presidential_election", "jp_lower_house_election", "us_presidential_election",
    "disaster_mutual_aid", "cultural_boom",
}
REQUIRED_DECISIONS = {
    "seoul_propose_summit", "seoul_compensation_fund", "seoul_suspend_gsomia", "seoul_restore_gsomia",
    "seoul_wto_complaint", "seoul_impose_countermeasures", "seoul_lift_countermeasures",
    "seoul_dokdo_visit", "seoul_trilateral_exercise", "seoul_tolerate_boycott", "seoul_discourage_boycott",
    "tokyo_propose_summit", "tokyo_reaffirm_apologies", "tokyo_impose_export_controls",
    "tokyo_lift_export_controls", "tokyo_remove_whitelist", "tokyo_restore_whitelist",
    "tokyo_yasukuni_visit", "tokyo_yasukuni_offering", "tokyo_contribute_foundation",
    "tokyo_trilateral_exercise", "washington_mediate", "washington_host_trilateral",
    "washington_press_both", "washington_deterrence_pledge", "washington_tariffs_allies",
    "washington_step_back",
}


def test_required_entries_exist():
    assert REQUIRED_EVENTS <= set(CAT.events)
    assert REQUIRED_DECISIONS <= set(CAT.decisions)


def test_every_seat_has_a_menu_with_hold_first():
    for actor in ACTORS:
        menu = CAT.menu(actor)
        assert menu[0].is_hold and len(menu) >= 5


def test_every_number_has_a_source():
    for entry in list(CAT.events.values()) + list(CAT.decisions.values()):
        assert entry.briefing.strip() and entry.label.strip()
        for eff in entry.effects:
            assert eff.source.strip(), entry.id
        for trig in entry.triggers:
            assert trig.source.strip(), entry.id
    for coef in CAT.coefficients.values():
        assert coef.source.strip() and coef.meaning.strip()
        assert coef.range[0] <= coef.value <= coef.range[1], coef.id


def test_sources_say_data_calibration_or_assumption():
    words = ("data:", "assumption", "calibrat", "definition")
    for entry in list(CAT.events.values()) + list(CAT.decisions.values()):
        for eff in entry.effects:
            assert any(w in eff.source for w in words), (entry.id, eff.source)
    for coef in CAT.coefficients.values():
        assert any(w in coef.source for w in words), (coef.id, coef.source)


def test_texts_go_through_translation_layer_with_place_names():
    label = tr("event.dokdo_visit.label", places="japanese")
    assert "Takeshima" in label and "{dokdo}" not in label
    assert "Dokdo" in tr("event.dokdo_visit.label", places="korean")
    assert "Liancourt" in tr("event.takeshima_day.briefing", places="neutral")


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.__name__)
def test_rule_conformance(rule):
    """Every rule: a name, a classifier, a docstring naming its basis, finite preferences."""
    assert rule.name and rule.classifier and rule.__doc__ and len(rule.__doc__) > 40
    menu = CAT.menu(rule.actor)
    prefs = rule().preference(menu, CAT.defaults())
    assert prefs.shape == (len(menu),) and np.isfinite(prefs).all()
    assert rule.tag_weights(CAT.defaults())  # its leanings are catalogue coefficients


@pytest.mark.parametrize("actor", ["seoul", "tokyo", "washington", "kr_public", "jp_public"])
def test_choice_probabilities_are_distributions_over_available_decisions(actor):
    model = RelationsModel(scenario(), runs=50, seed=3)
    seat = model.seats[actor]
    probs = seat.probabilities()
    assert np.allclose(probs.sum(axis=0), 1.0)
    assert (probs[~seat.available()] == 0).all()


def test_two_rules_per_capital_differ():
    for actor, (a, b) in RULES.items():
        menu = CAT.menu(actor)
        assert not np.allclose(a().preference(menu, CAT.defaults()), b().preference(menu, CAT.defaults())), actor


def test_no_event_by_one_side_moves_its_own_public_view_of_the_other():
    """Attribution: one side's acts move only the other side's public (docs/VALIDATION.md, round 6).

    A Korean court's ruling or a Seoul act moves the Japanese public's view of Korea, not the
    Koreans' view of Japan, and the other way round.
    """
    own = {"seoul": "kr_favorable_japan", "courts": "kr_favorable_japan", "kr_public": "kr_favorable_japan",
           "tokyo": "jp_favorable_korea", "jp_public": "jp_favorable_korea"}
    wrong = [
        (eid, effect.var)
        for eid, event in CAT.events.items()
        for effect in event.effects
        if own.get(event.actor) == effect.var
    ]
    assert not wrong
    # and the courts' rulings do move the Japanese public
    assert any(e.var == "jp_favorable_korea" for e in CAT.events["forced_labour_ruling"].effects)
