"""Fixtures shared by the whole suite: databases (SQLite and a real PostgreSQL) and markers.

PostgreSQL: ``pg_url`` is a throwaway cluster started once per session (see
``tests/support/pg_server.py``), or the server named by ``RAPPROCHEMENT_TEST_PG_URL``. When no
PostgreSQL can be found the tests that need it fail under CI (``CI`` set) and skip elsewhere, so
CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# `tests.support` must import the same way under `pytest`, `python -m pytest` and any cwd.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The command line speaks the language of LANG/LANGUAGE; tests that read its English messages
# must not depend on the developer's locale (tests of other languages pass --lang or LANGUAGE).
os.environ["LANGUAGE"] = "en"

from tests.support import unavailable  # noqa: E402 (needs the path above)
from tests.support.pg_server import (  # noqa: E402
    PostgresCluster,
    PostgresUnavailable,
    create_database,
    drop_database,
)

PG_URL_ENV = "RAPPROCHEMENT_TEST_PG_URL"


@pytest.fixture(scope="session", autouse=True)
def _own_state_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """App servers the tests start leave their record here, not in the user's state folder.

    ``rapprochement game new`` takes its defaults from running servers' records
    (``model.serving``): a test's server must neither leak into a user's commands nor a
    user's server into a test.
    """
    from model.serving import STATE_ENV

    before = os.environ.get(STATE_ENV)
    os.environ[STATE_ENV] = str(tmp_path_factory.mktemp("state"))
    yield
    if before is None:
        os.environ.pop(STATE_ENV, None)
    else:
        os.environ[STATE_ENV] = before
E2E_DIR = ROOT / "tests" / "e2e"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark browser tests ``e2e`` and database-server tests ``postgres``, so ``-m`` selects them."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
        if "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """SQLAlchemy URL (``postgresql+psycopg://``) of a PostgreSQL server's admin database.

    Tests that need a database of their own should use ``db_url`` (or ``create_database``)
    rather than write into this one.
    """
    external = os.environ.get(PG_URL_ENV)
    if external:
        yield external
        return
    try:
        cluster = PostgresCluster().start()
    except PostgresUnavailable as err:
        missing = str(err)
    else:
        missing = ""
    if missing:
        unavailable(missing)  # outside the except block: no chained traceback in the report
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test: a SQLite file, then a new PostgreSQL database.

    Store tests take this fixture to run once against each backend.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'game.db'}"
        return
    admin_url = request.getfixturevalue("pg_url")
    url = create_database(admin_url)
    try:
        yield url
    finally:
        drop_database(url)
