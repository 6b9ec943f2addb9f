"""Where one seat page's browser spends its time on a resolve: a Chrome trace, summed up.

``bench/seat_page_cost.py`` says how much a resolve costs a seat's browser; this says on
what. One server, the teacher's page and one seat page (its own Chromium, a student's
laptop); for each resolve after the first (the first also pays one-off costs) it records a
Chrome trace (``devtools.timeline``, V8 and compositor categories) and a JavaScript CPU
profile (DevTools ``Profiler``) for ``--settle`` seconds from the click (nothing of the bench runs in the page
meanwhile), and prints:

- the trace's work by thread (the seat's renderer main thread, its compositor and raster
  threads, the browser and GPU processes), as the self time of the trace's slices;
- the renderer main thread's self time by kind (script, style, layout, paint, parse...),
  and script time by the file that ran it;
- the profile's JavaScript self time by function and file (Streamlit's bundle, Vega, the
  component frames);
- how many animation frames the page drew, and how many while nothing changed (``--idle``
  seconds before the resolve).

    .venv/bin/python bench/seat_page_trace.py [--turns 2] [--settle 5] [--idle 5] [--save DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from bench.seat_page import beside_one_server, create_seat_game, require_turn_shown, teacher_and_seat_browser  # noqa: E402
from model.i18n import tr  # noqa: E402

CATEGORIES = ",".join(
    [
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "disabled-by-default-devtools.timeline.frame",
        "v8.execute",
        "blink",
        "cc",
        "gpu",
        "toplevel",
        "benchmark",
    ]
)
# Main-thread slices by what they are (the names DevTools' summary uses, grouped).
KINDS = {
    "script": {
        "FunctionCall",
        "EvaluateScript",
        "v8.compile",
        "V8.CompileScript",
        "TimerFire",
        "EventDispatch",
        "FireAnimationFrame",
        "v8.run",
        "RunMicrotasks",
        "V8.Execute",
        "v8.callFunction",
        "MajorGC",
        "MinorGC",
        "V8.GCScavenger",
        "V8.GC_MC",
        "BlinkGC.AtomicPhase",
        "v8.evaluateModule",
        "XHRReadyStateChange",
        "ParseHTML",
        "ScheduleStyleRecalculation",
        "InvalidateLayout",
    },
    "style": {"UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet"},
    "layout": {
        "Layout",
        "UpdateLayerTree",
        "IntersectionObserverController::computeIntersections",
        "LocalFrameView::RunResizeObserverSteps",
    },
    "paint": {
        "Paint",
        "PaintImage",
        "PrePaint",
        "Layerize",
        "Commit",
        "CompositeLayers",
        "UpdateLayer",
        "RasterTask",
        "Decode Image",
        "ImageDecodeTask",
    },
}


def kind_of(name: str) -> str:
    for kind, names in KINDS.items():
        if name in names:
            return kind
    return "other: " + name


def self_times(events: list[dict]) -> dict[tuple[int, int], list[tuple[dict, float]]]:
    """Each complete slice ('X', or B/E pairs) with its self time (its duration less its children's), per thread."""
    by_thread: dict[tuple[int, int], list[dict]] = defaultdict(list)
    open_: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for ev in events:
        key = (ev.get("pid"), ev.get("tid"))
        if ev.get("ph") == "X" and "dur" in ev:
            by_thread[key].append(ev)
        elif ev.get("ph") == "B":
            open_[key].append(dict(ev))
        elif ev.get("ph") == "E" and open_[key]:
            begin = open_[key].pop()
            begin["dur"] = ev["ts"] - begin["ts"]
            by_thread[key].append(begin)
    out = {}
    for key, slices in by_thread.items():
        slices.sort(key=lambda e: (e["ts"], -e["dur"]))
        result, stack = [], []  # stack of [event, children's time]
        for ev in slices:
            while stack and stack[-1][0]["ts"] + stack[-1][0]["dur"] <= ev["ts"]:
                done, kids = stack.pop()
                result.append((done, max(0.0, done["dur"] - kids)))
            if stack:
                stack[-1][1] += ev["dur"]
            stack.append([ev, 0.0])
        while stack:
            done, kids = stack.pop()
            result.append((done, max(0.0, done["dur"] - kids)))
        out[key] = result
    return out


def thread_names(events: list[dict]) -> dict[tuple[int, int], str]:
    names, procs = {}, {}
    for ev in events:
        if ev.get("ph") == "M" and ev.get("name") == "thread_name":
            names[(ev["pid"], ev["tid"])] = ev["args"]["name"]
        if ev.get("ph") == "M" and ev.get("name") == "process_name":
            procs[ev["pid"]] = ev["args"]["name"]
    return {k: f"{procs.get(k[0], '?')}/{v}" for k, v in names.items()}


def short_url(url: str) -> str:
    if not url:
        return "(no file)"
    tail = url.split("?")[0].rsplit("/", 2)
    return "/".join(tail[-2:])


def summarise_trace(events: list[dict], top: int = 14) -> dict:
    names = thread_names(events)
    slices = self_times(events)
    per_thread = Counter()
    main_kinds, script_files, other = Counter(), Counter(), Counter()
    frames = 0
    for key, items in slices.items():
        thread = names.get(key, f"{key}")
        per_thread[thread] += sum(s for _, s in items) / 1e6
        if not thread.endswith("CrRendererMain"):
            continue
        for ev, s in items:
            kind = kind_of(ev["name"])
            main_kinds[kind] += s / 1e6
            if kind == "script":
                data = (ev.get("args") or {}).get("data") or {}
                script_files[short_url(data.get("url") or data.get("scriptName") or "")] += s / 1e6
    for ev in events:
        if ev.get("name") in ("BeginMainThreadFrame", "BeginFrame") and ev.get("ph") in ("I", "i", "X", "n"):
            other[ev["name"]] += 1
        if ev.get("name") == "FireAnimationFrame":
            frames += 1
    return {
        "threads": per_thread.most_common(top),
        "main_kinds": main_kinds.most_common(top),
        "script_files": script_files.most_common(top),
        "frames": dict(other, FireAnimationFrame=frames),
    }


def summarise_profile(profile: dict, top: int = 200) -> tuple[list, list, float]:
    """JavaScript self time by function and by file from a DevTools CPU profile."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    deltas = profile.get("timeDeltas", [])
    samples = profile.get("samples", [])
    by_fn, by_file = Counter(), Counter()
    for node_id, dt in zip(samples, deltas[1:] + [0], strict=False):
        frame = nodes[node_id]["callFrame"]
        fn = frame.get("functionName") or "(anonymous)"
        url = short_url(frame.get("url", "")) if frame.get("url") else fn
        by_fn[f"{fn} @ {url}:{frame.get('lineNumber', -1)}"] += dt / 1e6
        by_file[url] += dt / 1e6
    total = sum(by_file.values())
    return by_fn.most_common(top), by_file.most_common(top), total


async def measure(url: str, db_url: str, turns: int, settle: float, idle: float, save: Path | None) -> None:
    new = create_seat_game(db_url, turns + 2)
    async with async_playwright() as pw, teacher_and_seat_browser(pw, url, new) as (teacher, own, seat_browser_cpu):
        context = await own.new_context(viewport={"width": 1280, "height": 900})
        seat = await context.new_page()
        await seat.goto(f"{url}/play?game={new.id}&code={new.seat_codes['seoul']}")
        cdp = await context.new_cdp_session(seat)
        await cdp.send("Profiler.enable")
        await cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        await seat.get_by_text(tr("game.play.briefing")).first.wait_for(timeout=120_000)
        await teacher.get_by_role("button", name=tr("game.instructor.start")).click()
        await seat.get_by_role("button", name=tr("game.play.submit")).wait_for(timeout=120_000)
        await asyncio.sleep(settle)
        # the first resolve pays one-off costs (first chart of a kind, code loaded late): done untraced
        await teacher.get_by_role("button", name=tr("game.instructor.resolve", turn=1)).click()
        await seat.get_by_text(tr("game.common.turn_of", turn=2, turns=turns + 2)).first.wait_for(timeout=120_000)
        await asyncio.sleep(settle)
        for turn in range(2, turns + 2):
            # idle: nothing happens on the page
            await own.start_tracing(page=seat, categories=CATEGORIES.split(","))
            c0 = seat_browser_cpu()
            await asyncio.sleep(idle)
            c1 = seat_browser_cpu()
            idle_events = json.loads(await own.stop_tracing())["traceEvents"]
            await cdp.send("Profiler.start")  # starting it costs the page a moment: before the trace
            await own.start_tracing(page=seat, categories=CATEGORIES.split(","))
            c2 = seat_browser_cpu()
            await teacher.get_by_role("button", name=tr("game.instructor.resolve", turn=turn)).click()
            await asyncio.sleep(settle)  # nothing of the bench runs in the page meanwhile
            c3 = seat_browser_cpu()
            profile = (await cdp.send("Profiler.stop"))["profile"]
            raw = await own.stop_tracing()
            await require_turn_shown(seat, turn + 1, turns + 2, turn, settle)
            events = json.loads(raw)["traceEvents"]
            if save:
                save.mkdir(parents=True, exist_ok=True)
                (save / f"resolve{turn}.trace.json").write_bytes(raw)
                (save / f"resolve{turn}.cpuprofile").write_text(json.dumps(profile))
            report(turn, events, idle_events, profile, c3 - c2, c1 - c0, idle, settle)


GROUPS = (  # the JavaScript profile's files, by what they are
    ("React", ("react-dom", "react.", "scheduler")),
    ("Emotion styles (CSS-in-JS)", ("emotion", "styled-components")),
    ("Markdown", ("StreamlitMarkdown", "remark", "rehype", "micromark", "mdast", "unified", "katex")),
    ("Vega / Vega-Lite", ("vega", "embed", "loadVegaEmbed", "ArrowVegaLiteChart")),
    ("dataframe (glide grid, Arrow)", ("DataFrame", "arrow", "recordbatch", "glide", "useCollection")),
    ("protobuf (the server's messages)", ("protobuf",)),
    ("the watch component's frame", ("game_watch", "index.html")),
    ("Streamlit's app (index and the rest)", ("js/",)),
    ("garbage collector", ("(garbage collector)",)),
    ("(program): the engine's own work", ("(program)",)),
)


def group_of(name: str) -> str:
    for group, marks in GROUPS:
        if any(m in name for m in marks):
            return group
    return "other (browser built-ins called by the page)"


def react_renders(events: list[dict]) -> tuple[int, float]:
    """React's render-and-commit tasks on the main thread: how many, and their time."""
    names = thread_names(events)
    main = {k for k, v in names.items() if v.endswith("CrRendererMain")}
    tasks = [
        e
        for e in events
        if (e.get("pid"), e.get("tid")) in main
        and e.get("name") == "FunctionCall"
        and e.get("ph") == "X"
        and "react-dom" in (((e.get("args") or {}).get("data") or {}).get("url") or "")
    ]
    return len(tasks), sum(e.get("dur", 0) for e in tasks) / 1e6


def report(turn, events, idle_events, profile, cpu, idle_cpu, idle, settle) -> None:
    s = summarise_trace(events)
    i = summarise_trace(idle_events)
    fns, files, js = summarise_profile(profile)
    renders, render_s = react_renders(events)
    print(f"\n== resolve {turn} (load average {os.getloadavg()[0]:.2f}) ==")
    print(
        f"seat's whole browser CPU (tracing and profiling on): {cpu:.3f} s in the {settle:.0f} s from the click; "
        f"{idle_cpu:.3f} s in {idle:.0f} s idle before it"
    )
    print(f"React render tasks: {renders}, {render_s:.3f} s")
    print("trace self time by thread, s (resolve window | idle window):")
    idle_threads = dict(i["threads"])
    for name, sec in s["threads"]:
        print(f"  {sec:7.3f} | {idle_threads.get(name, 0.0):7.3f}  {name}")
    print("renderer main thread by kind, s (resolve window | idle):")
    idle_kinds = dict(i["main_kinds"])
    for name, sec in s["main_kinds"]:
        print(f"  {sec:7.3f} | {idle_kinds.get(name, 0.0):7.3f}  {name}")
    print("script slices by file, s:")
    for name, sec in s["script_files"]:
        print(f"  {sec:7.3f}  {name}")
    print(f"frames: resolve window {s['frames']} | idle {i['frames']}")
    busy = [(name, sec) for name, sec in files if name != "(idle)"]
    grouped = Counter()
    for name, sec in busy:
        grouped[group_of(name)] += sec
    print(f"JavaScript profile (sampled), {sum(sec for _, sec in busy):.3f} s busy, by what ran:")
    for name, sec in grouped.most_common():
        print(f"  {sec:7.3f}  {name}")
    print("by file:")
    for name, sec in busy[:15]:
        print(f"  {sec:7.3f}  {name}")
    print("by function:")
    for name, sec in fns[:15]:
        print(f"  {sec:7.3f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=2, help="resolves traced (after an untraced first one)")
    parser.add_argument("--settle", type=float, default=6.0, help="seconds traced from each click on Resolve")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds traced while nothing happens")
    parser.add_argument("--save", type=Path, help="keep the traces and profiles here (open them in DevTools)")
    args = parser.parse_args()
    beside_one_server(lambda url, db: asyncio.run(measure(url, db, args.turns, args.settle, args.idle, args.save)))


if __name__ == "__main__":
    main()
