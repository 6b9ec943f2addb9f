"""The explorer's cost guard: requests priced before they start, heavy work in one queue (issue 14).

One session's heavy runs must not starve the game pages of others: ensembles and screens wait
for a slot of the server's :class:`model.cost.HeavyGate` (game pages never take one), say that
they wait, and give up with a message when the server stays busy. A screen too big for the
server is refused before it starts, saying what would fit.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from streamlit.testing.v1 import AppTest

from model import cost, limits
from model.i18n import tr
from tests.ui.conftest import PAGES
from tests.ui.test_explore_page import run_small, show


@pytest.fixture
def gate_dir(tmp_path, monkeypatch):
    """The heavy-work slots of this test alone, one of them (so one other job fills the server)."""
    folder = tmp_path / "heavy"
    monkeypatch.setenv(cost.ENV_DIR, str(folder))
    monkeypatch.setenv(cost.ENV_SLOTS, "1")
    return folder


def explore() -> AppTest:
    return AppTest.from_file(str(PAGES / "explore.py"), default_timeout=120).run()


@contextmanager
def slot_held_elsewhere(gate_dir) -> Iterator[threading.Event]:
    """Another session holds the only heavy slot until the yielded event is set (or the block ends)."""
    held, release = threading.Event(), threading.Event()

    def other_session() -> None:
        with cost.HeavyGate(1, gate_dir).slot():
            held.set()
            release.wait(30)

    worker = threading.Thread(target=other_session)
    worker.start()
    try:
        held.wait(10)
        yield release
    finally:
        release.set()
        worker.join()


def test_a_run_while_the_server_is_busy_says_so_and_runs_once_free(scenario_dir, gate_dir, monkeypatch):
    """Another job holds the only slot past the wait: a message, no traceback; then it runs."""
    monkeypatch.setattr(limits, "HEAVY_WAIT_SECONDS", 0.5)
    with slot_held_elsewhere(gate_dir):
        at = run_small(explore())
        assert not at.exception
        assert [e.value for e in at.error] == [tr("error.generic", message=tr("cost.busy"))]
    at = run_small(at)
    assert not at.error and "20 runs of 24 months" in at.success[0].value


def test_a_run_waits_for_the_slot_and_then_computes(scenario_dir, gate_dir):
    """Within the wait, the run simply starts once the other job is done."""
    with slot_held_elsewhere(gate_dir) as release:
        threading.Timer(1.0, release.set).start()
        at = run_small(explore())
    assert not at.exception and not at.error
    assert "20 runs of 24 months" in at.success[0].value


def test_a_screen_too_big_for_the_server_is_refused_before_it_starts(scenario_dir, gate_dir, monkeypatch):
    """The sensitivity screen of a scenario too long for the budget: what would fit, nothing run."""
    import model.analysis.sensitivity as sensitivity
    from ui.widgets import screen_design

    settings, _replicates = screen_design()
    runs = settings * limits.MIN_SCREEN_REPLICATES  # at the floor of runs per setting
    monkeypatch.setattr(limits, "MAX_SCREEN_RUN_MONTHS", runs * 10)  # ten months' worth, even at the floor
    called = []
    monkeypatch.setattr(sensitivity, "swing_design", lambda *a, **k: called.append(1))
    at = show(run_small(explore()), "matter")
    at.button(key="explore_matter_run").click().run()
    assert not at.exception and called == []
    (message,) = [e.value for e in at.error]
    expected = tr("cost.screen", runs=runs, months=24, most_months=10)
    assert expected in message


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
def test_a_screen_over_the_old_limit_runs_fewer_replicates_and_says_so(scenario_dir, gate_dir, monkeypatch, lang):
    """A scenario whose first pass passes the budget at 100 runs per setting screens at fewer.

    Three screened assumptions (7 settings) and a budget of 60 runs per setting for the page's
    24-month scenario: the old rule refused it; now it runs 60 per setting, spends at most the
    budget, and the page says how many runs it used and what that means for the whiskers.
    """
    from model.analysis import sensitivity
    from model.catalogue import load_catalogue

    three = [load_catalogue().coefficients[c] for c in ("pull_gsomia", "china_pressure_base", "honeymoon_sd")]
    monkeypatch.setattr(sensitivity, "select_parameters", lambda params=None, *, screen=False: three)
    budget = 7 * 60 * 24
    monkeypatch.setattr(limits, "MAX_SCREEN_RUN_MONTHS", budget)
    with pytest.raises(cost.TooCostly):
        cost.check_screen(7, 100, 24)  # over the old limit
    spent: list[int] = []
    real = sensitivity.tornado

    @functools.wraps(real)  # keeps the signature the page's price reads its default from
    def counted(*args, **kwargs):
        spent.append(kwargs["replicates"])
        table = real(*args, **kwargs)
        assert table.attrs["runs"] <= budget // 24  # the refinement too stays within the budget
        return table

    monkeypatch.setattr(sensitivity, "tornado", counted)
    at = explore()
    if lang != "en":
        at.selectbox(key="settings_lang_widget").set_value(lang).run()
    at = show(run_small(at), "matter")
    assert tr("explore.matter_intro", lang, runs=60) in [m.value for m in at.markdown]
    at.button(key="explore_matter_run").click().run()
    assert not at.exception and not at.error and spent == [60]
    fewer = tr("explore.matter_fewer", lang, runs=60, usual=100, months=24, wider="1.29",
               floor=limits.MIN_SCREEN_REPLICATES)
    assert fewer in [c.value for c in at.caption]


def test_the_tornados_price_counts_the_runs_it_makes():
    """The price the page checks is the tornado's first pass (pinned to its design)."""
    from model.analysis.sensitivity import tornado
    from model.scenario import parse_scenario
    from ui.widgets import screen_design

    tiny = parse_scenario("id: t\ntitle: T\nquestion: Q?\nstart: 2026-01\nend: 2026-02\n", "t.yaml")
    totals: list[int] = []
    tornado(tiny, replicates=2, progress=lambda done, total: totals.append(total))
    settings, _replicates = screen_design()
    assert totals and totals[0] == settings * 2


@pytest.mark.parametrize("spare", [0, 40])
def test_the_tornados_refinement_stays_within_its_budget(spare):
    """The refinement (more runs where the fifth place is in doubt) never passes ``max_runs``."""
    from model.analysis.sensitivity import tornado
    from model.scenario import parse_scenario
    from ui.widgets import screen_design

    tiny = parse_scenario("id: t\ntitle: T\nquestion: Q?\nstart: 2026-01\nend: 2026-02\n", "t.yaml")
    settings, _replicates = screen_design()
    unbounded: list[int] = []
    tornado(tiny, replicates=2, progress=lambda done, total: unbounded.append(total))
    assert sum(unbounded) > settings * 2 + spare  # this scenario does refine: the bound can bite
    totals: list[int] = []
    bound = settings * 2 + spare
    table = tornado(tiny, replicates=2, progress=lambda done, total: totals.append(total), max_runs=bound)
    assert totals[0] == settings * 2
    assert table.attrs["runs"] <= bound


def test_the_explorers_tornado_fits_every_shipped_scenario():
    """Its first pass is within the budget for the longest shipped scenario (168 months).

    Every screened assumption at both ends, each 100 runs, or fewer for a long scenario down to
    the floor (:func:`model.cost.screen_replicates`); the units of measure are held fixed (the
    catalogue's ``screen: false``, issue 11).
    """
    from model.cost import check_screen, screen_replicates
    from model.scenario import load_scenario, shipped_scenarios
    from ui.widgets import screen_design

    settings, most = screen_design()
    for path in shipped_scenarios().values():
        months = len(load_scenario(path).months)
        replicates = screen_replicates(settings, months, most)  # raises if too costly even at the floor
        assert limits.MIN_SCREEN_REPLICATES <= replicates <= most
        assert check_screen(settings, replicates, months) <= limits.MAX_SCREEN_RUN_MONTHS

