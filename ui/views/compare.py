"""Compare: two scenarios, or a scenario and its edited copy, side by side and as a difference.

Both ensembles use the same runs and seed, so run ``i`` of each draws the same North Korean
launches, rulings and choices wherever the scenarios agree (common random numbers); the
difference fan chart pairs them run by run and shows only what the scenarios change.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from model.i18n import scenario_text, tr
from model.scenario import Scenario
from model.state import OUTPUT_VARIABLES
from ui import charts, widgets
from ui import explore_logic as el
from ui import state_url as su
from ui.plain_text import plain

PREFIX = "compare"
EDITED = "edited"


def _k(name: str) -> str:
    return f"{PREFIX}_{name}"


def load_from_link(ids: list[str]) -> list[el.InputError]:
    """On a session's first visit, take scenario A, B, edits, runs and seed from the link."""
    if st.session_state.get(_k("link_read")):
        return []
    st.session_state[_k("link_read")] = True
    if "scenario" not in st.query_params:
        return []
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    state, problems = su.from_params(params, ids, ids[0])
    st.session_state[_k("a")] = state.scenario
    st.session_state[_k("b")] = state.compare or EDITED
    st.session_state[_k("runs")] = state.runs
    st.session_state[_k("seed")] = state.seed
    st.session_state[_k("link_edits")] = state.edits
    st.session_state[_k("live")] = True
    return problems


def edits_for(a: str) -> el.Edits:
    """The edits of the "edited copy": from a link, else from the Explore page's session."""
    linked = st.session_state.get(_k("link_edits"))
    if linked and st.session_state.get(_k("a")) == a:
        return linked
    return st.session_state.get(f"explore_edits|{a}", el.Edits())


def default_second(shipped: dict[str, Scenario], a: str) -> str:
    """The edited copy if the user changed A on Explore, else a scenario over A's period."""
    if st.session_state.get(f"explore_edits|{a}"):
        return EDITED
    first = shipped.get(a)
    same = [
        sid
        for sid, sc in shipped.items()
        if sid != a and first is not None and (sc.start, sc.end) == (first.start, first.end)
    ]
    return same[0] if same else EDITED


def pick(shipped: dict[str, Scenario], lang: str) -> tuple[str, str, int, int, str, bool]:
    """Widgets for A, B, the variable, runs and seed; returns them and whether to show results."""
    ids = list(shipped)
    widgets.persistent(_k("a"), ids[0])
    widgets.persistent(_k("b"), default_second(shipped, st.session_state[_k("a")]))
    widgets.persistent(_k("runs"), el.DEFAULT_RUNS)
    widgets.persistent(_k("seed"), el.DEFAULT_SEED)
    c1, c2 = st.columns(2)
    a = c1.selectbox(
        tr("compare.first", lang), ids, format_func=lambda i: scenario_text(shipped[i].title, lang), key=_k("a")
    )
    b = c2.selectbox(
        tr("compare.second", lang),
        [EDITED, *ids],
        format_func=lambda i: tr("compare.edited_copy", lang) if i == EDITED else scenario_text(shipped[i].title, lang),
        key=_k("b"),
    )
    c3, c4, c5, c6 = st.columns([3, 2, 2, 1], vertical_alignment="bottom")
    variable = c3.selectbox(
        tr("compare.variable", lang),
        widgets.CHARTED,
        format_func=lambda v: charts.variable_label(v, lang),
        key=_k("variable"),
    )
    runs = c4.number_input(
        tr("explore.runs", lang), min_value=el.MIN_RUNS, max_value=el.MAX_RUNS, step=50, key=_k("runs")
    )
    seed = c5.number_input(tr("explore.seed", lang), min_value=0, max_value=el.MAX_SEED, step=1, key=_k("seed"))
    for name in ("a", "b", "runs", "seed"):
        widgets.remember(_k(name))
    if c6.button(tr("compare.run", lang), type="primary", key=_k("run"), width="stretch"):
        st.session_state[_k("live")] = True
    return a, b, int(runs), int(seed), variable, bool(st.session_state.get(_k("live")))


def main() -> None:
    """Draw the Compare page."""
    start = widgets.page_start("compare.title", "compare.intro")
    if start is None:
        return
    lang, places, shipped = start
    widgets.show_input_errors(load_from_link(list(shipped)), lang, places)
    a, b, runs, seed, variable, live = pick(shipped, lang)

    first = shipped[a]
    edits = el.Edits()
    if b == EDITED:
        edits = edits_for(a)
        if not edits:
            st.info(tr("compare.no_edits", lang))
        edited = widgets.edited_or_error(first, edits, lang, places)
        if edited is None:
            return
        second = edited
        first_title = plain(scenario_text(first.title, lang, places))
        second_title = tr("compare.edited_title", lang, title=first_title, count=edits.count())
    else:
        second, second_title = shipped[b], plain(scenario_text(shipped[b].title, lang, places))

    if not live:
        st.info(tr("compare.press_run", lang))
        return
    paired = first.months == second.months  # same calendar: the causes of the gap can be compared
    try:
        ra = widgets.ensemble(first.to_yaml(), runs, seed, lang, ledger=paired)
        rb = widgets.ensemble(second.to_yaml(), runs, seed, lang, ledger=paired)
    except widgets.RunFailed as err:
        st.error(tr("error.generic", lang, message=plain(str(err))))
        return
    widgets.set_query_params(su.to_params(su.PageState(a, edits if b == EDITED else el.Edits(), runs, seed, None, b)))
    left, right = st.columns(2)
    for col, scenario, title, result, name in (
        (left, first, plain(scenario_text(first.title, lang, places)), ra, "a"),
        (right, second, second_title, rb, "b"),
    ):
        with col:
            st.subheader(title)  # made plain above: a title is text, never Markdown
            st.caption(plain(scenario_text(scenario.question, lang, places)))
            markers = widgets.marker_events(scenario, result, lang, places)
            fig = charts.fan_chart(result.summary, variable, markers, lang, places)
            widgets.show_figure(fig, lang, f"cmp_{name}")
    st.subheader(tr("compare.difference", lang))
    try:
        diff = charts.difference_fan_chart(
            ra.variable_table(variable), rb.variable_table(variable), variable, lang, places
        )
    except ValueError as err:
        st.warning(str(err))
        return
    if paired:
        difference_summary(first, second, ra, rb, variable, lang, places)
    widgets.show_figure(diff, lang, "cmp_diff")
    st.caption(widgets.bands_caption("posterior", lang))
    st.caption(tr("compare.paired_note", lang))
    if paired:
        difference_causes(first, second, ra, rb, variable, lang, places)


def difference_summary(
    first: Scenario, second: Scenario, ra: widgets.Results, rb: widgets.Results, variable: str, lang: str,
    places: str,
) -> None:
    """One sentence: what the second scenario changes against the first, at the last month."""
    from model.analysis import difference as dif

    added, removed = dif.own_items(first, second)
    who = dif.subject(added, removed, len(dif.changed_assumptions(first, second)), lang, places)
    index = OUTPUT_VARIABLES.index(variable)
    diff = rb.values[:, index, :].astype(float) - ra.values[:, index, :].astype(float)
    summary = dif.summarise(diff, list(second.months), variable)
    st.markdown(f"**{dif.summary_sentence(summary, who, lang, places)}**")


def difference_causes(
    first: Scenario, second: Scenario, ra: widgets.Results, rb: widgets.Results, variable: str, lang: str,
    places: str,
) -> None:
    """The waterfall of the gap at the last month, from both ledgers, the second's own items first."""
    from model.analysis import difference as dif

    if ra.ledger is None or rb.ledger is None:
        return
    added, removed = dif.own_items(first, second)
    months = list(second.months)
    k = min(ra.ledger_runs, rb.ledger_runs)
    index = OUTPUT_VARIABLES.index(variable)
    gap = float(np.mean(rb.values[-1, index, :k].astype(float) - ra.values[-1, index, :k].astype(float)))
    w = dif.difference_waterfall(ra.ledger, rb.ledger, variable, months[-1], gap, added, removed)
    fig = charts.whatif_waterfall_chart(w, dif.label_waterfall(w, lang, places), variable, months[-1], lang, places)
    widgets.show_figure(fig, lang, "cmp_why")
    st.caption(tr("explore.difference_why_note", lang))


if __name__ == "__main__":
    main()
