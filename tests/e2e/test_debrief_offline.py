"""The debrief a class downloads, in Korean and in Japanese, read offline in Chromium.

The file must need nothing from the network, and its text, the SVG chart's labels included,
must be drawn by a font that has Hangul and kana (not boxes): Chromium's own report of the
platform fonts used for each node (DevTools ``CSS.getPlatformFontsForNode``) says which.
"""

from __future__ import annotations

import re

import pytest

from model.game.debrief import debrief_html
from model.game.engine import Game
from model.game.setup import create_game
from model.game.store import GameStore
from tests.support.artifacts import artifacts_dir
from tests.support.browser import BrowserSession

SCRIPT = {"ko": re.compile(r"[\uac00-\ud7a3]"), "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")}
SCENARIO = "baseline-2026"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A two-turn game with a statement in each language (a mixed class), every seat's choices."""
    from model.game.setup import scenario_file

    store = GameStore(f"sqlite:///{tmp_path_factory.mktemp('debrief') / 'g.db'}")
    text = scenario_file(SCENARIO).read_text(encoding="utf-8")
    new = create_game(store, text, ["seoul", "tokyo"], seed=4, turns=2)
    game = Game(store, new.id)
    game.start(new.instructor_code)
    game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], "대화를 제안합니다.", turn=0)
    game.submit(new.seat_codes["tokyo"], ["tokyo_propose_summit"], "対話を始めましょう。", turn=0)
    game.resolve(new.instructor_code, 0)
    game.resolve(new.instructor_code, 1)
    yield game
    store.dispose()


def fonts_for(cdp, selector: str) -> list[dict]:
    """The platform fonts Chromium used to draw the first node matching ``selector``."""
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_the_debrief_reads_offline_in_its_language(played, browser: BrowserSession, lang):
    game = played
    html = debrief_html(game.record, game.world(), lang=lang, places="both")
    assert f'<html lang="{lang}">' in html
    assert "Noto Sans CJK" in html and "sans-serif" in html  # CJK families named, with a fallback
    path = artifacts_dir("debrief") / f"debrief-{lang}.html"
    path.write_text(html, encoding="utf-8")

    context = browser.new_context(offline=True)
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(path.as_uri())
    assert [u for u in fetched if not u.startswith("file:")] == []  # nothing from outside

    body = page.inner_text("body")
    assert len(SCRIPT[lang].findall(body)) > 200  # the page is written in the reader's language
    assert "대화를 제안합니다." in body and "対話を始めましょう。" in body  # statements as written

    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    for selector in ("h1", "table td", "svg text:last-of-type"):
        used = fonts_for(cdp, selector)
        cjk = [f for f in used if "CJK" in f["familyName"] or "Noto Sans" in f["familyName"]]
        assert cjk and sum(f["glyphCount"] for f in cjk) > 0, (selector, used)
    page.screenshot(path=str(artifacts_dir("screenshots") / f"debrief-{lang}.png"), full_page=True)
