"""A game that reaches the room (issue 15): crises at once, each turn's clock, links that work.

Each test reproduces one finding of the issue: an injected event invisible until the resolve
(and unanswerable in its turn), minutes per turn chosen at creation and never applied, a
rewind's deadline, ``game new`` with another database and localhost links than the server it
is meant for, and without the browser form's rule profiles and deadline.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from model.cli import main
from model.game.engine import Game
from model.game.errors import GameError
from model.game.replay import read_log
from model.game.setup import create_game
from model.game.store import GameStore, LogEntry, database_url
from model.game.world import WORLDS
from model.serving import STATE_ENV, is_local, links_base, record_server, running_servers

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def open_game(store, scenario_text, humans=("seoul", "tokyo"), **options):
    new = create_game(store, scenario_text, list(humans), seed=8, turns=3, **options)
    game = Game(store, new.id)
    game.start(new.instructor_code)
    return game, new


# ----- crises reach the room -------------------------------------------------------------


def test_an_injected_event_shows_at_once_and_is_the_same_at_the_resolve(sqlite_store, scenario_text):
    """The world of the open turn carries the event now; resolving gives what a cold replay gives."""
    game, new = open_game(sqlite_store, scenario_text)
    calm = game.world()
    game.inject(new.instructor_code, "nuclear_test")
    hot = game.world()
    assert hot.injects == ("nuclear_test",)
    assert hot.value("nk_threat") > calm.value("nk_threat")  # before any resolve
    assert hot.advice["washington"] != calm.advice["washington"]  # the advisers see it too
    game.submit(new.seat_codes["seoul"], ["seoul_trilateral_exercise"], turn=0)
    assert game.resolve(new.instructor_code, 0)
    live = game.world()
    WORLDS.clear()
    cold = Game(sqlite_store, game.id).world()
    pd.testing.assert_frame_equal(live.trajectory, cold.trajectory)
    pd.testing.assert_frame_equal(live.ledger, cold.ledger)
    assert [o.decisions for o in live.outcomes] == [o.decisions for o in cold.outcomes]


def test_teams_can_answer_a_crisis_in_its_own_turn(sqlite_store, scenario_text):
    """A boycott injected now opens 'discourage the boycott' to Seoul in this very turn."""
    game, new = open_game(sqlite_store, scenario_text)
    seoul = new.seat_codes["seoul"]
    assert game.world().available("seoul")["seoul_discourage_boycott"] is False
    with pytest.raises(GameError) as refused:
        game.submit(seoul, ["seoul_discourage_boycott"], turn=0)
    assert refused.value.key == "game.error.unavailable"
    game.inject(new.instructor_code, "boycott_start")
    assert game.world().available("seoul")["seoul_discourage_boycott"] is True
    game.submit(seoul, ["seoul_discourage_boycott"], "Keep politics out of shopping.", turn=0)
    assert game.resolve(new.instructor_code, 0)
    outcome = game.world().outcomes[0]
    assert outcome.decisions["seoul"] == ("seoul_discourage_boycott",)
    assert {"boycott_start", "seoul_discourage_boycott"} <= {o.id for o in outcome.occurrences}


# ----- each turn's clock -----------------------------------------------------------------


def entries(*rows) -> list[LogEntry]:
    """Log entries from (minutes after T0, kind, turn, payload)."""
    return [
        LogEntry("g", i + 1, turn, kind, "instructor", payload, T0 + timedelta(minutes=m))
        for i, (m, kind, turn, payload) in enumerate(rows)
    ]


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def test_minutes_per_turn_start_each_turns_deadline():
    """Start, each resolve and a rewind open a turn with its full minutes; a pause stops the clock."""
    log = entries(
        (0, "start", 0, {}),
        (4, "resolve", 0, {"human": {}, "branch": 0}),
        (6, "pause", 1, {}),
        (9, "resume", 1, {}),
        (12, "resolve", 1, {"human": {}, "branch": 0}),
        (13, "rewind", 2, {"to_turn": 1, "branch": 0}),
    )
    deadlines = [read_log(log[: k + 1], turns=3, turn_minutes=10).deadline for k in range(len(log))]
    assert deadlines == [at(10), at(14), at(14), at(17), at(22), at(23)]
    assert read_log(log, turns=3).deadline is None  # a game without minutes per turn has none
    short = entries((0, "start", 0, {}), (4, "resolve", 0, {"human": {}}), (5, "resolve", 1, {"human": {}}))
    ended = read_log(short, turns=2, turn_minutes=10)
    assert ended.status == "ended" and ended.deadline is None  # no clock once the game is over


def test_the_teachers_deadline_still_wins_and_the_game_applies_its_minutes(sqlite_store, scenario_text):
    """A game created with minutes per turn has a deadline from its start; the teacher can clear it."""
    new = create_game(sqlite_store, scenario_text, ["seoul"], seed=1, turns=3, deadline_minutes=15)
    game = Game(sqlite_store, new.id)
    assert game.timeline().deadline is None  # the lobby has no clock
    game.start(new.instructor_code)
    left = datetime.fromisoformat(game.timeline().deadline) - datetime.now(UTC)
    assert timedelta(minutes=14) < left <= timedelta(minutes=15)
    game.set_deadline(new.instructor_code, None)
    assert game.timeline().deadline is None
    with pytest.raises(GameError):
        create_game(sqlite_store, scenario_text, ["seoul"], turns=3, deadline_minutes=500)


# ----- game new: the server's defaults and the form's options ---------------------------


@pytest.fixture
def state(tmp_path, monkeypatch):
    """A state folder of its own (no record of a real server leaks in)."""
    folder = tmp_path / "state"
    monkeypatch.setenv(STATE_ENV, str(folder))
    return folder


@pytest.fixture
def a_server():
    """A process that looks like a running app server (its command line names rapprochement)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "rapprochement"])
    yield proc.pid
    proc.kill()
    proc.wait()


def run_cli(capsys, *argv):
    import json

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_game_new_takes_the_running_servers_database_and_address(capsys, tmp_path, monkeypatch, state, a_server):
    """Run elsewhere, without --db or --base-url: the game lands where the server reads, links as it serves."""
    db = database_url(tmp_path / "served" / "games.db")
    record_server(a_server, 8501, "http://192.168.10.7:8501", db)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("RAPPROCHEMENT_DB", raising=False)
    code, data, err = run_cli(capsys, "game", "new", "baseline-2026", "--seats", "seoul", "--turns", "2")
    assert code == 0, err
    assert data["seats"]["seoul"]["link"].startswith("http://192.168.10.7:8501/play?")
    assert "192.168.10.7" in err and "warning" not in err
    store = GameStore(db)
    try:
        assert Game(store, data["game"]).turns == 2
    finally:
        store.dispose()
    assert not (elsewhere / "var").exists()


def test_without_a_server_game_new_warns_that_localhost_links_reach_no_student(capsys, tmp_path, state):
    """No server running: the links fall back to localhost, and stderr says students cannot open them."""
    db = str(tmp_path / "g.db")
    code, data, err = run_cli(capsys, "game", "new", "baseline-2026", "--seats", "seoul", "--db", db)
    assert code == 0 and data["seats"]["seoul"]["link"].startswith("http://localhost:8501/")
    assert err.startswith("warning: ") and "--classroom" in err


def test_game_new_takes_the_forms_rule_profiles_and_deadline(capsys, tmp_path, state):
    """--profile and --deadline do what the browser form's choices do."""
    db = str(tmp_path / "g.db")
    code, data, err = run_cli(
        capsys, "game", "new", "baseline-2026", "--seats", "seoul", "--db", db, "--base-url", "http://10.0.0.2:8501",
        "--profile", "tokyo:stance=hawkish", "--profile", "washington:stance=transactional", "--deadline", "12",
    )  # fmt: skip
    assert code == 0, err
    store = GameStore(db)
    try:
        config = Game(store, data["game"]).config
    finally:
        store.dispose()
    assert config["seats"]["tokyo"] == {"player": "rule", "profile": {"stance": "hawkish"}}
    assert config["seats"]["washington"]["profile"] == {"stance": "transactional"}
    assert config["deadline_minutes"] == 12
    for bad in (["--profile", "tokyo"], ["--profile", "tokyo:mood=grim"], ["--profile", "seoul:camp=conservative"]):
        code, data, err = run_cli(capsys, "game", "new", "baseline-2026", "--seats", "seoul", "--db", db, *bad)
        assert code == 2 and data is None and err.startswith("error: ") and err.count("\n") == 1, (bad, err)


# ----- where links point -----------------------------------------------------------------


def test_links_point_at_the_network_address_when_serving_a_class(monkeypatch):
    """Listening on every interface: links at the machine's network address; localhost is flagged."""
    import model.serving as serving

    monkeypatch.setattr(serving, "lan_address", lambda: "192.168.1.23")
    assert links_base("0.0.0.0", 8501) == "http://192.168.1.23:8501"
    assert links_base("127.0.0.1", 8600) == "http://127.0.0.1:8600"
    assert links_base("0.0.0.0", 8501, "https://school.example/app/") == "https://school.example/app"
    for local in ("http://localhost:8501/play", "http://127.0.0.1:8501", "http://[::1]:8501", "0.0.0.0"):
        assert is_local(local), local
    for remote in ("http://192.168.1.23:8501", "https://school.example", "10.0.0.5"):
        assert not is_local(remote), remote


def test_the_server_record_names_only_running_servers(state, a_server):
    """A record whose process is gone is not a running server."""
    record_server(a_server, 8501, "http://10.1.1.1:8501", "sqlite:////tmp/a.db")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    record_server(int(gone.stdout), 8502, "http://10.1.1.1:8502", "sqlite:////tmp/b.db")
    assert [r.port for r in running_servers()] == [8501]


def test_classroom_mode_listens_on_the_network_and_links_to_this_machine(tmp_path, monkeypatch, state, capsys):
    """``app --classroom``: every interface, links at the network address, a record for game new."""
    import model.cli.app as app
    import model.serving as serving

    monkeypatch.setattr(serving, "lan_address", lambda: "192.168.7.40")
    started = {}

    def execve(path, argv, env):
        started.update(argv=argv, env=env)
        raise SystemExit(0)  # stands for becoming Streamlit

    monkeypatch.setattr(app.os, "execve", execve)
    with pytest.raises(SystemExit):
        main(["app", "--classroom", "--port", "8620", "--db", str(tmp_path / "class.db")])
    argv, env = started["argv"], started["env"]
    assert argv[argv.index("--server.address") + 1] == "0.0.0.0"
    assert env[serving.BASE_URL_ENV] == "http://192.168.7.40:8620"
    assert env["RAPPROCHEMENT_DB"] == database_url(tmp_path / "class.db")
    import json

    record = json.loads((state / "servers" / "8620.json").read_text())  # what game new will read
    assert record["base_url"] == "http://192.168.7.40:8620" and record["db"] == env["RAPPROCHEMENT_DB"]
    assert "192.168.7.40:8620" in capsys.readouterr().err
