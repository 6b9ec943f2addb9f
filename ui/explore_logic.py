"""What the Explore and Compare pages do, without Streamlit: edits, bounds, uploads, keys.

Why a separate module: every widget interaction re-runs a Streamlit page, so the page should
only draw; the rules (what an edit is, how it applies to a scenario, what input is refused and
with which message) live here, where plain tests can pin them.

An edit never mutates a scenario object. It is data (:class:`Edits`): values set at dotted
paths of the scenario's YAML tree, scheduled events added, and scheduled events removed. The
page applies the edits to the shipped scenario's YAML and parses the result with the core's
own parser, so an edited scenario is validated exactly like a file, saves as YAML that loads
again, and can travel in a link.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_UPLOAD_BYTES = 200_000
"""Largest scenario file accepted from a browser (the shipped ones are a few kB)."""

MAX_RUNS = 2_000
"""Most runs one page request may ask for: enough for smooth bands, bounded for a shared host."""

MIN_RUNS = 1
DEFAULT_RUNS = 200
DEFAULT_SEED = 7
MAX_SEED = 2**32 - 1
MAX_EDITS = 200
"""Most individual edits one page (or one link) may carry."""

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")


class InputError(ValueError):
    """Input from the browser (a file, a link, a field) that cannot be used, and why.

    Attributes:
        key: Translation key of the message shown to the user.
        values: Values that fill the message's placeholders.
    """

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(f"{key}: {values}")
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Edits:
    """A user's changes to a scenario, as plain data.

    Attributes:
        values: ``(dotted path, value)`` pairs set in the scenario's YAML tree, e.g.
            ``("actors.seoul.hawkishness", 0.7)``; later pairs for the same path win.
        added: Scheduled events added, as ``(event type, month)``.
        removed: Scheduled events of the scenario removed, as ``(event type, month)``.
    """

    values: tuple[tuple[str, Any], ...] = ()
    added: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.values or self.added or self.removed)

    def count(self) -> int:
        """How many individual edits there are."""
        return len(self.values) + len(self.added) + len(self.removed)

    def with_value(self, path: str, value: Any) -> Edits:
        """A copy with ``path`` set to ``value`` (replacing an earlier edit of that path)."""
        kept = tuple((p, v) for p, v in self.values if p != path)
        return Edits(kept + ((path, value),), self.added, self.removed)

    def without_value(self, path: str) -> Edits:
        """A copy where ``path`` is back to the scenario's own value."""
        return Edits(tuple((p, v) for p, v in self.values if p != path), self.added, self.removed)

    def with_added(self, event_type: str, month: str) -> Edits:
        """A copy with one more scheduled event."""
        return Edits(self.values, self.added + ((event_type, month),), self.removed)

    def with_removed(self, event_type: str, month: str) -> Edits:
        """A copy with a scheduled event taken out (an added one is simply dropped)."""
        pair = (event_type, month)
        if pair in self.added:
            added = list(self.added)
            added.remove(pair)
            return Edits(self.values, tuple(added), self.removed)
        return Edits(self.values, self.added, self.removed + (pair,))

    def to_json(self) -> str:
        """Compact JSON, stable for equal edits (used in links and cache keys)."""
        return json.dumps(
            {
                "set": [list(p) for p in self.values],
                "add": [list(a) for a in self.added],
                "remove": [list(r) for r in self.removed],
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Edits:
        """Read edits back from :meth:`to_json`, checking every part.

        Raises:
            InputError: if the text is not edits in the expected shape.
        """
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as err:
            raise InputError("explore.error_edits_format") from err
        if not isinstance(data, dict) or set(data) - {"set", "add", "remove"}:
            raise InputError("explore.error_edits_format")
        values = tuple(_pair(item, _check_path) for item in _list(data.get("set", [])))
        added = tuple(_pair(item, _check_event) for item in _list(data.get("add", [])))
        removed = tuple(_pair(item, _check_event) for item in _list(data.get("remove", [])))
        edits = cls(values, added, removed)
        if edits.count() > MAX_EDITS:
            raise InputError("explore.error_too_many_edits", limit=MAX_EDITS)
        return edits


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise InputError("explore.error_edits_format")
    return value


def _pair(item: Any, check: Any) -> tuple[Any, Any]:
    if not isinstance(item, list) or len(item) != 2:
        raise InputError("explore.error_edits_format")
    check(item[0], item[1])
    return (item[0], item[1])


def _check_path(path: Any, value: Any) -> None:
    if not isinstance(path, str) or not PATH_RE.match(path):
        raise InputError("explore.error_edit_path", path=str(path)[:80])
    if (
        not isinstance(value, str | int | float | bool)
        or isinstance(value, str)
        and len(value) > 200
    ):
        raise InputError("explore.error_edit_value", path=path)


def _check_event(event_type: Any, month: Any) -> None:
    if not isinstance(event_type, str) or not PATH_RE.match(event_type):
        raise InputError("explore.error_edits_format")
    check_month(month)


def check_month(month: Any) -> str:
    """A month as ``YYYY-MM``, or an :class:`InputError` that says what is expected."""
    if not isinstance(month, str) or not MONTH_RE.match(month):
        raise InputError("explore.error_month", month=str(month)[:20])
    return month


def check_runs(runs: Any) -> int:
    """The number of runs, within [MIN_RUNS, MAX_RUNS]."""
    value = _integer(runs, "explore.error_runs")
    if not MIN_RUNS <= value <= MAX_RUNS:
        raise InputError("explore.error_runs", low=MIN_RUNS, high=MAX_RUNS)
    return value


def check_seed(seed: Any) -> int:
    """The root seed, a non-negative integer that fits 32 bits."""
    value = _integer(seed, "explore.error_seed")
    if not 0 <= value <= MAX_SEED:
        raise InputError("explore.error_seed", low=0, high=MAX_SEED)
    return value


def _integer(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise InputError(key, low=MIN_RUNS, high=MAX_RUNS)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,10}", value.strip()):
        return int(value.strip())
    raise InputError(
        key,
        low=MIN_RUNS if key.endswith("runs") else 0,
        high=MAX_RUNS if key.endswith("runs") else MAX_SEED,
    )


def read_upload(data: bytes) -> str:
    """The text of an uploaded scenario file, refused if too big or not UTF-8 text.

    Why: the upload is parsed by the core with ``yaml.safe_load`` (no code can run from it);
    this bound keeps a huge or binary file from tying up a shared server first.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            "explore.error_upload_size", size=len(data) // 1000, limit=MAX_UPLOAD_BYTES // 1000
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError("explore.error_upload_encoding") from err
    if "\x00" in text:
        raise InputError("explore.error_upload_encoding")
    return text


def get_path(tree: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a YAML tree (``KeyError`` when absent)."""
    node: Any = tree
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise KeyError(path)
    return node


def set_path(tree: dict[str, Any], path: str, value: Any) -> None:
    """Set a value at a dotted path of a YAML tree, creating mappings on the way."""
    parts = path.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise InputError("explore.error_edit_path", path=path)
        node = child
    node[parts[-1]] = value


@dataclass
class ScheduleShape:
    """Where and how a scenario's YAML tree keeps its scheduled events.

    Attributes:
        key: Top-level key of the list of scheduled events.
        type_field: Field naming the event type in each entry.
        month_field: Field holding the month in each entry.
    """

    key: str = "scheduled_events"
    type_field: str = "type"
    month_field: str = "month"
    extra: dict[str, Any] = field(default_factory=dict)


def apply_edits(
    tree: Mapping[str, Any], edits: Edits, shape: ScheduleShape | None = None
) -> dict[str, Any]:
    """A new YAML tree: ``tree`` with ``edits`` applied (``tree`` itself is left alone).

    Raises:
        InputError: if an edit names a scheduled event the scenario does not have, or a path
            that runs through a non-mapping.
    """
    shape = shape or ScheduleShape()
    out = copy.deepcopy(dict(tree))
    for path, value in edits.values:
        set_path(out, path, value)
    events = list(out.get(shape.key) or [])
    for event_type, month in edits.removed:
        index = next(
            (
                i
                for i, e in enumerate(events)
                if isinstance(e, Mapping)
                and e.get(shape.type_field) == event_type
                and str(e.get(shape.month_field)) == month
            ),
            None,
        )
        if index is None:
            raise InputError("explore.error_remove_missing", event=event_type, month=month)
        del events[index]
    for event_type, month in edits.added:
        events.append({shape.type_field: event_type, shape.month_field: month, **shape.extra})
    if events or shape.key in out:
        out[shape.key] = events
    return out


def cache_key(scenario_yaml: str, runs: int, seed: int) -> str:
    """A short key that names one ensemble: same scenario text, runs and seed, same numbers."""
    digest = hashlib.sha256(f"{runs}|{seed}|{scenario_yaml}".encode()).hexdigest()
    return digest[:16]


def dump_yaml(tree: Mapping[str, Any]) -> str:
    """YAML text of a tree, in the order written (what a user downloads and edits by hand)."""
    return yaml.safe_dump(dict(tree), sort_keys=False, allow_unicode=True)
