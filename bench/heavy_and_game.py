"""Does one session's heavy work starve another's game page? Seat latency with explorers running.

Issue 14: "one session's heavy runs cannot starve the game pages of others". One app server,
one seat page of a game, and ``--explorers`` explorer pages that keep running the largest
ensemble a page may ask (``--runs`` runs, a fresh seed each time, so nothing comes from the
store). The teacher resolves ``--turns`` turns (through the engine, as the Resolve button does);
for each, the script times how long the seat's page takes to show the new turn. It does so
first with no explorer running, then with them, once with the server's queue for heavy work
(``HEAVY_SLOTS``) and once with it opened wide (``--wide`` slots, as before the queue).

    .venv/bin/python bench/heavy_and_game.py                     # 3 explorers, 2,000 runs
    .venv/bin/python bench/heavy_and_game.py --explorers 5 --turns 6

Prints per setting the seat's median and worst latency, the ensembles finished, and the load
average. Needs Debian's chromium.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from model import limits  # noqa: E402
from model.game.engine import Game  # noqa: E402
from model.game.store import GameStore  # noqa: E402
from model.i18n import tr  # noqa: E402
from tests.support.app_server import RAPPROCHEMENT, AppServer  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

LOAD_MS = 180_000


def loadavg() -> str:
    """The machine's load average (1, 5, 15 minutes)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def explorer_loop(url: str, runs: int, stop: threading.Event, done: list[float], seed0: int) -> None:
    """One student pressing Run again and again with a new seed (own browser, own thread)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.set_default_timeout(LOAD_MS)
        page.goto(url + "/explore")
        page.get_by_role("button", name=tr("explore.run"), exact=True).wait_for()
        seed = seed0
        while not stop.is_set():
            page.locator(".st-key-explore_runs input").fill(str(runs))
            page.locator(".st-key-explore_seed input").fill(str(seed))
            page.keyboard.press("Tab")
            started = time.monotonic()
            page.get_by_role("button", name=tr("explore.run"), exact=True).click()
            page.wait_for_url(re.compile(rf"[?&]seed={seed}(&|$)"))  # set once the results are drawn
            done.append(time.monotonic() - started)
            seed += 1
        browser.close()


def seat_latencies(server: AppServer, turns: int) -> list[float]:
    """Resolve ``turns`` turns; how long the seat's page takes to show each new turn."""
    made = subprocess.run(
        [str(RAPPROCHEMENT), "game", "new", "baseline-2026", "--seats", "seoul", "--turns", str(turns + 1),
         "--db", server.db_url, "--base-url", server.url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    game = json.loads(made.stdout)
    store = GameStore(server.db_url)
    out = []
    try:
        teacher = Game(store, game["game"])
        teacher.start(game["instructor"]["code"])
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            seat = browser.new_page()
            seat.set_default_timeout(LOAD_MS)
            seat.goto(game["seats"]["seoul"]["link"])
            seat.get_by_text(tr("game.common.turn_of", turn=1, turns=turns + 1)).wait_for()
            for k in range(turns):
                time.sleep(1.0)
                started = time.monotonic()
                teacher.resolve(game["instructor"]["code"], k)
                seat.get_by_text(tr("game.common.turn_of", turn=k + 2, turns=turns + 1)).wait_for()
                out.append(time.monotonic() - started)
            browser.close()
    finally:
        store.dispose()
    return out


def measure(explorers: int, runs: int, turns: int, slots: int | None) -> dict:
    """One setting: a fresh server, explorers pressing Run, the seat's latencies."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"RAPPROCHEMENT_HEAVY_DIR": str(Path(folder) / "heavy")}
        if slots is not None:
            env["RAPPROCHEMENT_HEAVY_SLOTS"] = str(slots)
        server = AppServer(db_url=f"sqlite:///{folder}/games.db", env=env)
        server.start()
        stop, done, threads = threading.Event(), [], []
        try:
            for i in range(explorers):
                t = threading.Thread(target=explorer_loop, args=(server.url, runs, stop, done, 1000 * (i + 1)))
                t.start()
                threads.append(t)
            if explorers:
                deadline = time.monotonic() + 300
                while not done and time.monotonic() < deadline:  # every explorer page is up and running
                    time.sleep(0.5)
            before = loadavg()
            latencies = seat_latencies(server, turns)
            after = loadavg()
        finally:
            stop.set()
            for t in threads:
                t.join(600)
            server.close()
    return {
        "explorers": explorers,
        "slots": slots if slots is not None else limits.HEAVY_SLOTS,
        "seat_median_s": round(statistics.median(latencies), 2),
        "seat_max_s": round(max(latencies), 2),
        "ensembles_done": len(done),
        "ensemble_median_s": round(statistics.median(done), 1) if done else None,
        "load": f"{before} -> {after}",
    }


def main() -> int:
    """Run the three settings and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explorers", type=int, default=3)
    parser.add_argument("--runs", type=int, default=limits.MAX_RUNS)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--slots", type=int, default=None, help="slots of the queued setting (default HEAVY_SLOTS)")
    parser.add_argument("--wide", type=int, default=64, help="slots for the setting without a queue")
    parser.add_argument("--only", choices=("quiet", "queued", "wide"), help="measure one setting only")
    args = parser.parse_args()
    settings = {
        "quiet": (0, None),
        "queued": (args.explorers, args.slots),
        "wide": (args.explorers, args.wide),
    }
    chosen = [args.only] if args.only else list(settings)
    rows = [measure(settings[name][0], args.runs, args.turns, settings[name][1]) for name in chosen]
    for row in rows:
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
