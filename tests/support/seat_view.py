"""What a seat's page shows, read off AppTest: the HTML its component was handed, as text.

AppTest runs no JavaScript, so the seat's component (``ui/components/seat``) is an element
whose data holds the page's HTML (``ui/seat_page.py``); these helpers read that data.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

from streamlit.testing.v1 import AppTest


class _Text(HTMLParser):
    """The text a reader sees in a piece of HTML (tags gone, entities read)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(html: str) -> str:
    """The text of ``html`` as a reader sees it."""
    reader = _Text()
    reader.feed(html)
    return "".join(reader.parts)


def seat_data(at: AppTest) -> dict | None:
    """The data the seat's component was handed in the last run, or None without one."""
    found = at.get("bidi_component")
    if not found:
        return None
    return json.loads(found[0].proto.json)


def seat_html(at: AppTest) -> str:
    """The HTML of the seat's page (its notice first), or "" without a seat's component."""
    data = seat_data(at)
    if data is None:
        return ""
    return ((data.get("notice") or {}).get("html") or "") + data["page"]["html"]
