"""HTML of a seat's page: Markdown read to HTML, folds and number tiles, and their style.

Why HTML and not Streamlit elements: a seat's page is redrawn by each of a class's thirty
browsers at every resolve, and a Streamlit rerun costs each browser about a quarter of a CPU
second whatever the page holds (its frontend renders its tree again for each of the run's
messages: docs/PERFORMANCE.md, "Where a seat page's browser spends a resolve"). The seat's
page is one block of HTML instead (:mod:`ui.seat_page`) that its browser swaps in place.

Markdown is read by markdown-it (CommonMark) with raw HTML off: ``<`` in any text is shown,
never opened as a tag. The app's own text (catalogue and translation tables) is Markdown as
elsewhere; a person's text goes through :func:`ui.plain_text.plain` first, as on every page.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from markdown_it import MarkdownIt

FOLD_CLASS = "rp-fold"
TILES_CLASS = "rp-tiles"

# Close to Streamlit's own expander, metric and alerts (its default theme), in both light and
# dark themes; the seat component's style sheet (ui/components/seat) holds it.
STYLE = f"""
details.{FOLD_CLASS} {{ border: 1px solid rgba(128, 132, 149, 0.4); border-radius: 0.5rem;
  margin: 0 0 0.5rem 0; padding: 0 1rem; }}
details.{FOLD_CLASS} > summary {{ padding: 0.55rem 0; cursor: pointer; }}
details.{FOLD_CLASS}[open] > summary {{ margin-bottom: 0.25rem; }}
div.{TILES_CLASS} {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr));
  gap: 0.75rem 1rem; margin-bottom: 1rem; }}
div.{TILES_CLASS} .rp-label {{ font-size: 0.875rem; }}
div.{TILES_CLASS} .rp-value {{ font-size: 2.25rem; line-height: 1.2; }}
div.{TILES_CLASS} .rp-delta {{ font-size: 0.875rem; }}
div.{TILES_CLASS} .rp-good {{ color: #09ab3b; }}
div.{TILES_CLASS} .rp-bad {{ color: #ff2b2b; }}
"""


@functools.cache
def _reader() -> MarkdownIt:
    """CommonMark without raw HTML (and without link finding: a text's address stays text)."""
    return MarkdownIt("commonmark", {"html": False})


def markdown(text: str) -> str:
    """Markdown as HTML; any ``<`` in it is shown as written."""
    return _reader().render(str(text))


def escaped(text: str) -> str:
    """``text`` as HTML text: no tag can open, quotes are safe in attributes."""
    return escape(str(text), quote=True)


def alert_html(text: str, level: str) -> str:
    """A box like Streamlit's ``st.info`` / ``st.success`` / ``st.warning`` / ``st.error`` (Markdown text)."""
    return f'<div class="rp-alert rp-{level}">{markdown(text)}</div>'


def folds(items: Iterable[tuple[str, str, bool]]) -> str:
    """HTML of titled folds, closed until opened: ``(title, Markdown body, struck)`` each.

    A struck title is drawn crossed out (a decision not open now).
    """
    parts = []
    for title, body, struck in items:
        shown = f"<s>{escaped(title)}</s>" if struck else escaped(title)
        parts.append(f'<details class="{FOLD_CLASS}"><summary>{shown}</summary>{markdown(body)}</details>')
    return "".join(parts)


@dataclass(frozen=True)
class Tile:
    """One number with its label and its change (``None``: no change to show)."""

    label: str
    value: str
    delta: float | None = None
    higher_is_better: bool = True


def tiles(items: Iterable[Tile]) -> str:
    """HTML of numbers in a grid, each with its change, as ``st.metric`` shows them."""
    cells = []
    for tile in items:
        change = ""
        if tile.delta is not None:
            arrow = "↑" if tile.delta > 0 else "↓" if tile.delta < 0 else ""
            good = (tile.delta > 0) == tile.higher_is_better
            tone = "" if tile.delta == 0 else (" rp-good" if good else " rp-bad")
            change = f'<div class="rp-delta{tone}">{arrow} {tile.delta:+.1f}</div>'
        cells.append(
            f'<div><div class="rp-label">{escaped(tile.label)}</div>'
            f'<div class="rp-value">{escaped(tile.value)}</div>{change}</div>'
        )
    return f'<div class="{TILES_CLASS}">' + "".join(cells) + "</div>"
