"""Servers for the classroom benchmark: a database, the app as a school runs it, its one address.

One process: ``rapprochement app`` (as a teacher starts it). Several: ``rapprochement app
--processes N`` (N Streamlit processes behind Debian's nginx on one address), exactly as a
school would run them. PostgreSQL is a throwaway cluster (``tests/support/pg_server.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from tests.support.app_server import AppServer
from tests.support.pg_server import PostgresCluster, create_database, free_port

RAPPROCHEMENT = Path(sys.executable).parent / "rapprochement"
ROOT = Path(__file__).resolve().parents[1]


def descendants(pid: int) -> list[int]:
    """A process and all its children, grandchildren..., by /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of processes and their children so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
    return total


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def serve(stack: ExitStack, processes: int, postgres: bool, tmp: Path) -> tuple[str, str, list[int]]:
    """Start the database and the app; return the front address, the database URL and the pids.

    Everything started is stopped when ``stack`` closes.
    """
    if postgres:
        cluster = stack.enter_context(PostgresCluster())
        db_url = create_database(cluster.url, prefix="bench")
    else:
        db_url = f"sqlite:///{tmp / 'games.db'}"
    env = dict(os.environ, RAPPROCHEMENT_STATE_DIR=str(tmp / "state"))
    if processes == 1:
        server = AppServer(db_url=db_url, env={"RAPPROCHEMENT_STATE_DIR": str(tmp / "state")})
        stack.callback(server.close)
        server.start(timeout=120)
        assert server.process is not None
        return server.url, db_url, descendants(server.process.pid)
    port = free_port()
    school = subprocess.Popen(
        [str(RAPPROCHEMENT), "app", "--processes", str(processes), "--port", str(port)]
        + ["--address", "127.0.0.1", "--db", db_url],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def stop() -> None:
        if school.poll() is None:
            school.send_signal(signal.SIGTERM)
            school.wait(60)

    stack.callback(stop)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while not _healthy(url):
        if school.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the school's app processes did not start (is nginx installed?)")
        time.sleep(0.5)
    time.sleep(1.0)
    return url, db_url, descendants(school.pid)
