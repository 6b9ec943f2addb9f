"""A game page as its server sees it: Streamlit's protocol without a browser to draw it.

A class's browsers on the same cores as the app server measure the machine's drawing as much
as the server's serving (docs/PERFORMANCE.md). In a classroom each student's device draws its
own page; what one machine has to carry is what its server does for every page. This client
asks exactly that of the server, over the same websocket and the same watch route a browser
uses, and draws nothing:

- it opens the page's link as the browser's first message does (a ``rerun_script`` with the
  link's query string and the page's ``url_path``), then uses the page's script hash the
  server names, as the frontend does;
- it keeps the watch's side of the page (``ui/components/watch``): one question held open at
  the watch route, and, when the answer's mark differs from the one the page shows, a rerun
  with the component's new value, as the component asks its page to (the teacher's page and
  the projector);
- a seat's page (``ui/components/seat``) does as its component does: one question held open
  at the watch route and, when the answer's mark differs from the one shown, one GET of the
  seat's HTML at the seat route (no rerun);
- it notes when each wanted text first arrived in a message from the server (what the browser
  would then draw: a real device adds its own redraw, about 0.07 CPU s per resolve on one seat
  page, ``bench/seat_page_cost.py``; 0.25-0.5 s before the seat's page stopped rerunning).

It never submits: the bench's real browser pages do that. It needs ``websockets``, which
Streamlit's own server depends on.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

WATCH_COMPONENT = "game_watch"
SEAT_COMPONENT = "rapprochement_seat"
AT_LEAST_S = 0.5  # between two of the watch's questions, as in the component


@dataclass
class ProtocolPage:
    """One page's connection to its server, with what it saw and when (epoch seconds)."""

    link: str
    marks: dict[str, float] = field(default_factory=dict)  # wanted text -> first arrival
    want: list[str] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)  # when the watch route answered
    sends: list[float] = field(default_factory=list)  # when this page asked its server to run
    runs: int = 0  # whole runs the server finished for this page (not those cut short by a rerun)
    finished: float = 0.0  # when the last run ended, however it ended
    known: int = -1  # the last log position the watch route answered
    received: int = 0  # messages from the server
    fetches: int = 0  # seat pages: the seat's HTML fetched from the seat route
    errors: list[str] = field(default_factory=list)
    _socket: object = None
    _page_hash: str = ""
    _watch: dict | None = None  # the watch component's id and arguments, as last drawn
    _seat: dict | None = None  # the seat component's data, as last drawn
    _tasks: list[asyncio.Task] = field(default_factory=list)

    def wanted(self, text: str) -> None:
        """Note the first arrival of ``text`` from now on (what arrived before is not searched: ask first)."""
        self.want.append(text)

    def idle(self) -> bool:
        """Whether every run this page asked for has ended (requests made meanwhile are merged)."""
        return bool(self.sends) and self.finished >= self.sends[-1]

    def seen_at(self, text: str) -> float | None:
        """When ``text`` first arrived, or None."""
        return self.marks.get(text)

    async def open(self) -> None:
        """Connect and ask for the page's first run, as a browser opening the link does."""
        url = urllib.parse.urlsplit(self.link)
        origin = f"{url.scheme}://{url.netloc}"
        root = url.path.rsplit("/", 1)[0]
        self._query, self._page_name = url.query, url.path.rsplit("/", 1)[1]
        self._route_base = origin + root + "/"
        ws_url = ("wss" if url.scheme == "https" else "ws") + f"://{url.netloc}{root}/_stcore/stream"
        self._socket = await websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=origin, max_size=None, ping_interval=None
        )
        self._tasks.append(asyncio.create_task(self._receive()))
        await self._rerun(None)

    async def close(self) -> None:
        """Stop watching and leave, as a closed tab does."""
        for task in self._tasks:
            task.cancel()
        if self._socket is not None:
            await self._socket.close()

    async def _rerun(self, watch_value: int | None) -> None:
        """Ask the server to run the page (with the watch's new value, if any)."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self._query
        if self._page_hash:
            state.page_script_hash = self._page_hash
        else:
            state.page_name = self._page_name
        if watch_value is not None and self._watch is not None:
            widget = state.widget_states.widgets.add()
            widget.id = self._watch["id"]
            widget.json_value = json.dumps(watch_value)
        self.sends.append(time.time())
        await self._socket.send(msg.SerializeToString())

    async def _receive(self) -> None:
        try:
            async for raw in self._socket:
                now = time.time()
                self.received += 1
                self._seen(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "navigation" and msg.navigation.page_script_hash:
                    self._page_hash = msg.navigation.page_script_hash
                elif kind == "script_finished":
                    self.finished = now
                    if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                        self.runs += 1
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    if element.WhichOneof("type") == "bidi_component" and element.bidi_component.component_name == (
                        SEAT_COMPONENT
                    ):
                        first = self._seat is None
                        self._seat = json.loads(element.bidi_component.json)
                        if first:
                            self._tasks.append(asyncio.create_task(self._seat_loop()))
                    elif element.WhichOneof("type") == "component_instance":
                        ci = element.component_instance
                        if ci.component_name.endswith(WATCH_COMPONENT):
                            first = self._watch is None
                            self._watch = {"id": ci.id, "args": json.loads(ci.json_args)}
                            if first:
                                self._tasks.append(asyncio.create_task(self._watch_loop()))
        except websockets.ConnectionClosed:
            pass
        except Exception as err:  # a finding of the bench, not its crash
            self.errors.append(f"{type(err).__name__}: {err}")

    def _seen(self, raw: bytes) -> None:
        """Note the wanted texts that arrived in ``raw`` (a message, or the seat route's answer)."""
        now = time.time()
        for text in self.want:
            if text not in self.marks and text.encode() in raw:
                self.marks[text] = now

    def _route(self, after: int, wait: float) -> str:
        args = self._watch["args"]
        query = urllib.parse.urlencode({"code": args["code"], "after": after, "wait": wait})
        return self._route_base + args["route"] + "?" + query

    async def _watch_loop(self) -> None:
        """The component's loop: hold a question open; wake the page when the mark moved."""
        sent = -1
        while True:
            args = self._watch["args"]
            after = max(args["seen"], sent, self.known)
            asked = time.monotonic()
            try:
                answer = await asyncio.wait_for(_get_json(self._route(after, args["wait_s"])), args["wait_s"] + 30)
            except Exception as err:
                self.errors.append(f"watch: {type(err).__name__}: {err}")
                await asyncio.sleep(1.0)
                continue
            self.answers.append(time.time())
            args = self._watch["args"]  # as the page shows it now (a run may have redrawn it meanwhile)
            wakes = args["wake"] != "mark" or answer["mark"] != args["mark"]
            if answer["seq"] > args["seen"] and answer["seq"] != sent and wakes:
                sent = answer["seq"]
                await self._rerun(sent)
            self.known = max(self.known, answer["seq"])
            took = time.monotonic() - asked
            if took < AT_LEAST_S:
                await asyncio.sleep(AT_LEAST_S - took)

    async def _seat_loop(self) -> None:
        """The seat component's loop: hold a question open; fetch the seat's page when the mark moved."""
        data = self._seat
        shown = {"seq": data["page"]["seq"], "mark": data["page"]["mark"]}
        base = self._route_base
        while True:
            asked = time.monotonic()
            query = urllib.parse.urlencode({"code": data["code"], "after": shown["seq"], "wait": data["wait_s"]})
            try:
                answer = await asyncio.wait_for(
                    _get_json(base + data["watch_route"] + "?" + query), data["wait_s"] + 30
                )
                self.answers.append(time.time())
                if answer["seq"] > shown["seq"] and answer["mark"] != shown["mark"]:
                    reading = {"lang": data["lang"], "places": data["places"], "at_least": answer["seq"]}
                    query = urllib.parse.urlencode({"code": data["code"], **reading})
                    raw = await asyncio.wait_for(_get(base + data["seat_route"] + "?" + query), 60)
                    self.fetches += 1
                    self._seen(raw)
                    page = json.loads(raw)
                    shown = {"seq": page["seq"], "mark": page["mark"]}
                else:
                    shown["seq"] = max(shown["seq"], answer["seq"])
                self.known = max(self.known, answer["seq"])
            except Exception as err:
                self.errors.append(f"seat: {type(err).__name__}: {err}")
                await asyncio.sleep(1.0)
                continue
            took = time.monotonic() - asked
            if took < AT_LEAST_S:
                await asyncio.sleep(AT_LEAST_S - took)


async def _get_json(url: str) -> dict:
    """:func:`_get`, read as JSON."""
    return json.loads(await _get(url))


async def _get(url: str) -> bytes:
    """GET a JSON answer on the event loop, so that closing the page drops its held question.

    A closed tab lets its question go; a thread blocked in ``urllib`` would hold it until the
    route answers (tried: the app server's shutdown after the class test then waited 15 s).
    """
    parts = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    try:
        target = parts.path + ("?" + parts.query if parts.query else "")
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1]
    if status != b"200":
        raise OSError(f"the route answered {status.decode()}")
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunk(body)
    return body


def _unchunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out
