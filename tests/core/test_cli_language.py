"""The command line speaks the user's language (--lang, else LANG); its data is the same in all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from model import i18n
from model.cli import main
from tests.support.languages import ALLOWED, english_left

ROOT = Path(__file__).resolve().parents[2]
BASELINE = str(ROOT / "scenarios" / "baseline-2026.yaml")


@pytest.fixture
def locale(monkeypatch):
    """Set the shell's locale as a user in Seoul or Tokyo would (LANGUAGE unset)."""

    def use(value: str) -> None:
        for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("LANG", value)

    return use


def test_validate_says_ok_in_the_language_of_lang(locale, capsys):
    locale("ko_KR.UTF-8")
    assert main(["validate", BASELINE]) == 0
    assert "이상 없음" in capsys.readouterr().out
    locale("ja_JP.UTF-8")
    assert main(["validate", BASELINE]) == 0
    assert "問題なし" in capsys.readouterr().out


def test_the_lang_option_wins_over_the_environment(locale, capsys):
    locale("ko_KR.UTF-8")
    assert main(["--lang", "ja", "run", BASELINE, "--runs", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("エラー：") and "--runs" in err
    assert i18n.current_language() == "en"  # the choice does not leak past the command


def test_an_unknown_locale_gives_english(locale, capsys):
    locale("fr_FR.UTF-8")
    assert main(["run", BASELINE, "--runs", "0"]) == 2
    assert capsys.readouterr().err.startswith("error: --runs")


def test_the_table_is_the_same_bytes_in_every_language(capsys):
    """The CSV a script reads does not change with the language of the messages."""
    out = {}
    for lang in i18n.LANGUAGES:
        assert main(["--lang", lang, "run", BASELINE, "--runs", "2", "--seed", "3"]) == 0
        out[lang] = capsys.readouterr().out
    assert out["ko"] == out["en"] == out["ja"]
    assert out["en"].startswith("run,month,variable,value\n")


def test_game_errors_follow_the_language(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'g.db'}"
    assert main(["--lang", "ko", "game", "show", "nosuchgame", "--db", db]) == 2
    assert "게임 데이터베이스가 없습니다" in capsys.readouterr().err  # game show creates no database
    from model.game.store import GameStore

    GameStore(db).dispose()  # now there is one, without that game
    assert main(["--lang", "ko", "game", "show", "nosuchgame", "--db", db]) == 2
    assert "게임이 없습니다" in capsys.readouterr().err


def test_game_json_has_the_same_shape_in_every_language(tmp_path, capsys):
    shapes = []
    for lang in i18n.LANGUAGES:
        db = f"sqlite:///{tmp_path / f'{lang}.db'}"
        args = ["game", "new", "baseline-2026", "--seats", "seoul", "--seed", "1", "--db", db]
        assert main(["--lang", lang, *args]) == 0
        data = json.loads(capsys.readouterr().out)
        shapes.append((sorted(data), sorted(data["seats"]), sorted(data["viewer"])))
    assert shapes[0] == shapes[1] == shapes[2]


BAD = """\
id: bad
title: Bad
question: Why?
start: 2026-01
end: 2026-12
colour: blue
events:
  - {month: 2026-03, type: alien_landing}
  - {month: 2031-01, type: nuclear_test}
initial: {mood: 3}
actors: {seoul: {camp: monarchist}}
"""


def test_scenario_errors_keep_file_line_and_field_in_every_language(tmp_path, capsys):
    """One line per problem from validate: file:line: field, then the message in the user's language."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    lines = {}
    for lang in i18n.LANGUAGES:
        assert main(["--lang", lang, "validate", str(bad)]) == 1
        lines[lang] = capsys.readouterr().err.strip().splitlines()
    assert len(lines["en"]) == len(lines["ko"]) == len(lines["ja"]) == 5
    prefix = [line.split(": ")[0:2] for line in lines["en"]]
    for lang in ("ko", "ja"):
        assert [line.split(": ")[0:2] for line in lines[lang]] == prefix  # same file:line: field
    assert f"{bad}:8: events[0].type: unknown event type 'alien_landing'" in lines["en"]
    assert any("알 수 없는 사건 유형입니다" in line and "alien_landing" in line for line in lines["ko"])
    assert any("不明な項目です" in line and "colour" in line for line in lines["ja"])
    assert any("다음 가운데 하나여야 합니다" in line and "monarchist" not in line for line in lines["ko"])


def test_help_and_argument_errors_follow_the_language(locale, capsys):
    """A teacher in Tokyo reads `game new --help` in Japanese; argparse's own words included."""
    with pytest.raises(SystemExit):
        main(["--lang", "ja", "game", "new", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("使い方: rapprochement game new")
    assert "参加リンクが開く言語" in out and "オプション:" in out
    locale("ko_KR.UTF-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["run"])
    assert exit_info.value.code == 2
    assert "오류: 다음 인수가 필요합니다: scenario" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "en", "run"])
    assert "error: the following arguments are required: scenario" in capsys.readouterr().err


def _help(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


# The table's columns and the coefficient groups are names a script uses: they stay as written.
CODES = ("ABC-SMC", "run, month, variable, value", "dynamics, equilibrium, public, travel, rule, rate, election")
# Every command a user types, with its --help (the game's subcommands included).
COMMANDS = [[], ["app"], ["proxy"], ["backtest"], ["calibrate"], ["game"], ["game", "new"], ["game", "show"],
            ["run"], ["validate"], ["sensitivity"]]


@pytest.mark.parametrize("lang", ["ko", "ja"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c) or "top")
def test_every_commands_help_is_written_in_the_language(lang, command, capsys, monkeypatch):
    """No English sentence is left in any command's help (names, codes and metavars may stay)."""
    monkeypatch.setenv("COLUMNS", "2000")  # one line per option: a list is not cut in two
    text = _help(["--lang", lang, *command], capsys)
    # argparse's usage line lists the options' own names and metavars; the rest is prose
    prose = text.split("\n\n", 1)[1]
    # the options' names and metavars, {choice,lists} and seoul,tokyo lists are not prose
    prose = re.sub(r"(?m)^\s+-[^ ]+(?: [A-Z][A-Z_:=,.]*)*(?:, -[^ ]+(?: [A-Z][A-Z_:=,.]*)*)*", " ", prose)
    prose = re.sub(r"\{[^}]*\}|\b\w+(?:,\w+)+\b", " ", prose)
    left = english_left(prose, ALLOWED + CODES)
    assert not left, left
    assert "%%" not in text  # a description is not %-formatted: a doubled percent shows as such


def test_the_backtests_errors_follow_the_language(capsys):
    history = str(ROOT / "scenarios" / "history-2012-2025.yaml")
    assert main(["--lang", "ko", "backtest", history, "--origins", "2020-01"]) == 2
    assert "학습 기간이나 시험 기간이 남지 않습니다" in capsys.readouterr().err
    assert main(["--lang", "ja", "backtest", history, "--origins", "2015-13"]) == 2
    assert "月（YYYY-MM）ではありません" in capsys.readouterr().err
    assert main(["--lang", "ja", "backtest", history, "--runs", "2"]) == 2
    assert "4以上にしてください" in capsys.readouterr().err


def _literal_words(node) -> str:  # noqa: ANN001 - an ast node
    """The words a str literal or f-string writes itself (its values left out)."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(_literal_words(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) + " " + _literal_words(node.right)
    return ""


def test_every_message_of_the_command_line_goes_through_the_translation_layer():
    """No line the CLI prints (a note, progress, an error) is English written into the code.

    Every ``print``, ``say`` and error the command line raises or the server module's errors
    take their words from ``tr``; a literal may hold only values and punctuation.
    """
    import ast

    speakers = {"print", "say", "relay", "UserError", "ValueError", "SystemExit"}  # GameError takes a key
    english = []
    files = [*sorted((ROOT / "model" / "cli").glob("*.py")), ROOT / "model" / "serving.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if isinstance(node, ast.Call) and name in speakers:
                for arg in node.args:
                    words = re.findall(r"[A-Za-z]{2,}", _literal_words(arg))
                    if len(words) >= 2:
                        english.append(f"{path.name}:{node.lineno}: {' '.join(words)}")
    assert not english, f"put these through model.i18n.tr (en, ko and ja): {english}"


@pytest.mark.slow
@pytest.mark.parametrize("lang, command", [("ko", "calibrate"), ("ja", "backtest")])
def test_calibrate_and_backtest_speak_the_language_line_by_line(lang, command, tmp_path, capsys):
    """Every line calibrate and backtest print, the analysis's progress included, reads in the language.

    A tiny calibration, run twice (the second resumes); a quick backtest with every fading rule.
    """
    history = str(ROOT / "scenarios" / "history-2012-2025.yaml")
    if command == "calibrate":
        calibrate = ["--lang", lang, "calibrate", history, "--population", "8", "--generations", "2",
                     "--out-dir", str(tmp_path), "--db-dir", str(tmp_path)]
        assert main(calibrate) == 0
        assert main(calibrate) == 0  # resumes
    else:
        assert main(["--lang", lang, "backtest", history, "--quick", "--origins", "2016-12", "--population", "8",
                     "--generations", "4", "--runs", "8", "--out", str(tmp_path / "bt.json"), "--alternatives"]) == 0
    captured = capsys.readouterr()
    lines = [line for line in (captured.err + captured.out).splitlines() if line.strip()]
    assert len(lines) > 10
    script = re.compile(r"[\uac00-\ud7a3]" if lang == "ko" else r"[\u3040-\u30ff\u4e00-\u9fff]")
    left = [line for line in lines if english_left(line, ALLOWED + CODES) or not script.search(line)]
    assert not left, left
