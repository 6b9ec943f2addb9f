"""Errors of the classroom game, each carrying a translation key for the message people see.

The UI and the CLI catch :class:`GameError` and show ``tr(err.key, **err.values)``; nothing
in the game raises a bare exception for something a person did.
"""

from __future__ import annotations

from typing import Any


class GameError(Exception):
    """A request the game refuses; nothing was changed.

    Args:
        key: Translation key under ``game.error`` (e.g. ``"game.error.wrong_code"``).
        **values: Values for the text's placeholders.
    """

    def __init__(self, key: str, **values: Any):
        self.key = key
        self.values = values
        super().__init__(f"{key} {values}" if values else key)


class AccessDenied(GameError):
    """A missing or wrong code, or a code for another seat."""


class UnknownGame(GameError):
    """No game with this id in this database."""
