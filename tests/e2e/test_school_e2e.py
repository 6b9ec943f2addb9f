"""A school: two app servers on one PostgreSQL game, and nginx's one address in front of them.

Seats open on either server (and through the front), the teacher on either; every page learns
of every resolve and of an injected crisis, whichever server took the click. Through the front
each browser is given a process and keeps it (Streamlit's session lives in one process).
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page

from model.catalogue import load_catalogue
from model.cli import UserError
from model.cli.app import nginx_binary
from model.game.engine import Game
from model.game.replay import LOBBY, RUNNING
from model.game.store import GameStore
from model.i18n import tr
from tests.e2e.test_game_e2e import choose_and_submit
from tests.support import unavailable
from tests.support.app_server import RAPPROCHEMENT, ROOT, AppServer
from tests.support.browser import BrowserSession
from tests.support.pg_server import create_database, drop_database, free_port

TURNS = 3
COOKIE = "rapprochement_node"


@pytest.fixture
def school(pg_url: str, tmp_path: Path):
    """Two app servers on one new PostgreSQL database, and nginx in front of them."""
    try:
        nginx_binary()
    except UserError:
        unavailable("nginx not found: install Debian's nginx package (./dev test does)")
    url = create_database(pg_url, prefix="school")
    servers = [AppServer(db_url=url), AppServer(db_url=url)]
    front = None
    try:
        for server in servers:
            server.start()
        port = free_port()
        front = subprocess.Popen(
            [str(RAPPROCHEMENT), "proxy", "--listen", f"127.0.0.1:{port}", "--prefix", str(tmp_path / "front")]
            + [a for s in servers for a in ("--upstream", f"127.0.0.1:{s.port}")],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        front_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while not _answers(front_url):
            assert front.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.2)
        yield url, servers, front_url
    finally:
        if front is not None:
            front.terminate()
            front.wait(30)
        for server in servers:
            server.close()
        drop_database(url)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def ask(url: str) -> tuple[int, dict]:
    """Status and JSON of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def on(base: str, link: str) -> str:
    """The same page of the game, at another address."""
    return base + link[link.index("/", len("http://")) :]


def turn_heading(turn: int) -> str:
    return tr("game.common.turn_of", turn=turn, turns=TURNS)


def wait_all(pages: list[Page], text: str) -> None:
    for page in pages:
        page.get_by_text(text, exact=False).first.wait_for()


def test_two_servers_one_postgresql_game_every_page_sees_every_resolve(school, browser: BrowserSession):
    """Seats and teachers spread over two servers and the front; resolves from either reach all."""
    url, (a, b), front = school
    created = subprocess.run(
        [str(RAPPROCHEMENT), "game", "new", "baseline-2026", "--seats", "seoul,tokyo,washington,kr_public",
         "--turns", str(TURNS), "--seed", "3", "--db", url, "--base-url", front],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=True,
    )  # fmt: skip
    game = json.loads(created.stdout)
    seats, teacher = game["seats"], game["instructor"]["link"]
    watch = f"/_rapprochement/watch/{game['game']}?code="
    lobby = {"seq": 0, "mark": [0, LOBBY, 0, None, 0]}  # the mark: turn, status, branch, deadline, injects
    for server in (a.url, b.url, front):  # the route every page's watch asks, on every process
        assert ask(server + watch + seats["seoul"]["code"]) == (200, lobby)
        assert ask(server + watch + "WRONGCODE123")[0] == 404
    t0 = time.monotonic()  # a question held open: answered when its time is up if nothing moved
    assert ask(a.url + watch + seats["seoul"]["code"] + "&after=0&wait=1.5") == (200, lobby)
    assert time.monotonic() - t0 >= 1.4
    assert teacher.startswith(front)  # the links name the one address students use
    seoul_sent: list[float] = []  # when the Seoul page sent anything to its server (a run asked for)
    seoul = browser.new_page()
    seoul.on("websocket", lambda ws: ws.on("framesent", lambda _frame: seoul_sent.append(time.monotonic())))
    seoul.goto(on(a.url, seats["seoul"]["link"]))
    pages = {
        "seoul@A": seoul,
        "tokyo@B": browser.new_page(on(b.url, seats["tokyo"]["link"])),
        "washington@front": browser.new_page(seats["washington"]["link"]),
        "kr_public@front": browser.new_page(seats["kr_public"]["link"]),
        "projector@B": browser.new_page(on(b.url, game["viewer"]["projector"])),
    }
    teacher_a = browser.new_page(on(a.url, teacher))
    teacher_b = browser.new_page(on(b.url, teacher))
    everyone = [*pages.values(), teacher_a, teacher_b]

    # Through the front, each browser got a process, and kept it for its session.
    contexts = (pages["washington@front"].context, pages["kr_public@front"].context)
    nodes = {c["value"] for ctx in contexts for c in ctx.cookies(front) if c["name"] == COOKIE}
    assert nodes == {"node0", "node1"}

    teacher_a.get_by_role("button", name=tr("game.instructor.start")).click()
    seat_pages = [p for name, p in pages.items() if not name.startswith("projector")]
    wait_all(seat_pages, tr("game.play.submit"))
    choose_and_submit(pages["seoul@A"], ["seoul_propose_summit"], "Seoul, from server A.")
    time.sleep(1.0)  # the Seoul page has settled after its own submission
    quiet_since = time.monotonic()
    choose_and_submit(pages["tokyo@B"], ["tokyo_propose_summit"], "Tokyo, from server B.")
    for said in ("Tokyo, from server B", "Seoul, from server A"):  # the teacher's live list of statements
        teacher_b.locator('[data-testid="stMarkdownContainer"]', has_text=said).first.wait_for()
    time.sleep(3.0)  # the Seoul page's watch has heard of Tokyo's submission (within 0.5 s across processes)
    # ... and let it pass: another seat's submission changes nothing a seat's page shows, so
    # thirty seat pages do not each run their script for it
    assert [t for t in seoul_sent if t > quiet_since] == []
    assert ask(b.url + watch + seats["seoul"]["code"])[1]["mark"] == [0, RUNNING, 0, None, 0]

    teacher_a.get_by_role("button", name=tr("game.instructor.resolve", turn=1)).click()
    wait_all(everyone, turn_heading(2))
    pages["projector@B"].get_by_text(tr("game.projector.statements", turn=1)).wait_for()

    store = GameStore(url)  # a third teacher, from the command line's side: the crisis reaches all
    try:
        Game(store, game["game"]).inject(game["instructor"]["code"], "nuclear_test")
    finally:
        store.dispose()
    news = tr("game.news.breaking", event=load_catalogue().label("event", "nuclear_test"))
    wait_all([*seat_pages, pages["projector@B"]], news)

    teacher_b.get_by_role("button", name=tr("game.instructor.resolve", turn=2)).click()
    wait_all(everyone, turn_heading(3))
    for name, page in pages.items():
        assert page.get_by_text(news).count() == 0, name  # last turn's news is no longer breaking
    for server in (a, b):  # pages that ask the route, not a timer each, do not fill the log with
        # stale fragment runs (the issue saw them at every poll); Streamlit may still log one when a
        # full rerun and a fragment's rerun cross, which it calls harmless (seen once in CI)
        assert server.log().count("does not exist anymore") <= 2, server.log()[-2000:]
        assert "Traceback" not in server.log(), server.log()[-2000:]


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a GET that accepts gzip."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def test_the_front_serves_streamlits_files_itself_compressed_and_cached(school):
    """Every page of a school fetches the same front-end files: nginx sends them, compressed, cached for good.

    The app processes served them uncompressed (a seat page: 148 requests, 5.6 MB); a file the front
    does not have (another Streamlit version behind it) still comes from them.
    """
    _, (a, _), front = school
    _, headers, index = fetch(front + "/")
    assert headers.get("content-encoding") == "gzip"  # the page itself comes from an app process, compressed
    script = re.search(rb'src="\./(static/js/[^"]+\.js)"', gzip.decompress(index)).group(1).decode()
    status, headers, body = fetch(f"{front}/{script}")
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert "x-rapprochement-node" not in headers  # nginx's own answer, not an app process's
    assert headers["content-type"] == "application/javascript"
    assert "immutable" in headers["cache-control"]
    _, _, direct = fetch(f"{a.url}/{script}")
    assert gzip.decompress(body) == direct and len(body) < len(direct) / 2
    status, headers, _ = fetch(f"{front}/static/js/not-on-the-fronts-disk.js")
    assert headers.get("x-rapprochement-node") in ("node0", "node1")  # asked of an app process
