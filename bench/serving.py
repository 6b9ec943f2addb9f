"""Servers for the classroom benchmark: a database, app processes and their one address."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from tests.support.app_server import AppServer
from tests.support.pg_server import PostgresCluster, create_database


def serve(stack: ExitStack, processes: int, postgres: bool, tmp: Path) -> tuple[str, str, list[int]]:
    """Start the database and the app; return the front address, the database URL and the pids.

    Everything started is stopped when ``stack`` closes.
    """
    if postgres:
        cluster = stack.enter_context(PostgresCluster())
        db_url = create_database(cluster.url, prefix="bench")
    else:
        db_url = f"sqlite:///{tmp / 'games.db'}"
    servers = []
    for _ in range(processes):
        server = AppServer(db_url=db_url)
        stack.callback(server.close)
        servers.append(server.start(timeout=120))
    if processes != 1:
        raise SystemExit("more than one process needs the front proxy (not built yet)")
    assert servers[0].process is not None
    return servers[0].url, db_url, [s.process.pid for s in servers if s.process is not None]
