"""The Dask backend: a ``distributed.Client`` executor on a running or a local cluster.

Imported only when the ``dask`` backend is asked for, so the package runs without the extra.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import ExitStack, contextmanager

from model.backends.executors import BackendError, default_workers
from model.i18n import tr

CONNECT_TIMEOUT = "10s"


def _distributed():  # noqa: ANN202 - returns the module
    """Import ``distributed`` or explain how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise BackendError(tr("backend.dask_missing")) from exc
    return distributed


@contextmanager
def open_dask_executor(scheduler: str | None, workers: int | None) -> Iterator[Executor]:
    """Connect to ``scheduler`` (or start a local cluster) and yield the client's executor.

    Tasks are submitted with ``pure=False``: every chunk is distinct work, and hashing the
    scenario to deduplicate tasks would cost time for nothing.

    Args:
        scheduler: Address such as ``tcp://10.0.0.5:8786``, or ``None`` for a local cluster.
        workers: Worker processes of a local cluster (default: CPUs); ignored with an address.

    Raises:
        BackendError: Dask missing, or the scheduler did not answer within the timeout.
    """
    distributed = _distributed()
    with ExitStack() as stack:
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            stack.callback(cluster.close)
            client = distributed.Client(cluster)
        else:
            try:
                client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise BackendError(tr("backend.dask_unreachable", address=scheduler, reason=str(exc))) from exc
        stack.callback(client.close)
        executor = client.get_executor(pure=False)
        yield executor
