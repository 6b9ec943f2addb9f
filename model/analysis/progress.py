"""What a long analysis (calibration, backtest) reports while it works: a text's key and its values.

Why: the analysis used to report English lines that the command line matched against English
templates to say them again in Korean and Japanese, so a reworded line silently stayed English.
A :class:`ProgressLine` carries the key of its text (``progress.*`` in model/i18n) and the
values; a reader says it in its own language with ``line.text(lang)``, and ``str(line)`` is the
English line that logs and scripts read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from model.i18n import DEFAULT_LANGUAGE, join_list, tr


@dataclass(frozen=True)
class ProgressLine:
    """One line of progress: the key of its text and the values that fill it.

    A value that is a list of lines (the items of a list, such as each public's fading rate) is
    said item by item and joined as the language joins a short list.
    """

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        """The line in ``lang`` (None: the current language, which the command line sets)."""
        values = {
            name: join_list([item.text(lang) for item in value], lang, short=True) if isinstance(value, list) else value
            for name, value in self.values.items()
        }
        return tr(self.key, lang, **values)

    def __str__(self) -> str:
        return self.text(DEFAULT_LANGUAGE)


def progress_line(key: str, **values: Any) -> ProgressLine:
    """A :class:`ProgressLine` of ``key`` with ``values`` (keyword arguments read as the text's fields)."""
    return ProgressLine(key, values)


Reporter = Callable[[ProgressLine], None]
"""What the analysis calls with each line of progress."""
