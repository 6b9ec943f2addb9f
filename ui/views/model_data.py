"""Model & data: who acts and by which rule, the mechanisms in plain words, every number's source.

A reader who doubts a result should find here what the model assumes and where each number
comes from: the actors and their decision rules, the theories behind them, the event and
decision catalogue with the source of each effect, the coefficients, the real data with its
provenance, and how well the 2012-2025 replay fits the published polls.
"""

from __future__ import annotations

import logging
from importlib import resources

import pandas as pd
import streamlit as st

from model.agents.rules import RULES
from model.catalogue import load_catalogue
from model.i18n import has, join_list, month_text, tr
from ui import charts, widgets
from ui import explore_logic as el

ACTOR_IDS = ("seoul", "tokyo", "washington", "kr_public", "jp_public")
PROCESS_IDS = ("pyongyang", "courts", "calendar", "elections", "world")
MECHANISMS = (
    "quasi_alliance",
    "two_level",
    "apology_backlash",
    "diversion",
    "balance_of_threat",
    "weaponised_interdependence",
    "contact",
    "bounded_rationality",
)
DATA_FILES = (
    "events.csv",
    "nk_missiles_yearly.csv",
    "nk_missile_launches_2012_2025.csv",
    "opinion_until_2019.csv",
    "visitors_trade_until_2019.csv",
)
FIT_RUNS, FIT_SEED = 100, 2012
LOG = logging.getLogger(__name__)


def actors_section(lang: str, places: str) -> None:
    """The five seats and the exogenous processes, each with what drives it."""
    cat = load_catalogue()
    st.header(tr("modeldata.actors", lang))
    st.markdown(tr("modeldata.actors_intro", lang, places))
    for actor in ACTOR_IDS:
        with st.expander(tr(f"actor.{actor}", lang, places)):
            st.markdown(tr(f"modeldata.actor_{actor}", lang, places))
            for rule in RULES.get(actor, ()):
                weights = join_list((
                    f"{tr(f'tag.{tag}', lang)} {w:+.1f}" for tag, w in rule.tag_weights(cat.defaults()).items()
                ), lang, short=True)
                st.markdown("- " + tr(
                    "modeldata.rule_line", lang, places, rule=tr(f"modeldata.rule_{rule.__name__}", lang, places),
                    weights=tr("modeldata.tag_weights", lang, weights=weights),
                ))
            menu = [cat.label("decision", d.id, lang, places) for d in cat.menu(actor)]
            if menu:
                st.caption(tr("modeldata.menu", lang, items=join_list(menu, lang)))
    st.subheader(tr("modeldata.processes", lang))
    for actor in PROCESS_IDS:
        name_key = f"actor.{actor}" if has(f"actor.{actor}", lang) else f"modeldata.name_{actor}"
        what = tr(f"modeldata.process_{actor}", lang, places)
        st.markdown("- " + tr("list.label_text", lang, label=f"**{tr(name_key, lang, places)}**", body=what))


def mechanisms_section(lang: str, places: str) -> None:
    """The named theories the rules and the publics implement, in plain words."""
    st.header(tr("modeldata.mechanisms", lang))
    for m in MECHANISMS:
        title = f"**{tr(f'modeldata.mech_{m}_title', lang, places)}**"
        st.markdown(tr("list.title_text", lang, title=title, body=tr(f"modeldata.mech_{m}", lang, places)))


def catalogue_section(lang: str, places: str) -> None:
    """Events, decisions and coefficients, each number with its source."""
    cat = load_catalogue()
    st.header(tr("modeldata.catalogue", lang))
    st.markdown(tr("modeldata.catalogue_intro", lang, places))
    tabs = st.tabs([tr("modeldata.events", lang), tr("modeldata.decisions", lang), tr("modeldata.coefficients", lang)])
    with tabs[0]:
        st.dataframe(el.catalogue_frame(cat, "event", lang, places), hide_index=True, key="md_events")
    with tabs[1]:
        st.dataframe(el.catalogue_frame(cat, "decision", lang, places), hide_index=True, key="md_decisions")
    with tabs[2]:
        st.dataframe(el.coefficients_frame(cat, lang, places), hide_index=True, key="md_coefficients")


@st.cache_data(show_spinner=False)
def _data_file(name: str) -> pd.DataFrame:
    with resources.files("model").joinpath("data", name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def data_section(lang: str) -> None:
    """The real data, with the provenance note written beside it and every row's source."""
    st.header(tr("modeldata.data", lang))
    st.markdown(tr("modeldata.data_intro", lang))
    readme = ""
    for name in (f"README.{lang}.md", "README.md"):  # the reader's language, else the English
        try:
            readme = resources.files("model").joinpath("data", name).read_text(encoding="utf-8")
            break
        except FileNotFoundError:
            continue
    if readme:
        with st.expander(tr("modeldata.provenance", lang)):
            st.markdown(readme)
    for name in DATA_FILES:
        try:
            frame = _data_file(name)
        except FileNotFoundError:
            st.warning(tr("modeldata.missing_file", lang, file=name))
            continue
        with st.expander(tr("modeldata.file_rows", lang, file=name, rows=len(frame))):
            st.dataframe(frame, hide_index=True, key=f"md_file_{name}")


@st.cache_data(show_spinner=False, max_entries=2)
def _replay(runs: int, seed: int) -> pd.DataFrame:
    """The replay's run table, computed once per server whatever the readers' settings."""
    from model.analysis.calibration import run_replay

    return run_replay(runs=runs, seed=seed)


@st.cache_data(show_spinner=False, max_entries=12)
def _fit(runs: int, seed: int, lang: str, places: str):
    """The fit with its texts (claims, series names) in the reader's language and place names."""
    from model.analysis.fit import fit_view

    return fit_view(_replay(runs, seed), seed=seed, lang=lang, places=places)


def fit_section(lang: str, places: str) -> None:
    """The 2012-2025 replay against the polls, on request (it runs a 100-run ensemble)."""
    st.header(tr("modeldata.fit", lang))
    st.markdown(tr("modeldata.fit_intro", lang, places))
    if not (
        st.session_state.get("modeldata_fit")
        or st.button(tr("modeldata.fit_run", lang, runs=FIT_RUNS), key="modeldata_fit_button")
    ):
        return
    st.session_state["modeldata_fit"] = True
    try:
        with st.spinner(tr("modeldata.fit_running", lang, runs=FIT_RUNS)):
            view = _fit(FIT_RUNS, FIT_SEED, lang, places)
    except Exception as err:  # the page shows any failure of the replay as a message
        LOG.exception("replay fit failed")
        st.error(tr("error.generic", lang, message=str(err)))
        return
    widgets.show_figure(charts.fit_chart(view.bands, view.points, lang, places), lang, "fit")
    travel = charts.fit_chart(
        view.travel_bands, view.travel_points, lang, places, "charts.travel_title", "charts.millions_a_year"
    )
    widgets.show_figure(travel, lang, "fit_travel")
    st.subheader(tr("modeldata.fit_errors", lang))
    errors = view.errors.drop(columns=["series"], errors="ignore").round(2)
    st.dataframe(_readable_columns(errors, lang), hide_index=True, key="md_fit_errors")
    st.subheader(tr("modeldata.signatures", lang))
    sigs = view.signatures.drop(columns=["key"], errors="ignore")
    st.dataframe(_readable_columns(sigs, lang), hide_index=True, key="md_signatures")
    st.caption(tr("modeldata.fit_note", lang, runs=view.runs, seed=view.seed))
    st.caption(widgets.bands_caption("posterior", lang))


def trust_section(lang: str, places: str) -> None:
    """What the backtest found, in plain words, from the shipped scores (``rapprochement backtest``)."""
    from model.analysis.backtest import load_results
    from model.analysis.backtest_report import verdict_table

    st.header(tr("modeldata.trust", lang))
    st.markdown(tr("modeldata.trust_intro", lang, places))
    found = load_results()
    if found is None:
        st.info(tr("modeldata.trust_missing", lang))
        return
    scores, _provenance = found
    table = verdict_table(scores)
    for row in table.itertuples(index=False):
        both = row.beats_persistence and row.beats_ar1
        either = row.beats_persistence or row.beats_ar1
        key = "modeldata.trust_better" if both else "modeldata.trust_mixed" if either else "modeldata.trust_worse"
        verdict = tr(key, lang)
        st.markdown("- " + tr(
            "modeldata.trust_origin", lang, origin=month_text(row.origin, lang), mae_model=row.mae_model,
            mae_persistence=row.mae_persistence, mae_ar1=row.mae_ar1, verdict=verdict,
            directions=row.directions, cover90=row.cover90,
        ))
    st.markdown(tr("modeldata.trust_bands", lang))
    st.subheader(tr("modeldata.trust_table", lang))
    shown = table[["origin", "mae_model", "mae_persistence", "mae_ar1", "directions", "cover90", "crps_model"]].round(2)
    shown["origin"] = [month_text(o, lang) for o in shown["origin"]]
    shown = shown.rename(columns={c: tr(f"modeldata.trustcol_{c}", lang) for c in shown.columns})
    st.dataframe(shown, hide_index=True, key="md_trust")
    widgets.show_figure(charts.backtest_chart(scores, lang, places), lang, "md_backtest", stretch=False)


def _readable_columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column names through the translation layer (``modeldata.fitcol_<name>``), where written."""
    return frame.rename(
        columns={c: tr(f"modeldata.fitcol_{c}", lang) for c in frame.columns if has(f"modeldata.fitcol_{c}", lang)}
    )


def main() -> None:
    """Draw the Model & data page."""
    lang, places = widgets.settings()
    st.title(tr("modeldata.title", lang))
    st.markdown(tr("modeldata.intro", lang, places))
    actors_section(lang, places)
    mechanisms_section(lang, places)
    catalogue_section(lang, places)
    data_section(lang)
    trust_section(lang, places)
    fit_section(lang, places)


if __name__ == "__main__":
    main()
