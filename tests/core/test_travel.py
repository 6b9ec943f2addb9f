"""Travel each way (model/agents/publics.py).

Capacity grows toward its level, travel follows mood and boycotts, and contact through travel
experience moves opinion.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.catalogue import load_catalogue
from model.ensemble import run_ensemble
from model.model import RelationsModel
from model.state import OUTPUT_VARIABLES
from tests.core.helpers import quiet, scenario, series

P = load_catalogue().defaults()


def test_without_initial_travel_starts_and_stays_at_its_level():
    """A scenario that says nothing about travel opens at the long-run level; then it moves only with mood.

    Capacity is at its level from the start, so the change of travel is what the change of
    opinion gives through ``travel_sentiment`` (log-points per 10 points), and nothing else.
    """
    sc = quiet(f"initial: {{kr_favorable_japan: {P['kr_fav_base']}, jp_favorable_korea: {P['jp_fav_base']}}}\n")
    res = run_ensemble(sc, runs=4, seed=1, uncertainty="point")
    kr = res.series("kr_visitors_japan")
    assert abs(kr[0].mean() - P["kr_travel_level"]) / P["kr_travel_level"] < 0.05
    fav = res.series("kr_favorable_japan")
    moved = np.log(kr[-1].mean() / P["kr_travel_level"])
    by_mood = P["travel_sentiment"] * (fav[-1].mean() - P["kr_fav_base"]) / 10.0
    assert abs(moved - by_mood) < 0.05


def test_capacity_grows_from_a_low_opening_toward_the_level():
    """Opening at a quarter of the level, travel grows every year and approaches the level."""
    start = P["kr_travel_level"] / 4
    sc = quiet(f"initial: {{kr_visitors_japan: {start}, kr_favorable_japan: {P['kr_fav_base']}}}\n", end="2031-12")
    kr = run_ensemble(sc, runs=2, seed=1, uncertainty="point").series("kr_visitors_japan").mean(axis=1)
    yearly = kr.reshape(-1, 12).mean(axis=1)
    assert (np.diff(yearly) > 0).all()
    assert yearly[-1] > 0.7 * P["kr_travel_level"] > 1.5 * yearly[0]


def test_a_boycott_halves_korean_travel_within_months_and_leaves_japanese_travel():
    """boycott_start cuts Korean visits by about exp(-travel_boycott) (JNTO Aug-Oct 2019)."""
    control = quiet()
    boycott = quiet("events:\n  - {month: 2026-03, type: boycott_start}\n")
    runs = {}
    for name, sc in (("control", control), ("boycott", boycott)):
        model = RelationsModel(sc, runs=1, seed=1, uncertainty="point")
        model.run()
        runs[name] = model
    v = {k: m.values()[:, :, 0] for k, m in runs.items()}
    kr, jp = OUTPUT_VARIABLES.index("kr_visitors_japan"), OUTPUT_VARIABLES.index("jp_visitors_korea")
    ratio = v["boycott"][6, kr] / v["control"][6, kr]
    assert 0.8 * np.exp(-P["travel_boycott"]) < ratio < 0.7
    assert abs(v["boycott"][6, jp] / v["control"][6, jp] - 1) < 0.05
    contributions = runs["boycott"].ledger.contributions("kr_visitors_japan", 2, 6)
    assert sum(val for (cause, _), val in contributions.items() if cause == "boycott") < 0


def test_more_travel_experience_means_warmer_opinion():
    """Contact theory: the same scenario opening with more Korean travel ends with warmer Koreans."""
    low = quiet("initial: {kr_visitors_japan: 2.0}\n")
    high = quiet("initial: {kr_visitors_japan: 8.0}\n")
    fav_low = run_ensemble(low, runs=8, seed=3).series("kr_favorable_japan")[-1].mean()
    fav_high = run_ensemble(high, runs=8, seed=3).series("kr_favorable_japan")[-1].mean()
    # the opening opinion is settled (memory), so the gap opens as experience works on the anchor
    assert fav_high > fav_low + 2


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kr=st.floats(0, 100),
    jp=st.floats(0, 100),
    fav=st.floats(0, 100),
    coef=st.sampled_from(["travel_growth", "travel_response", "travel_sentiment", "travel_boycott",
                          "contact_years", "travel_contact_weight", "kr_travel_level", "jp_travel_level"]),
    where=st.floats(0, 1),
    boycott=st.booleans(),
)
def test_travel_stays_positive_finite_and_in_bounds(kr, jp, fav, coef, where, boycott):
    """Any opening travel (even none), any opinion and any travel coefficient in its range."""
    lo, hi = load_catalogue().coefficients[coef].range
    extra = (
        f"initial: {{kr_visitors_japan: {kr}, jp_visitors_korea: {jp}, kr_favorable_japan: {fav}}}\n"
        f"parameters: {{{coef}: {lo + where * (hi - lo)}}}\n"
    )
    if boycott:
        extra += "events:\n  - {month: 2026-02, type: boycott_start}\n"
    res = run_ensemble(quiet(extra), runs=3, seed=5)
    for name in ("kr_visitors_japan", "jp_visitors_korea", "kr_favorable_japan"):
        v = res.series(name)
        assert np.isfinite(v).all() and v.min() >= 0 and v.max() <= 100, name


BORDERS = """\
initial: {kr_visitors_japan: 7.0, jp_visitors_korea: 3.0}
events:
  - {month: 2026-03, type: jp_border_visa_suspended}
  - {month: 2026-03, type: kr_border_visa_suspended}
  - {month: 2026-11, type: jp_border_closed}
  - {month: 2027-03, type: jp_border_visa_restored}
  - {month: 2027-03, type: kr_border_visa_restored}
"""


def test_border_measures_lower_travel_without_lowering_opinion_through_contact():
    """Travel halted by border measures is not estrangement: opinion runs exactly as with open borders."""
    from model.model import RelationsModel

    closed_sc = quiet(BORDERS)
    open_sc = quiet("initial: {kr_visitors_japan: 7.0, jp_visitors_korea: 3.0}\n")
    closed = RelationsModel(closed_sc, runs=12, seed=4, ledger=True)
    closed.run()
    opened = RelationsModel(open_sc, runs=12, seed=4, ledger=True)
    opened.run()
    months = closed_sc.months
    during = slice(months.index("2026-05"), months.index("2027-02") + 1)
    for public, travel in (("kr_favorable_japan", "kr_visitors_japan"), ("jp_favorable_korea", "jp_visitors_korea")):
        v_closed = closed.values()[:, list(OUTPUT_VARIABLES).index(travel)]
        v_open = opened.values()[:, list(OUTPUT_VARIABLES).index(travel)]
        assert np.all(v_closed[during] < 0.2 * v_open[during])  # travel collapses...
        o_closed = closed.values()[:, list(OUTPUT_VARIABLES).index(public)]
        o_open = opened.values()[:, list(OUTPUT_VARIABLES).index(public)]
        np.testing.assert_array_equal(o_closed, o_open)  # ...and opinion does not move with it
        causes = closed.ledger.contributions(travel)
        border = sum(v for (c, _), v in causes.items() if c == "border_measures")
        assert np.all(border < 0)  # the ledger books the fall to the border measures
        assert closed.ledger.contributions(public).keys() == opened.ledger.contributions(public).keys()
    # after reopening, travel comes back within months
    back = months.index("2027-08")
    kr = list(OUTPUT_VARIABLES).index("kr_visitors_japan")
    assert np.all(closed.values()[back, kr] > 0.5 * opened.values()[back, kr])


def test_a_boycott_fades_even_while_export_controls_last():
    """Boycotts fade as observed ones did (half-life about 9 months), also while the grievance stays."""
    sc = scenario(
        "processes: {pyongyang: false, courts: false, calendar: false, world: false, rules: false, "
        "mobilisation: true}\n"
        "initial: {jp_export_controls: 1, boycott: 1}\n"
    )
    boycott = series(sc, "boycott", runs=300, seed=3)
    months = sc.months
    assert boycott[months.index("2026-01")].mean() > 0.85
    # about 9 months' half-life: by the end of the second year most runs are over it, controls or not
    assert boycott[months.index("2027-12")].mean() < 0.35
