"""Properties of the replay: any sequence of classroom actions, replayed cold, gives the same game."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.game.engine import Game
from model.game.errors import GameError
from model.game.setup import create_game
from model.game.store import GameStore
from model.game.world import WORLDS
from tests.game.conftest import SCENARIO

# Decisions without preconditions, so that any of them is on the menu in any state.
MOVES = {
    "seoul": ["seoul_hold", "seoul_propose_summit", "seoul_dokdo_visit", "seoul_trilateral_exercise"],
    "tokyo": ["tokyo_hold", "tokyo_propose_summit", "tokyo_yasukuni_visit"],
}
action = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(sorted(MOVES)), st.integers(0, 3)),
    st.tuples(st.just("resolve"), st.just(""), st.just(0)),
    st.tuples(st.just("rewind"), st.just(""), st.integers(0, 3)),
    st.tuples(st.just("inject"), st.sampled_from(["nuclear_test", "forced_labour_ruling"]), st.just(0)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=1, max_size=10), st.integers(0, 1000))
def test_cold_replay_equals_the_live_game(actions, seed):
    """Whatever the class did, a restarted server rebuilds exactly the state it showed."""
    with tempfile.TemporaryDirectory() as folder:
        store = GameStore(f"sqlite:///{Path(folder) / 'g.db'}")
        try:
            WORLDS.clear()
            new = create_game(store, SCENARIO, ["seoul", "tokyo"], seed=seed, turns=4)
            game, boss = Game(store, new.id), new.instructor_code
            game.start(boss)
            for kind, what, number in actions:
                tl = game.timeline()
                try:
                    if kind == "submit":
                        moves = MOVES[what]
                        game.submit(new.seat_codes[what], [moves[number % len(moves)]], turn=tl.turn)
                    elif kind == "resolve":
                        game.resolve(boss, tl.turn)
                    elif kind == "rewind":
                        game.rewind(boss, number)
                    else:
                        game.inject(boss, what)
                except GameError:
                    pass  # refused requests change nothing; the property covers what landed
                game.world()  # the live server steps its cached world forward
            live = game.world()
            WORLDS.clear()
            cold = Game(store, new.id).world()
            pd.testing.assert_frame_equal(live.trajectory, cold.trajectory)
            pd.testing.assert_frame_equal(live.ledger, cold.ledger)
            assert [o.decisions for o in live.outcomes] == [o.decisions for o in cold.outcomes]
            assert live.turns_done == len(game.timeline().resolved)
        finally:
            store.dispose()
            WORLDS.clear()
