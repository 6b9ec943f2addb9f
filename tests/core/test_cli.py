"""The command line as other tools use it: columns, bytes, exit codes, one line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = str(ROOT / "scenarios" / "baseline-2026.yaml")
REQUIRED = {
    "relationship_index", "diplomatic", "security", "economic", "history", "people",
    "kr_favorable_japan", "jp_favorable_korea", "kr_gov_approval", "jp_gov_approval", "nk_threat",
}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "rapprochement"), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


def test_run_writes_the_tidy_table(tmp_path):
    out = tmp_path / "x.csv"
    assert main(["run", BASELINE, "--runs", "4", "--seed", "7", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert list(df.columns) == ["run", "month", "variable", "value"]
    assert set(df.run) == {0, 1, 2, 3}
    assert df.month.min() == "2026-01" and df.month.max() == "2030-12"
    assert REQUIRED <= set(df.variable)
    assert df.value.between(0, 100).all() and df.value.notna().all()
    assert len(df) == 4 * 60 * df.variable.nunique()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_same_seed_same_bytes_and_runs_differ(tmp_path, suffix):
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    for path in (a, b):
        assert main(["run", BASELINE, "--runs", "3", "--seed", "11", "--out", str(path)]) == 0
    assert a.read_bytes() == b.read_bytes()
    df = pd.read_parquet(a) if suffix == ".parquet" else pd.read_csv(a)
    last = df[(df.variable == "relationship_index") & (df.month == "2030-12")]
    assert last.value.nunique() == 3


def test_validate_good_file_exits_zero():
    result = cli("validate", BASELINE)
    assert result.returncode == 0 and "ok" in result.stdout


BAD = {
    "syntax": ("title: [unclosed\n", "(syntax)"),
    "unknown field": ("colour: blue\n", "colour: unknown field"),
    "wrong type": ("decision_interval: often\n", "decision_interval:"),
    "unknown event": ("events:\n  - {month: 2026-02, type: alien_landing}\n", "events[0].type"),
    "unknown decision": ("decisions:\n  - {month: 2026-02, actor: seoul, type: seoul_nope}\n", "decisions[0].type"),
    "month outside": ("events:\n  - {month: 2035-02, type: nuclear_test}\n", "events[0].month"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_bad_file_names_file_line_field(tmp_path, case):
    text, expected = BAD[case]
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\ntitle: Bad\nquestion: Q?\nstart: 2026-01\nend: 2027-12\n" + text)
    result = cli("validate", str(path))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and all(line.startswith(f"{path}:") for line in lines)
    assert any(expected in line for line in lines), lines


def test_run_refuses_bad_scenario_without_running(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\ntitle: Bad\nquestion: Q?\nstart: 2026-01\nend: 2027-12\ncolour: blue\n")
    out = tmp_path / "out.csv"
    result = cli("run", str(path), "--out", str(out))
    assert result.returncode != 0 and not out.exists() and "Traceback" not in result.stderr


def test_run_refuses_unknown_suffix(tmp_path):
    result = cli("run", BASELINE, "--runs", "2", "--out", str(tmp_path / "x.xlsx"))
    assert result.returncode == 2 and "must end in .csv or .parquet" in result.stderr


def test_parquet_month_is_text_that_compares_and_sorts(tmp_path):
    """``month`` in the Parquet output is text: min/max and comparisons with any month work."""
    path = tmp_path / "x.parquet"
    assert main(["run", BASELINE, "--runs", "2", "--seed", "3", "--out", str(path)]) == 0
    df = pd.read_parquet(path)
    assert df.month.min() == "2026-01" and df.month.max() == "2030-12"
    assert df[df.month >= "2027-01"].month.min() == "2027-01"
    assert df[df.month >= "2031-01"].empty  # a month outside the run: no error, no rows


SEEDED = {
    "run": ["run", BASELINE, "--runs", "2"],
    "sensitivity": ["sensitivity", BASELINE, "--samples", "2", "--replicates", "2", "--params", "travel"],
    "calibrate": ["calibrate", str(ROOT / "scenarios" / "history-2012-2025.yaml"), "--population", "4",
                  "--generations", "1"],
    "backtest": ["backtest", str(ROOT / "scenarios" / "history-2012-2025.yaml"), "--quick", "--origins", "2015-12"],
    "game new": ["game", "new", BASELINE, "--turns", "2"],
}


@pytest.mark.parametrize("seed", ["-1", "99999999999999999999", "seven"])
@pytest.mark.parametrize("command", sorted(SEEDED))
def test_a_seed_outside_its_range_is_refused_before_anything_runs(tmp_path, capsys, command, seed):
    """A negative or oversized seed is one line and exit 2, before anything runs or is stored.

    Numpy refused a negative seed only mid-run (a traceback), and ``game new --seed -1`` stored
    a game that failed at its first resolve.
    """
    db = tmp_path / "games.db"
    extra = ["--db", str(db)] if command == "game new" else ["--out", str(tmp_path / "x.json")]
    if command == "calibrate":
        extra = ["--out-dir", str(tmp_path), "--db-dir", str(tmp_path)]
    with pytest.raises(SystemExit) as stop:
        main([*SEEDED[command], *extra, "--seed", seed])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --seed: '{seed}' is not a whole number from 0 to 4294967295" in err
    assert not db.exists() and not (tmp_path / "x.json").exists()


def test_an_output_that_cannot_be_written_is_one_line_not_a_traceback(tmp_path, capsys):
    """``--out`` under a path that is a file (or read-only, or full): the system's reason, exit 1."""
    (tmp_path / "afile").write_text("")
    for out in (tmp_path / "afile" / "x.csv", tmp_path / "afile" / "x.parquet"):
        assert main(["run", BASELINE, "--runs", "2", "--out", str(out)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ") and "Not a directory" in err[0], err


HISTORY = str(ROOT / "scenarios" / "history-2012-2025.yaml")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["calibrate", BASELINE], f"{BASELINE} does not run from 2012-09 to 2019-10"),
        (["backtest", BASELINE, "--quick", "--origins", "2015-12"], f"{BASELINE} does not run from 2012-09"),
        (["calibrate", HISTORY, "--until", "2012-01"], "the first ends 2012-10): there is nothing to calibrate on"),
        (["calibrate", HISTORY, "--until", "garbage"], "--until: 'garbage' is not a month (YYYY-MM)"),
        (["calibrate", HISTORY, "--population", "3"], "--population must be at least 4"),
        (["calibrate", HISTORY, "--generations", "0"], "--generations must be at least 1"),
    ],
)
def test_calibrate_and_backtest_refuse_what_they_cannot_fit_in_one_line(tmp_path, capsys, args, expected):
    """A scenario or window the calibration cannot fit is one line, exit 2, nothing written.

    A scenario that is not the replay, or a window with no poll, failed deep in the sampler with
    a traceback; --population 3 and --generations 0 were answered with other commands' options.
    """
    out = ["--out-dir", str(tmp_path), "--db-dir", str(tmp_path)] if args[0] == "calibrate" else \
        ["--out", str(tmp_path / "bt.json")]
    assert main([*args, *out, "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0], err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["99999", "-1", "http"])
def test_app_refuses_a_port_that_cannot_exist_in_one_line(value):
    """Streamlit's own refusal of ``--port 99999`` was an OverflowError traceback."""
    result = cli("app", "--port", value)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument --port: '{value}' is not a whole number from 1 to 65535" in result.stderr


def test_validate_a_catalogue_folder_that_is_not_there_is_one_line(tmp_path, capsys):
    """It was twelve: 'no such file' and 'this field is required' for each of six catalogue files."""
    missing = tmp_path / "nowhere"
    assert main(["validate", "--catalogue", str(missing)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"error: {missing}: no such directory"]


def test_sensitivity_samples_zero_is_refused_not_read_as_the_default(tmp_path, capsys):
    """``--samples 0`` ran the default design (110 samples x 10 runs here) instead of refusing."""
    out = tmp_path / "s.csv"
    args = ["sensitivity", BASELINE, "--params", "travel", "--samples", "0", "--out", str(out)]
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == "error: Use at least 2 samples and 1 replicate per sample."
    assert not out.exists()


@pytest.mark.parametrize("value", ["notaurl", "ftp://school.example/", "http://", "http://host:99999", "http://host/?a=1"])
@pytest.mark.parametrize("command", [["game", "new", "baseline-2026"], ["app"]])
def test_a_links_address_that_no_device_can_open_is_refused(tmp_path, capsys, command, value):
    """``--base-url notaurl`` was taken, and ``game new`` stored a game and printed links to nowhere."""
    db = tmp_path / "games.db"
    with pytest.raises(SystemExit) as stop:
        main([*command, "--db", str(db), "--base-url", value])
    assert stop.value.code == 2
    assert f"argument --base-url: '{value}' is not a web address" in capsys.readouterr().err
    assert not db.exists()


def test_a_links_address_is_kept_without_its_trailing_slash(tmp_path, capsys):
    assert main(["game", "new", "baseline-2026", "--db", str(tmp_path / "g.db"),
                 "--base-url", "https://school.example/rapprochement/"]) == 0
    assert '"https://school.example/rapprochement/play?' in capsys.readouterr().out


def test_app_warns_at_start_when_the_game_database_cannot_be_used(tmp_path):
    """A nonsense or unreachable ``--db`` started the app without a word (QA, 2026-12-01)."""
    from model.cli.app import _database_problem

    assert _database_problem(f"sqlite:///{tmp_path / 'games.db'}") is None
    nowhere = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # port 1: refused at once
    problem = _database_problem(nowhere)
    assert problem and "127.0.0.1:1" in problem and "cannot be used" in problem
    assert "cannot be used" in _database_problem("notadriver://x")
