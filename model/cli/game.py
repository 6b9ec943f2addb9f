"""``rapprochement game new|show``: set up a class's game and read its log, as JSON.

Teachers prepare a class with ``game new`` (one link per seat to send out or to print as QR
codes); scripts and other tools read a game with ``game show``. Both print JSON on stdout and
nothing else; a refused request prints one clear line on stderr and exits with status 2.

``game new`` takes its database and the links' address from the app server running on this
machine (``rapprochement app`` leaves a record of both), so that the game it prepares is the
one the server shows, at an address students can open; ``--db`` and ``--base-url`` override.
It offers what the browser's form offers: rule profiles and minutes per turn.
"""

from __future__ import annotations

import argparse
import json
import sys

from model.cli import UserError
from model.game.errors import GameError
from model.game.links import DEFAULT_BASE_URL, invitation
from model.game.setup import DEFAULT_TURN_MONTHS, MAX_DEADLINE_MINUTES, SEATS, create_game, scenario_file
from model.game.show import show_game
from model.game.store import ENV_VAR, GameStore, database_url
from model.i18n import LANGUAGES, tr
from model.scenario import ScenarioError, read_scenario_text
from model.serving import ServerRecord, is_local, running_servers


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``game`` command and its ``new`` and ``show`` subcommands."""
    game = subparsers.add_parser("game", help="classroom game: create one, show its log")
    sub = game.add_subparsers(dest="game_command", metavar="{new,show}", required=True)
    db_help = (
        f"database URL or SQLite path (default: ${ENV_VAR}, else var/games.db in the current "
        "directory); PostgreSQL as postgresql+psycopg://user@host/db"
    )
    new_db_help = (
        "database URL or SQLite path (default: the app server running on this machine, else "
        f"${ENV_VAR}, else var/games.db in the current directory)"
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
    new.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="SEAT:FIELD=VALUE[,FIELD=VALUE]",
        help="profile of a government the rules play, e.g. tokyo:stance=hawkish or "
        "seoul:camp=conservative,stance=moderate (repeat for each; default: the scenario's)",
    )
    new.add_argument(
        "--deadline",
        type=int,
        default=None,
        metavar="MINUTES",
        help=f"minutes per turn: each turn's deadline starts when it opens (1-{MAX_DEADLINE_MINUTES}; default none)",
    )
    new.add_argument("--db", default=None, help=new_db_help)
    new.add_argument(
        "--base-url",
        default=None,
        help=f"where students reach the app, for the links (default: the running server's, else {DEFAULT_BASE_URL})",
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


def parse_profiles(values: list[str]) -> dict[str, dict[str, str]]:
    """``["tokyo:stance=hawkish", ...]`` as ``{"tokyo": {"stance": "hawkish"}}``.

    Raises:
        GameError: A value that is not ``SEAT:FIELD=VALUE[,FIELD=VALUE]``.
    """
    profiles: dict[str, dict[str, str]] = {}
    for value in values:
        seat, _, fields = value.partition(":")
        pairs = [f.partition("=") for f in fields.split(",") if f.strip()]
        if not seat.strip() or not pairs or any(not k.strip() or not eq or not v.strip() for k, eq, v in pairs):
            raise GameError("game.error.profile_syntax", value=value)
        profiles.setdefault(seat.strip(), {}).update({k.strip(): v.strip() for k, _, v in pairs})
    return profiles


def the_server(db: str | None) -> ServerRecord | None:
    """The app server on this machine that a new game belongs to: the one on ``db`` if given.

    The most recently started one when there are several; None when none runs.
    """
    servers = running_servers()
    if db is not None:
        wanted = database_url(db)
        servers = [s for s in servers if s.db == wanted]
    return servers[0] if servers else None


def _new(args: argparse.Namespace) -> int:
    try:
        path = scenario_file(args.scenario)
        try:
            text = read_scenario_text(path)  # no further than the size bound
        except ScenarioError as err:
            raise GameError("game.error.scenario", message=str(err)) from err
        profiles = parse_profiles(args.profile)
        server = the_server(args.db)
        db = args.db or (server.db if server else None)
        base_url = args.base_url or (server.base_url if server else DEFAULT_BASE_URL)
        store = GameStore(db)
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
                profiles=profiles,
                deadline_minutes=args.deadline,
            )
        finally:
            store.dispose()
    except GameError as err:
        raise _fail(err) from err
    except (OSError, UnicodeDecodeError) as err:
        message = GameError("game.error.read_scenario", name=args.scenario, message=str(err))
        raise _fail(message) from err
    if server is not None and (args.db is None or args.base_url is None):
        print(tr("game.cli.using_server", url=server.base_url, db=server.db), file=sys.stderr)
    if is_local(base_url):
        print(tr("game.cli.local_links", url=base_url), file=sys.stderr)
    print(json.dumps(invitation(new, base_url, args.link_lang), indent=2))
    return 0


def _show(args: argparse.Namespace) -> int:
    try:
        store = GameStore(args.db, create=False)  # a reader: no empty database left behind
        try:
            data = show_game(store, args.game)
        finally:
            store.dispose()
    except GameError as err:
        raise _fail(err) from err
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0
