"""A teacher tries every link of a class in one browser window: the seventh tab does not stall.

A browser keeps at most six requests open to one address, shared by all its tabs. Every game
page's watch holds one question open at the app's route (``ui/serve.py``), so six tabs holding
theirs would leave a seventh tab's page without a connection for up to the route's wait. A tab
that is put away (``document.visibilityState`` "hidden") therefore lets its question go and asks
quick ones (``wait=0``) every few seconds instead (``ui/components/watch``, ``ui/components/seat``).

Headless Chromium shows every page of a context as visible, so the test tells the pages' frames
that they are hidden (and sends them ``visibilitychange``), as a browser does with a tab in the
background; what the watch then asks, and whether every tab learns of the resolve, is real.
It checks that each tab put away lets its held question go and asks only quick ones from then
on (it fails on a watch that ignores visibility), and that all seven tabs show the resolve.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, Request

from model.game.engine import Game
from model.game.setup import SEATS, create_game, scenario_file
from model.game.store import GameStore
from model.i18n import tr
from tests.support.app_server import AppServer
from tests.support.browser import BrowserSession

TURNS = 2
ROUTE = "/_rapprochement/watch/"

# Every frame of a page (the teacher's and the projector's watch runs in a component's frame, a
# seat's in the page itself) reads its visibility from the page's top window, which the test sets.
HIDDEN_WHEN_TOLD = """
(() => {
  const state = () => { try { return window.top.__tabHidden ? "hidden" : "visible"; } catch (e) { return "visible"; } };
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: state });
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => state() === "hidden" });
})();
"""

PUT_AWAY = """() => {
  window.__tabHidden = true;
  for (const w of [window, ...Array.from(window.frames)]) w.document.dispatchEvent(new Event("visibilitychange"));
}"""


def waits(requests: list[Request]) -> list[str]:
    """The ``wait`` of each question a page's watch asked."""
    return [parse_qs(urlsplit(r.url).query).get("wait", ["?"])[0] for r in requests]


def test_a_seventh_tab_of_one_browser_learns_of_the_resolve(app_server: AppServer, browser: BrowserSession):
    store = GameStore(app_server.db_url)
    try:
        new = create_game(
            store, scenario_file("baseline-2026").read_text(encoding="utf-8"), list(SEATS), seed=4, turns=TURNS
        )
    finally:
        store.dispose()
    base = app_server.url
    links = [f"{base}/instructor?game={new.id}&code={new.instructor_code}"]
    links += [f"{base}/play?game={new.id}&code={new.seat_codes[seat]}" for seat in SEATS]
    links.append(f"{base}/projector?game={new.id}&code={new.viewer_code}")
    assert len(links) == 7

    window = browser.new_context()  # one browser window: its tabs share the six connections
    window.add_init_script(HIDDEN_WHEN_TOLD)
    asked: dict[Page, list[Request]] = defaultdict(list)
    let_go: dict[Page, list[Request]] = defaultdict(list)
    window.on("request", lambda r: asked[r.frame.page].append(r) if ROUTE in r.url else None)
    window.on("requestfailed", lambda r: let_go[r.frame.page].append(r) if ROUTE in r.url else None)

    tabs: list[Page] = []
    held_when_put_away: dict[Page, int] = {}
    for link in links[:6]:  # the teacher opens a link, looks, and opens the next in a new tab
        tab = window.new_page()
        with tab.expect_request(lambda r: ROUTE in r.url and "wait=20" in r.url):  # its question, held open
            tab.goto(link)
        held_when_put_away[tab] = len(asked[tab])
        tab.evaluate(PUT_AWAY)
        tabs.append(tab)
    seventh = window.new_page()
    seventh.goto(links[6])
    seventh.get_by_text(tr("game.projector.fan")).first.wait_for()
    tabs.append(seventh)

    game = Game(GameStore(app_server.db_url), new.id)
    try:
        game.start(new.instructor_code)
        game.resolve(new.instructor_code, 0)
    finally:
        game.store.dispose()
    turn_two = tr("game.common.turn_of", turn=2, turns=TURNS)
    for tab in tabs:
        tab.get_by_text(turn_two).first.wait_for()

    for tab in tabs[:6]:
        assert let_go[tab], "a tab put away kept its question open"
        after = waits(asked[tab][held_when_put_away[tab] :])
        assert after and set(after) == {"0"}, after  # only quick questions from then on
    assert "20" in waits(asked[seventh])  # the tab in front holds its question open
