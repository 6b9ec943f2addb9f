"""Folds and number tiles drawn as one Markdown element each, for pages a class redraws at once.

Why: every element a Streamlit page draws costs its browser a share of every rerun (one
message, and React's work on it), whatever it holds. A seat page drew each of its seventeen
decisions as an expander holding a Markdown text and its six numbers as six metrics in three
columns: 45 of its 75 elements, redrawn by each of a class's thirty browsers at every resolve
(docs/PERFORMANCE.md, "A lighter seat page"). Here the same things are one Markdown element
with a few HTML tags (``<details>``, ``<div>``), styled by a ``<style>`` inside the same
element, so they cost one message.

What goes between the tags is the app's own text (catalogue and translation tables, numbers),
Markdown as elsewhere; ``<`` and ``&`` in it are escaped, so no text can open a tag of its own.
Text a person wrote does not belong here (use :func:`ui.plain_text.plain` in a plain element).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FOLD_CLASS = "rp-fold"
TILES_CLASS = "rp-tiles"

# Close to Streamlit's own expander and metric (its default theme), in both light and dark themes.
STYLE = f"""<style>
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
</style>"""


def escaped(text: str) -> str:
    """``text`` with ``<`` and ``&`` as entities: Markdown still reads, no tag can open."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def folds(items: Iterable[tuple[str, str, bool]]) -> str:
    """Markdown of titled folds, closed until opened: ``(title, Markdown body, struck)`` each.

    A struck title is drawn crossed out (a decision not open now). The blank lines around
    each body make Markdown read it as Markdown inside the HTML block.
    """
    parts = []
    for title, body, struck in items:
        shown = f"<s>{escaped(title)}</s>" if struck else escaped(title)
        parts.append(f'<details class="{FOLD_CLASS}"><summary>{shown}</summary>\n\n{escaped(body)}\n\n</details>')
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Tile:
    """One number with its label and its change (``None``: no change to show)."""

    label: str
    value: str
    delta: float | None = None
    higher_is_better: bool = True


def tiles(items: Iterable[Tile]) -> str:
    """Markdown (one HTML block) of numbers in a grid, each with its change, as ``st.metric`` shows them."""
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
