"""Serving the app to a class or a school: the address students reach, and several processes.

A class's links must point where students' devices can reach the server: not ``localhost``
(their own device) but the teacher's machine on the school network. :func:`lan_address`
finds that address; :func:`is_local` tells a link that only the serving machine can open.

A running server leaves a small record (its links' address and its database) in a state
folder, so that ``rapprochement game new`` run on the same machine prepares games in the same
database with links to the same address, without repeating ``--db`` and ``--base-url``.

A school runs several app processes (on one machine or several) behind one address: each
Streamlit process holds its browsers' sessions, so a browser must keep talking to the process
that served its page. :func:`nginx_config` writes the configuration of Debian's nginx that
does this: a browser without a cookie goes to the next process in turn and is given a cookie
naming it; with the cookie it stays there (and moves to another if its process is down).
Games live in one database (PostgreSQL for several machines), so a seat on one process and
the teacher on another play the same game.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import re
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from model.i18n import tr

STATE_ENV = "RAPPROCHEMENT_STATE_DIR"
BASE_URL_ENV = "RAPPROCHEMENT_BASE_URL"
COOKIE = "rapprochement_node"
WILDCARDS = ("0.0.0.0", "::", "")
# The types of the files of Streamlit's front end (browsers run a script only if its type says so).
STATIC_TYPES = {
    "js": "application/javascript",
    "css": "text/css",
    "json": "application/json",
    "html": "text/html",
    "svg": "image/svg+xml",
    "png": "image/png",
    "gif": "image/gif",
    "woff2": "font/woff2",
}
# What nginx compresses (text/html always): Streamlit's scripts, styles and JSON answers.
COMPRESSED_TYPES = (
    "application/javascript",
    "text/javascript",
    "text/css",
    "application/json",
    "image/svg+xml",
    "text/plain",
)
# Addresses that no packet is sent to: connecting a UDP socket only picks the interface that
# would carry it, which is the machine's address on that network.
_PROBES = ("10.255.255.255", "172.31.255.255", "192.168.255.255", "192.0.2.1")


def is_local(url_or_host: str) -> bool:
    """Whether a link or host can only be opened on the serving machine itself."""
    host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host
    host = (host or "").strip("[]").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def lan_address() -> str | None:
    """The machine's IPv4 address on its network (the one students' devices can reach).

    Returns:
        The address, or None when the machine has none but loopback.
    """
    for probe in _PROBES:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                address = sock.getsockname()[0]
        except OSError:
            continue
        if not is_local(address):
            return address
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    for info in infos:
        address = str(info[4][0])
        if not is_local(address):
            return address
    return None


def links_base(address: str, port: int, base_url: str | None = None) -> str:
    """Where a server's join links point: ``base_url`` if given, else its network address.

    A server listening on every interface (``0.0.0.0``) is reached at the machine's network
    address; one listening on a single interface at that interface.
    """
    if base_url:
        return base_url.rstrip("/")
    host = address
    if address in WILDCARDS:
        host = lan_address() or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


# ----- the running servers' record -------------------------------------------------------


def state_dir() -> Path:
    """Where running servers leave their record (``$RAPPROCHEMENT_STATE_DIR`` or XDG state)."""
    explicit = os.environ.get(STATE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "rapprochement"


@dataclass(frozen=True)
class ServerRecord:
    """A running app server: where its links point and where its games live."""

    pid: int
    port: int
    base_url: str
    db: str
    started: float


def record_server(pid: int, port: int, base_url: str, db: str) -> Path:
    """Leave the record of a server that is starting (replacing an old one on its port)."""
    folder = state_dir() / "servers"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{port}.json"
    record = ServerRecord(pid, port, base_url, db, time.time())
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(record)), encoding="utf-8")
    tmp.replace(path)
    return path


def _alive(pid: int) -> bool:
    """Whether a process with that id runs and is a Python (our server, not a reused id)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc here: trust the id
    return b"streamlit" in command or b"rapprochement" in command


def running_servers() -> list[ServerRecord]:
    """The servers of this machine that are running, the most recently started first."""
    folder = state_dir() / "servers"
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            record = ServerRecord(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            continue
        if _alive(record.pid):
            found.append(record)
    return sorted(found, key=lambda r: -r.started)


# ----- several processes behind one address ----------------------------------------------


def nginx_config(upstreams: list[str], listen: str, prefix: Path | str, static_root: Path | None = None) -> str:
    """An nginx configuration that puts several app processes behind one address.

    Args:
        upstreams: The app processes as ``host:port`` (on this machine or others).
        listen: What nginx listens on (``0.0.0.0:8501``, ``8501``, ...).
        prefix: A folder nginx may write its pid, error log and buffers into.
        static_root: The folder of Streamlit's own front-end files (``streamlit/static`` of
            the installed package, see :func:`streamlit_static_root`), or None.

    Returns:
        The configuration text (for ``nginx -p PREFIX -c FILE``). A browser without the
        ``rapprochement_node`` cookie is sent to the next process in turn (round robin) and
        given the cookie naming the process that answered; with the cookie it stays on that
        process, and on another one while that one is down. Websockets (Streamlit's session)
        pass through; the ``Host`` header is kept, so the app sees the address students used.

        Every page of a class fetches the same few megabytes of Streamlit's front end (a seat
        page: 148 requests, 5.6 MB), which its app processes serve uncompressed. So nginx compresses what it sends
        (a school's pages share one network), and with ``static_root`` it serves those files
        from disk itself, cached for good as Streamlit does (their names hold their hash): the
        app processes keep their cores for the games. A file not on disk there (another
        Streamlit version behind the front) is asked of the app processes as before.
    """
    if not upstreams:
        raise ValueError(tr("cli.app.no_process"))
    upstreams = [_numeric(u) for u in upstreams]
    prefix = Path(prefix)
    nodes = [f"node{i}" for i in range(len(upstreams))]
    lines = [
        "# Generated by rapprochement (model/serving.py): app processes behind one address.",
        "worker_processes 1;",
        f"error_log {prefix / 'error.log'} warn;",
        f"pid {prefix / 'nginx.pid'};",
        "events { worker_connections 4096; }",
        "http {",
        "    access_log off;",
        *(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
        "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
        "    upstream rapprochement_any {",
        *(f"        server {u} max_fails=1 fail_timeout=5s;" for u in upstreams),
        "    }",
    ]
    for i, (node, upstream) in enumerate(zip(nodes, upstreams, strict=True)):
        others = [u for j, u in enumerate(upstreams) if j != i]
        lines += [
            f"    upstream rapprochement_{node} {{",
            f"        server {upstream} max_fails=1 fail_timeout=5s;",
            *(f"        server {u} backup;" for u in others),
            "    }",
        ]
    lines += [
        f"    map $cookie_{COOKIE} $rapprochement_upstream {{",
        "        default rapprochement_any;",
        *(f"        {node} rapprochement_{node};" for node in nodes),
        "    }",
        "    map $upstream_addr $rapprochement_served {  # the process that answered (the last tried)",
        '        default "";',
        *(f'        "~(^|, ){re.escape(u)}$" {node};' for node, u in zip(nodes, upstreams, strict=True)),
        "    }",
        "    gzip on;",
        "    gzip_comp_level 5;",
        "    gzip_min_length 1024;",
        f"    gzip_types {' '.join(COMPRESSED_TYPES)};",
        "    gzip_vary on;",
        "    server {",
        f"        listen {listen};",
        "        location / {",
        *_proxied(),
        "        }",
    ]
    if static_root is not None:
        lines += [
            "        location /static/ {  # Streamlit's front end: the same files for every page",
            f'            root "{static_root}";',
            "            types {",
            *(f"                {kind} {ext};" for ext, kind in STATIC_TYPES.items()),
            "            }",
            "            try_files $uri @app;",
            '            add_header Cache-Control "public, immutable, max-age=31536000";',
            "        }",
            "        location @app {",
            *_proxied(),
            "        }",
        ]
    lines += ["    }", "}"]
    return "\n".join(lines) + "\n"


def _proxied() -> list[str]:
    """A location's lines that pass a request (or a websocket) to the browser's app process."""
    return [
        "            proxy_pass http://$rapprochement_upstream;",
        "            proxy_http_version 1.1;",
        "            proxy_set_header Host $http_host;",
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "            proxy_set_header Upgrade $http_upgrade;",
        "            proxy_set_header Connection $connection_upgrade;",
        "            proxy_read_timeout 1d;",
        "            proxy_send_timeout 1d;",
        "            proxy_buffering off;",
        f'            add_header Set-Cookie "{COOKIE}=$rapprochement_served; Path=/; HttpOnly; SameSite=Lax" always;',
        "            add_header X-Rapprochement-Node $rapprochement_served always;",
    ]


def streamlit_static_root() -> Path | None:
    """The folder of the installed Streamlit's front-end files, found without importing it.

    Its ``static/`` subfolder is what Streamlit serves at ``/static/``. None when Streamlit is
    not installed here (a front on a machine without the app).
    """
    spec = importlib.util.find_spec("streamlit")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "static"
    return root if (root / "static").is_dir() else None


def _numeric(upstream: str) -> str:
    """``host:port`` with the host as an IP address (nginx reports the address it reached)."""
    host, _, port = upstream.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise ValueError(tr("cli.app.bad_upstream", upstream=upstream))
    try:
        ipaddress.ip_address(host)
        address = host
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, int(port), proto=socket.IPPROTO_TCP)
            infos.sort(key=lambda info: info[0] != socket.AF_INET)  # IPv4 first, as most servers listen
            address = str(infos[0][4][0])
        except OSError as err:
            raise ValueError(tr("cli.app.no_address", host=host, message=err)) from err
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
