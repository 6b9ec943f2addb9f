"""Explore: pick or upload a scenario, change its assumptions, run it many times, see why.

The page only draws. What an edit is, which input is refused and why, and how the page state
travels in a link live in :mod:`ui.explore_logic` and :mod:`ui.state_url`; the ensemble runs in
the core behind a cache keyed on the scenario's YAML, the runs and the seed, so changing an
assumption back and forth costs one run per distinct setting.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from functools import partial

import streamlit as st

from model.catalogue import load_catalogue
from model.i18n import month_text, scenario_text, tr
from model.scenario import Scenario, ScenarioError
from ui import charts, widgets
from ui import explore_logic as el
from ui import state_url as su
from ui.plain_text import plain

PREFIX = "explore"
LOG = logging.getLogger(__name__)


def _k(name: str) -> str:
    """Session-state key of this page (kept apart from other pages' keys)."""
    return f"{PREFIX}_{name}"


def load_from_link(ids: list[str], default: str) -> list[el.InputError]:
    """On a session's first visit, put the link's state into the page's widgets.

    Returns:
        The link's refused parameters, to show once.
    """
    if st.session_state.get(_k("link_read")):
        return []
    st.session_state[_k("link_read")] = True
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    state, problems = su.from_params(params, ids, default)
    st.session_state[_k("scenario")] = state.scenario
    st.session_state[_k("runs")] = state.runs
    st.session_state[_k("seed")] = state.seed
    st.session_state[_k("pending_edits")] = state.edits
    if state.window:
        st.session_state[_k("window")] = state.window
    if "scenario" in params:
        st.session_state[_k("live")] = True  # a shared link shows its results at once
    return problems


def choose_scenario(shipped: dict[str, Scenario], lang: str, places: str) -> tuple[Scenario, str, bool]:
    """The base scenario: a shipped one, or an uploaded file (parsed safely by the core).

    Returns:
        The scenario, a key naming it (for widget state), and whether it is shipped (only a
        shipped scenario can travel in a link).
    """
    handed = st.session_state.get(widgets.HANDOVER_KEY)
    if handed is not None:
        name, text = handed
        try:
            scenario = widgets.parse_cached(text, name)
        except ScenarioError as err:
            widgets.show_scenario_error(err, lang)
            del st.session_state[widgets.HANDOVER_KEY]
        else:
            st.info(tr("explore.handed", lang, places, title=plain(scenario_text(scenario.title, lang, places))))
            if st.button(tr("explore.handed_drop", lang, places), key=_k("handed_drop")):
                del st.session_state[widgets.HANDOVER_KEY]
                st.rerun()
            digest = hashlib.sha256(text.encode()).hexdigest()[:10]
            return scenario, f"handed-{digest}", False
    ids = list(shipped)
    widgets.persistent(_k("source"), "shipped")
    source = st.radio(
        tr("explore.source", lang),
        ["shipped", "upload"],
        format_func=lambda s: tr(f"explore.source_{s}", lang),
        horizontal=True,
        key=_k("source"),
    )
    widgets.remember(_k("source"))
    if source == "upload":
        upload = st.file_uploader(
            tr("explore.upload", lang, places),
            type=["yaml", "yml"],
            max_upload_size=1,
            help=tr("explore.upload_help", lang, limit=el.MAX_UPLOAD_BYTES // 1000),
            key=_k("upload"),
        )
        if upload is not None:
            try:
                text = el.read_upload(upload.getvalue())
                scenario = widgets.parse_cached(text, upload.name)
            except el.InputError as err:
                st.error(widgets.input_error_text(err, lang, places))
            except ScenarioError as err:
                widgets.show_scenario_error(err, lang)
            else:
                digest = hashlib.sha256(text.encode()).hexdigest()[:10]
                return scenario, f"upload-{digest}", False
        st.info(tr("explore.upload_fallback", lang))
    widgets.persistent(_k("scenario"), ids[0])
    if st.session_state.get(_k("scenario")) not in shipped:
        st.session_state[_k("scenario")] = ids[0]
    sid = st.selectbox(
        tr("explore.scenario", lang),
        ids,
        format_func=lambda i: scenario_text(shipped[i].title, lang, places),
        key=_k("scenario"),
    )
    widgets.remember(_k("scenario"))
    return shipped[sid], sid, source == "shipped"


def edit_assumptions(base: Scenario, key: str, lang: str, places: str) -> tuple[el.Edits, list[el.InputError]]:
    """Widgets for the leaders, Washington and the coefficients; the edits they make.

    Each field's value lives in a shadow copy keyed by scenario and path (plain state, which
    Streamlit keeps), so each scenario keeps its own edits, a visit to another page loses
    nothing, and only one group of coefficients needs its widgets drawn at a time (about
    80 number inputs on every redraw would cost a third of a second).
    """
    cat = load_catalogue()
    fields = el.editable_fields(base, cat, lang, places)
    pending: el.Edits | None = st.session_state.pop(_k("pending_edits"), None)
    problems: list[el.InputError] = []
    if pending is not None:  # from a link: put its values in place before any widget
        pending, problems = el.validate_edits(pending, fields, base, cat)
        widgets.forget_keys(f"|{key}|")
        for path, value in pending.values:
            st.session_state[_shadow(key, path)] = value
        st.session_state[f"{_k('added')}|{key}|"] = list(pending.added)
        st.session_state[f"{_k('removed')}|{key}|"] = list(pending.removed)
    by_group: dict[str, list[el.EditableField]] = {}
    for f in fields:
        by_group.setdefault(f.group, []).append(f)
    st.markdown(f"**{tr('explore.assumptions', lang)}**")
    st.caption(tr("explore.assumptions_help", lang, places))
    leaders = by_group.pop("leaders", [])
    cols = st.columns(len(leaders) or 1)
    for col, f in zip(cols, leaders, strict=False):
        with col:
            _field_widget(f, key, lang)
    with st.expander(tr("explore.more_assumptions", lang), expanded=False):
        groups = list(by_group)
        widgets.persistent(_k("group"), "rate" if "rate" in groups else groups[0])
        group = st.segmented_control(
            tr("explore.group", lang),
            groups,
            format_func=lambda g: tr(f"explore.group_{g}", lang),
            key=_k("group"),
        )
        widgets.remember(_k("group"))
        if group in by_group:
            edited = sum(1 for f in by_group[group] if f.differs(_value(f, key)))
            st.caption(tr("explore.group_count", lang, fields=len(by_group[group]), edited=edited))
            cols = st.columns(3)
            for i, f in enumerate(by_group[group]):
                with cols[i % 3]:
                    _field_widget(f, key, lang)
    edits = el.Edits()
    for f in fields:
        value = _value(f, key)
        if f.differs(value):
            edits = edits.with_value(f.path, value)
    return edits, problems


def _shadow(key: str, path: str) -> str:
    return f"keep::{_k('field')}|{key}|{path}"


def _value(f: el.EditableField, key: str) -> object:
    """A field's current value: the user's, else the scenario's."""
    return st.session_state.get(_shadow(key, f.path), f.default)


def _field_widget(f: el.EditableField, key: str, lang: str) -> None:
    """Draw one field's widget from its shadow value, and keep the shadow up to date."""
    wkey = f"{_k('field')}|{key}|{f.path}"
    if wkey not in st.session_state:
        st.session_state[wkey] = _value(f, key)
    if f.kind == "choice":
        st.selectbox(
            f.label,
            list(f.options),
            format_func=lambda o: tr(f"explore.option_{o}", lang),
            help=f.help,
            key=wkey,
        )
    else:
        st.number_input(
            f.label,
            min_value=f.low,
            max_value=f.high,
            step=_step(f),
            format="%.4g",
            help=f.help,
            key=wkey,
        )
    st.session_state[_shadow(key, f.path)] = st.session_state[wkey]


def _step(f: el.EditableField) -> float:
    span = f.high - f.low
    return float(f"{span / 20:.1g}") if span > 0 else 1.0


def edit_timeline(base: Scenario, key: str, edits: el.Edits, lang: str, places: str) -> el.Edits:
    """The scenario's scheduled events, with buttons to remove them and a form to add one."""
    cat = load_catalogue()
    added_key, removed_key = f"{_k('added')}|{key}|", f"{_k('removed')}|{key}|"
    added = st.session_state.setdefault(added_key, [])
    removed = st.session_state.setdefault(removed_key, [])
    edits = replace(edits, added=tuple(added), removed=tuple(removed))
    with st.expander(tr("explore.timeline", lang), expanded=False):
        events = el.scheduled_events(base, edits)
        notes = {(e.type, e.month): e.note for e in base.events if e.note}
        if not events:
            st.caption(tr("explore.timeline_empty", lang))
        for i, (etype, month, by_user) in enumerate(events):
            c1, c2 = st.columns([5, 1])
            mark = tr("explore.added_mark", lang) if by_user else ""
            note = notes.get((etype, month)) if not by_user else None
            note = f" · *{plain(scenario_text(note, lang, places))}*" if note else ""
            c1.markdown(f"**{month_text(month, lang)}** · {cat.label('event', etype, lang, places)} {mark}{note}")
            if c2.button(tr("explore.remove", lang), key=f"{_k('rm')}|{key}|{i}|{etype}|{month}"):
                edits = edits.with_removed(etype, month)
                st.session_state[added_key] = list(edits.added)
                st.session_state[removed_key] = list(edits.removed)
                st.rerun()
        with st.form(key=f"{_k('add_form')}|{key}", clear_on_submit=False, border=False):
            c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
            etype = c1.selectbox(
                tr("explore.add_type", lang),
                sorted(cat.events, key=lambda e: cat.label("event", e, lang, places)),
                format_func=lambda e: cat.label("event", e, lang, places),
                key=f"{_k('add_type')}|{key}|",
            )
            month = c2.selectbox(
                tr("explore.add_month", lang),
                base.months,
                format_func=partial(month_text, lang=lang),
                key=f"{_k('add_month')}|{key}|",
            )
            if c3.form_submit_button(tr("explore.add", lang), key=f"{_k('add')}|{key}|"):
                edits = edits.with_added(etype, month)
                st.session_state[added_key] = list(edits.added)
                st.session_state[removed_key] = list(edits.removed)
                st.rerun()  # redraw the timeline above with the new event
        if etype in cat.events:
            st.caption(cat.briefing("event", etype, lang, places))
    return edits


def run_controls(lang: str) -> tuple[int, int, bool]:
    """Runs, seed and the Run button; returns whether results should be shown."""
    widgets.persistent(_k("runs"), el.DEFAULT_RUNS)
    widgets.persistent(_k("seed"), el.DEFAULT_SEED)
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    runs = c1.number_input(
        tr("explore.runs", lang),
        min_value=el.MIN_RUNS,
        max_value=el.MAX_RUNS,
        step=50,
        help=tr("explore.runs_help", lang, limit=el.MAX_RUNS),
        key=_k("runs"),
    )
    seed = c2.number_input(
        tr("explore.seed", lang),
        min_value=0,
        max_value=el.MAX_SEED,
        step=1,
        help=tr("explore.seed_help", lang),
        key=_k("seed"),
    )
    widgets.remember(_k("runs"))
    widgets.remember(_k("seed"))
    if c3.button(tr("explore.run", lang), type="primary", key=_k("run"), width="stretch"):
        st.session_state[_k("live")] = True
    return int(runs), int(seed), bool(st.session_state.get(_k("live")))


VIEWS = ("index", "tracks", "publics", "travel", "facts", "approval", "why", "matter", "keep")


def show_results(scenario: Scenario, edits: el.Edits, runs: int, seed: int, lang: str, places: str) -> widgets.Results:
    """Run (or fetch from the store) and draw the chosen view with its table.

    Only the chosen view is drawn (and only "why" asks for the effects ledger), so a redraw
    after a changed assumption costs one ensemble and one chart.
    """
    widgets.persistent(_k("view"), "index")
    view = st.segmented_control(
        tr("explore.view", lang),
        VIEWS,
        format_func=lambda v: tr(f"explore.tab_{v}", lang),
        key=_k("view"),
        label_visibility="collapsed",
    )
    widgets.remember(_k("view"))
    view = view or "index"
    result = widgets.ensemble(scenario.to_yaml(), runs, seed, lang, ledger=view == "why")
    st.success(
        tr("explore.done", lang, runs=runs, months=len(scenario.months), seconds=result.seconds)
        if not result.cached
        else tr("explore.cached", lang, runs=runs, months=len(scenario.months))
    )
    summary = result.summary
    if view == "index":
        events = widgets.marker_events(scenario, result, lang, places)
        widgets.show_figure(charts.fan_chart(summary, "relationship_index", events, lang, places), lang, "fan")
    elif view == "tracks":
        widgets.show_figure(charts.tracks_chart(summary, lang, places), lang, "tracks")
    elif view == "publics":
        widgets.show_figure(charts.publics_chart(summary, widgets.polls(lang), lang, places), lang, "publics")
        st.caption(tr("explore.polls_note", lang))
    elif view == "facts":
        widgets.show_figure(charts.institutions_chart(result.shares, lang=lang, places=places), lang, "facts")
    elif view == "approval":
        widgets.show_figure(charts.approval_chart(summary, lang, places), lang, "approval")
    elif view == "travel":
        widgets.show_figure(charts.travel_chart(summary, lang, places), lang, "travel")
    elif view == "why":
        why_section(scenario, result, lang, places)
    elif view == "matter":
        matter_section(scenario, seed, lang, places)
    else:
        keep_section(scenario, edits, result, runs, seed, lang)
    return result


def matter_section(scenario: Scenario, seed: int, lang: str, places: str) -> None:
    """The tornado of which assumptions move the chosen output most (Morris screening, on request)."""
    from model.analysis.sensitivity import OUTPUTS

    st.markdown(tr("explore.matter_intro", lang, places))
    output = st.selectbox(
        tr("explore.matter_output", lang),
        OUTPUTS,
        format_func=lambda v: charts.variable_label(v, lang, places),
        key=_k("matter_output"),
    )
    yaml_text = scenario.to_yaml()
    key = "tornado|" + el.cache_key(yaml_text, 0, seed) + "|" + output
    found = widgets.result_store().get(key)
    if found is None:
        if not st.button(tr("explore.matter_run", lang), key=_k("matter_run")):
            return
        try:
            with st.spinner(tr("explore.matter_running", lang)):
                found = widgets.tornado(yaml_text, output, seed, lang)
        except Exception as err:  # any failure of the analysis is shown, never a traceback
            LOG.exception("sensitivity screening failed")
            st.error(tr("explore.matter_failed", lang, message=plain(str(err))))
            return
        widgets.result_store().put(key, found)
    widgets.show_figure(
        charts.tornado_chart(
            found.assign(name=found["parameter"].map(lambda c: el.coefficient_label(c, lang, places))),
            "mu_star",
            label="name",
            spread="sigma",
            lang=lang,
            places=places,
            detail="label",
        ),
        lang,
        "tornado",
    )
    st.caption(tr("explore.matter_note", lang))


def why_section(scenario: Scenario, result: widgets.Results, lang: str, places: str) -> None:
    """Waterfall and sentences of the causes that moved a variable in a chosen window."""
    months = scenario.months
    initial = st.session_state.get(_k("window"))
    if not initial or initial[0] not in months or initial[1] not in months:
        initial = (months[0], months[-1])
    first, last = st.select_slider(
        tr("explore.window", lang),
        options=months,
        value=tuple(initial),
        format_func=partial(month_text, lang=lang),
        key=f"{_k('window_w')}|{months[0]}|{months[-1]}",
    )
    st.session_state[_k("window")] = (first, last)
    variable = st.selectbox(
        tr("explore.why_variable", lang),
        widgets.CHARTED,
        format_func=lambda v: charts.variable_label(v, lang, places),
        key=_k("why_variable"),
    )
    if result.ledger is None or result.ledger.empty:
        st.info(tr("explore.no_ledger", lang))
        return
    window_rows = el.ledger_window(result.ledger, first, last)
    labels = el.cause_labels(load_catalogue(), lang, places)
    names = {c: el.cause_label_for(c, labels, lang, places) for c in window_rows["cause"].unique()}
    scheduled = [(e.type, e.month) for e in scenario.events if first <= e.month <= last]
    once = {t for t, _ in scheduled if sum(1 for u, _ in scheduled if u == t) == 1}
    dates = {t: m for t, m in scheduled if t in once}  # "the liquidation order of 2027-03"
    sentences = charts.causes_in_words(window_rows, variable, names, lang, places, dates=dates)
    if sentences:
        st.markdown("\n".join(f"- {s}" for s in sentences))
    else:
        st.caption(tr("explore.nothing_moved", lang))
    widgets.show_figure(charts.waterfall_chart(window_rows, variable, names, lang, places), lang, "why")
    st.caption(tr("explore.why_note", lang))
    if result.ledger_runs < len(result.values[0, 0]):
        st.caption(tr("explore.why_first_runs", lang, runs=result.ledger_runs))


def keep_section(
    scenario: Scenario,
    edits: el.Edits,
    result: widgets.Results,
    runs: int,
    seed: int,
    lang: str,
) -> None:
    """Downloads of the results and of the edited scenario, and the link to this page."""
    st.download_button(
        tr("explore.download_csv", lang),
        data=partial(widgets.csv_bytes, result.table),  # built only when clicked
        file_name=f"{scenario.id}-runs{runs}-seed{seed}.csv",
        mime="text/csv",
        key=_k("dl_csv"),
    )
    st.download_button(
        tr("explore.download_parquet", lang),
        data=partial(widgets.parquet_bytes, result.table),
        file_name=f"{scenario.id}-runs{runs}-seed{seed}.parquet",
        mime="application/vnd.apache.parquet",
        key=_k("dl_parquet"),
    )
    st.download_button(
        tr("explore.download_yaml", lang),
        data=scenario.to_yaml().encode("utf-8"),
        file_name=f"{scenario.id}.yaml",
        mime="application/x-yaml",
        help=tr("explore.download_yaml_help", lang, file=f"{scenario.id}.yaml"),
        key=_k("dl_yaml"),
    )
    st.caption(tr("explore.link_note", lang))


def main() -> None:
    """Draw the Explore page."""
    start = widgets.page_start("explore.title", "explore.intro")
    if start is None:
        return
    lang, places, shipped = start
    ids = list(shipped)
    link_problems = load_from_link(ids, ids[0])
    widgets.show_input_errors(link_problems, lang, places)

    base, key, is_shipped = choose_scenario(shipped, lang, places)
    st.subheader(plain(scenario_text(base.title, lang, places)))
    st.markdown(f"**{tr('explore.question', lang)}** {plain(scenario_text(base.question, lang, places))}")
    if base.description:
        st.caption(plain(scenario_text(base.description, lang, places)))

    edits, edit_problems = edit_assumptions(base, key, lang, places)
    widgets.show_input_errors(edit_problems, lang, places)
    edits = edit_timeline(base, key, edits, lang, places)
    if edits:
        st.caption(tr("explore.edit_count", lang, count=edits.count()))
        if st.button(tr("explore.reset", lang), key=_k("reset")):
            widgets.forget_keys(f"|{key}|")
            st.session_state.pop(f"explore_edits|{key}", None)
            st.rerun()
    runs, seed, live = run_controls(lang)

    scenario = widgets.edited_or_error(base, edits, lang, places)
    if scenario is None:
        return
    st.session_state[f"explore_edits|{key}"] = edits  # the Compare page's "edited copy"
    st.session_state["explore_current"] = (
        scenario.title,
        scenario.to_yaml(),
        key if is_shipped else None,
        edits,
    )

    if not live:
        st.info(tr("explore.press_run", lang))
        return
    try:
        show_results(scenario, edits, runs, seed, lang, places)
    except widgets.RunFailed as err:
        st.error(tr("error.generic", lang, message=plain(str(err))))
        return
    # The address bar now reproduces this page; an uploaded file cannot travel in a link.
    if is_shipped:
        window = st.session_state.get(_k("window"))
        state = su.PageState(key, edits, runs, seed, tuple(window) if window else None)
        widgets.set_query_params(su.to_params(state))
    else:
        widgets.set_query_params({})


if __name__ == "__main__":
    main()
