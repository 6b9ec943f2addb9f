"""The one translation layer: every text a user reads is looked up here.

English is the reference language; Korean and Japanese files add keys as translators supply
them and fall back to English key by key. Contested place names are never written into texts:
texts carry placeholders such as ``{dokdo}`` and ``{east_sea}`` that :func:`tr` fills from the
reader's place-name setting, so one setting governs every page, briefing and chart.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = {"en": "English", "ko": "한국어", "ja": "日本語"}
DEFAULT_LANGUAGE = "en"

# Contested names, by setting. "korean" and "japanese" follow each government's usage,
# "neutral" uses the names of third parties, "both" shows the pair (the default for classes
# that mix students from both countries).
PLACE_SETTINGS = ("both", "korean", "japanese", "neutral")
_PLACES: dict[str, dict[str, str]] = {
    "dokdo": {
        "korean": "Dokdo",
        "japanese": "Takeshima",
        "neutral": "the Liancourt Rocks",
        "both": "Dokdo/Takeshima",
    },
    "east_sea": {
        "korean": "the East Sea",
        "japanese": "the Sea of Japan",
        "neutral": "the East Sea/Sea of Japan",
        "both": "the East Sea/Sea of Japan",
    },
}
DEFAULT_PLACES = "both"


@cache
def _table(lang: str) -> dict[str, str]:
    """Load one language's flat key -> text table (empty when no file exists yet)."""
    try:
        text = resources.files(__package__).joinpath(f"{lang}.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return _flatten(yaml.safe_load(text) or {})


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


def place(name: str, setting: str = DEFAULT_PLACES) -> str:
    """Return a contested place name as the reader's setting wants it."""
    names = _PLACES[name]
    return names.get(setting, names[DEFAULT_PLACES])


def place_values(setting: str = DEFAULT_PLACES) -> dict[str, str]:
    """All placeholders for contested names, filled for one setting."""
    return {name: place(name, setting) for name in _PLACES}


def fill(text: str, places: str = DEFAULT_PLACES, **values: Any) -> str:
    """Fill place-name placeholders and named values into an already translated text."""
    merged = place_values(places) | values
    try:
        return text.format(**merged)
    except (KeyError, IndexError, ValueError):
        return text


def tr(key: str, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES, **values: Any) -> str:
    """Translate ``key`` into ``lang``, falling back to English, then to the key itself.

    Args:
        key: Dotted key such as ``"ui.run"`` or ``"event.nuclear_test.label"``.
        lang: Language code (``en``, ``ko``, ``ja``).
        places: Place-name setting (see ``PLACE_SETTINGS``).
        **values: Values for ``{name}`` fields in the text.

    Returns:
        The text to show.
    """
    text = _table(lang).get(key) or _table(DEFAULT_LANGUAGE).get(key) or key
    return fill(text, places, **values)


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    """Whether a key exists in a language (or in English, its fallback)."""
    return key in _table(lang) or key in _table(DEFAULT_LANGUAGE)


def register(texts: dict[str, str], lang: str = DEFAULT_LANGUAGE) -> None:
    """Add texts that live beside their data (catalogue briefings) to a language's table."""
    _table(lang).update(texts)
