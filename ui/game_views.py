"""Streamlit helpers the classroom game's pages share: store, codes, status, charts, polling.

Why one module: the seat, instructor, projector and debrief pages must open a game from the
same link format, refuse a wrong code the same way, show the turn and deadline the same way,
and learn of changes made in other browsers the same way (a watch in the browser that asks
the app's route and wakes the page when the game moved, see :func:`watch`).

A class is thirty-odd pages on one game, all served by one process, so nothing here is done
per page that does not depend on the page: a poll reads the process's log watch (one query
per game and second for the whole server, :mod:`model.game.live`), the timeline and the world
of a point of the game are shared by all its pages, and the charts and tables drawn from that
world are built once (:meth:`WorldView.derived`) and handed to every page ready to send.
"""

from __future__ import annotations

import functools
import io
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pyarrow as pa
import streamlit as st
import streamlit.components.v1 as components
from streamlit.dataframe_util import convert_anything_to_arrow_bytes, convert_pandas_df_to_arrow_table

from model.catalogue import Decision, load_catalogue
from model.catalogue import preconditions_text as catalogue_preconditions
from model.game.debrief import DecisionEffect, decision_effects
from model.game.engine import Game
from model.game.errors import GameError
from model.game.fork import projection
from model.game.links import DEFAULT_BASE_URL, page_url
from model.game.live import WATCH, page_mark
from model.game.replay import ENDED, Timeline
from model.game.store import ENV_VAR, GameStore, shared_store
from model.game.world import WorldView
from model.i18n import join_list, month_text, scenario_text, tr
from model.serving import BASE_URL_ENV, is_local
from ui import charts, game_charts, widgets
from ui.plain_text import plain, plain_values

LOG = logging.getLogger(__name__)
POLL_SECONDS = 3  # without the watch route, how often a page looks for itself (assumption)


def store() -> GameStore:
    """The app's game store: ``$RAPPROCHEMENT_DB`` (``rapprochement app --db``) or the default.

    One per database for the whole process, shared with the watch route (``ui/serve.py``).
    """
    return shared_store(os.environ.get(ENV_VAR) or None)


@dataclass(frozen=True)
class Opened:
    """A game opened with a code: the game, the code and the role it opens."""

    game: Game
    code: str
    role: str


def error_text(err: GameError, lang: str, places: str) -> str:
    """A refused request in the reader's language (its values, which may come from a file, as text)."""
    return tr(err.key, lang, places, **plain_values(err.values))


def guard(action: Callable[[], Any], lang: str, places: str) -> Any:
    """Run an action; a refusal or a failure becomes a message, never a traceback.

    Returns:
        The action's result, or None if it was refused or failed.
    """
    try:
        return action()
    except GameError as err:
        st.error(error_text(err, lang, places))
    except Exception as err:  # a user must never see a traceback; the server log keeps it
        LOG.exception("game page failed")
        st.error(tr("game.common.error_unexpected", lang, places, message=type(err).__name__))
    return None


def _code_form(lang: str, places: str, key: str) -> None:
    """Ask for a game id and code when the link did not carry them."""
    with st.form(f"{key}_open"):
        game_id = st.text_input(tr("game.common.game_id", lang, places), key=f"{key}_game")
        code = st.text_input(tr("game.common.code", lang, places), type="password", key=f"{key}_code")
        if st.form_submit_button(tr("game.common.open", lang, places)):
            st.query_params["game"] = game_id.strip()
            st.query_params["code"] = code.strip()
            st.rerun()


def run_page(draw: Callable[[str, str], None]) -> None:
    """Draw a game page in the reader's language; anything unexpected becomes a message."""
    lang, places = widgets.settings()
    guard(lambda: draw(lang, places), lang, places)


def open_game(
    lang: str,
    places: str,
    key: str,
    accept: Callable[[Game, str], bool] | None = None,
    refusal: str = "game.error.instructor_only",
) -> Opened | None:
    """Open the game named in the link (``?game=ID&code=C``) or ask for it.

    Args:
        lang: Reader's language.
        places: Place-name setting.
        key: Widget key prefix of the calling page.
        accept: Which roles this page admits (given the game and the role); a refused role
            gets the ``refusal`` message. Default: any role of the game.
        refusal: Translation key of the message for a role this page does not admit.

    Returns:
        The opened game, or None after showing why not (and the form to try again).
    """
    game_id = st.query_params.get("game", "").strip()
    code = st.query_params.get("code", "").strip()
    if not game_id:
        st.info(tr("game.error.no_game", lang, places))
        _code_form(lang, places, key)
        return None
    try:
        game = Game(store(), game_id)
        role = game.role(code)
        if accept is not None and not accept(game, role):
            raise GameError(refusal)
    except GameError as err:
        st.error(error_text(err, lang, places))
        _code_form(lang, places, key)
        return None
    return Opened(game, code, role)


def current(game: Game, lang: str, places: str) -> tuple[Timeline, WorldView] | None:
    """Where the game stands and its world then, or None after showing why not."""
    tl = guard(game.timeline, lang, places)
    if tl is None:
        return None
    view = guard(lambda: game.world(tl), lang, places)
    return None if view is None else (tl, view)


def open_current(
    lang: str, places: str, key: str, accept: Callable[[Game, str], bool] | None = None
) -> tuple[Opened, Timeline, WorldView] | None:
    """Open the linked game (see :func:`open_game`) and read where it stands (see :func:`current`)."""
    opened = open_game(lang, places, key, accept)
    now = current(opened.game, lang, places) if opened is not None else None
    return None if opened is None or now is None else (opened, *now)


def open_page(lang: str, places: str, key: str, title_key: str) -> tuple[Opened, Timeline, WorldView] | None:
    """Open the linked game with any of its codes, then draw its title and status line.

    The title text ``title_key`` names the scenario (``{scenario}``).
    """
    found = open_current(lang, places, key)
    if found is not None:
        opened, tl, view = found
        st.title(tr(title_key, lang, places, scenario=plain(scenario_text(view.scenario.title, lang, places))))
        header(opened.game, tl, lang, places)
    return found


def status_parts(game: Game, tl: Timeline, lang: str, places: str) -> tuple[str, str]:
    """The status line's lead (the turn, or how many turns the game had) and the rest, as text."""
    status_text = tr("game.common.status", lang, places, status=tr(f"game.status.{tl.status}", lang, places))
    if tl.status == ENDED:
        return tr("game.common.ended_after", lang, places, turns=len(tl.resolved)), status_text
    turn = min(tl.turn, game.turns - 1)
    months = game.months_of(turn)
    span = tr("game.common.months", lang, places, first=month_text(months[0], lang), last=month_text(months[-1], lang))
    return tr("game.common.turn_of", lang, places, turn=turn + 1, turns=game.turns), f"{span} · {status_text}"


def header(game: Game, tl: Timeline, lang: str, places: str) -> None:
    """Turn, months and status of a game in one line (at the end: how many turns it had)."""
    lead, rest = status_parts(game, tl, lang, places)
    st.markdown(f"**{lead}** · {rest}")


def signature(tl: Timeline) -> tuple:
    """What makes a page draw itself anew: the turn, status, branch, deadline, injected events."""
    return tuple(page_mark(tl))


WATCH_ROUTE = "_rapprochement/watch"  # where a page's watch asks where its game's log ends (ui/serve.py)
_watch_component = components.declare_component(
    "game_watch", path=str(Path(__file__).resolve().parent / "components" / "watch")
)


def watch(
    game: Game,
    tl: Timeline,
    lang: str,
    places: str,
    key: str,
    live: Callable[[Timeline], None] | None = None,
    code: str = "",
    wall: bool = False,
) -> None:
    """Keep the page current: redraw what changed when the game moved, and count the deadline down.

    The watch in the browser (``ui/components/watch``) holds a question open at the app's
    route (``ui/serve.py``): "tell me when the game's log goes past what this page shows",
    answered from the process's memory (:mod:`model.game.live`); while nothing happens, neither
    the server nor the page runs anything.

    A page without a ``live`` part (the projector once the game has ended) is woken by the
    watch only when the route's :func:`~model.game.live.page_mark` differs from the one it
    shows, and then reruns whole, once. (A seat's page does not rerun at all: its component,
    ``ui/components/seat``, swaps in the seat's HTML itself.) A page with a ``live`` part (who joined, who
    submitted) is woken at every move of the log: a fragment reads the shared timeline, reruns
    the page if its :func:`signature` changed and otherwise redraws ``live(timeline)``. A failed
    look (a database briefly unreachable) leaves the page as it is.
    """
    if live is None:
        _draw_watch(game, tl, lang, places, key, code, wall, wake="mark")
        return
    seen_key = f"{key}_seen"
    st.session_state[seen_key] = (tl.last_seq, signature(tl))

    @st.fragment
    def _poll() -> None:
        seq, sig = st.session_state.get(seen_key, (tl.last_seq, signature(tl)))
        now = tl
        try:
            latest = WATCH.last_seq(game.store, game.id)
            now = game.timeline(at_least=max(seq, latest))
            if signature(now) != sig:
                st.rerun()
            st.session_state[seen_key] = (now.last_seq, sig)
        except GameError:
            pass
        except Exception:  # the database hiccuped: keep the page, look again at the next change
            LOG.exception("polling the game log failed")
        _draw_watch(game, now, lang, places, key, code, wall, wake="any")
        live(now)

    _poll()


def _draw_watch(game: Game, tl: Timeline, lang: str, places: str, key: str, code: str, wall: bool, wake: str) -> None:
    """The watch component, told where the page stands and when to wake it (``any`` or ``mark``)."""
    _watch_component(
        route=f"{WATCH_ROUTE}/{game.id}",
        code=code,
        seen=tl.last_seq,
        mark=page_mark(tl),
        wake=wake,
        left=deadline_left(tl),
        texts={
            "left": tr("game.common.deadline_in", lang, places, minutes="{minutes}", seconds="{seconds}"),
            "over": tr("game.common.deadline_over", lang, places),
            "none": tr("game.common.no_deadline", lang, places),
        },
        wait_s=20,
        fallback_every=POLL_SECONDS,
        font_size="1.35rem" if wall else "0.875rem",
        height=44 if wall else 28,
        key=f"{key}_watch",
        default=None,
    )


def deadline_left(tl: Timeline) -> float | None:
    """Seconds until the turn's deadline (negative once passed), or None without one."""
    if not tl.deadline:
        return None
    return (datetime.fromisoformat(tl.deadline) - datetime.now(UTC)).total_seconds()


def decision_label(did: str, lang: str, places: str) -> str:
    """A decision's label in the reader's language."""
    return load_catalogue().label("decision", did, lang, places)


def event_label(eid: str, lang: str, places: str) -> str:
    """An event's label in the reader's language."""
    return load_catalogue().label("event", eid, lang, places)


def preconditions_text(decision: Decision, lang: str, places: str) -> str:
    """What must hold for a decision ("GSOMIA in force is no")."""
    return catalogue_preconditions(decision.preconditions, lang, places)


def effects_hint(decision: Decision, lang: str, places: str) -> str:
    """A hint of a decision's likely effects: arrows by direction, and what it may set off."""
    hints = []
    for eff in decision.effects:
        arrow = "↑" if eff.mean > 0 else "↓"
        hints.append(f"{arrow} {tr(f'variable.{eff.var}', lang, places)}")
    text = tr("game.play.effects_hint", lang, places, effects=join_list(hints, lang, short=True)) if hints else ""
    if decision.triggers:
        events = join_list((f"{event_label(t.event, lang, places)} ({t.prob:.0%})" for t in decision.triggers),
                           lang, short=True)
        text = (text + " · " if text else "") + tr("game.play.may_trigger", lang, places, events=events)
    return text


def effects(view: WorldView) -> list[DecisionEffect]:
    """Every decision of the game so far and what it did (from the ledger), once per world."""
    return view.derived("decision_effects", lambda: decision_effects(view))


def game_table(view: WorldView) -> pd.DataFrame:
    """The game's monthly trajectory as a tidy table (run 0), without the start point."""

    def make() -> pd.DataFrame:
        traj = view.trajectory[view.trajectory.t >= 0]
        frame = pd.DataFrame({"run": 0, "month": traj.month, "variable": traj.variable, "value": traj.value})
        return frame.reset_index(drop=True)

    return view.derived("game_table", make)


def start_table(view: WorldView) -> pd.DataFrame:
    """Where the game starts (the month before its first turn), as a tidy table like :func:`game_table`."""

    def make() -> pd.DataFrame:
        traj = view.trajectory[view.trajectory.t == -1]
        frame = pd.DataFrame({"run": 0, "month": traj.month, "variable": traj.variable, "value": traj.value})
        return frame.reset_index(drop=True)

    return view.derived("start_table", make)


def fan_table(game: Game, tl: Timeline, view: WorldView) -> pd.DataFrame:
    """Where the game is heading (see :func:`model.game.fork.projection`), once per world.

    ``view`` must be the world of ``tl`` (``game.world(tl)``).
    """

    def make() -> pd.DataFrame:
        return projection(game.record, list(tl.resolved), injects=view.injects).table

    return view.derived("fan_table", make)


@dataclass(frozen=True)
class Prepared:
    """Charts ready to send (Vega-Lite specs, drawn one under the other) and the table of their numbers.

    Both in the form Streamlit sends them in (each dataset's rows as Arrow bytes, the table as
    an Arrow table), made once for every page.
    """

    specs: tuple[dict[str, Any], ...]
    table: pa.Table


def prepare(fig: charts.Figure, *more: Any) -> Prepared:
    """Turn a figure (and charts drawn under it) into Vega-Lite specs once, for every page.

    Altair's conversion (with its schema check) costs tens of milliseconds; a class's pages
    all draw the same chart of the same point of the game, so it is done once. The view size
    of Altair's default theme is dropped, as Streamlit does when it converts a chart itself.
    Streamlit turns each dataset of rows into Arrow bytes and the table into an Arrow table at
    every draw: 27% of a seat page's run on the server (py-spy, one class), thirty times per
    resolve; here it is done once, with Streamlit's own conversion, so the bytes sent are the same.
    Altair's check of the spec against the Vega-Lite schema is left out here (26 of 68 ms per
    chart and strip, on the teacher's path to an answer after a resolve): the charts are built by
    code, not by users, and the tests check the same specs with it (``tests/ui/test_game_charts.py``).
    """
    specs = []
    for chart in (fig.chart, *(c for c in more if c is not None)):
        spec = chart.to_dict(validate=False)
        view = spec.get("config", {}).get("view", {})
        for name in ("continuousWidth", "continuousHeight"):
            view.pop(name, None)
        datasets = spec.get("datasets", {})
        for name, rows in datasets.items():
            datasets[name] = convert_anything_to_arrow_bytes(rows)
        specs.append(spec)
    return Prepared(tuple(specs), convert_pandas_df_to_arrow_table(fig.data))


def show_prepared(drawn: Prepared, lang: str, key: str) -> None:
    """Draw prepared charts and, folded under them, the table of their numbers."""
    for spec in drawn.specs:
        st.vega_lite_chart(spec=spec, width="stretch")
    with st.expander(tr("charts.show_table", lang)):
        st.dataframe(drawn.table, hide_index=True, key=f"table_{key}")


def trajectory_figure(
    game: Game, tl: Timeline, view: WorldView, lang: str, places: str, fan: bool = False, wall: bool = False
) -> tuple[charts.Figure, Any] | None:
    """The class's game so far, its turns numbered, optionally the fan; and who decided what.

    Before the first resolve the chart shows where the game starts, its turns' rules and the
    strip of decisions stand empty: a page draws both charts when it opens, in the shape they
    keep all game, and a resolve then only gives each view its new rows. (A browser's first
    Vega-Lite chart costs it about half a second more than the later ones, and a chart whose
    spec changes is built again: thirty browsers of a class would pay both at once on the
    first resolve otherwise.)

    Returns:
        The figure and the strip of decisions to draw under it, or None when there is nothing
        to draw and no fan was asked for.
    """
    table = game_table(view)
    if table.empty:
        table = start_table(view)
    projection = fan_table(game, tl, view) if fan and tl.status != ENDED and tl.turn < game.turns else None
    if table.empty and projection is None:
        return None
    months = list(view.months[: game.turns * game.turn_months])
    if projection is not None:
        months = sorted(set(months) | set(projection["month"].astype(str)))
    turns = pd.DataFrame([(o.turn + 1, o.months[0]) for o in view.outcomes], columns=["turn", "month"])
    kept = tr("game.common.kept_course", lang, places)
    rows = [
        (o.turn + 1, o.months[0], seat, labels(o.decisions.get(seat, ()), lang, places) or kept, o.played_by[seat])
        for o in view.outcomes
        for seat in o.played_by
    ]
    decisions = pd.DataFrame(rows, columns=["turn", "month", "seat", "decision", "player"])
    figure = game_charts.game_chart(table, turns, months, lang, places, projection, wall)
    return figure, game_charts.decision_strip(decisions, months, lang, places, wall)


def trajectory_prepared(
    game: Game, tl: Timeline, view: WorldView, lang: str, places: str, fan: bool = False, wall: bool = False
) -> Prepared | None:
    """:func:`trajectory_figure`, prepared once per world, language, place names and size."""
    with_fan = fan and tl.status != ENDED and tl.turn < game.turns

    def make() -> Prepared | None:
        drawn = trajectory_figure(game, tl, view, lang, places, with_fan, wall)
        return None if drawn is None else prepare(*drawn)

    return view.derived(("trajectory", with_fan, wall, lang, places), make)


def publics_prepared(game: Game, view: WorldView, lang: str, places: str, wall: bool = False) -> Prepared | None:
    """Both publics in the class's game (one line each), prepared once per world.

    Before the first resolve, where they start: the projector draws the chart when it opens,
    and a resolve then only gives its view new rows (see :func:`trajectory_figure`).
    """

    def make() -> Prepared | None:
        table = game_table(view)
        if table.empty:
            table = start_table(view)
        if table.empty:
            return None
        months = list(view.months[: game.turns * game.turn_months])
        return prepare(game_charts.publics_game_chart(table, months, lang, places, wall))

    return view.derived(("publics", wall, lang, places), make)


def show_trajectory(
    game: Game,
    tl: Timeline,
    view: WorldView,
    lang: str,
    places: str,
    key: str,
    fan: bool = False,
    wall: bool = False,
) -> None:
    """Draw the trajectory (and fan); a failed projection leaves the trajectory standing."""
    try:
        drawn = trajectory_prepared(game, tl, view, lang, places, fan, wall)
    except Exception as err:  # the projection failed: say so, keep the trajectory
        LOG.exception("the projection failed")
        message = error_text(err, lang, places) if isinstance(err, GameError) else type(err).__name__
        st.warning(tr("game.projector.fan_unavailable", lang, places, message=message))
        drawn = trajectory_prepared(game, tl, view, lang, places, False, wall)
    if drawn is None:
        st.info(tr("game.common.nothing_yet", lang, places))
        return
    show_prepared(drawn, lang, key=key)


def base_url() -> str:
    """Where students reach this app, for join links and QR codes.

    The address the server was started with (``rapprochement app --classroom`` finds the
    machine's network address; ``--base-url`` names a proxy's), else the teacher's browser's.
    """
    configured = os.environ.get(BASE_URL_ENV, "").strip()
    if configured:
        return configured.rstrip("/")
    try:
        url = st.context.url
    except Exception:  # older servers or tests without a browser
        url = None
    if not url:
        return DEFAULT_BASE_URL
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def warn_if_local(url: str, lang: str, places: str) -> None:
    """Say so when join links would open nothing on students' devices (``localhost``)."""
    if is_local(url):
        st.warning(tr("game.instructor.local_links", lang, places, url=url), icon=":material/wifi_off:")


def statements(items: Iterable[tuple[str, str]], lang: str, places: str) -> None:
    """Each seat's public statement, whole, as the seat wrote it (Markdown shown as typed)."""
    for seat, text in items:
        if text:
            st.markdown(tr("list.label_text", lang, label=f"**{tr(f'actor.{seat}', lang, places)}**", body=plain(text)))


WALL_CSS = """<style>
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-left: 3rem; padding-right: 3rem; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.6rem; line-height: 1.45; }
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.25rem; color: #222; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 2.6rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.4rem !important; }
[data-testid="stMain"] h1 { font-size: 3rem !important; }
[data-testid="stMain"] h2 { font-size: 2.4rem !important; }
[data-testid="stMain"] h3 { font-size: 2rem !important; }
</style>"""


def wall_style() -> None:
    """Text sized for a projector read from the back of a room (the page's style only)."""
    st.html(WALL_CSS)


def news_items(game: Game, tl: Timeline, lang: str, places: str) -> list[tuple[str, str, str]]:
    """The open turn's injected events as ``(title, briefing, when)``: the seats' and the wall's news.

    The world the pages show already includes them (:mod:`model.game.world`): the numbers,
    the menus and the advisers' leanings are those after the event, so the teams can answer
    it in this very turn.
    """
    if not tl.injects or tl.status == ENDED:
        return []
    cat = load_catalogue()
    when = tr("game.news.when", lang, places, month=month_text(game.months_of(tl.turn)[0], lang))
    return [
        (tr("game.news.breaking", lang, places, event=event_label(event, lang, places)),
         cat.briefing("event", event, lang, places), when)
        for event in dict.fromkeys(tl.injects)
    ]


def breaking_news(game: Game, tl: Timeline, lang: str, places: str) -> None:
    """The open turn's injected events at the top of the wall's page, in large type (see :func:`news_items`)."""
    for title, body, when in news_items(game, tl, lang, places):
        st.error(f"## {title}\n\n{body}\n\n{when}", icon=":material/campaign:")


@functools.lru_cache(maxsize=512)
def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as PNG bytes (the ``qrcode`` package)."""
    import qrcode

    image = qrcode.make(text, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def page_link(page: str, game_id: str, code: str, lang: str | None = None) -> str:
    """A relative link to another page of the same game (in the reader's language if given)."""
    return page_url("", page, game_id, code, lang)


JOIN_HANDOVER = "join_handover"  # {game id: {seat: join link}}: instructor page -> join screen


def hand_over_join(game_id: str, seat_links: dict[str, str]) -> None:
    """Give this browser session's join screen the seats' links (from the instructor's page).

    Why the session: the join screen's address must carry no code (it is projected), and only
    the instructor's code can derive the seats' codes.
    """
    st.session_state.setdefault(JOIN_HANDOVER, {})[game_id] = dict(seat_links)


def handed_join_links(game_id: str) -> dict[str, str] | None:
    """The seats' links this session's instructor page handed over for a game, if any."""
    return st.session_state.get(JOIN_HANDOVER, {}).get(game_id)


def labels(ids: Iterable[str], lang: str, places: str) -> str:
    """Decision labels joined for one line."""
    return join_list((decision_label(d, lang, places) for d in ids), lang)
