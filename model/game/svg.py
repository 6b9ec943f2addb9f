"""A plain SVG line chart, for the debrief that must open anywhere without scripts.

The downloadable debrief is one HTML file that a student can open offline years later, so it
cannot load a charting library from the network; a few polylines drawn here are enough.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

# Okabe-Ito colours (readable by colour-blind readers), as in ui/charts.py.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def line_chart(
    series: Mapping[str, Sequence[float]],
    x_labels: Sequence[str],
    markers: Sequence[tuple[int, str]] = (),
    width: int = 760,
    height: int = 300,
    y_range: tuple[float, float] = (0.0, 100.0),
    font_family: str = "sans-serif",
) -> str:
    """An SVG line chart of several series over the same x positions.

    Args:
        series: Label -> values, one per x label.
        x_labels: Labels of the x positions (months); every 6th is written.
        markers: (x position, text) drawn as dashed vertical rules.
        width: Width in pixels.
        height: Height in pixels.
        y_range: Lowest and highest value on the y axis.
        font_family: CSS font list for the texts (CJK families for Korean and Japanese labels).

    Returns:
        The ``<svg>`` element as text.
    """
    left, right, top, bottom = 40, 10, 20, 60
    n = max(len(x_labels), 2)
    lo, hi = y_range
    span = (hi - lo) or 1.0

    def x(i: float) -> float:
        return left + (width - left - right) * i / (n - 1)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - lo) / span)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(font_family, quote=True)}" font-size="11">'
    ]
    for tick in range(int(lo), int(hi) + 1, 25):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for i, label in enumerate(x_labels):
        if i % 6 == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 14}" text-anchor="middle">{escape(label)}</text>')
    for i, text in markers:
        parts.append(
            f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top}" y2="{height - bottom}" '
            'stroke="#888" stroke-dasharray="3,3"/>'
            f'<text x="{x(i) + 2:.1f}" y="{top - 6}" fill="#555">{escape(text)}</text>'
        )
    for k, (label, values) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        legend_y = height - bottom + 32 + 14 * (k // 3)
        legend_x = left + 240 * (k % 3)
        parts.append(
            f'<rect x="{legend_x}" y="{legend_y - 8}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="{legend_y - 3}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
