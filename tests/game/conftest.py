"""Fixtures for the game's tests: a small scenario, a store, a fresh world cache."""

from __future__ import annotations

import pytest

from model.game.live import TIMELINES, WATCH
from model.game.store import GameStore
from model.game.world import WORLDS

SCENARIO = """\
id: game-test
title: A test of the classroom game
question: Where does the relationship go when students hold the seats?
start: 2026-01
end: 2028-12
"""


def _forget() -> None:
    WORLDS.clear()
    TIMELINES.clear()
    WATCH.clear()


@pytest.fixture(autouse=True)
def _fresh_worlds():
    """Each test starts with no cached world or timeline, as a freshly started server would."""
    _forget()
    yield
    _forget()


@pytest.fixture
def scenario_text() -> str:
    return SCENARIO


@pytest.fixture
def sqlite_store(tmp_path):
    store = GameStore(f"sqlite:///{tmp_path / 'games.db'}")
    yield store
    store.dispose()


@pytest.fixture
def any_store(db_url):
    """A store on SQLite, then on PostgreSQL."""
    store = GameStore(db_url)
    yield store
    store.dispose()
