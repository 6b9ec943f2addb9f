"""Fixtures for the explorer's page tests: small scenario files and clean Streamlit caches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

import model.scenario as scenario_module

PAGES = Path(__file__).resolve().parents[2] / "ui" / "views"

ALPHA = """\
id: alpha
title: Alpha, a quiet two years
question: Where does a quiet relationship drift without shocks?
start: 2026-01
end: 2027-12
events:
  - {month: 2026-06, type: bilateral_summit}
"""
BETA = """\
id: beta
title: Beta, a liquidation order
question: What does a liquidation order do to the history track?
start: 2026-01
end: 2027-12
events:
  - {month: 2026-04, type: liquidation_order}
"""


@pytest.fixture
def scenario_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two small scenarios as the shipped set, and caches cleared before and after."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.yaml").write_text(BETA, encoding="utf-8")
    monkeypatch.setattr(scenario_module, "SCENARIO_DIR", folder)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield folder
    st.cache_data.clear()
    st.cache_resource.clear()
