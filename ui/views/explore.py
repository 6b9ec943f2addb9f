"""Explore: pick or upload a scenario, change its assumptions, run it many times, see why.

The page only draws. What an edit is, which input is refused and why, and how the page state
travels in a link live in :mod:`ui.explore_logic` and :mod:`ui.state_url`; the ensemble runs in
the core behind a cache keyed on the scenario's YAML, the runs and the seed, so changing an
assumption back and forth costs one run per distinct setting.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import streamlit as st

from model import limits
from model.catalogue import load_catalogue
from model.i18n import month_text, scenario_text, tr
from model.scenario import Scenario, ScenarioError
from model.state import OUTPUT_VARIABLES
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
    if state.view:
        st.session_state[_k("view")] = state.view
        st.session_state[f"keep::{_k('view')}"] = state.view
    if "scenario" in params:
        st.session_state[_k("live")] = True  # a shared link shows its results at once
    return problems


def choose_scenario(shipped: dict[str, Scenario], lang: str, places: str) -> tuple[Scenario, str, bool, str | None]:
    """The base scenario: a shipped one, or an uploaded file (parsed safely by the core).

    Returns:
        The scenario, a key naming it (for widget state), whether it is shipped (only a
        shipped scenario can travel in a link), and the shipped scenario it builds on
        (``base:`` in its file), if any.
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
            return scenario, f"handed-{digest}", False, widgets.base_of(text)
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
        widgets.uploader_words(lang, el.MAX_UPLOAD_MB, UPLOAD_TYPES)
        upload = st.file_uploader(
            tr("explore.upload", lang, places),
            type=UPLOAD_TYPES,
            max_upload_size=el.MAX_UPLOAD_MB,  # the one statement of the limit: the box shows it
            help=tr("explore.upload_help", lang),
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
                return scenario, f"upload-{digest}", False, widgets.base_of(text)
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
    return shipped[sid], sid, source == "shipped", widgets.shipped_bases().get(sid)


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
        _store_timeline(key, pending)
        if pending.title:
            st.session_state[_title_key(key)] = pending.title
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


def _title_key(key: str) -> str:
    """Session-state key of the title a user gave the edited copy of one scenario."""
    return f"keep::{_k('title')}|{key}|"


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
            format_func=lambda o: f.option_label(o) or tr(f"explore.option_{o}", lang),
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


TIMELINE_PAGE = 20  # timeline entries listed at a time (an uploaded file may schedule thousands)


def _timeline_state(key: str) -> dict[str, str]:
    """Session-state keys of the timeline edits of one scenario (events and decisions)."""
    return {name: f"{_k(name)}|{key}|" for name in ("added", "removed", "dadded", "dremoved")}


def _store_timeline(key: str, edits: el.Edits) -> None:
    keys = _timeline_state(key)
    st.session_state[keys["added"]] = list(edits.added)
    st.session_state[keys["removed"]] = list(edits.removed)
    st.session_state[keys["dadded"]] = list(edits.decisions_added)
    st.session_state[keys["dremoved"]] = list(edits.decisions_removed)


def edit_timeline(base: Scenario, key: str, edits: el.Edits, lang: str, places: str) -> el.Edits:
    """The scenario's scheduled events and decisions: listed, moved, removed, and new ones added.

    The list shows :data:`TIMELINE_PAGE` entries at a time, so a file with thousands of
    events draws as fast as a shipped scenario; each entry can be moved to another month or
    removed, and the form below adds any catalogue event or decision in any month.
    """
    from model.analysis.difference import cause_name

    cat = load_catalogue()
    keys = _timeline_state(key)
    edits = replace(
        edits,
        added=tuple(tuple(x) for x in st.session_state.setdefault(keys["added"], [])),
        removed=tuple(tuple(x) for x in st.session_state.setdefault(keys["removed"], [])),
        decisions_added=tuple(tuple(x) for x in st.session_state.setdefault(keys["dadded"], [])),
        decisions_removed=tuple(tuple(x) for x in st.session_state.setdefault(keys["dremoved"], [])),
    )
    items = el.scheduled_items(base, edits, cat)
    notes = {("event", e.type, e.month): e.note for e in base.events if e.note}
    notes |= {("decision", d.type, d.month): d.note for d in base.decisions if d.note}
    # A key keeps the expander open when its label's count changes (an entry added or removed).
    with st.expander(tr("explore.timeline", lang, count=len(items)), expanded=False, key=f"{_k('timeline')}|{key}|"):
        if not items:
            st.caption(tr("explore.timeline_empty", lang))
        pages = max(1, -(-len(items) // TIMELINE_PAGE))
        page = 0
        if pages > 1:
            page = st.number_input(
                tr("explore.timeline_page", lang, pages=pages, count=len(items)),
                min_value=1, max_value=pages, value=1, step=1, key=f"{_k('tl_page')}|{key}|",
            ) - 1
        first = page * TIMELINE_PAGE
        for i, item in enumerate(items[first : first + TIMELINE_PAGE], start=first):
            c1, c2, c3 = st.columns([5, 2, 1], vertical_alignment="center")
            mark = tr("explore.added_mark", lang) if item.by_user else ""
            what = tr(f"explore.kind_{item.kind}", lang)
            note = None if item.by_user else notes.get((item.kind, item.type, item.month))
            note = f" · *{plain(scenario_text(note, lang, places))}*" if note else ""
            name = tr("list.label_text", lang, label=what, body=cause_name(item.type, item.actor, lang, places, cat))
            c1.markdown(f"**{month_text(item.month, lang)}** · {name} {mark}{note}")
            ident = f"{key}|{i}|{item.kind}|{item.type}|{item.month}"
            to = c2.selectbox(
                tr("explore.move_to", lang), base.months, index=base.months.index(item.month)
                if item.month in base.months else 0, format_func=partial(month_text, lang=lang),
                key=f"{_k('mv')}|{ident}", label_visibility="collapsed", help=tr("explore.move_help", lang),
            )
            if to != item.month:
                _store_timeline(key, edits.with_moved(item.kind, item.type, item.month, to))
                st.rerun()
            if c3.button(tr("explore.remove", lang), key=f"{_k('rm')}|{ident}"):
                _store_timeline(key, edits.with_item_removed(item.kind, item.type, item.month))
                st.rerun()
        kind = st.radio(
            tr("explore.add_kind", lang), ["event", "decision"],
            format_func=lambda k: tr(f"explore.kind_{k}", lang), horizontal=True, key=f"{_k('add_kind')}|{key}|",
        )
        with st.form(key=f"{_k('add_form')}|{key}|{kind}", clear_on_submit=False, border=False):
            c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
            if kind == "event":
                choices = sorted(cat.events, key=lambda e: cat.label("event", e, lang, places))
                type_key = f"{_k('add_type')}|{key}|"

                def name(e: str) -> str:
                    return cat.label("event", e, lang, places)
            else:
                choices = sorted(cat.decisions, key=lambda d: (cat.decisions[d].actor, cat.label("decision", d, lang)))
                type_key = f"{_k('add_decision')}|{key}|"

                def name(d: str) -> str:
                    return cause_name(d, cat.decisions[d].actor, lang, places, cat)
            chosen = c1.selectbox(tr(f"explore.add_{kind}", lang), choices, format_func=name, key=type_key)
            month = c2.selectbox(
                tr("explore.add_month", lang), base.months, format_func=partial(month_text, lang=lang),
                key=f"{_k('add_month')}|{key}|{kind}",
            )
            if c3.form_submit_button(tr("explore.add", lang), key=f"{_k('add')}|{key}|{kind}"):
                _store_timeline(key, edits.with_item_added(kind, chosen, month))
                st.rerun()  # redraw the timeline above with the new entry
        known = cat.events if kind == "event" else cat.decisions
        if chosen in known:
            st.caption(cat.briefing(kind, chosen, lang, places))
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
    widgets.persistent(_k("point"), False)
    st.checkbox(tr("explore.point_estimate", lang), key=_k("point"), help=tr("explore.point_estimate_help", lang))
    widgets.remember(_k("point"))
    if c3.button(tr("explore.run", lang), type="primary", key=_k("run"), width="stretch"):
        st.session_state[_k("live")] = True
    return int(runs), int(seed), bool(st.session_state.get(_k("live")))


@dataclass(frozen=True)
class Reference:
    """What the what-if on screen is read against, and what it changes.

    Attributes:
        scenario: The reference: the scenario the what-if builds on (with the user's changed
            assumptions, which apply to both), or the scenario as written before the edits.
        title: Its title for the reader.
        added: The what-if's own events and decisions (not in the reference).
        removed: The reference's items the what-if leaves out.
        assumptions: How many settings the what-if changes.
    """

    scenario: Scenario
    title: str
    added: tuple
    removed: tuple
    assumptions: int


def find_reference(
    base: Scenario, scenario: Scenario, base_id: str | None, edits: el.Edits, shipped: dict[str, Scenario], lang: str,
    places: str,
) -> Reference | None:
    """The reference of the scenario on screen, or None when there is nothing to compare.

    A scenario that names a shipped ``base`` is read against it (with the user's changed
    assumptions applied to both, so the difference is the what-if's own calendar); an edited
    scenario without one against itself as written.
    """
    from model.analysis.difference import changed_assumptions, own_items

    reference, title = None, ""
    parent = shipped.get(base_id) if base_id else None
    if parent is not None and parent.start <= scenario.start <= scenario.end <= parent.end:
        parent = parent.within(scenario.start, scenario.end)  # a what-if may run part of its base
    if parent is not None and parent.months == scenario.months:
        try:
            reference = el.edited_scenario(parent, el.reference_edits(edits), lang)
        except (el.InputError, ScenarioError):
            reference = None
        title = plain(scenario_text(shipped[base_id].title, lang, places))
        if el.reference_edits(edits):
            title = tr("explore.reference_with_assumptions", lang, title=title, count=len(edits.values))
    elif edits.count():
        written = plain(scenario_text(base.title, lang, places))
        reference, title = base, tr("explore.reference_as_written", lang, title=written)
    if reference is None:
        return None
    added, removed = own_items(reference, scenario)
    assumptions = len(changed_assumptions(reference, scenario))
    return Reference(reference, title, tuple(added), tuple(removed), assumptions)


def show_results(
    scenario: Scenario,
    edits: el.Edits,
    runs: int,
    seed: int,
    lang: str,
    places: str,
    reference: Reference | None = None,
    key: str = "",
    yaml_text: str | None = None,
) -> str:
    """Run (or fetch from the store) and draw the chosen view with its table.

    Only the chosen view is drawn (and only "why" and "difference" ask for the effects
    ledger), so a redraw after a changed assumption costs one ensemble (two with a
    reference) and one chart.

    Returns:
        The view drawn (it goes into the link).
    """
    views = [v for v in el.VIEWS if v != "difference" or reference is not None]
    default = "difference" if reference is not None else "index"
    widgets.persistent(_k("view"), default)
    previous = st.session_state.get(_k("view_default"))
    st.session_state[_k("view_default")] = default
    if st.session_state.get(_k("view")) not in views or (
        previous is not None and previous != default and st.session_state.get(_k("view")) == previous
    ):
        # Unavailable, or the reader never left the old default: a what-if appearing (an edit,
        # another scenario) opens on what it changed.
        st.session_state[_k("view")] = default
    view = st.segmented_control(
        tr("explore.view", lang),
        views,
        format_func=lambda v: tr(f"explore.tab_{v}", lang),
        key=_k("view"),
        label_visibility="collapsed",
    )
    widgets.remember(_k("view"))
    view = view or default
    ledger = view in ("why", "difference")
    yaml_text = yaml_text or scenario.to_yaml()
    uncertainty = "point" if st.session_state.get(_k("point")) else "posterior"
    result = widgets.ensemble(yaml_text, runs, seed, lang, ledger=ledger, scenario=scenario, uncertainty=uncertainty)
    st.success(
        tr("explore.done", lang, runs=runs, months=len(scenario.months), seconds=result.seconds)
        if not result.cached
        else tr("explore.cached", lang, runs=runs, months=len(scenario.months))
    )
    summary = result.summary
    if view in ("index", "tracks", "publics", "facts", "approval", "travel"):
        st.caption(widgets.bands_caption(uncertainty, lang))
    if scenario.id.startswith("history") and view in ("index", "publics", "travel"):
        st.info(tr("explore.history_trust", lang))
    first = [(i.kind, i.type, i.month) for i in reference.added] if reference else []
    ref = reference if view == "difference" else None
    red_line_section(scenario, result, ref, runs, seed, lang, places, uncertainty)
    if view == "difference" and reference is not None:
        difference_section(scenario, reference, result, runs, seed, lang, places, uncertainty)
    elif view == "index":
        events = widgets.marker_events(scenario, result, lang, places, first)
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
        matter_section(scenario, seed, lang, places, yaml_text)
    else:
        keep_section(scenario, edits, result, runs, seed, lang, key, yaml_text)
    return view


def reference_results(reference: Reference, runs: int, seed: int, lang: str, uncertainty: str) -> widgets.Results:
    """The reference's ensemble, drawn as the what-if's is (same seeds, same choice of coefficients).

    A paired difference is only the what-if's own effect when both arms draw the same
    coefficients: a point-estimate what-if against a posterior reference would differ from the
    first month on.
    """
    return widgets.ensemble(
        reference.scenario.to_yaml(), runs, seed, lang,
        ledger=True, scenario=reference.scenario, uncertainty=uncertainty,
    )


def red_line_section(
    scenario: Scenario, result: widgets.Results, reference: Reference | None, runs: int, seed: int, lang: str,
    places: str, uncertainty: str = "posterior",
) -> None:
    """How often the other capital answers a red line the what-if crosses, from the runs on screen.

    Nothing is drawn when the calendar crosses no red line. With a reference (the "difference"
    view, which runs it anyway) each share is set beside the reference's from the same draws.
    """
    ref_values = None
    if reference is not None:
        ref_values = reference_results(reference, runs, seed, lang, uncertainty).values
    block = el.red_line_block(scenario, result.values, ref_values, lang, places, scenario.parameters)
    if block is None:
        return
    with st.container(border=True, key=_k("red_line")):
        st.markdown(block.title)
        if block.crossed:
            st.caption(block.crossed)
        if block.answers:
            st.markdown("\n".join(f"- {a}" for a in block.answers))
        st.caption(block.basis + "\n\n" + "\n".join(f"- {c}" for c in block.coefficients))


def difference_section(
    scenario: Scenario, reference: Reference, result: widgets.Results, runs: int, seed: int, lang: str, places: str,
    uncertainty: str = "posterior",
) -> None:
    """What the what-if changed: one sentence, the run-by-run difference, and why the gap opened."""
    from model.analysis import difference as dif

    st.markdown(tr("explore.difference_intro", lang, places, title=reference.title, runs=runs, seed=seed))
    ref = reference_results(reference, runs, seed, lang, uncertainty)
    months = list(scenario.months)
    c1, c2 = st.columns([3, 2])
    variable = c1.selectbox(
        tr("explore.difference_variable", lang),
        widgets.CHARTED,
        format_func=lambda v: charts.variable_label(v, lang, places),
        key=_k("diff_variable"),
    )
    at = st.session_state.get(_k("diff_month"))
    month = c2.selectbox(
        tr("explore.difference_month", lang), months, index=months.index(at) if at in months else len(months) - 1,
        format_func=lambda m: month_text(m, lang), key=f"{_k('diff_month_w')}|{months[0]}|{months[-1]}",
    )
    st.session_state[_k("diff_month")] = month
    index = OUTPUT_VARIABLES.index(variable)
    diff = result.values[:, index, :].astype(float) - ref.values[:, index, :].astype(float)
    who = dif.subject(reference.added, reference.removed, reference.assumptions, lang, places)
    sentence = dif.summary_sentence(dif.summarise(diff, months, variable, month), who, lang, places)
    st.markdown(f"**{sentence}**")
    quantiles = dif.difference_quantiles(ref.values, result.values, months, [variable])
    first = [(i.kind, i.type, i.month) for i in reference.added]
    markers = widgets.marker_events(scenario, None, lang, places, first)
    markers = markers[markers["first"]] if markers["first"].any() else markers.iloc[0:0]
    widgets.show_figure(charts.whatif_difference_chart(quantiles, variable, markers, lang, places), lang, "diff")
    st.caption(tr("explore.difference_fan_note", lang))
    if result.ledger is None or ref.ledger is None:
        st.info(tr("explore.no_ledger", lang))
        return
    k = min(result.ledger_runs, ref.ledger_runs)
    gap = float(np.mean(diff[months.index(month), :k]))
    w = dif.difference_waterfall(
        ref.ledger, result.ledger, variable, month, gap, reference.added, reference.removed
    )
    labels = dif.label_waterfall(w, lang, places)
    widgets.show_figure(charts.whatif_waterfall_chart(w, labels, variable, month, lang, places), lang, "diff_why")
    st.caption(tr("explore.difference_why_note", lang))
    if k < runs:
        st.caption(tr("explore.why_first_runs", lang, runs=k))


def matter_section(scenario: Scenario, seed: int, lang: str, places: str, yaml_text: str | None = None) -> None:
    """The tornado: which assumptions, swung across their plausible range, move the output most."""
    from model.analysis.sensitivity import OUTPUTS, SWING_REPLICATES

    planned = widgets.screen_plan(len(scenario.months)) or SWING_REPLICATES
    st.markdown(tr("explore.matter_intro", lang, places, runs=planned))
    output = st.selectbox(
        tr("explore.matter_output", lang),
        OUTPUTS,
        format_func=lambda v: charts.variable_label(v, lang, places),
        key=_k("matter_output"),
    )
    yaml_text = yaml_text or scenario.to_yaml()
    key = "tornado|" + el.cache_key(yaml_text, 0, seed) + "|" + output + "|" + lang
    found = widgets.result_store().get(key)
    if found is None:
        if not st.button(tr("explore.matter_run", lang), key=_k("matter_run")):
            return
        try:
            found = widgets.tornado(yaml_text, output, seed, lang)
        except Exception as err:  # any failure of the analysis is shown, never a traceback
            LOG.exception("sensitivity analysis failed")
            st.error(tr("explore.matter_failed", lang, message=plain(str(err))))
            return
        widgets.result_store().put(key, found)
    widgets.show_figure(charts.tornado_chart(found, output, scenario.end, lang, places), lang, "tornado")
    used = int(found.attrs.get("replicates", SWING_REPLICATES))
    st.caption(
        tr("explore.matter_note", lang, places, runs=used, seed=seed, month=month_text(scenario.end, lang))
    )
    if used < SWING_REPLICATES:  # a long scenario: fewer runs per setting to fit the server's budget
        st.caption(tr("explore.matter_fewer", lang, places, runs=used, usual=SWING_REPLICATES,
                      months=len(scenario.months), wider=f"{(SWING_REPLICATES / used) ** 0.5:.2f}",
                      floor=limits.MIN_SCREEN_REPLICATES))


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
    key: str = "",
    yaml_text: str | None = None,
) -> None:
    """Downloads of the results and of the edited scenario (with its own title), and the link."""
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
    if edits:
        title_widget = f"{_k('title_w')}|{key}|"
        if title_widget not in st.session_state:
            st.session_state[title_widget] = edits.title or scenario.title
        title = st.text_input(
            tr("explore.title_field", lang), max_chars=el.MAX_TITLE, key=title_widget,
            help=tr("explore.title_help", lang),
        )
        if (title.strip() or None) != edits.title and title.strip() != scenario.title:
            st.session_state[_title_key(key)] = title.strip()
            st.rerun()
    st.download_button(
        tr("explore.download_yaml", lang),
        data=(yaml_text or scenario.to_yaml()).encode("utf-8"),
        file_name=f"{scenario.id}.yaml",
        mime="application/x-yaml",
        help=tr("explore.download_yaml_help", lang, file=f"{scenario.id}.yaml"),
        key=_k("dl_yaml"),
    )
    st.caption(tr("explore.link_note", lang))


UPLOAD_TYPES = ["yaml", "yml"]


def glossary_panel(lang: str, places: str) -> None:
    """The words this page uses, explained in plain language (a side panel, as the glossary says them)."""
    from model.i18n import explain, term

    with st.sidebar.expander(tr("explore.glossary", lang), expanded=False):
        for name in GLOSSARY_TERMS:
            text = explain(name, lang, places)
            if text:
                st.markdown(tr("list.label_text", lang, label=f"**{term(name, lang, places)}**", body=text))


GLOSSARY_TERMS = (
    "relationship_index",
    "track",
    "median",
    "band",
    "runs",
    "seed",
    "what_if",
    "paired_difference",
    "waterfall",
    "plausible_range",
    "tornado",
    "quasi_alliance",
    "balance_of_threat",
    "two_level_games",
    "apology_backlash",
    "weaponised_interdependence",
    "gsomia",
    "white_list",
    "export_controls",
)  # the terms the side panel explains, in this order (a bare string here would be drawn: page magic)


def main() -> None:
    """Draw the Explore page."""
    start = widgets.page_start("explore.title", "explore.intro")
    if start is None:
        return
    lang, places, shipped = start
    glossary_panel(lang, places)
    ids = list(shipped)
    link_problems = load_from_link(ids, ids[0])
    widgets.show_input_errors(link_problems, lang, places)

    base, key, is_shipped, base_id = choose_scenario(shipped, lang, places)
    st.subheader(plain(scenario_text(base.title, lang, places)))
    st.markdown(f"**{tr('explore.question', lang)}** {plain(scenario_text(base.question, lang, places))}")
    if base.description:
        st.caption(plain(scenario_text(base.description, lang, places)))

    edits, edit_problems = edit_assumptions(base, key, lang, places)
    widgets.show_input_errors(edit_problems, lang, places)
    edits = edit_timeline(base, key, edits, lang, places)
    edits = edits.with_title(st.session_state.get(_title_key(key)))
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
    yaml_text = scenario.to_yaml()  # once per page view: a large upload takes a while to write
    st.session_state["explore_current"] = (
        scenario.title,
        yaml_text,
        key if is_shipped else None,
        edits,
    )
    reference = find_reference(base, scenario, base_id, edits, shipped, lang, places)
    if reference is not None:
        st.caption(tr("explore.reference_note", lang, title=reference.title))

    if not live:
        st.info(tr("explore.press_run", lang))
        return
    try:
        view = show_results(scenario, edits, runs, seed, lang, places, reference, key, yaml_text)
    except widgets.RunFailed as err:
        st.error(tr("error.generic", lang, message=plain(str(err))))
        return
    # The address bar now reproduces this page; an uploaded file cannot travel in a link.
    if is_shipped:
        window = st.session_state.get(_k("window"))
        state = su.PageState(key, edits, runs, seed, tuple(window) if window else None, view=view)
        widgets.set_query_params(su.to_params(state))
    else:
        widgets.set_query_params({})


if __name__ == "__main__":
    main()
