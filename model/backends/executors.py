"""Open an executor by backend name, and stream results through it in submission order."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any

from model.i18n import tr

BACKENDS = ("local", "processes", "dask")


class BackendError(RuntimeError):
    """A backend cannot be opened (unknown name, missing extra, unreachable scheduler)."""


class InlineExecutor(Executor):
    """Runs each submitted call at once in the calling thread.

    The "local" backend: no pool, no pickling, no start-up cost, so a 200-run ensemble for the
    explorer pays nothing for the seam. Exceptions are stored in the future like any executor's.
    """

    def submit[R](self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        """Call ``fn(*args, **kwargs)`` now and return its completed future."""
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """Worker processes to use when the caller does not say: the CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def open_executor(
    backend: str = "local", scheduler: str | None = None, workers: int | None = None
) -> Iterator[Executor]:
    """Open the executor for a backend and close it (and any cluster it started) afterwards.

    Args:
        backend: ``"local"``, ``"processes"`` or ``"dask"``.
        scheduler: Dask scheduler address (``tcp://host:8786``); ``None`` starts a local cluster.
            Only meaningful with ``backend="dask"``.
        workers: Worker processes for ``"processes"`` or a local Dask cluster (default: CPUs).

    Yields:
        A :class:`concurrent.futures.Executor`.

    Raises:
        BackendError: Unknown backend, Dask not installed, or the scheduler cannot be reached.
    """
    if backend not in BACKENDS:
        raise BackendError(tr("backend.unknown", name=backend, known=", ".join(BACKENDS)))
    if scheduler is not None and backend != "dask":
        raise BackendError(tr("backend.scheduler_without_dask", backend=backend))
    if workers is not None and workers < 1:
        raise BackendError(tr("backend.bad_workers", workers=workers))
    if backend == "local":
        with InlineExecutor() as executor:
            yield executor
    elif backend == "processes":
        # forkserver, not fork: forking a threaded process (Streamlit, Dask) can deadlock and
        # Python 3.12 warns about it; not spawn, which re-runs a Streamlit page's __main__.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers or default_workers(), mp_context=context) as executor:
            yield executor
    else:
        from model.backends.dask_cluster import open_dask_executor

        with open_dask_executor(scheduler, workers) as executor:
            yield executor


def get_executor(
    backend: str, scheduler: str | None = None, workers: int | None = None
) -> tuple[Executor, Callable[[], None]]:
    """:func:`open_executor` for callers that cannot use a ``with`` block.

    Returns:
        The executor and the function that closes it (and any cluster it started).
    """
    stack = ExitStack()
    executor = stack.enter_context(open_executor(backend, scheduler, workers))
    return executor, stack.close


def executor_width(executor: Executor) -> int:
    """How many calls the executor runs at once (1 for the inline executor)."""
    if isinstance(executor, InlineExecutor):
        return 1
    if isinstance(executor, ProcessPoolExecutor):
        return executor._max_workers  # noqa: SLF001 - the pool's public size is not exposed
    client = getattr(executor, "_client", None)
    if client is not None:  # a Dask ClientExecutor: the cluster's total threads
        return max(1, sum(client.nthreads().values()))
    return default_workers()


def imap_ordered[R](
    executor: Executor,
    fn: Callable[..., R],
    argsets: Iterable[tuple],
    window: int | None = None,
) -> Iterator[R]:
    """Yield ``fn(*args)`` for each args tuple in order, with at most ``window`` calls in flight.

    Unlike ``Executor.map``, which submits everything at once and keeps every result until it
    is consumed, the window bounds memory: a 100,000-run ensemble streamed to Parquet holds only
    a few chunks at a time, whichever backend computes them.

    Args:
        executor: Where the calls run.
        fn: A picklable function (a module-level function for process backends).
        argsets: Its arguments, one tuple per call; read lazily, so a generator is fine.
        window: Calls in flight (default: twice the executor's width, so workers never idle).
    """
    window = window or 2 * executor_width(executor)
    pending: deque[Future[R]] = deque()
    try:
        for args in argsets:
            pending.append(executor.submit(fn, *args))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:  # stopped early (error or consumer gave up): drop the rest
            future.cancel()
