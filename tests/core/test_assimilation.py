"""Data assimilation: a forecast meets the last poll, the cohorts keep their differences, the gap fades."""

from __future__ import annotations

import numpy as np
import pytest

from model.analysis.assimilation import Assimilation, persistence
from model.analysis.polls import PollTarget
from model.model import RelationsModel
from tests.core.helpers import quiet

PUBLIC = "kr_favorable_japan"


def test_a_nudge_meets_the_poll_keeps_the_cohorts_apart_and_fades_at_its_rate():
    sc = quiet()
    m = RelationsModel(sc, runs=12, seed=3, ledger=True)
    m.step()
    before = m.state.cohorts[PUBLIC].copy()
    start = m.state.get(PUBLIC).copy()
    target = np.full(12, 20.0)
    gap = target - start
    m.assimilate(PUBLIC, gap, 0.1)
    assert np.allclose(m.state.get(PUBLIC), target)
    # every cohort moved by the same amount: their differences are as they were
    assert np.allclose(np.diff(m.state.cohorts[PUBLIC], axis=0), np.diff(before, axis=0))
    assert np.allclose(m.state.observed[PUBLIC], gap)
    m.step()
    assert np.allclose(m.state.observed[PUBLIC], 0.9 * gap)
    m.step()
    assert np.allclose(m.state.observed[PUBLIC], 0.81 * gap)
    led = m.ledger.contributions(PUBLIC, 0, 2)
    booked = sum(v for (cause, _actor), v in led.items() if cause == "observed_poll")
    assert np.allclose(booked, 0.81 * gap)
    # the other public is untouched by this one's poll
    assert not np.any(m.state.observed["jp_favorable_korea"])


def test_the_ledger_adds_up_with_an_observed_poll():
    sc = quiet("events:\n  - {month: 2026-03, type: dokdo_visit}\n")
    m = RelationsModel(sc, runs=15, seed=9, ledger=True)
    start = {v: m.state.get(v).copy() for v in (PUBLIC, "jp_favorable_korea", "kr_visitors_japan")}
    for i in range(len(sc.months)):
        m.step()
        if i == 4:
            m.assimilate(PUBLIC, np.linspace(-8.0, 8.0, 15), 0.2)
            m.assimilate("jp_favorable_korea", 5.0, 0.05)
    for var, before in start.items():
        total = sum(m.ledger.contributions(var, 0, len(sc.months) - 1).values())
        assert np.allclose(m.state.get(var) - before, total, atol=1e-6), var
    causes = {cause for cause, _actor in m.ledger.contributions(PUBLIC, 0, len(sc.months) - 1)}
    assert "observed_poll" in causes


def test_persistence_recovers_a_known_monthly_rate():
    rho = 0.9
    r = [10.0, -6.0, 4.0, 8.0]
    pairs = [(x, x * rho**12, 12) for x in r]
    assert persistence(pairs) == pytest.approx(rho, abs=1e-3)
    assert persistence(pairs[:1]) is None
    # residuals that change sign from one wave to the next do not persist
    assert persistence([(5.0, -5.0, 12), (-4.0, 4.0, 12)]) == 0.0


def _target(value: float, month: str) -> PollTarget:
    return PollTarget("eai_korean_good_impression", PUBLIC, int(month[:4]), (month,), value, "exact", "test")


def test_the_hook_nudges_only_at_the_origin_and_from_the_training_polls():
    sc = quiet()
    m = RelationsModel(sc, runs=8, seed=1, ledger=True)
    # the targets' own months only set the spacing of the waves; windows place them in this run
    targets = [_target(30.0, "2012-01"), _target(25.0, "2012-03"), _target(22.0, "2012-05")]
    windows = [np.array([0]), np.array([2]), np.array([4])]
    nudge = Assimilation(origin_index=5, targets=targets, windows=windows, offsets=np.zeros(3), noise_sd=0.0, seed=1,
                          rule="residuals")
    series = {PUBLIC: np.empty((len(sc.months), 8))}
    for i in range(len(sc.months)):
        m.step()
        series[PUBLIC][i] = m.state.get(PUBLIC)
        if i == 3:
            nudge(m, i, series)
            assert not nudge.rates and not np.any(m.state.observed[PUBLIC])
        if i == 5:
            at_origin = series[PUBLIC][5].copy()
            nudge(m, i, series)
            rho = nudge.rho[PUBLIC]
            # the gap measured at the last poll (month 4), aged one month to the origin
            expected = at_origin + (22.0 - series[PUBLIC][4]) * rho
            assert np.allclose(m.state.get(PUBLIC), expected)
            assert 0.0 <= nudge.rates[PUBLIC] <= 1.0


OBSERVED = """\
observations:
  - {month: 2018-04, variable: kr_favorable_japan, value: 20.0, window: [2018-03, 2018-04], half_life: 6}
  - {month: 2018-09, variable: jp_favorable_korea, value: 45.0, window: [2018-09]}
"""


def observed() -> object:
    """A quiet scenario of 2018-2019 that meets two polls (observations must be from before 2020)."""
    from model.scenario import parse_scenario

    text = quiet().to_yaml().replace("start: 2026-01", "start: 2018-01").replace("end: 2027-12", "end: 2019-12")
    return parse_scenario(text + OBSERVED, filename="observed.yaml")


def test_a_scenario_meets_its_observed_polls_and_runs_free_after():
    """At a poll's last fieldwork month the public meets the poll (within its sampling error); then the gap fades."""
    sc = observed()
    m = RelationsModel(sc, runs=200, seed=4, ledger=True)
    start = {v: m.state.get(v).copy() for v in (PUBLIC, "jp_favorable_korea")}
    shares = []
    for i in range(len(sc.months)):
        m.step()
        shares.append(m.state.get(PUBLIC).copy())
        if i == 3:
            assert abs(float(np.median(m.state.get(PUBLIC))) - 20.0) < 1.0
            kept = m.state.observed[PUBLIC].copy()
        if i == 8:
            assert abs(float(np.median(m.state.get("jp_favorable_korea"))) - 45.0) < 0.5
    # the poll's sampling error is in the runs: they do not all start from one number
    assert 0.8 < float(np.std(shares[3] - shares[2])) < 3.0
    assert np.allclose(m.state.observed[PUBLIC], kept * 0.5 ** ((len(sc.months) - 4) / 6.0))
    for var, before in start.items():
        led = m.ledger.contributions(var, 0, len(sc.months) - 1)
        assert np.allclose(sum(led.values()), m.state.get(var) - before, atol=1e-6), var
        assert ("observed_poll", "kr_public" if var == PUBLIC else "jp_public") in led


def test_observed_polls_give_the_same_bytes_on_any_chunking():
    from model.ensemble import run_ensemble

    sc = observed()
    whole = run_ensemble(sc, runs=30, seed=8).values
    assert np.array_equal(whole, run_ensemble(sc, runs=30, seed=8, chunk_size=7).values)


def test_a_scenario_cannot_hold_a_poll_from_2020_on_and_calibrations_never_see_its_polls(tmp_path):
    from model.analysis.calibration import load_replay
    from model.scenario import ScenarioError, parse_scenario

    assert observed().observations
    text = (
        "id: t\ntitle: T\nquestion: Q?\nstart: 2019-01\nend: 2020-12\nobservations:\n"
        "  - {month: 2020-06, variable: kr_favorable_japan, value: 20, window: [2020-05, 2020-06]}\n"
    )
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, filename="t.yaml")
    assert "held out" in str(err.value) and "observations[0].month" in str(err.value)
    path = tmp_path / "r.yaml"
    path.write_text(text.replace("2020-06", "2019-06").replace("2020-05", "2019-05"), encoding="utf-8")
    assert load_replay(path).observations is None
    assert load_replay(path, observed=True).observations[0].month == "2019-06"


def _visits(value: float, year: int, variable: str = "kr_visitors_japan") -> PollTarget:
    key = "kr_visitors" if variable == "kr_visitors_japan" else "jp_visitors"
    return PollTarget(key, variable, year, tuple(f"{year}-{m:02d}" for m in range(1, 13)), value, "exact", "test")


def test_travel_meets_the_last_visitor_total_and_the_ledger_adds_up():
    """At the origin each travel direction is scaled to its last year's total; experience is left to follow."""
    sc = quiet()
    runs = 10
    m = RelationsModel(sc, runs=runs, seed=5, ledger=True)
    travel = ("kr_visitors_japan", "jp_visitors_korea")
    start = {v: m.state.get(v).copy() for v in (*travel, PUBLIC)}
    # an older total and the last one per direction: only the last one counts (the labels only
    # order the targets; the windows place them in this run)
    targets = [_target(22.0, "2018-06"), _visits(1.0, 2017), _visits(9.0, 2018),
               _visits(2.0, 2018, "jp_visitors_korea")]
    year = np.arange(12)
    windows = [np.array([5]), year, year, year]
    nudge = Assimilation(origin_index=11, targets=targets, windows=windows, offsets=np.zeros(4), noise_sd=0.0,
                         seed=2, rule="half_life_12")
    series = {v: np.empty((len(sc.months), runs)) for v in (*travel, PUBLIC)}
    for i in range(len(sc.months)):
        m.step()
        for v in series:
            series[v][i] = m.state.get(v)
        if i == 11:
            before = {v: (m.state.v[v].copy(), m.state.capacity[v].copy(), m.state.free_travel[v].copy(),
                          m.state.experience[v].copy()) for v in travel}
            opinion = m.state.get(PUBLIC).copy() - m.state.observed[PUBLIC]
            nudge(m, i, series)
            for v, total in (("kr_visitors_japan", 9.0), ("jp_visitors_korea", 2.0)):
                factor = total / series[v][year].mean(axis=0)
                visits, capacity, free, experience = before[v]
                assert np.allclose(m.state.v[v], visits * factor)
                assert np.allclose(m.state.capacity[v], capacity * factor)
                assert np.allclose(m.state.free_travel[v], free * factor)
                # experience (what contact reads) is left as simulated: opinion does not jump
                assert np.array_equal(m.state.experience[v], experience)
                assert nudge.travel_factors[v] == pytest.approx(float(np.median(factor)))
            # the public moved only by its poll's gap, not by the travel nudge
            assert np.allclose(m.state.get(PUBLIC) - m.state.observed[PUBLIC], opinion)
    for var, first in start.items():
        led = m.ledger.contributions(var, 0, len(sc.months) - 1)
        assert np.allclose(sum(led.values()), m.state.get(var) - first, atol=1e-6), var
    assert ("observed_visits", "kr_public") in m.ledger.contributions("kr_visitors_japan", 11, 11)
    assert ("observed_visits", "jp_public") in m.ledger.contributions("jp_visitors_korea", 11, 11)
