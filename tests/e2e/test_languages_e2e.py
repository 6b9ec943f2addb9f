"""Every page in Korean and in Japanese, in headless Chromium, with a turn of a class played.

A class in Seoul plays one turn from links that carry ``?lang=ko``: the instructor starts the
game, the Seoul team submits a decision and a statement, the instructor resolves the turn. Then,
in each language, every page (home, explore with a run, the history replay with a run, compare
with a run, model and data, the game's creation form, play, instructor, join, projector,
debrief) is opened from a link with ``?lang=``, and its text,
folded sections and hidden tabs included, is read. No English sentence may be left (three or
more English words in a row) beyond the short list below (names, codes, file names, and the few
strings Streamlit itself draws), and Japanese joins a label to its text with Japanese
punctuation (「ラベル：本文」, not an English colon); each page is kept as a whole-page screenshot in
``var/artifacts/screenshots`` (``RAPPROCHEMENT_ARTIFACTS`` moves it) for a person to look at.

Lean on purpose: one server for the module, one game, one browser context per language, each
page opened once. Charts and tables draw on a canvas, so their texts are checked through the
translation layer's own tests instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from model.catalogue import load_catalogue
from model.game.setup import create_game, scenario_file
from model.game.store import GameStore
from model.i18n import tr
from tests.support.app_server import ROOT, AppServer
from tests.support.artifacts import artifacts_dir
from tests.support.browser import BrowserSession
from tests.support.languages import english_left
from tests.support.seat_form import choose_decisions, statement_box

RUN_TIMEOUT_MS = 120_000
LANGS = ("ko", "ja")
SCRIPT = {"ko": re.compile(r"[\uac00-\ud7a3]"), "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")}
# Japanese, then an English colon or comma, then Japanese: texts joined in code, not by the
# translation layer (list.label_text, join_list), which joins them with ：and 、 in Japanese
JA_COLON = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff）」)\d][:,] [\u3040-\u30ff\u4e00-\u9fff（「]")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[AppServer]:
    """One app server for every page in both languages."""
    db = tmp_path_factory.mktemp("languages") / "game.db"
    app = AppServer(db_url=f"sqlite:///{db}")
    try:
        app.start()
        yield app
    finally:
        app.close()


def page_text(page: Page) -> str:
    """The text a reader sees: the main area and the sidebar (navigation, settings)."""
    parts = [page.locator('[data-testid="stMain"]').inner_text()]
    sidebar = page.locator('[data-testid="stSidebar"]')
    if sidebar.count():
        parts.append(sidebar.inner_text())
    return "\n".join(parts)


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_load_state("load")  # not "networkidle": a game page holds its watch's question open
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=RUN_TIMEOUT_MS)


# Folded sections and other tabs are in the page, only hidden: show them all, then read.
REVEAL = """main => {
    main.querySelectorAll('details').forEach(d => { d.open = true; });
    main.querySelectorAll('[role="tabpanel"]').forEach(p => { p.hidden = false; p.style.display = 'block'; });
    return main.innerText;
}"""


def reveal(page: Page) -> str:
    """The text of the main area with every folded section open and every tab shown, and the sidebar."""
    parts = [page.locator('[data-testid="stMain"]').evaluate(REVEAL)]
    sidebar = page.locator('[data-testid="stSidebar"]')
    if sidebar.count():
        parts.append(sidebar.inner_text())
    return "\n".join(parts)


def screenshot(page: Page, path: str) -> None:
    """The whole page: the main area scrolls inside the window, so the window grows to its height."""
    height = page.locator('[data-testid="stMain"]').evaluate("m => m.scrollHeight")
    size = page.viewport_size or {"width": 1280}
    page.set_viewport_size({"width": size["width"], "height": max(800, min(int(height) + 40, 16_000))})
    page.wait_for_timeout(500)  # charts redraw at the new size
    # a page that reruns on a poll shows grey placeholders for a moment: shoot once they are gone
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=RUN_TIMEOUT_MS)
    page.screenshot(path=path)


def check(page: Page, lang: str, name: str) -> None:
    """Written in the reader's language, no English sentence, no traceback; keep a screenshot."""
    settle(page)
    screenshot(page, str(artifacts_dir("screenshots") / f"{lang}-{name}.png"))
    text = reveal(page)
    assert not page.locator('[data-testid="stException"]').count(), (lang, name)
    assert len(SCRIPT[lang].findall(text)) > 40, (lang, name, text[:300])
    left = english_left(text)
    assert not left, f"{lang} {name}: English left in the page: {left[:10]}"
    if lang == "ja":
        assert not JA_COLON.findall(text), f"ja {name}: English punctuation in Japanese: {JA_COLON.findall(text)[:5]}"


def shown_instead(page: Page, selector: str) -> tuple[str, str]:
    """What a reader sees of an element whose words the app replaces: its own text, and ours."""
    element = page.locator(selector).first
    element.wait_for(state="attached")
    return element.inner_text(), element.evaluate("e => getComputedStyle(e, '::after').content")


def streamlit_words_in_language(page: Page, lang: str) -> None:
    """Streamlit's own hints and the file uploader's words read in the language, not in English."""
    runs = page.get_by_label(tr("explore.runs", lang), exact=True)
    runs.fill("150")
    text, ours = shown_instead(page, '[data-testid="InputInstructions"]')
    assert "Press" not in text and tr("widget.enter_apply", lang) in ours, (text, ours)
    runs.press("Enter")
    page.get_by_text(tr("explore.source_upload", lang), exact=True).click()
    zone = '[data-testid="stFileUploaderDropzone"]'
    button = f'{zone} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p'
    text, ours = shown_instead(page, button)
    assert "Upload" not in text and tr("widget.upload", lang) in ours, (text, ours)
    text, ours = shown_instead(page, f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] span')
    assert "per file" not in text and "YAML" in ours, (text, ours)
    english = english_left(reveal(page))
    assert not english, english


def label(decision: str, lang: str) -> str:
    return load_catalogue().label("decision", decision, lang)


@pytest.fixture(scope="module")
def game(server: AppServer, _chromium) -> Iterator[dict]:
    """A class in Seoul, its links in Korean: start, the Seoul team submits, turn 1 resolves.

    The same game's pages are then read in each language (a seat's page follows its link).
    """
    store = GameStore(server.db_url)
    try:
        text = scenario_file("baseline-2026").read_text(encoding="utf-8")
        new = create_game(store, text, ["seoul", "tokyo"], seed=3, turns=3)
    finally:
        store.dispose()
    session = BrowserSession(_chromium)
    context = session.new_context(locale="en-US")  # the links, not the browser, say the language
    lang = "ko"

    def open_page(path: str, code: str) -> Page:
        page = context.new_page()
        page.goto(f"{server.url}/{path}?game={new.id}&code={code}&lang={lang}")
        return page

    try:
        instructor = open_page("instructor", new.instructor_code)
        instructor.get_by_role("button", name=tr("game.instructor.start", lang)).click()
        seoul = open_page("play", new.seat_codes["seoul"])
        seoul.get_by_role("button", name=tr("game.play.submit", lang)).wait_for()
        choice = label("seoul_propose_summit", lang)
        choose_decisions(seoul, [choice])
        statement_box(seoul).fill("우리의 성명 / 私たちの声明")
        seoul.get_by_role("button", name=tr("game.play.submit", lang)).click()
        seoul.get_by_text(tr("game.play.submitted", lang, decisions=choice), exact=False).first.wait_for()
        instructor.get_by_role("button", name=tr("game.instructor.resolve", lang, turn=1)).click()
        seoul.get_by_text(tr("game.play.outcome", lang, turn=1), exact=True).wait_for(timeout=RUN_TIMEOUT_MS)
        yield {
            "play": ("play", new.seat_codes["seoul"]),
            "instructor": ("instructor", new.instructor_code),
            "projector": ("projector", new.viewer_code),
            "debrief": ("debrief", new.viewer_code),
            "id": new.id,
        }
    finally:
        session.close()


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_reads_in_the_language_of_the_link(
    server: AppServer, browser: BrowserSession, game: dict, lang: str
):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 2000})

    home = context.new_page()
    home.goto(f"{server.url}/?lang={lang}")
    home.get_by_role("heading", name=tr("app.title", lang)).wait_for()
    check(home, lang, "home")

    explore = context.new_page()
    explore.goto(f"{server.url}/explore?lang={lang}")
    explore.get_by_role("button", name=tr("explore.run", lang), exact=True).click()
    explore.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=RUN_TIMEOUT_MS)
    check(explore, lang, "explore")

    streamlit_words_in_language(explore, lang)

    history = context.new_page()
    history.goto(f"{server.url}/explore?scenario=history-2012-2025&lang={lang}")
    history.get_by_role("button", name=tr("explore.run", lang), exact=True).click()
    history.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=RUN_TIMEOUT_MS)
    check(history, lang, "history")

    compare = context.new_page()
    compare.goto(f"{server.url}/compare?lang={lang}")
    compare.get_by_role("button", name=tr("compare.run", lang), exact=True).click()
    compare.get_by_text(tr("compare.difference", lang), exact=True).wait_for(timeout=RUN_TIMEOUT_MS)
    check(compare, lang, "compare")

    model = context.new_page()
    model.goto(f"{server.url}/model?lang={lang}")
    model.get_by_role("heading", name=tr("modeldata.title", lang)).wait_for()
    check(model, lang, "model-data")
    # folded sections are read too: the data's provenance note, in the reader's language
    first_line = (ROOT / "model" / "data" / f"README.{lang}.md").read_text(encoding="utf-8").splitlines()[0]
    assert first_line.lstrip("# ") in reveal(model)

    create = context.new_page()
    create.goto(f"{server.url}/instructor?lang={lang}")
    create.get_by_role("button", name=tr("game.instructor.create", lang)).wait_for()
    check(create, lang, "game-creation")

    join = context.new_page()  # the join screen is opened from the teacher's page, which hands it the links
    path, code = game["instructor"]
    join.goto(f"{server.url}/{path}?game={game['id']}&code={code}&lang={lang}")
    join.get_by_role("tab", name=tr("game.instructor.links", lang)).click(timeout=RUN_TIMEOUT_MS)
    join.get_by_role("button", name=tr("game.instructor.open_join_screen", lang)).click()
    join.locator('[data-testid="stImage"] img, [data-testid="stFullScreenFrame"] img').first.wait_for()
    check(join, lang, "join")

    for name in ("play", "instructor", "projector", "debrief"):
        path, code = game[name]
        page = context.new_page()
        page.goto(f"{server.url}/{path}?game={game['id']}&code={code}&lang={lang}")
        page.get_by_text(tr("game.common.turn_of", lang, turn=2, turns=3)).first.wait_for(timeout=RUN_TIMEOUT_MS)
        check(page, lang, name)
