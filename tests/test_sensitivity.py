"""Sensitivity analysis: it finds the mechanisms that matter, writes its table, refuses nonsense."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.analysis.sensitivity import (
    OUTPUTS,
    Z90,
    SensitivityError,
    boundary_contenders,
    run_sensitivity,
    select_parameters,
    tornado,
)
from model.cli import main
from model.scenario import parse_scenario

# Two years with North Korea switched off: its launch rates are never read, so they cannot
# move anything, while the history track's equilibrium feeds the relationship index directly.
QUIET = """
id: quiet-two-years
title: Two quiet years
question: Which assumptions move the relationship when Pyongyang is silent?
start: 2026-01
end: 2027-12
processes: {pyongyang: false}
"""


@pytest.fixture(scope="module")
def quiet():
    return parse_scenario(QUIET, filename="quiet.yaml")


@pytest.fixture(scope="module")
def quiet_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenarios") / "quiet.yaml"
    path.write_text(QUIET, encoding="utf-8")
    return path


def test_morris_ranks_the_history_equilibrium_above_a_rate_that_cannot_act(quiet):
    """history_base moves the index; a launch rate of a switched-off process does not."""
    table = run_sensitivity(quiet, "morris", ["nk_icbm_share", "history_base"], samples=6, replicates=6, seed=3)
    index = table[table.output == "relationship_index"].set_index("parameter")
    assert index.loc["history_base", "rank"] == 1
    assert index.loc["history_base", "mu_star"] > 1.0
    # common random numbers: a parameter the model never reads changes nothing at all
    assert index.loc["nk_icbm_share", "mu_star"] == 0.0


def test_with_pyongyang_active_its_launch_rate_moves_the_threat_it_cannot_move_when_silent(quiet):
    """The same rate matters for the Korean threat perception once North Korea is switched on."""
    active = quiet.model_copy(update={"processes": quiet.processes.model_copy(update={"pyongyang": True})})
    threat = run_sensitivity(
        active, "morris", ["nk_launch_base", "salience_base"], samples=6, replicates=6, outputs=("kr_threat",)
    ).set_index("parameter")
    assert threat.loc["nk_launch_base", "rank"] == 1
    assert threat.loc["nk_launch_base", "mu_star"] > 2.0


def test_morris_table_has_one_ranked_row_per_output_and_parameter(quiet):
    """Columns and ranks are what the CLI and the explorer's tornado read."""
    params = ["history_base", "people_base", "contact_weight"]
    table = run_sensitivity(quiet, "morris", params, samples=4, replicates=2)
    assert list(table.columns) == [
        "output", "rank", "parameter", "group", "low", "high",
        "mu_star", "mu_star_conf", "sigma", "mu",
    ]  # fmt: skip
    assert list(table.output.unique()) == list(OUTPUTS)
    for _, rows in table.groupby("output"):
        assert sorted(rows.parameter) == sorted(params)
        assert list(rows["rank"]) == [1, 2, 3]
        assert rows.mu_star.is_monotonic_decreasing
    assert np.isfinite(table[["mu_star", "sigma"]].to_numpy()).all()


def test_sobol_table_has_first_and_total_order_indices(quiet):
    """Sobol gives S1 and ST with confidence intervals, ranked by ST."""
    table = run_sensitivity(quiet, "sobol", ["history_base", "nk_icbm_share"], samples=8, replicates=2)
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    index = table[table.output == "relationship_index"].set_index("parameter")
    assert index.loc["history_base", "ST"] > index.loc["nk_icbm_share", "ST"]


def test_same_seed_gives_the_same_indices(quiet):
    """An analysis can be reproduced exactly from its seed."""
    first = run_sensitivity(quiet, "morris", ["history_base", "people_base"], samples=3, seed=9)
    again = run_sensitivity(quiet, "morris", ["history_base", "people_base"], samples=3, seed=9)
    pd.testing.assert_frame_equal(first, again)


def test_groups_expand_to_their_coefficients():
    """A group name stands for every coefficient of that group."""
    rates = select_parameters(["rate"])
    assert len(rates) > 2 and {c.group for c in rates} == {"rate"}


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (["history_bsae", "people_base"], ["history_bsae", "history_base"]),
        (["history_base"], ["at least two"]),
    ],
)
def test_bad_params_give_a_clear_error(params, words):
    """A misspelt coefficient is named, with the close matches, before anything runs."""
    with pytest.raises(SensitivityError) as info:
        select_parameters(params)
    assert all(word in str(info.value) for word in words)


def test_sobol_refuses_a_sample_size_that_is_not_a_power_of_two(quiet):
    """Sobol sequences need 2^n base samples; say so instead of warning and going on."""
    with pytest.raises(SensitivityError, match="power of 2"):
        run_sensitivity(quiet, "sobol", ["history_base", "people_base"], samples=10)


def test_cli_writes_the_indices_table(quiet_file, tmp_path, capsys):
    """The command writes CSV with one row per output and parameter."""
    out = tmp_path / "indices.csv"
    code = main(
        ["sensitivity", str(quiet_file), "--params", "history_base,people_base",
         "--samples", "3", "--replicates", "2", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    table = pd.read_csv(out)
    assert len(table) == 2 * len(OUTPUTS)
    assert {"output", "parameter", "mu_star", "sigma"} <= set(table.columns)


def test_cli_prints_a_ranking_without_out(quiet_file, capsys):
    """Without --out the command prints the ranking per output."""
    code = main(
        ["sensitivity", str(quiet_file), "--params", "history_base", "people_base",
         "--samples", "3", "--replicates", "2"]
    )  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "history_base" in text and "2027-12" in text


def test_cli_reads_other_outputs_and_refuses_unknown_ones(quiet_file, tmp_path, capsys):
    """--outputs picks the variables analysed; a misspelt one is a clear error."""
    out = tmp_path / "threat.parquet"
    base = ["sensitivity", str(quiet_file), "--params", "threat_base,history_base", "--samples", "3"]
    assert main([*base, "--outputs", "kr_threat", "--out", str(out)]) == 0
    table = pd.read_parquet(out)
    assert set(table.output) == {"kr_threat"}
    assert table.set_index("parameter").loc["threat_base", "rank"] == 1
    assert main([*base, "--outputs", "kr_thread"]) == 2
    assert "kr_thread" in capsys.readouterr().err


def test_cli_bad_params_exit_with_a_one_line_error(quiet_file, capsys):
    """A bad --params is a user error: exit code 2, a message, no traceback."""
    code = main(["sensitivity", str(quiet_file), "--params", "no_such_thing,history_base"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no_such_thing" in err and "Traceback" not in err


def test_tornado_returns_labelled_ranked_rows(quiet):
    """The explorer's tornado: plain labels, the longest swing first, an unread assumption at zero."""
    rows = tornado(quiet, params=["history_base", "nk_icbm_share", "people_base"], replicates=6, top=None)
    assert list(rows.parameter[:2]) == ["history_base", "people_base"]
    assert rows.swing.abs().is_monotonic_decreasing
    assert rows.label.str.len().gt(0).all() and rows.meaning.str.len().gt(0).all()
    unread = rows.set_index("parameter").loc["nk_icbm_share"]
    assert unread.swing == 0 and unread.swing_lo == 0 and unread.swing_hi == 0  # common random numbers
    assert (rows.at_low_lo <= rows.at_low).all() and (rows.at_low <= rows.at_low_hi).all()
    assert (rows.swing_lo <= rows.swing).all() and (rows.swing <= rows.swing_hi).all()
    assert rows.attrs["method"] == "one_at_a_time" and rows.attrs["runs"] == 7 * 6


def test_tornado_swing_is_the_difference_between_the_two_ends(quiet):
    """A bar spans the output with the assumption at its low and at its high end, as written elsewhere."""
    rows = tornado(quiet, params=["history_base", "people_base"], replicates=4, top=None)
    assert np.allclose(rows.swing, rows.at_high - rows.at_low)
    history = rows.set_index("parameter").loc["history_base"]
    assert history.at_high > history.as_written > history.at_low  # a higher long-run level, a warmer index


def test_tornado_top_five_agree_over_four_seeds():
    """The explorer's design (every coefficient) gives the same top five at seeds 0, 1, 2 and 7.

    The issue's seeds, on the liquidation what-if's index; the check over three outputs and
    every what-if is bench/tornado_stability.py. (With the whiskers' 90% intervals deciding
    where the runs go, seed 0 kept ``security_base`` fourth on 100 runs: this failed.)
    """
    from model.scenario import load_scenario

    scenario = load_scenario("scenarios/liquidation-order.yaml")
    tops = {
        seed: frozenset(tornado(scenario, "relationship_index", seed=seed, top=5).parameter) for seed in (0, 1, 2, 7)
    }
    assert len(set(tops.values())) == 1, tops


def _sample(mean: float, half90: float, n: int = 100) -> np.ndarray:
    """Values (n of them) with exactly this mean and a 90% interval of the mean this wide on each side."""
    z = np.random.default_rng(0).normal(size=n)
    z = (z - z.mean()) / z.std(ddof=1)
    return mean + z * half90 * np.sqrt(n) / Z90


def test_the_refinement_looks_for_doubt_wider_than_the_whiskers():
    """A swing whose 90% interval just misses the boundary still gets more runs (99% reaches it)."""
    above, below = _sample(10.0, 0.8), _sample(8.0, 0.8)  # threshold 9: 1 point from each, 0.8 < 1 < 1.25
    assert boundary_contenders([above, below, _sample(2.0, 0.1)], focus=1) == [0, 1]
    apart = [_sample(10.0, 0.5), _sample(8.0, 0.5), _sample(2.0, 0.1)]  # 99% half-width 0.78 < 1
    assert boundary_contenders(apart, focus=1) == []


def test_every_coefficient_may_vary_by_run_without_changing_the_numbers():
    """Per-run arrays (how samples are vectorised) of the default values equal the scalars."""
    from model.catalogue import load_catalogue
    from model.ensemble import run_ensemble
    from model.scenario import load_scenario

    scenario = load_scenario("scenarios/baseline-2026.yaml").model_copy(update={"end": "2026-12"})
    reference = run_ensemble(scenario, runs=8, seed=3, uncertainty="point").values
    for cid, coef in load_catalogue().coefficients.items():
        value = np.full(8, scenario.parameters.get(cid, coef.value))
        varied = run_ensemble(scenario, runs=8, seed=3, parameters={cid: value}, uncertainty="point").values
        assert np.array_equal(varied, reference), cid
