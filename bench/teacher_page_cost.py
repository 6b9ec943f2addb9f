"""What the teacher's page and the projector cost their browsers at each resolve.

``seat_page_cost.py`` measures a seat page; in a class the teacher's page and the projector are
drawn too, and on the bench's one machine they share its cores with every seat page. This
script starts one server, opens the teacher's page and the projector each in a Chromium of its
own (a teacher's laptop, the classroom's projector), starts the game, and for each resolve
prints how long the teacher's page took to say the turn was resolved and the CPU seconds of
each browser (every process of it, from /proc) from the click until ``--settle`` seconds later.
The first resolve also pays one-off costs; the medians are over the later ones.

    .venv/bin/python bench/teacher_page_cost.py [--turns 5] [--settle 6]
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from bench.seat_page import create_seat_game, later_medians, per_resolve  # noqa: E402
from bench.serving import cpu_seconds, descendants  # noqa: E402
from model.i18n import tr  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


async def launch(pw) -> tuple[object, Callable[[], float]]:
    """A Chromium of its own, and a reader of the CPU seconds of all its processes so far."""
    before = set(descendants(os.getpid()))
    browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    new = set(descendants(os.getpid())) - before
    roots = [p for p in new if _parent(p) not in new]  # the browser, and helpers it starts apart (crashpad)
    return browser, lambda: cpu_seconds([p for root in roots for p in descendants(root)])


async def measure(url: str, db_url: str, turns: int, settle: float) -> list[tuple[float, float, float]]:
    new = create_seat_game(db_url, turns + 1)
    rows = []
    async with async_playwright() as pw:
        teacher_browser, teacher_cpu = await launch(pw)
        projector_browser, projector_cpu = await launch(pw)
        teacher = await (await teacher_browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
        projector = await (await projector_browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()
        await teacher.goto(f"{url}/instructor?game={new.id}&code={new.instructor_code}")
        await projector.goto(f"{url}/projector?game={new.id}&code={new.viewer_code}")
        await projector.get_by_text(tr("game.projector.fan")).first.wait_for(timeout=120_000)
        await teacher.get_by_role("button", name=tr("game.instructor.start")).click()
        await asyncio.sleep(settle)
        for turn in range(1, turns + 1):
            t0, p0, start = teacher_cpu(), projector_cpu(), time.monotonic()
            await teacher.get_by_role("button", name=tr("game.instructor.resolve", turn=turn)).click()
            await teacher.get_by_text(tr("game.instructor.resolved", turn=turn)).first.wait_for(timeout=60_000)
            answered = time.monotonic() - start
            await asyncio.sleep(settle)
            rows.append((answered, teacher_cpu() - t0, projector_cpu() - p0))
        await projector_browser.close()
        await teacher_browser.close()
    return rows


def main() -> None:
    rows = per_resolve(__doc__.splitlines()[0], measure, "seconds counted after the teacher was answered")
    print(f"per resolve (load average {os.getloadavg()[0]:.2f}): teacher answered (s), CPU s of the teacher's "
          "browser, of the projector's")
    for turn, (answered, teacher, projector) in enumerate(rows, start=1):
        print(f"  resolve {turn}: {answered:6.2f} {teacher:6.2f} {projector:6.2f}")
    medians = later_medians(rows)
    if medians:
        print(f"  median 2-{len(rows)}: " + " ".join(f"{x:6.2f}" for x in medians))


if __name__ == "__main__":
    main()
