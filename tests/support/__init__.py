"""Helpers for the tests: a throwaway PostgreSQL, the app as a server, and service checks."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Whether we run under CI, where a missing service is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> NoReturn:
    """Fail (under CI) or skip (elsewhere) a test whose service is missing.

    CI must never turn green by skipping the database or browser tests.
    """
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)
