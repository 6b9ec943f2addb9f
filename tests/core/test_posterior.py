"""Parameter uncertainty in every ensemble: posterior draws per run, deterministic, shared by what-ifs."""

from __future__ import annotations

import numpy as np
import pytest

from model.catalogue import load_catalogue, load_posterior
from model.ensemble import run_ensemble
from model.model import RelationsModel
from tests.core.helpers import quiet, scenario


@pytest.fixture(scope="module")
def posterior():
    post = load_posterior()
    assert post is not None, "model/catalogue/posterior.csv ships with the project"
    return post


def _drawn(sc, runs, seed, run_offset=0, **kw):
    return RelationsModel(sc, runs=runs, seed=seed, run_offset=run_offset, ledger=False, **kw).drawn


def test_shipped_posterior_has_provenance_and_stays_in_the_ranges(posterior):
    """Command, seed and data hash travel with the sample; every row is inside the prior box."""
    cat = load_catalogue()
    prov = posterior.provenance
    assert prov["command"].startswith("rapprochement calibrate")
    assert isinstance(prov["seed"], int) and len(prov["data_sha256"]) == 16
    assert prov["until"] < "2020-01"
    samples, cum = posterior.arrays()
    assert samples.shape == (len(posterior.weights), len(posterior.ids)) and cum[-1] == 1.0
    for j, cid in enumerate(posterior.ids):
        lo, hi = cat.coefficients[cid].range
        assert lo - 1e-9 <= samples[:, j].min() and samples[:, j].max() <= hi + 1e-9, cid


def test_each_run_draws_a_row_and_the_same_seed_draws_the_same(posterior):
    """Runs differ from each other; the same seed gives the same draws, another seed others."""
    sc = scenario()
    a = _drawn(sc, 50, 7)
    b = _drawn(sc, 50, 7)
    c = _drawn(sc, 50, 8)
    assert set(a) == set(posterior.ids)
    for cid in posterior.ids:
        assert np.array_equal(a[cid], b[cid])
    spread = [np.unique(a[cid]).size for cid in posterior.ids]
    assert max(spread) > 10  # rows differ between runs
    assert any(not np.array_equal(a[cid], c[cid]) for cid in posterior.ids)
    samples, _ = posterior.arrays()
    rows = {tuple(r) for r in samples}
    assert all(tuple(a[cid][i] for cid in posterior.ids) in rows for i in range(50))


def test_draws_do_not_depend_on_the_chunk_or_batch(posterior):
    """Run i draws the same coefficients alone, in a batch, or at an offset (any backend, any chunking)."""
    sc = scenario()
    whole = _drawn(sc, 30, 3)
    part = _drawn(sc, 10, 3, run_offset=20)
    for cid in posterior.ids:
        assert np.array_equal(whole[cid][20:], part[cid])


def test_a_what_if_and_its_base_share_the_draws(posterior):
    """Common random numbers: two scenarios run with one seed give run i the same coefficients."""
    base = _drawn(scenario(), 40, 5)
    what_if = _drawn(scenario("events:\n  - {month: 2026-06, type: nuclear_test}\n"), 40, 5)
    for cid in posterior.ids:
        assert np.array_equal(base[cid], what_if[cid])


def test_the_point_estimate_switch_and_explicit_values_are_never_drawn(posterior):
    """uncertainty='point' draws nothing; a coefficient the scenario sets keeps its value in every run."""
    sc = scenario()
    assert _drawn(sc, 20, 1, uncertainty="point") == {}
    cid = posterior.ids[0]
    value = load_catalogue().coefficients[cid].range[0]
    fixed = scenario(f"parameters: {{{cid}: {value}}}\n")
    drawn = _drawn(fixed, 20, 1)
    assert cid not in drawn
    m = RelationsModel(fixed, runs=20, seed=1, ledger=False)
    assert np.all(np.asarray(m.p[cid]) == value)
    with pytest.raises(ValueError):
        RelationsModel(sc, runs=2, seed=1, uncertainty="maybe")


def test_posterior_draws_widen_the_bands():
    """The fans show what is unknown about the coefficients: wider than the point estimate's."""
    sc = scenario()
    post = run_ensemble(sc, runs=120, seed=4).series("kr_favorable_japan")[-1]
    point = run_ensemble(sc, runs=120, seed=4, uncertainty="point").series("kr_favorable_japan")[-1]
    assert np.subtract(*np.quantile(post, [0.95, 0.05])) > np.subtract(*np.quantile(point, [0.95, 0.05]))


def test_ledger_adds_up_with_per_run_coefficients():
    """With each run's own coefficients, every variable's change is the sum of its causes, run by run."""
    sc = quiet("events:\n  - {month: 2026-03, type: dokdo_visit}\n")
    m = RelationsModel(sc, runs=25, seed=9, ledger=True)
    assert m.drawn
    start = {v: m.state.get(v).copy() for v in ("kr_favorable_japan", "jp_favorable_korea", "kr_visitors_japan")}
    m.run()
    for var, before in start.items():
        total = sum(m.ledger.contributions(var, 0, len(sc.months) - 1).values())
        assert np.allclose(m.state.get(var) - before, total, atol=1e-6), var
