"""The one way to run ensembles: N replicates of a scenario as a tidy table.

Runs are split into chunks; each chunk is one :class:`RelationsModel` stepping its runs as an
array dimension. Because run ``i`` draws from its own stream (see ``model/rng.py``), the
chunking, the process and the machine do not change any number: the local backend and a Dask
cluster give identical tables for the same seed. The command line, the app, the benchmarks and
the tests all come through :func:`run_ensemble` or :func:`iter_chunks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.ledger import Entry as LedgerEntry
from model.ledger import Ledger
from model.model import Occurrence, RelationsModel
from model.scenario import Scenario
from model.state import OUTPUT_VARIABLES

DEFAULT_CHUNK = 2000
Progress = Callable[[int, int], None]  # (runs done, runs in all)


@dataclass
class Chunk:
    """The output of one batch of runs: values (months, variables, runs) and, if asked, causes."""

    first: int
    values: np.ndarray
    ledger: Ledger | None = None
    occurrences: list[Occurrence] = field(default_factory=list)


def simulate_chunk(
    scenario: Scenario,
    seed: int,
    first: int,
    count: int,
    ledger: bool = False,
    parameters: dict | None = None,
    stream_ids: np.ndarray | None = None,
    uncertainty: str = "posterior",
) -> Chunk:
    """Run ``count`` runs starting at run index ``first`` (a picklable worker function)."""
    model = RelationsModel(
        scenario, runs=count, seed=seed, run_offset=first, ledger=ledger, parameters=parameters,
        stream_ids=stream_ids, uncertainty=uncertainty,
    )
    model.run()
    return Chunk(
        first,
        model.values(),
        model.ledger if ledger else None,
        model.occurrences,
    )


def _slice_parameters(parameters: dict | None, first: int, count: int) -> dict | None:
    """Per-run parameter arrays cut to a chunk; scalars pass through."""
    if not parameters:
        return parameters
    return {
        k: (v[first : first + count] if isinstance(v, np.ndarray) and v.ndim else v)
        for k, v in parameters.items()
    }


def _slice(ids: np.ndarray | None, first: int, count: int) -> np.ndarray | None:
    """A per-run array cut to a chunk (None stays None)."""
    return None if ids is None else np.asarray(ids)[first : first + count]


def chunk_bounds(runs: int, chunk_size: int) -> list[tuple[int, int]]:
    """(first, count) of each chunk."""
    return [(f, min(chunk_size, runs - f)) for f in range(0, runs, chunk_size)]


def iter_chunks(
    scenario: Scenario,
    runs: int,
    seed: int,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Executor | None = None,
    ledger: bool = False,
    parameters: dict | None = None,
    progress: Progress | None = None,
    stream_ids: np.ndarray | None = None,
    uncertainty: str = "posterior",
) -> Iterator[Chunk]:
    """Yield chunks in run order, computed in-process or on ``executor``.

    ``stream_ids`` (optional, one per run) names the run whose random stream each run draws,
    for common random numbers across parameter samples (see ``RelationsModel``).
    ``uncertainty`` is "posterior" (each run draws the calibrated coefficients) or "point".
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    bounds = chunk_bounds(runs, chunk_size)
    done = 0
    if executor is None:
        for first, count in bounds:
            chunk = simulate_chunk(
                scenario, seed, first, count, ledger, _slice_parameters(parameters, first, count),
                _slice(stream_ids, first, count), uncertainty,
            )
            done += count
            if progress:
                progress(done, runs)
            yield chunk
        return
    from model.backends import imap_ordered

    # A few chunks in flight at a time (not all submitted at once): memory stays bounded by
    # the window whatever the number of runs, on a process pool as on a Dask cluster.
    jobs = (
        (scenario, seed, first, count, ledger, _slice_parameters(parameters, first, count),
         _slice(stream_ids, first, count), uncertainty)
        for first, count in bounds
    )
    for chunk in imap_ordered(executor, simulate_chunk, jobs):
        done += chunk.values.shape[2]
        if progress:
            progress(done, runs)
        yield chunk


def tidy(values: np.ndarray, months: list[str], first_run: int = 0) -> pd.DataFrame:
    """(months, variables, runs) array -> long table with columns run, month, variable, value."""
    n_t, n_v, n_r = values.shape
    data = np.ascontiguousarray(values.transpose(2, 0, 1)).reshape(-1)
    run = np.repeat(np.arange(first_run, first_run + n_r, dtype=np.int64), n_t * n_v)
    month = pd.Categorical.from_codes(
        np.tile(np.repeat(np.arange(n_t, dtype=np.int32), n_v), n_r), categories=months
    )
    variable = pd.Categorical.from_codes(
        np.tile(np.arange(n_v, dtype=np.int32), n_t * n_r), categories=list(OUTPUT_VARIABLES)
    )
    # np.round(x, 4) is x * 1e4, rint, / 1e4; done in place it is the same bits, 15x faster.
    value = data.astype(np.float64)
    value *= 1e4
    np.rint(value, out=value)
    value /= 1e4
    return pd.DataFrame({"run": run, "month": month, "variable": variable, "value": value}, copy=False)


@dataclass
class EnsembleResult:
    """What an ensemble produced: the values array, the months, and optionally the causes."""

    scenario: Scenario
    seed: int
    values: np.ndarray  # (months, variables, runs)
    ledger: Ledger | None
    occurrences: list[Occurrence]
    uncertainty: str = "posterior"

    @property
    def months(self) -> list[str]:
        """Calendar labels of the rows of ``values``."""
        return self.scenario.months

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.values.shape[2]

    @property
    def table(self) -> pd.DataFrame:
        """Tidy table: run, month, variable, value."""
        return tidy(self.values, self.months)

    def series(self, variable: str) -> np.ndarray:
        """One variable, shape (months, runs)."""
        return self.values[:, OUTPUT_VARIABLES.index(variable), :].astype(np.float64)

    def quantiles(self, qs: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> pd.DataFrame:
        """Per month and variable, the quantiles over runs (columns q05, q25, ...)."""
        q = np.quantile(self.values.astype(np.float64), qs, axis=2)  # (q, months, variables)
        frames = []
        for i, var in enumerate(OUTPUT_VARIABLES):
            df = pd.DataFrame({"month": self.months, "variable": var})
            for j, level in enumerate(qs):
                df[f"q{round(level * 100):02d}"] = q[j, :, i]
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def ledger_frame(self) -> pd.DataFrame:
        """Mean change per month, cause, actor and variable (needs ``ledger=True``)."""
        if self.ledger is None:
            raise ValueError("this ensemble was run without the ledger (ledger=True)")
        return self.ledger.frame(self.months)

    def events_frame(self) -> pd.DataFrame:
        """Events and decisions that happened: month, kind, id, actor, share of runs."""
        rows = [
            (self.months[o.t], o.kind, o.id, o.actor, o.runs / self.runs) for o in self.occurrences
        ]
        df = pd.DataFrame(rows, columns=["month", "kind", "id", "actor", "share"])
        return df.groupby(["month", "kind", "id", "actor"], as_index=False)["share"].sum()


def _merge_ledgers(chunks: list[Chunk]) -> Ledger | None:
    """One ledger for the ensemble, keyed by (month, cause, actor, variable).

    A chunk records a line only where its code path ran: a boycott's line exists only in
    chunks where some run had a boycott. So lines are summed per key within each chunk (in
    the order recorded, elementwise per run, hence the same numbers whatever the chunk), a
    chunk without a key contributes zeros for its runs, and the keys come out sorted: the
    merged ledger is the same, byte for byte, for any chunk size.
    """
    if chunks[0].ledger is None:
        return None
    sizes = [c.values.shape[2] for c in chunks]
    total = sum(sizes)
    merged: dict[tuple[int, str, str, str], np.ndarray] = {}
    offset = 0
    for chunk, size in zip(chunks, sizes, strict=True):
        own: dict[tuple[int, str, str, str], np.ndarray] = {}
        for e in chunk.ledger.entries:
            key = (e.t, e.cause, e.actor, e.variable)
            delta = np.broadcast_to(np.asarray(e.delta, dtype=np.float64), (size,))
            own[key] = own[key] + delta if key in own else delta.copy()
        for key, delta in own.items():
            if key not in merged:
                merged[key] = np.zeros(total)
            merged[key][offset : offset + size] = delta
        offset += size
    ledger = Ledger(enabled=True, composites=dict(chunks[0].ledger.composites))
    ledger.entries = [LedgerEntry(*key, merged[key]) for key in sorted(merged)]
    return ledger


def run_ensemble(
    scenario: Scenario,
    runs: int = 100,
    seed: int = 0,
    *,
    backend: str = "local",
    scheduler: str | None = None,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    ledger: bool = False,
    parameters: dict | None = None,
    progress: Progress | None = None,
    uncertainty: str = "posterior",
) -> EnsembleResult:
    """Run ``runs`` replicates of ``scenario`` from root ``seed``.

    Args:
        scenario: A validated scenario.
        runs: Number of replicates.
        seed: Root seed; run ``i`` is the same whatever the backend or chunking.
        backend: "local" (this process) or another name known to ``model.backends``.
        scheduler: Address of a Dask scheduler for ``backend="dask"``.
        executor: An explicit ``concurrent.futures.Executor`` (overrides ``backend``).
        chunk_size: Runs per model object.
        ledger: Keep the effects ledger (memory grows with runs x months).
        parameters: Coefficient overrides; values may be arrays over runs.
        progress: Called with (runs done, runs in all) after each chunk.
        uncertainty: "posterior" (default): each run draws the calibrated coefficients from
            the calibration's posterior, so the bands show what is unknown about them as well
            as the randomness of events; "point": every run uses the point estimate.
    """
    with ExitStack() as stack:
        if executor is None and backend != "local":
            from model.backends import open_executor

            executor = stack.enter_context(open_executor(backend, scheduler))
        chunks = list(
            iter_chunks(
                scenario, runs, seed, chunk_size=chunk_size, executor=executor,
                ledger=ledger, parameters=parameters, progress=progress, uncertainty=uncertainty,
            )
        )
    values = np.concatenate([c.values for c in chunks], axis=2)
    occurrences: list[Occurrence] = []
    for c in chunks:
        occurrences.extend(c.occurrences)
    return EnsembleResult(scenario, seed, values, _merge_ledgers(chunks), occurrences, uncertainty)


def arrow_table(frame: pd.DataFrame):  # noqa: ANN201 - pyarrow is imported lazily
    """A tidy table as Arrow, ready for Parquet, with ``month`` as plain text.

    Why text: ``YYYY-MM`` sorts and compares as text, so a reader of the file can write
    ``df.month.min()`` or ``df[df.month >= "2027-01"]``; a pandas category (ordered or not)
    refuses both comparisons with a month it does not list. On disk the column is still
    dictionary-encoded, so the file is no bigger.
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if "month" in table.column_names:
        i = table.column_names.index("month")
        table = table.set_column(i, "month", table.column("month").cast(pa.string()))
    return table


def _write_parquet(path: Path, months: list[str], chunks: Iterator[Chunk]) -> None:
    """Write chunks as row groups; chunk k is tidied and written on a thread while k+1 runs.

    numpy and Arrow release the GIL, so on two cores the writing mostly hides behind the
    simulation; at most two chunks are held at once. Dictionary encoding for the run, month
    and variable columns only: the values rarely repeat, and trying costs time for nothing.
    The file is written under a temporary name and renamed when complete, so an error or an
    interrupted run never leaves a truncated file in place of an earlier good one.
    """
    import pyarrow.parquet as pq

    part = path.with_name(path.name + ".part")
    writer: pq.ParquetWriter | None = None

    def write(chunk: Chunk) -> None:
        nonlocal writer
        table = arrow_table(tidy(chunk.values, months, chunk.first))
        if writer is None:
            writer = pq.ParquetWriter(part, table.schema, use_dictionary=["run", "month", "variable"])
        writer.write_table(table)

    pending = None
    complete = False
    with ThreadPoolExecutor(1, thread_name_prefix="parquet") as io:
        try:
            for chunk in chunks:
                if pending is not None:
                    pending.result()
                pending = io.submit(write, chunk)
            if pending is not None:
                pending.result()
            complete = True
        finally:
            if pending is not None:
                wait([pending])
            if writer is not None:
                writer.close()
            if complete:
                part.replace(path)
            else:
                part.unlink(missing_ok=True)


def write_table(
    path: str | Path,
    scenario: Scenario,
    runs: int,
    seed: int,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Executor | None = None,
    progress: Progress | None = None,
    uncertainty: str = "posterior",
) -> None:
    """Stream an ensemble's tidy table to CSV or Parquet (by suffix), chunk by chunk.

    Memory stays bounded by one chunk whatever the number of runs.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"{path}: the output must end in .csv or .parquet")
    chunks = iter_chunks(
        scenario, runs, seed, chunk_size=chunk_size, executor=executor, progress=progress,
        uncertainty=uncertainty,
    )
    if suffix == ".parquet":
        _write_parquet(path, scenario.months, chunks)
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        header = True
        for chunk in chunks:
            tidy(chunk.values, scenario.months, chunk.first).to_csv(
                fh, index=False, header=header, float_format="%.4f", lineterminator="\n"
            )
            header = False
