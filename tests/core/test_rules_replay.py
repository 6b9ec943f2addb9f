"""The rules replay of 2012-2025 and the baseline's escalation rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.analysis.escalation import escalation_rates
from model.analysis.rules_replay import KEY_DECISIONS, record_counts, replay_counts, rules_replay
from model.scenario import load_scenario

ROOT = Path(__file__).parents[2]
HISTORY = load_scenario(ROOT / "scenarios" / "history-2012-2025.yaml")


def test_the_record_is_read_from_the_history_scenario():
    record = record_counts(HISTORY)
    assert record["tokyo_impose_export_controls"] == 1
    assert record["seoul_restore_gsomia"] == 2  # signed 2016, notice withdrawn 2019
    assert record["seoul_dokdo_visit"] == 1  # a scheduled event there, a decision here
    assert record["seoul_repudiate_agreement"] == 1  # review 2017 and dissolution 2018: one act
    assert record["bilateral_summit"] >= 5


def test_the_rules_replay_has_no_scripted_decisions_and_the_rules_on():
    sc = rules_replay(HISTORY)
    assert sc.decisions == [] and sc.processes.rules
    kept = {e.type for e in sc.events}
    assert "dokdo_visit" not in kept and "bilateral_summit" not in kept
    assert "leader_change" in kept and "forced_labour_ruling" in kept


def test_replay_counts_per_run_add_up_to_the_occurrences():
    counts = replay_counts(HISTORY, runs=30, seed=1)
    for d in KEY_DECISIONS:
        assert counts.per_run[d].shape == (30,)
    assert sum(int(counts.per_run[d].sum()) for d in KEY_DECISIONS) > 0
    frame = counts.frame()
    assert list(frame.decision) == list(KEY_DECISIONS)
    assert (frame.p5 <= frame.p95).all()


def test_baseline_escalations_sit_near_the_records_rate():
    """Each escalation of the baseline, per run-year, within half and twice the record's 1/14.

    Before the escalation cost came into the rules (issue 11) the baseline gave GSOMIA
    notice 0.17 times and removed Korea from the white list 0.16 times a run-year.
    """
    base = load_scenario(ROOT / "scenarios" / "baseline-2026.yaml")
    rates = escalation_rates(base, runs=400, seed=7)
    for decision in ("seoul_dokdo_visit", "seoul_suspend_gsomia", "tokyo_impose_export_controls",
                     "tokyo_remove_whitelist"):
        rate = rates.per_run_year[decision]
        assert 0.5 / 14 <= rate <= 2.0 / 14, (decision, rate)
    assert np.isfinite(list(rates.at_end.values())).all()


def test_validate_names_file_line_and_field_of_the_new_fields():
    """The new coefficients and institution are checked like the others (file:line: field)."""
    import pytest

    from model.cli.run import problem_line
    from model.scenario import ScenarioError, parse_scenario
    from tests.core.helpers import MINIMAL

    text = (MINIMAL + "initial:\n  healing_foundation: 2\nparameters:\n  rule_escalation_cost: 5\n"
            "  putnam_kr_power: 1.5\n")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, filename="bad.yaml")
    lines = [problem_line(p) for p in err.value.problems]
    assert any(line.startswith("bad.yaml:7: initial.healing_foundation") for line in lines), lines
    assert any(line.startswith("bad.yaml:9: parameters.rule_escalation_cost") for line in lines), lines
    assert any(line.startswith("bad.yaml:10: parameters.putnam_kr_power") for line in lines), lines


def test_red_line_responses_are_shares_of_paired_runs():
    """The response distribution of a red line: shares in [0, 1], the base from the same draws."""
    from model.analysis.escalation import red_line_responses

    what_if = load_scenario(ROOT / "scenarios" / "liquidation-order.yaml")
    base = load_scenario(ROOT / "scenarios" / "baseline-2026.yaml")
    df = red_line_responses(what_if, base, "2027-03", within=6, runs=40, seed=1)
    assert list(df.response) == ["countermeasures", "shuttle_suspended"]
    assert ((df.what_if >= 0) & (df.what_if <= 1) & (df.base >= 0) & (df.base <= 1)).all()
    # before the red line the two ensembles are the same runs: a window ending before it agrees
    early = red_line_responses(what_if, base, "2026-01", within=12, runs=40, seed=1)
    assert (early.difference == 0).all()


def test_a_red_line_answer_read_from_the_facts_is_the_decision_itself():
    """The explorer reads answers from the runs' facts: run by run they are Tokyo's decisions."""
    import numpy as np

    from model.analysis.escalation import answered, find_red_line
    from model.ensemble import run_ensemble

    what_if = load_scenario(ROOT / "scenarios" / "liquidation-order.yaml")
    line, month = find_red_line(what_if)
    t0 = what_if.index_of(month)
    result = run_ensemble(what_if, runs=200, seed=0, ledger=True)
    decisions = {
        "countermeasures": ("tokyo_impose_export_controls", "tokyo_remove_whitelist"),
        "shuttle_suspended": ("tokyo_suspend_shuttle_diplomacy", "seoul_suspend_shuttle_diplomacy"),
    }
    for response in line.responses:
        taken = np.zeros(200, dtype=bool)
        for o in result.occurrences:
            if o.kind == "decision" and o.id in decisions[response.key] and t0 <= o.t < t0 + 6:
                taken |= o.mask
        assert taken.any()
        assert np.array_equal(answered(result.values, response, t0), taken)
    assert find_red_line(load_scenario(ROOT / "scenarios" / "baseline-2026.yaml")) is None


def test_the_leaders_profiles_keep_their_differences():
    """The calibration shifts every profile alike: the differences between leaders survive.

    Same two years, same seed: a hawkish Tokyo visits Yasukuni more than a moderate one; a
    conservative Seoul sets up the fund more, and gives GSOMIA notice less, than a progressive.
    """
    from model.ensemble import run_ensemble
    from tests.core.helpers import scenario

    def count(actors: str, initial: str, decision: str) -> int:
        sc = scenario(f"actors: {{{actors}}}\ninitial: {{{initial}}}\n")
        res = run_ensemble(sc, runs=300, seed=5)
        return sum(o.runs for o in res.occurrences if o.id == decision)

    hawk = count("tokyo: {camp: conservative, stance: hawkish}", "jp_gov_approval: 35", "tokyo_yasukuni_visit")
    moderate = count("tokyo: {camp: liberal, stance: moderate}", "jp_gov_approval: 35", "tokyo_yasukuni_visit")
    assert hawk > 2 * moderate
    cons = "seoul: {camp: conservative, stance: moderate}"
    prog = "seoul: {camp: progressive, stance: hawkish}"
    fund = "seoul_compensation_fund"
    assert count(cons, "foundation: 0", fund) > count(prog, "foundation: 0", fund)
    assert count(prog, "gsomia: 1", "seoul_suspend_gsomia") > count(cons, "gsomia: 1", "seoul_suspend_gsomia")
