"""A throwaway PostgreSQL cluster for the tests, and fresh databases on any server.

The game store must work on a real PostgreSQL, not only on SQLite, so the tests start their own
cluster from Debian's ``postgresql`` package (``./dev test`` installs it): ``initdb`` into a
temporary directory, ``pg_ctl start`` on a free localhost port, trust authentication, no fsync
(the data is thrown away). PostgreSQL refuses to run as root, so as root the cluster runs as the
``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Where Debian puts the server binaries (initdb and pg_ctl are not on PATH there).
DEBIAN_BINDIRS = "/usr/lib/postgresql/*/bin"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed (or cannot run) on this machine."""


def find_bindir() -> Path:
    """Return a directory holding ``initdb`` and ``pg_ctl``, the newest Debian version first.

    Raises:
        PostgresUnavailable: if none is found (env ``RAPPROCHEMENT_PG_BINDIR``, Debian's
            ``/usr/lib/postgresql/*/bin``, then ``PATH``).
    """
    candidates: list[Path] = []
    if os.environ.get("RAPPROCHEMENT_PG_BINDIR"):
        candidates.append(Path(os.environ["RAPPROCHEMENT_PG_BINDIR"]))

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", Path(path).parent.name))

    candidates += [Path(p) for p in sorted(glob.glob(DEBIAN_BINDIRS), key=version, reverse=True)]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in "
        f"{DEBIAN_BINDIRS} or on PATH: install Debian's postgresql package (./dev test does), "
        "or set RAPPROCHEMENT_TEST_PG_URL to a server the tests may create databases on"
    )


def free_port() -> int:
    """Return a localhost TCP port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_database(admin_url: str, prefix: str = "test") -> str:
    """Create an empty database with a unique name on the server of ``admin_url``.

    Args:
        admin_url: SQLAlchemy URL of a role allowed to ``CREATE DATABASE``.
        prefix: start of the new database's name, to tell where it came from.

    Returns:
        The SQLAlchemy URL of the new database (same server, role and driver).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {_quote_ident(name)}"))
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of ``url``, closing other sessions on it (PostgreSQL >= 13)."""
    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(
                text(f"DROP DATABASE IF EXISTS {_quote_ident(parsed.database)} WITH (FORCE)")
            )
    finally:
        engine.dispose()


class PostgresCluster:
    """A PostgreSQL cluster in a temporary directory, on a free localhost port.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. :attr:`url` is the
    SQLAlchemy URL (psycopg 3 driver) of its ``postgres`` database, as the superuser.
    """

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.port: int | None = None
        self.base: Path | None = None
        self._user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the cluster's ``postgres`` database."""
        if self.port is None:
            raise RuntimeError("the cluster is not started")
        return f"postgresql+psycopg://{self._user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a server binary, as the ``postgres`` system user when we are root."""
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            if shutil.which("runuser"):
                cmd = ["runuser", "-u", "postgres", "--", *cmd]
            else:
                cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(map(_sh_quote, cmd))]
        return subprocess.run(
            cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120
        )

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = ""
            if self.base and (self.base / "server.log").exists():
                log = (self.base / "server.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(
                f"{what} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}\n"
                f"server log:\n{log}"
            )

    def start(self) -> PostgresCluster:
        """Initialise the cluster and start the server; return self."""
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as err:
                raise PostgresUnavailable(
                    "running as root, and there is no 'postgres' system user to run the server "
                    "as (PostgreSQL refuses to run as root)"
                ) from err
        # Not under pytest's tmp_path: its parents are private to root, and the server runs as
        # the postgres user.
        self.base = Path(tempfile.mkdtemp(prefix="rapprochement-pg-"))
        if os.geteuid() == 0:
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        try:
            self._init_and_start()
        except BaseException:
            self.stop()
            raise
        return self

    def _init_and_start(self) -> None:
        assert self.base is not None
        data, sockets = self.base / "data", self.base / "sockets"
        result = self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            self._user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        self._check(result, "initdb")
        self._mkdir_as_owner(sockets)
        port = free_port()
        options = (
            f"-p {port} -h 127.0.0.1 -k {sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        result = self._run(
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(self.base / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.port = port  # set before the check so that stop() shuts a half-started server down
        self._check(result, "pg_ctl start")

    def _mkdir_as_owner(self, path: Path) -> None:
        path.mkdir()
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        if self.base is None:
            return
        if self.port is not None:
            self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None
        self.port = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _sh_quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"
