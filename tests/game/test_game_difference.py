"""What a class's decisions changed: the game against the model's rules from a turn, paired."""

from __future__ import annotations

import numpy as np
import pytest

from model.analysis.difference import game_difference, label_waterfall
from model.state import OUTPUT_VARIABLES
from tests.game.test_game_debrief import played

RUNS = 30


@pytest.fixture
def suspended(sqlite_store, scenario_text):
    """Seoul's team suspends GSOMIA in the second turn; Tokyo's team proposes a summit."""
    game, _ = played(
        sqlite_store,
        scenario_text,
        moves=[
            {"seoul": (["seoul_hold"], "")},
            {"seoul": (["seoul_suspend_gsomia"], "")},
            {"tokyo": (["tokyo_hold"], "")},
        ],
    )
    return game


def test_the_teams_and_the_rules_agree_until_the_turn(suspended):
    """Before the fork turn both arms are the same game, run for run; run 0 is the class's game."""
    tl = suspended.timeline()
    diff = game_difference(suspended.record, tl.resolved, 1, runs=RUNS)
    turn_months = int(suspended.record.config["turn_months"])
    before = diff.difference("security")[:turn_months]
    assert np.array_equal(before, np.zeros_like(before))
    world = suspended.world(tl)
    played_security = world.trajectory.query("variable == 'security' and t >= 0")["value"].to_numpy()
    assert diff.months == list(world.months[: len(played_security)])
    assert np.allclose(diff.teams[:, OUTPUT_VARIABLES.index("security"), 0], played_security, atol=1e-4)


def test_the_teams_own_decision_leads_the_waterfall(suspended):
    """Suspending GSOMIA is the first cause of the security gap, named with Seoul."""
    diff = game_difference(suspended.record, suspended.timeline().resolved, 1, runs=RUNS)
    w = diff.waterfall("security")
    labels = label_waterfall(w)
    assert labels[0] == "Give notice to end GSOMIA (Seoul)"
    assert w.cause.iloc[0] == "seoul_suspend_gsomia" and w.own.iloc[0]
    assert w.delta.iloc[:-1].sum() == pytest.approx(w.delta.iloc[-1], abs=1e-4)
    assert diff.summary("security").median < 0  # the teams left security cooperation weaker


def test_a_turn_outside_the_game_is_refused(suspended):
    with pytest.raises(ValueError):
        game_difference(suspended.record, suspended.timeline().resolved, 7, runs=2)
