"""What a class's open pages cost the app server while nothing happens, and how soon they all hear.

Every open page of a game holds a question at the watch route (``ui/serve.py``) until the
game's log moves. This script starts one app server as a teacher does (SQLite), creates a
game, holds ``--questions`` questions open on it from this process (what that many pages'
watches do, without their browsers), and prints:

- the server's CPU, as a share of one core, over ``--idle`` seconds in which nothing happens;
- then, ``--moves`` times, a log entry written by another process (the game started, then a
  team's submission, through the database as a second server would write it), and how long until every held question
  was answered (median and max over the questions).

Run it on two commits to compare (with the older tree on ``PYTHONPATH``).

    .venv/bin/python bench/held_questions.py [--questions 120] [--idle 20] [--moves 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tornado.httpclient import AsyncHTTPClient  # noqa: E402

from bench.seat_page import beside_one_server, create_seat_game  # noqa: E402
from bench.serving import cpu_seconds, descendants  # noqa: E402
from model.game.engine import Game  # noqa: E402
from model.game.store import GameStore  # noqa: E402


async def hold(client: AsyncHTTPClient, route: str, code: str, after: int) -> float:
    """One question held until the log passes ``after``; when it was answered (monotonic)."""
    while True:
        response = await client.fetch(route + "?" + urlencode({"code": code, "after": after, "wait": 25}),
                                      request_timeout=60)
        if json.loads(response.body)["seq"] > after:
            return time.monotonic()


def write(game: Game, instructor: str, seat: str, move: int) -> None:
    """One log entry: the start, then a submission of the seat (each replaces the one before)."""
    if move == 0:
        game.start(instructor)
    else:
        choice = next(d for d, ok in game.world().available("seoul").items() if ok)
        game.submit(seat, [choice], f"move {move}")


async def measure(url: str, db_url: str, args: argparse.Namespace) -> None:
    game = create_seat_game(db_url, 4)
    store = GameStore(db_url)
    route = f"{url}/_rapprochement/watch/{game.id}"
    code = game.instructor_code
    AsyncHTTPClient.configure(None, max_clients=args.questions + 10)
    client = AsyncHTTPClient()
    server = [p for p in descendants(os.getpid()) if p != os.getpid()]
    seat = game.seat_codes["seoul"]
    heard = []
    try:
        for move in range(args.moves + 1):
            seq = json.loads((await client.fetch(route + "?" + urlencode({"code": code}))).body)["seq"]
            questions = [asyncio.create_task(hold(client, route, code, seq)) for _ in range(args.questions)]
            if move == 0:
                await asyncio.sleep(3)  # every question arrived and is held
                before, t0 = cpu_seconds(server), time.monotonic()
                await asyncio.sleep(args.idle)
                idle = (cpu_seconds(server) - before) / (time.monotonic() - t0)
                print(f"{args.questions} questions held, nothing happening: the server {100 * idle:.1f}% "
                      f"of a core over {args.idle:g} s", flush=True)
            else:
                await asyncio.sleep(1)
            written = time.monotonic()
            await asyncio.to_thread(write, Game(store, game.id), code, seat, move)
            answered = [t - written for t in await asyncio.gather(*questions)]
            if move:  # the first round only measured the idle cost
                heard.append(answered)
                print(f"  move {move}: every question answered within {max(answered):.2f} s "
                      f"(median {statistics.median(answered):.2f} s)", flush=True)
    finally:
        store.dispose()
    if heard:
        flat = [x for one in heard for x in one]
        print(f"a move written by another process -> every question answered: median "
              f"{statistics.median(flat):.2f} s, max {max(flat):.2f} s over {len(heard)} moves")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=120, help="questions held open at once")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of nothing happening, measured")
    parser.add_argument("--moves", type=int, default=5, help="log entries written, each heard by every question")
    args = parser.parse_args()
    beside_one_server(lambda url, db_url: asyncio.run(measure(url, db_url, args)))


if __name__ == "__main__":
    main()
