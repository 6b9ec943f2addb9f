"""Setting up a game: check the teacher's choices, then store the game and draw its codes.

A game is a scenario (its YAML text, copied into the game so that later edits of the file do
not change a game in progress), a seed, and a configuration: which seats students play, which
the model's rules play (each with a profile), how many turns of how many months.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.game.errors import GameError
from model.game.store import GameStore, NewGame

SEATS = ("seoul", "tokyo", "washington", "kr_public", "jp_public")
DEFAULT_TURNS = 8
DEFAULT_TURN_MONTHS = 3  # a quarter: assumption, the rhythm of a 60-90 minute class
MAX_DECISIONS = 2
MAX_DEADLINE_MINUTES = 120
CONFIG_VERSION = 1
SCENARIO_DIRS = (Path.cwd() / "scenarios", Path(__file__).resolve().parents[2] / "scenarios")


def scenario_file(name: str) -> Path:
    """Find a scenario by path or by name in ``scenarios/`` (``baseline-2026`` or ``...yaml``).

    Raises:
        GameError: No such file.
    """
    direct = Path(name)
    if direct.is_file():
        return direct
    stem = name.removesuffix(".yaml")
    for folder in SCENARIO_DIRS:
        candidate = folder / f"{stem}.yaml"
        if candidate.is_file():
            return candidate
    raise GameError("game.error.no_scenario", name=name)


def available_scenarios() -> list[Path]:
    """Scenario files a teacher can pick from, by name."""
    seen: dict[str, Path] = {}
    for folder in SCENARIO_DIRS:
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                seen.setdefault(path.stem, path)
    return [seen[k] for k in sorted(seen)]


def parse_game_scenario(text: str, filename: str = "scenario.yaml", *, stored: bool = False) -> Any:
    """Parse a scenario for a game; its problems become one :class:`GameError`.

    ``stored``: the game's own copy, read back from its database, which must open as it did when
    the game was created (a key written twice keeps its last value: ``keep_repeated_keys``).
    """
    from model.scenario import ScenarioError, parse_scenario

    try:
        return parse_scenario(text, filename=filename, keep_repeated_keys=stored)
    except ScenarioError as err:
        raise GameError("game.error.scenario", message=str(err)) from err


def game_config(
    scenario: Any,
    humans: Iterable[str],
    turns: int | None = None,
    turn_months: int = DEFAULT_TURN_MONTHS,
    profiles: Mapping[str, Mapping[str, str]] | None = None,
    homework: bool = False,
    deadline_minutes: int | None = None,
    scenario_name: str = "",
) -> dict[str, Any]:
    """Check a teacher's choices against a scenario and return the game's configuration.

    Args:
        scenario: The parsed scenario.
        humans: Seats that students play; the others are played by the model's rules.
        turns: Number of turns (default: 8, or fewer if the scenario is shorter).
        turn_months: Months per turn.
        profiles: Rule profile per rule government, e.g. ``{"tokyo": {"stance": "hawkish"}}``
            (fields of the scenario's actor profiles; default: the scenario's own).
        homework: One student, one seat, at their own pace (the seat may resolve turns).
        deadline_minutes: Minutes per turn (each turn's deadline starts when it opens), or None.
        scenario_name: Name to show (e.g. the file's stem).

    Raises:
        GameError: Unknown seats, no human seat, or turns that do not fit the scenario.
    """
    humans = list(dict.fromkeys(humans))
    unknown = [s for s in humans if s not in SEATS]
    if unknown:
        raise GameError("game.error.bad_seats", seats=", ".join(unknown), known=", ".join(SEATS))
    if not humans:
        raise GameError("game.error.no_human_seats")
    if homework and len(humans) != 1:
        raise GameError("game.error.homework_one_seat")
    if not isinstance(turn_months, int) or not 1 <= turn_months <= 12:
        raise GameError("game.error.bad_turn_months")
    fits = len(scenario.months) // turn_months
    turns = min(DEFAULT_TURNS, fits) if turns is None else turns
    if not isinstance(turns, int) or not 1 <= turns <= fits:
        raise GameError("game.error.bad_turns", max=fits, months=turn_months)
    if deadline_minutes is not None and not (
        isinstance(deadline_minutes, int) and 1 <= deadline_minutes <= MAX_DEADLINE_MINUTES
    ):
        raise GameError("game.error.bad_deadline", most=MAX_DEADLINE_MINUTES)
    profiles = {seat: dict(p) for seat, p in (profiles or {}).items() if p}
    for seat, profile in profiles.items():
        _check_profile(scenario, seat, profile, humans)
    return {
        "version": CONFIG_VERSION,
        "scenario_name": scenario_name or getattr(scenario, "title", ""),
        "seats": {
            seat: ({"player": "human"} if seat in humans else {"player": "rule", "profile": profiles.get(seat)})
            for seat in SEATS
        },
        "turns": turns,
        "turn_months": turn_months,
        "homework": homework,
        "deadline_minutes": deadline_minutes,
    }


def _check_profile(scenario: Any, seat: str, profile: dict[str, str], humans: list[str]) -> None:
    """A profile is for a rule government, with values its scenario schema accepts."""
    current = getattr(scenario.actors, seat, None) if seat not in humans else None
    if current is None:
        raise GameError("game.error.bad_profiles", seats=seat)
    try:
        type(current).model_validate(current.model_dump() | profile)
    except ValidationError as err:
        raise GameError("game.error.bad_profiles", seats=seat) from err


def create_game(
    store: GameStore,
    scenario_text: str,
    humans: Iterable[str] = SEATS,
    *,
    seed: int | None = None,
    filename: str = "scenario.yaml",
    **options: Any,
) -> NewGame:
    """Check and store a new game; return its id and codes (shown once).

    Args:
        store: Where the game lives.
        scenario_text: The scenario's YAML.
        humans: Seats that students play.
        seed: Root seed (drawn at random and stored when omitted).
        filename: Name of the scenario, for messages.
        **options: Passed to :func:`game_config`.

    Raises:
        GameError: The scenario or the choices are not valid; nothing is stored.
    """
    scenario = parse_game_scenario(scenario_text, filename)
    options.setdefault("scenario_name", Path(filename).stem)
    config = game_config(scenario, humans, **options)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    human_seats = [s for s, c in config["seats"].items() if c["player"] == "human"]
    return store.create_game(scenario_text, seed, config, roles=human_seats)
