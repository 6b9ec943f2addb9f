"""What every open page of a game asks again and again, answered once per process.

A class is thirty-odd browsers on one game, each asking every few seconds "did anything
happen?". Asked of the database by every page, that is a query per page per poll, and a whole
log read and folded per page whenever something did happen. Here the process asks instead:

- :class:`LogWatch` knows where each game's log ends. It asks the database at most once per
  ``interval`` for each game, whichever page wants to know; the other pages read the answer
  from memory. A page's poll therefore costs no query at all. What this process writes
  itself (a teacher's resolve) it knows at once.
- :class:`Timelines` keeps each game's timeline (the log folded, see
  :mod:`model.game.replay`) and reads only the entries it has not seen yet. A page that knows
  the log has reached sequence number ``n`` (from the watch) gets the shared timeline without
  a query; an action that must see the latest state (a submission, a resolve) asks for the
  new entries, usually none.

The log is append-only and a writer takes sequence number ``k`` only after ``k - 1`` has been
committed (see :mod:`model.game.store`), so reading the entries after the last one seen never
misses one. Both caches are shared by all threads of a process; the timelines they hand out
are shared too, and nobody may change them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from model.game.replay import Timeline, fold
from model.game.store import APPENDED, GameStore

WATCH_SECONDS = 0.25  # how stale a page's answer may be (assumption: a held question looks four times a second)
_SIZE = 256  # games remembered per process


@dataclass
class _Seen:
    seq: int
    asked: float


class LogWatch:
    """The latest sequence number of each game's log, asked at most once per interval.

    Args:
        interval: Seconds an answer is reused before the database is asked again.
        clock: Monotonic clock (tests pass their own).
    """

    def __init__(self, interval: float = WATCH_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self.clock = clock
        self.queries = 0  # how often the database was asked (tests, benchmarks)
        self._seen: OrderedDict[tuple[str, str], _Seen] = OrderedDict()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def last_seq(self, store: GameStore, game_id: str) -> int:
        """Where the game's log ends, at most about ``interval`` seconds old.

        One thread asks the database; the others that arrive meanwhile take the last answer
        rather than ask too or wait (only the very first question of a game waits).
        """
        key = (store.url, game_id)
        with self._guard:
            seen = self._seen.get(key)
            if seen is not None and self.clock() - seen.asked < self.interval:
                return seen.seq
            lock = self._locks.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=seen is None):
            return seen.seq  # another thread is asking right now
        try:
            with self._guard:
                seen = self._seen.get(key)
                if seen is not None and self.clock() - seen.asked < self.interval:
                    return seen.seq
            seq = store.last_seq(game_id)
            with self._guard:
                self.queries += 1
                self._seen[key] = _Seen(seq, self.clock())
                self._seen.move_to_end(key)
                while len(self._seen) > _SIZE:
                    gone, _ = self._seen.popitem(last=False)
                    self._locks.pop(gone, None)
            return seq
        finally:
            lock.release()

    def note(self, store: GameStore, game_id: str, seq: int) -> None:
        """This process has just written entry ``seq`` of the game: its pages need not wait.

        The answer only moves forward and keeps its age, so other processes' writes are seen
        as soon as before.
        """
        key = (store.url, game_id)
        with self._guard:
            seen = self._seen.get(key)
            if seen is not None and seq > seen.seq:
                seen.seq = seq

    def clear(self) -> None:
        """Forget every answer (tests)."""
        with self._guard:
            self._seen.clear()
            self._locks.clear()


def page_mark(tl: Timeline) -> list:
    """What makes a game's page draw itself anew: the turn, status, branch, deadline, injected events.

    Submissions and joins do not change it: a seat's page need not redraw for them (the
    teacher's and the projector's pages count them in a part of their own). The watch route
    hands it to the pages' watch, which wakes a seat's page only when it changed (one rerun
    per resolve); a list, so that it reads the same in JSON and in Python.
    """
    return [tl.turn, tl.status, tl.branch, tl.deadline, len(tl.injects)]


class Timelines:
    """Each game's timeline, folded once per process and extended by the new entries only."""

    def __init__(self) -> None:
        self.reads = 0  # how often the log was read (tests, benchmarks)
        self._tls: OrderedDict[tuple[str, str], Timeline] = OrderedDict()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def get(
        self,
        store: GameStore,
        game_id: str,
        turns: int | None,
        turn_minutes: float | None = None,
        at_least: int | None = None,
    ) -> Timeline:
        """The game's timeline, shared: read it, never change it.

        Args:
            store: Where the game lives.
            game_id: The game.
            turns: The game's number of turns (resolving the last one ends it).
            turn_minutes: Minutes each turn has from its opening (see :func:`fold`).
            at_least: Enough if the timeline has reached this sequence number (a page that
                learnt it from :class:`LogWatch`): no query then. Without it the new entries
                are read, so the answer is as fresh as the database.
        """
        key = (store.url, game_id)
        with self._guard:
            tl = self._tls.get(key)
            if tl is not None and at_least is not None and tl.last_seq >= at_least:
                return tl
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                tl = self._tls.get(key)
            if tl is not None and at_least is not None and tl.last_seq >= at_least:
                return tl  # another thread read it while this one waited
            after = tl.last_seq if tl is not None else 0
            new = store.entries(game_id, after_seq=after)
            with self._guard:
                self.reads += 1
            if tl is None or new:
                tl = fold(new, turns, turn_minutes, start=tl)
                with self._guard:
                    self._tls[key] = tl
                    self._tls.move_to_end(key)
                    while len(self._tls) > _SIZE:
                        gone, _ = self._tls.popitem(last=False)
                        self._locks.pop(gone, None)
            return tl

    def clear(self) -> None:
        """Forget every timeline (tests; a cold start)."""
        with self._guard:
            self._tls.clear()
            self._locks.clear()


WATCH = LogWatch()
TIMELINES = Timelines()
APPENDED.append(WATCH.note)  # a teacher's resolve reaches the pages of this process without a query
