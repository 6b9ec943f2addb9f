"""``rapprochement game new|show``: set up a class's game and read its log, as JSON.

Teachers prepare a class with ``game new`` (one link per seat to send out or to print as QR
codes); scripts and other tools read a game with ``game show``. Both print JSON on stdout and
nothing else; a refused request prints one clear line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json

from model.cli import UserError
from model.game.errors import GameError
from model.game.links import DEFAULT_BASE_URL, invitation
from model.game.setup import DEFAULT_TURN_MONTHS, SEATS, create_game, scenario_file
from model.game.show import show_game
from model.game.store import ENV_VAR, GameStore
from model.i18n import LANGUAGES, tr
from model.scenario import ScenarioError, read_scenario_text


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``game`` command and its ``new`` and ``show`` subcommands."""
    game = subparsers.add_parser("game", help="classroom game: create one, show its log")
    sub = game.add_subparsers(dest="game_command", metavar="{new,show}", required=True)
    db_help = (
        f"database URL or SQLite path (default: ${ENV_VAR}, else var/games.db in the current "
        "directory); PostgreSQL as postgresql+psycopg://user@host/db"
    )

    new = sub.add_parser("new", help="create a game; print its codes and join links as JSON")
    new.add_argument("scenario", help="scenario file, or a name in scenarios/ (e.g. baseline-2026)")
    new.add_argument(
        "--seats",
        default=",".join(SEATS),
        help=f"seats that students play, comma-separated (default: all of {','.join(SEATS)})",
    )
    new.add_argument("--turns", type=int, default=None, help="number of turns (default 8)")
    new.add_argument(
        "--turn-months",
        type=int,
        default=DEFAULT_TURN_MONTHS,
        help=f"months per turn (default {DEFAULT_TURN_MONTHS})",
    )
    new.add_argument("--seed", type=int, default=None, help="root seed (default: drawn at random)")
    new.add_argument("--homework", action="store_true", help="one student, one seat, own pace")
    new.add_argument("--db", default=None, help=db_help)
    new.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help=f"where the app runs, for the links (default {DEFAULT_BASE_URL})",
    )
    new.add_argument(
        "--link-lang",
        choices=list(LANGUAGES),
        default=None,
        help="language the join links open in (default: each student's browser language)",
    )
    new.set_defaults(handler=_new)

    show = sub.add_parser("show", help="print a game's turn and log as JSON")
    show.add_argument("game", help="the game's id")
    show.add_argument("--db", default=None, help=db_help)
    show.set_defaults(handler=_show)


def _fail(err: GameError) -> UserError:
    return UserError(tr(err.key, **err.values))  # in the command line's language


def _new(args: argparse.Namespace) -> int:
    try:
        path = scenario_file(args.scenario)
        try:
            text = read_scenario_text(path)  # no further than the size bound
        except ScenarioError as err:
            raise GameError("game.error.scenario", message=str(err)) from err
        store = GameStore(args.db)
        try:
            new = create_game(
                store,
                text,
                [s.strip() for s in args.seats.split(",") if s.strip()],
                seed=args.seed,
                filename=str(path),
                turns=args.turns,
                turn_months=args.turn_months,
                homework=args.homework,
            )
        finally:
            store.dispose()
    except GameError as err:
        raise _fail(err) from err
    except (OSError, UnicodeDecodeError) as err:
        message = GameError("game.error.read_scenario", name=args.scenario, message=str(err))
        raise _fail(message) from err
    print(json.dumps(invitation(new, args.base_url, args.link_lang), indent=2))
    return 0


def _show(args: argparse.Namespace) -> int:
    try:
        store = GameStore(args.db)
        try:
            data = show_game(store, args.game)
        finally:
            store.dispose()
    except GameError as err:
        raise _fail(err) from err
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0
