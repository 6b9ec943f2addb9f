"""``rapprochement game new|show``: the JSON shapes other tools rely on, and clean errors."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

from model.cli import main
from model.game.engine import Game
from model.game.store import GameStore


def run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


@pytest.fixture
def scenario_file(tmp_path, scenario_text):
    path = tmp_path / "class.yaml"
    path.write_text(scenario_text)
    return path


def test_new_prints_codes_and_links_that_open_each_role(capsys, db_url, scenario_file):
    """The printed JSON has the issue's shape and each link carries its game and code."""
    code, data, _ = run(
        capsys,
        "game",
        "new",
        str(scenario_file),
        "--seats",
        "seoul,tokyo,kr_public",
        "--turns",
        "3",
        "--db",
        db_url,
        "--base-url",
        "http://class.example:8600",
    )
    assert code == 0
    assert set(data) >= {"game", "instructor", "seats"}
    assert set(data["seats"]) == {"seoul", "tokyo", "kr_public"}
    store = GameStore(db_url)
    try:
        for role, entry in [("instructor", data["instructor"]), *data["seats"].items()]:
            url = urlparse(entry["link"])
            query = parse_qs(url.query)
            assert url.netloc == "class.example:8600"
            assert url.path == ("/instructor" if role == "instructor" else "/play")
            assert query == {"game": [data["game"]], "code": [entry["code"]]}
            assert store.role_of(data["game"], entry["code"]) == role
    finally:
        store.dispose()


def test_show_prints_the_log_with_decisions(capsys, db_url, scenario_file):
    """After a turn, show lists submission, resolve and the fate of each submission."""
    _, new, _ = run(capsys, "game", "new", str(scenario_file), "--seats", "seoul", "--db", db_url)
    store = GameStore(db_url)
    try:
        game, boss, seoul = Game(store, new["game"]), new["instructor"]["code"], new["seats"]["seoul"]["code"]
        game.start(boss)
        game.submit(seoul, ["seoul_dokdo_visit"], turn=0)
        game.submit(seoul, ["seoul_propose_summit", "seoul_trilateral_exercise"], "We talk.", turn=0)
        game.inject(boss, "nuclear_test")
        game.resolve(boss, 0)
    finally:
        store.dispose()
    code, shown, _ = run(capsys, "game", "show", new["game"], "--db", db_url)
    assert code == 0
    assert shown["game"] == new["game"] and shown["turn"] == 1
    kinds = [e["kind"] for e in shown["log"]]
    assert kinds == ["start", "submission", "submission", "inject", "resolve"]
    subs = [e for e in shown["log"] if e["kind"] == "submission"]
    assert [s["decisions"] for s in subs] == [
        ["seoul_dokdo_visit"],
        ["seoul_propose_summit", "seoul_trilateral_exercise"],
    ]
    assert [s["fate"] for s in subs] == ["replaced", "counted"]
    assert all(e["seat"] == "seoul" and e["turn"] == 0 for e in subs)
    assert shown["log"][3]["event"] == "nuclear_test"


@pytest.mark.parametrize(
    "argv",
    [
        ["game", "show", "nosuchgame"],
        ["game", "new", "no-such-scenario"],
        ["game", "new", "{scenario}", "--seats", "seoul,moscow"],
        ["game", "new", "{scenario}", "--turns", "999"],
    ],
)
def test_bad_requests_print_one_line_and_exit_2(capsys, tmp_path, scenario_file, argv):
    """Unknown games, scenarios, seats or impossible turns: a message, no traceback, no JSON."""
    db = str(tmp_path / "cli.db")
    argv = [a.replace("{scenario}", str(scenario_file)) for a in argv]
    code, data, err = run(capsys, *argv, "--db", db)
    assert code == 2 and data is None
    assert err.startswith("error: ") and "Traceback" not in err and "game.error" not in err


@pytest.mark.parametrize(
    "db",
    ["postgres://teacher:secret@localhost/games", "postgresql+psycopg://teacher:secret@localhost:port/games"],
)
def test_a_mistyped_database_url_is_a_message_without_the_password(capsys, db):
    """A URL SQLAlchemy cannot use (an old scheme, a bad port): one line that hides the password."""
    code, data, err = run(capsys, "game", "show", "anygame", "--db", db)
    assert code == 2 and data is None
    assert err.startswith("error: ") and "Traceback" not in err and "secret" not in err


def test_a_database_path_that_cannot_be_made_is_a_message(capsys, tmp_path):
    """A SQLite path under a plain file: the database message, not a traceback."""
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    for argv in (["game", "show", "anygame"], ["game", "new", "baseline-2026"]):
        code, data, err = run(capsys, *argv, "--db", str(tmp_path / "notes.txt" / "games.db"))
        assert code == 2 and data is None
        assert err.startswith("error: ") and "Traceback" not in err and "notes.txt" in err


def test_show_on_a_missing_database_says_so_and_creates_nothing(capsys, tmp_path, monkeypatch):
    """Issue 14: ``game show`` from another folder made ./var/games.db and said "ask your instructor"."""
    from model.game.store import ENV_VAR
    from model.i18n import tr

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    code, data, err = run(capsys, "game", "show", "abcd1234")
    assert code == 2 and data is None
    expected = tr("game.error.no_database", url=str(tmp_path / "var" / "games.db"))
    assert err.strip() == f"error: {expected}"
    assert not (tmp_path / "var").exists()
    code, _, err = run(capsys, "game", "show", "abcd1234", "--db", str(tmp_path / "elsewhere.db"))
    assert code == 2 and str(tmp_path / "elsewhere.db") in err and not (tmp_path / "elsewhere.db").exists()
