"""The Explore page's redraw as a user feels it, in headless Chromium against the real server.

Opens the app, goes to Explore, runs the baseline once, then changes the seed --repeat times
(each a new 200-run ensemble, like a changed assumption) and once back to each earlier seed
(from the store). A redraw is timed from pressing Enter in the seed field until the page has
finished its run (the address bar then carries the new seed, written at the end of the script)
and the chart is on screen.

Run: .venv/bin/python bench/explore_redraw_browser.py [--repeat 5]
Needs Debian's chromium (see tests/support/browser.py).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.support.app_server import AppServer  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def redraw(page, seed: int) -> float:
    """Type a seed, press Enter, wait until the page carries it and shows the chart."""
    field = page.locator('input[aria-label="Seed"]')
    field.fill(str(seed))
    start = time.perf_counter()
    field.press("Enter")
    page.wait_for_url(re.compile(rf"seed={seed}(&|$)"))
    page.locator('[data-testid="stVegaLiteChart"] svg, [data-testid="stVegaLiteChart"] canvas').first.wait_for()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp()) / "bench.db"
    with AppServer(db_url=f"sqlite:///{db}") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
        page.set_default_timeout(120_000)
        page.goto(server.url)
        page.get_by_role("link", name="Explore what-ifs").click()
        page.get_by_role("button", name="Run", exact=True).click()
        page.wait_for_url(re.compile(r"seed=7"))
        new = [redraw(page, 100 + i) for i in range(args.repeat)]
        back = [redraw(page, 100 + i) for i in range(args.repeat)]
        browser.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Explore redraw in Chromium, baseline, 200 runs ({os.cpu_count()} cores, load {load})")
    for name, xs in (("new ensemble (changed setting)", new), ("from the store (setting back)", back)):
        print(f"  {name:<32} median {statistics.median(xs):.2f} s  (min {min(xs):.2f}, max {max(xs):.2f})")


if __name__ == "__main__":
    main()
