"""The projector: the class's trajectory with each turn's decisions, and where it is heading.

Opened with the game's read-only viewer code (or any code of the game). The fan is a small
ensemble of the game forked at the current turn, every seat played by the rules: what the
model expects if nobody intervenes from here.
"""

from __future__ import annotations

import streamlit as st

from model.game.fork import FAN_MIN_MONTHS, FAN_RUNS
from model.i18n import tr
from ui import charts, widgets
from ui import game_views as gv

KEY = "projector"


def submitted(game, tl, lang: str, places: str) -> None:
    """How many teams have submitted this turn (redrawn by the page's poll)."""
    humans = game.humans
    done = sum(1 for s in humans if s in tl.pending)
    st.metric(
        tr("game.common.submitted", lang, places),
        tr("game.projector.submitted_count", lang, places, done=done, total=len(humans)),
    )


def main() -> None:
    """Draw the projector view; anything unexpected becomes a message, not a traceback."""
    gv.run_page(draw)


def draw(lang: str, places: str) -> None:
    """The page's body."""
    found = gv.open_page(lang, places, KEY, "game.projector.title")
    if found is None:
        return
    opened, tl, view = found
    game = opened.game
    gv.watch(game, tl, lang, places, KEY, live=lambda now: submitted(game, now, lang, places))
    st.subheader(tr("game.projector.fan", lang, places))
    ahead = max((game.turns - tl.turn) * game.turn_months, FAN_MIN_MONTHS)
    st.caption(tr("game.projector.fan_caption", lang, places, runs=FAN_RUNS, months=ahead))
    gv.show_trajectory(game, tl, view, lang, places, key=f"{KEY}_fan", fan=True)
    for o in reversed(view.outcomes):
        kept = tr("game.common.kept_course", lang, places)
        chosen = [
            f"{tr(f'actor.{s}', lang, places)}: {gv.labels(d, lang, places) or kept}" for s, d in o.decisions.items()
        ]
        st.markdown(
            "- " + tr("game.projector.decisions_of_turn", lang, places, turn=o.turn + 1, decisions=" · ".join(chosen))
        )
    if view.outcomes:
        table = gv.game_table(view)
        widgets.show_figure(charts.publics_chart(table, None, lang, places), lang, key=f"{KEY}_publics")


if __name__ == "__main__":
    main()
