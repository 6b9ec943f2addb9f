"""The Streamlit app as a real server process, for the browser tests.

A browser test needs the app as a user gets it: a server on a port, its own database, and (for
the classroom game) a restart in the middle of a game that must lose nothing. :class:`AppServer`
starts ``rapprochement app --port P --db URL`` (or any Streamlit script), waits until Streamlit's
health endpoint answers, and can stop and restart it on the same port and database.
"""

from __future__ import annotations

import functools
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tests.support.pg_server import free_port

ROOT = Path(__file__).resolve().parents[2]
# The project's command, in the interpreter's own environment (the venv that runs pytest).
RAPPROCHEMENT = Path(sys.executable).parent / "rapprochement"
START_TIMEOUT = 60.0


@functools.cache
def app_command_available() -> bool:
    """Whether ``rapprochement app`` exists and takes ``--db`` (the core provides it)."""
    if not RAPPROCHEMENT.exists():
        return False
    try:
        result = subprocess.run(
            [str(RAPPROCHEMENT), "app", "--help"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            cwd=ROOT,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "--db" in result.stdout


def _streamlit_command(script: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


class AppServer:
    """A Streamlit server in a subprocess, on a fixed port and database across restarts.

    Args:
        db_url: SQLAlchemy URL of the app's database (passed as ``--db``).
        port: port to listen on; a free one when omitted.
        script: a Streamlit script to serve instead of the project's app (the helper's own
            tests use a tiny one). When omitted, ``rapprochement app`` is used, or, until the
            core provides it, ``streamlit run ui/app.py`` with ``RAPPROCHEMENT_DB`` set.
        env: extra environment variables for the server.
    """

    def __init__(
        self,
        db_url: str,
        port: int | None = None,
        script: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.db_url = db_url
        self.port = port or free_port()
        self.script = script
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self._logdir: Path | None = None  # made by start(), removed by close()
        self.starts = 0

    @property
    def url(self) -> str:
        """The app's address, for the browser."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> Sequence[str]:
        """The command line that starts the server."""
        if self.script is not None:
            return _streamlit_command(self.script, self.port)
        if app_command_available():
            return [str(RAPPROCHEMENT), "app", "--port", str(self.port), "--db", self.db_url]
        return _streamlit_command(ROOT / "ui" / "app.py", self.port)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
            STREAMLIT_SERVER_HEADLESS="true",
            RAPPROCHEMENT_DB=self.db_url,
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def log(self) -> str:
        """What the server printed (stdout and stderr) since its last start."""
        if self._logdir is None:
            return ""
        try:
            return (self._logdir / "server.log").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def start(self, timeout: float = START_TIMEOUT) -> AppServer:
        """Start the server and wait until it answers its health check; return self.

        Raises:
            RuntimeError: if the process exits or does not answer within ``timeout`` seconds;
                the message carries what the server printed.
        """
        if self.process is not None:
            raise RuntimeError("the app server is already running")
        if self._logdir is None:
            self._logdir = Path(tempfile.mkdtemp(prefix="rapprochement-app-"))
        with (self._logdir / "server.log").open("wb") as log:
            # Its own process group, so that stop() also ends any children it spawns.
            self.process = subprocess.Popen(
                list(self.command()),
                cwd=ROOT,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(
                    f"the app server exited with code {code} before answering on port "
                    f"{self.port}; it printed:\n{self.log()[-4000:]}"
                )
            if self.healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"the app server did not answer {self.url}/_stcore/health within {timeout:.0f} s; "
            f"it printed:\n{self.log()[-4000:]}"
        )

    def healthy(self) -> bool:
        """Whether Streamlit's health endpoint answers ``ok`` right now."""
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                return response.status == 200 and response.read().strip() == b"ok"
        except (OSError, http.client.HTTPException):  # URLError, refused, reset, timeout
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` seconds)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:  # it ended between poll() and killpg()
            process.wait()

    def restart(self, timeout: float = START_TIMEOUT) -> AppServer:
        """Stop the server and start it again on the same port and database; return self."""
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        """Stop the server and remove its log directory."""
        self.stop()
        if self._logdir is not None:
            shutil.rmtree(self._logdir, ignore_errors=True)
            self._logdir = None

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
