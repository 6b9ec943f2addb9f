"""What a run request costs, checked before it starts, and a queue for heavy work on a server.

Why: one class server (2 cores) serves the explorer and the classroom game at once. A request
to simulate is priced in run-months (runs x months, the effects ledger counted
``LEDGER_COST`` times, a sensitivity screen's every sample) and refused before it starts when
it exceeds the budget of :mod:`model.limits`, with the largest size that would fit, so the
message can say what to reduce. A request within budget still waits for one of
``HEAVY_SLOTS`` slots: however many students press Run, at most that many ensembles compute at
once and the game pages, which never take a slot, keep the rest of the machine.

The slots are lock files (``fcntl.flock``) in one folder per installation, so several app
processes serving one school share them; where ``fcntl`` is missing a per-process semaphore
stands in.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from model import limits

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux or macOS
    fcntl = None  # type: ignore[assignment]

ENV_DIR = "RAPPROCHEMENT_HEAVY_DIR"
ENV_SLOTS = "RAPPROCHEMENT_HEAVY_SLOTS"
POLL_SECONDS = 0.25


class TooCostly(ValueError):
    """A request over its budget, with what would fit.

    Attributes:
        key: Translation key of the message.
        values: Its placeholders (the request's size and the largest that fits).
    """

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(f"{key}: {values}")
        self.key = key
        self.values = values


class Busy(RuntimeError):
    """No heavy-work slot came free within the wait (the server is busy)."""


def ledger_runs(runs: int, months: int) -> int:
    """How many of the first runs the effects ledger covers (all of them when small)."""
    return max(1, min(runs, limits.LEDGER_RUN_MONTHS // max(months, 1)))


def ensemble_cost(runs: int, months: int, ledger: bool = False) -> int:
    """Run-months of an ensemble, its ledger runs counted ``LEDGER_COST`` times."""
    cost = runs * months
    if ledger:
        cost += limits.LEDGER_COST * ledger_runs(runs, months) * months
    return cost


def check_ensemble(runs: int, months: int, ledger: bool = False) -> int:
    """The cost of an ensemble request, or :class:`TooCostly` saying how many runs would fit.

    The ledger never makes a request too costly: it covers only the first runs
    (:func:`ledger_runs`), which bounds its share.
    """
    if runs * months > limits.MAX_RUN_MONTHS:
        raise TooCostly(
            "cost.ensemble",
            runs=runs,
            months=months,
            most_runs=max(1, limits.MAX_RUN_MONTHS // max(months, 1)),
            most_months=limits.MAX_RUN_MONTHS // max(runs, 1),
        )
    return ensemble_cost(runs, months, ledger)


def check_screen(samples: int, replicates: int, months: int) -> int:
    """The cost of a sensitivity screen (``samples`` parameter points of ``replicates`` runs).

    Raises:
        TooCostly: with the longest scenario the screen would fit.
    """
    cost = samples * replicates * months
    if cost > limits.MAX_SCREEN_RUN_MONTHS:
        raise TooCostly(
            "cost.screen",
            runs=samples * replicates,
            months=months,
            most_months=max(1, limits.MAX_SCREEN_RUN_MONTHS // max(samples * replicates, 1)),
        )
    return cost


def screen_replicates(settings: int, months: int, most: int) -> int:
    """Runs per setting of a one-at-a-time screen of ``settings`` settings within its budget.

    The rule: ``most`` runs per setting when the first pass fits the budget; for a scenario too
    long for that, as many as fit, never fewer than :data:`model.limits.MIN_SCREEN_REPLICATES`
    (nor more than ``most``). Fewer runs widen the whiskers by ``sqrt(most / replicates)``; the
    ranking's method is unchanged.

    Raises:
        TooCostly: when even the floor does not fit (with the longest scenario that would).
    """
    fit = limits.MAX_SCREEN_RUN_MONTHS // max(settings * months, 1)
    replicates = max(min(most, limits.MIN_SCREEN_REPLICATES), min(most, fit))
    check_screen(settings, replicates, months)
    return replicates


def screen_runs(months: int) -> int:
    """Most runs a sensitivity screen of a ``months``-long scenario may make in all (its budget).

    The screen's first pass is checked by :func:`check_screen` before it starts; the tornado's
    refinement (more runs where the ranking is in doubt) spends at most what is left of this.
    """
    return limits.MAX_SCREEN_RUN_MONTHS // max(months, 1)


def _default_dir() -> Path:
    """One folder per installation (so its app processes share slots), in the temp folder."""
    root = str(Path(__file__).resolve().parent.parent)
    tag = hashlib.sha256(f"{root}|{os.getuid() if hasattr(os, 'getuid') else 0}".encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"rapprochement-heavy-{tag}"


class HeavyGate:
    """At most ``slots`` heavy jobs at once, across the processes that share ``directory``.

    Args:
        slots: How many jobs may run at once (default: ``$RAPPROCHEMENT_HEAVY_SLOTS``, else
            ``HEAVY_SLOTS``).
        directory: Where the slots' lock files live (default: ``$RAPPROCHEMENT_HEAVY_DIR``, else
            a folder per installation in the temp folder).
    """

    def __init__(self, slots: int | None = None, directory: Path | None = None) -> None:
        if slots is None:  # a bigger server may allow more (a deployment setting, not a limit)
            slots = int(os.environ.get(ENV_SLOTS) or limits.HEAVY_SLOTS)
        self.slots = max(1, int(slots))
        env = os.environ.get(ENV_DIR)
        self.directory = Path(directory or env or _default_dir())
        self._local = threading.BoundedSemaphore(self.slots)  # where fcntl is missing

    @contextmanager
    def slot(self, wait: float | None = None, waiting: Callable[[float], None] | None = None) -> Iterator[None]:
        """Hold a slot for the block; wait for one, calling ``waiting(seconds_waited)`` meanwhile.

        Args:
            wait: Longest wait in seconds (default ``HEAVY_WAIT_SECONDS``).
            waiting: Called about four times a second while waiting.

        Raises:
            Busy: No slot came free within ``wait`` seconds.
        """
        wait = limits.HEAVY_WAIT_SECONDS if wait is None else wait
        if fcntl is None:  # pragma: no cover
            if not self._local.acquire(timeout=wait):
                raise Busy()
            try:
                yield
            finally:
                self._local.release()
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        while True:
            fd = self._try_any()
            if fd is not None:
                break
            waited = time.monotonic() - started
            if waited >= wait:
                raise Busy()
            if waiting is not None:
                waiting(waited)
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _try_any(self) -> int | None:
        """Take the first free slot's lock; its file descriptor, or None if all are held."""
        for i in range(self.slots):
            fd = os.open(self.directory / f"slot-{i}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd
        return None

    def busy(self) -> int:
        """How many slots are held now (for a status line; racy by nature)."""
        if fcntl is None:  # pragma: no cover
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        held = 0
        for i in range(self.slots):
            fd = os.open(self.directory / f"slot-{i}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                held += 1
            finally:
                os.close(fd)
        return held
