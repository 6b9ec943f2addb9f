"""The game store: games, their access codes and their append-only logs, in SQL.

SQLite by default, at ``var/games.db`` under the current directory (or wherever
``$RAPPROCHEMENT_DB`` points: a path or a SQLAlchemy URL), PostgreSQL when given a URL such as
``postgresql+psycopg://user@host/db``. Rows are only ever inserted, never updated or deleted:
the log is the game, and every state is rebuilt from it (see :mod:`model.game.replay`).

Concurrency, which a class of thirty laptops produces:

- Each entry gets the next sequence number of its game inside one transaction. Two writers that
  draw the same number collide on the primary key ``(game, seq)``; the loser retries, so both
  entries land (SQLite transactions are ``BEGIN IMMEDIATE``, so there they simply queue).
- An action that must happen once (resolving turn 3, ending the game) carries a ``once_key``
  that is unique per game. The insert is ``ON CONFLICT (game, once_key) DO NOTHING RETURNING
  seq``: an empty result means somebody else did it first. ``RETURNING`` is needed because
  psycopg reports rowcount -1 for ``ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, ProgrammingError

from model.game.codes import derive_code, hash_code, new_code, new_game_id, same_digest
from model.game.errors import AccessDenied, GameError, UnknownGame

ENV_VAR = "RAPPROCHEMENT_DB"
DEFAULT_PATH = Path("var") / "games.db"
INSTRUCTOR = "instructor"
VIEWER = "viewer"  # read-only: the projector and the debrief
KINDS = (
    "start",
    "pause",
    "resume",
    "join",
    "deadline",
    "submission",
    "inject",
    "resolve",
    "rewind",
    "end",
)
_RETRIES = 20
_WRITE = "rapprochement_write"  # execution option of the engine that writes
_REMEMBERED = 1024  # games whose row and code digests a store keeps in memory
_WAL_ATTEMPTS = 300  # 0.1 s apart: the 30 s of the busy timeout

metadata = sa.MetaData()

games = sa.Table(
    "games",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("scenario", sa.Text, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)

codes = sa.Table(
    "game_codes",
    metadata,
    sa.Column("game", sa.String(16), sa.ForeignKey("games.id"), primary_key=True),
    sa.Column("role", sa.String(32), primary_key=True),
    sa.Column("code_hash", sa.String(64), nullable=False),
)

entries = sa.Table(
    "game_log",
    metadata,
    sa.Column("game", sa.String(16), sa.ForeignKey("games.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("seat", sa.String(32), nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("once_key", sa.String(64), nullable=True),
    sa.UniqueConstraint("game", "once_key", name="uq_game_log_once"),
    sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name="ck_game_log_kind"),
)


@dataclass(frozen=True)
class LogEntry:
    """One line of a game's log, as stored."""

    game: str
    seq: int
    turn: int
    kind: str
    seat: str | None
    payload: dict[str, Any]
    time: datetime


@dataclass(frozen=True)
class GameRecord:
    """A game's fixed part: what it was created with."""

    id: str
    scenario: str
    seed: int
    config: dict[str, Any]
    created: datetime


@dataclass(frozen=True)
class NewGame:
    """What creating a game hands back once: the codes in clear (the store keeps digests)."""

    id: str
    instructor_code: str
    seat_codes: dict[str, str] = field(default_factory=dict)
    viewer_code: str = ""


# Called as ``listener(store, game_id, seq)`` after this process committed entry ``seq`` of a
# game (model.game.live's log watch learns of its own process's writes at once).
APPENDED: list[Callable[[GameStore, str, int], None]] = []


def database_url(url: str | os.PathLike[str] | None = None, create: bool = True) -> str:
    """Resolve where games live.

    An explicit URL or path wins, else ``$RAPPROCHEMENT_DB``, else ``var/games.db`` under the
    current directory. A value without ``://`` is a file path for SQLite; its folder is created
    (unless ``create`` is False: a reader must not leave an empty database behind).
    """
    value = str(url) if url else os.environ.get(ENV_VAR) or str(DEFAULT_PATH)
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    try:
        parsed = sa.make_url(url)
    except (ArgumentError, ValueError):
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _record(row: Any) -> GameRecord:
    return GameRecord(row.id, row.scenario, int(row.seed), dict(row.config), _utc(row.created))


def _entry(row: Any) -> LogEntry:
    return LogEntry(row.game, int(row.seq), int(row.turn), row.kind, row.seat, dict(row.payload), _utc(row.time))


def _last_seq(game_id: str) -> sa.Select:
    """The query for a game's latest sequence number (0 for an empty log)."""
    return sa.select(sa.func.coalesce(sa.func.max(entries.c.seq), 0)).where(entries.c.game == game_id)


def _write_ahead_log(cursor: Any) -> None:
    """Put a SQLite database in WAL mode (kept in the file, so once is enough).

    Switching the mode does not wait for a busy database as other statements do: a store
    opened while another is creating the file would fail at once with "database is locked",
    so the switch is retried for as long as the busy timeout allows.
    """
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    for attempt in range(_WAL_ATTEMPTS):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.1)


def _make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and IMMEDIATE transactions."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins (SQLAlchemy's
        # documented recipe), so that every transaction can be BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _write_ahead_log(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # A writer takes the write lock at once (and queues behind another writer instead of
        # failing half-way); a reader reads a snapshot without any lock (WAL), so thirty pages
        # reading never hold up a team's submission.
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class GameStore:
    """Games and their logs in one database; safe to share between threads.

    Every method opens its own connection from the engine's pool and closes it, so a Streamlit
    ``cache_resource`` may hold one store for all sessions. A game's row and its code digests
    never change once written, so the store remembers them instead of reading them again for
    every page view (a class opens a game's pages hundreds of times).

    Args:
        url: SQLAlchemy URL or SQLite file path; see :func:`database_url`.
        create: Create the database and its tables when missing (what the app and ``game new``
            do). A reader (``game show``) passes False and gets ``game.error.no_database``
            instead of an empty database left behind in whatever folder it ran from.
    """

    def __init__(self, url: str | os.PathLike[str] | None = None, create: bool = True):
        self._records: dict[str, GameRecord] = {}
        self._digests: dict[str, list[tuple[str, str]]] = {}
        try:
            self.url = database_url(url, create=create)
        except OSError as err:  # the SQLite file's folder cannot be made
            raise GameError(
                "game.error.database", url=str(url or os.environ.get(ENV_VAR) or DEFAULT_PATH), message=str(err)
            ) from err
        file = _sqlite_file(self.url)
        if not create and file is not None and not file.is_file():
            raise GameError("game.error.no_database", url=str(file))
        try:
            self.engine = _make_engine(self.url)
        except (ArgumentError, ImportError, ValueError) as err:  # a mistyped URL, a missing driver
            raise GameError("game.error.database", url=self.safe_url, message=str(err)) from err
        self.writer = self.engine.execution_options(**{_WRITE: True})
        if create:
            self._create_tables()
        elif not self._has_tables():
            self.engine.dispose()
            raise GameError("game.error.no_database", url=str(file) if file is not None else self.safe_url)

    def _has_tables(self) -> bool:
        """Whether the database holds the games' tables (a reader's check)."""
        try:
            return sa.inspect(self.engine).has_table(games.name)
        except OperationalError as err:
            raise GameError("game.error.database", url=self.safe_url, message=str(err.orig)) from err

    def _create_tables(self) -> None:
        """Create the tables a new database lacks.

        Two stores opened at the same moment on a new PostgreSQL database (a server and a
        command, say) both see no tables; the one that creates them second fails on the
        catalogue's unique index and retries, and then finds them there.
        """
        for _ in range(_RETRIES):
            try:
                metadata.create_all(self.writer)
                return
            except (IntegrityError, ProgrammingError):
                continue  # created by another store in the meantime: look again
            except OperationalError as err:
                raise GameError("game.error.database", url=self.safe_url, message=str(err.orig)) from err
        raise GameError("game.error.database", url=self.safe_url, message="could not create the tables")

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages (only its scheme if it does not parse)."""
        try:
            return sa.make_url(self.url).render_as_string(hide_password=True)
        except (ArgumentError, ValueError):
            return self.url.split("://", 1)[0] + "://..."

    def dispose(self) -> None:
        """Close pooled connections (tests, and servers shutting down)."""
        self.engine.dispose()

    # Games and codes ---------------------------------------------------------------------

    def create_game(self, scenario: str, seed: int, config: Mapping[str, Any], roles: list[str]) -> NewGame:
        """Store a new game, draw the instructor's code and derive a code for each role.

        Every game also gets a read-only ``viewer`` code (projector, debrief).

        Args:
            scenario: The scenario's YAML text (the game keeps its own copy).
            seed: Root seed of the game's model.
            config: Seats, turns, turn length and the rest (JSON-serialisable).
            roles: Seats that get a code (humans' seats; rule seats need none).

        Returns:
            The new game's id and its codes in clear, shown once.
        """
        for _ in range(_RETRIES):
            game_id = new_game_id()
            instructor_code = new_code()
            seat_codes = {role: derive_code(instructor_code, game_id, role) for role in roles}
            viewer_code = derive_code(instructor_code, game_id, VIEWER)
            try:
                with self.writer.begin() as conn:
                    conn.execute(
                        games.insert().values(
                            id=game_id,
                            scenario=scenario,
                            seed=int(seed),
                            config=dict(config),
                            created=datetime.now(UTC),
                        )
                    )
                    every = {INSTRUCTOR: instructor_code, VIEWER: viewer_code} | seat_codes
                    conn.execute(
                        codes.insert(),
                        [
                            {"game": game_id, "role": role, "code_hash": hash_code(game_id, code)}
                            for role, code in every.items()
                        ],
                    )
            except IntegrityError:
                continue  # an id drawn twice: draw again
            return NewGame(game_id, instructor_code, seat_codes, viewer_code)
        raise GameError("game.error.database", url=self.safe_url, message="no free game id")

    def game(self, game_id: str) -> GameRecord:
        """The stored game, or :class:`UnknownGame`."""
        known = self._records.get(game_id)
        if known is not None:
            return known
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(games).where(games.c.id == game_id)).first()
        if row is None:
            raise UnknownGame("game.error.unknown_game", game=game_id)
        record = _record(row)
        if len(self._records) > _REMEMBERED:
            self._records.clear()
        self._records[game_id] = record
        return record

    def list_games(self) -> list[GameRecord]:
        """All games, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(games).order_by(games.c.created.desc())).all()
        return [_record(r) for r in rows]

    def role_of(self, game_id: str, code: str | None) -> str:
        """Which role a code opens in a game: ``"instructor"`` or a seat id.

        Raises:
            UnknownGame: No such game.
            AccessDenied: The code is missing or opens nothing in this game.
        """
        self.game(game_id)
        if not code or not code.strip():
            raise AccessDenied("game.error.missing_code")
        digest = hash_code(game_id, code)
        rows = self._digests.get(game_id)
        if rows is None:
            with self.engine.connect() as conn:
                found = conn.execute(sa.select(codes.c.role, codes.c.code_hash).where(codes.c.game == game_id)).all()
            rows = [(r.role, r.code_hash) for r in found]
            if len(self._digests) > _REMEMBERED:
                self._digests.clear()
            self._digests[game_id] = rows
        for role, stored in rows:
            if same_digest(stored, digest):
                return role
        raise AccessDenied("game.error.wrong_code")

    def roles(self, game_id: str) -> list[str]:
        """Roles that have a code in a game (instructor, viewer and the humans' seats)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(codes.c.role).where(codes.c.game == game_id)).all()
        return sorted(r.role for r in rows)

    # The log -----------------------------------------------------------------------------

    def append(
        self,
        game_id: str,
        kind: str,
        turn: int,
        seat: str | None = None,
        payload: Mapping[str, Any] | None = None,
        once_key: str | None = None,
    ) -> LogEntry | None:
        """Append one entry at the end of a game's log.

        Args:
            game_id: The game.
            kind: One of :data:`KINDS`.
            turn: The turn the entry belongs to.
            seat: The acting seat, or ``"instructor"``.
            payload: JSON-serialisable details.
            once_key: If given, the entry goes in only if no entry of this game carries the
                same key (a double-clicked resolve resolves once).

        Returns:
            The stored entry, or ``None`` if ``once_key`` was already taken.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown log kind {kind!r}")
        body = dict(payload or {})
        for _ in range(_RETRIES):
            now = datetime.now(UTC)
            try:
                with self.writer.begin() as conn:
                    last = conn.execute(_last_seq(game_id)).scalar_one()
                    values = {
                        "game": game_id,
                        "seq": int(last) + 1,
                        "turn": int(turn),
                        "kind": kind,
                        "seat": seat,
                        "payload": body,
                        "time": now,
                        "once_key": once_key,
                    }
                    stmt = self._insert().values(**values)
                    if once_key is not None:
                        stmt = stmt.on_conflict_do_nothing(index_elements=["game", "once_key"])
                    got = conn.execute(stmt.returning(entries.c.seq)).scalar_one_or_none()
            except IntegrityError as err:
                if self._is_missing_game(err):
                    raise UnknownGame("game.error.unknown_game", game=game_id) from err
                continue  # another writer took this seq: take the next one
            if got is None:
                return None
            for listener in tuple(APPENDED):
                listener(self, game_id, int(got))
            return LogEntry(game_id, int(got), int(turn), kind, seat, body, now)
        raise GameError("game.error.busy")

    def _insert(self) -> Any:
        """The dialect's INSERT, which knows ON CONFLICT."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(entries)
        if self.engine.dialect.name == "sqlite":
            return sqlite.insert(entries)
        raise GameError("game.error.database", url=self.safe_url, message="unsupported database")

    def _is_missing_game(self, err: IntegrityError) -> bool:
        text = str(err.orig).lower()
        return "foreign key" in text

    def entries(self, game_id: str, after_seq: int = 0) -> list[LogEntry]:
        """A game's log in order, optionally only the entries after ``after_seq``."""
        query = sa.select(entries).where(entries.c.game == game_id, entries.c.seq > after_seq).order_by(entries.c.seq)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_entry(r) for r in rows]

    def last_seq(self, game_id: str) -> int:
        """Sequence number of a game's latest entry (0 for an empty log): cheap to poll."""
        with self.engine.connect() as conn:
            return int(conn.execute(_last_seq(game_id)).scalar_one())


_SHARED: dict[str, GameStore] = {}
_SHARED_LOCK = threading.Lock()


def shared_store(url: str | os.PathLike[str] | None = None) -> GameStore:
    """One store per database for the whole process (pages, the watch route), made on first use.

    A store opens a connection per call, so every thread may use it; sharing it also shares
    what it remembers of each game (its row and code digests).
    """
    key = database_url(url)
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = _SHARED[key] = GameStore(key)
        return found
