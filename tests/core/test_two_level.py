"""Putnam's two-level games (1988), as he states them: win-sets, a bargain, ratification.

The three signatures the issue asks for: a narrower win-set at home moves the deal toward that
side (the paradox of tied hands); with no overlap of the win-sets nothing is signed; a hostile
public makes ratification fail more often.
"""

from __future__ import annotations

import numpy as np

from model.agents.rules import theory_terms
from model.agents.two_level import bargain, demands, ratification_chance
from model.model import RelationsModel
from tests.core.helpers import quiet


def _model(kr_fav: float, jp_fav: float = 45, approval: float = 60, runs: int = 1, seed: int = 0) -> RelationsModel:
    initial = (f"initial: {{kr_favorable_japan: {kr_fav}, jp_favorable_korea: {jp_fav}, "
               f"kr_gov_approval: {approval}, jp_gov_approval: {approval}, healing_foundation: 0}}\n")
    return RelationsModel(quiet(initial), runs=runs, seed=seed, uncertainty="point")


def _deal(model: RelationsModel) -> float:
    d_kr, d_jp = demands(model)
    overlap, x = bargain(d_kr, d_jp, model.p["putnam_kr_power"])
    assert overlap.all()
    return float(x[0])


def _propose(model: RelationsModel) -> dict[str, np.ndarray]:
    """Seoul proposes in every run; per outcome, the runs in which it happened."""
    model.submit("seoul", ["seoul_propose_agreement"])
    model.step()
    out = {k: np.zeros(model.runs, dtype=bool) for k in ("proposed", "ratified", "unratified")}
    names = {"seoul_propose_agreement": "proposed", "comfort_women_agreement": "ratified",
             "agreement_unratified": "unratified"}
    for o in model.occurrences:
        if o.id in names:
            out[names[o.id]] |= o.mask
    return out


def test_putnam_tied_hands_a_narrower_win_set_at_home_gets_a_better_deal():
    """Seoul's hostile public narrows its win-set, and the deal moves Seoul's way."""
    friendly, hostile = _deal(_model(45)), _deal(_model(15))
    assert hostile > friendly + 0.05
    # the same on Tokyo's side: its hostile public moves the deal toward Tokyo (x falls)
    assert _deal(_model(45, jp_fav=15)) < friendly - 0.05
    # and the signed deal carries it: Seoul's approval gains more from the terms
    gains = []
    for fav in (45, 15):
        model = _model(fav, runs=400, seed=2)
        happened = _propose(model)
        parts = model.ledger.contributions("kr_gov_approval", 0, 0)
        terms = sum(d for (cause, _), d in parts.items() if cause == "two_level_terms")
        gains.append(float(np.asarray(terms).sum() / max(happened["ratified"].sum(), 1)))
    assert gains[1] > gains[0]


def test_putnam_no_overlap_no_agreement():
    """Both publics hostile and both governments weak: the win-sets do not meet, nothing is signed."""
    model = _model(0, jp_fav=0, approval=20, runs=200)
    d_kr, d_jp = demands(model)
    assert np.all(d_kr + d_jp > 1)
    happened = _propose(model)
    assert happened["proposed"].all()
    assert not happened["ratified"].any() and not happened["unratified"].any()
    # where they meet, most proposals end in a ratified agreement
    assert _propose(_model(45, runs=200))["ratified"].mean() > 0.8
    # and a rule that knows its win-set does not propose what cannot be signed
    terms = {}
    for name, m in (("overlap", _model(45)), ("none", _model(0, jp_fav=0, approval=20))):
        menu = m.seats["seoul"].menu
        i = next(i for i, d in enumerate(menu) if d.id == "seoul_propose_agreement")
        terms[name] = float(theory_terms(m, "seoul", menu)[i, 0])
    assert terms["overlap"] > terms["none"]


def test_putnam_ratification_fails_more_often_when_the_public_is_hostile():
    """Signed deals near a win-set's edge fail at home (involuntary defection)."""
    failed = {}
    for name, fav in (("friendly", 45), ("hostile", 15)):
        happened = _propose(_model(fav, runs=2000, seed=5))
        signed = happened["ratified"] | happened["unratified"]
        assert signed.mean() > 0.99  # the win-sets overlap in both cases
        failed[name] = float(happened["unratified"].mean())
    assert failed["hostile"] > failed["friendly"] + 0.1
    # and the rule's anticipation agrees: the chance of ratification is lower
    chance = {}
    for name, fav in (("friendly", 45), ("hostile", 15)):
        m = _model(fav)
        d_kr, d_jp = demands(m)
        _, x = bargain(d_kr, d_jp, m.p["putnam_kr_power"])
        chance[name] = float(ratification_chance(x, d_kr, d_jp, m.p["putnam_ratification_noise"])[0])
    assert chance["friendly"] > chance["hostile"]
    assert abs(1 - chance["hostile"] - failed["hostile"]) < 0.05
