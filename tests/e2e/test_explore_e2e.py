"""A newcomer opens the app, goes to Explore, runs the shown scenario and finds the chart."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.support.app_server import AppServer
from tests.support.browser import BrowserSession

RUN_TIMEOUT_MS = 120_000  # the first run also imports the model and reads the catalogue


def test_a_newcomer_runs_a_scenario_and_finds_the_chart(
    app_server: AppServer, browser: BrowserSession, tmp_path: Path
) -> None:
    """From the home page, by the navigation alone: Explore, Run, a drawn fan chart, a link."""
    page = browser.new_page(app_server.url)
    page.get_by_role("link", name="Explore what-ifs").click()
    page.get_by_role("heading", name="Explore what-ifs").wait_for()
    expect(page.get_by_text("The question:")).to_be_visible()

    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text(re.compile(r"\d+ runs of \d+ months")).wait_for(timeout=RUN_TIMEOUT_MS)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(chart.locator("canvas, svg").first).to_be_visible()
    # The fan chart's own title, through the translation layer.
    expect(chart.get_by_text("Relationship index").first).to_be_visible()
    # The address now reproduces the page.
    expect(page).to_have_url(re.compile(r"scenario=[a-z0-9-]+.*runs=\d+.*seed=\d+"))
    assert "Traceback" not in page.content()

    shots = Path(os.environ.get("RAPPROCHEMENT_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "explore.png"), full_page=True)
