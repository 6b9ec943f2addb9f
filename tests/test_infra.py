"""The test plumbing itself: a real PostgreSQL, fresh databases per test, the app server helper.

If these fail, the store and browser tests that rely on them cannot be trusted either way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.support.app_server import AppServer
from tests.support.pg_server import create_database, drop_database, free_port

HELLO_APP = """
import os

import streamlit as st

st.title("infra check")
st.write(f"server pid {os.getpid()}")
"""


def _roundtrip(url: str, table: str) -> list[tuple[int, str]]:
    """Create a table, insert two rows and read them back through SQLAlchemy."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)"))
            conn.execute(
                text(f"INSERT INTO {table} (id, name) VALUES (:id, :name)"),
                [{"id": 1, "name": "Seoul"}, {"id": 2, "name": "Tokyo"}],
            )
        with engine.connect() as conn:
            return [
                tuple(row)
                for row in conn.execute(text(f"SELECT id, name FROM {table} ORDER BY id"))
            ]
    finally:
        engine.dispose()


def test_pg_url_is_a_working_postgresql(pg_url: str) -> None:
    """pg_url reaches a real PostgreSQL server that stores and returns rows."""
    assert pg_url.startswith("postgresql+psycopg://")
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version()")).scalar().startswith("PostgreSQL")
    finally:
        engine.dispose()
    table = "infra_roundtrip"
    try:
        assert _roundtrip(pg_url, table) == [(1, "Seoul"), (2, "Tokyo")]
    finally:
        engine = create_engine(pg_url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def test_db_url_is_fresh_and_works(db_url: str, request: pytest.FixtureRequest) -> None:
    """db_url is an empty database of the parametrised backend, usable at once."""
    backend = request.node.callspec.params["db_url"]
    engine = create_engine(db_url)
    try:
        assert engine.dialect.name == backend
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    assert _roundtrip(db_url, "seats") == [(1, "Seoul"), (2, "Tokyo")]


def test_created_databases_are_separate_and_dropped(pg_url: str) -> None:
    """Two fresh databases do not see each other's tables, and a dropped one is gone."""
    first, second = create_database(pg_url), create_database(pg_url)
    try:
        assert first != second
        _roundtrip(first, "only_in_first")
        engine = create_engine(second)
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()
    finally:
        drop_database(first)
        drop_database(second)
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            names = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        engine.dispose()
    assert {first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]}.isdisjoint(names)


def test_app_server_starts_restarts_on_the_same_port_and_stops(tmp_path: Path) -> None:
    """The helper serves a Streamlit script, restarts it as a new process, and stops it."""
    script = tmp_path / "hello.py"
    script.write_text(HELLO_APP)
    db = f"sqlite:///{tmp_path / 'game.db'}"
    with AppServer(db_url=db, script=script) as server:
        assert server.healthy()
        port, first_pid = server.port, server.process.pid
        server.restart()
        assert server.healthy()
        assert server.port == port
        assert server.process.pid != first_pid
        assert server.starts == 2
        server.stop()
        assert server.process is None
        assert not server.healthy()


def test_app_server_failure_shows_what_the_server_printed(tmp_path: Path) -> None:
    """A server that cannot start fails at once with its own error in the message."""
    server = AppServer(db_url="sqlite://", port=free_port(), script=tmp_path / "missing.py")
    try:
        with pytest.raises(RuntimeError, match=r"(?s)exited with code.*File does not exist"):
            server.start()
    finally:
        server.close()
