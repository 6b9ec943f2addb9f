"""Streamlit helpers the explorer's pages share: reader settings, errors, figures.

Why here: each page must read the same language and place-name setting, show every chart with
its table, and turn bad input into a message that says what to fix (never a traceback). One
place for each keeps the pages short and the behaviour the same everywhere.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from model.catalogue import load_catalogue
from model.cost import Busy, HeavyGate, TooCostly, screen_replicates, screen_runs
from model.i18n import DEFAULT_LANGUAGE, DEFAULT_PLACES, LANGUAGES, PLACE_SETTINGS, language_from_locale, tr
from model.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from model.scenario import shipped_scenarios as _shipped_paths
from ui import charts
from ui.charts import Figure
from ui.explore_logic import (
    Edits,
    InputError,
    ResultStore,
    cache_key,
    check_run_months,
    check_runs,
    edited_scenario,
    ledger_runs,
    poll_frame,
)
from ui.plain_text import plain, plain_values

LOG = logging.getLogger(__name__)
# A scenario handed to the Explore page by another page (a game forked at a turn): (file
# name, YAML text). Session state, so it travels with the reader's tab and nowhere else.
HANDOVER_KEY = "explore_handover"
LANG_KEY = "settings_lang"
PLACES_KEY = "settings_places"


LANG_PARAM = "lang"  # ?lang=ko|ja|en in a link: join links, QR codes, projector, debrief
_DRAWN_KEY = "settings_drawn_by_app"  # the app's entry script draws the selectors for every page
_LINK_SEEN = "settings_lang_link_seen"


def _first_language() -> str:
    """The language a reader starts in: the link's ``?lang=``, else the browser's language.

    A link's language applies once per distinct value, so a reader who then picks another
    language in the sidebar keeps it while the link stays in the address bar.
    """
    linked = st.query_params.get(LANG_PARAM)
    found = language_from_locale(linked) if linked else None
    if found and st.session_state.get(_LINK_SEEN) != linked:
        st.session_state[_LINK_SEEN] = linked
        return found
    chosen = st.session_state.get(f"{LANG_KEY}_widget")  # the sidebar, as the reader left it
    if chosen in LANGUAGES:
        return chosen
    if LANG_KEY in st.session_state:
        return st.session_state[LANG_KEY]
    try:
        browser = st.context.locale
    except Exception:  # no browser behind this run (a test)
        browser = None
    return language_from_locale(browser) or DEFAULT_LANGUAGE


def settings(draw: bool | None = None) -> tuple[str, str]:
    """The reader's language and naming setting, chosen in the sidebar.

    The choice lives in ``st.session_state``, so every page reads the same one and switching
    language keeps the reader's scenario, edits and runs (widgets have keys, so a translated
    label is the same widget). The app's entry script (``ui/app.py``) draws the selectors
    before the navigation, so page titles follow the language at once; a page run on its own
    (a test) draws them itself.

    Args:
        draw: Draw the selectors (default: unless the entry script already does).

    Returns:
        ``(lang, places)``.
    """
    lang = _first_language()
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    places = st.session_state.get(f"{PLACES_KEY}_widget", st.session_state.get(PLACES_KEY, DEFAULT_PLACES))
    if places not in PLACE_SETTINGS:
        places = DEFAULT_PLACES
    if draw is None:
        draw = not st.session_state.get(_DRAWN_KEY)
    if draw:
        lang_widget, places_widget = f"{LANG_KEY}_widget", f"{PLACES_KEY}_widget"
        if st.session_state.get(lang_widget) != lang:
            st.session_state[lang_widget] = lang
        if st.session_state.get(places_widget) != places:
            st.session_state[places_widget] = places
        with st.sidebar:
            lang = st.selectbox(
                tr("settings.language", lang),
                list(LANGUAGES),
                format_func=LANGUAGES.__getitem__,
                key=lang_widget,
            )
            places = st.selectbox(
                tr("settings.places", lang),
                list(PLACE_SETTINGS),
                format_func=lambda p: tr(f"settings.places_{p}", lang),
                help=tr("settings.places_help", lang),
                key=places_widget,
            )
    st.session_state[LANG_KEY] = lang
    st.session_state[PLACES_KEY] = places
    if st.query_params.get(LANG_PARAM) not in (None, lang):
        # the address bar keeps reproducing what the reader sees
        st.query_params[LANG_PARAM] = lang
        st.session_state[_LINK_SEEN] = lang
    return lang, places


def _css_text(text: str) -> str:
    """A text as a CSS string literal (for ``content:``)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def replace_words(rules: dict[str, str], lang: str, in_place: bool = False) -> None:
    """Show our words in place of Streamlit's own English inside its widgets (selector -> text).

    Why CSS: Streamlit draws some words itself ("Press Enter to apply", the file uploader's
    button and limit) and offers no argument for them. The English is hidden (invisible, so
    also out of the page's text) and ours is drawn in its place; should Streamlit rename its
    elements, its English shows again, nothing breaks. English readers keep Streamlit's words.
    """
    if lang == DEFAULT_LANGUAGE or not rules:
        return
    # in_place: ours takes the English's place in the flow, and its box grows to fit (the
    # uploader's 14 px texts); else it sits at the right edge of the input that holds the hint
    box, after = ("font-size: 0;", "font-size: 0.875rem;") if in_place else ("", "position: absolute; right: 0;")
    css = []
    for selector, text in rules.items():
        css.append(f"{selector} {{ visibility: hidden; {box} }}")
        css.append(
            f"{selector}::after {{ content: {_css_text(text)}; visibility: visible; {after} white-space: nowrap; }}"
        )
    st.html("<style>" + "\n".join(css) + "</style>")


HINT = '[data-testid="InputInstructions"]'
FORM = '[data-testid="stForm"]'
TEXT_AREA = '[data-testid="stTextArea"]'


def streamlit_words(lang: str) -> None:
    """Streamlit's hints under the app's inputs in the reader's language (every page)."""
    replace_words({
        HINT: tr("widget.enter_apply", lang),
        f"{FORM} {HINT}": tr("widget.enter_submit", lang),
        f"{TEXT_AREA} {HINT}": tr("widget.ctrl_enter_apply", lang),
        f"{FORM} {TEXT_AREA} {HINT}": tr("widget.ctrl_enter_submit", lang),
    }, lang)


def uploader_words(lang: str, size_mb: int, types: list[str]) -> None:
    """The file uploader's button and limit in the reader's language (the page that has one)."""
    zone = '[data-testid="stFileUploaderDropzone"]'
    replace_words({
        f'{zone} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p':
            tr("widget.upload", lang),
        f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] span':
            tr("widget.upload_limit", lang, size=size_mb, types=", ".join(t.upper() for t in types)),
    }, lang, in_place=True)


def app_settings() -> tuple[str, str]:
    """Draw the selectors once for the whole app (called by ``ui/app.py`` before the pages)."""
    found = settings(draw=True)
    st.session_state[_DRAWN_KEY] = True
    return found


def set_query_params(params: dict[str, str]) -> None:
    """Replace the page's link parameters, keeping the reader's ``?lang=`` if the link had one."""
    lang = st.query_params.get(LANG_PARAM)
    st.query_params.from_dict(params | ({LANG_PARAM: lang} if lang else {}))


def input_error_text(err: InputError, lang: str, places: str = DEFAULT_PLACES) -> str:
    """The message for an :class:`InputError`, in the reader's language."""
    return tr(err.key, lang, places, **plain_values(err.values))


def scenario_problem_lines(err: Exception, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """One readable line per problem of a scenario error (file, line, field, message).

    The core's ``ScenarioError`` carries its problems (a refusal by one of the parser's bounds
    in the reader's language); anything else is shown by its message.
    """
    problems: Iterable[Any] = getattr(err, "problems", None) or []
    lines = []
    for p in problems:
        if isinstance(p, str):
            lines.append(p)
            continue
        parts = {name: getattr(p, name, None) for name in ("file", "line", "field")}
        where = (
            tr("error.where", lang, **parts)
            if all(v not in (None, "") for v in parts.values())
            else ", ".join(str(v) for v in parts.values() if v not in (None, ""))
        )
        text = getattr(p, "text", None)
        message = (text(lang) if callable(text) else None) or getattr(p, "message", None) or str(p)
        lines.append(tr("list.label_text", lang, label=where, body=message) if where else str(message))
    return lines or [str(err)]


def show_scenario_error(err: Exception, lang: str) -> None:
    """Show a scenario's problems in the page, one per line, with what to fix."""
    lines = scenario_problem_lines(err, lang)
    st.error(tr("error.scenario", lang) + "\n\n" + "\n".join(f"- {plain(line)}" for line in lines))


def page_start(title_key: str, intro_key: str) -> tuple[str, str, dict[str, Scenario]] | None:
    """An explorer page's settings, title and introduction, and the shipped scenarios.

    Returns:
        ``(lang, places, shipped)``, or None after saying so when no scenario loads.
    """
    lang, places = settings()
    st.title(tr(title_key, lang))
    st.markdown(tr(intro_key, lang, places))
    found = shipped()
    if not found:
        st.error(tr("explore.no_scenarios", lang))
        return None
    return lang, places, found


def edited_or_error(base: Scenario, edits: Edits, lang: str, places: str) -> Scenario | None:
    """The base scenario with the edits applied, or None after showing what is wrong with them."""
    try:
        return edited_scenario(base, edits, lang)
    except InputError as err:
        st.error(input_error_text(err, lang, places))
    except ScenarioError as err:
        show_scenario_error(err, lang)
    return None


def show_input_errors(errors: Iterable[InputError], lang: str, places: str) -> None:
    """Show each refused input as a warning (the rest of the page still works)."""
    for err in errors:
        st.warning(input_error_text(err, lang, places))


def show_figure(fig: Figure, lang: str, key: str, stretch: bool = True) -> None:
    """Draw a chart, one line saying what it shows (for screen readers), and its numbers folded under it.

    A chart of small panels keeps its own size (``stretch=False``): stretched, each panel
    would take the page's width.
    """
    st.altair_chart(fig.chart, width="stretch" if stretch else "content")
    if fig.alt:
        st.caption(fig.alt)
    with st.expander(tr("charts.show_table", lang)):
        st.dataframe(fig.data, hide_index=True, key=f"table_{key}")


class RunFailed(RuntimeError):
    """An ensemble could not be run (the message says why)."""


@dataclass(frozen=True)
class Results:
    """One ensemble as the pages use it.

    Attributes:
        values: The core's array (months, variables, runs); the long table is built from it
            only when needed (a download, a comparison), as it is ten times larger.
        months: Calendar labels of the first axis.
        summary: Quantiles per month and charted variable (see ``charts.summarise``).
        shares: Share of runs in which each institutional fact is on, per month.
        occurred: ``(month, event id)`` of the events that happened in every run.
        seconds: Wall time of the run itself (when it was computed, not fetched).
        cached: Whether this page view fetched it from the store.
        ledger: Mean change per month, cause, actor and variable (only when asked for).
        ledger_runs: How many runs (the first ones) the ledger averages over.
    """

    values: np.ndarray
    months: tuple[str, ...]
    summary: pd.DataFrame
    shares: pd.DataFrame
    occurred: tuple[tuple[str, str], ...]
    seconds: float
    cached: bool
    ledger: pd.DataFrame | None = None
    ledger_runs: int = 0

    @property
    def table(self) -> pd.DataFrame:
        """The tidy table (run, month, variable, value), as ``rapprochement run`` writes it."""
        from model.ensemble import tidy

        return tidy(self.values, list(self.months))

    def variable_table(self, variable: str) -> pd.DataFrame:
        """The tidy rows of one variable (what a comparison of two ensembles needs)."""
        from model.state import OUTPUT_VARIABLES

        series = self.values[:, OUTPUT_VARIABLES.index(variable), :].astype(np.float64)  # (months, runs)
        n_t, n_r = series.shape
        return pd.DataFrame(
            {
                "run": np.tile(np.arange(n_r), n_t),
                "month": np.repeat(np.asarray(self.months, dtype=object), n_r),
                "variable": variable,
                "value": series.reshape(-1),
            }
        )


# The variables the explorer's pages chart, compare and explain.
CHARTED = (
    "relationship_index",
    *charts.TRACKS,
    *charts.PUBLICS,
    *charts.APPROVALS,
    *charts.TRAVEL_VARIABLES,
    "us_commitment",  # what Washington's decisions move first (tariffs, a step back)
)


def chunk_size(runs: int) -> int:
    """Runs per model object: one for an interactive size, about ten for big jobs.

    Why: the core reports progress per chunk; a single chunk is the fastest, but a long run
    should move its progress bar.
    """
    return runs if runs <= 500 else max(100, -(-runs // 10))


@st.cache_resource(show_spinner=False)
def result_store() -> ResultStore:
    """The server's store of ensembles (shared by sessions; entries are never modified)."""
    return ResultStore(max_entries=24)


def _run(
    scenario_yaml: str,
    runs: int,
    seed: int,
    progress: Any,
    ledger: bool = False,
    scenario: Scenario | None = None,
    uncertainty: str = "posterior",
) -> Results:
    """Run an ensemble (with its ledger if asked) and reduce it to what the pages draw."""
    from model.ensemble import run_ensemble
    from model.state import OUTPUT_VARIABLES

    scenario = scenario or parse_cached(scenario_yaml, "<page>")
    start = time.perf_counter()
    result = run_ensemble(
        scenario, runs=runs, seed=seed, ledger=ledger, chunk_size=chunk_size(runs), progress=progress,
        uncertainty=uncertainty,
    )
    variables = list(OUTPUT_VARIABLES)
    summary, _ = charts.summarise(result.values, result.months, variables, CHARTED)
    _, shares = charts.summarise(result.values, result.months, variables, charts.INSTITUTIONS)
    counts: dict[tuple[str, str], int] = {}
    for o in result.occurrences:
        if o.kind == "event":
            key = (result.months[o.t], o.id)
            counts[key] = counts.get(key, 0) + o.runs
    return Results(
        values=result.values,
        months=tuple(result.months),
        summary=summary,
        shares=shares,
        occurred=tuple(sorted(k for k, n in counts.items() if n >= runs)),
        seconds=time.perf_counter() - start,
        cached=False,
        ledger=result.ledger_frame() if ledger else None,
        ledger_runs=runs if ledger else 0,
    )


def screen_design() -> tuple[int, int]:
    """Settings and runs per setting of the explorer's tornado, for its price.

    The tornado runs the scenario as written and with each assumption at each end of its range
    (``1 + 2k`` settings), each ``replicates`` times (its own default).
    """
    import inspect

    from model.analysis.sensitivity import select_parameters
    from model.analysis.sensitivity import tornado as swings

    replicates = inspect.signature(swings).parameters["replicates"].default
    return 1 + 2 * len(select_parameters(screen=True)), int(replicates)


def screen_plan(months: int) -> int | None:
    """Runs per setting the explorer's tornado makes for a ``months``-long scenario (None: refused)."""
    settings, most = screen_design()
    try:
        return screen_replicates(settings, months, most)
    except TooCostly:
        return None


@st.cache_resource(show_spinner=False)
def heavy_gate() -> HeavyGate:
    """The server's queue for heavy work (shared by sessions and by the server's processes)."""
    return HeavyGate()


def tornado(scenario_yaml: str, output: str, seed: int, lang: str) -> pd.DataFrame:
    """The tornado of one output (one-at-a-time swings of every coefficient), with a progress bar.

    Priced before it starts (every setting, each of its runs, every month; a long scenario runs
    fewer runs per setting, down to a floor: :func:`model.cost.screen_replicates`), its
    refinement bounded by what is left of the budget, and run in the server's queue for heavy work, like
    an ensemble.

    Raises:
        RunFailed: too costly for this server, or no slot came free.
    """
    from model.analysis.sensitivity import tornado as swings

    scenario = parse_cached(scenario_yaml, "<page>")
    settings, most = screen_design()
    try:
        replicates = screen_replicates(settings, len(scenario.months), most)
    except TooCostly as err:
        raise RunFailed(tr(err.key, lang, **err.values)) from err
    bar = st.progress(0.0, text=tr("explore.matter_running", lang))

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=tr("explore.matter_running", lang))

    def waiting(seconds: float) -> None:
        bar.progress(0.0, text=tr("cost.waiting", lang, seconds=int(seconds)))

    try:
        with heavy_gate().slot(waiting=waiting):
            return swings(
                scenario, output, seed=seed, lang=lang, progress=progress, replicates=replicates,
                max_runs=screen_runs(len(scenario.months)),
            )
    except Busy as err:
        raise RunFailed(tr("cost.busy", lang)) from err
    finally:
        bar.empty()


def ensemble(
    scenario_yaml: str,
    runs: int,
    seed: int,
    lang: str,
    ledger: bool = False,
    scenario: Scenario | None = None,
    uncertainty: str = "posterior",
) -> Results:
    """An ensemble of the scenario, from the store or run now with a progress bar.

    The store is keyed on the scenario's YAML text, the runs and the seed: the same three
    always give the same numbers, so a stored result is exact, not an approximation. The
    effects ledger (for "why") is kept apart and only made when asked for; for big ensembles
    it covers the first runs only (run ``i`` is the same whatever the ensemble size), which
    bounds its memory. ``uncertainty`` is "posterior" (each run draws the calibrated
    coefficients; the default) or "point" (the point estimate in every run).

    ``scenario``, when the caller has it, is the parsed ``scenario_yaml``: it spares parsing
    the text again (a second or more for an upload of thousands of events).

    Raises:
        RunFailed: if the runs are out of bounds or the scenario text does not parse.
    """
    try:
        scenario = scenario or parse_cached(scenario_yaml, "<page>")
        runs = check_runs(runs)
        check_run_months(runs, len(scenario.months))
    except InputError as err:
        raise RunFailed(tr(err.key, lang, **err.values)) from err
    except ScenarioError as err:
        raise RunFailed("; ".join(scenario_problem_lines(err, lang))) from err
    store = result_store()
    point = "|point" if uncertainty == "point" else ""
    key = cache_key(scenario_yaml, runs, seed) + point
    k = ledger_runs(runs, len(scenario.months))
    ledger_key = cache_key(scenario_yaml, k, seed) + point + "|ledger"
    found = store.get(key)
    if found is None:
        with_ledger = ledger and k == runs  # one run serves both
        found = _with_progress(
            lang,
            runs,
            lambda p: _run(scenario_yaml, runs, seed, p, with_ledger, scenario, uncertainty),
            ready=lambda: store.get(key),
        )
        if not found.cached:
            if with_ledger:
                store.put(ledger_key, found.ledger)
                found = replace(found, ledger=None, ledger_runs=0)
            store.put(key, found)
    else:
        found = replace(found, cached=True)
    if not ledger:
        return found
    frame = store.get(ledger_key)
    if frame is None:
        done = _with_progress(
            lang,
            k,
            lambda p: _run(scenario_yaml, k, seed, p, True, scenario, uncertainty),
            ready=lambda: store.get(ledger_key),
        )
        frame = done if isinstance(done, pd.DataFrame) else done.ledger  # another session's frame, or ours
        store.put(ledger_key, frame)
    return replace(found, ledger=frame, ledger_runs=k)


def _with_progress(lang: str, runs: int, work: Any, ready: Any = None) -> Any:
    """Wait for a heavy-work slot, then call ``work(progress)`` under a progress bar.

    At most ``HEAVY_SLOTS`` ensembles compute at once on the server (:class:`model.cost.HeavyGate`);
    the bar says how long this one has waited. ``ready()``, asked once the slot is ours, may
    return what another session computed meanwhile (the same scenario, runs and seed), which
    is then returned marked as cached instead of being computed again. A failure inside the
    model is logged with its traceback for the developers and reaches the reader as
    :class:`RunFailed`, a message in the page.
    """
    bar = st.progress(0.0, text=tr("explore.running", lang, runs=runs))

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=tr("explore.running", lang, runs=total))

    def waiting(seconds: float) -> None:
        bar.progress(0.0, text=tr("cost.waiting", lang, seconds=int(seconds)))

    try:
        with heavy_gate().slot(waiting=waiting):
            done = ready() if ready is not None else None
            if done is not None:
                return replace(done, cached=True) if isinstance(done, Results) else done
            bar.progress(0.0, text=tr("explore.running", lang, runs=runs))
            return work(progress)
    except Busy as err:
        raise RunFailed(tr("cost.busy", lang)) from err
    except RunFailed:
        raise
    except ScenarioError as err:
        raise RunFailed("; ".join(scenario_problem_lines(err, lang))) from err
    except Exception as err:
        LOG.exception("ensemble failed")
        raise RunFailed(str(err) or type(err).__name__) from err
    finally:
        bar.empty()


@st.cache_data(show_spinner=False)
def shipped_bases() -> dict[str, str]:
    """For each shipped scenario that builds on another (``base:`` in its file), that one's id."""
    out = {}
    for sid, path in _shipped_paths().items():
        found = base_of(path.read_text(encoding="utf-8"))
        if found:
            out[sid] = found
    return out


_BASE = re.compile(r"""^base:[ \t]*["']?([A-Za-z0-9._-]+)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)


def base_of(text: str) -> str | None:
    """The ``base:`` a scenario's YAML text names at its top level, if any.

    The parsed scenario no longer says (the core merges the base in); a top-level key is a
    line of its own, so a regular expression reads it without parsing a large upload again.
    """
    found = _BASE.search(text)
    return found.group(1) if found else None


@st.cache_data(show_spinner=False)
def _shipped() -> dict[str, str]:
    """The shipped scenarios' YAML text by id (files are read once per server)."""
    out = {}
    for sid, path in _shipped_paths().items():
        try:
            out[sid] = load_scenario(path).to_yaml()
        except ScenarioError:
            continue  # a broken shipped file is the core's test failure, not the reader's
    return out


def shipped() -> dict[str, Scenario]:
    """Shipped scenarios that load, by id, in file-name order."""
    return {sid: parse_cached(text, sid) for sid, text in _shipped().items()}


@st.cache_data(max_entries=64, show_spinner=False)
def parse_cached(text: str, filename: str) -> Scenario:
    """Parse scenario text once per distinct text (parsing checks the whole catalogue)."""
    return parse_scenario(text, filename=filename)


@st.cache_data(show_spinner=False)
def polls(lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Published poll targets on the simulated variables' scale (see ``poll_frame``)."""
    return poll_frame(lang)


def marker_events(
    scenario: Scenario,
    results: Results | None,
    lang: str,
    places: str,
    first: Iterable[tuple[str, str, str]] = (),
) -> pd.DataFrame:
    """Everything worth a line on the time axis: the scenario's events and decisions, and elections.

    Each scheduled event and scripted decision gets a labelled line, named with its actor
    ("Tariffs on both allies (Washington)"); elections (scheduled, or happening in every run)
    a lighter line with a short label at the bottom. Recurring irritants (the February
    anniversary, the March textbook screening...) also happen in every run, but marking them
    would hide the chart; they show in the Why section instead.

    Args:
        scenario: The scenario drawn.
        results: Its ensemble (for elections that happen in every run), or None.
        lang: Language.
        places: Place-name setting.
        first: ``(kind, type, month)`` of items labelled before the others (a what-if's own).

    Returns:
        ``month``, ``label``, ``kind`` (``event``, ``decision``, ``election``), ``labelled``,
        ``first`` (see ``charts.thin_markers``).
    """
    from model.analysis.difference import cause_name

    cat = load_catalogue()
    mine = set(first)
    rows = []
    for e in scenario.events:
        entry = cat.events[e.type]
        kind = "election" if entry.category == "election" else "event"
        label = cat.label("event", e.type, lang, places) if kind == "election" else cause_name(
            e.type, entry.actor, lang, places, cat
        )
        rows.append((e.month, label, kind, ("event", e.type, e.month) in mine))
    for d in scenario.decisions:
        rows.append((d.month, cause_name(d.type, d.actor, lang, places, cat), "decision",
                     ("decision", d.type, d.month) in mine))
    for month, eid in results.occurred if results is not None else ():
        if eid in cat.events and cat.events[eid].category == "election":
            rows.append((month, cat.label("event", eid, lang, places), "election", False))
    frame = pd.DataFrame(rows, columns=["month", "label", "kind", "first"])
    frame["labelled"] = True
    from model.analysis.polls import HOLDOUT_START

    if scenario.id.startswith("history") and scenario.start < HOLDOUT_START <= scenario.end:
        # the replay is fitted up to 2019; from here on it is a forecast from the events alone
        extra = pd.DataFrame([{"month": HOLDOUT_START, "label": tr("explore.forecast_from", lang), "kind": "event",
                               "first": False, "labelled": True}])
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame.drop_duplicates(subset=["month", "label"]).reset_index(drop=True)


def bands_caption(uncertainty: str, lang: str) -> str:
    """What a fan's band shows: parameter uncertainty and random events, or random events only."""
    return tr("explore.bands_point" if uncertainty == "point" else "explore.bands_posterior", lang)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The tidy table as CSV (what ``rapprochement run --out x.csv`` writes)."""
    return table.to_csv(index=False, float_format="%.4f", lineterminator="\n").encode("utf-8")


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """The tidy table as Parquet, ``month`` as text (as ``rapprochement run --out x.parquet``)."""
    import pyarrow.parquet as pq

    from model.ensemble import arrow_table

    buffer = io.BytesIO()
    pq.write_table(arrow_table(table), buffer, use_dictionary=["run", "month", "variable"])
    return buffer.getvalue()


def forget_keys(*fragments: str) -> None:
    """Drop session-state entries whose key contains one of ``fragments`` (resets widgets)."""
    for key in [k for k in st.session_state if any(f in str(k) for f in fragments)]:
        del st.session_state[key]


def persistent(key: str, default: Any) -> None:
    """Give a widget its last value again if Streamlit dropped it on a visit to another page.

    Why: Streamlit deletes the state of widgets that a run did not draw, so leaving a page
    loses its settings. A shadow copy under ``keep::<key>`` (plain state, never dropped) is
    put back before the widget is drawn; call :func:`remember` after drawing it.
    """
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(f"keep::{key}", default)


def remember(key: str) -> None:
    """Keep a shadow copy of a widget's value (see :func:`persistent`)."""
    if key in st.session_state:
        st.session_state[f"keep::{key}"] = st.session_state[key]
