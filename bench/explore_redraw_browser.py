"""The Explore page's redraw as a user feels it, in headless Chromium against the real server.

Three figures, each timed from the user's action to the finished page (the address bar carries
the new state, which the page writes at the end of its script, nothing is left stale, and every
chart is on screen):

1. **A new 200-run ensemble with its difference**: the liquidation what-if on its "What the
   what-if changed" view; each change of seed runs the what-if and its reference anew (200
   runs each, with their effects ledgers) and draws the sentence, the difference fan and the
   waterfall. Goal: at most 1.5 s on a quiet machine.
2. **A redraw of computed results**: back to a seed already run (both ensembles come from the
   store). Goal: at most 0.5 s.
3. **An upload of thousands of events**: a 157 kB file of 3,507 scheduled events (the issue's
   size), from choosing the file to the drawn page (timeline, assumptions), then its first run
   on the fan chart. Goal: drawn in at most 3 s.

Run: nice -n 10 .venv/bin/python bench/explore_redraw_browser.py [--repeat 5]
Needs Debian's chromium (see tests/support/browser.py). Prints the load average: figures from
a loaded machine are not the final ones.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.support.app_server import AppServer  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

WHATIF = "liquidation-order"
EVENTS = 3_507


def settled(page: Page) -> None:
    """Wait until the script run is over: nothing stale, every chart drawn."""
    page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0")
    page.locator('[data-testid="stVegaLiteChart"] svg').last.wait_for()


def redraw(page: Page, seed: int) -> float:
    """Type a seed, press Enter, wait until the page carries it and has drawn the difference."""
    field = page.get_by_role("spinbutton", name="Seed")
    field.fill(str(seed))
    start = time.perf_counter()
    field.press("Enter")
    page.wait_for_url(re.compile(rf"seed={seed}(&|$)"))
    page.get_by_text(re.compile(r"^By 2030-12, the relationship index")).wait_for()
    settled(page)
    return time.perf_counter() - start


def many_events(path: Path) -> Path:
    """A what-if of 3,507 scheduled events of every kind but elections (the issue's 157 kB file)."""
    from model.catalogue import load_catalogue
    from model.scenario import load_scenario, shipped_scenarios

    cat = load_catalogue()
    months = load_scenario(shipped_scenarios()["baseline-2026"]).months
    kinds = sorted(e for e, v in cat.events.items() if v.category != "election")
    rng = random.Random(13)
    lines = ["id: many-events", "base: baseline-2026", "title: Thousands of events", "question: What if?", "events:"]
    lines += [f"  - {{month: {rng.choice(months)}, type: {rng.choice(kinds)}}}" for _ in range(EVENTS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def upload(page: Page, url: str, file: Path) -> tuple[float, float]:
    """Seconds from choosing the file to the drawn page, and from Run to the drawn fan chart."""
    page.goto(f"{url}/explore")
    page.get_by_role("heading", name="Explore what-ifs").wait_for()
    page.get_by_text("My own file", exact=True).click()
    chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    chooser.wait_for(state="attached")
    start = time.perf_counter()
    chooser.set_input_files(str(file))
    page.get_by_role("heading", name="Thousands of events").wait_for()
    page.get_by_text(re.compile(rf"^Scheduled events and decisions \({EVENTS + 7}\)")).wait_for()
    page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0")
    drawn = time.perf_counter() - start
    start = time.perf_counter()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text(re.compile(r"\d+ runs of 60 months")).wait_for()
    settled(page)
    return drawn, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    big = many_events(folder / "many-events.yaml")
    with AppServer(db_url=f"sqlite:///{folder / 'bench.db'}") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
        page.set_default_timeout(180_000)
        page.goto(f"{server.url}/explore?scenario={WHATIF}&runs=200&seed=7")  # runs at once
        page.get_by_text(re.compile(r"^By 2030-12, the relationship index")).wait_for()
        settled(page)
        new = [redraw(page, 100 + i) for i in range(args.repeat)]
        back = [redraw(page, 100 + i) for i in range(args.repeat)]
        uploads = [
            upload(browser.new_context(viewport={"width": 1400, "height": 1800}).new_page(), server.url, big)
            for _ in range(2)
        ]
        browser.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Explore in Chromium, {WHATIF} on 'What the what-if changed', 200 runs "
          f"({os.cpu_count()} cores, load average {load})")
    for name, xs in (("new ensembles and their difference", new), ("redraw from the store", back)):
        print(f"  {name:<36} median {statistics.median(xs):.2f} s  (min {min(xs):.2f}, max {max(xs):.2f})")
    size = big.stat().st_size // 1000
    (drawn, ran), (drawn_again, ran_again) = uploads
    print(f"  upload of {EVENTS:,} events ({size} kB): page drawn in {drawn:.2f} s, its first 200 runs drawn in "
          f"{ran:.2f} s (the same file again, from the caches: {drawn_again:.2f} s and {ran_again:.2f} s)")


if __name__ == "__main__":
    main()
