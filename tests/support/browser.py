"""Headless Chromium for the browser tests: Debian's binary, isolated contexts per seat.

Chromium is Debian's ``/usr/bin/chromium`` (``./dev test`` installs it); Playwright's own
browser download does not work on this network and is not used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path(os.environ.get("RAPPROCHEMENT_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps dialling out of this closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Streamlit pages render after a websocket round trip and a script run: be patient, not flaky.
DEFAULT_TIMEOUT_MS = 30_000
# The app must work in a classroom without internet: no page may ask anything of another host.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def leaves_the_machine(url: str) -> bool:
    """Whether a request goes beyond the app's own server (data:, blob: and about: stay local)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") not in LOCAL_HOSTS


class BrowserSession:
    """Hands out isolated browser contexts for one test and closes them all at its end.

    Args:
        browser: the session's Chromium.
        base_url: address that relative ``page.goto`` paths resolve against, if any.
    """

    def __init__(self, browser: Browser, base_url: str | None = None) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.outside: list[str] = []

    def new_context(self, **options: Any) -> BrowserContext:
        """A new context (own cookies and storage: one seat, one team's laptop).

        Every request its pages make is watched: one that leaves the machine is recorded in
        :attr:`outside` (the ``browser`` fixture fails the test on it).
        """
        if self.base_url and "base_url" not in options:
            options["base_url"] = self.base_url
        context = self.browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.on("request", lambda request: self._watch(request.url))
        self.contexts.append(context)
        return context

    def _watch(self, url: str) -> None:
        if leaves_the_machine(url):
            self.outside.append(url)

    def new_page(self, url: str | None = None, **options: Any) -> Page:
        """A page in a new context, opened at ``url`` when given."""
        page = self.new_context(**options).new_page()
        if url is not None:
            page.goto(url)
        return page

    def close(self) -> None:
        """Close every context this session opened."""
        for context in self.contexts:
            context.close()
        self.contexts.clear()
