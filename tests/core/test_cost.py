"""The cost guard: requests priced before they start, heavy work queued (issue 14)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from model import limits
from model.cost import (
    Busy,
    HeavyGate,
    TooCostly,
    check_ensemble,
    check_screen,
    ensemble_cost,
    ledger_runs,
    screen_replicates,
)

ROOT = Path(__file__).resolve().parents[2]


def test_an_ensemble_over_budget_says_how_many_runs_or_months_fit():
    """2,000 runs of a 600-month upload: refused, with the runs that fit and the months that fit."""
    with pytest.raises(TooCostly) as err:
        check_ensemble(2_000, 600)
    values = err.value.values
    assert err.value.key == "cost.ensemble"
    assert values["most_runs"] == limits.MAX_RUN_MONTHS // 600
    assert values["most_months"] == limits.MAX_RUN_MONTHS // 2_000
    assert check_ensemble(values["most_runs"], 600) <= limits.MAX_RUN_MONTHS


def test_the_ledger_counts_but_covers_only_the_first_runs():
    """The why view's ledger costs more per run-month and is bounded by the runs it covers."""
    assert ensemble_cost(200, 60, ledger=True) == 200 * 60 * (1 + limits.LEDGER_COST)
    assert ledger_runs(2_000, 120) * 120 <= limits.LEDGER_RUN_MONTHS
    assert check_ensemble(2_000, 120, ledger=True) == 2_000 * 120 + limits.LEDGER_COST * limits.LEDGER_RUN_MONTHS


def test_a_screen_over_budget_says_how_long_a_scenario_fits():
    """A sensitivity screen of a long scenario: refused with the months that would fit."""
    with pytest.raises(TooCostly) as err:
        check_screen(185, 100, 600)  # the explorer's tornado of a 50-year upload
    most = err.value.values["most_months"]
    assert check_screen(185, 100, most) <= limits.MAX_SCREEN_RUN_MONTHS < check_screen(185, 100, most) + 18_500


def test_a_long_screen_runs_fewer_replicates_within_the_budget_down_to_a_floor():
    """The rule of :func:`screen_replicates`: 100 per setting when it fits, else as many as fit, >= the floor.

    The history scenario (168 months) with one screened coefficient more than the catalogue had
    when its first pass reached 5,997,600 of 6,000,000 run-months (357 settings) used to be refused.
    """
    budget, floor = limits.MAX_SCREEN_RUN_MONTHS, limits.MIN_SCREEN_REPLICATES
    assert screen_replicates(357, 168, 100) == 100  # fits as it is: unchanged
    with pytest.raises(TooCostly):
        check_screen(359, 100, 168)  # the old rule refused the next coefficient
    replicates = screen_replicates(359, 168, 100)
    assert floor <= replicates < 100 and 359 * replicates * 168 <= budget < 359 * (replicates + 1) * 168
    assert screen_replicates(3, 24, 2) == 2  # never more than asked, even far within the budget
    longest = budget // (359 * floor)  # months that fit at the floor
    assert screen_replicates(359, longest, 100) == floor
    with pytest.raises(TooCostly) as err:
        screen_replicates(359, longest + 1, 100)  # not even the floor fits: refused, nothing unbounded
    assert err.value.values["most_months"] == longest


def test_heavy_work_waits_for_a_free_slot(tmp_path):
    """One slot: the second job starts after the first, having said that it waits."""
    gate = HeavyGate(1, tmp_path)
    order: list[str] = []
    waited: list[float] = []
    inside = threading.Event()

    def first() -> None:
        with gate.slot():
            inside.set()
            time.sleep(0.6)
            order.append("first done")

    worker = threading.Thread(target=first)
    worker.start()
    inside.wait(5)
    assert gate.busy() == 1
    with gate.slot(wait=10, waiting=waited.append):
        order.append("second started")
    worker.join()
    assert order == ["first done", "second started"] and waited


def test_no_slot_within_the_wait_is_busy(tmp_path):
    """A slot held longer than the wait: Busy, so the page can say the server is busy."""
    gate = HeavyGate(1, tmp_path)
    with gate.slot():
        with pytest.raises(Busy):
            with HeavyGate(1, tmp_path).slot(wait=0.3):
                pass


def test_slots_are_shared_between_processes(tmp_path):
    """Another app process holding the slot makes this one wait (lock files, not memory)."""
    hold = (
        "import sys, time; from pathlib import Path; from model.cost import HeavyGate\n"
        "with HeavyGate(1, Path(sys.argv[1])).slot():\n"
        "    print('held', flush=True); time.sleep(2)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", hold, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(Busy):
            with HeavyGate(1, tmp_path).slot(wait=0.5):
                pass
        waited: list[float] = []
        with HeavyGate(1, tmp_path).slot(wait=30, waiting=waited.append):
            pass
        assert waited  # it had to wait for the other process to let go
    finally:
        child.wait(30)
