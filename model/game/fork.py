"""Fork a game into a scenario: the state at the start of a turn becomes a what-if's start.

The explorer runs scenarios, so a fork is a scenario file: it starts in the month the chosen
turn starts, from the game's state then (tracks, publics, approvals, threats, institutional
facts, who governs), keeps the scenario's later scheduled events and runs every seat by its
rules. The projector's "where is this heading" fan is an ensemble of the fork from the current
turn.

What a fork cannot carry over (assumption, stated in docs/GAME.md): the spread of opinion
between cohorts (the fork sets each public's share and lets the cohorts spread around it as
any scenario does), multi-month effects still in the pipeline, and the hidden momentum of the
exogenous processes (e.g. Pyongyang's recent launches).
"""

from __future__ import annotations

from typing import Any

from model.ensemble import EnsembleResult, run_ensemble
from model.game.errors import GameError
from model.game.replay import ResolvedTurn
from model.game.store import GameRecord
from model.game.world import WorldView, game_scenario, world_for
from model.i18n import DEFAULT_LANGUAGE, month_text, scenario_text, tr
from model.scenario import INITIAL_FIELDS, Scenario, parse_scenario

FAN_RUNS = 40  # assumption: enough for a readable 90% band, fast enough for a live class
FAN_MIN_MONTHS = 12


def _profiles(sc: Scenario, view: WorldView) -> Any:
    """Who governs at the fork, as the scenario's actor profiles."""
    v = view.values
    actors = sc.actors
    seoul = actors.seoul.model_copy(
        update={
            "leader": view.leaders.get("seoul", actors.seoul.leader),
            "camp": "conservative" if v["kr_camp"] > 0.5 else "progressive",
            "stance": "hawkish" if v["kr_hawkish"] > 0.5 else "moderate",
        }
    )
    tokyo = actors.tokyo.model_copy(
        update={
            "leader": view.leaders.get("tokyo", actors.tokyo.leader),
            "camp": "conservative" if v["jp_camp"] > 0.5 else "liberal",
            "stance": "hawkish" if v["jp_hawkish"] > 0.5 else "moderate",
        }
    )
    washington = actors.washington.model_copy(
        update={
            "leader": view.leaders.get("washington", actors.washington.leader),
            "stance": "transactional" if v["us_transactional"] > 0.5 else "alliance_builder",
        }
    )
    return actors.model_copy(update={"seoul": seoul, "tokyo": tokyo, "washington": washington})


def fork_scenario(
    record: GameRecord,
    resolved: list[ResolvedTurn],
    turn: int,
    months: int | None = None,
    lang: str = DEFAULT_LANGUAGE,
    injects: tuple[str, ...] = (),
) -> Scenario:
    """A scenario that starts where the game stood at the start of ``turn``.

    Args:
        record: The game.
        resolved: The game's resolved turns (only the first ``turn`` are used).
        turn: The turn to fork from (0 = the game's start).
        months: Length of the fork (default: to the scenario's end).
        lang: Language of the fork's title and description.
        injects: Events injected into the open turn (``turn == len(resolved)``): the fork
            starts after them, as the class sees the world now.

    Raises:
        GameError: The turn has not been reached, or lies past the scenario's end.
    """
    if not 0 <= turn <= len(resolved):
        raise GameError("game.error.bad_rewind", last=len(resolved))
    sc = game_scenario(record)
    view = world_for(record, resolved[:turn], tuple(injects) if turn == len(resolved) else ())
    first = turn * int(record.config["turn_months"])
    if first >= len(sc.months):
        raise GameError("game.error.bad_rewind", last=len(resolved))
    start = sc.months[first]
    last = len(sc.months) - 1 if months is None else min(len(sc.months) - 1, first + months - 1)
    end = sc.months[last]
    data = sc.model_dump(mode="json", exclude_none=True)
    data.update(
        id=f"{sc.id}-game-{record.id}-t{turn + 1}",
        title=tr("game.fork.title", lang, title=scenario_text(sc.title, lang), game=record.id, turn=turn + 1),
        description=tr(
            "game.fork.description", lang, game=record.id, turn=turn + 1, start=month_text(start, lang),
            description=scenario_text(sc.description, lang),
        ).strip(),
        start=start,
        end=end,
        initial={name: round(view.values[name], 4) for name in INITIAL_FIELDS},
        actors=_profiles(sc, view).model_dump(mode="json"),
        events=[e for e in data.get("events", []) if start <= e["month"] <= end],
        decisions=[d for d in data.get("decisions", []) if start <= d["month"] <= end],
    )
    text = Scenario.model_validate(data).to_yaml()
    return parse_scenario(text, filename=f"{data['id']}.yaml")


def projection(
    record: GameRecord, resolved: list[ResolvedTurn], runs: int = FAN_RUNS, injects: tuple[str, ...] = ()
) -> EnsembleResult:
    """Where the game is heading: an ensemble of the fork from the current turn.

    The horizon is the rest of the game, and at least a year when the scenario has one; the
    open turn's injected events have happened.
    """
    turns, turn = int(record.config["turns"]), len(resolved)
    ahead = max((turns - turn) * int(record.config["turn_months"]), FAN_MIN_MONTHS)
    scenario = fork_scenario(record, resolved, turn, ahead, injects=injects)
    return run_ensemble(scenario, runs=runs, seed=record.seed)
