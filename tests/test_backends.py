"""The executor seam: same seed, same table on every backend; bounded streaming; clear errors."""

from __future__ import annotations

import sys
import threading

import pandas as pd
import pytest

from model.backends import BackendError, imap_ordered, open_executor
from model.backends.executors import InlineExecutor


def _square(x: int) -> int:
    return x * x


def test_imap_ordered_keeps_submission_order_on_a_process_pool():
    """Results come back in the order of the work, whatever order the workers finish in."""
    with open_executor("processes", workers=2) as executor:
        assert list(imap_ordered(executor, _square, ((x,) for x in range(20)), window=3)) == [x * x for x in range(20)]


def test_imap_ordered_holds_at_most_window_calls_in_flight():
    """Streaming a long job never submits more than the window ahead of the consumer."""
    submitted: list[int] = []
    consumed: list[int] = []
    ahead: list[int] = []

    class Recording(InlineExecutor):
        def submit(self, fn, /, *args, **kwargs):
            submitted.append(args[0])
            ahead.append(len(submitted) - len(consumed))
            return super().submit(fn, *args, **kwargs)

    for value in imap_ordered(Recording(), _square, ((x,) for x in range(50)), window=4):
        consumed.append(value)
    assert consumed == [x * x for x in range(50)]
    assert max(ahead) == 4


def test_errors_in_a_chunk_reach_the_caller():
    """A failing call raises in the consumer instead of being lost in a worker."""
    with open_executor("local") as executor:
        with pytest.raises(ZeroDivisionError):
            list(imap_ordered(executor, lambda x: 1 / x, [(1,), (0,), (2,)]))


def test_local_backend_runs_in_the_calling_thread():
    """The default backend costs nothing: no pool, no other thread."""
    with open_executor("local") as executor:
        (ident,) = imap_ordered(executor, threading.get_ident, [()])
    assert ident == threading.get_ident()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"backend": "ray"}, ["ray", "local, processes, dask"]),
        ({"backend": "local", "scheduler": "tcp://h:8786"}, ["dask", "local"]),
        ({"backend": "processes", "workers": 0}, ["at least 1"]),
    ],
)
def test_bad_backend_options_give_a_clear_error(kwargs, words):
    """Unknown names and contradictory options are refused before anything starts."""
    with pytest.raises(BackendError) as info:
        with open_executor(**kwargs):
            pass
    assert all(word in str(info.value) for word in words)


def test_dask_backend_without_the_extra_says_how_to_install_it(monkeypatch):
    """Without dask installed the error names the extra to install."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(BackendError, match=r"rapprochement\[dask\]"):
        with open_executor("dask"):
            pass


@pytest.fixture(scope="module")
def short_baseline():
    """The baseline scenario cut to one year, so that a cluster round trip stays quick."""
    from model.scenario import load_scenario

    scenario = load_scenario("scenarios/baseline-2026.yaml")
    return scenario.model_copy(update={"end": "2026-12"})


def _table(scenario, backend: str, chunk_size: int = 16, **kwargs):
    from model.ensemble import run_ensemble

    result = run_ensemble(scenario, runs=60, seed=11, backend=backend, chunk_size=chunk_size, **kwargs)
    return result.table


def test_process_pool_gives_the_local_table(short_baseline):
    """Chunks computed in other processes give exactly the in-process numbers."""
    pd.testing.assert_frame_equal(_table(short_baseline, "local", chunk_size=60), _table(short_baseline, "processes"))


def test_dask_local_cluster_gives_the_local_table(short_baseline):
    """Same seed, same table on a local Dask cluster as in this process (issue 4)."""
    pytest.importorskip("distributed")
    local = _table(short_baseline, "local", chunk_size=60)
    assert local.run.nunique() == 60
    pd.testing.assert_frame_equal(local, _table(short_baseline, "dask"))


def test_dask_scheduler_address_reaches_a_running_cluster(short_baseline):
    """--scheduler ADDRESS connects to an existing cluster instead of starting one."""
    distributed = pytest.importorskip("distributed")

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = _table(short_baseline, "dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(_table(short_baseline, "local"), remote)


def test_streamed_parquet_is_the_same_on_a_process_pool(tmp_path):
    """`rapprochement run --backend processes --out F.parquet` writes the local file's table."""
    from model.cli import main

    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        "id: short\ntitle: Short\nquestion: Same on every backend?\nstart: 2026-01\nend: 2026-03\n",
        encoding="utf-8",
    )
    local, pooled = tmp_path / "local.parquet", tmp_path / "pooled.parquet"
    command = ["run", str(scenario), "--runs", "2100", "--seed", "2", "--out"]  # 2 chunks
    assert main([*command, str(local)]) == 0
    assert main([*command, str(pooled), "--backend", "processes"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(local), pd.read_parquet(pooled))
    assert pd.read_parquet(local).run.nunique() == 2100


def test_a_failed_stream_leaves_the_earlier_file_untouched(tmp_path, short_baseline):
    """An error halfway through writing keeps the previous output and leaves no partial file."""
    from model.ensemble import write_table

    out = tmp_path / "table.parquet"
    write_table(out, short_baseline, runs=20, seed=1, chunk_size=10)
    before = pd.read_parquet(out)

    def stop_after_first_chunk(done: int, total: int) -> None:
        if done > 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_table(out, short_baseline, runs=40, seed=2, chunk_size=10, progress=stop_after_first_chunk)
    pd.testing.assert_frame_equal(pd.read_parquet(out), before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.parquet"]
