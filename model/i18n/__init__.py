"""The one translation layer: every text a user reads is looked up here, in en, ko or ja.

How to add a text (see README.md in this folder for the whole rule):

1. Give it a dotted key and write the English in ``en.yaml``, the Korean in ``ko.yaml`` and the
   Japanese in ``ja.yaml``, under the same key, with the same ``{placeholders}`` and the same
   number formats (``{share:.0f}``): the numbers are the same in every language.
2. Catalogue entries (events, decisions, coefficients) keep their English in the catalogue
   files; their Korean and Japanese go in ``ko.yaml``/``ja.yaml`` under ``event.<id>.label``,
   ``event.<id>.briefing``, ``decision.<id>.label``, ``decision.<id>.briefing``,
   ``coefficient.<id>.label`` and ``coefficient.<id>.meaning``.
3. Contested names and terms are never written out: texts carry ``{dokdo}``, ``{east_sea}``,
   ``{forced_labour}``, ``{comfort_women}``, ``{colonial_period}``, filled in the reader's
   language from ``glossary.yaml`` by the reader's naming setting. Key terms have one rendering
   per language, listed in ``glossary.yaml`` too.

``tests/core/test_i18n.py`` fails when a key, a placeholder, a number format or a glossary
term is missing or differs between the three languages, or a catalogue entry or a shipped
scenario's text lacks its Korean or Japanese. At run time a missing text falls back to English
key by key, so a gap shows as English, never as an error.

Lookups are dictionary reads on tables loaded once per process; the contested names of a
(language, setting) pair are computed once, so a page's hundreds of lookups cost well under a
millisecond.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = {"en": "English", "ko": "한국어", "ja": "日本語"}
DEFAULT_LANGUAGE = "en"

# How contested names are shown (see glossary.yaml): each government's usage, third parties'
# usage, or both side by side (the default, for classes that mix students from both countries).
PLACE_SETTINGS = ("both", "korean", "japanese", "neutral")
NAMING_SETTINGS = PLACE_SETTINGS
DEFAULT_PLACES = "both"

# Calendar months as each language writes them ("2026-03", "2026년 3월", "2026年3月"), for
# Python's str.format and for Vega-Lite's (d3's) time axis.
_MONTH_FORMATS = {"en": "{year}-{month:02d}", "ko": "{year}년 {month}월", "ja": "{year}年{month}月"}
_AXIS_MONTH_FORMATS = {"en": "%Y-%m", "ko": "%Y년 %-m월", "ja": "%Y年%-m月"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# The language of texts looked up without an explicit one: English, unless the command line
# set the user's (``with language("ko"): ...``). The app always passes the reader's language.
_CURRENT: ContextVar[str] = ContextVar("rapprochement_language", default=DEFAULT_LANGUAGE)


@contextmanager
def language(lang: str) -> Iterator[str]:
    """Within the block, texts looked up without a language are in ``lang`` (the CLI's messages)."""
    token = _CURRENT.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


def current_language() -> str:
    """The language of texts looked up without one (see :func:`language`)."""
    return _CURRENT.get()


def _read(name: str) -> str | None:
    try:
        return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


@cache
def _table(lang: str) -> dict[str, str]:
    """Load one language's flat key -> text table (empty when no file exists)."""
    text = _read(f"{lang}.yaml")
    return _flatten(yaml.safe_load(text) or {}) if text else {}


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


@cache
def glossary() -> dict[str, dict[str, Any]]:
    """The glossary file: ``{"contested": {...}, "terms": {...}}`` (see glossary.yaml)."""
    data = yaml.safe_load(_read("glossary.yaml") or "") or {}
    return {"contested": data.get("contested", {}), "terms": data.get("terms", {})}


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _setting(places: str) -> str:
    return places if places in PLACE_SETTINGS else DEFAULT_PLACES


def term(name: str, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> str:
    """A glossary term in a language: contested ones by the naming setting, others fixed.

    Raises:
        KeyError: for a term the glossary does not have.
    """
    gloss = glossary()
    lang = _language(lang)
    if name in gloss["contested"]:
        return gloss["contested"][name][lang][_setting(places)]
    return gloss["terms"][name][lang]


def explain(name: str, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> str | None:
    """A term's plain-language explanation in the reader's language, or None if it has none."""
    gloss = glossary()
    entry = gloss["contested"].get(name) or gloss["terms"].get(name) or {}
    texts = entry.get("explain") or {}
    text = texts.get(_language(lang)) or texts.get(DEFAULT_LANGUAGE)
    return fill(text, places, lang=lang) if text else None


@cache
def _term_values(lang: str, places: str) -> dict[str, str]:
    """Placeholder values of every contested term for one language and setting.

    ``{dokdo}`` gives the name as it stands in a sentence; ``{Dokdo}`` the same with a capital
    first letter (for English sentences that start with it).
    """
    out: dict[str, str] = {}
    for name in glossary()["contested"]:
        value = term(name, lang, places)
        out[name] = value
        out[name[:1].upper() + name[1:]] = value[:1].upper() + value[1:]
    return out


def place(name: str, setting: str = DEFAULT_PLACES, lang: str = DEFAULT_LANGUAGE) -> str:
    """A contested name as the reader's setting wants it (English unless ``lang`` says otherwise)."""
    return term(name, lang, setting)


def place_values(setting: str = DEFAULT_PLACES, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """All placeholders for contested names, filled for one setting and language."""
    return dict(_term_values(_language(lang), _setting(setting)))


def fill(text: str, places: str = DEFAULT_PLACES, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """Fill contested-term placeholders and named values into an already translated text.

    A text whose fields cannot be filled (a value the caller did not pass) is returned as it
    is rather than raising: a reader sees a brace, never a traceback.
    """
    if "{" not in text:
        return text
    terms = _term_values(_language(lang), _setting(places))
    merged = terms | values if values else terms
    try:
        return text.format_map(merged)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return text


def tr(key: str, lang: str | None = None, places: str = DEFAULT_PLACES, **values: Any) -> str:
    """Translate ``key`` into ``lang``, falling back to English, then to the key itself.

    Args:
        key: Dotted key such as ``"ui.run"`` or ``"event.nuclear_test.label"``.
        lang: Language code (``en``, ``ko``, ``ja``); None for the current one (English unless
            the command line chose another, see :func:`language`).
        places: Naming setting for contested terms (see ``PLACE_SETTINGS``).
        **values: Values for ``{name}`` fields in the text.

    Returns:
        The text to show.
    """
    lang = lang or _CURRENT.get()
    text = _table(lang).get(key)
    if text is None:
        text = _table(DEFAULT_LANGUAGE).get(key, key)
    return fill(text, places, lang, **values)


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    """Whether a key exists in a language (or in English, its fallback)."""
    return key in _table(lang) or key in _table(DEFAULT_LANGUAGE)


def translated(key: str, lang: str) -> bool:
    """Whether a key has its own text in ``lang`` (no fallback), for tests and tools."""
    return key in _table(lang)


def register(texts: dict[str, str], lang: str = DEFAULT_LANGUAGE) -> None:
    """Add texts that live beside their data (catalogue briefings) to a language's table."""
    _table(lang).update(texts)


def keys(lang: str = DEFAULT_LANGUAGE) -> set[str]:
    """Every key a language's table holds (after the catalogue registered its English)."""
    return set(_table(lang))


# ----- where numbers come from -----------------------------------------------------------------

# The words that open a source no entry of sources.yaml knows (an edited catalogue).
_SOURCE_WORDS = ("calibration_run", "assumption", "data", "definition")


@cache
def _by_english(name: str) -> dict[str, dict[str, str]]:
    """A file of texts matched by their English (``- {en: ..., ko: ..., ja: ...}``), keyed by it.

    sources.yaml holds the catalogue's sources, scenarios.yaml the shipped scenarios' texts.
    """
    entries = yaml.safe_load(_read(name) or "") or []
    return {_normal(e["en"]): e for e in entries if isinstance(e, dict) and e.get("en")}


def source_text(source: str, lang: str | None = None, places: str = DEFAULT_PLACES) -> str:
    """Where a number comes from, in the reader's language ("assumption: rally effect" -> 가정: 결집 효과).

    What is ours is translated (the kind of source and our words about it, from sources.yaml;
    the notes before it, ``source.note.*``); what a source is called (an author, a title, a
    file, a date) stays as published. A source sources.yaml does not know has only its kind
    translated. Contested names follow the naming setting.
    """
    lang = _language(lang or _CURRENT.get())
    if not source or lang == DEFAULT_LANGUAGE:
        return fill(source, places, lang) if source else source
    for key, pattern in _patterns("source.note"):
        found = pattern.match(source)
        if found and source[found.end():].startswith("; ") and translated(key, lang):
            note = tr(key, lang, places, **found.groupdict())
            return note + tr("source.then", lang) + source_text(source[found.end() + 2:], lang, places)
    known = _by_english("sources.yaml").get(_normal(source), {}).get(lang)
    if known:
        return fill(known, places, lang)
    out = source
    for word in _SOURCE_WORDS:
        english = _table(DEFAULT_LANGUAGE).get(f"source.{word}")
        local = _table(lang).get(f"source.{word}")
        if english and local:
            out = re.sub(rf"(^|[;(]\s*){re.escape(english)}", lambda m, t=local: m.group(1) + t, out)
    return fill(out, places, lang)


# ----- texts of scenario files ---------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.split())


def scenario_text(text: str | None, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> str:
    """A scenario's title, question, description or note in the reader's language.

    Texts are matched by their English (as gettext does), so a shipped scenario's texts are
    translated wherever they appear (an edited copy, a game), and a text someone wrote
    themselves, in any language, is shown as written.
    """
    if not text:
        return text or ""
    row = quoted_row(text, lang, places)
    if row is not None:
        return row
    if lang == DEFAULT_LANGUAGE:
        return text
    found = _by_english("scenarios.yaml").get(_normal(text), {}).get(lang)
    if found:
        return fill(found, places, lang)
    for key, pattern in _patterns("scenario_note", r"\d+"):
        match = pattern.fullmatch(_normal(text))
        local = _table(lang).get(key) if match else None
        if local:
            return fill(local, places, lang, **match.groupdict())
    return text


# A replay note that quotes a row of a data file: the file and the row's date, then its words.
CITATION = re.compile(r"^(?P<cite>[\w.-]+\.csv \d{4}-\d{2}-\d{2}): (?P<words>.+)$", re.DOTALL)


@cache
def _quoted_rows() -> dict[tuple[str, str], dict[str, str]]:
    """rows.yaml: each quoted row, keyed by its citation and the source's words."""
    entries = yaml.safe_load(_read("rows.yaml") or "") or []
    return {(e["cite"], _normal(e["source"])): e for e in entries if isinstance(e, dict) and e.get("source")}


def quoted_row(text: str, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> str | None:
    """A note that quotes a data file's row, in the reader's language; None for any other text.

    The citation (file and date) stays as written, so the row can be found; the row's words
    come from rows.yaml, with the contested names following the naming setting. A quoted row
    that rows.yaml does not know (an edited file) is shown as the source wrote it.
    """
    found = CITATION.match(_normal(text))
    if not found:
        return None
    entry = _quoted_rows().get((found["cite"], found["words"]))
    if not entry:
        return text
    local = entry.get(_language(lang)) or entry.get(DEFAULT_LANGUAGE)
    if not local:
        return text
    return f"{found['cite']}: {fill(local, places, lang)}"


@cache
def _patterns(prefix: str, value: str = r".+?") -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The English texts under ``prefix`` as patterns that find a text they made.

    A text another piece of code writes in English with values in it ("CNS missile database:
    3 missile(s) on 2 day(s)", a source's note) is one template: its English,
    with each ``{name}`` standing for a value (``value`` is what a value may look like), finds it.
    """
    english = _table(DEFAULT_LANGUAGE)
    out = []
    for key in sorted(k for k in english if k.startswith(prefix + ".")):
        parts = re.split(r"\{(\w+)\}", english[key])
        regex = "".join(re.escape(p) if i % 2 == 0 else rf"(?P<{p}>{value})" for i, p in enumerate(parts))
        out.append((key, re.compile(regex, re.DOTALL)))
    return tuple(out)


def scenario_text_known(text: str, lang: str) -> bool:
    """Whether a scenario text has its translation in ``lang`` (English always has)."""
    return lang == DEFAULT_LANGUAGE or scenario_text(text, lang) != text


# ----- dates and the reader's language ------------------------------------------------------


def join_list(items: Iterable[str], lang: str | None = None, short: bool = False) -> str:
    """Items on one line as the language lists them ("a; b" in English, "a、b" in Japanese).

    ``short``: a list of short items, which English separates with commas ("a, b").
    """
    return tr("list.comma" if short else "list.separator", lang).join(items)


def month_text(month: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A calendar month ("2026-03") as the language writes it: 2026-03, 2026년 3월, 2026年3月."""
    found = _MONTH.match(str(month))
    if not found:
        return str(month)
    year, mon = int(found.group(1)), int(found.group(2))
    return _MONTH_FORMATS[_language(lang)].format(year=year, month=mon)


def date_text(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A calendar day as the language writes it: 2026-03-05, 2026년 3월 5일, 2026年3月5日."""
    if _language(lang) == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    if _language(lang) == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


# Fonts for files that must read anywhere (the debrief HTML and its SVG): the reader's language
# first, then the other two scripts (a mixed class writes statements in both), then the generic
# family. Noto CJK is what Debian and Android have, Apple and Windows have their own.
_FONTS_KO = ("Noto Sans CJK KR", "Noto Sans KR", "Source Han Sans K", "Apple SD Gothic Neo", "Malgun Gothic",
             "NanumGothic")
_FONTS_JA = ("Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans", "Hiragino Kaku Gothic ProN", "Hiragino Sans",
             "Yu Gothic", "YuGothic", "Meiryo")
_FONTS_LATIN = ("system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans", "DejaVu Sans")


def font_stack(lang: str = DEFAULT_LANGUAGE) -> str:
    """A CSS ``font-family`` list with CJK fonts and fallbacks for the reader's language.

    Quoted with single quotes, so it fits in a double-quoted HTML or SVG attribute.
    """
    lang = _language(lang)
    cjk = _FONTS_JA + _FONTS_KO if lang == "ja" else _FONTS_KO + _FONTS_JA
    families = _FONTS_LATIN + cjk if lang == "en" else cjk + _FONTS_LATIN
    return ", ".join(f"'{f}'" for f in families) + ", sans-serif"


def axis_month_format(lang: str = DEFAULT_LANGUAGE) -> str:
    """The d3 time format of month labels on chart axes, in the reader's language."""
    return _AXIS_MONTH_FORMATS[_language(lang)]


def language_from_locale(locale: str | None) -> str | None:
    """The app's language for a locale such as ``ko-KR``, ``ja_JP.UTF-8`` or ``en``; else None."""
    if not locale:
        return None
    code = re.split(r"[-_.@]", str(locale).strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else None


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The command line's language: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, then ``LANG``.

    The first variable that is set decides (as in gettext); a language the project does not
    have falls back to English.
    """
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if not value:
            continue
        for part in value.split(":"):
            found = language_from_locale(part)
            if found:
                return found
        return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE
