"""A class of thirty on one server: every seat page learns of each resolve, and of nothing else.

Thirty seat pages (six per seat) speak to a real app server as their browsers would: the same
websocket, the same watch route, the same seat route (``bench/protocol_page.py``; nothing is
drawn, so the test measures the server's side of a class, not a browser's). Issue 15 saw a
single server stall at 12-18 pages when every page's poll reran its script; here a seat page
runs its script once, when it opens, and never again: the start and each resolve cost it one
fetch of the seat's HTML (``ui/seat_page.py``), the other teams' submissions nothing, and every
page hears of every resolve.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bench.protocol_page import ProtocolPage
from model.game.engine import Game
from model.game.setup import SEATS, create_game, scenario_file
from model.game.store import GameStore
from model.i18n import tr
from tests.support.app_server import AppServer

PAGES_PER_SEAT = 6
TURNS = 2
PATIENCE = 180.0  # seconds: a busy CI machine, thirty sessions on one server


async def until(pages: list[ProtocolPage], ready, what: str) -> None:
    """Wait until ``ready(page)`` holds for every page; fail naming how many did not."""
    deadline = time.monotonic() + PATIENCE
    while not all(ready(p) for p in pages):
        errors = [e for p in pages for e in p.errors]
        assert not errors, errors
        if time.monotonic() > deadline:
            late = sum(not ready(p) for p in pages)
            raise AssertionError(f"{late} of {len(pages)} pages never {what}")
        await asyncio.sleep(0.2)


async def settled(pages: list[ProtocolPage], game: Game, what: str) -> list[int]:
    """Each page's (runs, fetches of the seat's page) once it heard of the log's last entry.

    A page's watch fetches the seat's page before it counts the answer as heard (as the
    component does), so a page that heard of the last entry and ran what it asked for will
    run and fetch no more.
    """
    last = game.timeline().last_seq
    await until(pages, lambda p: p.known >= last and p.idle(), what)
    return [(p.runs, p.fetches) for p in pages]


async def play(app_server: AppServer) -> None:
    store = GameStore(app_server.db_url)
    new = create_game(store, scenario_file("baseline-2026").read_text(encoding="utf-8"), list(SEATS), seed=5,
                      turns=TURNS)
    game = Game(store, new.id)
    links = [f"{app_server.url}/play?game={new.id}&code={new.seat_codes[s]}" for s in SEATS] * PAGES_PER_SEAT
    pages = [ProtocolPage(link) for link in links]
    briefing, submit = tr("game.play.briefing"), tr("game.play.submit")
    turn_two = tr("game.common.turn_of", turn=2, turns=TURNS)
    once = [(1, 0)] * len(pages)
    try:
        for page in pages:
            page.wanted(briefing)
            page.wanted(submit)
            page.wanted(turn_two)
            await page.open()
        await until(pages, lambda p: p.seen_at(briefing), "opened")
        assert await settled(pages, game, "settled after opening") == once, "a page ran for the others' joining"

        game.start(new.instructor_code)
        await until(pages, lambda p: p.seen_at(submit), "showed the started game")
        assert await settled(pages, game, "settled after the start") == [(1, 1)] * len(pages)

        view = game.world(game.timeline())
        for seat in SEATS:  # the five teams submit: the log moves five times
            first = next(d for d, open_now in view.available(seat).items() if open_now)
            game.submit(new.seat_codes[seat], [first], statement=f"{seat} keeps its course.")
        runs = await settled(pages, game, "heard of the submissions")
        assert runs == [(1, 1)] * len(pages), "a seat page ran or fetched for the other teams' submissions"
        assert not any(p.seen_at(turn_two) for p in pages)

        game.resolve(new.instructor_code, 0)
        await until(pages, lambda p: p.seen_at(turn_two), "showed the resolve")
        assert await settled(pages, game, "settled after the resolve") == [(1, 2)] * len(pages), (
            "a seat page ran on a resolve, or fetched its page other than once"
        )
    finally:
        for page in pages:
            await page.close()
        store.dispose()


def status_of(url: str) -> int:
    """The HTTP status a GET of ``url`` is answered with."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


def test_the_seat_route_answers_a_seat_only_and_refuses_bad_requests(app_server: AppServer):
    store = GameStore(app_server.db_url)
    try:
        new = create_game(store, scenario_file("baseline-2026").read_text(encoding="utf-8"), ["seoul"], seed=5,
                          turns=TURNS)
    finally:
        store.dispose()
    route = f"{app_server.url}/_rapprochement/seat/{new.id}?"
    seat = {"code": new.seat_codes["seoul"], "lang": "ja", "places": "both"}
    with urllib.request.urlopen(route + urllib.parse.urlencode(seat), timeout=60) as answer:
        page = json.loads(answer.read())
        assert answer.headers["Cache-Control"] == "no-store"
    assert tr("game.play.briefing", "ja") in page["html"] and page["mark"][1] == "lobby"
    assert status_of(route + urllib.parse.urlencode({**seat, "code": new.instructor_code})) == 404
    assert status_of(route + urllib.parse.urlencode({**seat, "code": "WRONGCODE123"})) == 404
    assert status_of(route + urllib.parse.urlencode({**seat, "lang": "fr"})) == 400
    assert status_of(route + urllib.parse.urlencode({**seat, "at_least": "soon"})) == 400


def test_thirty_seat_pages_fetch_once_per_resolve_never_run_and_ignore_submissions(app_server: AppServer):
    # In its own thread: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(play(app_server))).result()
