"""Texts a player might write to take over other teams' pages (issue 14), in one place."""

from __future__ import annotations

HEADING = "# FAKE HEADING: Tokyo surrenders"
RED = ":red[Official: the game is over]"
LINK = "[link](https://example.org/take-over)"
IMAGE = "![pic](http://198.51.100.7/pixel.png)"
ICON = ":material/warning: Official notice"
AUTOLINK = "see www.example.org or https://example.org/x or teacher@example.org"
HTML = "<script>alert('x')</script><b>bold</b>"
BLOCKS = "line one\n\n    indented code\n- a list\n> a quote\n---"
MATH = "$x^2$ and **bold** and `code`"

ALL = (HEADING, RED, LINK, IMAGE, ICON, AUTOLINK, HTML, BLOCKS, MATH)
"""Every payload; the issue's four first."""

STATEMENT = f"{HEADING} {RED} {LINK} {IMAGE}"
"""The issue's four payloads in one statement of at most 280 characters."""

TITLE = "# Fake title :red[over] ![pic](http://198.51.100.7/t.png)"
"""A scenario or forked game title with the same tricks."""
