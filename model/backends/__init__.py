"""Where an ensemble's chunks run: the executor seam between run_ensemble and the machines.

A backend is a name that opens a :class:`concurrent.futures.Executor`:

- ``"local"``: in the calling process, one chunk after another (no pool, no pickling); the
  default, and what the app uses for interactive sizes.
- ``"processes"``: a pool of local worker processes, for big jobs on one machine.
- ``"dask"``: a Dask cluster through ``distributed.Client(...).get_executor()``; a scheduler
  address connects to a running cluster, no address starts a local one. Dask is an optional
  extra (``pip install 'rapprochement[dask]'``) and is imported only when asked for.

Any other engine with a standard executor (Ray has one) plugs in here without touching the
model. Results are identical on every backend because a run's random numbers depend only on the
root seed and the run's index (see ``model.rng``), never on which worker computes it.
"""

from model.backends.executors import (
    BACKENDS,
    BackendError,
    InlineExecutor,
    executor_width,
    get_executor,
    imap_ordered,
    open_executor,
)

__all__ = [
    "BACKENDS",
    "BackendError",
    "InlineExecutor",
    "executor_width",
    "get_executor",
    "imap_ordered",
    "open_executor",
]
