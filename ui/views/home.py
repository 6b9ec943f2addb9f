"""The first page: what the simulator is, the three capitals, and the baseline in one click."""

from __future__ import annotations

import streamlit as st

from model.i18n import scenario_text, tr
from ui import charts, widgets
from ui.plain_text import plain


def main() -> None:
    """Draw the page."""
    lang, places = widgets.settings()
    st.title(tr("app.title", lang, places))
    st.markdown(tr("app.tagline", lang, places))
    st.markdown(tr("home.intro", lang, places))
    st.subheader(tr("home.capitals", lang, places))
    cols = st.columns(3)
    for col, capital in zip(cols, ("seoul", "tokyo", "washington"), strict=True):
        with col:
            st.markdown(f"**{tr('actor.' + capital, lang, places)}**")
            st.caption(tr(f"home.capital_{capital}", lang, places))
    baseline = widgets.shipped().get("baseline-2026")
    if baseline is None:
        st.error(tr("home.no_baseline", lang, places))
        return
    st.subheader(plain(scenario_text(baseline.title, lang, places)))
    st.markdown(plain(scenario_text(baseline.question, lang, places)))
    left, right, _ = st.columns([1, 1, 2])
    runs = left.number_input(
        tr("home.runs", lang), min_value=10, max_value=2000, value=200, step=50, key="home_runs"
    )
    seed = right.number_input(
        tr("home.seed", lang), min_value=0, max_value=2**31 - 1, value=7, key="home_seed"
    )
    if st.button(tr("home.run_baseline", lang), type="primary"):
        st.session_state["home_run"] = (int(runs), int(seed))
    if "home_run" not in st.session_state:
        return
    runs, seed = st.session_state["home_run"]
    try:
        results = widgets.ensemble(baseline.to_yaml(), runs, seed, lang)
    except widgets.RunFailed as err:
        st.error(tr("error.generic", lang, message=str(err)))
        return
    st.caption(
        tr("home.done", lang, runs=runs, months=len(baseline.months), seconds=results.seconds)
    )
    fig = charts.fan_chart(results.table, "relationship_index", lang=lang, places=places)
    widgets.show_figure(fig, lang, key="home_fan")
    st.caption(widgets.bands_caption("posterior", lang))


if __name__ == "__main__":
    main()
