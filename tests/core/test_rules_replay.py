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
