"""What one seat page costs its browser at each resolve (Chromium's own counters of its main thread).

A class's figures on one machine mix the server's work with thirty browsers' redraws on the
same cores. This script separates the browser's part: one server, one seat page and the
teacher's page in headless Chromium; for each resolve it reads the seat page's renderer
counters (DevTools ``Performance.getMetrics``: task, script, layout and style time of the
page's main thread) from the click until ``--settle`` seconds after the page showed the new
turn. These are the durations of the page's tasks: a busy machine stretches them, so compare
figures taken at a similar load average (printed). Less sensitive to the load are the CPU
seconds: of the page's main thread and its renderer process (``ThreadTime``,
``ProcessTime``), and of the seat's whole browser (its own Chromium, every process of it, from
/proc: what thirty such browsers on one machine add up to). Nothing of the bench runs in
the seat page while it is measured (no polling for the new turn: the bench waits ``--settle``
seconds and then checks once that the page shows it), and it counts the messages the page
received from its server meanwhile (Streamlit sends one per element it draws). The first
resolve also pays one-off costs; the median is over the later ones.

    .venv/bin/python bench/seat_page_cost.py [--turns 5] [--settle 6]
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from bench.seat_page import (  # noqa: E402
    create_seat_game,
    later_medians,
    per_resolve,
    require_turn_shown,
    teacher_and_seat_browser,
)
from model.i18n import tr  # noqa: E402

COUNTERS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "ThreadTime", "ProcessTime")
COLUMNS = ("task", "script", "layout", "style", "thread", "renderer", "browser", "received")


async def counters(cdp) -> list[float]:
    got = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    return [got[name] for name in COUNTERS]


async def measure(url: str, db_url: str, turns: int, settle: float) -> list[list[float]]:
    new = create_seat_game(db_url, turns + 1)
    rows = []
    async with async_playwright() as pw, teacher_and_seat_browser(pw, url, new) as (teacher, own, seat_browser_cpu):
        seat_context = await own.new_context(viewport={"width": 1280, "height": 900})
        seat = await seat_context.new_page()
        received = [0]
        seat.on("websocket", lambda ws: ws.on("framereceived", lambda _frame: received.__setitem__(0, received[0] + 1)))
        await seat.goto(f"{url}/play?game={new.id}&code={new.seat_codes['seoul']}")
        cdp = await seat_context.new_cdp_session(seat)
        await cdp.send("Performance.enable")
        await seat.get_by_text(tr("game.play.briefing")).first.wait_for(timeout=120_000)
        await teacher.get_by_role("button", name=tr("game.instructor.start")).click()
        await seat.get_by_role("button", name=tr("game.play.submit")).wait_for(timeout=120_000)
        await asyncio.sleep(settle)
        for turn in range(1, turns + 1):
            before = [*await counters(cdp), seat_browser_cpu(), received[0]]
            await teacher.get_by_role("button", name=tr("game.instructor.resolve", turn=turn)).click()
            await asyncio.sleep(settle)  # nothing of the bench runs in the page meanwhile
            after = [*await counters(cdp), seat_browser_cpu(), received[0]]
            await require_turn_shown(seat, turn + 1, turns + 1, turn, settle)
            rows.append([a - b for a, b in zip(after, before, strict=True)])
    return rows


def main() -> None:
    rows = per_resolve(__doc__.splitlines()[0], measure, "seconds counted after each click on Resolve")
    print(f"one seat page per resolve, seconds (load average {os.getloadavg()[0]:.2f}):")
    print("           main thread's task durations  CPU: main thread, renderer, whole browser; messages received")
    print("  resolve  " + " ".join(f"{c:>8}" for c in COLUMNS))
    for turn, row in enumerate(rows, start=1):
        print(f"  {turn:>7}  " + " ".join(f"{x:8.3f}" for x in row))
    medians = later_medians(rows)
    if medians:
        print(f"  median 2-{len(rows)}  " + " ".join(f"{x:8.3f}" for x in medians))


if __name__ == "__main__":
    main()
