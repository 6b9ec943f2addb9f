"""Simultaneous moves: every seat decides on the decision window's starting state."""

from __future__ import annotations

import numpy as np

from model.model import RelationsModel
from tests.core.helpers import quiet, scenario


def _occurred(model: RelationsModel, decision: str) -> dict[int, np.ndarray]:
    return {o.t: o.mask for o in model.occurrences if o.id == decision}


def test_tokyo_cannot_join_a_foundation_seoul_creates_in_the_same_window():
    """Both teams submit in the first window: Tokyo's contribution lapses.

    The foundation does not exist at the window's start (the contribution used to be applied
    after Seoul's move); in the next window Tokyo can contribute.
    """
    sc = quiet("initial: {foundation: 0}\n")
    model = RelationsModel(sc, runs=4, seed=1)
    model.submit("seoul", ["seoul_compensation_fund"])
    model.submit("tokyo", ["tokyo_contribute_foundation"])
    model.step()
    assert 0 in _occurred(model, "seoul_compensation_fund")
    assert 0 not in _occurred(model, "tokyo_contribute_foundation")
    for _ in range(sc.decision_interval - 1):
        model.step()
    model.submit("tokyo", ["tokyo_contribute_foundation"])
    model.step()
    assert sc.decision_interval in _occurred(model, "tokyo_contribute_foundation")


def test_rules_never_answer_a_move_of_the_same_window():
    """With the rules playing, no run has Tokyo contribute in the month Seoul sets up a fund."""
    sc = scenario(
        "initial: {foundation: 0, us_pressure: 100}\n"
        "actors: {seoul: {camp: conservative, stance: moderate}, "
        "tokyo: {camp: liberal, stance: moderate}}\n"
    )
    model = RelationsModel(sc, runs=600, seed=3)
    model.run()
    created = _occurred(model, "seoul_compensation_fund")
    joined = _occurred(model, "tokyo_contribute_foundation")
    assert created and joined, "the test needs both moves to happen somewhere"
    for t, mask in created.items():
        if t in joined:
            assert not np.any(mask & joined[t])


def test_a_clash_resolves_in_the_stated_order():
    """Seoul tolerates a boycott and the Korean public calls for one in the same window.

    Both were open at the window's start; Seoul's move comes first, and where it started the
    boycott the public's call (precondition: no boycott) lapses.
    """
    sc = quiet("initial: {boycott: 0, jp_export_controls: 1}\n")
    model = RelationsModel(sc, runs=50, seed=2)
    model.submit("seoul", ["seoul_tolerate_boycott"])
    model.submit("kr_public", ["kr_public_boycott"])
    model.step()
    assert _occurred(model, "seoul_tolerate_boycott")[0].all()
    called = _occurred(model, "kr_public_boycott")[0]
    assert 0 < called.sum() < 50
