"""The app as ``rapprochement app`` serves it: the Streamlit pages, and the route their watch asks.

Every open page of a game asks once a second where the game's log ends (the watch component,
``ui/components/watch``). Asked through Streamlit, each question would be a script run on the
server and a redraw in the browser; here it is one small HTTP route, answered from the
process's log watch (:mod:`model.game.live`: the database is asked at most once a second per
game, whoever asks). Only when the answer moves does the page run anything.

``streamlit run ui/serve.py`` finds ``app`` (an ``st.App``) and serves ``ui/app.py`` with the
route beside it. The route needs a code of the game: it says nothing about a game to someone
who could not open its pages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from model.game.errors import GameError  # noqa: E402
from model.game.live import WATCH  # noqa: E402
from model.game.store import ENV_VAR, shared_store  # noqa: E402

WATCH_PATH = "/_rapprochement/watch/{game}"  # ui/game_views.WATCH_ROUTE, from the root


def last_seq(game_id: str, code: str) -> int:
    """Where a game's log ends, for someone holding one of its codes.

    Raises:
        GameError: No such game, or a code that opens nothing in it.
    """
    store = shared_store(os.environ.get(ENV_VAR) or None)
    store.role_of(game_id, code)  # the game's row and digests are remembered: no query after the first
    return WATCH.last_seq(store, game_id)


async def watch(request: Request) -> JSONResponse:
    """``GET /_rapprochement/watch/GAME?code=C`` -> ``{"seq": N}`` (never cached)."""
    headers = {"Cache-Control": "no-store"}
    try:
        seq = await run_in_threadpool(last_seq, request.path_params["game"], request.query_params.get("code", ""))
    except GameError as err:
        return JSONResponse({"error": err.key}, status_code=404, headers=headers)
    except Exception:  # the database is briefly unreachable: the page keeps what it shows
        return JSONResponse({"error": "unavailable"}, status_code=503, headers=headers)
    return JSONResponse({"seq": seq}, headers=headers)


app = st.App("app.py", routes=[Route(WATCH_PATH, watch)])
