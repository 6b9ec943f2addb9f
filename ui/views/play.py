"""Play a seat: the team's briefing, its menu, its submission, and the outcome of each turn.

Opened from the team's link (``/play?game=ID&code=C``). The page polls the game's log and
redraws itself when the turn changes, so a team never has to reload. In homework mode the one
student also resolves the turns here, at their own pace.
"""

from __future__ import annotations

import streamlit as st

from model.catalogue import ACTORS, load_catalogue
from model.game.debrief import effects_text
from model.game.engine import Game
from model.game.replay import ENDED, LOBBY, PAUSED, Timeline
from model.game.setup import MAX_DECISIONS, SEATS
from model.game.world import WorldView
from model.i18n import month_text, scenario_text, tr
from model.limits import MAX_STATEMENT
from ui import game_views as gv
from ui.html_blocks import STYLE, Tile, folds, tiles
from ui.plain_text import plain

KEY = "play"
FORM_FOR = f"{KEY}_form_for"  # (branch, turn) of the submission form last drawn
NOTICE = f"{KEY}_late_notice"  # (text, (branch, turn) it was shown at) after a late submission
INDICATORS = (
    "relationship_index",
    "kr_favorable_japan",
    "jp_favorable_korea",
    "kr_gov_approval",
    "jp_gov_approval",
    "nk_threat",
)
NOTE_VALUES = {
    "seoul": {"approval": "kr_gov_approval", "public": "kr_favorable_japan", "salience": "kr_salience"},
    "tokyo": {"approval": "jp_gov_approval", "public": "jp_favorable_korea", "salience": "jp_salience"},
    "washington": {"commitment": "us_commitment", "threat": "nk_threat"},
    "kr_public": {"public": "kr_favorable_japan", "salience": "kr_salience", "travel": "kr_visitors_japan"},
    "jp_public": {"public": "jp_favorable_korea", "salience": "jp_salience", "travel": "jp_visitors_korea"},
}


def what_happened(game: Game, seat: str, view: WorldView, lang: str, places: str) -> str:
    """Last turn's outcome as Markdown: events, everyone's decisions and statements, what ours did.

    One block of text: thirty pages redraw it at every resolve, and each element a page draws
    costs every browser its share of the redraw.
    """
    if not view.outcomes:
        return tr("game.play.what_happened_first", lang, places, month=month_text(game.months_of(0)[0], lang))
    last = view.outcomes[-1]
    lines = [f"**{tr('game.play.outcome', lang, places, turn=last.turn + 1)}**", ""]
    injected = list(last.injects)
    for o in (o for o in last.occurrences if o.kind == "event"):
        line = "- " + tr("list.label_text", lang, label=month_text(view.months[o.t], lang),
                         body=gv.event_label(o.id, lang, places))
        if o.t == last.first_t and o.id in injected:  # the teacher's, not the model's
            injected.remove(o.id)
            line = tr("game.play.with_note", lang, line=line, note=tr("game.play.injected_by_teacher", lang, places))
        lines.append(line)
    lines += ["", f"**{tr('game.play.others_chose', lang, places)}**", ""]
    for other in ACTORS:
        chosen = last.decisions.get(other, ())
        text = gv.labels(chosen, lang, places) or tr("game.common.kept_course", lang, places)
        player = tr(f"game.player.{last.played_by[other]}", lang, places)
        line = tr("game.play.other_line", lang, seat=f"**{tr(f'actor.{other}', lang, places)}**", player=player,
                  decisions=text)
        statement = last.statements.get(other)
        if statement:
            line = tr("game.play.with_statement", lang, line=line, statement=plain(statement))
        lines.append("- " + line)
    mine = [e for e in gv.effects(view) if e.turn == last.turn and e.seat == seat]
    if mine:
        lines += ["", f"**{tr('game.play.your_decisions_did', lang, places)}**", ""]
        lines += [
            "- " + tr("list.label_text", lang, label=gv.decision_label(e.decision, lang, places),
                      body=effects_text(e.effects, lang, places))
            for e in mine
        ]
    return "\n".join(lines)


def before_last_turn(view: WorldView) -> dict[str, float]:
    """Each variable's value just before the last turn's months, read once for every page."""

    def make() -> dict[str, float]:
        if not view.outcomes:
            return {}
        traj = view.trajectory
        rows = traj[traj.t == view.outcomes[-1].first_t - 1]
        return dict(zip(rows.variable, rows.value.astype(float), strict=True))

    return view.derived("before_last_turn", make)


def indicators(view: WorldView, lang: str, places: str) -> str:
    """Key numbers now, with their change over the last turn (one HTML block of tiles)."""
    before = before_last_turn(view)
    shown = []
    for var in INDICATORS:
        now = view.value(var)
        delta = round(now - before[var], 1) if var in before else None
        # a rising threat is bad news
        shown.append(Tile(tr(f"variable.{var}", lang, places), f"{now:.1f}", delta, var != "nk_threat"))
    return tiles(shown)


def advisers(seat: str, view: WorldView, lang: str, places: str) -> str:
    """The seat's advisers as Markdown: its rule's leaning in the present state."""
    advice = [(d, p) for d, p in view.advice.get(seat, ()) if view.available(seat).get(d)]
    keys = ("game.play.adviser_lean", "game.play.adviser_second")
    lines = [
        tr(key, lang, places, decision=gv.decision_label(d, lang, places), share=100 * p)
        for key, (d, p) in zip(keys, advice, strict=False)
    ]
    return "\n\n".join(lines)


def private_note(seat: str, view: WorldView, lang: str, places: str) -> None:
    """Numbers only this seat's page shows, and the theory that makes them matter."""
    values = {name: view.value(var) for name, var in NOTE_VALUES[seat].items()}
    st.info(tr(f"game.note.{seat}", lang, places, **values))


def briefing(game: Game, seat: str, view: WorldView, lang: str, places: str) -> None:
    """The briefing: what happened, the advisers, the private note, the key numbers.

    Each heading is drawn inside the text it heads, and the numbers are one element (see
    :mod:`ui.html_blocks`): fewer elements, less for each of a class's browsers to redraw at
    every resolve.
    """

    def heading(key: str) -> str:
        return f"### {tr(key, lang, places)}"

    st.markdown(f"{STYLE}\n\n## {tr('game.play.briefing', lang, places)}", unsafe_allow_html=True)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(heading("game.play.what_happened") + "\n\n" + what_happened(game, seat, view, lang, places))
    with right:
        parts = (heading("game.play.advisers"), advisers(seat, view, lang, places), heading("game.play.private_note"))
        st.markdown("\n\n".join(part for part in parts if part))
        private_note(seat, view, lang, places)
    st.markdown(heading("game.play.indicators") + "\n\n" + indicators(view, lang, places), unsafe_allow_html=True)


def menu(seat: str, view: WorldView, lang: str, places: str) -> None:
    """Every decision of the seat, folded under its title: briefing, what it needs, what it may do.

    One element for the seventeen or so decisions (see :mod:`ui.html_blocks`), under the
    menu's heading: a seat page is redrawn by each of a class's browsers at every resolve.
    """
    cat = load_catalogue()
    items = []
    for did, available in view.available(seat).items():
        decision = cat.decisions[did]
        parts = [cat.briefing("decision", did, lang, places)]
        if not available:
            parts.append(tr("game.play.unavailable", lang, places, why=gv.preconditions_text(decision, lang, places)))
        hint = gv.effects_hint(decision, lang, places)
        if hint:
            parts.append(f":gray[{hint}]")
        items.append((gv.decision_label(did, lang, places), "\n\n".join(parts), not available))
    st.markdown(folds(items), unsafe_allow_html=True)


def _key(name: str, branch: int, turn: int) -> str:
    """Widget key of the submission form drawn for one turn of one branch."""
    return f"{KEY}_{name}_{branch}_{turn}"


def send(
    opened: gv.Opened, chosen: list[str], statement: str, branch: int, turn: int, lang: str, places: str
) -> bool:
    """Send a submission for ``turn`` of ``branch``; say in words what became of it.

    Nothing a team sends is lost: a statement over the limit is not sent (the box keeps it and
    a message says by how much), and a submission for a turn that closed meanwhile is stored as
    late (see :meth:`~model.game.engine.Game.submit`) with a notice that stays on the page.

    Returns:
        True when the submission was stored (the page should redraw).
    """
    text = (statement or "").strip()
    if len(text) > MAX_STATEMENT:
        st.error(tr("game.play.statement_over", lang, places, count=len(text), limit=MAX_STATEMENT))
        return False
    game = opened.game
    entry = gv.guard(lambda: game.submit(opened.code, chosen, text, turn=turn, branch=branch), lang, places)
    if entry is None:
        return False
    late = entry.payload.get("late")
    if late:
        now = game.timeline()
        notice = late_notice(late, turn, chosen, now, lang, places)
        st.session_state[NOTICE] = (notice, (now.branch, now.turn))
    else:
        st.session_state.pop(NOTICE, None)
    return True


def late_notice(late: str, turn: int, chosen: list[str], now: Timeline, lang: str, places: str) -> str:
    """What the team is told when its submission came too late, and what to do."""
    if late == "deadline":
        return tr("game.play.late_deadline", lang, places)
    if late == "ended" or now.status == ENDED:
        return tr("game.play.late_ended", lang, places)
    first = tr("game.play.late_turn_closed", lang, places, turn=turn + 1, decisions=gv.labels(chosen, lang, places))
    return first + " " + tr("game.play.late_now", lang, places, turn=now.turn + 1)


def closed_form_submitted(opened: gv.Opened, tl: Timeline, lang: str, places: str) -> None:
    """A Submit pressed on the form of a turn that closed before this page could redraw.

    The page draws one form per turn and branch; when the teacher resolves (or rewinds, or
    ends) while a team is typing, the team's click arrives with the old form's values while
    the page already reads the new turn. Those values are still in the session for this run:
    send them for the turn they were meant for, so they are stored as late and the team told.
    """
    drawn = st.session_state.get(FORM_FOR)
    if not drawn or tuple(drawn) == (tl.branch, tl.turn):
        return
    branch, turn = drawn
    st.session_state[FORM_FOR] = None
    if not st.session_state.get(_key("submit", branch, turn)):
        return
    chosen = list(st.session_state.get(_key("choice", branch, turn)) or [])
    statement = str(st.session_state.get(_key("statement", branch, turn)) or "")
    send(opened, chosen, statement, branch, turn, lang, places)


def submission_form(opened: gv.Opened, seat: str, tl: Timeline, view: WorldView, lang: str, places: str) -> None:
    """Choose one or two decisions and an optional statement; submit (again, to replace)."""
    open_now = [d for d, ok in view.available(seat).items() if ok]
    mine = tl.pending.get(seat)
    if mine is not None:
        st.success(tr("game.play.submitted", lang, places, decisions=gv.labels(mine.decisions, lang, places)))
    st.session_state[FORM_FOR] = (tl.branch, tl.turn)
    with st.form(_key("form", tl.branch, tl.turn)):
        chosen = st.multiselect(
            tr("game.play.choose", lang, places),
            open_now,
            default=[d for d in (mine.decisions if mine else ()) if d in open_now],
            max_selections=MAX_DECISIONS,
            format_func=lambda d: gv.decision_label(d, lang, places),
            placeholder=tr("widget.choose", lang),
            key=_key("choice", tl.branch, tl.turn),
        )
        # No max_chars: a box with one drops a longer paste without a word; the limit is
        # stated in the label and checked on Submit instead, the text kept in the box.
        statement = st.text_area(
            tr("game.play.statement", lang, places, limit=MAX_STATEMENT),
            value=mine.statement if mine else "",
            help=tr("game.play.statement_help", lang, places),
            key=_key("statement", tl.branch, tl.turn),
        )
        sent = st.form_submit_button(
            tr("game.play.submit", lang, places), type="primary", key=_key("submit", tl.branch, tl.turn)
        )
    if sent and send(opened, chosen, statement, tl.branch, tl.turn, lang, places):
        st.rerun()


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
    """The page's body."""
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
    closed_form_submitted(opened, tl, lang, places)
    title = plain(scenario_text(view.scenario.title, lang, places))
    st.title(tr("game.play.title", lang, places, seat=tr(f"actor.{seat}", lang, places), scenario=title))
    gv.header(game, tl, lang, places)
    notice = st.session_state.get(NOTICE)
    if notice and tuple(notice[1]) == (tl.branch, tl.turn):
        st.warning(notice[0])
    gv.watch(game, tl, lang, places, KEY, code=opened.code)
    gv.breaking_news(game, tl, lang, places, footer=tr("game.news.answer", lang, places))
    if game.homework:
        homework_controls(opened, tl, lang, places)
    if tl.status == ENDED:
        st.success(tr("game.play.ended", lang, places))
        debrief = gv.page_link("debrief", game.id, opened.code, lang)
        st.markdown(f"[{tr('game.play.open_debrief', lang, places)}]({debrief})")
    elif tl.status == LOBBY and not game.homework:
        st.info(tr("game.play.waiting_start", lang, places))
    elif tl.status == PAUSED:
        st.info(tr("game.play.waiting_paused", lang, places))

    briefing(game, seat, view, lang, places)
    if tl.status != ENDED:
        st.header(tr("game.play.menu", lang, places))
        if tl.status != LOBBY or game.homework:  # paused too: the form keeps what the team typed
            submission_form(opened, seat, tl, view, lang, places)
        menu(seat, view, lang, places)
    gv.show_trajectory(game, tl, view, lang, places, key=f"{KEY}_trajectory")


if __name__ == "__main__":
    main()
