"""A class, or a school, in real headless browsers: how fast every page learns of each resolve.

One class is one game with ``--pages-per-seat`` pages on each of the five seats (six: thirty
students), the teacher's page and the projector. A school is ``--classes`` such classes at once
on ``--processes`` app processes behind one address, every game in PostgreSQL. Each page is its
own browser context (its own laptop) in Debian's Chromium, driven by Playwright.

For every class the script opens every page (and times the load), starts the game, and then
plays ``--turns`` turns: one page per seat picks a decision and writes a statement, the teacher
resolves, and the script times, for every page, how long after the click it shows the new turn
(or the end), and how long the teacher's own page takes to say the turn was resolved. Classes
run side by side, their turns offset by ``--stagger`` seconds, as in a school where teachers do
not resolve in step.

The goals (issue 15) are checked here, never in timed tests: every resolve on every page
within 5 s, median at most 3 s; the teacher answered within 2 s; every page loaded.

    .venv/bin/python bench/classroom_load.py                      # one class, one server
    .venv/bin/python bench/classroom_load.py --school             # 4 classes, 2 processes, PostgreSQL
    .venv/bin/python bench/classroom_load.py --pages-per-seat 1   # a quick look (7 pages)
    .venv/bin/python bench/classroom_load.py --school --browser-seats 5   # the servers' side of a school

With ``--browser-seats N`` only N seat pages per class (one per seat first: those submit) are
drawn in Chromium; the others are protocol pages (``bench/protocol_page.py``): the same
websocket, watch route and reruns as a browser, drawing nothing. A harness variant, labelled as
such: it measures what the app servers deliver when the students' devices draw their own
pages elsewhere, which 30-130 browsers on the servers' own cores cannot show.

Needs Debian's chromium (and postgresql for ``--postgres``/``--school``, nginx for more than
one process). Prints the figures, the load average and the servers' CPU; ``--json`` writes them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import BrowserContext, Page, async_playwright  # noqa: E402

from bench.protocol_page import ProtocolPage  # noqa: E402
from bench.serving import cpu_seconds  # noqa: E402
from model.i18n import tr  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SUBMITTED = tr("game.play.submitted", decisions="").split(":")[0] + ":"
GOAL_MAX, GOAL_MEDIAN, GOAL_TEACHER = 5.0, 3.0, 2.0
STEPS = ("route_answered", "page_asked_to_run", "run_and_redraw")  # a page's way from a click to its redraw
PAGE_TIMEOUT_MS = 120_000
RAPPROCHEMENT = Path(sys.executable).parent / "rapprochement"

# Records, in every page, the first moment each wanted text is on the page (checked at most
# every 50 ms after the page changed), so that many pages are timed at once without polling.
WATCHER = """
window.__marks = {};
window.__want = [];
window.__check = () => {
  const body = document.body ? document.body.textContent : "";
  for (const w of window.__want) {
    if (!(w in window.__marks) && body.includes(w)) window.__marks[w] = Date.now();
  }
};
let __pending = false;
new MutationObserver(() => {
  if (__pending) return;
  __pending = true;
  setTimeout(() => { __pending = false; window.__check(); }, 50);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@dataclass
class Tab:
    """One browser page of a class: who it is and what it measured."""

    role: str
    link: str
    drawn: bool = True  # in Chromium; else a protocol page (the server's side only)
    page: Page | ProtocolPage | None = None
    load: float | None = None
    opened: float | None = None  # when the bench opened the link (epoch s)
    seen: list[float | None] = field(default_factory=list)
    asked: int = 0  # messages the page sent its server (each asks for a run: a rerun, a widget's value)
    answers: list[float] = field(default_factory=list)  # when the watch route answered the page (epoch s)
    sends: list[float] = field(default_factory=list)  # when the page sent its server a message or asked the seat route
    asks: list[float] = field(default_factory=list)  # when the watch's questions reached the route (epoch s)


@dataclass
class ClassResult:
    """What one class measured."""

    game: str
    tabs: list[Tab]
    teacher: list[float | None] = field(default_factory=list)
    resolve_cpu: list[tuple[float, float, float]] = field(default_factory=list)  # (browsers, servers, bench) CPU s
    start_seen: list[float | None] = field(default_factory=list)
    start_steps: dict[str, list[float | None]] = field(default_factory=dict)  # the start, step by step
    resolve_steps: dict[str, list[float | None]] = field(default_factory=dict)  # seat pages' resolves, too
    errors: list[str] = field(default_factory=list)


async def want(page: Page | ProtocolPage, text: str) -> None:
    """Ask the page's watcher to time the appearance of ``text`` (now if already there)."""
    if isinstance(page, ProtocolPage):
        page.wanted(text)
        return
    await page.evaluate("(t) => { window.__want.push(t); window.__check(); }", text)


async def seen_at(page: Page | ProtocolPage, text: str) -> float | None:
    """When (epoch seconds) ``text`` appeared on the page, or None."""
    if isinstance(page, ProtocolPage):
        return page.seen_at(text)
    ms = await page.evaluate("(t) => window.__marks[t] ?? null", text)
    return None if ms is None else ms / 1000.0


async def wait_all(tabs: list[Tab], text: str, since: float, timeout: float) -> list[float | None]:
    """Seconds from ``since`` until each tab showed ``text`` (None: not within ``timeout``)."""
    deadline = since + timeout
    out: list[float | None] = [None] * len(tabs)
    while True:
        for i, tab in enumerate(tabs):
            if out[i] is None and tab.page is not None:
                try:
                    at = await seen_at(tab.page, text)
                except Exception:  # a page that crashed: counted as never seeing it
                    at = None
                if at is not None:
                    out[i] = max(0.0, at - since)
        if all(x is not None for x in out) or time.time() > deadline:
            return out
        await asyncio.sleep(0.25)


def _count(tab: Tab) -> None:
    tab.asked += 1
    tab.sends.append(time.time())


def _answered(tab: Tab, response) -> None:
    """Note a watch answer, and when its question left the browser.

    A question can wait in the browser for a free connection: a browser opens at most six to
    one address, and a page still fetching its code holds them.
    """
    if "/_rapprochement/watch/" in response.url:
        tab.answers.append(time.time())
        timing = response.request.timing
        if timing.get("requestStart", -1) >= 0:
            tab.asks.append((timing["startTime"] + timing["requestStart"]) / 1000)


def steps(tab: Tab, since: float, shown: float | None) -> tuple[float | None, float | None, float | None]:
    """A page's way from a click (``since``) to showing its result ``shown`` s later, in three steps.

    Seconds from the click until the watch route answered the page, from that answer until
    the page asked its server to run (the watch woke it) or, a seat's page, asked the seat route
    for its new page, and from there until the page showed the result (the run or the fetch,
    and the browser's redraw). None where a step was not seen.
    """
    answer = next((t for t in tab.answers if t >= since), None)
    sent = next((t for t in tab.sends if answer is not None and t >= answer), None)
    end = None if shown is None else since + shown
    return (
        None if answer is None else answer - since,
        None if sent is None or answer is None else sent - answer,
        None if end is None or sent is None else end - sent,
    )


async def open_tab(context: BrowserContext, tab: Tab, ready: str) -> None:
    """Open a tab's link and time until ``ready`` is on the page."""
    page = await context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    await page.add_init_script(WATCHER)
    page.on("websocket", lambda ws: ws.on("framesent", lambda _frame: _count(tab)))
    page.on("response", lambda response: _answered(tab, response))
    # a seat's page fetches its new page from the seat route instead of asking its server to run
    page.on("request", lambda req: tab.sends.append(time.time()) if "/_rapprochement/seat/" in req.url else None)
    tab.page = page
    t0 = tab.opened = time.time()
    try:
        await page.goto(tab.link)
        await want(page, ready)
        await page.wait_for_function("(t) => t in window.__marks", arg=ready, timeout=PAGE_TIMEOUT_MS)
        tab.load = (await seen_at(page, ready) or time.time()) - t0
    except Exception as err:  # a page that never loaded is a finding, not a crash of the bench
        tab.load = None
        print(f"  {tab.role}: did not load ({type(err).__name__})", file=sys.stderr)


async def open_protocol_page(tab: Tab, ready: str) -> None:
    """Open a seat's link as a protocol page and time until ``ready`` arrived from the server."""
    page = ProtocolPage(tab.link)
    tab.page, tab.answers, tab.sends = page, page.answers, page.sends
    page.wanted(ready)
    t0 = tab.opened = time.time()
    try:
        await page.open()
        while page.seen_at(ready) is None and time.time() < t0 + PAGE_TIMEOUT_MS / 1000:
            await asyncio.sleep(0.1)
    except Exception as err:
        print(f"  {tab.role}: protocol page did not open ({type(err).__name__}: {err})", file=sys.stderr)
    at = page.seen_at(ready)
    tab.load = None if at is None else at - t0


async def submit_one(page: Page, statement: str, tries: int = 2) -> bool:
    """Tick the first decision of the seat's form, write a statement, submit (a second try if refused)."""
    for attempt in range(tries):
        try:
            form = page.locator("form.rp-form").first
            box = form.locator('input[name="decision"]').first
            await box.check(timeout=15_000)
            await form.locator('textarea[name="statement"]').fill(statement)
            await form.get_by_role("button", name=tr("game.play.submit")).click()
            await page.wait_for_function("(t) => document.body.textContent.includes(t)", arg=SUBMITTED, timeout=60_000)
            return True
        except Exception as err:
            notices = await page.locator(".rp-alert").all_inner_texts()
            print(
                f"  submission failed (try {attempt + 1}, {type(err).__name__}: {str(err).splitlines()[0]}): {notices}",
                file=sys.stderr,
            )
    return False


def new_game(front: str, db_url: str, turns: int) -> dict:
    """Create a game as a teacher does, with ``rapprochement game new``."""
    out = subprocess.run(
        [
            str(RAPPROCHEMENT),
            "game",
            "new",
            "baseline-2026",
            "--turns",
            str(turns),
            "--seed",
            "11",
            "--db",
            db_url,
            "--base-url",
            front,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    return json.loads(out.stdout)


def turn_text(turn: int, turns: int) -> str:
    """What a page shows once turn ``turn`` (1-based) is open, or the end."""
    if turn > turns:
        return tr("game.common.status", status=tr("game.status.ended"))
    return tr("game.common.turn_of", turn=turn, turns=turns)


async def run_class(
    browser,
    game: dict,
    pages_per_seat: int,
    turns: int,
    offset: float,
    think: float,
    number: int,
    cpu,
    start_when_live: bool = False,
    browser_seats: int | None = None,
) -> ClassResult:
    """Open every page of one class, start, play and resolve every turn, timing each page."""
    await asyncio.sleep(offset)
    tabs = [Tab("instructor", game["instructor"]["link"]), Tab("projector", game["viewer"]["projector"])]
    for _ in range(pages_per_seat):  # one page per seat first: the first of each seat submits
        tabs += [Tab(seat, entry["link"]) for seat, entry in game["seats"].items()]
    for i, tab in enumerate(tabs[2:]):
        tab.drawn = browser_seats is None or i < browser_seats
    result = ClassResult(game["game"], tabs)
    contexts = [await browser.new_context(viewport={"width": 1280, "height": 900}) for t in tabs if t.drawn]
    teacher, projector, seats = tabs[0], tabs[1], tabs[2:]
    ready_seat = tr("game.play.briefing")
    ready_teacher = tr("game.instructor.start")
    ready_projector = tr("game.projector.fan")
    # Students open their links over a few seconds, not all in the same millisecond.
    openings = [open_tab(contexts[0], teacher, ready_teacher), open_tab(contexts[1], projector, ready_projector)]
    drawn = iter(contexts[2:])
    for i, tab in enumerate(seats):
        opening = open_tab(next(drawn), tab, ready_seat) if tab.drawn else open_protocol_page(tab, ready_seat)
        openings.append(_later(0.2 * i, opening))
    await asyncio.gather(*openings)
    print(f"  class {number}: {sum(t.load is not None for t in tabs)}/{len(tabs)} pages loaded", file=sys.stderr)
    if teacher.page is None or teacher.load is None:
        result.errors.append("the teacher's page did not load")
        return result

    submit_label = tr("game.play.submit")
    for tab in seats:
        if tab.page is not None:
            await want(tab.page, submit_label)
    if start_when_live:  # a variant: Start only once every seat page's watch was answered once
        deadline = time.time() + PAGE_TIMEOUT_MS / 1000
        while any(t.page is not None and not t.answers for t in seats) and time.time() < deadline:
            await asyncio.sleep(0.25)
    asked = lambda: sum(t.asked for t in seats)  # noqa: E731
    before = asked()
    t0 = time.time()
    await teacher.page.get_by_role("button", name=tr("game.instructor.start")).click()
    result.start_seen = await wait_all(seats, submit_label, t0, 60)
    parts = [steps(tab, t0, shown) for tab, shown in zip(seats, result.start_seen, strict=True)]
    for k, name in enumerate(STEPS):
        result.start_steps[name] = [part[k] for part in parts]
    print(f"  class {number} start: the seat pages sent {asked() - before} messages", file=sys.stderr)

    for turn in range(1, turns + 1):
        between = asked()
        await asyncio.sleep(think / 2)
        writers = {}
        for tab in seats:  # one page per seat submits (a drawn one: protocol pages never submit)
            if tab.role not in writers and tab.drawn and tab.page is not None:
                writers[tab.role] = tab
        await asyncio.gather(*(submit_one(t.page, f"Class {number}, turn {turn}.") for t in writers.values()))
        await asyncio.sleep(think / 2)
        target = turn_text(turn + 1, turns)
        flash = tr("game.instructor.resolved", turn=turn)
        for tab in tabs:
            if tab.page is not None:
                await want(tab.page, target)
        await want(teacher.page, flash)
        button = teacher.page.get_by_role("button", name=tr("game.instructor.resolve", turn=turn))
        await button.wait_for()
        cpu0 = cpu()
        before = asked()
        t0 = time.time()
        await button.click()
        answered = await wait_all([teacher], flash, t0, 60)
        result.teacher.append(answered[0])
        times = await wait_all(tabs, target, t0, 60)
        cpu1 = cpu()
        result.resolve_cpu.append(tuple(b - a for a, b in zip(cpu0, cpu1, strict=True)))
        for tab, x in zip(tabs, times, strict=True):
            tab.seen.append(x)
            if tab.role not in ("instructor", "projector"):
                for name, step in zip(STEPS, steps(tab, t0, x), strict=True):
                    result.resolve_steps.setdefault(name, []).append(step)
        done = [x for x in times if x is not None]
        print(
            f"  class {number} turn {turn}: teacher {_fmt(answered[0])} s, pages {len(done)}/{len(tabs)}, "
            f"median {_fmt(_median(done))} s, max {_fmt(_max(done))} s; CPU meanwhile: browsers "
            f"{result.resolve_cpu[-1][0]:.1f} s, servers {result.resolve_cpu[-1][1]:.1f} s; messages from the "
            f"seat pages: {before - between} while the teams played, {asked() - before} on the resolve",
            file=sys.stderr,
        )
    for context in contexts:
        await context.close()
    for tab in seats:
        if isinstance(tab.page, ProtocolPage):
            result.errors += [f"{tab.role} (protocol page): {e}" for e in tab.page.errors]
            await tab.page.close()
    return result


async def probe_health(url: str, seconds: list[float]) -> None:
    """Ask the front's health check every second while the classes play; note how long it took."""
    import urllib.request

    def ask() -> float:
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
                response.read()
        except OSError:
            return 30.0
        return time.perf_counter() - t0

    while True:
        seconds.append(await asyncio.to_thread(ask))
        await asyncio.sleep(1.0)


async def _later(delay: float, coro):
    await asyncio.sleep(delay)
    return await coro


async def play(args, fronts: list[str], db_url: str, server_pids: list[int]) -> dict:
    games = [new_game(fronts[i % len(fronts)], db_url, args.turns) for i in range(args.classes)]
    spies = []
    if args.profile:  # development aid: where the servers' CPU goes (needs py-spy)
        args.profile.mkdir(parents=True, exist_ok=True)
        spy = str(Path(sys.executable).parent / "py-spy")
        spies = [
            subprocess.Popen(
                [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "50", "--nonblocking"]
                + ["-o", str(args.profile / f"server-{pid}.txt")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for pid in server_pids
        ]
    load_before = os.getloadavg()
    cpu0, wall0 = cpu_seconds(server_pids), time.time()
    browsers_cpu = 0.0
    async with async_playwright() as pw:
        chromium = niced_chromium(args.browser_nice, args.tmp) if args.browser_nice else CHROMIUM
        browsers = [
            await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
            for _ in range(args.classes)
        ]
        from bench.serving import descendants

        mine = [p for p in descendants(os.getpid()) if p not in server_pids and p != os.getpid()]
        b0 = cpu_seconds(mine)

        def cpu() -> tuple[float, float, float]:
            """CPU seconds so far of the browsers (all classes'), the app servers and this process."""
            browsers = [p for p in descendants(os.getpid()) if p not in server_pids and p != os.getpid()]
            return cpu_seconds(browsers), cpu_seconds(server_pids), time.process_time()

        health: list[float] = []
        probe = asyncio.create_task(probe_health(fronts[0], health))
        results = await asyncio.gather(
            *(
                run_class(
                    browsers[i],
                    g,
                    args.pages_per_seat,
                    args.turns,
                    i * args.stagger,
                    args.think,
                    i + 1,
                    cpu,
                    args.start_when_live,
                    args.browser_seats,
                )
                for i, g in enumerate(games)
            )
        )
        probe.cancel()
        mine = [p for p in descendants(os.getpid()) if p not in server_pids and p != os.getpid()]
        browsers_cpu = cpu_seconds(mine) - b0
        for b in browsers:
            await b.close()
    wall = time.time() - wall0
    cpu = cpu_seconds(server_pids) - cpu0
    for spy in spies:
        spy.send_signal(2)  # SIGINT: py-spy writes its profile and exits
        spy.wait(60)
    out = summarise(args, results, load_before, os.getloadavg(), cpu / wall)
    out["health_check"] = {"median": _median(health), "max": _max(health), "probes": len(health)}
    out["browsers_cpu_cores"] = round(browsers_cpu / wall, 2)
    out["seconds"] = round(wall, 1)
    return out


def niced_chromium(nice: int, folder: Path) -> Path:
    """A Chromium that runs below the app servers' priority (a harness variant, labelled as such)."""
    wrapper = folder / "chromium-niced"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {int(nice)} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def summarise(args, results: list[ClassResult], load_before, load_after, server_cpu: float) -> dict:
    seen = [x for r in results for t in r.tabs for x in t.seen]
    got = [x for x in seen if x is not None]
    loads = [t.load for r in results for t in r.tabs]
    live = [min(t.asks) - t.opened if t.asks and t.opened else None for r in results for t in r.tabs if t.drawn]
    teacher = [x for r in results for x in r.teacher]
    out = {
        "classes": args.classes,
        "processes": args.processes,
        "database": "postgresql" if args.postgres else "sqlite",
        "pages": sum(len(r.tabs) for r in results),
        "turns": args.turns,
        "resolve_to_page": {
            "observations": len(seen),
            "missed": len(seen) - len(got),
            "median": statistics.median(got) if got else None,
            "p90": statistics.quantiles(got, n=10, method="inclusive")[-1] if len(got) > 1 else None,
            "max": max(got, default=None),
        },
        "resolve_to_page_by_kind": {
            kind: {"observations": len(xs), "median": _median(xs), "max": _max(xs), "missed": xs.count(None)}
            for kind, drawn in (("drawn", True), ("protocol", False))
            for xs in [[x for r in results for t in r.tabs if t.drawn == drawn for x in t.seen]]
        },
        "protocol_pages": sum(not t.drawn for r in results for t in r.tabs),
        "teacher_answered": {"median": _median(teacher), "max": _max(teacher), "missed": teacher.count(None)},
        "page_load": {
            "loaded": sum(x is not None for x in loads),
            "of": len(loads),
            "median": _median(loads),
            "max": _max(loads),
            "live_median": _median(live),
            "live_max": _max(live),
            "live": sum(x is not None for x in live),
            "live_of": len(live),
        },
        "start_to_seats": {
            "median": _median([x for r in results for x in r.start_seen]),
            "max": _max([x for r in results for x in r.start_seen]),
            **{
                f"{name}_median_max": [_median(xs), _max(xs)]
                for name in STEPS
                for xs in [[x for r in results for x in r.start_steps.get(name, [])]]
            },
        },
        "resolve_steps": {
            f"{name}_median_max": [_median(xs), _max(xs)]
            for name in STEPS
            for xs in [[x for r in results for x in r.resolve_steps.get(name, [])]]
        },
        "browser_nice": args.browser_nice,
        "start_when_live": args.start_when_live,
        "server_cpu_cores": round(server_cpu, 2),
        "cpu_per_resolve": {
            "browsers_median_s": _median([b for r in results for b, _, _ in r.resolve_cpu]),
            "servers_median_s": _median([s for r in results for _, s, _ in r.resolve_cpu]),
            "bench_median_s": _median([b for r in results for _, _, b in r.resolve_cpu]),
        },
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "errors": [e for r in results for e in r.errors],
    }
    ok = (
        out["resolve_to_page"]["missed"] == 0
        and got
        and max(got) <= GOAL_MAX
        and statistics.median(got) <= GOAL_MEDIAN
        and teacher
        and None not in teacher
        and max(teacher) <= GOAL_TEACHER
        and out["page_load"]["loaded"] == out["page_load"]["of"]
    )
    out["goals_met"] = bool(ok)
    return out


def _median(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 2) if xs else None


def _max(xs):
    xs = [x for x in xs if x is not None]
    return round(max(xs), 2) if xs else None


def report(out: dict) -> None:
    r, t, p = out["resolve_to_page"], out["teacher_answered"], out["page_load"]
    print(
        f"{out['classes']} class(es), {out['pages']} pages, {out['processes']} app process(es), "
        f"{out['database']}, {out['turns']} turns ({os.cpu_count()} cores)"
    )
    if out.get("browser_nice"):
        print(
            f"  HARNESS VARIANT, not the goal's setting: the browsers run at nice {out['browser_nice']}, "
            "below the app servers (as if the students' devices did their own drawing)"
        )
    if out["protocol_pages"]:
        print(
            f"  HARNESS VARIANT, not the goal's setting: {out['protocol_pages']} of {out['pages']} pages are protocol "
            "pages (bench/protocol_page.py): the server's side of a page whose device draws elsewhere; "
            "for them 'on the new turn' is when the server's message with it arrived"
        )
    print(
        f"  resolve -> page on the new turn: median {_fmt(r['median'])} s, 90% {_fmt(r['p90'])} s, "
        f"max {_fmt(r['max'])} s, missed {r['missed']} of {r['observations']}"
    )
    if out["protocol_pages"]:
        for kind, k in out["resolve_to_page_by_kind"].items():
            print(
                f"    {kind} pages: median {_fmt(k['median'])} s, max {_fmt(k['max'])} s, "
                f"missed {k['missed']} of {k['observations']}"
            )
    print(f"  teacher answered: median {_fmt(t['median'])} s, max {_fmt(t['max'])} s, missed {t['missed']}")
    print(f"  pages loaded: {p['loaded']} of {p['of']}, median {_fmt(p['median'])} s, max {_fmt(p['max'])} s")
    print(
        f"  pages live (their watch's first question reached the server: the page's code loaded): "
        f"{p['live']} of {p['live_of']} drawn, median {_fmt(p['live_median'])} s, "
        f"max {_fmt(p['live_max'])} s after the link was opened"
    )
    if out.get("start_when_live"):
        print("  VARIANT: Start was pressed once every seat page was live (not only showing its briefing)")
    s = out["start_to_seats"]
    print(f"  start -> seats can submit: median {_fmt(s['median'])} s, max {_fmt(s['max'])} s")
    print(
        "    by step (median / max): the watch route answered the page "
        f"{' / '.join(_fmt(x) for x in s['route_answered_median_max'])} s after the click; the page asked "
        f"its server to run or fetched its page {' / '.join(_fmt(x) for x in s['page_asked_to_run_median_max'])} s "
        f"after that; the run or fetch and the redraw took "
        f"{' / '.join(_fmt(x) for x in s['run_and_redraw_median_max'])} s"
    )
    s = out["resolve_steps"]
    print(
        "  resolve -> seat page, by step (median / max): route answered "
        f"{' / '.join(_fmt(x) for x in s['route_answered_median_max'])} s; page asked to run or fetched "
        f"{' / '.join(_fmt(x) for x in s['page_asked_to_run_median_max'])} s after; run or fetch and redraw "
        f"{' / '.join(_fmt(x) for x in s['run_and_redraw_median_max'])} s"
    )
    h = out.get("health_check", {})
    print(f"  health check answered in: median {_fmt(h.get('median'))} s, max {_fmt(h.get('max'))} s")
    print(
        f"  CPU over {out.get('seconds', 0):.0f} s: app servers {out['server_cpu_cores']:.2f} cores, "
        f"browsers {out.get('browsers_cpu_cores', 0):.2f} cores (of {os.cpu_count()})"
    )
    c = out["cpu_per_resolve"]
    print(
        f"  CPU from a resolve's click until every page showed it (all classes'): browsers "
        f"{_fmt(c['browsers_median_s'])} s, app servers {_fmt(c['servers_median_s'])} s, this bench's own process "
        f"(the browsers' driver, the protocol pages) {_fmt(c['bench_median_s'])} s (medians)"
    )
    print(f"  load average before {out['loadavg_before']}, after {out['loadavg_after']}")
    print(
        f"  goals (every page <= {GOAL_MAX:g} s, median <= {GOAL_MEDIAN:g} s, teacher <= {GOAL_TEACHER:g} s, "
        f"every page loads): {'met' if out['goals_met'] else 'NOT met'}"
    )


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=1)
    parser.add_argument("--processes", type=int, default=1, help="app processes behind one address")
    parser.add_argument("--pages-per-seat", type=int, default=6)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="games in a throwaway PostgreSQL")
    parser.add_argument("--school", action="store_true", help="4 classes, 2 processes, PostgreSQL")
    parser.add_argument("--stagger", type=float, default=7.0, help="seconds between classes' turns")
    parser.add_argument("--think", type=float, default=10.0, help="seconds the teams take per turn")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--profile", type=Path, help="write py-spy profiles of the servers here")
    parser.add_argument(
        "--start-when-live",
        action="store_true",
        help="press Start once every seat page's watch was answered, not as soon as it shows its briefing",
    )
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=0,
        help="a harness variant, not the goal's setting: run the browsers at this nice level, below the servers",
    )
    parser.add_argument(
        "--browser-seats",
        type=int,
        help="a harness variant: only this many seat pages per class in Chromium, the rest protocol pages",
    )
    args = parser.parse_args()
    if args.school:
        args.classes, args.processes, args.postgres = 4, 2, True
    from bench.serving import serve  # noqa: PLC0415

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rapprochement-bench-")))
        front, db_url, pids = serve(stack, args.processes, args.postgres, tmp)
        args.tmp = tmp
        out = asyncio.run(play(args, [front], db_url, pids))
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
