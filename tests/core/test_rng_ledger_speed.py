"""The hot paths made cheaper for the explorer's redraw give the same numbers as before.

A normal draw hashes its two uniforms together, the state clips through numpy's clip ufunc,
and the ledger's table takes the runs' means of all entries at once: each must equal the
plain computation it replaced, bit for bit, or a seed would stop giving the numbers it gave.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.ledger import Ledger
from model.rng import RunStreams, run_keys
from model.state import _clip


def _box_muller(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def test_a_normal_draw_is_box_muller_of_the_next_two_uniforms_of_its_site():
    keys = run_keys(11, 0, 50)
    fused, plain = RunStreams(keys), RunStreams(keys)
    for month in (0, 3):
        fused.month = plain.month = month
        for _ in range(3):  # occurrences 0-1, 2-3, 4-5 of the site this month
            z = fused.normal("shock")
            u1, u2 = plain.uniform("shock"), plain.uniform("shock")
            assert np.array_equal(z, _box_muller(u1, u2))
        # the counter moved on by two per normal draw: the next draws agree as well
        assert np.array_equal(fused.uniform("shock"), plain.uniform("shock"))


def test_a_normal_draw_for_some_runs_is_theirs_in_the_draw_for_all():
    keys = run_keys(3, 0, 40)
    some = np.array([1, 5, 6, 30, 39])
    everyone, subset = RunStreams(keys), RunStreams(keys)
    everyone.month = subset.month = 7
    assert np.array_equal(everyone.normal("site")[some], subset.normal("site", some))
    assert subset.normal("site", np.array([], dtype=np.int64)).shape == (0,)


def test_the_state_clips_as_np_clip_does():
    rng = np.random.default_rng(0)
    x = rng.normal(50.0, 80.0, size=(5, 200))
    x[0, :3] = [np.nan, -0.0, 100.0]
    for lo, hi in ((0.0, 100.0), (0.0, 1.0), (-1.0, 2.0)):
        ours, theirs = _clip(x, lo, hi), np.clip(x, lo, hi)
        assert np.array_equal(ours, theirs, equal_nan=True)
        assert np.array_equal(np.signbit(ours), np.signbit(theirs))


def _plain_frame(ledger: Ledger, months: list[str]) -> pd.DataFrame:
    """The table as the ledger built it before: one np.mean per entry."""
    rows: dict[tuple[int, str, str, str], float] = {}
    for e in ledger.entries:
        value = float(np.mean(e.delta))
        if value != 0.0:
            key = (e.t, e.cause, e.actor, e.variable)
            rows[key] = rows.get(key, 0.0) + value
    df = pd.DataFrame([(*k, d) for k, d in rows.items()], columns=["t", "cause", "actor", "variable", "delta"])
    df.insert(1, "month", [months[t] for t in df["t"]])
    return df


def test_the_ledger_table_takes_the_same_means_as_entry_by_entry():
    rng = np.random.default_rng(1)
    months = ["2026-01", "2026-02", "2026-03"]
    same = Ledger()
    for t in range(3):
        for cause in ("a", "b", "c"):
            delta = rng.normal(size=200) * 10.0 ** rng.integers(-6, 3)
            same.record(t, cause, "seoul", "history", delta)
            same.record(t, cause, "seoul", "security", np.zeros(200))  # zero lines are left out
    pd.testing.assert_frame_equal(same.frame(months), _plain_frame(same, months), check_exact=True)
    mixed = Ledger(entries=list(same.entries))
    mixed.record(2, "d", "tokyo", "history", np.float32(0.5) * np.ones(200, dtype=np.float32))
    mixed.record(2, "e", "tokyo", "history", np.ones(7))
    pd.testing.assert_frame_equal(mixed.frame(months), _plain_frame(mixed, months), check_exact=True)
