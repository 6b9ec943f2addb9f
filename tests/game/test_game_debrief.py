"""Debrief and fork: what each decision did, the downloadable file, the what-if scenario."""

from __future__ import annotations

import re

import numpy as np
import pytest

from model.catalogue import load_catalogue
from model.game.debrief import debrief_html, decision_effects, history_comparison
from model.game.engine import Game
from model.game.errors import GameError
from model.game.fork import FAN_RUNS, fork_scenario, projection
from model.game.setup import create_game, scenario_file
from model.game.world import game_scenario
from model.model import RelationsModel
from model.scenario import INITIAL_FIELDS, parse_scenario


def played(store, scenario_text, turns=3, moves=None, humans=("seoul", "tokyo"), seed=8):
    new = create_game(store, scenario_text, list(humans), seed=seed, turns=turns)
    game = Game(store, new.id)
    game.start(new.instructor_code)
    for turn, submissions in enumerate(moves or []):
        for seat, (decisions, statement) in submissions.items():
            game.submit(new.seat_codes[seat], decisions, statement, turn=turn)
        game.resolve(new.instructor_code, turn)
    return game, new


def test_each_decision_gets_its_ledger_effects(sqlite_store, scenario_text):
    """Suspending GSOMIA costs security; every seat's choice of every turn is listed."""
    game, _ = played(
        sqlite_store,
        scenario_text,
        moves=[{"seoul": (["seoul_suspend_gsomia"], "")}, {"tokyo": (["tokyo_propose_summit"], "")}],
    )
    effects = decision_effects(game.world())
    suspend = [e for e in effects if e.decision == "seoul_suspend_gsomia"]
    assert len(suspend) == 1 and suspend[0].played_by == "human" and suspend[0].turn == 0
    assert suspend[0].effects["security"] < 0
    for turn in (0, 1):
        listed = {e.seat for e in effects if e.turn == turn}
        assert {"seoul", "tokyo", "kr_public", "jp_public"} <= listed


def test_a_decision_is_credited_with_the_events_it_sets_off(sqlite_store, scenario_text):
    """A leader's visit acts through the visit event it triggers: the debrief shows the drop."""
    game, _ = played(sqlite_store, scenario_text, moves=[{"seoul": (["seoul_dokdo_visit"], "")}])
    (visit,) = [e for e in decision_effects(game.world()) if e.decision == "seoul_dokdo_visit"]
    assert visit.effects["jp_favorable_korea"] < 0


def test_the_html_debrief_is_self_contained_and_escaped(sqlite_store, scenario_text):
    """One file, no scripts, nothing fetched from outside; statements are escaped."""
    game, _ = played(
        sqlite_store,
        scenario_text,
        moves=[{"seoul": (["seoul_propose_summit"], "<script>alert(1)</script> & friends")}],
    )
    html = debrief_html(game.record, game.world())
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in html
    assert "<svg" in html and load_catalogue().label("decision", "seoul_propose_summit") in html


def test_a_fork_starts_from_the_games_state(sqlite_store, scenario_text):
    """The forked scenario starts at the turn's month with the game's state then."""
    game, _ = played(
        sqlite_store,
        scenario_text,
        moves=[{"seoul": (["seoul_suspend_gsomia"], "")}, {"tokyo": (["tokyo_hold"], "")}],
    )
    tl = game.timeline()
    fork = fork_scenario(game.record, tl.resolved, 1)
    again = parse_scenario(fork.to_yaml(), "fork.yaml")
    assert again.start == "2026-04" and again.end == "2028-12"
    latest = Game(sqlite_store, game.id).world(tl)  # forking at turn 1 did not disturb the game
    assert latest.turns_done == 2 and latest.value("gsomia") == 0.0
    model = RelationsModel(again, runs=1, seed=1)
    for name in ("diplomatic", "security", "economic", "history", "people", "gsomia", "nk_threat"):
        assert model.state.get(name)[0] == pytest.approx(fork.initial[name], abs=1e-9)
    assert fork.initial["gsomia"] == 0.0  # Seoul suspended it in turn 1
    assert set(INITIAL_FIELDS) <= set(fork.initial)
    with pytest.raises(GameError):
        fork_scenario(game.record, tl.resolved, 5)


def test_the_projection_runs_from_the_current_turn(sqlite_store, scenario_text):
    """The fan is an ensemble of the fork at the current turn, at least a year ahead."""
    game, _ = played(sqlite_store, scenario_text, turns=4, moves=[{"seoul": (["seoul_hold"], "")}])
    result = projection(game.record, game.timeline().resolved)
    assert result.runs == FAN_RUNS
    assert result.months[0] == "2026-04" and len(result.months) == 12
    index = result.series("relationship_index")
    assert np.all((index >= 0) & (index <= 100)) and index[-1].std() > 0


def test_a_team_replaces_history_in_its_seat(sqlite_store):
    """On the historical replay, a team's seat loses its scripted decisions; others keep them."""
    text = scenario_file("history-2012-2025").read_text(encoding="utf-8")
    game, _ = played(sqlite_store, text, turns=2, humans=("seoul",))
    actors = {d.actor for d in game_scenario(game.record).decisions}
    assert "seoul" not in actors and "tokyo" in actors
    assert "seoul" in {d.actor for d in parse_scenario(text, "h.yaml").decisions}


def test_history_comparison_where_the_game_overlaps_the_polls(sqlite_store):
    """A game on the 2012-2025 replay meets the 2013 polls; a 2026 game meets none."""
    text = scenario_file("history-2012-2025").read_text(encoding="utf-8")
    game, _ = played(sqlite_store, text, turns=8, moves=[{}] * 8)
    compared = history_comparison(game.world())
    assert not compared.empty
    assert set(compared.variable) <= {"kr_favorable_japan", "jp_favorable_korea"}
    assert compared.month.min() >= "2012-01" and compared.month.max() <= "2013-12"
    assert compared.observed.between(0, 100).all() and compared.simulated.between(0, 100).all()
