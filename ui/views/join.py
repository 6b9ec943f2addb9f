"""The join screen, for the wall: the seats' QR codes and who has joined, nothing else.

Why a page of its own: a teacher projects a screen so that the teams can scan their codes.
The instructor's page holds the teacher's own link and controls, and anyone photographing the
wall could take them (issue 14). This page is opened from the instructor's page, which hands
it the seats' links in the browser's session: its address carries the game's id only, it never
shows the instructor's code or link, and the teacher can hide the codes once the teams have
joined. Opened without that hand-over (a reload, a typed address) it says where to open it.
"""

from __future__ import annotations

import streamlit as st

from model.game.engine import Game
from model.game.errors import GameError
from model.i18n import scenario_text, tr
from ui import game_views as gv
from ui.plain_text import plain

KEY = "join"
HIDDEN = "join_hidden"  # {game id: True} once the teacher hid the codes


def main() -> None:
    """Draw the join screen; anything unexpected becomes a message, not a traceback."""
    gv.run_page(draw)


def draw(lang: str, places: str) -> None:
    """The page's body."""
    game_id = st.query_params.get("game", "").strip()
    seat_links = gv.handed_join_links(game_id)
    if not game_id or not seat_links:
        st.info(tr("game.join.open_from_instructor", lang, places))
        return
    try:
        game = Game(gv.store(), game_id)
    except GameError as err:
        st.error(gv.error_text(err, lang, places))
        return
    tl = gv.guard(game.timeline, lang, places)
    if tl is None:
        return
    title = plain(scenario_text(game.scenario.title, lang, places))
    st.title(tr("game.join.title", lang, places, scenario=title))
    hidden = st.session_state.setdefault(HIDDEN, {})

    def joined_line(now) -> None:
        """Who has joined (redrawn on every poll, without redrawing the codes)."""
        done = sum(1 for s in seat_links if s in now.joined)
        marks = " · ".join(f"{tr(f'actor.{s}', lang, places)} {'✓' if s in now.joined else '…'}" for s in seat_links)
        st.markdown(f"**{tr('game.join.joined', lang, places, done=done, total=len(seat_links))}** · {marks}")

    gv.watch(game, tl, lang, places, KEY, live=joined_line)  # a seat that joins shows its tick
    if hidden.get(game_id):
        st.info(tr("game.join.hidden", lang, places))
        if st.button(tr("game.join.show", lang, places), key=f"{KEY}_show"):
            hidden[game_id] = False
            st.rerun()
        return
    seats = list(seat_links.items())
    for start in range(0, len(seats), 3):
        cols = st.columns(3)
        for col, (seat, url) in zip(cols, seats[start : start + 3], strict=False):
            with col:
                name = tr(f"actor.{seat}", lang, places)
                st.subheader(name)
                st.image(gv.qr_png(url), caption=tr("game.instructor.qr_caption", lang, places, seat=name))
    if st.button(tr("game.join.hide", lang, places), key=f"{KEY}_hide"):
        hidden[game_id] = True
        st.rerun()


if __name__ == "__main__":
    main()
