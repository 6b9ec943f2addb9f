"""The debrief: the trajectory, every decision and what it did, history, download, fork.

Opened with any code of the game (the viewer code, a seat's, the instructor's); a homework
student reaches it from the seat page. The download is one self-contained HTML file; the fork
is a scenario file the explorer opens as a what-if.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from model.game.debrief import debrief_html, effects_text, history_comparison
from model.game.fork import fork_scenario
from model.i18n import month_text, tr
from ui import charts, game_difference, widgets
from ui import game_views as gv

KEY = "debrief"


def effects_table(view, lang: str, places: str) -> pd.DataFrame:
    """Every decision of every seat with what it did, one row each."""
    rows = [
        {
            tr("game.common.turn_marker", lang, places, turn=""): e.turn + 1,
            tr("game.common.seat", lang, places): tr(f"actor.{e.seat}", lang, places),
            tr("game.common.player", lang, places): tr(f"game.player.{e.played_by}", lang, places),
            tr("game.common.decisions", lang, places): gv.decision_label(e.decision, lang, places),
            tr("game.debrief.effect_header", lang, places): effects_text(e.effects, lang, places),
            tr("game.common.statement", lang, places): e.statement,
        }
        for e in gv.effects(view)
    ]
    return pd.DataFrame(rows)


def fork_section(opened: gv.Opened, tl, lang: str, places: str) -> None:
    """Pick a turn, get the scenario that starts there, take it to the explorer."""
    st.subheader(tr("game.debrief.fork", lang, places))
    st.caption(tr("game.debrief.fork_caption", lang, places))
    turn = st.selectbox(
        tr("game.debrief.fork_turn", lang, places),
        list(range(len(tl.resolved) + 1)),
        index=len(tl.resolved) if len(tl.resolved) < opened.game.turns else 0,
        format_func=lambda t: str(t + 1),
        key=f"{KEY}_fork_turn",
    )
    forked = gv.guard(lambda: fork_scenario(opened.game.record, tl.resolved, turn, lang=lang), lang, places)
    if forked is None:
        return
    st.download_button(
        tr("game.debrief.fork_download", lang, places),
        forked.to_yaml().encode("utf-8"),
        file_name=f"{forked.id}.yaml",
        mime="application/x-yaml",
        key=f"{KEY}_fork_download",
    )
    if st.button(tr("game.debrief.fork_open", lang, places), key=f"{KEY}_fork_open"):
        st.session_state[widgets.HANDOVER_KEY] = (f"{forked.id}.yaml", forked.to_yaml())
        st.switch_page(str(Path(__file__).resolve().parent / "explore.py"))
    game_difference.draw(opened.game, tl, turn, lang, places, KEY)


def main() -> None:
    """Draw the debrief; anything unexpected becomes a message, not a traceback."""
    gv.run_page(draw)


def draw(lang: str, places: str) -> None:
    """The page's body."""
    found = gv.open_page(lang, places, KEY, "game.debrief.title")
    if found is None:
        return
    opened, tl, view = found
    game = opened.game
    html = gv.guard(lambda: debrief_html(game.record, view, lang, places), lang, places)
    if html is not None:
        st.download_button(
            tr("game.debrief.download", lang, places),
            html.encode("utf-8"),
            file_name=f"debrief-{game.id}.html",
            mime="text/html",
            key=f"{KEY}_download",
        )
    st.subheader(tr("game.debrief.trajectory", lang, places))
    gv.show_trajectory(game, tl, view, lang, places, key=f"{KEY}_trajectory")
    st.subheader(tr("game.debrief.decisions", lang, places))
    table = effects_table(view, lang, places)
    if table.empty:
        st.info(tr("game.common.nothing_yet", lang, places))
    else:
        st.dataframe(table, hide_index=True, key=f"{KEY}_effects")
    st.subheader(tr("game.debrief.history", lang, places))
    history = history_comparison(view)
    if history.empty:
        sc = view.scenario
        first, last = month_text(sc.start, lang), month_text(sc.end, lang)
        st.info(tr("game.debrief.history_none", lang, places, first=first, last=last))
    else:
        st.caption(tr("game.debrief.history_caption", lang, places))
        fig = charts.publics_chart(gv.game_table(view), widgets.polls(lang), lang, places)
        widgets.show_figure(fig, lang, key=f"{KEY}_history")
    fork_section(opened, tl, lang, places)


if __name__ == "__main__":
    main()
