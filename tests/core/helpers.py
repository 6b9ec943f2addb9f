"""Small builders shared by the core's tests."""

from __future__ import annotations

import numpy as np

from model.ensemble import run_ensemble
from model.scenario import Scenario, parse_scenario

MINIMAL = """\
id: test
title: Test
question: What does the model do?
start: 2026-01
end: 2027-12
"""


def scenario(extra: str = "", end: str | None = None) -> Scenario:
    """A small valid scenario, with YAML lines appended (and another last month, if given).

    A key written again in ``extra`` is refused (YAML would keep only one of the two).
    """
    text = MINIMAL if end is None else MINIMAL.replace("end: 2027-12", f"end: {end}")
    return parse_scenario(text + extra, filename="test.yaml")


def series(sc: Scenario, variable: str, runs: int = 200, seed: int = 11, **kw) -> np.ndarray:
    """One variable of an ensemble, shape (months, runs)."""
    return run_ensemble(sc, runs=runs, seed=seed, **kw).series(variable)


def quiet(extra: str = "", end: str | None = None) -> Scenario:
    """A scenario with no random events and no rules: only what the test schedules happens."""
    return scenario(
        "processes: {pyongyang: false, courts: false, calendar: false, world: false, "
        "rules: false, mobilisation: false}\n" + extra,
        end,
    )
