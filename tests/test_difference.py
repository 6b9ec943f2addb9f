"""Paired differences: common random numbers, a waterfall that adds up, own items first, plain words."""

from __future__ import annotations

import numpy as np
import pytest

from model.analysis.difference import (
    NET,
    OTHER,
    START,
    ScheduledItem,
    cause_name,
    changed_assumptions,
    label_waterfall,
    own_items,
    run_paired,
    subject,
    summary_sentence,
)
from model.scenario import load_scenario, parse_scenario, shipped_scenarios
from model.state import OUTPUT_VARIABLES

RUNS = 60


def shipped(name: str):
    return load_scenario(shipped_scenarios()[name])


@pytest.fixture(scope="module")
def liquidation():
    """The liquidation what-if against its base, paired (same runs and seed)."""
    return run_paired(shipped("baseline-2026"), shipped("liquidation-order"), RUNS, seed=7)


def test_runs_are_identical_until_the_what_if_acts(liquidation):
    """Common random numbers: before the order (2027-03) every run of both is the same, run for run."""
    first = liquidation.months.index("2027-03")
    for variable in OUTPUT_VARIABLES:
        assert np.array_equal(liquidation.difference(variable)[:first], np.zeros((first, RUNS))), variable
    assert np.abs(liquidation.difference("history")[first:]).max() > 1.0


def test_the_what_ifs_own_item_is_the_first_cause(liquidation):
    """The waterfall starts with the order, named with its actor, and lowers the history track."""
    w = liquidation.waterfall("history")
    assert (w.cause.iloc[0], w.actor.iloc[0], bool(w.own.iloc[0])) == ("liquidation_order", "courts", True)
    assert w.delta.iloc[0] < -1.0
    assert label_waterfall(w)[0] == "Order to liquidate seized assets (Korean courts)"


@pytest.mark.parametrize("variable", ["relationship_index", "history", "jp_favorable_korea", "kr_favorable_japan"])
@pytest.mark.parametrize("month", ["2027-02", "2028-06", "2030-12"])
def test_waterfall_bars_add_up_to_the_mean_gap(liquidation, variable, month):
    """The bars sum to the mean run-by-run difference at the month, and the last bar is that gap."""
    w = liquidation.waterfall(variable, month)
    gap = float(np.mean(liquidation.difference(variable)[liquidation.months.index(month)]))
    assert w.cause.iloc[-1] == NET and w.end.iloc[-1] == pytest.approx(gap, abs=1e-9)
    assert w.delta.iloc[:-1].sum() == pytest.approx(gap, abs=1e-4)
    assert START not in set(w.cause), "same starting levels: the ledgers explain the whole gap"
    named = w[~w.cause.isin([OTHER, START, NET])]
    if OTHER in set(w.cause) and len(named):
        rest = abs(float(w.loc[w.cause == OTHER, "delta"].iloc[0]))
        assert rest <= named.delta.abs().max(), "'Other causes' must not be the largest bar"


def test_different_starting_levels_are_their_own_bar():
    """A what-if that starts the history track 10 points higher shows that as its own bar."""
    base = shipped("baseline-2026")
    text = base.to_yaml().replace("  history: 45.0", "  history: 55.0")
    assert text != base.to_yaml()
    higher = parse_scenario(text)
    paired = run_paired(base, higher, 20, seed=3)
    w = paired.waterfall("history", "2026-01")
    assert w.loc[w.cause == START, "delta"].iloc[0] == pytest.approx(10.0, abs=1e-4)
    assert changed_assumptions(base, higher) == ["initial.history"]


def test_same_named_decisions_of_two_capitals_read_differently():
    """Seoul's and Tokyo's "Join a trilateral exercise" are two causes with two names."""
    seoul = cause_name("seoul_trilateral_exercise", "seoul")
    tokyo = cause_name("tokyo_trilateral_exercise", "tokyo")
    assert seoul != tokyo and "Seoul" in seoul and "Tokyo" in tokyo
    assert "state of" not in cause_name("liquidation_stage", "model")


def test_own_items_count_repeats_and_removals():
    """A second event in the same month counts; an item left out of the reference is 'removed'."""
    base = shipped("washington-steps-back")
    extra = ScheduledItem("event", "nuclear_test", "pyongyang", "2027-05")
    text = base.to_yaml().replace(
        "events:\n", "events:\n- month: 2027-05\n  type: nuclear_test\n- month: 2027-05\n  type: nuclear_test\n", 1
    )
    text = text.replace("- month: 2026-07\n  actor: washington\n  type: washington_step_back\n", "")
    whatif = parse_scenario(text)
    added, removed = own_items(base, whatif)
    assert added == [extra, extra]
    assert removed == [ScheduledItem("decision", "washington_step_back", "washington", "2026-07")]


def test_summary_sentence_gives_size_direction_and_range(liquidation):
    """One sentence: the month, the direction, about how many points, and nine runs in ten."""
    s = liquidation.summary("jp_favorable_korea")
    assert s.low <= s.median <= s.high and s.runs == RUNS
    text = summary_sentence(s, subject(liquidation.added, liquidation.removed))
    assert text.startswith("By 2030-12, the share of Japanese favourable to Korea is about")
    assert "lower" in text and "Order to liquidate seized assets (Korean courts, 2027-03)" in text
    assert f"{s.low:+.1f}" in text and f"{s.high:+.1f}" in text


def test_washington_steps_back_counts_its_decisions_and_assumptions():
    """The step-back what-if's own items are Washington's two decisions; its two coefficients count too."""
    base, whatif = shipped("baseline-2026"), shipped("washington-steps-back")
    added, removed = own_items(base, whatif)
    assert [(i.type, i.month) for i in added] == [
        ("washington_tariffs_allies", "2026-04"),
        ("washington_step_back", "2026-07"),
    ]
    assert not removed
    assert changed_assumptions(base, whatif) == ["parameters.us_commitment_transactional", "parameters.w_us_mediation"]
    assert "2 changes to the calendar and 2 changed assumption(s)" in subject(added, removed, 2)


def test_paired_needs_the_same_months():
    """Two scenarios over different months cannot be paired run by run."""
    with pytest.raises(ValueError, match="same months"):
        run_paired(shipped("baseline-2026"), shipped("history-2012-2025"), 2, seed=1)
