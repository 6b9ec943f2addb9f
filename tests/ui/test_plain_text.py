"""The helper that shows a person's text as text in Streamlit's Markdown.

The browser test (tests/e2e/test_safety_e2e.py) checks what Streamlit really draws; here the
helper's promises are pinned for any text.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tests.support import payloads
from ui.plain_text import WORD_JOINER, plain, plain_values, shown

ANYWHERE = "\\`*_{}[]<>|~$&:^"  # signs that start Markdown anywhere in a line
LINE_START = re.compile(r"^([#+\-=]|\d+[.)])")  # signs that start a block at a line's start


def unescaped_punctuation(markdown: str) -> list[str]:
    """Signs that would start Markdown, not preceded by the backslash that makes them literal."""
    found, escaped = [], False
    for ch in markdown:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ANYWHERE:
            found.append(ch)
    found += [m.group(0) for line in markdown.split("  \n") if (m := LINE_START.match(line))]
    return found


def test_the_issues_payloads_read_as_written():
    """Heading, colour, link and image: every sign escaped, the reader sees the same words."""
    for text in payloads.ALL:
        out = plain(text)
        assert unescaped_punctuation(out) == [], (text, out)
        expected = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        assert shown(out) == expected


def test_links_and_short_codes_are_broken_invisibly():
    """No ``://``, ``www.``, ``@`` or ``:name`` survives as a pattern a linker or icon finder reads."""
    seen = shown(plain(payloads.AUTOLINK + " " + payloads.ICON)).replace(WORD_JOINER, "")
    assert "www.example.org" in seen  # the reader sees the address...
    out = plain(payloads.AUTOLINK + " " + payloads.ICON).replace("\\", "")
    assert "://" not in out and "www." not in out and "@e" not in out and ":m" not in out  # ...no machine does


def test_ordinary_text_keeps_its_source():
    """Commas, full stops, quotes and parentheses need nothing: a plain title stays as it is."""
    assert plain("Alpha, a quiet two years (2026-2027). \"Why?\"") == "Alpha, a quiet two years (2026-2027). \"Why?\""


def test_no_line_can_start_a_block():
    """Leading spaces and blank lines go; each line is a hard break inside one paragraph."""
    out = plain(payloads.BLOCKS)
    assert all(not line.startswith(" ") for line in out.split("\n"))
    assert "\n\n" not in out and out.count("  \n") == 4


def test_values_of_a_message_are_made_plain_and_numbers_kept():
    """A message's placeholders from a person become plain; numbers keep their formats."""
    values = plain_values({"title": payloads.TITLE, "turn": 3})
    assert values["turn"] == 3 and values["title"] == plain(payloads.TITLE)


@given(st.text(max_size=300))
def test_any_text_is_escaped_and_reads_the_same(text):
    """For any text: nothing unescaped, no control characters, the same visible words."""
    out = plain(text)
    assert unescaped_punctuation(out) == []
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e]", out)
    visible = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "", text.replace("\r", "\n"))
    expected = "\n".join(line.strip() for line in visible.split("\n") if line.strip())
    assert shown(out) == expected
