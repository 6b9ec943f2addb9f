"""Fixtures for the browser tests: the app as a real server, and headless Chromium.

Chromium is Debian's ``/usr/bin/chromium`` (``./dev test`` installs it); Playwright's own
browser download is not used. One browser process serves the whole session; each test gets
fresh, isolated contexts from ``browser.new_context()``, one per seat when several teams play.
Every test here is marked ``e2e`` (by ``tests/conftest.py``), so ``-m "not e2e"`` leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.support import unavailable
from tests.support.app_server import AppServer
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, BrowserSession


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Browser]:
    """One Chromium process for the whole session (contexts keep the tests apart)."""
    if not CHROMIUM.exists():
        unavailable(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(./dev test does), or set RAPPROCHEMENT_CHROMIUM"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser(_chromium: Browser) -> Iterator[BrowserSession]:
    """Headless Chromium for one test: call ``browser.new_context()`` once per seat.

    The test fails if any page asked for anything beyond the app's own server: a classroom
    may have no internet (issue 14: a favicon came from fonts.gstatic.com).
    """
    session = BrowserSession(_chromium)
    try:
        yield session
    finally:
        session.close()
    assert not session.outside, f"requests left the app's server: {sorted(set(session.outside))}"


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[AppServer]:
    """The project's app on a free port with a fresh SQLite database; ``restart()`` keeps both."""
    server = AppServer(db_url=f"sqlite:///{tmp_path / 'game.db'}")
    try:
        server.start()
        yield server
    finally:
        server.close()
