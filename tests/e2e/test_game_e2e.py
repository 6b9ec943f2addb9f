"""A class in headless Chromium: the instructor and two teams play two turns, server restarted.

Each role has its own browser context (its own laptop). The game is created with the command
line a teacher uses; the teams open their links, choose from their menus and submit; the
instructor resolves; the teams' pages move to the next turn by themselves. The server is
restarted in the middle of the second turn, after Seoul's submission: nothing may be lost.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time

from playwright.sync_api import Page

from model.catalogue import load_catalogue
from model.game.engine import Game
from model.game.show import show_game
from model.game.store import GameStore
from model.i18n import tr
from tests.support.app_server import RAPPROCHEMENT, ROOT, AppServer
from tests.support.browser import BrowserSession
from tests.support.seat_form import choose_decisions, seat_form, statement_box

TURNS = 3


def new_game(server: AppServer) -> dict:
    """Create the game as a teacher would, with ``rapprochement game new``."""
    result = subprocess.run(
        [
            str(RAPPROCHEMENT),
            "game",
            "new",
            "baseline-2026",
            "--seats",
            "seoul,tokyo",
            "--turns",
            str(TURNS),
            "--seed",
            "5",
            "--db",
            server.db_url,
            "--base-url",
            server.url,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def restart(server: AppServer, timeout: float = 30.0) -> None:
    """Stop the server, wait until its port is free, start it again on the same database.

    ``rapprochement app`` runs Streamlit as a child process: the child may still hold the port
    for a moment after the command itself has exited, and would answer the new server's health
    check before dying.
    """
    server.stop()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", server.port)) != 0:
                break
        time.sleep(0.2)
    server.start()


def label(decision: str) -> str:
    return load_catalogue().label("decision", decision)


def choose_and_submit(page: Page, decisions: list[str], statement: str) -> None:
    """Tick decisions in the seat's form, write a statement, submit."""
    page.get_by_role("button", name=tr("game.play.submit")).wait_for()
    choose_decisions(page, [label(d) for d in decisions])
    statement_box(page).fill(statement)
    page.get_by_role("button", name=tr("game.play.submit")).click()
    page.get_by_text(tr("game.play.submitted", decisions="").split(":")[0], exact=False).first.wait_for()


def turn_heading(turn: int) -> str:
    return tr("game.common.turn_of", turn=turn, turns=TURNS)


def test_a_class_plays_two_turns_across_a_server_restart(app_server: AppServer, browser: BrowserSession):
    """Instructor and two seats in separate contexts; restart mid-turn; both turns count."""
    game = new_game(app_server)
    instructor = browser.new_page(game["instructor"]["link"])
    seoul = browser.new_page(game["seats"]["seoul"]["link"])
    tokyo = browser.new_page(game["seats"]["tokyo"]["link"])

    instructor.get_by_role("button", name=tr("game.instructor.start")).click()
    for page in (seoul, tokyo):  # the seats learn of the start by themselves (polling)
        page.get_by_role("button", name=tr("game.play.submit")).wait_for()

    choose_and_submit(seoul, ["seoul_propose_summit", "seoul_trilateral_exercise"], "Let us talk.")
    choose_and_submit(tokyo, ["tokyo_propose_summit"], "We are ready.")
    instructor.get_by_role("button", name=tr("game.instructor.resolve", turn=1)).click()
    for page in (seoul, tokyo):  # the turn changes on the seats' pages without a reload
        page.get_by_text(turn_heading(2), exact=True).wait_for()
        page.get_by_text(tr("game.play.outcome", turn=1), exact=True).wait_for()

    choose_and_submit(seoul, ["seoul_dokdo_visit"], "")
    restart(app_server)  # in the middle of turn 2, after Seoul's submission

    for page, link in ((instructor, game["instructor"]["link"]), (seoul, game["seats"]["seoul"]["link"])):
        page.goto(link)
        page.get_by_text(turn_heading(2), exact=True).wait_for()
    seoul.get_by_text(tr("game.play.submitted", decisions=label("seoul_dokdo_visit"))).wait_for()
    instructor.get_by_role("button", name=tr("game.instructor.resolve", turn=2)).click()
    seoul.get_by_text(turn_heading(3), exact=True).wait_for()
    seoul.get_by_text(tr("game.play.outcome", turn=2), exact=True).wait_for()

    store = GameStore(app_server.db_url)
    try:
        shown = show_game(store, game["game"])
    finally:
        store.dispose()
    assert shown["turn"] == 2
    kinds = [e["kind"] for e in shown["log"]]
    assert kinds.count("resolve") == 2 and kinds.count("start") == 1
    subs = [(e["turn"], e["seat"], e["decisions"], e["fate"]) for e in shown["log"] if e["kind"] == "submission"]
    assert subs == [
        (0, "seoul", ["seoul_propose_summit", "seoul_trilateral_exercise"], "counted"),
        (0, "tokyo", ["tokyo_propose_summit"], "counted"),
        (1, "seoul", ["seoul_dokdo_visit"], "counted"),
    ]
    resolve_2 = [e for e in shown["log"] if e["kind"] == "resolve"][1]
    assert resolve_2["played_by"]["tokyo"] == "rule" and resolve_2["played_by"]["seoul"] == "human"


def test_a_choice_made_before_the_page_redraws_is_the_one_submitted(app_server: AppServer, browser: BrowserSession):
    """A team chooses, the teacher injects a crisis (every seat page redraws), the team submits.

    The choice and the statement must still be on the form after the redraw, and what is stored
    must be what the team chose: a page that rebuilt its form on a redraw (a widget key or
    options that moved with the log) would submit nothing, or the rules' choice, without a word.
    """
    game = new_game(app_server)
    codes = {"instructor": game["instructor"]["code"]}
    store = GameStore(app_server.db_url)
    try:
        Game(store, game["game"]).start(codes["instructor"])
        seoul = browser.new_page(game["seats"]["seoul"]["link"])
        seoul.get_by_role("button", name=tr("game.play.submit")).wait_for()
        chosen = ["seoul_propose_summit", "seoul_trilateral_exercise"]
        choose_decisions(seoul, [label(d) for d in chosen])
        statement_box(seoul).fill("Talks first.")

        Game(store, game["game"]).inject(codes["instructor"], "nuclear_test")
        news = tr("game.news.breaking", event=load_catalogue().label("event", "nuclear_test"))
        seoul.get_by_text(news).first.wait_for()  # the page has redrawn with the crisis on it

        for decision in chosen:  # still on the form, as the team left it
            assert seat_form(seoul).get_by_label(label(decision), exact=True).is_checked()
        assert statement_box(seoul).input_value() == "Talks first."
        seoul.get_by_role("button", name=tr("game.play.submit")).click()
        seoul.get_by_text(tr("game.play.submitted", decisions="").split(":")[0], exact=False).first.wait_for()
        pending = Game(store, game["game"]).timeline().pending["seoul"]
    finally:
        store.dispose()
    assert list(pending.decisions) == chosen and pending.statement == "Talks first."


def test_a_submission_the_watch_hears_of_before_the_page_runs_still_shows(
    app_server: AppServer, browser: BrowserSession
):
    """The page's own submission reaches its watch before its run's answer: the page still shows it.

    The seat's watch hears of every move of the log, this page's own submission too (the mark
    does not change: nothing to fetch). If the page took the watch's news for "drawn", the run's
    answer (the page with "Submitted: ...") would then look old and never be drawn. The test
    holds the server's messages to the page until the watch has heard of the submission.
    """
    game = new_game(app_server)
    store = GameStore(app_server.db_url)
    holding, held = [False], []

    def through(ws) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda m: held.append((ws, m)) if holding[0] else ws.send(m))
        ws.on_message(server.send)

    try:
        Game(store, game["game"]).start(game["instructor"]["code"])
        context = browser.new_context()
        seoul = context.new_page()
        seoul.route_web_socket(re.compile(r"_stcore/stream"), through)
        heard = []
        seoul.on("response", lambda r: heard.append(r.url) if "/_rapprochement/watch/" in r.url else None)
        seoul.goto(game["seats"]["seoul"]["link"])
        seoul.get_by_role("button", name=tr("game.play.submit")).wait_for()
        choose_decisions(seoul, [label("seoul_propose_summit")])
        holding[0] = True
        answered = len(heard)
        seoul.get_by_role("button", name=tr("game.play.submit")).click()
        deadline = time.monotonic() + 30
        while not Game(store, game["game"]).timeline().pending.get("seoul") or len(heard) <= answered:
            assert time.monotonic() < deadline, "the submission or the watch's answer never came"
            seoul.wait_for_timeout(200)
        seoul.wait_for_timeout(1000)  # the watch has taken the news in
        while held:  # in the order they came (more may come while these are handed on)
            ws, message = held.pop(0)
            ws.send(message)
        holding[0] = False
        while held:
            ws, message = held.pop(0)
            ws.send(message)
        seoul.get_by_text(tr("game.play.submitted", decisions=label("seoul_propose_summit"))).wait_for(timeout=15_000)
    finally:
        store.dispose()
