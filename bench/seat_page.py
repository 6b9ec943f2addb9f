"""What the one-seat-page benches share: the game, the teacher's page and the seat's browser.

The game is written to the store the server reads; the seat page runs in a Chromium of its own
(a student's laptop) whose CPU is counted apart from the teacher's.

Why one module: ``seat_page_cost.py`` (counters) and ``seat_page_trace.py`` (a trace and a
profile) must measure the same setting, or their figures cannot be read side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from bench.serving import cpu_seconds, descendants
from model.game.setup import create_game, scenario_file
from model.game.store import GameStore
from model.i18n import tr
from tests.support.app_server import AppServer
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

SEATS = ["seoul", "tokyo", "washington", "kr_public", "jp_public"]


def beside_one_server[T](run: Callable[[str, str], T]) -> T:
    """``run(url, db_url)`` beside one app server on a fresh SQLite store, both removed after."""
    with tempfile.TemporaryDirectory(prefix="rapprochement-bench-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'games.db'}"
        server = AppServer(db_url=db_url, env={"RAPPROCHEMENT_STATE_DIR": str(Path(tmp) / "state")})
        server.start(timeout=120)
        try:
            return run(server.url, db_url)
        finally:
            server.close()


def per_resolve[T](description: str, measure: Callable[[str, str, int, float], Awaitable[T]], settle_help: str) -> T:
    """Parse ``--turns`` and ``--settle`` and run ``measure(url, db_url, turns, settle)`` beside one server."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--settle", type=float, default=6.0, help=settle_help)
    args = parser.parse_args()
    return beside_one_server(lambda url, db_url: asyncio.run(measure(url, db_url, args.turns, args.settle)))


def later_medians(rows: Sequence[Sequence[float]]) -> list[float] | None:
    """Each column's median over the resolves after the first (which pays one-off costs), if there are two."""
    if len(rows) <= 2:
        return None
    return [statistics.median(col) for col in zip(*rows[1:], strict=True)]


def create_seat_game(db_url: str, turns: int):
    """A baseline game for the five seats, written to the store the server reads."""
    store = GameStore(db_url)
    try:
        return create_game(store, scenario_file("baseline-2026").read_text(encoding="utf-8"), SEATS,
                           seed=3, turns=turns)
    finally:
        store.dispose()


@asynccontextmanager
async def teacher_and_seat_browser(pw, url: str, game) -> AsyncIterator[tuple[object, object, Callable[[], float]]]:
    """Yield the teacher's page (open), the seat's own Chromium and its CPU seconds so far."""
    browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    own = None
    try:
        teacher = await (await browser.new_context()).new_page()
        await teacher.goto(f"{url}/instructor?game={game.id}&code={game.instructor_code}")
        others = set(descendants(os.getpid()))
        own = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def seat_browser_cpu() -> float:
            return cpu_seconds([p for p in descendants(os.getpid()) if p not in others])

        yield teacher, own, seat_browser_cpu
    finally:
        if own is not None:
            await own.close()
        await browser.close()


async def require_turn_shown(seat, turn: int, turns: int, resolve: int, settle: float) -> None:
    """Stop the bench if the seat page does not show ``turn`` (checked once, after the settle)."""
    shown = tr("game.common.turn_of", turn=turn, turns=turns)
    if not await seat.evaluate("(t) => document.body.textContent.includes(t)", shown):
        raise SystemExit(f"resolve {resolve}: the seat page did not show the new turn within {settle} s")
