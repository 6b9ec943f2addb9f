"""Texts from an uploaded file, a forked game or a link are shown as text in the explorer.

Issue 14: scenario titles, questions, descriptions and notes, forked games' titles, and the
file and field names inside error messages went into Markdown as written. Each place is
checked with the issue's payloads (see tests/game/test_game_text_safety.py for the game pages).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support import payloads
from tests.ui.conftest import PAGES
from ui import widgets
from ui.plain_text import plain

HOSTILE = f"""\
id: hostile
title: "{payloads.TITLE}"
question: "{payloads.RED} {payloads.LINK}"
description: "{payloads.IMAGE}"
start: 2026-01
end: 2027-12
events:
  - {{month: 2026-06, type: bilateral_summit, note: "{payloads.HEADING}"}}
"""


def markdown_sources(at: AppTest) -> list[str]:
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def assert_plain_only(at: AppTest, text: str) -> None:
    sources = markdown_sources(at)
    assert any(plain(text) in s for s in sources), (plain(text), sources)
    assert not any(text in s for s in sources), [s for s in sources if text in s]


def explore() -> AppTest:
    return AppTest.from_file(str(PAGES / "explore.py"), default_timeout=60)


def test_an_uploaded_scenarios_texts_are_plain(scenario_dir):
    """Title, question, description and an event's note of an upload: plain in every place."""
    at = explore().run()
    at.radio(key="explore_source").set_value("upload").run()
    at.file_uploader(key="explore_upload").upload("mine.yaml", HOSTILE.encode(), "application/x-yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    for text in (payloads.TITLE, payloads.RED, payloads.IMAGE, payloads.HEADING):
        assert_plain_only(at, text)


def test_a_forked_games_title_is_plain(scenario_dir):
    """A scenario handed over by the debrief's fork: its title in the notice and the heading."""
    at = explore()
    at.session_state[widgets.HANDOVER_KEY] = ("fork.yaml", HOSTILE)
    at.run()
    assert not at.exception
    assert_plain_only(at, payloads.TITLE)


def test_names_inside_error_messages_are_plain(scenario_dir):
    """A file name and a field name an uploader chose appear in the error as text."""
    bad = HOSTILE.replace("start: 2026-01", f'"{payloads.IMAGE}": 1\nstart: 2026-01')
    at = explore().run()
    at.radio(key="explore_source").set_value("upload").run()
    at.file_uploader(key="explore_upload").upload(f"{payloads.LINK}.yaml", bad.encode(), "application/x-yaml").run()
    assert not at.exception
    assert_plain_only(at, payloads.IMAGE)
    assert_plain_only(at, payloads.LINK)


def test_a_links_scenario_name_is_plain_in_its_warning(scenario_dir):
    """``?scenario=![pic](http://...)``: the refused name is quoted as text."""
    at = explore()
    at.query_params["scenario"] = payloads.IMAGE
    at.run()
    assert not at.exception
    assert_plain_only(at, payloads.IMAGE)


def test_compare_shows_titles_and_questions_as_text(scenario_dir):
    """Compare draws each scenario's title and question: plain."""
    (scenario_dir / "alpha.yaml").write_text(HOSTILE.replace("id: hostile", "id: alpha"), encoding="utf-8")
    at = AppTest.from_file(str(PAGES / "compare.py"), default_timeout=120)
    at.query_params["scenario"] = "alpha"
    at.query_params["compare"] = "beta"
    at.query_params["runs"] = "5"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert_plain_only(at, payloads.TITLE)
