"""Calibration targets, the hold-out rule, fit metrics and the calibrated-coefficient file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.analysis import fit, polls


def test_targets_are_the_three_series_at_their_fieldwork_months():
    """Genron both ways 2013-2019 and Cabinet Office 2012-2019, placed at fieldwork months."""
    t = polls.poll_targets()
    by = {(x.series, x.year): x for x in t}
    assert len([x for x in t if x.series == "kr_good_impression"]) == 7
    assert len([x for x in t if x.series == "jp_good_impression"]) == 7
    assert len([x for x in t if x.series == "jp_affinity"]) == 8
    assert by[("jp_affinity", 2015)].months == ("2016-01",)  # FY2015 wave fielded Jan 2016
    assert by[("jp_affinity", 2012)].months == ("2012-09", "2012-10")
    assert by[("kr_good_impression", 2019)].months == ("2019-05", "2019-06")
    assert by[("kr_good_impression", 2013)].value == 12.2
    assert by[("jp_affinity", 2013)].derived  # the confidence column is kept
    assert not any(x.year == 2011 for x in t)  # 2011 is context, not a target


def test_visitor_targets_are_2013_to_2018_in_millions_over_whole_years():
    """JNTO/KTO totals: 2012 opens the replay and 2019 (the boycott) is a test, so neither is fitted."""
    t = polls.visitor_targets()
    assert {x.year for x in t} == set(range(2013, 2019))
    assert {x.series for x in t} == {"kr_visitors", "jp_visitors"}
    by = {(x.series, x.year): x for x in t}
    assert by[("kr_visitors", 2018)].value == pytest.approx(7.539)  # JNTO, millions
    assert by[("jp_visitors", 2015)].months == tuple(f"2015-{m:02d}" for m in range(1, 13))
    with pytest.raises(polls.HoldoutError):
        polls.visitor_targets(until="2020-01")
    assert max(x.year for x in polls.visitor_targets(until="2016-06")) == 2015


def test_visitor_error_is_relative_and_poll_error_is_in_points():
    """10% too many visitors weighs as much as a poll missed by ln(1.1)*100/5 ~ 1.9 points."""
    assert polls.target_error("kr_good_impression", 25.0, 20.0) == 5.0
    err = polls.target_error("kr_visitors", 1.1 * 7.0, 7.0)
    assert err == pytest.approx(100 * np.log(1.1) / polls.VISITOR_PERCENT_PER_POINT)
    assert polls.target_error("jp_visitors", 3.0, 3.0) == 0.0


def test_context_values_for_the_initial_state():
    ctx = polls.context_values()
    assert ctx["jp_affinity"].value == 62.2
    assert ctx["kr_favorable"].value == 41.0


def test_targets_from_2020_are_refused():
    """Nothing dated 2020 or later may become a target, whichever way it is asked for."""
    with pytest.raises(polls.HoldoutError):
        polls.poll_targets(until="2020-01")
    with pytest.raises(polls.HoldoutError):
        polls.PollTarget(
            "kr_good_impression",
            "kr_favorable_japan",
            2020,
            ("2020-05",),
            20.0,
            "exact",
            "made up for the test",
        )
    with pytest.raises(polls.HoldoutError):
        polls.PollTarget(
            "jp_affinity",
            "jp_favorable_korea",
            2019,
            polls.fieldwork_months("Nov 2019-Feb 2020"),
            30.0,
            "exact",
            "test",
        )


def test_training_window_cuts_later_waves():
    t = polls.poll_targets(until="2019-06")
    assert max(x.month for x in t) == "2019-06"
    assert not any(x.series == "jp_affinity" and x.year == 2019 for x in t)


def test_fieldwork_parser():
    assert polls.fieldwork_months("Sep 27-Oct 7 2012") == ("2012-09", "2012-10")
    assert polls.fieldwork_months("Oct 2018") == ("2018-10",)
    assert polls.fieldwork_months("Nov-Jan 2012") == ("2012-11", "2012-12", "2013-01")
    with pytest.raises(ValueError):
        polls.fieldwork_months("spring 2013")


def test_affinity_offset_is_the_paired_gap():
    """The wording offset is the mean Cabinet Office minus Genron gap over 2013-2018."""
    off, n = polls.affinity_offset()
    assert n == 6
    assert off == pytest.approx(np.mean([40.7 - 31.1, 31.5 - 20.5, 33.0 - 23.8, 38.1 - 29.1, 37.5 - 26.9, 39.4 - 22.9]))
    assert polls.series_offset("kr_good_impression") == 0.0


def test_data_signature_numbers():
    """The signatures quote the shipped data: -25.9% visitors in 2019, 0 / 69 launches."""
    assert polls.visitor_change() == pytest.approx(-0.259, abs=0.001)
    y = polls.yearly_launches()
    assert y[2018] == 0 and y[2022] == 69


def _table(values: dict[str, np.ndarray], months: list[str]) -> pd.DataFrame:
    rows = []
    for var, arr in values.items():
        for i, m in enumerate(months):
            for r in range(arr.shape[1]):
                rows.append((r, m, var, float(arr[i, r])))
    return pd.DataFrame(rows, columns=["run", "month", "variable", "value"])


def _months(a: str, b: str) -> list[str]:
    return [str(p) for p in pd.period_range(a, b, freq="M")]


def test_fit_metrics_on_a_known_table():
    """A table equal to the observed value everywhere has zero error and full coverage."""
    months = _months("2012-01", "2019-12")
    runs = 20
    targets = polls.poll_targets(series=("kr_good_impression",))
    kr = np.full((len(months), runs), 50.0)
    for t in targets:
        for m in t.months:
            kr[months.index(m)] = t.value + np.linspace(-1, 1, runs)
    table = _table({"kr_favorable_japan": kr}, months)
    pts = fit.poll_points(table, targets)
    err = fit.series_errors(pts)
    assert err.loc[0, "rmse"] == pytest.approx(0.0, abs=1e-9)
    assert err.loc[0, "coverage"] == 1.0
    # shift everything up by 3 points: bias +3, rmse 3, band misses
    pts3 = fit.poll_points(table.assign(value=table["value"] + 3), targets)
    err3 = fit.series_errors(pts3)
    assert err3.loc[0, "bias"] == pytest.approx(3.0)
    assert err3.loc[0, "rmse"] == pytest.approx(3.0)
    assert err3.loc[0, "coverage"] == 0.0


def test_cabinet_office_series_is_compared_through_the_offset():
    months = _months("2012-01", "2019-12")
    targets = polls.poll_targets(series=("jp_affinity",))
    off = polls.series_offset("jp_affinity")
    jp = np.zeros((len(months), 5))
    for t in targets:
        for m in t.months:
            jp[months.index(m)] = t.value - off
    pts = fit.poll_points(_table({"jp_favorable_korea": jp}, months), targets)
    assert np.allclose(pts["error"], 0.0)
    assert np.allclose(pts["observed_model_scale"], pts["observed"] - off)


def test_signatures_detect_a_wrong_direction():
    """A flat Japanese public fails the Dokdo signature; a falling one passes."""
    months = _months("2012-01", "2015-12")
    runs = 10
    flat = np.full((len(months), runs), 40.0)
    falling = flat.copy()
    falling[months.index("2012-08") :] -= 10
    falling[months.index("2014-01") :] -= 5
    assert not fit.sig_jp_drop_after_dokdo(_table({"jp_favorable_korea": flat}, months)).holds
    tab = _table({"jp_favorable_korea": falling}, months)
    s = fit.sig_jp_drop_after_dokdo(tab)
    assert s.holds and s.simulated == pytest.approx(-10.0) and s.share == 1.0
    assert fit.sig_jp_further_fall_2014(tab).holds


# --- the calibration itself ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
REPLAY = ROOT / "scenarios" / "history-2012-2025.yaml"


def _tiny_setup():
    from model.analysis import calibration as cal

    return cal.make_setup(REPLAY, until="2014-12", structure="contact")


def test_abc_calibration_is_deterministic_and_the_same_on_any_chunking(tmp_path):
    """ABC-SMC (pyabc): same seed, same posterior, whether batches run in one model or in chunks on workers."""
    from concurrent.futures import ThreadPoolExecutor

    from model.analysis import abc

    setup = _tiny_setup()
    a = abc.run_abc(setup, population=16, generations=2, seed=5, db_dir=tmp_path / "a")
    b = abc.run_abc(setup, population=16, generations=2, seed=5, db_dir=tmp_path / "b")
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.weights, b.weights)
    with ThreadPoolExecutor(2) as pool:
        import model.analysis.abc as abc_module

        old = abc_module.CHUNK
        abc_module.CHUNK = 7  # many chunks per batch, spread over the pool's workers
        try:
            c = abc.run_abc(setup, population=16, generations=2, seed=5, db_dir=tmp_path / "c", executor=pool)
        finally:
            abc_module.CHUNK = old
    np.testing.assert_array_equal(a.samples, c.samples)
    assert a.epsilons[-1] < a.epsilons[0]  # the tolerance tightens
    lo, hi = setup.low, setup.high
    assert np.all(a.samples >= lo) and np.all(a.samples <= hi)
    assert a.weights.sum() == pytest.approx(1.0)


def test_abc_calibration_resumes_where_it_stopped(tmp_path):
    """An interrupted calibration continues from pyabc's history and ends as an uninterrupted one."""
    from model.analysis import abc

    setup = _tiny_setup()
    reported = []
    abc.run_abc(setup, population=12, generations=1, seed=3, db_dir=tmp_path / "r")
    resumed = abc.run_abc(setup, population=12, generations=2, seed=3, db_dir=tmp_path / "r", progress=reported.append)
    straight = abc.run_abc(setup, population=12, generations=2, seed=3, db_dir=tmp_path / "s")
    assert reported[0].key == "progress.resuming" and reported[-1].key == "progress.done"
    lines = [str(line) for line in reported]  # the English that logs read
    assert any("generation 1" in line for line in lines) and not any("generation 0" in line for line in lines)
    np.testing.assert_array_equal(resumed.samples, straight.samples)


def test_a_changed_catalogue_does_not_resume_the_old_calibration(tmp_path, monkeypatch):
    """The settings' name covers the catalogue: after an event's effect changes, no old history is resumed."""
    import shutil

    from model.analysis import abc

    setup = _tiny_setup()
    folder = tmp_path / "catalogue"
    shutil.copytree(abc.CATALOGUE_DIR, folder)
    monkeypatch.setattr(abc, "CATALOGUE_DIR", folder)
    before = abc.settings_hash(setup, 3, 12, 2)
    # what the calibration writes does not change the name (a resumed run finds its history)
    (folder / "calibrated.yaml").write_text("values: {}\n", encoding="utf-8")
    assert abc.settings_hash(setup, 3, 12, 2) == before
    events = folder / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace("mean: -2.5", "mean: -2.4", 1), encoding="utf-8")
    assert abc.settings_hash(setup, 3, 12, 2) != before


def test_calibrate_command_writes_the_posterior_with_provenance(tmp_path, capsys):
    """`rapprochement calibrate` writes posterior.csv, posterior.yaml (command, seed, data hash) and calibrated.yaml."""
    import yaml

    from model.cli import main

    out = tmp_path / "out"
    out.mkdir()
    args = ["calibrate", str(REPLAY), "--until", "2014-12", "--population", "8", "--generations", "1",
            "--seed", "4", "--out-dir", str(out), "--db-dir", str(tmp_path / "db"), "--quiet"]
    assert main(args) == 0
    summary = yaml.safe_load((out / "posterior.yaml").read_text())
    prov = summary["provenance"]
    assert prov["command"].startswith("rapprochement calibrate") and prov["seed"] == 4
    assert len(prov["data_sha256"]) == 16 and prov["until"] == "2014-12"
    ids = summary["ids"]
    corr = summary["correlations"]
    assert set(corr) == set(ids) and all(-1.0 <= v <= 1.0 for row in corr.values() for v in row.values())
    samples = pd.read_csv(out / "posterior.csv")
    assert list(samples.columns) == ["weight", *ids] and len(samples) == 8
    point = yaml.safe_load((out / "calibrated.yaml").read_text())["values"]
    for cid in ids:
        assert samples[cid].min() - 1e-6 <= point[cid] <= samples[cid].max() + 1e-6


def test_loss_weights_series_equally_and_derived_values_half():
    from model.analysis import calibration as cal

    targets = polls.poll_targets()
    exact = np.array([t.value for t in targets])
    assert cal.total_loss(cal.loss_parts(exact, targets)) == 0.0
    shifted = exact + 2.0
    parts = cal.loss_parts(shifted, targets)
    assert all(v == pytest.approx(2.0) for v in parts.values())
    assert cal.total_loss(parts) == pytest.approx(2.0)


def test_cli_refuses_a_window_into_2020(capsys):
    from model.cli import main

    code = main(["calibrate", str(REPLAY), "--until", "2020-06", "--quiet"])
    assert code == 2
    assert "held out" in capsys.readouterr().err


def test_cli_bad_scenario_gives_file_line_errors(tmp_path, capsys):
    from model.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: t\nquestion: q\nstart: 2012-01\nend: 2013-01\nbogus: 1\n")
    assert main(["calibrate", str(bad), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:6: bogus" in err


def test_committed_calibration_is_what_the_catalogue_uses():
    """calibrated.yaml: the posterior mean, inside the ranges, read by the catalogue with its source."""
    import yaml

    from model.catalogue import load_catalogue, load_posterior

    doc = yaml.safe_load((ROOT / "model" / "catalogue" / "calibrated.yaml").read_text())
    cat = load_catalogue()
    post = load_posterior()
    for cid, value in doc["values"].items():
        coef = cat.coefficients[cid]
        assert coef.range[0] <= value <= coef.range[1]
        assert coef.value == pytest.approx(value)
        assert coef.source.startswith("calibrated")
    assert set(post.ids) <= set(doc["values"])
    assert doc["provenance"]["until"] < polls.HOLDOUT_START
