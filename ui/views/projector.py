"""The projector: the class's game on the wall, what the teams said, and where it is heading.

Opened with the game's read-only viewer code (or any code of the game). Made to be read from
the back of a room: large text, breaking news as soon as the teacher injects an event, the
statements of the last turn (the teams read them out), each turn's decisions, and the fan, a
small ensemble of the game forked at the current turn with every seat played by the rules:
what the model expects if nobody intervenes from here. At the end it says so, and shows the
whole game.
"""

from __future__ import annotations

import streamlit as st

from model.game.fork import FAN_MIN_MONTHS, FAN_RUNS
from model.game.replay import ENDED
from model.i18n import tr
from ui import game_views as gv
from ui import widgets

KEY = "projector"


def submitted(game, tl, lang: str, places: str) -> None:
    """How many teams have submitted this turn (redrawn by the page's poll)."""
    humans = game.humans
    done = sum(1 for s in humans if s in tl.pending)
    st.metric(
        tr("game.common.submitted", lang, places),
        tr("game.projector.submitted_count", lang, places, done=done, total=len(humans)),
    )


def last_statements(view, lang: str, places: str) -> None:
    """What the teams said last turn, whole, as they wrote it."""
    if not view.outcomes:
        return
    last = view.outcomes[-1]
    said = [(seat, last.statements.get(seat, "")) for seat in last.played_by]
    if any(text for _, text in said):
        st.subheader(tr("game.projector.statements", lang, places, turn=last.turn + 1))
        gv.statements(said, lang, places)


def decisions_list(view, lang: str, places: str) -> None:
    """Each turn's decisions, seat by seat, the latest first."""
    kept = tr("game.common.kept_course", lang, places)
    for o in reversed(view.outcomes):
        chosen = [
            tr("list.label_text", lang, label=f"**{tr(f'actor.{s}', lang, places)}**",
               body=gv.labels(d, lang, places) or kept)
            for s, d in o.decisions.items()
        ]
        st.markdown(
            "- " + tr("game.projector.decisions_of_turn", lang, places, turn=o.turn + 1, decisions=" · ".join(chosen))
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
    gv.wall_style()
    if tl.status == ENDED:
        gv.watch(game, tl, lang, places, KEY, code=opened.code, wall=True)
        st.success(f"## {tr('game.projector.ended', lang, places, turns=len(tl.resolved))}")
        st.markdown(f"[{tr('game.play.open_debrief', lang, places)}]({gv.page_link('debrief', game.id, opened.code)})")
        st.caption(tr("game.projector.game_caption", lang, places))
        gv.show_trajectory(game, tl, view, lang, places, key=f"{KEY}_game", wall=True)
    else:
        gv.breaking_news(game, tl, lang, places)
        count = lambda now: submitted(game, now, lang, places)  # noqa: E731 (redrawn by the watch)
        gv.watch(game, tl, lang, places, KEY, live=count, code=opened.code, wall=True)
        st.subheader(tr("game.projector.fan", lang, places))
        ahead = max((game.turns - tl.turn) * game.turn_months, FAN_MIN_MONTHS)
        st.caption(tr("game.projector.fan_caption", lang, places, runs=FAN_RUNS, months=ahead))
        gv.show_trajectory(game, tl, view, lang, places, key=f"{KEY}_fan", fan=True, wall=True)
        st.caption(widgets.bands_caption("posterior", lang))
    last_statements(view, lang, places)
    decisions_list(view, lang, places)
    drawn = gv.publics_prepared(game, view, lang, places, wall=True)
    if drawn is not None:
        gv.show_prepared(drawn, lang, key=f"{KEY}_publics")


if __name__ == "__main__":
    main()
