"""The game store on SQLite and on a real PostgreSQL: codes, append-only log, concurrency."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from model.game.errors import AccessDenied, UnknownGame
from model.game.store import DEFAULT_PATH, ENV_VAR, GameStore, database_url

SEATS = ["seoul", "tokyo", "washington", "kr_public", "jp_public"]


@pytest.fixture
def store(db_url: str):
    s = GameStore(db_url)
    yield s
    s.dispose()


def new_game(store: GameStore):
    return store.create_game("title: test\n", seed=11, config={"turns": 4}, roles=SEATS)


def test_codes_open_their_own_role_only(store):
    """Each code opens exactly its role; codes are case- and space-insensitive."""
    g = new_game(store)
    assert store.role_of(g.id, g.instructor_code) == "instructor"
    for seat, code in g.seat_codes.items():
        assert store.role_of(g.id, code) == seat
        assert store.role_of(g.id, f"  {code.upper()} ") == seat
    assert len({g.instructor_code, *g.seat_codes.values()}) == len(SEATS) + 1


def test_wrong_missing_or_foreign_code_is_refused(store):
    """A wrong, empty or other game's code is refused with a named error."""
    g1, g2 = new_game(store), new_game(store)
    for bad in ["", "   ", None, "abcdefghjkmn", g2.seat_codes["seoul"]]:
        with pytest.raises(AccessDenied):
            store.role_of(g1.id, bad)
    with pytest.raises(UnknownGame):
        store.role_of("nosuchgame", g1.instructor_code)


def test_codes_are_stored_only_as_digests(store):
    """No code appears in clear anywhere in the database."""
    g = new_game(store)
    with store.engine.connect() as conn:
        dump = repr(conn.execute(sa.text("SELECT * FROM game_codes")).all())
        dump += repr(conn.execute(sa.text("SELECT * FROM games")).all())
    for code in [g.instructor_code, *g.seat_codes.values()]:
        assert code not in dump


def test_log_is_ordered_and_gapless(store):
    """Entries come back in the order written, numbered 1..n per game."""
    g1, g2 = new_game(store), new_game(store)
    for i in range(5):
        store.append(g1.id, "submission", 0, "seoul", {"decisions": [f"d{i}"]})
    store.append(g2.id, "start", 0, "instructor")
    log = store.entries(g1.id)
    assert [e.seq for e in log] == [1, 2, 3, 4, 5]
    assert [e.payload["decisions"] for e in log] == [[f"d{i}"] for i in range(5)]
    assert store.last_seq(g1.id) == 5 and store.last_seq(g2.id) == 1
    assert [e.seq for e in store.entries(g1.id, after_seq=3)] == [4, 5]


def test_once_key_lets_an_action_in_once(store):
    """A second resolve of the same turn and branch is not stored."""
    g = new_game(store)
    first = store.append(g.id, "resolve", 0, "instructor", {}, once_key="resolve:0:0")
    again = store.append(g.id, "resolve", 0, "instructor", {}, once_key="resolve:0:0")
    other = store.append(g.id, "resolve", 1, "instructor", {}, once_key="resolve:0:1")
    assert first is not None and again is None and other is not None
    assert [e.turn for e in store.entries(g.id)] == [0, 1]


def test_simultaneous_submissions_all_land(store):
    """Twelve threads appending at the same moment: every entry lands, numbers unique."""
    g = new_game(store)
    n = 12
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def submit(i: int) -> None:
        try:
            barrier.wait()
            store.append(g.id, "submission", 0, SEATS[i % 5], {"decisions": [f"d{i}"]})
        except BaseException as err:  # reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    log = store.entries(g.id)
    assert sorted(e.seq for e in log) == list(range(1, n + 1))
    assert sorted(e.payload["decisions"][0] for e in log) == sorted(f"d{i}" for i in range(n))


def test_simultaneous_resolves_resolve_once(store):
    """Eight threads resolving the same turn at once: exactly one entry goes in."""
    g = new_game(store)
    n = 8
    barrier = threading.Barrier(n)
    results: list[object] = []

    def resolve() -> None:
        barrier.wait()
        results.append(store.append(g.id, "resolve", 0, "instructor", {}, once_key="r:0:0"))

    threads = [threading.Thread(target=resolve) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert len(store.entries(g.id)) == 1


def test_a_new_store_on_the_same_database_sees_everything(store, db_url):
    """A restarted server (a new store object) reads the same games, codes and log."""
    g = new_game(store)
    store.append(g.id, "submission", 0, "tokyo", {"decisions": ["x"]})
    store.dispose()
    again = GameStore(db_url)
    try:
        assert again.game(g.id).seed == 11
        assert again.game(g.id).config == {"turns": 4}
        assert again.role_of(g.id, g.seat_codes["tokyo"]) == "tokyo"
        assert [e.payload for e in again.entries(g.id)] == [{"decisions": ["x"]}]
    finally:
        again.dispose()


def test_bad_appends_change_nothing(store):
    """An unknown kind or game is refused and the log stays as it was."""
    g = new_game(store)
    with pytest.raises(ValueError):
        store.append(g.id, "explode", 0)
    with pytest.raises(UnknownGame):
        store.append("nosuchgame", "start", 0)
    with pytest.raises(UnknownGame):
        store.game("nosuchgame")
    assert store.entries(g.id) == []


def test_database_url_defaults_and_environment(tmp_path, monkeypatch):
    """No URL: $RAPPROCHEMENT_DB, else var/games.db under the current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert database_url() == f"sqlite:///{tmp_path / DEFAULT_PATH}"
    assert (tmp_path / "var").is_dir()
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere" / "g.db"))
    assert database_url() == f"sqlite:///{tmp_path / 'elsewhere' / 'g.db'}"
    monkeypatch.setenv(ENV_VAR, "postgresql+psycopg://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_stores_opened_at_once_on_a_new_database_all_work(db_url):
    """Servers and commands starting together on an empty database each get a working store."""
    stores: list[GameStore] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(6)

    def open_store():
        barrier.wait()
        try:
            stores.append(GameStore(db_url))
        except BaseException as err:  # collected: the assertion below names it
            failures.append(err)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert failures == []
        g = new_game(stores[0])
        assert all(s.game(g.id).seed == 11 for s in stores)
    finally:
        for s in stores:
            s.dispose()
