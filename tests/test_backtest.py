"""The backtest: calibrate up to an origin, forecast the later training years, score against baselines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.analysis import backtest as bt
from model.analysis import polls

ROOT = Path(__file__).resolve().parents[1]
REPLAY = ROOT / "scenarios" / "history-2012-2025.yaml"


def test_split_keeps_the_test_years_after_the_origin_and_before_2020():
    """Training: fieldwork by the origin; test: later waves up to 2019 (the FY2015 wave of Jan 2016 is a test)."""
    train, test = bt.split_targets("2015-12")
    assert max(t.month for t in train) <= "2015-12" < min(t.month for t in test)
    assert max(t.month for t in test) < polls.HOLDOUT_START
    assert ("jp_affinity", 2015) in {(t.series, t.year) for t in test}
    assert {t.year for t in test if t.series == "kr_visitors"} == {2016, 2017, 2018, 2019}
    assert {t.year for t in train if t.series == "kr_visitors"} == {2013, 2014, 2015}
    with pytest.raises(polls.HoldoutError):
        bt.split_targets("2020-06")


def test_baselines_on_a_known_series():
    """Persistence carries the last value; AR(1) pulls toward the training mean with phi in [0, 1]."""
    train, test = bt.split_targets("2016-12")
    base = bt.baseline_forecasts(train, test)
    kr = [t.value for t in train if t.series == "kr_good_impression"]  # 12.2, 17.5, 15.7, 21.3
    pers = base[(base.series == "kr_good_impression") & (base.method == "persistence")]
    assert np.allclose(pers["mean"], kr[-1])
    assert (np.diff(pers["sd"].to_numpy()) > 0).all()  # a random walk's spread grows with the horizon
    ar = base[(base.series == "kr_good_impression") & (base.method == "ar1")]["mean"].to_numpy()
    mu = np.mean(kr)
    assert np.all(np.abs(ar - mu) <= abs(kr[-1] - mu) + 1e-9)  # never beyond the last value
    assert np.all(np.diff(np.abs(ar - mu)) <= 1e-9)  # and closer to the mean each year


def test_scores_of_a_perfect_and_of_a_wrong_forecast():
    """CRPS (scoringrules) is near 0 for a sharp right forecast and grows with the miss; coverage says so."""
    right = bt.score_rows(30.0, 25.0, "model", samples=np.full(200, 30.0) + np.linspace(-0.1, 0.1, 200), previous=25.0)
    wrong = bt.score_rows(30.0, 25.0, "model", samples=np.full(200, 20.0) + np.linspace(-0.1, 0.1, 200), previous=25.0)
    assert right["crps"] < 0.1 < 9.0 < wrong["crps"]
    assert right["in90"] and not wrong["in90"]
    assert right["direction_right"] and not wrong["direction_right"]
    normal = bt.score_rows(30.0, 30.0, "ar1", mean=30.0, sd=2.0, previous=30.0)
    assert normal["in50"] and not normal["direction_right"]  # no change observed: no direction to get right


def test_quick_backtest_from_the_command_line(tmp_path, capsys):
    """`rapprochement backtest --quick` scores every test target with the model and both baselines."""
    from model.cli import main

    out = tmp_path / "bt.json"
    assert main(["backtest", str(REPLAY), "--origins", "2016-12", "--quick", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "Persistence's miss" in printed and "2016-12" in printed  # the verdict's table, its headers in words
    doc = json.loads(out.read_text())
    scores = pd.DataFrame(doc["scores"])
    assert doc["provenance"]["command"].endswith("--quick") and doc["provenance"]["origins"] == ["2016-12"]
    _, test = bt.split_targets("2016-12")
    # the shipped model (assimilating the last poll), the same forecast from its own level, two baselines
    assert len(scores) == 4 * len(test)
    assert set(scores["method"]) == set(bt.METHODS) | {bt.FREE}
    assert (scores["month"] > "2016-12").all() and (scores["month"] < polls.HOLDOUT_START).all()
    for col in ("abs_error", "crps", "median", "q05", "q95"):
        assert np.isfinite(scores[col]).all(), col
    assert (scores["q05"] <= scores["median"]).all() and (scores["median"] <= scores["q95"]).all()
    verdict = bt.verdict(bt.poll_summary(scores))
    assert list(verdict["origin"]) == ["2016-12"]


@pytest.mark.parametrize(
    ("origins", "words"),
    [("2015-13", "not a month"), ("2020-06", "held out"), ("", "at least one")],
)
def test_bad_origins_are_refused(origins, words, capsys, tmp_path):
    from model.cli import main

    assert main(["backtest", str(REPLAY), "--origins", origins, "--quick", "--out", str(tmp_path / "x.json")]) == 2
    assert words in capsys.readouterr().err


def test_quick_needs_an_output_file(capsys):
    """The tests' reduced setting never overwrites the shipped scores."""
    from model.cli import main

    assert main(["backtest", str(REPLAY), "--quick"]) == 2
    assert "--out" in capsys.readouterr().err


def test_shipped_backtest_is_what_the_docs_and_the_page_show():
    """model/validation/backtest.json: three origins, all methods, and its verdict in docs/VALIDATION.md."""
    from model.analysis import backtest_report as report

    scores, prov = bt.load_results()
    assert prov["origins"] == list(bt.DEFAULT_ORIGINS)
    assert set(bt.METHODS) | {bt.FREE} <= set(scores["method"])
    doc = (ROOT / "docs" / "VALIDATION.md").read_text(encoding="utf-8")
    assert report.blocks(scores, prov)["backtest_verdict"] in doc
