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

from model.cli import UserError, http_address, seed
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
    game = subparsers.add_parser("game", help=tr("cli.help.game"))
    sub = game.add_subparsers(dest="game_command", metavar="{new,show}", required=True)

    new = sub.add_parser("new", help=tr("cli.help.game_new"))
    new.add_argument("scenario", help=tr("cli.help.game_scenario"))
    new.add_argument("--seats", default=",".join(SEATS), help=tr("cli.help.seats", seats=",".join(SEATS)))
    new.add_argument("--turns", type=int, default=None, help=tr("cli.help.turns"))
    new.add_argument(
        "--turn-months",
        type=int,
        default=DEFAULT_TURN_MONTHS,
        help=tr("cli.help.turn_months", default=DEFAULT_TURN_MONTHS),
    )
    new.add_argument("--seed", type=seed, default=None, help=tr("cli.help.game_seed"))
    new.add_argument("--homework", action="store_true", help=tr("cli.help.homework"))
    new.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="SEAT:FIELD=VALUE[,FIELD=VALUE]",
        help=tr("cli.help.profile"),
    )
    new.add_argument(
        "--deadline",
        type=int,
        default=None,
        metavar="MINUTES",
        help=tr("cli.help.deadline", most=MAX_DEADLINE_MINUTES),
    )
    new.add_argument("--db", default=None, help=tr("cli.help.game_new_db", env=ENV_VAR))
    new.add_argument("--base-url", type=http_address, default=None,
                     help=tr("cli.help.game_base_url", url=DEFAULT_BASE_URL))
    new.add_argument("--link-lang", choices=list(LANGUAGES), default=None, help=tr("cli.help.link_lang"))
    new.set_defaults(handler=_new)

    show = sub.add_parser("show", help=tr("cli.help.game_show"))
    show.add_argument("game", help=tr("cli.help.game_id"))
    show.add_argument("--db", default=None, help=tr("cli.help.game_db", env=ENV_VAR))
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
