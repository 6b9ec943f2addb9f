r"""Text that a person wrote, shown as text: the one helper every page uses for it.

Why: Streamlit draws ``st.markdown``, ``st.title``, ``st.caption``, ``st.info``, ``st.error``
and widget labels as GitHub-flavoured Markdown with its own extensions. A team's statement
``# FAKE HEADING: Tokyo surrenders`` became a heading on every other team's page,
``:red[Official: the game is over]`` red text, ``[link](https://...)`` a live link, and
``![pic](http://...)`` made five browsers fetch an outside address (issue 14). The same holds
for every text a player, a link or an uploaded file supplies: statements, scenario titles,
questions, descriptions and notes, forked games' titles, file and field names in error
messages.

:func:`plain` turns such a text into Markdown that reads exactly as written:

- the signs that start Markdown anywhere in a line (``\ ` * _ { } [ ] < > | ~ $ & : ^``) are
  backslash-escaped, and so are those that start a block at the beginning of a line (``#``,
  ``+``, ``-``, ``=``, ``1.``, ``1)``), so no heading, list, quote, emphasis, link, image,
  table, code, colour directive, entity or maths can start; other signs (commas, full stops,
  quotes, parentheses) stay as they are, so ordinary text keeps its ordinary source;
- Streamlit and GFM also find links (``https://``, ``www.``, ``a@b.org``) and icon or emoji
  short codes (``:material/home:``) in the text *after* escapes are read, so an invisible
  WORD JOINER (U+2060) after each colon and at-sign and inside ``www.`` breaks those patterns
  without changing what the reader sees;
- line breaks stay line breaks (Markdown hard breaks), blank lines and leading spaces go
  (they would start code blocks or new paragraphs), and control and bidirectional override
  characters are dropped (they could make a text read backwards).

Raw HTML needs nothing more: Streamlit escapes it unless a page allows HTML, which none does
for user text. Text in tables (``st.dataframe``), charts, code blocks and the debrief's HTML
(escaped with :func:`html.escape`) is not Markdown and must not go through this helper.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

WORD_JOINER = "\u2060"
_INLINE = re.compile(r"([\\`*_{}\[\]<>|~$&:^])")
_LINE_START = re.compile(r"^([#+\-=]|\d+[.)])")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAK_AFTER = re.compile(r"(\\:|@)")
_WWW = re.compile(r"(?i)(www)(\.)")


def plain(text: Any) -> str:
    """Markdown that Streamlit shows as exactly ``text`` (see the module's docstring)."""
    cleaned = _CONTROLS.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    lines = []
    for line in cleaned.split("\n"):
        line = line.strip()
        if not line:
            continue
        line = _INLINE.sub(r"\\\1", line)
        line = _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], line)
        line = _BREAK_AFTER.sub(r"\1" + WORD_JOINER, line)
        line = _WWW.sub(r"\1" + WORD_JOINER + r"\2", line)
        lines.append(line)
    return "  \n".join(lines)


def plain_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The placeholders of a message with every text made :func:`plain` (numbers stay numbers).

    For a translated message whose values come from a person (a file name, a scenario's
    title, a link's parameter) and that a page draws as Markdown.
    """
    return {k: plain(v) if isinstance(v, str) else v for k, v in values.items()}


def shown(markdown: str) -> str:
    """What a reader sees of :func:`plain`'s output (for tests: escapes and joiners removed)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(WORD_JOINER, "")).replace("  \n", "\n")
