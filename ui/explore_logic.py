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
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

import yaml

from model import cost, limits
from model.catalogue import PUBLIC_OPINION, TRACKS, Catalogue, load_catalogue, preconditions_text
from model.i18n import DEFAULT_LANGUAGE, DEFAULT_PLACES, has, source_text, tr
from model.scenario import Scenario, month_index, parse_scenario

MAX_UPLOAD_MB = limits.MAX_UPLOAD_MB
"""The one upload limit, in the whole MB the upload box states (model.limits)."""

MAX_UPLOAD_BYTES = limits.MAX_SCENARIO_BYTES
"""The same limit in bytes: the parser's own bound (model.limits)."""

MAX_RUNS = limits.MAX_RUNS
"""Most runs one page request may ask for (model.limits)."""

MIN_RUNS = 1
DEFAULT_RUNS = 200
DEFAULT_SEED = 7
MAX_SEED = limits.MAX_SEED
MAX_EDITS = 200
"""Most individual edits one page (or one link) may carry."""

MAX_TITLE = 120
"""Longest title a user may give an edited scenario."""

VIEWS = ("difference", "index", "tracks", "publics", "travel", "facts", "approval", "why", "matter", "keep")
"""The Explore page's views, in the order of its tabs ("difference" only where there is a reference)."""

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


Kind = Literal["event", "decision"]


@dataclass(frozen=True)
class Edits:
    """A user's changes to a scenario, as plain data.

    Attributes:
        values: ``(dotted path, value)`` pairs set in the scenario's YAML tree, e.g.
            ``("actors.seoul.stance", "hawkish")`` or ``("initial.history", 40)``; later pairs
            for the same path win.
        added: Scheduled events added, as ``(event type, month)``.
        removed: Scheduled events of the scenario removed, as ``(event type, month)``.
        decisions_added: Scripted decisions added, as ``(decision type, month)`` (the
            catalogue names the decision's actor).
        decisions_removed: Scripted decisions of the scenario removed.
        title: The edited scenario's own title (``None``: the scenario's title, marked as
            edited, see :func:`edited_scenario`).
    """

    values: tuple[tuple[str, Any], ...] = ()
    added: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    decisions_added: tuple[tuple[str, str], ...] = ()
    decisions_removed: tuple[tuple[str, str], ...] = ()
    title: str | None = None

    def __bool__(self) -> bool:
        return bool(self.count() or self.title)

    def count(self) -> int:
        """How many individual edits there are (a new title is not counted)."""
        return (
            len(self.values) + len(self.added) + len(self.removed)
            + len(self.decisions_added) + len(self.decisions_removed)
        )

    def timeline_only(self) -> Edits:
        """The same edits without the values (what a what-if adds to its reference)."""
        return replace(self, values=(), title=None)

    def values_only(self) -> Edits:
        """Only the changed assumptions (what a what-if and its reference share)."""
        return Edits(self.values)

    def with_value(self, path: str, value: Any) -> Edits:
        """A copy with ``path`` set to ``value`` (replacing an earlier edit of that path)."""
        kept = tuple((p, v) for p, v in self.values if p != path)
        return replace(self, values=kept + ((path, value),))

    def without_value(self, path: str) -> Edits:
        """A copy where ``path`` is back to the scenario's own value."""
        return replace(self, values=tuple((p, v) for p, v in self.values if p != path))

    def with_title(self, title: str | None) -> Edits:
        """A copy with the edited scenario's own title (blank: none)."""
        title = (title or "").strip()[:MAX_TITLE] or None
        return replace(self, title=title)

    def _lists(self, kind: Kind) -> tuple[str, str]:
        return ("added", "removed") if kind == "event" else ("decisions_added", "decisions_removed")

    def with_item_added(self, kind: Kind, item_type: str, month: str) -> Edits:
        """A copy with one more scheduled event or scripted decision."""
        added, _ = self._lists(kind)
        return replace(self, **{added: getattr(self, added) + ((item_type, month),)})

    def with_item_removed(self, kind: Kind, item_type: str, month: str) -> Edits:
        """A copy with an event or decision taken out (one the user added is simply dropped)."""
        added, removed = self._lists(kind)
        pair = (item_type, month)
        if pair in getattr(self, added):
            kept = list(getattr(self, added))
            kept.remove(pair)
            return replace(self, **{added: tuple(kept)})
        return replace(self, **{removed: getattr(self, removed) + (pair,)})

    def with_moved(self, kind: Kind, item_type: str, month: str, to: str) -> Edits:
        """A copy with an event or decision moved to another month (taken out, put back)."""
        if to == month:
            return self
        return self.with_item_removed(kind, item_type, month).with_item_added(kind, item_type, to)

    def with_added(self, event_type: str, month: str) -> Edits:
        """A copy with one more scheduled event."""
        return self.with_item_added("event", event_type, month)

    def with_removed(self, event_type: str, month: str) -> Edits:
        """A copy with a scheduled event taken out (an added one is simply dropped)."""
        return self.with_item_removed("event", event_type, month)

    def to_json(self) -> str:
        """Compact JSON, stable for equal edits (used in links and cache keys)."""
        data: dict[str, Any] = {
            "set": [list(p) for p in self.values],
            "add": [list(a) for a in self.added],
            "remove": [list(r) for r in self.removed],
            "dadd": [list(a) for a in self.decisions_added],
            "dremove": [list(r) for r in self.decisions_removed],
            "title": self.title,
        }
        return json.dumps({k: v for k, v in data.items() if v}, separators=(",", ":"), sort_keys=True,
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Edits:
        """Read edits back from :meth:`to_json`, checking every part.

        Raises:
            InputError: if the text is not edits in the expected shape.
        """
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as err:  # deep nesting from a crafted link
            raise InputError("explore.error_edits_format") from err
        if not isinstance(data, dict) or set(data) - {"set", "add", "remove", "dadd", "dremove", "title"}:
            raise InputError("explore.error_edits_format")
        title = data.get("title")
        if title is not None and (not isinstance(title, str) or len(title) > MAX_TITLE):
            raise InputError("explore.error_edits_format")
        edits = cls(
            values=tuple(_pair(item, _check_path) for item in _list(data.get("set", []))),
            added=tuple(_pair(item, _check_event) for item in _list(data.get("add", []))),
            removed=tuple(_pair(item, _check_event) for item in _list(data.get("remove", []))),
            decisions_added=tuple(_pair(item, _check_event) for item in _list(data.get("dadd", []))),
            decisions_removed=tuple(_pair(item, _check_event) for item in _list(data.get("dremove", []))),
            title=title or None,
        )
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
    if not isinstance(value, str | int | float | bool) or isinstance(value, str) and len(value) > 200:
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
    return _integer(runs, "explore.error_runs", MIN_RUNS, MAX_RUNS)


def check_seed(seed: Any) -> int:
    """The root seed, a non-negative integer that fits 32 bits."""
    return _integer(seed, "explore.error_seed", 0, MAX_SEED)


def _integer(value: Any, key: str, low: int, high: int) -> int:
    """An integer (or its decimal text) within ``[low, high]``, else the message ``key``."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,10}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(key, low=low, high=high)
    return value


MAX_RUN_MONTHS = limits.MAX_RUN_MONTHS
"""Most run-months one request may simulate (model.limits)."""

LEDGER_RUN_MONTHS = limits.LEDGER_RUN_MONTHS
"""Run-months the effects ledger covers at most (model.limits)."""


def check_run_months(runs: int, months: int) -> None:
    """Refuse an ensemble too big for one page request (a long uploaded scenario, say).

    The price and the budget are the core's cost guard (:func:`model.cost.check_ensemble`).
    """
    try:
        cost.check_ensemble(runs, months)
    except cost.TooCostly as err:
        raise InputError(
            "explore.error_run_months", runs=runs, months=months, most=err.values["most_runs"]
        ) from err


def ledger_runs(runs: int, months: int) -> int:
    """How many of the first runs the "why" ledger averages over (all of them when small)."""
    return cost.ledger_runs(runs, months)


def read_upload(data: bytes) -> str:
    """The text of an uploaded scenario file, refused if too big or not UTF-8 text.

    Why: the upload is then parsed by the core's bounded loader (``model.bounded_yaml``: no
    code can run from it, aliases and nesting are bounded); this bound keeps a huge or binary
    file from tying up a shared server before that.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError("explore.error_upload_size", size=len(data) // 1024, limit=MAX_UPLOAD_MB)
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


def _drop_item(items: list[Any], kind: Kind, item_type: str, month: str) -> dict[str, Any]:
    """Remove the first entry of a scenario's list with this type and month, or say it is missing.

    Returns:
        The entry's other fields (an election's ``params``, a ``note``), for a move to keep.
    """
    for i, entry in enumerate(items):
        if isinstance(entry, Mapping) and entry.get("type") == item_type and str(entry.get("month")) == month:
            del items[i]
            return {k: v for k, v in entry.items() if k not in ("type", "month", "actor")}
    key = "explore.error_remove_missing" if kind == "event" else "explore.error_remove_missing_decision"
    raise InputError(key, event=item_type, month=month)


def apply_edits(tree: Mapping[str, Any], edits: Edits, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """A new YAML tree: ``tree`` with ``edits`` applied (``tree`` itself is left alone).

    An added decision takes its actor from the catalogue (each decision belongs to one seat).
    An item removed and added again (a move to another month) keeps its other fields, such as
    an election's forced winner.

    Raises:
        InputError: if an edit names a scheduled item the scenario does not have, or a path
            that runs through a non-mapping.
    """
    out = copy.deepcopy(dict(tree))
    for path, value in edits.values:
        set_path(out, path, value)
    known = (catalogue or load_catalogue()).decisions if edits.decisions_added else {}
    for kind, name, removed, added in (
        ("event", "events", edits.removed, edits.added),
        ("decision", "decisions", edits.decisions_removed, edits.decisions_added),
    ):
        items = list(out.get(name) or [])
        kept: dict[str, list[dict[str, Any]]] = {}
        for item_type, month in removed:
            kept.setdefault(item_type, []).append(_drop_item(items, kind, item_type, month))  # type: ignore[arg-type]
        for item_type, month in added:
            extra = kept[item_type].pop(0) if kept.get(item_type) else {}
            entry: dict[str, Any] = {"month": month}
            if kind == "decision":
                found = known.get(item_type)
                entry["actor"] = found.actor if found is not None else "seoul"  # unknown: the parser names it
            entry["type"] = item_type
            items.append(entry | extra)
        if items or name in out:
            out[name] = items
    return out


def cache_key(scenario_yaml: str, runs: int, seed: int) -> str:
    """A short key that names one ensemble: same scenario text, runs and seed, same numbers."""
    digest = hashlib.sha256(f"{runs}|{seed}|{scenario_yaml}".encode()).hexdigest()
    return digest[:16]


class ResultStore:
    """A small thread-safe least-recently-used store of ensemble results, by cache key.

    Why not ``st.cache_data`` around the run itself: a cached function may not update a
    progress bar drawn outside it, and a long run must show progress. The page keeps one
    store per server (``st.cache_resource``) and computes on a miss, outside any cache; the
    stored results are never modified after they are put in.

    Args:
        max_entries: How many ensembles to keep (a 200-run, 60-month ensemble is ~10 MB).
    """

    def __init__(self, max_entries: int = 24) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        """The stored value, or ``None``; a hit makes the entry the most recent."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: str, value: Any) -> None:
        """Store a value, dropping the least recently used entries beyond the bound."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def get_or_compute(self, key: str, compute: Callable[[], Any]) -> tuple[Any, bool]:
        """The stored value, or ``compute()`` stored now; and whether it was a hit."""
        found = self.get(key)
        if found is not None:
            return found, True
        value = compute()
        self.put(key, value)
        return value, False

    def clear(self) -> None:
        """Forget everything (tests start from an empty store)."""
        with self._lock:
            self._items.clear()


def dump_yaml(tree: Mapping[str, Any]) -> str:
    """YAML text of a tree, in the order written (what a user downloads and edits by hand)."""
    return yaml.safe_dump(dict(tree), sort_keys=False, allow_unicode=True)


PROFILE_FIELDS = (
    ("seoul", "camp"),
    ("seoul", "stance"),
    ("tokyo", "camp"),
    ("tokyo", "stance"),
    ("washington", "stance"),
)
"""The leaders' profile fields a user may change (the leader's name is a label, not a lever)."""


@dataclass(frozen=True)
class EditableField:
    """One assumption the Explore page offers to change.

    Attributes:
        path: Dotted path in the scenario's YAML tree (``actors.seoul.camp``,
            ``parameters.nk_launch_rate``).
        kind: ``"choice"`` (one of ``options``) or ``"number"`` (from ``low`` to ``high``).
        group: ``"leaders"`` for the governments' profiles, else the coefficient's group
            (``rate``, ``dynamics``, ``public``, ...).
        default: The value in the scenario as written (or the catalogue's value).
        options: Allowed values of a choice.
        low: Smallest plausible value of a number.
        high: Largest plausible value of a number.
        label: What the reader sees.
        help: Meaning, plausible range and source, for the help text.
        option_labels: The options' names, where they are not words (a starting level of
            0 or 1 reads "not in force" or "in force").
    """

    path: str
    kind: Literal["choice", "number"]
    group: str
    default: Any
    options: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0
    label: str = ""
    help: str = ""
    option_labels: tuple[str, ...] = ()

    def option_label(self, option: Any) -> str | None:
        """The reader's name of a choice's option, when the field names its options itself."""
        if self.option_labels and option in self.options:
            return self.option_labels[list(self.options).index(option)]
        return None

    def check(self, value: Any) -> Any:
        """The value if this field can take it, else an :class:`InputError`."""
        if self.kind == "choice":
            numeric = bool(self.options) and not isinstance(self.options[0], str)
            if numeric and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise InputError("explore.error_edit_value", path=self.path)
            if value not in self.options:
                raise InputError("explore.error_edit_value", path=self.path)
            return float(value) if numeric else value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError("explore.error_edit_value", path=self.path)
        if not self.low <= float(value) <= self.high:
            raise InputError(
                "explore.error_edit_range",
                path=self.path,
                value=value,
                low=self.low,
                high=self.high,
            )
        return float(value)

    def differs(self, value: Any) -> bool:
        """Whether ``value`` is an edit (numbers compare within a rounding tolerance)."""
        if self.kind == "number":
            return abs(float(value) - float(self.default)) > 1e-9 * max(1.0, abs(self.high))
        return value != self.default


def editable_fields(
    scenario: Scenario,
    catalogue: Catalogue,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> list[EditableField]:
    """The assumptions a user may change in a scenario: profiles first, then coefficients.

    The options of a profile come from the scenario schema itself and the range, meaning and
    source of a coefficient from the catalogue, so the page cannot offer a value the model
    would refuse.
    """
    fields: list[EditableField] = []
    for actor, name in PROFILE_FIELDS:
        profile = getattr(scenario.actors, actor)
        options = tuple(get_args(type(profile).model_fields[name].annotation))
        fields.append(
            EditableField(
                path=f"actors.{actor}.{name}",
                kind="choice",
                group="leaders",
                default=getattr(profile, name),
                options=options,
                label=tr(f"explore.field_{actor}_{name}", lang, places),
                help=tr(f"explore.help_{actor}_{name}", lang, places),
            )
        )
    fields += starting_level_fields(scenario, lang, places)
    for cid, coef in catalogue.coefficients.items():
        fields.append(
            EditableField(
                path=f"parameters.{cid}",
                kind="number",
                group=coef.group,
                default=float(scenario.parameters.get(cid, coef.value)),
                low=float(coef.range[0]),
                high=float(coef.range[1]),
                label=coefficient_label(cid, lang, places),
                help=tr(
                    "explore.help_coefficient",
                    lang,
                    places,
                    meaning=tr(f"coefficient.{cid}.meaning", lang, places),
                    low=coef.range[0],
                    high=coef.range[1],
                    default=coef.value,
                    source=source_text(coef.source, lang, places),
                ),
            )
        )
    return fields


STARTING_LEVELS = (
    *TRACKS,
    *PUBLIC_OPINION,
    "kr_gov_approval",
    "jp_gov_approval",
    "nk_threat",
    "us_commitment",
    "china_pressure",
)
"""Starting levels (0-100) a user may change: the tracks, both publics, approvals, the environment."""

STARTING_FACTS = (
    "gsomia",
    "jp_export_controls",
    "jp_whitelist_kr",
    "kr_whitelist_jp",
    "kr_countermeasures",
    "shuttle_diplomacy",
    "foundation",
    "boycott",
    "liquidation_stage",
)
"""Institutional facts a user may set at the start (on or off; the liquidation stage 0-3)."""


def starting_level_fields(
    scenario: Scenario, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES
) -> list[EditableField]:
    """The scenario's starting levels as fields (group ``initial``), within the state's bounds.

    A level the scenario leaves unwritten starts where the model starts it
    (``model.model.DEFAULT_INITIAL``), and that is the field's value.
    """
    from model.model import DEFAULT_INITIAL
    from model.state import INSTITUTION_BOUNDS

    def start(name: str) -> float:
        return float(scenario.initial.get(name, DEFAULT_INITIAL[name]))

    fields = [
        EditableField(
            path=f"initial.{name}",
            kind="number",
            group="initial",
            default=start(name),
            low=0.0,
            high=100.0,
            label=tr("explore.field_initial", lang, places, name=tr(f"variable.{name}", lang, places)),
            help=tr("explore.help_initial", lang, places, default=start(name)),
        )
        for name in STARTING_LEVELS
    ]
    for name in STARTING_FACTS:
        top = int(INSTITUTION_BOUNDS[name][1])
        options = tuple(float(v) for v in range(top + 1))
        names = (
            tuple(tr(f"explore.stage_{v}", lang, places) for v in range(top + 1))
            if top > 1
            else (tr("explore.fact_off", lang), tr("explore.fact_on", lang))
        )
        value = start(name)
        fields.append(
            EditableField(
                path=f"initial.{name}",
                kind="choice",
                group="initial",
                default=min(options, key=lambda o: abs(o - value)),
                options=options,
                option_labels=names,
                label=tr("explore.field_initial", lang, places, name=tr(f"variable.{name}", lang, places)),
                help=tr("explore.help_initial_fact", lang, places),
            )
        )
    return fields


def coefficient_label(cid: str, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> str:
    """A coefficient's short label, through the translation layer ("US commitment rate")."""
    load_catalogue()  # registers the catalogue's texts
    return tr(f"coefficient.{cid}.label", lang, places)


def validate_edits(
    edits: Edits, fields: list[EditableField], scenario: Scenario, catalogue: Catalogue
) -> tuple[Edits, list[InputError]]:
    """Keep the edits this scenario can take; one message for each that was dropped.

    Why: edits may come from a link (anyone can change it) or survive a switch of scenario;
    each is checked against the field it names, the event catalogue and the calendar before
    any widget is given its value.
    """
    by_path = {f.path: f for f in fields}
    problems: list[InputError] = []
    values: list[tuple[str, Any]] = []
    for path, value in edits.values:
        field_ = by_path.get(path)
        try:
            if field_ is None:
                raise InputError("explore.error_edit_path", path=path)
            values.append((path, field_.check(value)))
        except InputError as err:
            problems.append(err)
    first, last = month_index(scenario.start), month_index(scenario.end)
    existing = {
        "event": {(e.type, e.month) for e in scenario.events},
        "decision": {(d.type, d.month) for d in scenario.decisions},
    }

    def item_ok(kind: Kind, item_type: str, month: str, must_exist: bool) -> bool:
        known = catalogue.events if kind == "event" else catalogue.decisions
        if item_type not in known:
            key = "explore.error_event_type" if kind == "event" else "explore.error_decision_type"
            problems.append(InputError(key, event=item_type))
            return False
        if not first <= month_index(month) <= last:
            problems.append(
                InputError("explore.error_event_month", month=month, start=scenario.start, end=scenario.end)
            )
            return False
        if must_exist and (item_type, month) not in existing[kind]:
            key = "explore.error_remove_missing" if kind == "event" else "explore.error_remove_missing_decision"
            problems.append(InputError(key, event=item_type, month=month))
            return False
        return True

    return (
        Edits(
            tuple(values),
            tuple(a for a in edits.added if item_ok("event", *a, must_exist=False)),
            tuple(r for r in edits.removed if item_ok("event", *r, must_exist=True)),
            tuple(a for a in edits.decisions_added if item_ok("decision", *a, must_exist=False)),
            tuple(r for r in edits.decisions_removed if item_ok("decision", *r, must_exist=True)),
            edits.title,
        ),
        problems,
    )


def edited_scenario(base: Scenario, edits: Edits, lang: str = DEFAULT_LANGUAGE) -> Scenario:
    """The base scenario with the edits applied, validated by the core's own parser.

    An edited scenario gets the id ``<id>-edited`` and a title of its own (the user's, else
    the base's marked as edited), so that its YAML, once downloaded, does not pass for the
    shipped file.

    Raises:
        InputError: if an edit cannot be applied at all.
        model.scenario.ScenarioError: if the result is not a valid scenario (each problem
            names the field).
    """
    if not edits:
        return base
    tree = yaml.safe_load(base.to_yaml())
    tree = apply_edits(tree, edits)
    if not str(tree.get("id", "")).endswith("-edited"):
        tree["id"] = f"{tree.get('id', 'scenario')}-edited"
    tree["title"] = edits.title or edited_title(base.title, lang)
    return parse_scenario(dump_yaml(tree), filename=f"{base.id} (edited)")


def edited_title(title: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The title of an edited copy when the user gave none: "<title> (my version)", once."""
    mark = tr("explore.edited_mark", lang)
    return title if title.endswith(mark) else f"{title} {mark}"


def reference_edits(edits: Edits) -> Edits:
    """What a what-if's reference (the scenario it builds on) takes from the user's edits.

    The changed assumptions (leaders, coefficients, starting levels) apply to both, so that
    the difference is the what-if's own calendar (its events and decisions, and the user's
    changes to them) under the user's assumptions.
    """
    return edits.values_only()


@dataclass(frozen=True)
class TimelineItem:
    """One entry of the timeline the Explore page lists.

    Attributes:
        kind: ``"event"`` or ``"decision"``.
        type: Catalogue id.
        actor: Who acts.
        month: ``YYYY-MM``.
        by_user: Added by the user (not written in the scenario).
    """

    kind: Kind
    type: str
    actor: str
    month: str
    by_user: bool


def scheduled_items(base: Scenario, edits: Edits, catalogue: Catalogue | None = None) -> list[TimelineItem]:
    """The events and decisions on the timeline after edits, by month (the user's marked)."""
    cat = catalogue or load_catalogue()
    out: list[TimelineItem] = []
    for kind, written, removed_pairs, added_pairs in (
        ("event", [(e.type, e.month) for e in base.events], edits.removed, edits.added),
        ("decision", [(d.type, d.month) for d in base.decisions], edits.decisions_removed, edits.decisions_added),
    ):
        known = cat.events if kind == "event" else cat.decisions
        removed = list(removed_pairs)
        for item_type, month in written:
            if (item_type, month) in removed:
                removed.remove((item_type, month))
                continue
            actor = known[item_type].actor if item_type in known else ""
            out.append(TimelineItem(kind, item_type, actor, month, False))  # type: ignore[arg-type]
        for item_type, month in added_pairs:
            actor = known[item_type].actor if item_type in known else ""
            out.append(TimelineItem(kind, item_type, actor, month, True))  # type: ignore[arg-type]
    return sorted(out, key=lambda i: (i.month, i.kind, i.type))


def scheduled_events(base: Scenario, edits: Edits) -> list[tuple[str, str, bool]]:
    """The events on the timeline after edits: ``(type, month, added_by_user)``, by month."""
    return [(i.type, i.month, i.by_user) for i in scheduled_items(base, edits) if i.kind == "event"]


def cause_labels(catalogue: Catalogue, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> dict[str, str]:
    """Readable names for every cause the ledger can name (events, decisions, mechanisms)."""
    labels = {eid: catalogue.label("event", eid, lang, places) for eid in catalogue.events}
    labels |= {did: catalogue.label("decision", did, lang, places) for did in catalogue.decisions}
    return labels


def cause_label_for(cause: str, labels: dict[str, str], lang: str, places: str) -> str:
    """The label of one cause the ledger names.

    In order: a catalogue event or decision; a model mechanism (``cause.*``, then this page's
    own ``explore.cause_*``); an institutional fact or state variable whose level pulls the
    tracks ("the state of Shuttle diplomacy"); else the id itself.
    """
    if cause in labels:
        return labels[cause]
    for key in (f"cause.{cause}", f"explore.cause_{cause}"):
        if has(key, lang):
            return tr(key, lang, places)
    if has(f"variable.{cause}", lang):
        return tr("explore.cause_state", lang, places, name=tr(f"variable.{cause}", lang, places))
    return cause


def ledger_window(ledger: Any, first: str, last: str) -> Any:
    """Rows of a ledger frame (with a ``month`` column) inside a window of months."""
    return ledger[(ledger["month"] >= first) & (ledger["month"] <= last)]


def poll_frame(lang: str = DEFAULT_LANGUAGE) -> Any:
    """Published polls on the simulated variables' scale, for drawing as points.

    The Cabinet Office series asks a different question; it is shifted by the wording offset
    the calibration measured (``model.analysis.polls.series_offset``), never spliced. Each
    poll's ``source`` names its series in the reader's language.
    """
    from model.analysis.polls import poll_targets, series_offset, targets_frame

    frame = targets_frame(poll_targets())
    if frame.empty:
        return frame
    frame["value"] = frame["value"] - frame["series"].map(series_offset)
    frame["source"] = frame["series"].map(lambda k: tr(f"history.series.{k}", lang))
    return frame


def catalogue_frame(catalogue: Catalogue, kind: Literal["event", "decision"], lang: str, places: str) -> Any:
    """The event or decision catalogue as a table: one row per effect, each with its source.

    An entry's label and briefing are written on its first row only (later rows keep its id).
    Entries without effects (a seat's "hold") get one row, so every entry is listed.
    """
    import pandas as pd

    entries = catalogue.events if kind == "event" else catalogue.decisions
    rows = []
    for eid, entry in entries.items():
        head = {
            tr("modeldata.col_entry", lang): catalogue.label(kind, eid, lang, places),
            tr("modeldata.col_id", lang): eid,
            tr("modeldata.col_actor", lang): tr(f"actor.{entry.actor}", lang, places),
            tr("modeldata.col_briefing", lang): catalogue.briefing(kind, eid, lang, places),
            tr("modeldata.col_preconditions", lang): preconditions_text(entry.preconditions, lang, places),
        }
        effects = entry.effects or (None,)
        for i, eff in enumerate(effects):
            row = dict(head) if i == 0 else dict.fromkeys(head, "") | {tr("modeldata.col_id", lang): eid}
            row[tr("modeldata.col_variable", lang)] = tr(f"variable.{eff.var}", lang, places) if eff else ""
            row[tr("modeldata.col_mean", lang)] = eff.mean if eff else None
            row[tr("modeldata.col_sd", lang)] = eff.sd if eff else None
            row[tr("modeldata.col_months", lang)] = eff.months if eff else None
            row[tr("modeldata.col_source", lang)] = source_text(eff.source, lang, places) if eff else ""
            rows.append(row)
        for trig in entry.triggers:
            row = dict.fromkeys(head, "") | {tr("modeldata.col_id", lang): eid}
            row[tr("modeldata.col_variable", lang)] = tr(
                "modeldata.may_trigger", lang, event=catalogue.label("event", trig.event, lang, places)
            )
            row[tr("modeldata.col_mean", lang)] = trig.prob
            row[tr("modeldata.col_source", lang)] = source_text(trig.source, lang, places)
            rows.append(row)
    return pd.DataFrame(rows)


def coefficients_frame(catalogue: Catalogue, lang: str, places: str) -> Any:
    """Every coefficient with its value, plausible range, meaning and source."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                tr("modeldata.col_id", lang): cid,
                tr("modeldata.col_group", lang): tr(f"explore.group_{c.group}", lang),
                tr("modeldata.col_value", lang): c.value,
                tr("modeldata.col_range", lang): tr("modeldata.range_value", lang, low=c.range[0], high=c.range[1]),
                tr("modeldata.col_meaning", lang): tr(f"coefficient.{cid}.meaning", lang, places),
                tr("modeldata.col_source", lang): source_text(c.source, lang, places),
            }
            for cid, c in catalogue.coefficients.items()
        ]
    )


@dataclass(frozen=True)
class RedLineBlock:
    """What the what-if page says about a red line its calendar crosses (texts ready to draw).

    Attributes:
        title: The red line, its month and whose decision rule answers.
        crossed: How many runs cross it (the item happens only where its preconditions hold),
            or None when all of them do.
        answers: One sentence per answer counted, with the share of runs (and the reference's).
        basis: How the rule makes the answer.
        coefficients: The rule's coefficients, each with its value and source.
        shares: The what-if's share of runs per answer (what the sentences say, as numbers).
    """

    title: str
    crossed: str | None
    answers: tuple[str, ...]
    basis: str
    coefficients: tuple[str, ...]
    shares: dict[str, float]


def red_line_block(
    scenario: Scenario,
    values: Any,
    reference_values: Any | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
    parameters: Mapping[str, float] | None = None,
) -> RedLineBlock | None:
    """The response distribution of the first red line the scenario crosses, from its runs.

    ``values`` is the ensemble the page already ran (months, variables, runs); with the
    reference's ensemble (same seed, so twin runs) each answer also gives the reference's
    share. None when the scenario crosses no red line (:data:`model.analysis.escalation.RED_LINES`).
    ``parameters`` are the scenario's coefficients (the catalogue's where the scenario keeps them).
    """
    from model.analysis.escalation import RED_LINE_WINDOW, crossed_share, find_red_line, response_shares
    from model.i18n import month_text

    found = find_red_line(scenario)
    if found is None:
        return None
    line, month = found
    t0 = scenario.index_of(month)
    crossed = crossed_share(values, line, t0)
    shares = response_shares(values, line, t0)
    base = response_shares(reference_values, line, t0) if reference_values is not None else None
    answers = []
    for key, share in shares.items():
        name = f"{line.responder}_{key}" if key == "countermeasures" else key
        answer = tr(f"redline.answer.{name}", lang, places, within=RED_LINE_WINDOW, share=100 * share)
        if base is None:
            answers.append(tr("redline.alone", lang, places, answer=answer))
        else:
            answers.append(tr("redline.with_reference", lang, places, answer=answer, base=100 * base[key],
                              delta=100 * (share - base[key])))
    cat = load_catalogue()
    parameters = parameters or {}
    coefficients = tuple(
        tr("redline.coefficient", lang, places, label=coefficient_label(c, lang, places),
           value=f"{parameters.get(c, cat.coefficients[c].value):g}",
           source=source_text(cat.coefficients[c].source, lang, places))
        for c in line.basis
    )
    return RedLineBlock(
        title=tr(f"redline.line.{line.id}", lang, places, month=month_text(month, lang)),
        crossed=None if crossed == 1.0 else (
            tr("redline.crossed", lang, places, share=100 * crossed) if crossed > 0
            else tr("redline.never", lang, places)
        ),
        answers=tuple(answers) if crossed > 0 else (),
        basis=tr(f"redline.basis_{line.responder}", lang, places),
        coefficients=coefficients,
        shares=shares,
    )
