"""Run a class: create a game, hand out the seats' links, watch the seats, run the turns.

Without a game in the link the page offers to create one; with ``?game=ID&code=C`` (the
instructor's code) it shows the controls. Every control appends to the game's log through the
engine, so a double click, a second tab or a server restart changes nothing that matters.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import get_args

import pandas as pd
import streamlit as st

from model.catalogue import load_catalogue
from model.game.replay import ENDED, LOBBY, PAUSED, RUNNING, Timeline
from model.game.setup import DEFAULT_TURN_MONTHS, DEFAULT_TURNS, SEATS, create_game
from model.game.show import show_game
from model.game.store import INSTRUCTOR
from model.i18n import LANGUAGES, join_list, scenario_text, tr
from model.scenario import Actors, load_scenario, shipped_scenarios
from ui import game_views as gv
from ui.plain_text import plain

KEY = "instructor"
GOVERNMENTS = ("seoul", "tokyo", "washington")


def _profile_options(seat: str) -> list[dict[str, str]]:
    """Every profile a rule government can take, from the scenario schema's choices."""
    fields = Actors.model_fields[seat].annotation.model_fields
    names = [n for n in ("camp", "stance") if n in fields]
    combos = itertools.product(*(get_args(fields[n].annotation) for n in names))
    return [{}] + [dict(zip(names, combo, strict=True)) for combo in combos]


def _profile_label(profile: dict[str, str], lang: str, places: str) -> str:
    if not profile:
        return tr("game.instructor.profile_default", lang, places)
    return join_list((tr(f"game.profile.{v}", lang, places) for v in profile.values()), lang, short=True)


@st.cache_data(show_spinner=False)
def scenario_titles(files: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Each shipped scenario's title (its file name when it does not load)."""
    titles = {}
    for name, path in files:
        try:
            titles[name] = load_scenario(path).title
        except Exception:  # a broken file is listed by its name; choosing it shows the error
            titles[name] = name
    return titles


def create_form(lang: str, places: str) -> None:
    """The teacher's ten minutes: scenario, seats, profiles, turns; then the links."""
    st.title(tr("game.instructor.title", lang, places))
    st.subheader(tr("game.instructor.create", lang, places))
    files = shipped_scenarios()
    if not files:
        st.error(tr("game.error.no_scenario", lang, places, name="scenarios/"))
        return
    names = list(files)
    default = names.index("baseline-2026") if "baseline-2026" in names else 0
    titles = scenario_titles(tuple((n, str(p)) for n, p in files.items()))
    scenario = st.selectbox(
        tr("game.instructor.scenario", lang, places),
        names,
        index=default,
        format_func=lambda n: scenario_text(titles.get(n, n), lang, places),
        key=f"{KEY}_scenario",
    )
    humans = st.multiselect(
        tr("game.instructor.seats_for_teams", lang, places),
        list(SEATS),
        default=list(SEATS),
        format_func=lambda s: tr(f"actor.{s}", lang, places),
        placeholder=tr("widget.choose", lang),
        key=f"{KEY}_humans",
    )
    profiles: dict[str, dict[str, str]] = {}
    for seat in GOVERNMENTS:
        if seat not in humans:
            options = _profile_options(seat)
            choice = st.selectbox(
                tr("game.instructor.rule_profile", lang, places, seat=tr(f"actor.{seat}", lang, places)),
                range(len(options)),
                format_func=lambda i, o=options: _profile_label(o[i], lang, places),
                key=f"{KEY}_profile_{seat}",
            )
            profiles[seat] = options[choice]
    left, mid, right = st.columns(3)
    turns = left.number_input(tr("game.instructor.turns", lang, places), 1, 40, DEFAULT_TURNS, key=f"{KEY}_turns")
    months = mid.number_input(
        tr("game.instructor.turn_months", lang, places), 1, 12, DEFAULT_TURN_MONTHS, key=f"{KEY}_months"
    )
    deadline = right.number_input(
        tr("game.instructor.deadline_minutes", lang, places), 0, 120, 10, key=f"{KEY}_deadline_default"
    )
    homework = st.checkbox(tr("game.instructor.homework", lang, places), key=f"{KEY}_homework")
    seed = st.number_input(tr("game.instructor.seed", lang, places), 0, 2**31 - 1, 0, key=f"{KEY}_seed")
    if not st.button(tr("game.instructor.create", lang, places), type="primary", key=f"{KEY}_create"):
        return

    def create():
        text = files[scenario].read_text(encoding="utf-8")
        return create_game(
            gv.store(),
            text,
            humans,
            seed=int(seed) or None,
            filename=files[scenario].name,
            turns=int(turns),
            turn_months=int(months),
            profiles={s: p for s, p in profiles.items() if p},
            homework=homework,
            deadline_minutes=int(deadline) or None,
        )

    new = gv.guard(create, lang, places)
    if new is None:
        return
    st.query_params["game"] = new.id
    st.query_params["code"] = new.instructor_code
    st.rerun()


def seats_table(game, tl: Timeline, lang: str, places: str) -> None:
    """Who holds each seat, who joined, who submitted what (redrawn by the page's poll)."""
    yes, no = tr("game.common.answer_yes", lang, places), tr("game.common.answer_no", lang, places)
    rows = []
    for seat in SEATS:
        human = seat in game.humans
        sub = tl.pending.get(seat)
        replaced = sum(1 for r in tl.replaced if r.seat == seat)
        rows.append(
            {
                tr("game.common.seat", lang, places): tr(f"actor.{seat}", lang, places),
                tr("game.common.player", lang, places): tr(f"game.player.{'human' if human else 'rule'}", lang, places),
                tr("game.common.joined", lang, places): (yes if seat in tl.joined else no) if human else "",
                tr("game.common.submitted", lang, places): (yes if sub else no) if human else "",
                tr("game.common.decisions", lang, places): (
                    gv.labels(sub.decisions, lang, places) + (f" (×{replaced + 1})" if replaced else "") if sub else ""
                ),
                tr("game.common.statement", lang, places): sub.statement if sub else "",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"{KEY}_seats_table")
    said = [(seat, tl.pending[seat].statement) for seat in SEATS if seat in tl.pending]
    if any(text for _, text in said):
        st.markdown(f"**{tr('game.instructor.statements_now', lang, places)}**")
        gv.statements(said, lang, places)
    if tl.injects:
        st.caption(
            tr(
                "game.instructor.injects_pending",
                lang,
                places,
                events=join_list((gv.event_label(e, lang, places) for e in tl.injects), lang, short=True),
            )
        )


def controls(opened: gv.Opened, tl: Timeline, lang: str, places: str) -> None:
    """Start, pause, deadline, inject, resolve, rewind, end."""
    game, code = opened.game, opened.code
    suffix = f"{tl.branch}_{tl.turn}"

    def act(action, message: str | None = None, already: str | None = None) -> None:
        """Run a control; flash ``message`` if it acted, ``already`` if another click came first.

        Without an ``already`` text (start, pause, resume, rewind, end) the rerun simply shows
        the state the other click left.
        """
        result = gv.guard(action, lang, places)
        if result is None:
            return
        flash = already if result is False else message
        if flash:
            st.session_state[f"{KEY}_flash"] = flash
        st.rerun()

    st.subheader(tr("game.instructor.controls", lang, places))
    cols = st.columns(4)
    if tl.status == LOBBY and cols[0].button(
        tr("game.instructor.start", lang, places), type="primary", key=f"{KEY}_start"
    ):
        act(lambda: game.start(code))
    if tl.status == RUNNING and cols[0].button(tr("game.instructor.pause", lang, places), key=f"{KEY}_pause"):
        act(lambda: game.pause(code))
    if tl.status == PAUSED and cols[0].button(tr("game.instructor.resume", lang, places), key=f"{KEY}_resume"):
        act(lambda: game.resume(code))
    if tl.status in (RUNNING, PAUSED) and cols[1].button(
        tr("game.instructor.resolve", lang, places, turn=tl.turn + 1), type="primary", key=f"{KEY}_resolve_{suffix}"
    ):
        act(
            lambda: game.resolve(code, tl.turn),
            tr("game.instructor.resolved", lang, places, turn=tl.turn + 1),
            already=tr("game.instructor.already_resolved", lang, places),
        )
    if tl.status != ENDED:
        with cols[3].popover(tr("game.instructor.end", lang, places)):
            sure = st.checkbox(tr("game.instructor.end_confirm", lang, places), key=f"{KEY}_end_sure")
            if st.button(tr("game.instructor.end", lang, places), disabled=not sure, key=f"{KEY}_end"):
                act(lambda: game.end(code), tr("game.instructor.ended", lang, places))

    if tl.status == ENDED and tl.turn == 0:
        return
    left, mid, right = st.columns(3)
    if tl.status != ENDED:
        with left:
            minutes = st.number_input(
                tr("game.instructor.deadline", lang, places),
                1,
                120,
                int(game.config.get("deadline_minutes") or 10),
                key=f"{KEY}_deadline_{suffix}",
            )
            if st.button(tr("game.instructor.set_deadline", lang, places), key=f"{KEY}_set_deadline_{suffix}"):
                act(lambda: game.set_deadline(code, minutes))
            if tl.deadline and st.button(
                tr("game.instructor.clear_deadline", lang, places), key=f"{KEY}_clear_{suffix}"
            ):
                act(lambda: game.set_deadline(code, None) or True)
        with mid:
            cat = load_catalogue()
            event = st.selectbox(
                tr("game.instructor.inject", lang, places),
                sorted(cat.events, key=lambda e: gv.event_label(e, lang, places)),
                format_func=lambda e: gv.event_label(e, lang, places),
                key=f"{KEY}_event",
            )
            if st.button(tr("game.instructor.inject_button", lang, places), key=f"{KEY}_inject_{suffix}"):
                act(
                    lambda: game.inject(code, event),
                    tr("game.instructor.injected", lang, places, event=gv.event_label(event, lang, places)),
                )
    if tl.turn > 0:
        with right:
            target = st.selectbox(
                tr("game.instructor.rewind", lang, places),
                list(range(tl.turn)),
                format_func=lambda t: str(t + 1),
                key=f"{KEY}_rewind_to_{suffix}",
            )
            with st.popover(tr("game.instructor.rewind_button", lang, places)):
                st.markdown(rewind_warning(tl, target, lang, places))
                confirm = tr("game.instructor.rewind_confirm", lang, places)
                sure = st.checkbox(confirm, key=f"{KEY}_rewind_sure_{suffix}")
                if st.button(
                    tr("game.instructor.rewind_now", lang, places, turn=target + 1),
                    disabled=not sure,
                    key=f"{KEY}_rewind_{suffix}",
                ):
                    act(lambda: game.rewind(code, target), tr("game.instructor.rewound", lang, places, turn=target + 1))


def rewind_warning(tl: Timeline, target: int, lang: str, places: str) -> str:
    """What a rewind to the start of turn ``target`` discards, in words, before it is done.

    The resolved turns from ``target`` on, the teams' decisions and statements counted in
    them, the events injected into them, and this turn's submissions: the teams choose again.
    """
    undone = tl.resolved[target:]
    key = "rewind_discards_turn" if len(undone) == 1 else "rewind_discards_turns"
    lines = [tr(f"game.instructor.{key}", lang, places, first=target + 1, last=tl.turn, turn=target + 1)]
    for turn in undone:
        for seat, body in turn.human.items():
            chosen = gv.labels(body.get("decisions", ()), lang, places)
            lines.append(
                "- " + tr("game.instructor.rewind_discards_decision", lang, places,
                          seat=tr(f"actor.{seat}", lang, places), turn=turn.turn + 1, decisions=chosen)
            )
        for event in turn.injects:
            lines.append(
                "- " + tr("game.instructor.rewind_discards_inject", lang, places,
                          turn=turn.turn + 1, event=gv.event_label(event, lang, places))
            )
    for seat, sub in tl.pending.items():
        lines.append(
            "- " + tr("game.instructor.rewind_discards_pending", lang, places,
                      seat=tr(f"actor.{seat}", lang, places), decisions=gv.labels(sub.decisions, lang, places))
        )
    if len(lines) == 1:
        lines.append("- " + tr("game.instructor.rewind_discards_nothing", lang, places))
    lines.append("")
    lines.append(tr("game.instructor.rewind_choose_again", lang, places, turn=target + 1))
    return "\n".join(lines)


def links(opened: gv.Opened, lang: str, places: str) -> None:
    """The join screen for the wall, and every link for the teacher's own eyes (folded).

    The seats' QR codes are on the join screen only (its address carries no code); this page,
    whose address holds the teacher's code, keeps the teacher's own link and the seats' links
    folded away so that a projected instructor page shows none of them (issue 14). The links
    open in the language the teacher picks (the teacher's own by default: a teacher in Tokyo
    hands out Japanese links), or in each student's browser language.
    """
    choices = ["", *LANGUAGES]
    link_lang = st.selectbox(
        tr("game.instructor.link_language", lang, places),
        choices,
        index=choices.index(lang),
        format_func=lambda code: LANGUAGES.get(code) or tr("game.instructor.link_language_browser", lang, places),
        key=f"{KEY}_link_lang",
    )
    base = gv.base_url()
    invitation = gv.guard(lambda: opened.game.invitation(opened.code, base, link_lang or None), lang, places)
    if invitation is None:
        return
    gv.warn_if_local(base, lang, places)
    seat_links = {seat: entry["link"] for seat, entry in invitation["seats"].items()}
    st.caption(tr("game.instructor.join_screen_help", lang, places))
    if st.button(tr("game.instructor.open_join_screen", lang, places), type="primary", key=f"{KEY}_join_screen"):
        gv.hand_over_join(opened.game.id, seat_links)
        st.switch_page(str(Path(__file__).resolve().parent / "join.py"), query_params={"game": opened.game.id})
    with st.expander(tr("game.instructor.seat_links", lang, places), expanded=False):
        for seat, entry in invitation["seats"].items():
            st.markdown(f"**{tr(f'actor.{seat}', lang, places)}** · `{entry['code']}`")
            st.code(entry["link"], language=None)
    with st.expander(tr("game.instructor.instructor_link", lang, places), expanded=False):
        st.code(invitation["instructor"]["link"], language=None)
    st.caption(tr("game.instructor.viewer_links", lang, places))
    viewer = invitation["viewer"]
    st.markdown(
        f"[{tr('game.instructor.open_projector', lang, places)}]({viewer['projector']}) · "
        f"[{tr('game.instructor.open_debrief', lang, places)}]({viewer['debrief']})"
    )


def log_table(opened: gv.Opened, lang: str, places: str) -> None:
    """The game's log as the CLI prints it, one line per entry."""
    data = gv.guard(lambda: show_game(opened.game.store, opened.game.id), lang, places)
    if data is None:
        return
    rows = []
    for e in data["log"]:
        detail = ""
        if e["kind"] == "submission":
            detail = gv.labels(e.get("decisions", []), lang, places)
            detail += f" ({tr('game.fate.' + e.get('fate', 'late'), lang, places)})"
        elif e["kind"] == "inject":
            detail = gv.event_label(e["event"], lang, places)
        elif e["kind"] == "rewind":
            detail = str(e.get("to_turn", 0) + 1)
        rows.append(
            {
                tr("game.instructor.log_seq", lang, places): e["seq"],
                tr("game.common.turn_marker", lang, places, turn=""): e["turn"] + 1,
                tr("game.common.seat", lang, places): tr(f"actor.{e['seat']}", lang, places)
                if e["seat"] in SEATS
                else tr("game.role.instructor", lang, places)
                if e["seat"] == INSTRUCTOR
                else str(e["seat"] or ""),
                tr("game.instructor.log_kind", lang, places): tr(f"game.kind.{e['kind']}", lang, places),
                tr("game.common.decisions", lang, places): detail,
                tr("game.instructor.log_time", lang, places): e["time"][11:19],
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"{KEY}_log_table")


def main() -> None:
    """Draw the instructor's page; anything unexpected becomes a message, not a traceback."""
    gv.run_page(draw)


def draw(lang: str, places: str) -> None:
    """The page's body."""
    if not st.query_params.get("game"):
        create_form(lang, places)
        return
    found = gv.open_current(lang, places, KEY, accept=lambda _game, role: role == INSTRUCTOR)
    if found is None:
        return
    opened, tl, view = found
    game = opened.game
    title = plain(scenario_text(view.scenario.title, lang, places))
    st.title(tr("list.page_title", lang, label=tr("game.instructor.title", lang, places), body=title))
    gv.header(game, tl, lang, places)
    flash = st.session_state.pop(f"{KEY}_flash", None)
    if flash:
        st.success(flash)
    controls(opened, tl, lang, places)
    names = [
        tr("game.instructor.seats_status", lang, places),
        tr("game.instructor.links", lang, places),
        tr("game.instructor.log", lang, places),
    ]
    if tl.status == LOBBY:  # before the class starts, the links are what the teacher needs
        links_tab, class_tab, log_tab = st.tabs([names[1], names[0], names[2]])
    else:
        class_tab, links_tab, log_tab = st.tabs(names)
    with class_tab:
        gv.watch(game, tl, lang, places, KEY, live=lambda now: seats_table(game, now, lang, places), code=opened.code)
        gv.show_trajectory(game, tl, view, lang, places, key=f"{KEY}_trajectory")
    with links_tab:
        links(opened, lang, places)
    with log_tab:
        log_table(opened, lang, places)


if __name__ == "__main__":
    main()
