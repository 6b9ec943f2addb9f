"""How long a classroom game's pages wait on the engine, on this machine.

Prints, for the baseline scenario (quarterly turns):

1. a cold replay (what a restarted server does on the first page view) after 4, 8 and 16
   turns, and the incremental step the live server does when one turn is resolved;
2. the projector's "where is this heading" fan (40 runs of the forked game);
3. the store: 30 seats appending at the same moment (threads), on SQLite, wall time and
   whether every entry landed.

Run: ``.venv/bin/python bench/game_replay.py`` (``--db URL`` to time PostgreSQL too).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from model.game.engine import Game
from model.game.fork import projection
from model.game.setup import create_game, scenario_file
from model.game.store import GameStore
from model.game.world import WORLDS, build_world


def timed(fn, repeat: int = 3) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def played_game(store: GameStore, turns: int) -> Game:
    text = scenario_file("baseline-2026").read_text(encoding="utf-8")
    new = create_game(store, text, ["seoul", "tokyo"], seed=11, turns=turns)
    game = Game(store, new.id)
    game.start(new.instructor_code)
    for turn in range(turns):
        game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], turn=turn)
        game.resolve(new.instructor_code, turn)
    return game


def replay(store: GameStore) -> None:
    print("turns  cold replay (ms)  one more turn, live (ms)")
    for turns in (4, 8, 16):
        game = played_game(store, turns)
        resolved = game.timeline().resolved
        cold = timed(lambda: build_world(game.record, resolved))  # noqa: B023 (called at once)
        world = build_world(game.record, resolved[:-1])
        start = time.perf_counter()
        world.apply(resolved[-1])
        step = (time.perf_counter() - start) * 1000
        print(f"{turns:5d}  {cold:16.1f}  {step:24.1f}")
        fan = timed(lambda: projection(game.record, resolved))  # noqa: B023
    print(f"projector fan (40 runs from turn 16): {fan:.1f} ms")


def concurrent_appends(store: GameStore, seats: int = 30) -> None:
    text = scenario_file("baseline-2026").read_text(encoding="utf-8")
    new = create_game(store, text, ["seoul"], seed=1, turns=2)
    barrier = threading.Barrier(seats)

    def submit(i: int) -> None:
        barrier.wait()
        store.append(new.id, "submission", 0, "seoul", {"decisions": [f"d{i}"]})

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(seats)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ms = (time.perf_counter() - start) * 1000
    landed = len(store.entries(new.id))
    print(f"{seats} simultaneous submissions: {ms:.1f} ms, {landed}/{seats} landed ({store.engine.dialect.name})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="also time this database URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = GameStore(f"sqlite:///{Path(folder) / 'bench.db'}")
        WORLDS.clear()
        replay(store)
        concurrent_appends(store)
        store.dispose()
    if args.db:
        store = GameStore(args.db)
        concurrent_appends(store)
        store.dispose()


if __name__ == "__main__":
    main()
