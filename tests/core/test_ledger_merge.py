"""The ensemble's ledger: merged by key, the same for any chunk size; injections booked where they act."""

from __future__ import annotations

import numpy as np

from model.ensemble import run_ensemble
from model.model import RelationsModel
from model.scenario import parse_scenario
from tests.core.helpers import MINIMAL


def _year(extra: str = "") -> object:
    return parse_scenario(MINIMAL.replace("2027-12", "2026-12") + extra, filename="test.yaml")


def _ledger_bytes(res) -> list[tuple]:
    return [(e.t, e.cause, e.actor, e.variable, e.delta.tobytes()) for e in res.ledger.entries]


def test_ledgers_identical_across_chunk_sizes():
    """Chunks of 1, 7, 100 and 2,000 runs give the same ledger, byte for byte.

    A year of the baseline's processes with rules on: some chunks see a boycott or an export
    control, others not, so chunks record different lines (the merge used to fail or mislabel).
    """
    sc = _year("initial: {liquidation_stage: 2, jp_export_controls: 1, boycott: 0}\n")
    runs = 140
    results = {size: run_ensemble(sc, runs=runs, seed=5, ledger=True, chunk_size=size)
               for size in (1, 7, 100, 2000)}
    reference = _ledger_bytes(results[2000])
    causes = {e.cause for e in results[2000].ledger.entries}
    assert "boycott_start" in causes or "boycott" in causes
    for size, res in results.items():
        assert _ledger_bytes(res) == reference, f"chunk size {size}"
        np.testing.assert_array_equal(res.values, results[2000].values)
    # and the merged ledger still adds up to the movement of every run
    res = results[7]
    first = RelationsModel(sc, runs=runs, seed=5, ledger=False)
    start = first.state.get("economic").copy()
    total = sum(res.ledger.contributions("economic", 0).values())
    np.testing.assert_allclose(start + total, res.series("economic")[-1], atol=1e-3)


def test_chunks_that_record_different_lines_merge():
    """A line recorded in only one chunk gets zeros for the other chunk's runs."""
    sc = _year(
        "processes: {pyongyang: true, courts: false, calendar: false, world: false, "
        "rules: false, mobilisation: false}\n"
    )
    res = run_ensemble(sc, runs=4, seed=1, ledger=True, chunk_size=2)
    assert res.ledger.entries
    for e in res.ledger.entries:
        assert e.delta.shape == (4,)


def test_inject_is_booked_in_the_month_it_acts():
    """An event injected between steps shows first in the next month, and is booked there."""
    sc = _year(
        "processes: {pyongyang: false, courts: false, calendar: false, world: false, "
        "rules: false, mobilisation: false}\n"
    )
    model = RelationsModel(sc, runs=3, seed=2)
    model.step()
    model.step()  # months 0 and 1 done
    before = model.state.get("nk_threat").copy()
    model.inject("nuclear_test")
    assert model.occurrences[-1].t == 2
    booked = {e.t for e in model.ledger.entries if e.cause == "nuclear_test"}
    assert booked == {2}
    model.step()
    after = model.values()[2]
    from model.state import OUTPUT_VARIABLES

    i = OUTPUT_VARIABLES.index("nk_threat")
    assert np.all(after[i] > before)
    # the ledger for month 2 alone explains month 2's change of the threat
    moved = model.values()[2][i] - model.values()[1][i]
    total = sum(model.ledger.contributions("nk_threat", 2, 2).values())
    np.testing.assert_allclose(total, moved, atol=1e-3)


def test_explorer_sized_ensemble_with_ledger():
    """The explorer's case: 1,000 runs of a 12-month baseline in chunks of 100 (it raised)."""
    from pathlib import Path

    from model.scenario import load_scenario

    base = load_scenario(Path(__file__).parents[2] / "scenarios" / "baseline-2026.yaml")
    sc = base.model_copy(update={"end": "2026-12"})
    res = run_ensemble(sc, runs=1000, seed=0, ledger=True, chunk_size=100)
    assert res.values.shape[2] == 1000
    assert {e.delta.shape for e in res.ledger.entries} == {(1000,)}
