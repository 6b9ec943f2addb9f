"""Problems in a YAML file that name its file, line and field: one piece of code for all of them.

Scenario files (:mod:`model.scenario`) and the catalogue's own files (:mod:`model.catalogue`)
both report what is wrong as ``file:line: field: message``. The line comes from the YAML node
graph (:func:`line_map`), the field from the path of keys and list positions
(:func:`field_name`), and the message from a translation key, so a page can show it in the
reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from model.i18n import tr


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario or catalogue file.

    ``key`` and ``values``, when set, are the message's translation key and placeholders, so
    that a page can show it in the reader's language (``message`` is the English text).
    """

    file: str
    line: int
    field: str
    message: str
    key: str = ""
    values: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the current language; ``message`` when it has no key)."""
        return tr(self.key, lang, **dict(self.values)) if self.key else self.message

    def located(self, lang: str | None = None) -> str:
        """``file:line: field: message`` with the message in ``lang`` (what a command prints)."""
        return f"{self.file}:{self.line}: {self.field}: {self.text(lang)}"



def keyed(filename: str, line: int, field: str, key: str, **values: Any) -> Problem:
    """A problem whose message is ``scenario.problem.<key>`` (or ``key`` itself when it holds a dot).

    The message stays translatable (see ``Problem.text``).
    """
    full = key if "." in key else f"scenario.problem.{key}"
    return Problem(filename, line, field, tr(full, "en", **values), full, tuple(sorted(values.items())))


def syntax_problem(filename: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error at the line where the parser saw it."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    return keyed(filename, line, "(syntax)", "syntax", detail=str(exc.problem or exc))


# Pydantic's error types -> our message keys and the context values they show.
PYDANTIC_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "extra_forbidden": ("unknown_field", ()),
    "missing": ("missing", ()),
    "literal_error": ("one_of", ("expected",)),
    "string_type": ("text", ()),
    "int_type": ("whole_number", ()),
    "int_parsing": ("whole_number", ()),
    "int_from_float": ("whole_number", ()),
    "float_type": ("number", ()),
    "float_parsing": ("number", ()),
    "bool_type": ("yes_no", ()),
    "bool_parsing": ("yes_no", ()),
    "dict_type": ("mapping", ()),
    "model_type": ("mapping", ()),
    "model_attributes_type": ("mapping", ()),
    "list_type": ("list", ()),
    "tuple_type": ("list", ()),
    "greater_than_equal": ("at_least", ("ge",)),
    "less_than_equal": ("at_most", ("le",)),
    "greater_than": ("above", ("gt",)),
    "less_than": ("below", ("lt",)),
    "string_pattern_mismatch": ("pattern", ("pattern",)),
}


def schema_problem(filename: str, line: int, field: str, err: dict) -> Problem:
    """A pydantic error as a translatable problem (pydantic's own wording only as a last resort)."""
    ctx = err.get("ctx") or {}
    found = PYDANTIC_KEYS.get(err["type"])
    if found is None:
        return keyed(filename, line, field, "other", detail=pydantic_message(err))
    key, names = found
    values = {n: str(ctx.get(n, "")) for n in names}
    if "expected" in values:  # pydantic joins the choices with an English "or"
        values["expected"] = values["expected"].replace(" or ", ", ")
    return keyed(filename, line, field, key, **values)



def line_map(
    node: yaml.Node, path: tuple = (), out: dict | None = None, where: dict | None = None
) -> dict[tuple, int]:
    """Map each path in the YAML tree (keys and list indices) to its 1-based line.

    ``where``, if given, receives the first path of each node (by ``id``), so that a value
    that fails to build can be named by its field. The walk expands aliases; the bounded
    loader has already capped what they add (``MAX_ALIAS_NODES``) and the depth.
    """
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if where is not None:
        where.setdefault(id(node), path)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = path + (key.value if isinstance(key, yaml.ScalarNode) else "?",)
            out[sub] = key.start_mark.line + 1
            line_map(value, sub, out, where)
            out[sub] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            line_map(item, path + (i,), out, where)
    return out


def repeated_keys(node: yaml.Node) -> list[tuple[tuple, int, int]]:
    """Each key a mapping holds twice, as (its path, the line it is repeated on, its first line).

    Why: YAML's loaders keep the last value of a repeated key and drop the earlier one without
    a word, so a file with two ``events:`` lists would run with only the second. Nodes an alias
    shares are looked at once.
    """
    found: list[tuple[tuple, int, int]] = []
    seen: set[int] = set()

    def walk(node: yaml.Node, path: tuple) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                line = key.start_mark.line + 1
                if isinstance(key, yaml.ScalarNode) and (key.tag, name) in first:
                    found.append((path + (name,), line, first[(key.tag, name)]))
                first.setdefault((key.tag, name), line)
                walk(value, path + (name,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    walk(node, ())
    return found


def repeated_key_problems(filename: str, node: yaml.Node) -> list[Problem]:
    """One problem per repeated key (:func:`repeated_keys`), at the line it is written again."""
    return [
        keyed(filename, line, field_name(path), "repeated_key", first=first)
        for path, line, first in repeated_keys(node)
    ]


def line_of(lines: dict[tuple, int], path: tuple) -> int:
    """The line of ``path``, or of its nearest ancestor the map knows (1 if none)."""
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def field_name(path: tuple, renumber: dict[tuple, int] | None = None) -> str:
    """``events[0].type`` for a path; ``renumber`` maps a merged list position back to the file's."""
    if renumber and len(path) >= 2 and path[:2] in renumber:
        path = (path[0], renumber[path[:2]]) + path[2:]
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"



def pydantic_message(err: Any) -> str:
    """A pydantic error's message for a reader, without the library's "Value error, " prefix.

    A validator's own ``ValueError`` already says what is wrong; pydantic prefixes it with
    the exception's kind, which means nothing to someone fixing a scenario file.
    """
    if err["type"] == "extra_forbidden":
        return "unknown field"
    cause = (err.get("ctx") or {}).get("error")
    if err["type"] in ("value_error", "assertion_error") and cause is not None and str(cause):
        return str(cause)
    return re.sub(r"^(Value error|Assertion failed), ", "", str(err["msg"]))
