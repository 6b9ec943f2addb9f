"""Play a seat: the team's briefing, its menu, its submission, and the outcome of each turn.

Opened from the team's link (``/play?game=ID&code=C``). Everything a move of the game changes
is one block of HTML (:mod:`ui.seat_page`) in the seat's component (``ui/components/seat``),
which learns of each move from the app's watch route and swaps the new block in by itself: a
resolve costs each of a class's thirty seat pages a fetch and a swap, not a rerun. A Submit
reruns the one page that sent it. In homework mode the one student also resolves the turns
here, at their own pace.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import streamlit as st

from model.game.engine import Game
from model.game.replay import ENDED, LOBBY, Timeline
from model.game.setup import SEATS
from model.i18n import scenario_text, tr
from ui import game_views as gv
from ui import seat_page
from ui.html_blocks import STYLE, alert_html
from ui.plain_text import plain

KEY = "play"
SEAT_KEY = f"{KEY}_seat"  # the seat's component
NOTICE = f"{KEY}_notice"  # {"id", "html"}: what became of this page's last submission
LOG = logging.getLogger(__name__)
_HERE = Path(__file__).resolve().parent.parent / "components" / "seat"
_seat_component = st.components.v2.component(
    "rapprochement_seat",
    css=(_HERE / "seat.css").read_text(encoding="utf-8") + STYLE,
    js=(_HERE / "seat.js").read_text(encoding="utf-8"),
    isolate_styles=False,  # in the page: its text is the page's text (find, translate, read aloud)
)


def seat_view(game: Game, code: str, seat: str, tl: Timeline, lang: str, places: str) -> None:
    """Draw the seat's component (a Submit it sends is handled before the next run: :func:`on_submit`)."""
    _seat_component(
        data={
            "page": seat_page.shown(game, code, seat, lang, places, at_least=tl.last_seq).data(),
            "notice": st.session_state.get(NOTICE),
            "watch_route": f"{gv.WATCH_ROUTE}/{game.id}",
            "seat_route": f"{seat_page.SEAT_ROUTE}/{game.id}",
            "code": code,
            "lang": lang,
            "places": places,
            "wait_s": 20,
            "fallback_every": gv.POLL_SECONDS,
            "texts": {
                "left": tr("game.common.deadline_in", lang, places, minutes="{minutes}", seconds="{seconds}"),
                "over": tr("game.common.deadline_over", lang, places),
                "none": tr("game.common.no_deadline", lang, places),
            },
        },
        key=SEAT_KEY,
        on_submit_change=functools.partial(on_submit, game, code, lang, places),
        on_look_change=lambda: None,
    )


def on_submit(game: Game, code: str, lang: str, places: str) -> None:
    """Send the Submit the seat's component was sent, before the run that then draws what became of it.

    A callback, so that one run answers a Submit: the page with "Submitted: ..." (or a notice of
    what went wrong) reaches the component once, not after a first run that still showed the
    page before the submission.
    """
    sent = (st.session_state.get(SEAT_KEY) or {}).get("submit")
    if not isinstance(sent, dict):
        return
    try:
        branch, turn = int(sent["branch"]), int(sent["turn"])
        decisions = [str(d) for d in sent.get("decisions") or []]
        statement = str(sent.get("statement") or "")
    except (KeyError, TypeError, ValueError):
        return  # not a form of this page
    try:
        outcome = seat_page.submit(game, code, decisions, statement, branch, turn, lang, places)
        level, text = outcome.level, outcome.text
    except Exception as err:  # the database is unreachable, say: a message, never a traceback
        LOG.exception("a submission failed")
        level, text = "error", tr("game.common.error_unexpected", lang, places, message=type(err).__name__)
    number = (st.session_state.get(NOTICE) or {}).get("id", 0) + 1
    # Stored in time: the page itself now says "Submitted: ..." (and an earlier warning is void).
    shown = "" if level == "success" else alert_html(text, level)
    st.session_state[NOTICE] = {"id": number, "html": shown}


def homework_controls(opened: gv.Opened, tl: Timeline, lang: str, places: str) -> None:
    """In homework mode the student resolves each turn when ready."""
    st.caption(tr("game.play.homework_note", lang, places, seat=tr(f"actor.{opened.role}", lang, places)))
    if tl.status not in (ENDED,) and st.button(
        tr("game.play.resolve_homework", lang, places), key=f"{KEY}_resolve_{tl.branch}_{tl.turn}"
    ):

        def resolve() -> bool:
            if tl.status == LOBBY:
                opened.game.start(opened.code)
            return opened.game.resolve(opened.code, tl.turn)

        if gv.guard(resolve, lang, places) is not None:
            st.rerun()


def main() -> None:
    """Draw the seat's page; anything unexpected becomes a message, not a traceback."""
    gv.run_page(draw)


def draw(lang: str, places: str) -> None:
    """The page's body: the title, the seat's component, and in homework mode the resolve button."""
    opened = gv.open_game(lang, places, KEY, accept=lambda _game, role: role in SEATS, refusal="game.error.not_a_seat")
    if opened is None:
        return
    game, seat = opened.game, opened.role
    joined_key = f"{KEY}_joined_{game.id}_{seat}"
    if not st.session_state.get(joined_key):
        if gv.guard(lambda: game.join(opened.code), lang, places) is None:
            return
        st.session_state[joined_key] = True
    now = gv.current(game, lang, places)
    if now is None:
        return
    tl, view = now
    title = plain(scenario_text(view.scenario.title, lang, places))
    st.title(tr("game.play.title", lang, places, seat=tr(f"actor.{seat}", lang, places), scenario=title))
    if game.homework:
        homework_controls(opened, tl, lang, places)
    seat_view(game, opened.code, seat, tl, lang, places)


if __name__ == "__main__":
    main()
