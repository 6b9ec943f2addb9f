"""The app as ``rapprochement app`` serves it: the Streamlit pages, and the route their watch asks.

Every open page of a game wants to know at once when the game's log moves (the watch
component, ``ui/components/watch``). Asked through Streamlit, each question would be a script
run on the server and a redraw in the browser; here it is one small HTTP route that holds the
question open (a long poll). The questions of one game wait together (:mod:`model.game.held`):
one looker per game looks at the process's log watch (:mod:`model.game.live`: the database is
asked at most four times a second per game, whoever asks) every quarter second while anyone
waits, and answers them all as soon as the log has moved past what they show, or each after
its ``wait`` seconds anyway. While nothing happens a page costs one open request; when something happens it
learns within about half a second, and only then runs anything.

``streamlit run ui/serve.py`` finds ``app`` (an ``st.App``) and serves ``ui/app.py`` with the
route beside it. The route needs a code of the game: it says nothing about a game to someone
who could not open its pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from model.game.engine import Game  # noqa: E402
from model.game.errors import GameError  # noqa: E402
from model.game.held import HeldQuestions  # noqa: E402
from model.game.live import WATCH, page_mark  # noqa: E402
from model.game.setup import SEATS  # noqa: E402
from model.game.store import ENV_VAR, GameStore, shared_store  # noqa: E402
from model.i18n import DEFAULT_LANGUAGE, DEFAULT_PLACES, LANGUAGES, PLACE_SETTINGS  # noqa: E402

LOG = logging.getLogger(__name__)
WATCH_PATH = "/_rapprochement/watch/{game}"  # ui/game_views.WATCH_ROUTE, from the root
SEAT_PATH = "/_rapprochement/seat/{game}"  # ui/seat_page.SEAT_ROUTE, from the root
MAX_WAIT = 25.0  # seconds a question is held open at most (proxies close idle requests later)


def last_seq(game_id: str, code: str) -> int:
    """Where a game's log ends, for someone holding one of its codes.

    Raises:
        GameError: No such game, or a code that opens nothing in it.
    """
    _store().role_of(game_id, code)  # the game's row and digests are remembered: no query after the first
    return _last_seq_of(game_id)


def _store() -> GameStore:
    """The process's store of games (``rapprochement app --db`` sets it), shared with the pages."""
    return shared_store(os.environ.get(ENV_VAR) or None)


def _last_seq_of(game_id: str) -> int:
    """Where the game's log ends (the held questions' look: their code was checked on arrival)."""
    return WATCH.last_seq(_store(), game_id)


HELD = HeldQuestions(_last_seq_of)
"""The process's held questions: one look at each game four times a second, however many wait."""


def position(game_id: str, seq: int) -> list:
    """The game's :func:`~model.game.live.page_mark` once its log has reached ``seq``.

    The process's shared timeline: read from the database once per new entry, whoever asks.
    """
    return page_mark(Game(_store(), game_id).timeline(at_least=seq))


async def _until_disconnected(request: Request) -> None:
    """Return when the asker has gone (a GET's one message read, the next is the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def unless_gone[T](request: Request, waiting: Coroutine[Any, Any, T]) -> T | None:
    """``await waiting``, unless the asker goes away first: then it is cancelled and None returned.

    The server does not cancel a request whose client has gone; a question left waiting would
    keep its game looked at for its whole wait.
    """
    answer = asyncio.ensure_future(waiting)
    gone = asyncio.ensure_future(_until_disconnected(request))
    try:
        await asyncio.wait({answer, gone}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # the server stops
        answer.cancel()
        raise
    finally:
        gone.cancel()
    if answer.done():
        return answer.result()
    answer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await answer
    return None


async def watch(request: Request) -> JSONResponse:
    """``GET /_rapprochement/watch/GAME?code=C[&after=N&wait=S]`` -> ``{"seq": N, "mark": M}`` (never cached).

    ``mark`` is what the page shows of the game's position (:func:`~model.game.live.page_mark`):
    a seat's page wakes only when it changed. With ``after``, the answer waits (up to ``wait``
    seconds, at most :data:`MAX_WAIT`) until the log has gone past ``after``.
    """
    headers = {"Cache-Control": "no-store"}
    game, code = request.path_params["game"], request.query_params.get("code", "")
    try:
        after = int(request.query_params.get("after", "-1"))
        wait = min(max(float(request.query_params.get("wait", "0")), 0.0), MAX_WAIT)
    except ValueError:
        return JSONResponse({"error": "bad request"}, status_code=400, headers=headers)
    try:
        seq = await run_in_threadpool(last_seq, game, code)  # and the code opens the game
        seq = await unless_gone(request, HELD.wait_past(game, seq, after, wait))
        if seq is None:  # the page went away (a tab put away, a reload): nobody reads an answer
            return Response(status_code=204, headers=headers)
        mark = await run_in_threadpool(position, game, seq)
        return JSONResponse({"seq": seq, "mark": mark}, headers=headers)
    except GameError as err:
        return JSONResponse({"error": err.key}, status_code=404, headers=headers)
    except Exception:  # the database is briefly unreachable: the page keeps what it shows
        return JSONResponse({"error": "unavailable"}, status_code=503, headers=headers)


def seat_shown(game_id: str, code: str, lang: str, places: str, at_least: int) -> dict:
    """The seat's page at the game's present position and its clock (:func:`ui.seat_page.shown`).

    Raises:
        GameError: No such game, or a code that opens no seat of it.
    """
    from ui import seat_page  # the pages' module: imported once the app runs

    game = Game(_store(), game_id)
    seat = game.role(code)
    if seat not in SEATS:
        raise GameError("game.error.not_a_seat")
    return seat_page.shown(game, code, seat, lang, places, at_least=at_least).data()


async def seat(request: Request) -> JSONResponse:
    """``GET /_rapprochement/seat/GAME?code=C&lang=L&places=P[&at_least=N]`` -> the seat's page (never cached).

    ``{"seq", "mark", "html", "left"}``: the HTML its component swaps in (built once for every
    page of the seat at that point of the game), and the seconds to the turn's deadline.
    """
    headers = {"Cache-Control": "no-store"}
    query = request.query_params
    lang = query.get("lang", DEFAULT_LANGUAGE)
    places = query.get("places", DEFAULT_PLACES)
    try:
        at_least = int(query.get("at_least", "-1"))
    except ValueError:
        at_least = None
    if at_least is None or lang not in LANGUAGES or places not in PLACE_SETTINGS:
        return JSONResponse({"error": "bad request"}, status_code=400, headers=headers)
    try:
        shown = await run_in_threadpool(seat_shown, request.path_params["game"], query.get("code", ""), lang,
                                        places, at_least)
        return JSONResponse(shown, headers=headers)
    except GameError as err:
        return JSONResponse({"error": err.key}, status_code=404, headers=headers)
    except Exception:  # the database is briefly unreachable: the page keeps what it shows
        LOG.exception("the seat's page could not be built")
        return JSONResponse({"error": "unavailable"}, status_code=503, headers=headers)


app = st.App("app.py", routes=[Route(WATCH_PATH, watch), Route(SEAT_PATH, seat)])
