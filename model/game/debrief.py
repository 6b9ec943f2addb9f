"""The debrief: what every seat decided, what each decision did, and how it compares.

What a decision did is read from the effects ledger: the changes whose cause is that decision,
from the month it was taken until the same decision is taken again (multi-month effects keep
their cause). The comparison with real history uses the published polls (up to 2019) in the
months where the game's scenario overlaps them.

Everything here returns plain data or text; the Streamlit page draws it, and
:func:`debrief_html` writes the one self-contained file a class downloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

import pandas as pd

from model.catalogue import ACTORS, load_catalogue
from model.game.store import GameRecord
from model.game.svg import line_chart
from model.game.world import WorldView
from model.i18n import date_text, font_stack, join_list, month_text, scenario_text, tr

KEY_VARIABLES = (
    "relationship_index",
    "kr_favorable_japan",
    "jp_favorable_korea",
    "kr_gov_approval",
    "jp_gov_approval",
    "diplomatic",
    "security",
    "economic",
    "history",
    "people",
)
CHART_VARIABLES = ("relationship_index", "kr_favorable_japan", "jp_favorable_korea")
MIN_EFFECT = 0.05  # points: smaller changes are rounding noise in a debrief table


@dataclass(frozen=True)
class DecisionEffect:
    """One seat's decision in one turn and what it did to the key indicators."""

    turn: int
    month: str
    seat: str
    decision: str
    played_by: str
    statement: str
    happened: bool
    effects: dict[str, float]


def _triggered(did: str, occurred_now: set[str]) -> set[str]:
    """Events a decision can set off (and their own triggers) that happened in its month."""
    cat = load_catalogue()
    found: set[str] = set()
    todo = [t.event for t in cat.decisions[did].triggers]
    while todo:
        event = todo.pop()
        if event in occurred_now and event not in found:
            found.add(event)
            todo += [t.event for t in cat.events[event].triggers]
    return found


def decision_effects(view: WorldView) -> list[DecisionEffect]:
    """Every decision of every seat, turn by turn, with its effects from the ledger.

    A decision's effects are the ledger's changes caused by it, plus those of the events it
    can set off that happened in the same month (a leader's visit to {dokdo} acts through the
    visit event it triggers), from that month until the same decision is taken again.
    """
    cat = load_catalogue()
    ledger = view.ledger
    out: list[DecisionEffect] = []
    for outcome in view.outcomes:
        happened_ids = {o.id for o in outcome.occurrences if o.kind == "decision"}
        events_now = {o.id for o in outcome.occurrences if o.kind == "event" and o.t == outcome.first_t}
        for seat in ACTORS:
            for did in outcome.decisions.get(seat, ()):
                later = [
                    o.first_t for o in view.outcomes if o.first_t > outcome.first_t and did in o.decisions.get(seat, ())
                ]
                causes = {did} | _triggered(did, events_now)
                rows = ledger[ledger.cause.isin(causes) & (ledger.t >= outcome.first_t)]
                if later:
                    rows = rows[rows.t < min(later)]
                sums = rows.groupby("variable")["delta"].sum()
                effects = {v: float(sums[v]) for v in KEY_VARIABLES if v in sums.index and abs(sums[v]) >= MIN_EFFECT}
                out.append(
                    DecisionEffect(
                        turn=outcome.turn,
                        month=outcome.months[0],
                        seat=seat,
                        decision=did,
                        played_by=outcome.played_by[seat],
                        statement=outcome.statements.get(seat, ""),
                        happened=did in happened_ids or cat.decisions[did].is_hold,
                        effects=effects,
                    )
                )
    return out


def effects_text(effects: dict[str, float], lang: str = "en", places: str = "both") -> str:
    """Effects as one readable line, biggest first ("Relationship index +1.2, ...")."""
    if not effects:
        return tr("game.play.no_effect", lang, places)
    ordered = sorted(effects.items(), key=lambda kv: -abs(kv[1]))
    said = (tr("game.debrief.effect", lang, places, variable=tr(f"variable.{v}", lang, places), delta=d)
            for v, d in ordered)
    return join_list(said, lang, short=True)


def history_comparison(view: WorldView) -> pd.DataFrame:
    """Simulated favourability against the published polls where the game overlaps them.

    Returns:
        Columns month, variable, simulated, observed, source (the report the poll comes from),
        series (the poll series' key, named for readers by ``history.series.<key>``); empty when
        nothing overlaps.
    """
    from model.analysis.polls import poll_targets, targets_frame

    cols = ["month", "variable", "simulated", "observed", "source", "series"]
    traj = view.trajectory[view.trajectory.t >= 0]
    if traj.empty:
        return pd.DataFrame(columns=cols)
    polls = targets_frame(poll_targets())
    polls = polls[polls.month.isin(set(traj.month))]
    rows = []
    for poll in polls.itertuples():
        sim = traj[(traj.month == poll.month) & (traj.variable == poll.variable)]
        if not sim.empty:
            rows.append((poll.month, poll.variable, sim.value.iloc[0], poll.value, poll.source, poll.series))
    return pd.DataFrame(rows, columns=cols)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def game_svg(view: WorldView, lang: str = "en", places: str = "both") -> str:
    """The game so far as an SVG chart (its turns marked), or "" before there is anything to draw.

    The debrief (one file that opens offline) and the seat's page (redrawn by thirty browsers
    at every resolve: a few lines of SVG cost a browser far less than a chart library) share it.
    """
    traj = view.trajectory[view.trajectory.t >= 0]
    months = list(dict.fromkeys(traj.month))
    if not months:
        return ""
    series = {tr(f"variable.{v}", lang, places): list(traj[traj.variable == v].value) for v in CHART_VARIABLES}
    markers = [
        (months.index(o.months[0]), tr("game.common.turn_marker", lang, places, turn=o.turn + 1))
        for o in view.outcomes
        if o.months[0] in months
    ]
    labels = [month_text(m, lang) for m in months]
    return line_chart(series, labels, markers, font_family=font_stack(lang))


def debrief_html(record: GameRecord, view: WorldView, lang: str = "en", places: str = "both") -> str:
    """The whole debrief as one HTML file with no outside resources (charts are inline SVG)."""
    cat = load_catalogue()
    sc = view.scenario

    def t(key: str, **values: object) -> str:
        return tr(key, lang, places, **values)

    chart = game_svg(view, lang, places) or f"<p>{escape(t('game.common.nothing_yet'))}</p>"

    turn_rows = []
    for o in view.outcomes:
        for seat in ACTORS:
            chosen = o.decisions.get(seat, ())
            label = join_list((cat.label("decision", d, lang, places) for d in chosen), lang)
            turn_rows.append(
                [
                    str(o.turn + 1),
                    f"{month_text(o.months[0], lang)}–{month_text(o.months[-1], lang)}",
                    t(f"actor.{seat}"),
                    t(f"game.player.{o.played_by[seat]}"),
                    label or t("game.common.kept_course"),
                    o.statements.get(seat, ""),
                ]
            )
        for event in o.injects:
            turn_rows.append(
                [
                    str(o.turn + 1),
                    month_text(o.months[0], lang),
                    t("game.role.instructor"),
                    "",
                    t("game.debrief.injected", event=cat.label("event", event, lang, places)),
                    "",
                ]
            )
    effect_rows = [
        [
            str(e.turn + 1),
            t(f"actor.{e.seat}"),
            cat.label("decision", e.decision, lang, places),
            t(f"game.player.{e.played_by}"),
            effects_text(e.effects, lang, places),
        ]
        for e in decision_effects(view)
    ]
    history = history_comparison(view)
    if history.empty:
        none = t("game.debrief.history_none", first=month_text(sc.start, lang), last=month_text(sc.end, lang))
        history_html = f"<p>{escape(none)}</p>"
    else:
        history_html = f"<p>{escape(t('game.debrief.history_caption'))}</p>" + _table(
            [
                t("charts.month"),
                t("charts.variable"),
                t("game.debrief.simulated"),
                t("charts.observed"),
                t("charts.source"),
            ],
            [
                [
                    month_text(r.month, lang),
                    t(f"variable.{r.variable}"),
                    f"{r.simulated:.1f}",
                    f"{r.observed:.1f}",
                    t(f"history.series.{r.series}"),
                ]
                for r in history.itertuples()
            ],
        )
    title = t("game.debrief.title", scenario=scenario_text(sc.title, lang, places))
    question = scenario_text(sc.question, lang, places)
    generated = t(
        "game.debrief.generated",
        game=record.id,
        seed=record.seed,
        date=date_text(datetime.now(UTC).date(), lang),
    )
    fonts = font_stack(lang)
    style = (
        f"body{{font-family:{fonts};max-width:60em;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}}"
        "table{border-collapse:collapse;width:100%;margin:1em 0}"
        "th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
        "th{background:#f2f2f2}"
    )
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{style}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(question)}</p><p><small>{escape(generated)}</small></p>"
        f"<h2>{escape(t('game.debrief.trajectory'))}</h2>{chart}"
        f"<h2>{escape(t('game.common.decisions'))}</h2>"
        + _table(
            [
                t("game.common.turn_marker", turn=""),
                t("charts.month"),
                t("game.common.seat"),
                t("game.common.player"),
                t("game.common.decisions"),
                t("game.common.statement"),
            ],
            turn_rows,
        )
        + f"<h2>{escape(t('game.debrief.decisions'))}</h2>"
        + _table(
            [
                t("game.common.turn_marker", turn=""),
                t("game.common.seat"),
                t("game.common.decisions"),
                t("game.common.player"),
                t("game.debrief.effect_header"),
            ],
            effect_rows,
        )
        + f"<h2>{escape(t('game.debrief.history'))}</h2>{history_html}"
        + "</body></html>"
    )
