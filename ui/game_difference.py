"""The debrief's "what your decisions changed": a game against the model's rules from a turn.

Why a module of its own: the debrief page belongs to the classroom game, the difference to the
explorer's analysis (:func:`model.analysis.difference.game_difference`); the page calls
:func:`draw` once, at the turn its fork section chose.
"""

from __future__ import annotations

import logging

import streamlit as st

from model.analysis import difference as dif
from model.game.replay import Timeline
from model.i18n import tr
from ui import charts, widgets

LOG = logging.getLogger(__name__)
RUNS = 100  # runs of each arm: a readable 90% band in about a second for a three-year game (assumption)
VARIABLES = ("relationship_index", "security", "history", "kr_favorable_japan", "jp_favorable_korea")


def draw(game: object, tl: Timeline, turn: int, lang: str, places: str, key: str = "debrief") -> None:
    """Sentence, difference fan and waterfall: the teams' decisions from ``turn`` on against the rules."""
    st.subheader(tr("game.difference.title", lang, places))
    if not tl.resolved or turn >= len(tl.resolved):
        st.caption(tr("game.difference.nothing_after", lang, places))
        return
    st.caption(tr("game.difference.caption", lang, places, turn=turn + 1, runs=RUNS))
    record = game.record  # type: ignore[attr-defined]
    signature = tuple((r.turn, r.seq) for r in tl.resolved)
    store_key = f"game-difference|{record.id}|{signature}|{turn}"
    found = widgets.result_store().get(store_key)
    if found is None:
        if not st.button(tr("game.difference.run", lang, places), key=f"{key}_difference_run"):
            return
        try:
            with st.spinner(tr("game.difference.running", lang, places)):
                found = dif.game_difference(record, tl.resolved, turn, runs=RUNS)
        except Exception as err:  # a reader never sees a traceback; the log keeps it
            LOG.exception("game difference failed")
            st.error(tr("error.generic", lang, places, message=type(err).__name__))
            return
        widgets.result_store().put(store_key, found)
    variable = st.selectbox(
        tr("explore.difference_variable", lang, places),
        VARIABLES,
        format_func=lambda v: charts.variable_label(v, lang, places),
        key=f"{key}_difference_variable",
    )
    who = tr("game.difference.subject", lang, places, turn=turn + 1)
    st.markdown(f"**{dif.summary_sentence(found.summary(variable), who, lang, places)}**")
    quantiles = found.quantiles([variable])
    widgets.show_figure(
        charts.whatif_difference_chart(quantiles, variable, None, lang, places), lang, f"{key}_difference_fan"
    )
    w = found.waterfall(variable)
    labels = dif.label_waterfall(w, lang, places)
    fig = charts.whatif_waterfall_chart(w, labels, variable, found.months[-1], lang, places)
    widgets.show_figure(fig, lang, f"{key}_difference_why")
    st.caption(tr("game.difference.why_note", lang, places))
