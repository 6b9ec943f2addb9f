"""The named theories' signatures in the governments' rules (issue 11)."""

from __future__ import annotations

import numpy as np

from model.agents.rules import theory_terms
from model.model import RelationsModel
from tests.core.helpers import quiet


def _terms(actor: str, initial: str, parameters: dict | None = None) -> dict[str, float]:
    model = RelationsModel(quiet(f"initial: {{{initial}}}\n"), runs=1, seed=0, parameters=parameters,
                           uncertainty="point")
    menu = model.seats[actor].menu
    u = theory_terms(model, actor, menu)
    return {d.id: float(u[i, 0]) for i, d in enumerate(menu)}


def test_cha_allies_close_ranks_only_when_both_fear_abandonment():
    """Seoul's pull to cooperate depends on Tokyo's fear too.

    With the same US commitment and the same fear in Seoul, a Tokyo that feels secure (it
    needs less of Washington) takes the pull away (asymmetry is friction); a Tokyo that fears
    as much restores it.
    """
    weak_us = "us_commitment: 30"
    both = _terms("seoul", weak_us)
    secure_tokyo = _terms("seoul", weak_us, {"cha_jp_abandonment_need": 30})
    assert both["seoul_restore_gsomia"] > secure_tokyo["seoul_restore_gsomia"]
    assert both["seoul_propose_summit"] > secure_tokyo["seoul_propose_summit"]
    # and Seoul's own fear alone does not do it: raising Seoul's need changes nothing while
    # Tokyo stays secure (the less fearful ally sets the pace)
    needy_seoul = _terms("seoul", weak_us, {"cha_jp_abandonment_need": 30, "cha_kr_abandonment_need": 70})
    assert needy_seoul["seoul_propose_summit"] == secure_tokyo["seoul_propose_summit"]


def test_cha_entrapment_is_each_allys_own():
    """China pressing hard keeps Seoul from alliance moves more than Tokyo (each its own fear)."""
    calm = {a: _terms(a, "china_pressure: 30") for a in ("seoul", "tokyo")}
    pressed = {a: _terms(a, "china_pressure: 80") for a in ("seoul", "tokyo")}
    drop = {a: calm[a][f"{a}_trilateral_exercise"] - pressed[a][f"{a}_trilateral_exercise"] for a in calm}
    # threat perception also rises with China's pressure (balance of threat): compare the
    # entrapment part alone by switching it off
    no_trap = {a: _terms(a, "china_pressure: 80", {"cha_kr_entrapment": 0, "cha_jp_entrapment": 0})
               for a in ("seoul", "tokyo")}
    trap = {a: no_trap[a][f"{a}_trilateral_exercise"] - pressed[a][f"{a}_trilateral_exercise"] for a in calm}
    assert trap["seoul"] > trap["tokyo"] > 0
    assert np.isfinite(list(drop.values())).all()
    # without pressure above its usual level there is no entrapment
    assert calm["seoul"]["seoul_trilateral_exercise"] == _terms(
        "seoul", "china_pressure: 30", {"cha_kr_entrapment": 0})["seoul_trilateral_exercise"]


def _backlash_share(spread: float) -> np.ndarray:
    """Per run, the share of an apology's (mean) effect on the history track that its backlash undid."""
    sc = quiet("actors: {tokyo: {camp: conservative, stance: hawkish}}\n")
    model = RelationsModel(sc, runs=400, seed=3, uncertainty="point",
                           parameters={"backlash_prob_conservative": 1.0, "backlash_spread": spread})
    model.submit("tokyo", ["tokyo_reaffirm_apologies"])
    model.step()
    apology = model.catalogue.decisions["tokyo_reaffirm_apologies"]
    mean = next(e.mean for e in apology.effects if e.var == "history")
    parts = model.ledger.contributions("history", 0, 0)
    return -sum(d for (cause, _), d in parts.items() if cause == "apology_backlash") / mean


def test_lind_a_backlash_can_leave_things_worse_than_before():
    """Denials can undo more than the apology did (Lind): a share above 1 in some backlashes.

    The average share stays ``backlash_share``; before issue 11 it was always exactly that
    (at most 1), so a backlash could never take the relationship below where it started.
    """
    share = _backlash_share(0.4)
    worse = float(np.mean(share > 1.0))
    assert 0.03 < worse < 0.4
    assert abs(float(np.mean(share)) - 0.7) < 0.05
    np.testing.assert_allclose(_backlash_share(0.0), 0.7)


def test_weaponised_interdependence_substitution_erodes_the_chokepoint():
    """Dependence is state: controls erode it over the years, and it does not come back.

    A second round of controls then hurts Korea's economy less, and Tokyo's pull to use them
    under a liquidation is smaller.
    """
    sc = quiet("initial: {jp_export_controls: 1}\n")
    model = RelationsModel(sc, runs=2, seed=0, uncertainty="point")
    for _ in range(24):
        model.step()
    eroded = model.state.v["kr_dependence"].copy()
    assert np.all(eroded < 90)
    calm = RelationsModel(quiet(), runs=2, seed=0, uncertainty="point")
    for _ in range(24):
        calm.step()
    assert np.all(calm.state.v["kr_dependence"] == 100)

    def economic_hit(dependence: float) -> float:
        m = RelationsModel(quiet(f"initial: {{kr_dependence: {dependence}}}\n"), runs=50, seed=1,
                           uncertainty="point")
        m.submit("tokyo", ["tokyo_impose_export_controls"])
        m.step()
        parts = m.ledger.contributions("economic", 0, 0)
        return float(np.mean(sum(d for (cause, _), d in parts.items()
                                 if cause in ("tokyo_impose_export_controls", "substitution"))))

    assert economic_hit(40) > economic_hit(100) + 4  # about 6 of the 10 points spared
    full = _terms("tokyo", "liquidation_stage: 3, kr_dependence: 100")
    eroded_terms = _terms("tokyo", "liquidation_stage: 3, kr_dependence: 40")
    assert full["tokyo_impose_export_controls"] > eroded_terms["tokyo_impose_export_controls"]
