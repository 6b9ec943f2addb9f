"""A seat's page as one block of HTML, built once per point of the game and swapped in place.

Why: a class is thirty seat pages, and at every resolve each of them used to rerun its
Streamlit script, which costs each browser about a quarter of a CPU second whatever the page
holds (docs/PERFORMANCE.md). Here the part of a seat's page that a resolve changes (the status
line, breaking news, the briefing, the numbers, the menu, the form and the chart) is one HTML
document, built once per point of the game (:func:`what_it_shows`), seat, language and place
names for every page of that seat, and the page's component (``ui/components/seat``) fetches it from the app's route
(``ui/serve.py``) and swaps it in when its watch learns that the game moved on: no rerun, no
chart library, a few kilobytes per page.

A submission is a Streamlit rerun of the one page that sends it (:func:`submit` does the work),
so every check and every message of the game's engine stays where it was.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass

from model.catalogue import ACTORS, load_catalogue
from model.game.debrief import effects_text, game_svg
from model.game.engine import Game
from model.game.errors import GameError
from model.game.links import page_url
from model.game.live import page_mark
from model.game.replay import ENDED, LOBBY, PAUSED, Timeline
from model.game.setup import MAX_DECISIONS
from model.game.world import WorldView
from model.i18n import month_text, tr
from model.limits import MAX_STATEMENT
from ui import game_views as gv
from ui.html_blocks import Tile, alert_html, escaped, folds, markdown, tiles
from ui.plain_text import plain

SEAT_ROUTE = "_rapprochement/seat"  # where a seat's page fetches its HTML (ui/serve.py), from the root
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
    """Last turn's outcome as Markdown: events, everyone's decisions and statements, what ours did."""
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
    """Key numbers now, with their change over the last turn (HTML tiles)."""
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


def private_note(seat: str, view: WorldView, lang: str, places: str) -> str:
    """Markdown of the numbers only this seat's page shows, and the theory that makes them matter."""
    values = {name: view.value(var) for name, var in NOTE_VALUES[seat].items()}
    return tr(f"game.note.{seat}", lang, places, **values)


def menu(seat: str, view: WorldView, lang: str, places: str) -> str:
    """Every decision of the seat, folded under its title: briefing, what it needs, what it may do."""
    cat = load_catalogue()
    items = []
    for did, available in view.available(seat).items():
        decision = cat.decisions[did]
        parts = [cat.briefing("decision", did, lang, places)]
        if not available:
            parts.append(tr("game.play.unavailable", lang, places, why=gv.preconditions_text(decision, lang, places)))
        hint = gv.effects_hint(decision, lang, places)
        if hint:
            parts.append(f"*{hint}*")
        items.append((gv.decision_label(did, lang, places), "\n\n".join(parts), not available))
    return folds(items)


def status_line(game: Game, tl: Timeline, lang: str, places: str) -> str:
    """Turn, months and status (:func:`gv.status_parts`), and a place for the deadline's clock."""
    lead, rest = gv.status_parts(game, tl, lang, places)
    line = f"<p><strong>{escaped(lead)}</strong> · {escaped(rest)}</p>"
    return line if tl.status == ENDED else line + '<p class="rp-clock" data-rp-clock></p>'


def news(game: Game, tl: Timeline, lang: str, places: str) -> str:
    """The open turn's injected events, as breaking news with their briefing (:func:`gv.news_items`)."""
    answer = tr("game.news.answer", lang, places)
    return "".join(
        f'<div class="rp-alert rp-error" role="alert"><p><strong>{escaped(title)}</strong></p>'
        f"{markdown(body)}{markdown(f'{when} {answer}')}</div>"
        for title, body, when in gv.news_items(game, tl, lang, places)
    )


def form(seat: str, tl: Timeline, view: WorldView, lang: str, places: str) -> str:
    """Choose one or two decisions and an optional statement; submit (again, to replace).

    The form names the turn and branch it was drawn for: a Submit pressed after the turn
    closed is sent for that turn and stored as late (the team is told), never lost.
    """
    open_now = [d for d, ok in view.available(seat).items() if ok]
    mine = tl.pending.get(seat)
    chosen = set(mine.decisions) if mine else set()
    boxes = "".join(
        f'<label class="rp-choice"><input type="checkbox" name="decision" value="{escaped(d)}"'
        f'{" checked" if d in chosen else ""}> {escaped(gv.decision_label(d, lang, places))}</label>'
        for d in open_now
    )
    statement = mine.statement if mine else ""
    label = tr("game.play.statement", lang, places, limit=MAX_STATEMENT)
    return (
        f'<form class="rp-form" data-branch="{tl.branch}" data-turn="{tl.turn}" data-max="{MAX_DECISIONS}">'
        f'<fieldset><legend>{escaped(tr("game.play.choose", lang, places))}</legend>{boxes}</fieldset>'
        f'<label class="rp-statement">{escaped(label)}'
        f'<textarea name="statement" rows="4">{escaped(statement)}</textarea></label>'
        f'<p class="rp-help">{escaped(tr("game.play.statement_help", lang, places))}</p>'
        f'<button type="submit">{escaped(tr("game.play.submit", lang, places))}</button>'
        "</form>"
    )


def body(game: Game, code: str, seat: str, tl: Timeline, view: WorldView, lang: str, places: str) -> str:
    """The part of a seat's page that the game's moves change, as HTML."""

    def heading(level: int, key: str) -> str:
        return f"<h{level}>{escaped(tr(key, lang, places))}</h{level}>"

    parts = [status_line(game, tl, lang, places), news(game, tl, lang, places)]
    if tl.status == ENDED:
        link = page_url("", "debrief", game.id, code, lang)
        parts.append(alert_html(tr("game.play.ended", lang, places), "success"))
        text = tr("game.play.open_debrief", lang, places)
        parts.append(f'<p><a href="{escaped(link)}" target="_top">{escaped(text)}</a></p>')
    elif tl.status == LOBBY and not game.homework:
        parts.append(alert_html(tr("game.play.waiting_start", lang, places), "info"))
    elif tl.status == PAUSED:
        parts.append(alert_html(tr("game.play.waiting_paused", lang, places), "info"))
    parts += [
        heading(2, "game.play.briefing"),
        '<div class="rp-columns"><div>',
        heading(3, "game.play.what_happened"),
        markdown(what_happened(game, seat, view, lang, places)),
        "</div><div>",
        heading(3, "game.play.advisers"),
        markdown(advisers(seat, view, lang, places)),
        heading(3, "game.play.private_note"),
        alert_html(private_note(seat, view, lang, places), "info"),
        "</div></div>",
        heading(3, "game.play.indicators"),
        indicators(view, lang, places),
    ]
    if tl.status != ENDED:
        parts.append(heading(2, "game.play.menu"))
        mine = tl.pending.get(seat)
        if mine is not None:
            chosen = gv.labels(mine.decisions, lang, places)
            parts.append(alert_html(tr("game.play.submitted", lang, places, decisions=chosen), "success"))
        if tl.status != LOBBY or game.homework:  # paused too: the form keeps what the team typed
            parts.append(form(seat, tl, view, lang, places))
        parts.append(menu(seat, view, lang, places))
    parts.append(game_svg(view, lang, places) or f"<p>{escaped(tr('game.common.nothing_yet', lang, places))}</p>")
    return "".join(parts)


@dataclass(frozen=True)
class Shown:
    """What a seat's page shows of its game: the log's position, its mark, the HTML, the clock.

    ``left``: seconds to the turn's deadline (None without one), taken when it was asked for.
    """

    seq: int
    mark: list
    html: str
    left: float | None

    def data(self) -> dict:
        """As the seat's component takes it, from the page's run or from the seat route."""
        return asdict(self)


_HTML: OrderedDict[tuple, str] = OrderedDict()
_HTML_LOCK = threading.Lock()
_HTML_KEPT = 256  # a school's seats in three languages at a few points of their games (assumption)


def what_it_shows(tl: Timeline, seat: str) -> tuple:
    """What a seat's HTML depends on in the game's timeline: its mark, the turns resolved, the seat's submission.

    Not the log's position: every page that opens joins the game, and every team's submission
    moves the log, without changing what this seat's page shows.
    """
    mine = tl.pending.get(seat)
    return (*page_mark(tl), len(tl.resolved), None if mine is None else (tuple(mine.decisions), mine.statement))


def shown(game: Game, code: str, seat: str, lang: str, places: str, at_least: int = -1) -> Shown:
    """The seat's page at the game's present position, its HTML built once for every page of that seat.

    Raises:
        GameError: The game cannot be read.
    """
    tl = game.timeline(at_least=at_least) if at_least >= 0 else game.timeline()
    key = (game.store.url, game.id, what_it_shows(tl, seat), seat, lang, places, code)
    with _HTML_LOCK:
        html = _HTML.get(key)
        if html is not None:
            _HTML.move_to_end(key)
    if html is None:
        html = body(game, code, seat, tl, game.world(tl), lang, places)
        with _HTML_LOCK:
            _HTML[key] = html
            while len(_HTML) > _HTML_KEPT:
                _HTML.popitem(last=False)
    return Shown(tl.last_seq, page_mark(tl), html, gv.deadline_left(tl))


@dataclass(frozen=True)
class Sent:
    """What became of a submission, in words for the team (``level``: success, warning, error)."""

    level: str
    text: str
    stored: bool


def submit(
    game: Game, code: str, decisions: list[str], statement: str, branch: int, turn: int, lang: str, places: str
) -> Sent:
    """Send a submission for ``turn`` of ``branch``; say in words what became of it.

    Nothing a team sends is lost: a statement over the limit is not sent (the page keeps the
    text and says by how much), and a submission for a turn that closed meanwhile is stored as
    late (see :meth:`~model.game.engine.Game.submit`) with a notice.
    """
    text = (statement or "").strip()
    if len(text) > MAX_STATEMENT:
        return Sent("error", tr("game.play.statement_over", lang, places, count=len(text), limit=MAX_STATEMENT), False)
    try:
        entry = game.submit(code, list(decisions), text, turn=turn, branch=branch)
    except GameError as err:
        return Sent("error", gv.error_text(err, lang, places), False)
    late = entry.payload.get("late")
    if not late:
        return Sent("success", tr("game.play.submitted", lang, places, decisions=gv.labels(decisions, lang, places)),
                    True)
    now = game.timeline()
    if late == "deadline":
        notice = tr("game.play.late_deadline", lang, places)
    elif late == "ended" or now.status == ENDED:
        notice = tr("game.play.late_ended", lang, places)
    else:
        first = tr("game.play.late_turn_closed", lang, places, turn=turn + 1,
                   decisions=gv.labels(decisions, lang, places))
        notice = first + " " + tr("game.play.late_now", lang, places, turn=now.turn + 1)
    return Sent("warning", notice, True)

