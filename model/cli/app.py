"""``rapprochement app`` and ``rapprochement proxy``: serve the app to one class, or a school.

``app`` serves the Streamlit app. With ``--classroom`` it listens on the network and puts the
machine's network address in the join links and QR codes (a link to ``localhost`` opens
nothing on a student's device). With ``--processes N`` it runs N app processes behind one
address (Debian's nginx in front, see :mod:`model.serving`), so that a school's classes share
the machine's cores; every process reads and writes the same database. ``proxy`` runs (or
prints the configuration of) the same front for app processes on other machines.

A running server leaves a record (links' address, database) that ``game new`` on the same
machine takes as its defaults.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from model.cli import UserError, http_address, port, say
from model.game.store import ENV_VAR
from model.i18n import join_list, tr
from model.serving import (
    BASE_URL_ENV,
    WILDCARDS,
    is_local,
    links_base,
    nginx_config,
    record_server,
    streamlit_static_root,
)

APP = Path(__file__).resolve().parents[2] / "ui" / "serve.py"  # the pages and their watch route
START_TIMEOUT = 120.0


def streamlit_command(port: int, address: str) -> list[str]:
    """The Streamlit command line of one app process."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
        # Streamlit's own welcome lines are English; cmd_app says the same in the user's language
        "--logger.hideWelcomeMessage", "true",
        # Serving, not developing: no watching of source files (a poll of every module on
        # every run), and no full garbage collection after every run, which with thirty
        # pages polling cost the server two thirds of its time (issue 15).
        "--server.fileWatcherType", "none",
        "--runner.postScriptGC", "false",
    ]  # fmt: skip


def _environment(args: argparse.Namespace, base_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    env[BASE_URL_ENV] = base_url
    env[ENV_VAR] = args.db  # the very database the server's record names
    return env


DATABASE_WAIT_SECONDS = 10  # how long the start waits for the game database (assumption)


def _database_problem(db: str) -> str | None:
    """Why the game database cannot be used now (its tables opened or made), or None.

    Why: given a mistyped or unreachable ``--db``, the app started without a word and the
    teacher learnt of it from the game pages in front of the class. A server that does not
    answer is given :data:`DATABASE_WAIT_SECONDS` (a thread: the driver may wait minutes).
    """
    import threading

    from model.game.errors import GameError
    from model.game.store import GameStore

    found: list[GameError | None] = []

    def probe() -> None:
        try:
            GameStore(db).dispose()
            found.append(None)
        except GameError as err:
            found.append(err)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(DATABASE_WAIT_SECONDS)
    if not found:
        return tr("cli.app.database_silent", seconds=DATABASE_WAIT_SECONDS)
    err = found[0]
    return None if err is None else tr(err.key, **err.values)  # here: the thread has not the CLI's language


def cmd_app(args: argparse.Namespace) -> int:
    """Start the app headless (no prompt, no browser): one process, or several behind one address."""
    from model.game.store import database_url

    address = args.address or ("0.0.0.0" if args.classroom or args.processes > 1 else "127.0.0.1")
    if args.processes < 1:
        raise UserError(tr("cli.app.processes_min"))
    base_url = links_base(address, args.port, args.base_url)
    try:
        db = database_url(args.db)
    except OSError as err:
        raise UserError(f"{args.db}: {err}") from err
    args.db = db
    problem = _database_problem(db)
    if problem:  # the explorer still serves; the game pages say the same until the database answers
        say(tr("cli.app.database_warning", message=problem))
    say(tr("cli.serving", url=f"http://{address}:{args.port}"))
    say(tr("cli.app.links", url=base_url))
    if is_local(base_url):
        if args.classroom or address in WILDCARDS:
            say(tr("cli.app.no_lan"))
        else:
            say(tr("cli.app.local_only"))
    record_server(os.getpid(), args.port, base_url, db)
    env = _environment(args, base_url)
    if args.processes == 1:
        # Become Streamlit (no child process): a supervisor or test that stops this process
        # stops the server and frees its port at once.
        os.execve(sys.executable, streamlit_command(args.port, address), env)
    return _school(args, address, env)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def nginx_binary() -> str:
    """Debian's nginx, or a clear error."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        raise UserError(tr("cli.app.no_nginx"))
    return found


class _Children:
    """Processes started here, stopped together (SIGTERM, then SIGKILL)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _front(children: _Children, config: str, prefix: Path) -> subprocess.Popen:
    """Start nginx with ``config`` (:func:`~model.serving.nginx_config`, its files under ``prefix``)."""
    binary = nginx_binary()
    prefix.mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o777)  # nginx's workers may run as another user (www-data) when we are root
    conf = prefix / "nginx.conf"
    conf.write_text(config, encoding="utf-8")
    check = subprocess.run([binary, "-t", "-q", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    if check.returncode != 0:
        raise UserError(tr("cli.app.nginx_refused", message=check.stderr.strip()))
    return children.start([binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"])


def _wait(children: _Children) -> int:
    """Run until interrupted or the front stops; then stop everything."""
    stop = {"now": False}

    def _stop(*_: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        while not stop["now"]:
            if children.procs[-1].poll() is not None:
                say(tr("cli.app.front_stopped"))
                return 1
            time.sleep(0.5)
    finally:
        children.stop()
    return 0


def _school(args: argparse.Namespace, address: str, env: dict[str, str]) -> int:
    """N app processes on local ports, nginx on ``address:port`` in front of them."""
    children = _Children()
    try:
        ports = [_free_port() for _ in range(args.processes)]
        for port in ports:
            children.start(streamlit_command(port, "127.0.0.1"), env)
        deadline = time.monotonic() + START_TIMEOUT
        while not all(_healthy(p) for p in ports):
            if time.monotonic() > deadline or any(p.poll() is not None for p in children.procs):
                raise UserError(tr("cli.app.process_failed"))
            time.sleep(0.3)
        prefix = Path(tempfile.mkdtemp(prefix="rapprochement-front-"))
        listen = f"[{address}]:{args.port}" if ":" in address else f"{address}:{args.port}"
        upstreams = [f"127.0.0.1:{p}" for p in ports]
        _front(children, nginx_config(upstreams, listen, prefix, streamlit_static_root()), prefix)
        say(tr("cli.app.school", processes=args.processes, ports=join_list(map(str, ports), short=True), listen=listen))
    except BaseException:
        children.stop()
        raise
    return _wait(children)


def cmd_proxy(args: argparse.Namespace) -> int:
    """Run (or print the configuration of) the front for app processes on other machines."""
    if not args.upstream:
        raise UserError(tr("cli.app.no_upstream"))
    prefix = Path(args.prefix or tempfile.mkdtemp(prefix="rapprochement-front-"))
    try:
        text = nginx_config(args.upstream, args.listen, prefix, streamlit_static_root())
    except ValueError as err:
        raise UserError(str(err)) from err
    if args.print_config:
        print(text, end="")
        return 0
    children = _Children()
    _front(children, text, prefix)  # the configuration --print-config shows
    say(tr("cli.app.proxy", listen=args.listen, upstreams=join_list(args.upstream, short=True)))
    return _wait(children)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``app`` and ``proxy``."""
    a = subparsers.add_parser("app", help=tr("cli.help.app"))
    a.add_argument("--port", type=port, default=8501, help=tr("cli.help.port", default=8501))
    a.add_argument("--address", default=None, help=tr("cli.help.address"))
    a.add_argument("--db", help=tr("cli.help.app_db"))
    a.add_argument("--classroom", action="store_true", help=tr("cli.help.classroom"))
    a.add_argument("--processes", type=int, default=1, help=tr("cli.help.processes"))
    a.add_argument("--base-url", type=http_address, help=tr("cli.help.app_base_url"))
    a.set_defaults(handler=cmd_app)

    p = subparsers.add_parser("proxy", help=tr("cli.help.proxy"))
    p.add_argument("--upstream", action="append", default=[], help=tr("cli.help.upstream"))
    p.add_argument("--listen", default="0.0.0.0:8501", help=tr("cli.help.listen", default="0.0.0.0:8501"))
    p.add_argument("--prefix", help=tr("cli.help.prefix"))
    p.add_argument("--print-config", action="store_true", help=tr("cli.help.print_config"))
    p.set_defaults(handler=cmd_proxy)
