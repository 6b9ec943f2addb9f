"""What a class's pages cost the network and the app processes when they open, through the school's front.

Every page that opens fetches the same front-end files of Streamlit. This script starts a
school as a teacher does (``rapprochement app --processes 2``, nginx in front, SQLite unless
``--postgres``), creates a game, opens ``--pages`` seat pages at once in headless Chromium
(each its own browser context: its own device, nothing cached), waits until every page shows
its briefing, and prints what they fetched: requests and bytes on the wire per page (what a
classroom's shared network carries), bytes after decoding, the CPU seconds of the school's
processes (the app processes and nginx) meanwhile, and how long the pages took. Run it on two commits to compare.

    .venv/bin/python bench/front_load.py [--pages 8] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import Page, async_playwright  # noqa: E402

from bench.seat_page import create_seat_game  # noqa: E402
from bench.serving import cpu_seconds, serve  # noqa: E402
from model.game.setup import SEATS  # noqa: E402
from model.i18n import tr  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


async def open_page(context, link: str) -> tuple[Page, list, float]:
    """Open one page; return it, its finished requests and when it was asked for."""
    page = await context.new_page()
    done: list = []
    page.on("requestfinished", lambda request: done.append(request))
    start = time.monotonic()
    await page.goto(link, wait_until="commit")
    return page, done, start


async def measure(url: str, links: list[str]) -> dict:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            contexts = [await browser.new_context(viewport={"width": 1280, "height": 900}) for _ in links]
            opened = await asyncio.gather(*(open_page(c, link) for c, link in zip(contexts, links, strict=True)))
            briefing = tr("game.play.briefing")

            async def shown(page: Page, start: float) -> float:
                await page.get_by_text(briefing).first.wait_for(timeout=300_000)
                return time.monotonic() - start

            seconds = await asyncio.gather(*(shown(p, start) for p, _, start in opened))
            await asyncio.sleep(3)  # the last files of the first draw
            wire, decoded, requests = [], [], []
            for _, done, _ in opened:
                requests.append(len(done))
                sent = bodies = 0
                for r in done:
                    sizes = await r.sizes()
                    sent += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                    response = await r.response()
                    if response is not None:
                        try:
                            bodies += len(await response.body())
                        except Exception:  # a redirect or a closed stream has no body to read
                            pass
                wire.append(sent)
                decoded.append(bodies)
            return {"seconds": seconds, "wire": wire, "decoded": decoded, "requests": requests}
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        url, db_url, pids = serve(stack, args.processes, args.postgres, Path(tmp))
        game = create_seat_game(db_url, 3)
        links = [f"{url}/play?game={game.id}&code={game.seat_codes[SEATS[i % len(SEATS)]]}" for i in range(args.pages)]
        cpu0 = cpu_seconds(pids)
        load0 = os.getloadavg()[0]
        got = asyncio.run(measure(url, links))
        cpu = cpu_seconds(pids) - cpu0
    n = args.pages
    print(f"{n} seat pages opened at once through the front of {args.processes} app processes (2 cores):")
    print(f"  requests per page: median {statistics.median(got['requests']):.0f}")
    print(f"  bytes on the wire per page: median {statistics.median(got['wire']) / 1e6:.2f} MB "
          f"(all pages {sum(got['wire']) / 1e6:.1f} MB)")
    print(f"  bytes after decoding per page: median {statistics.median(got['decoded']) / 1e6:.2f} MB")
    print(f"  the school's processes' CPU (app processes and nginx) while the pages opened: {cpu:.2f} s"
          f" ({cpu / n:.3f} s per page)")
    shown = got["seconds"]
    print(f"  link -> briefing shown: median {statistics.median(shown):.1f} s, max {max(shown):.1f} s")
    print(f"  load average before {load0:.2f}, after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
