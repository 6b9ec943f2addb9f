"""Nothing a student can break, in headless Chromium on one app server (issue 14).

- Every page works without the internet: no request leaves the app's server (the ``browser``
  fixture fails any test whose pages ask another host; here every page is opened once).
- Hostile files uploaded in the explorer get the command line's messages while a team in
  another browser keeps playing a game on the same server.
- A team's statement with the issue's payloads reads as text on another team's page.
- A statement pasted over the limit stays in the box, and Submit says what to cut.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from playwright.sync_api import Page

from model.game.engine import Game
from model.game.store import GameStore
from model.i18n import tr
from model.limits import MAX_STATEMENT
from model.scenario import ScenarioError, parse_scenario
from tests.support import hostile, payloads
from tests.support.app_server import RAPPROCHEMENT, ROOT, AppServer
from tests.support.browser import BrowserSession
from tests.support.seat_form import choose_decisions, statement_box
from ui.plain_text import WORD_JOINER

LOAD_MS = 120_000  # a page's first load also imports the model and reads the catalogue


def new_game(server: AppServer, seats: str, turns: int) -> dict:
    """A game made as a teacher makes one, with ``rapprochement game new``."""
    result = subprocess.run(
        [str(RAPPROCHEMENT), "game", "new", "baseline-2026", "--seats", seats, "--turns", str(turns),
         "--seed", "3", "--db", server.db_url, "--base-url", server.url],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def visible(page: Page, selector: str) -> str:
    """The text a reader sees in the elements matching ``selector`` (joiners removed)."""
    return "\n".join(page.locator(selector).all_inner_texts()).replace(WORD_JOINER, "")


def test_no_page_asks_anything_of_another_host(app_server: AppServer, browser: BrowserSession):
    """Home, Explore, Compare, Model & data, a seat, the instructor, projector and debrief."""
    game = new_game(app_server, "seoul", 2)
    pages = {
        app_server.url + "/": tr("app.title"),
        app_server.url + "/explore": tr("explore.title"),
        app_server.url + "/compare": tr("compare.title"),
        app_server.url + "/model": tr("modeldata.title"),
        game["seats"]["seoul"]["link"]: tr("game.play.briefing"),
        game["instructor"]["link"]: tr("game.instructor.controls"),
        game["viewer"]["projector"]: tr("game.projector.fan"),
        game["viewer"]["debrief"]: tr("game.debrief.trajectory"),
    }
    page = browser.new_page()
    for url, heading in pages.items():
        page.goto(url)
        page.get_by_text(heading, exact=False).first.wait_for(timeout=LOAD_MS)
        page.wait_for_timeout(1000)  # the favicon and late assets
        assert "Traceback" not in page.content(), url
    assert browser.outside == [], browser.outside


def expected_lines(name: str, data: str | bytes) -> list[str]:
    """What the explorer must say of a file: the parser's problem texts (or the upload refusal)."""
    if isinstance(data, bytes):
        return [tr("explore.error_upload_encoding")]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, filename=name)
    return [p.message for p in info.value.problems]


def test_hostile_uploads_get_messages_while_another_browser_plays(app_server: AppServer, browser: BrowserSession):
    """Each hostile file gets its message in the explorer; meanwhile Seoul's page follows every turn."""
    files = hostile.all_refused()
    game = new_game(app_server, "seoul", len(files) + 1)
    store = GameStore(app_server.db_url)
    try:
        teacher = Game(store, game["game"])
        boss = game["instructor"]["code"]
        teacher.start(boss)
        seoul = browser.new_page(game["seats"]["seoul"]["link"])
        seoul.get_by_text(tr("game.common.turn_of", turn=1, turns=len(files) + 1)).wait_for(timeout=LOAD_MS)

        explorer = browser.new_page(app_server.url + "/explore")
        explorer.get_by_text(tr("explore.source_upload")).click()
        uploader = explorer.locator('[data-testid="stFileUploaderDropzoneInput"]')
        uploader.wait_for(state="attached", timeout=LOAD_MS)
        timings = []
        for turn, (name, data) in enumerate(files.items(), start=1):
            raw = data if isinstance(data, bytes) else data.encode("utf-8")
            started = time.monotonic()
            uploader.set_input_files(files=[{"name": name, "mimeType": "application/x-yaml", "buffer": raw}])
            teacher.resolve(boss, turn - 1)  # the class goes on while the file is read
            mark = name if isinstance(data, str) else tr("explore.error_upload_encoding")[:40]
            explorer.locator('[data-testid="stAlertContentError"]').filter(has_text=mark).first.wait_for()
            upload_seconds = time.monotonic() - started
            seoul.get_by_text(tr("game.common.turn_of", turn=turn + 1, turns=len(files) + 1)).wait_for()
            seat_seconds = time.monotonic() - started
            shown = visible(explorer, '[data-testid="stAlertContentError"]')
            for line in expected_lines(name, data):
                assert line in shown, (name, line, shown)
            timings.append((name, round(upload_seconds, 1), round(seat_seconds, 1)))
        print("\nupload message (s), seat on the next turn (s):", timings)
        assert "Traceback" not in explorer.content() and "Traceback" not in seoul.content()
    finally:
        store.dispose()


def choose(page: Page, decision_label: str) -> None:
    """Pick one decision in the seat's multiselect."""
    choose_decisions(page, [decision_label])


def test_a_statement_reads_as_text_on_the_other_teams_page(app_server: AppServer, browser: BrowserSession):
    """Seoul's statement with heading, colour, link and image: plain text on Tokyo's page."""
    from model.catalogue import load_catalogue

    game = new_game(app_server, "seoul,tokyo", 2)
    store = GameStore(app_server.db_url)
    try:
        Game(store, game["game"]).start(game["instructor"]["code"])
        seoul = browser.new_page(game["seats"]["seoul"]["link"])
        tokyo = browser.new_page(game["seats"]["tokyo"]["link"])
        seoul.get_by_role("button", name=tr("game.play.submit")).wait_for(timeout=LOAD_MS)
        choose(seoul, load_catalogue().label("decision", "seoul_propose_summit"))
        statement_box(seoul).fill(payloads.STATEMENT)
        seoul.get_by_role("button", name=tr("game.play.submit")).click()
        seoul.get_by_text(tr("game.play.submitted", decisions="").split(":")[0], exact=False).first.wait_for()
        Game(store, game["game"]).resolve(game["instructor"]["code"], 0)
        tokyo.get_by_text(tr("game.play.outcome", turn=1), exact=True).wait_for(timeout=LOAD_MS)
    finally:
        store.dispose()
    # the statement's own line (the text around it has a heading of the page's, with its anchor link)
    line = tokyo.locator(".rp-body li").filter(has_text="FAKE HEADING").last
    html = line.inner_html()
    assert "<h1" not in html and "<a " not in html and "<img" not in html and "color" not in html, html
    assert payloads.STATEMENT in line.inner_text().replace(WORD_JOINER, "")
    assert tokyo.locator("h1", has_text="FAKE HEADING").count() == 0


def test_a_pasted_statement_over_the_limit_stays_and_submit_says_what_to_cut(
    app_server: AppServer, browser: BrowserSession
):
    """A paste of 312 characters: in the box, not sent, a message; shortened, it is sent."""
    from model.catalogue import load_catalogue

    game = new_game(app_server, "seoul", 2)
    store = GameStore(app_server.db_url)
    try:
        teacher = Game(store, game["game"])
        teacher.start(game["instructor"]["code"])
        seoul = browser.new_page(game["seats"]["seoul"]["link"])
        seoul.get_by_role("button", name=tr("game.play.submit")).wait_for(timeout=LOAD_MS)
        choose(seoul, load_catalogue().label("decision", "seoul_propose_summit"))
        box = statement_box(seoul)
        long = "We will not be silenced. " * 13  # 325 characters, pasted at once
        box.click()
        seoul.keyboard.insert_text(long)
        assert box.input_value() == long
        seoul.get_by_role("button", name=tr("game.play.submit")).click()
        message = tr("game.play.statement_over", count=len(long.strip()), limit=MAX_STATEMENT)
        seoul.get_by_text(message).wait_for()
        assert box.input_value() == long
        assert [e.kind for e in store.entries(game["game"])].count("submission") == 0
        box.fill("Short and clear.")
        seoul.get_by_role("button", name=tr("game.play.submit")).click()
        seoul.get_by_text(tr("game.play.submitted", decisions="").split(":")[0], exact=False).first.wait_for()
        subs = [e.payload["statement"] for e in store.entries(game["game"]) if e.kind == "submission"]
        assert subs == ["Short and clear."]
    finally:
        store.dispose()


def test_the_join_screen_for_the_wall_carries_no_teachers_code(app_server: AppServer, browser: BrowserSession):
    """From the instructor's page to the join screen: QR codes, an address without any code."""
    game = new_game(app_server, "seoul,tokyo", 2)
    teacher = browser.new_page(game["instructor"]["link"])
    teacher.get_by_role("button", name=tr("game.instructor.open_join_screen")).click(timeout=LOAD_MS)
    teacher.get_by_text(tr("game.join.joined", done=0, total=2)).wait_for()
    assert "code=" not in teacher.url and teacher.url.endswith(f"/join?game={game['game']}")
    images = teacher.locator('[data-testid="stImage"] img, [data-testid="stFullScreenFrame"] img')
    images.first.wait_for()
    assert images.count() == 2
    content = teacher.content()
    assert game["instructor"]["code"] not in content
    assert all(entry["code"] not in content for entry in game["seats"].values())
    seoul = browser.new_page(game["seats"]["seoul"]["link"])
    seoul.get_by_text(tr("game.play.briefing")).wait_for(timeout=LOAD_MS)
    teacher.get_by_text(tr("game.join.joined", done=1, total=2)).wait_for()  # the wall sees Seoul join
    teacher.get_by_role("button", name=tr("game.join.hide")).click()
    teacher.get_by_text(tr("game.join.hidden")).wait_for()
    assert images.count() == 0
