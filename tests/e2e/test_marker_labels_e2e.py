"""The chart's label widths, estimated in Python, hold against the browser's own measurement.

``charts.thin_markers`` keeps labels apart by widths estimated from their text (no browser in
Python); if the estimate were short of what Chromium draws, placed labels would still touch.
"""

from __future__ import annotations

import pytest

from model.scenario import load_scenario, shipped_scenarios
from tests.support.app_server import AppServer
from tests.support.browser import BrowserSession
from ui import charts
from ui.widgets import marker_events

pytestmark = pytest.mark.e2e

MEASURE = """([texts, size]) => {
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = `${size}px ${getComputedStyle(document.body).fontFamily}`;
    return texts.map((t) => ctx.measureText(t).width);
}"""


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
def test_estimated_label_widths_cover_what_chromium_draws(browser: BrowserSession, app_server: AppServer, lang):
    """Every label of the 2012-2025 replay is no wider in the app's font than its estimate."""
    scenario = load_scenario(shipped_scenarios()["history-2012-2025"])
    marks = charts.thin_markers(marker_events(scenario, None, lang, "both"), scenario.months, most=10_000)
    texts = sorted({t for t in marks["text"] if t} | {f"{t} +9" for t in marks["label"]})
    page = browser.new_context().new_page()
    page.goto(f"{app_server.url}/explore?lang={lang}")
    page.locator('[data-testid="stSidebar"]').first.wait_for()
    page.evaluate("document.fonts.ready.then(() => true)")
    for band, size in charts.LABEL_SIZE.items():
        drawn = page.evaluate(MEASURE, [texts, size])
        short = [(t, round(d), round(charts.label_width(t, size))) for t, d in zip(texts, drawn, strict=True)
                 if d > charts.label_width(t, size)]
        assert not short, (band, short[:5])
        ratios = [d / charts.label_width(t, size) for t, d in zip(texts, drawn, strict=True)]
        assert max(ratios) > 0.7  # measured for real: the estimate is an upper bound, not a wild one
