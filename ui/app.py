"""The Streamlit app: navigation between pages. Run with ``rapprochement app``.

Each page is a module in ``ui/views/``; this file only lists them. Pages reached by a link
(a game seat, the instructor) have a fixed ``url_path`` so that ``/play?game=...&code=...``
opens them directly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# Streamlit runs this file as a script: make the project importable from a plain checkout too.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from model.i18n import tr  # noqa: E402
from ui import widgets  # noqa: E402

PAGES = Path(__file__).resolve().parent / "views"


def page(file: str, title_key: str, url_path: str, icon: str, lang: str, default: bool = False) -> st.Page:
    """One page of the app, titled through the translation layer in the reader's language."""
    return st.Page(
        str(PAGES / file), title=tr(title_key, lang), url_path=url_path, icon=icon, default=default
    )


def main() -> None:
    """Draw the reader's settings, then build the navigation in their language and run the page.

    The settings come first so that a change of language retitles the navigation in the same
    rerun; every page then reads the same choice (``widgets.settings``).
    """
    lang, _ = widgets.app_settings()
    # An emoji favicon is drawn by the browser itself; a ":material/..." one is fetched from
    # fonts.gstatic.com, which a classroom without internet cannot reach (issue 14).
    st.set_page_config(page_title=tr("app.title", lang), page_icon="🌏", layout="wide")
    widgets.streamlit_words(lang)
    pages = [
        page("home.py", "nav.home", "home", ":material/home:", lang, default=True),
        page("explore.py", "explore.nav", "explore", ":material/insights:", lang),
        page("compare.py", "compare.nav", "compare", ":material/compare_arrows:", lang),
        page("model_data.py", "modeldata.nav", "model", ":material/menu_book:", lang),
        page("play.py", "game.page.play", "play", ":material/sports_esports:", lang),
        page("instructor.py", "game.page.instructor", "instructor", ":material/school:", lang),
        page("projector.py", "game.page.projector", "projector", ":material/present_to_all:", lang),
        page("join.py", "game.page.join", "join", ":material/qr_code_2:", lang),
        page("debrief.py", "game.page.debrief", "debrief", ":material/summarize:", lang),
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    main()
