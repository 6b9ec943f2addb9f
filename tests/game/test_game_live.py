"""What a class's pages share on one server: the log watch, the timelines, the world and its charts.

Issue 15 found every page's poll querying and folding the whole log, and every page building
the same chart of the same turn; these tests pin that a poll costs no query, that the whole
server asks the database once per game and interval, and that a point of a game is computed
once for all its pages.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from model.game.engine import Game
from model.game.live import TIMELINES, LogWatch, Timelines
from model.game.setup import create_game
from model.game.store import APPENDED, ENV_VAR, GameStore
from model.game.world import WORLDS
from tests.game.test_game_pages import PAGES, TIMEOUT


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        """The time the test has set."""
        return self.now


def new_game(store: GameStore, scenario_text: str):
    new = create_game(store, scenario_text, ["seoul", "tokyo"], seed=3, turns=3)
    return Game(store, new.id), new


def count_queries(store: GameStore) -> list[str]:
    """Every SQL statement the store's engine runs from now on."""
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: seen.append(str(args[2])))
    return seen


def test_thirty_polls_ask_the_database_once_per_interval(sqlite_store, scenario_text):
    """Thirty pages polling at once: one query; again after the interval: one more."""
    game, new = new_game(sqlite_store, scenario_text)
    clock = Clock()
    watch = LogWatch(interval=1.0, clock=clock)
    barrier = threading.Barrier(30)
    answers: list[int] = []

    def poll() -> None:
        barrier.wait()
        answers.append(watch.last_seq(sqlite_store, game.id))

    threads = [threading.Thread(target=poll) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert watch.queries == 1 and set(answers) == {0}
    game.start(new.instructor_code)
    assert watch.last_seq(sqlite_store, game.id) == 0  # within the interval: the old answer
    clock.now += 1.0
    assert watch.last_seq(sqlite_store, game.id) == 1
    assert watch.queries == 2


def test_what_this_process_writes_its_pages_learn_at_once_without_a_query(sqlite_store, scenario_text):
    """A teacher's resolve on this server reaches its pages' watch at once, not an interval later."""
    game, new = new_game(sqlite_store, scenario_text)
    clock = Clock()
    watch = LogWatch(interval=60.0, clock=clock)
    assert watch.last_seq(sqlite_store, game.id) == 0 and watch.queries == 1
    APPENDED.append(watch.note)
    try:
        game.start(new.instructor_code)
        assert watch.last_seq(sqlite_store, game.id) == 1  # well within the interval
        other = GameStore(sqlite_store.url)  # another process's write is seen after the interval
        try:
            APPENDED.remove(watch.note)
            Game(other, game.id).pause(new.instructor_code)
        finally:
            other.dispose()
        assert watch.last_seq(sqlite_store, game.id) == 1
        clock.now += 60.0
        assert watch.last_seq(sqlite_store, game.id) == 2
    finally:
        if watch.note in APPENDED:
            APPENDED.remove(watch.note)
    assert watch.queries == 2


def test_a_timeline_known_to_be_current_costs_no_query(sqlite_store, scenario_text):
    """A page that knows where the log ends gets the shared timeline without reading the log."""
    game, new = new_game(sqlite_store, scenario_text)
    game.start(new.instructor_code)
    game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], "Talk.", turn=0)
    timelines = Timelines()
    first = timelines.get(sqlite_store, game.id, game.turns)
    queries = count_queries(sqlite_store)
    again = timelines.get(sqlite_store, game.id, game.turns, at_least=first.last_seq)
    assert again is first and queries == []
    game.submit(new.seat_codes["tokyo"], ["tokyo_hold"], "", turn=0)
    queries.clear()
    fresh = timelines.get(sqlite_store, game.id, game.turns)
    reads = [q for q in queries if q.startswith("SELECT")]
    assert len(reads) == 1 and "seq >" in reads[0]  # only the entries after the last one seen
    assert "BEGIN IMMEDIATE" not in queries  # a reader takes no write lock
    assert set(fresh.pending) == {"seoul", "tokyo"} and set(first.pending) == {"seoul"}


def test_the_extended_timeline_equals_a_fresh_fold(sqlite_store, scenario_text):
    """Reading the log piece by piece gives the timeline that reading it at once gives."""
    game, new = new_game(sqlite_store, scenario_text)
    boss = new.instructor_code
    steps = [
        lambda: game.start(boss),
        lambda: game.submit(new.seat_codes["seoul"], ["seoul_hold"], "", turn=0),
        lambda: game.inject(boss, "nuclear_test"),
        lambda: game.resolve(boss, 0),
        lambda: game.pause(boss),
        lambda: game.rewind(boss, 0),
        lambda: game.resume(boss),
    ]
    for step in steps:
        step()
        piecewise = TIMELINES.get(sqlite_store, game.id, game.turns)
        whole = Timelines().get(sqlite_store, game.id, game.turns)
        assert piecewise == whole


def test_one_point_of_a_game_is_computed_once_for_all_its_pages(tmp_path, monkeypatch, scenario_text):
    """Six seat pages of two seats: one world, and each seat's page built once for all its pages."""
    from ui import seat_page

    url = f"sqlite:///{tmp_path / 'pages.db'}"
    monkeypatch.setenv(ENV_VAR, url)
    st.cache_data.clear()
    st.cache_resource.clear()
    store = GameStore(url)
    try:
        new = create_game(store, scenario_text, ["seoul", "tokyo"], seed=3, turns=3)
        game = Game(store, new.id)
        game.start(new.instructor_code)
        game.resolve(new.instructor_code, 0)
        built = []
        original = seat_page.body
        monkeypatch.setattr(seat_page, "body", lambda *a, **k: built.append(a[2]) or original(*a, **k))
        pages = []
        for k in range(6):
            seat = ("seoul", "tokyo")[k % 2]
            at = AppTest.from_file(str(PAGES / "play.py"), default_timeout=TIMEOUT)
            at.query_params["game"], at.query_params["code"] = game.id, new.seat_codes[seat]
            pages.append(at.run())
        for at in pages:
            assert not at.exception
        assert sorted(built) == ["seoul", "tokyo"]  # each seat's page, built by its first page only
        view = game.world()
        assert game.world() is view and len(WORLDS.views) == 1
    finally:
        store.dispose()
        st.cache_data.clear()
        st.cache_resource.clear()


def test_the_watch_route_answers_from_memory_and_only_to_a_code_of_the_game(tmp_path, monkeypatch, scenario_text):
    """The route a page's watch asks every second: where the log ends, to any code of the game, to nobody else."""
    import pytest

    from model.game.errors import GameError
    from model.game.store import shared_store
    from ui import serve

    url = f"sqlite:///{tmp_path / 'watch.db'}"
    monkeypatch.setenv(ENV_VAR, url)
    store = shared_store(url)
    new = create_game(store, scenario_text, ["seoul"], seed=1, turns=2)
    Game(store, new.id).start(new.instructor_code)
    assert serve.last_seq(new.id, new.seat_codes["seoul"]) == 1
    for code in (new.seat_codes["seoul"], new.viewer_code, new.instructor_code):
        assert serve.last_seq(new.id, code) == 1
    with pytest.raises(GameError):
        serve.last_seq(new.id, "WRONGCODE123")
    with pytest.raises(GameError):
        serve.last_seq("nosuchgame", new.seat_codes["seoul"])


def test_the_seat_route_gives_a_seat_its_page_and_nobody_else(tmp_path, monkeypatch, scenario_text):
    """The seat's HTML and its clock to the seat's code; the viewer, the teacher and strangers get nothing."""
    import pytest

    from model.game.errors import GameError
    from model.game.store import shared_store
    from model.i18n import tr
    from ui import serve

    url = f"sqlite:///{tmp_path / 'seat.db'}"
    monkeypatch.setenv(ENV_VAR, url)
    store = shared_store(url)
    new = create_game(store, scenario_text, ["seoul"], seed=1, turns=2)
    game = Game(store, new.id)
    game.start(new.instructor_code)
    page = serve.seat_shown(new.id, new.seat_codes["seoul"], "ko", "both", -1)
    assert page["seq"] == game.timeline().last_seq and page["mark"] == [0, "running", 0, None, 0]
    assert tr("game.common.turn_of", "ko", turn=1, turns=2) in page["html"] and page["left"] is None
    game.resolve(new.instructor_code, 0)
    moved = serve.seat_shown(new.id, new.seat_codes["seoul"], "en", "both", game.timeline().last_seq)
    assert tr("game.common.turn_of", turn=2, turns=2) in moved["html"] and moved["mark"][0] == 1
    for code in (new.viewer_code, new.instructor_code, "WRONGCODE123"):
        with pytest.raises(GameError):
            serve.seat_shown(new.id, code, "en", "both", -1)
