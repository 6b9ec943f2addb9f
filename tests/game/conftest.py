"""Fixtures for the game's tests: a small scenario, a store, a fresh world cache."""

from __future__ import annotations

import pytest

from model.game.store import GameStore
from model.game.world import WORLDS

SCENARIO = """\
id: game-test
title: A test of the classroom game
question: Where does the relationship go when students hold the seats?
start: 2026-01
end: 2028-12
"""


@pytest.fixture(autouse=True)
def _fresh_worlds():
    """Each test starts with no cached world, as a freshly started server would."""
    WORLDS.clear()
    yield
    WORLDS.clear()


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
