"""Questions held open until a game's log moves: one look per game, however many pages wait.

Every open page of a game holds a question at the app's watch route ("answer when the log goes
past what I show", see ``ui/serve.py``). Held each on its own, every question would look at the
log four times a second: a class of thirty-two pages is 128 looks a second, each a hand-off to
a worker thread, and a school's process spent about a fifth of a core on them while nothing
happened (``bench/held_questions.py``), in the same interpreter as the pages' runs. Here the
questions of one game wait together on one looker, which looks while anyone waits and wakes
them all when the log has moved; a game nobody waits on is not looked at.

Runs on the server's event loop (asyncio); the look itself, which may ask the database, runs in
a worker thread so that it never blocks the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from model.game.live import WATCH_SECONDS

LOOK_EVERY = WATCH_SECONDS  # seconds between two looks at a game while anyone waits: as fresh as the log watch


class LookFailed(RuntimeError):
    """The game's log could not be read while questions waited (the database is away)."""


class _Looker:
    """One game's looker: the last position seen, and the questions waiting for a later one."""

    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.error: BaseException | None = None  # the last look failed (the database is away)
        self.waiting = 0
        self.moved = asyncio.Condition()
        self.task: asyncio.Task | None = None


class HeldQuestions:
    """Where held questions wait, per game, in one process.

    Args:
        look: ``look(game_id) -> seq``, where the game's log ends now (blocking; run in a
            worker thread). It may raise; the questions waiting then raise :class:`LookFailed`.
        every: Seconds between two looks while anyone waits.
    """

    def __init__(self, look: Callable[[str], int], every: float = LOOK_EVERY) -> None:
        self.look = look
        self.every = every
        self.looks = 0  # how often a game was looked at (tests, benchmarks)
        self._games: dict[str, _Looker] = {}

    async def wait_past(self, game_id: str, seq: int, after: int, timeout: float) -> int:
        """Where the game's log ends, once it is past ``after`` or ``timeout`` seconds have gone.

        ``seq`` is where the question's own look on arrival found the log (the route looks once
        to check the question's code: what this process has just written is answered at once);
        then the question waits on the game's looker with the others.
        """
        looker = self._games.get(game_id)
        if looker is None:  # nobody waits on the game: a looker only for a question that will wait
            if seq > after or timeout <= 0:
                return seq
            looker = self._games[game_id] = _Looker(seq)
        else:
            looker.error = None
            await self._advance(looker, seq)  # a move this question saw first wakes the others too
            if looker.seq > after or timeout <= 0:
                return looker.seq
        looker.waiting += 1
        try:
            if looker.task is None:
                looker.task = asyncio.create_task(self._keep_looking(game_id, looker))
            async with looker.moved:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        looker.moved.wait_for(lambda: looker.seq > after or looker.error is not None), timeout
                    )
            if looker.seq <= after and looker.error is not None:
                raise LookFailed(str(looker.error)) from looker.error
            return looker.seq
        finally:
            looker.waiting -= 1

    async def _look(self, game_id: str) -> int:
        self.looks += 1
        return await asyncio.to_thread(self.look, game_id)

    @staticmethod
    async def _advance(looker: _Looker, seq: int) -> None:
        """The log was seen at ``seq``: if that is a move, every waiting question hears it.

        The move is recorded only with the lock held, together with the wake-up: a question
        cancelled while it waits for the lock leaves the move for the looker to see and announce.
        """
        if seq <= looker.seq:
            return
        async with looker.moved:
            if seq > looker.seq:
                looker.seq = seq
                looker.moved.notify_all()

    async def _keep_looking(self, game_id: str, looker: _Looker) -> None:
        """Look every ``every`` seconds while anyone waits; wake them all when the log moved."""
        try:
            while looker.waiting > 0:
                await asyncio.sleep(self.every)
                try:
                    seq = await self._look(game_id)
                except Exception as err:  # the waiting questions answer with it, not after their wait
                    looker.error = err
                    async with looker.moved:
                        looker.moved.notify_all()
                else:
                    looker.error = None
                    await self._advance(looker, seq)
        finally:
            looker.task = None
            if looker.waiting == 0 and self._games.get(game_id) is looker:
                del self._games[game_id]
