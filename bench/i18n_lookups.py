"""How much the translation layer costs a page: lookups per rerun of Explore, time per lookup.

Prints, for English, Korean and Japanese: the number of ``tr`` calls one rerun of the Explore
page makes (a redraw after a changed assumption, results shown), their total time, and the time
of one lookup with and without placeholders. Run: ``.venv/bin/python bench/i18n_lookups.py``.
Report the machine's load (``cat /proc/loadavg``) beside the figures.
"""

from __future__ import annotations

import os
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from model import i18n  # noqa: E402


def per_call(lang: str) -> tuple[float, float]:
    """Microseconds per lookup: a plain label, and a sentence with values and a contested name."""
    n = 20_000
    plain = timeit.timeit(lambda: i18n.tr("variable.relationship_index", lang), number=n) / n * 1e6
    briefing = timeit.timeit(lambda: i18n.tr("event.dokdo_visit.briefing", lang, "korean"), number=n)
    done = timeit.timeit(lambda: i18n.tr("explore.done", lang, runs=200, months=60, seconds=0.31), number=n)
    return plain, (briefing + done) / 2 / n * 1e6


def explore_rerun(lang: str) -> tuple[int, float, float]:
    """(tr calls, seconds in tr, seconds of the whole rerun) for one redraw of Explore with results."""
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "ui" / "views" / "explore.py"), default_timeout=300)
    at.run()
    at.selectbox(key="settings_lang_widget").set_value(lang).run()
    at.button(key="explore_run").click().run()  # first run computes the ensemble
    calls = {"n": 0, "t": 0.0}
    original = i18n.tr

    def counted(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            calls["n"] += 1
            calls["t"] += time.perf_counter() - start

    modules = [m for m in list(sys.modules.values()) if getattr(m, "tr", None) is original]
    for m in modules:
        m.tr = counted
    try:
        start = time.perf_counter()
        at.run()  # a redraw: the ensemble comes from the store
        whole = time.perf_counter() - start
    finally:
        for m in modules:
            m.tr = original
    return calls["n"], calls["t"], whole


def main() -> None:
    os.environ.setdefault("LANGUAGE", "en")
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")
    for lang in ("en", "ko", "ja"):
        plain, filled = per_call(lang)
        n, spent, whole = explore_rerun(lang)
        print(
            f"{lang}: {plain:.2f} us per plain lookup, {filled:.2f} us with values and a contested name; "
            f"Explore redraw: {n} lookups, {spent * 1000:.2f} ms in tr of {whole * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
