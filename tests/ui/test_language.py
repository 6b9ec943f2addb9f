"""Choosing the language: the browser's, a link's ``?lang=``, the sidebar; state survives a switch."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from model import i18n
from tests.ui.conftest import PAGES

TIMEOUT = 120
LANG = "settings_lang_widget"


def app(params: dict[str, str] | None = None, locale: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PAGES.parent / "app.py"), default_timeout=TIMEOUT)
    if locale:
        at.context = {"locale": locale}
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return at.run()


def no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_the_browser_language_is_the_first_choice(scenario_dir):
    """A reader whose browser speaks Korean gets the Korean app without choosing anything."""
    at = app(locale="ko-KR")
    no_traceback(at)
    assert at.selectbox(key=LANG).value == "ko"
    assert at.title[0].value == i18n.tr("app.title", "ko")


def test_an_unknown_browser_language_gives_english(scenario_dir):
    at = app(locale="fr-FR")
    assert at.selectbox(key=LANG).value == "en"
    assert at.title[0].value == i18n.tr("app.title", "en")


def test_a_link_language_wins_over_the_browser_then_the_reader_chooses(scenario_dir):
    """``?lang=ja`` opens in Japanese; a later choice in the sidebar sticks, and the link follows."""
    at = app({"lang": "ja"}, locale="ko-KR")
    no_traceback(at)
    assert at.selectbox(key=LANG).value == "ja"
    assert at.title[0].value == i18n.tr("app.title", "ja")
    at.selectbox(key=LANG).set_value("en").run()
    no_traceback(at)
    assert at.title[0].value == i18n.tr("app.title", "en")
    assert at.query_params["lang"] == "en"
    at.run()  # a rerun (another widget, the poll) keeps the reader's choice
    assert at.selectbox(key=LANG).value == "en"


def test_a_bad_link_language_is_ignored(scenario_dir):
    at = app({"lang": "xx"}, locale="ja-JP")
    no_traceback(at)
    assert at.selectbox(key=LANG).value == "ja"


def test_switching_language_keeps_the_scenario_the_edits_and_the_numbers(scenario_dir):
    """The same seed gives the same numbers in every language; the reader's edits stay."""
    at = AppTest.from_file(str(PAGES / "explore.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key="explore_scenario").set_value("beta").run()
    field = "explore_field|beta|actors.washington.stance"
    at.selectbox(key=field).set_value("transactional").run()
    at.number_input(key="explore_runs").set_value(20)
    at.button(key="explore_run").click().run()
    no_traceback(at)
    english = at.dataframe[0].value
    for lang in ("ko", "ja", "en"):
        at.selectbox(key=LANG).set_value(lang).run()
        no_traceback(at)
        assert at.session_state["explore_scenario"] == "beta"
        assert at.selectbox(key=field).value == "transactional"
        assert at.number_input(key="explore_runs").value == 20
        frame = at.dataframe[0].value
        # the same numbers, whatever the column names and month labels say
        assert (frame.select_dtypes("number").to_numpy() == english.select_dtypes("number").to_numpy()).all()
    assert at.query_params["edits"]  # the link still carries the edits


def test_the_korean_page_shows_korean_month_labels_in_its_tables(scenario_dir):
    at = AppTest.from_file(str(PAGES / "explore.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key=LANG).set_value("ko").run()
    at.number_input(key="explore_runs").set_value(10)
    at.button(key="explore_run").click().run()
    no_traceback(at)
    frame = at.dataframe[0].value
    assert frame.iloc[0, 0] == "2026년 1월"
