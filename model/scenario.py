"""Scenario files: the schema, safe YAML loading and errors that name file, line and field.

A scenario is data: calendar, initial state, who governs, which processes run, parameter
overrides, scheduled events and scripted decisions. :func:`load_scenario` either returns a
fully valid :class:`Scenario` or raises :class:`ScenarioError` listing every problem, each
with the file, the line and the field, so that nothing runs half-loaded.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from model import bounded_yaml
from model.catalogue import ACTORS, INSTITUTIONS, SHIFTABLE, load_catalogue
from model.limits import MAX_MONTHS, MAX_PARSE_SECONDS, MAX_SCENARIO_BYTES, MAX_SCHEDULED
from model.state import INSTITUTION_BOUNDS
from model.yaml_problems import (
    Problem,
    field_name,
    keyed,
    line_map,
    line_of,
    repeated_key_problems,
    schema_problem,
    syntax_problem,
)

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# libyaml's safe dumper when PyYAML was built with it: the same text, five times faster (a
# scenario of thousands of events is written on every page view that keys a cache on it).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
INITIAL_FIELDS = tuple(v for v in SHIFTABLE if v != "us_pressure") + ("us_pressure",) + INSTITUTIONS


def month_index(month: str) -> int:
    """Months since year 0 for a "YYYY-MM" label (for differences between months)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_label(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class _NotAMonth(ValueError):
    """A value that is not a YYYY-MM month (its own type, so its message can be translated)."""


def _check_month(value: Any) -> str:
    if not isinstance(value, str) or not MONTH.match(value):
        raise _NotAMonth(f"{value!r} is not a month written as YYYY-MM")
    return value


# Checked before the text type, so that whatever YAML made of it (2026-08-01 a date, 202608 a
# number) is "not a month written as YYYY-MM", not "must be text".
Month = Annotated[str, BeforeValidator(_check_month)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeoulProfile(_Strict):
    """Who governs in Seoul and with what leanings."""

    leader: str = "President"
    camp: Literal["progressive", "conservative"] = "progressive"
    stance: Literal["hawkish", "moderate"] = "moderate"


class TokyoProfile(_Strict):
    """Who governs in Tokyo and with what leanings."""

    leader: str = "Prime Minister"
    camp: Literal["conservative", "liberal"] = "conservative"
    stance: Literal["hawkish", "moderate"] = "moderate"


class WashingtonProfile(_Strict):
    """Who governs in Washington and how it sees its alliances."""

    leader: str = "President"
    stance: Literal["alliance_builder", "transactional"] = "alliance_builder"


class Actors(_Strict):
    """The three governments' profiles."""

    seoul: SeoulProfile = SeoulProfile()
    tokyo: TokyoProfile = TokyoProfile()
    washington: WashingtonProfile = WashingtonProfile()


class Processes(_Strict):
    """Which processes run by themselves (switch off to replay history by script)."""

    pyongyang: bool = True
    courts: bool = True
    calendar: bool = True
    world: bool = True
    rules: bool = True
    mobilisation: bool = True


class ScheduledEvent(_Strict):
    """An event fixed in the scenario's calendar."""

    month: Month
    type: str
    params: dict[str, Any] = {}
    note: str | None = None


class ScriptedDecision(_Strict):
    """A decision taken for a government at a given month (historical replay)."""

    month: Month
    actor: Literal[ACTORS]  # type: ignore[valid-type]
    type: str
    note: str | None = None


HOLDOUT_MONTH = "2020-01"
"""Polls from this month on are held out of the repository and of every scenario (the project's rule)."""


class Observation(_Strict):
    """A published poll that the replay meets (data assimilation; ``RelationsModel.assimilate``).

    At the end of ``month`` (the poll's last fieldwork month) the public is nudged by the poll
    minus its simulated share over the fieldwork months, every cohort by the same amount; the
    gap fades with a half-life of ``half_life`` months. ``value`` is on the model's scale (the
    published value minus the series' wording offset).
    """

    month: Month
    variable: Literal["kr_favorable_japan", "jp_favorable_korea"]
    value: float = Field(ge=0.0, le=100.0)
    window: list[Month] = Field(min_length=1)
    half_life: float = Field(12.0, gt=0.0)
    series: str = ""


class Scenario(_Strict):
    """A scenario file, validated."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str
    question: str
    description: str = ""
    start: Month
    end: Month
    decision_interval: int = Field(3, ge=1, le=12)
    weights: dict[Literal["diplomatic", "security", "economic", "history", "people"], float] = {
        "diplomatic": 0.25,
        "security": 0.2,
        "economic": 0.2,
        "history": 0.2,
        "people": 0.15,
    }
    initial: dict[str, float] = {}
    actors: Actors = Actors()
    processes: Processes = Processes()
    parameters: dict[str, float] = {}
    events: list[ScheduledEvent] = []
    decisions: list[ScriptedDecision] = []
    # None (not an empty list) when absent, so that a scenario without observations dumps as before
    observations: list[Observation] | None = None

    @property
    def months(self) -> list[str]:
        """Calendar labels of every simulated month."""
        first = month_index(self.start)
        return [month_label(i) for i in range(first, month_index(self.end) + 1)]

    def index_of(self, month: str) -> int:
        """Position of a calendar month in the scenario (0 = start)."""
        return month_index(month) - month_index(self.start)

    def within(self, start: str, end: str) -> Scenario:
        """This scenario over ``start``..``end`` only, a window inside its own.

        Why: a what-if that runs part of its base (``end: 2027-12`` on the baseline) is read
        against the base over the same months, or the run-by-run difference has no twin.
        """
        data = _within_window(self.model_dump(mode="json", exclude_none=True), {"start": start, "end": end})
        return Scenario.model_validate(data | {"start": start, "end": end})

    def to_yaml(self) -> str:
        """The scenario as YAML that :func:`parse_scenario` reads back to an equal scenario."""
        data = self.model_dump(mode="json", exclude_none=True)
        return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def _limit_problem(filename: str, line: int, field: str, key: str, **values: Any) -> Problem:
    """A refusal by one of the bounds of :mod:`model.limits`, its message from ``scenario.limit``."""
    return keyed(filename, line, field, f"scenario.limit.{key}", **values)


def _schema_problem(filename: str, line: int, field: str, err: dict) -> Problem:
    """A schema error as a translatable problem; a month not written as YYYY-MM says so."""
    ctx = err.get("ctx") or {}
    if err["type"] == "value_error" and isinstance(ctx.get("error"), _NotAMonth):
        return keyed(filename, line, field, "month", value=str(err.get("input")))
    return schema_problem(filename, line, field, err)


def _refuse(problem: Problem) -> ScenarioError:
    return ScenarioError([problem])


class ScenarioError(ValueError):
    """A scenario that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _month_or_none(value: Any) -> int | None:
    return month_index(value) if isinstance(value, str) and MONTH.match(value) else None


def _semantic_problems(data: dict) -> list[tuple[tuple, str, dict]]:
    """Checks that need the catalogue or the calendar, as (path, message key, values).

    They read the raw mapping defensively, so that they report alongside the schema's own
    problems: a file with a wrong type and an unknown event type shows both at once.
    """
    cat = load_catalogue()
    found: list[tuple[tuple, str, dict]] = []
    first, last = _month_or_none(data.get("start")), _month_or_none(data.get("end"))
    if first is not None and last is not None:
        if last < first:
            found.append((("end",), "ends_before", {"end": data["end"], "start": data["start"]}))
        elif last - first >= MAX_MONTHS:
            found.append((("end",), "too_long", {"most": MAX_MONTHS}))
    initial = data.get("initial")
    for name, value in (initial.items() if isinstance(initial, dict) else ()):
        if name not in INITIAL_FIELDS:
            found.append((("initial", name), "unknown_variable", {"name": str(name)}))
            continue
        lo, hi = INSTITUTION_BOUNDS.get(name, (0.0, 100.0))
        if isinstance(value, int | float) and not lo <= value <= hi:
            found.append((("initial", name), "outside_bounds", {"value": value, "low": lo, "high": hi}))
    params = data.get("parameters")
    for name, value in (params.items() if isinstance(params, dict) else ()):
        coef = cat.coefficients.get(name)
        if coef is None:
            found.append((("parameters", name), "unknown_parameter", {"name": str(name)}))
        elif isinstance(value, int | float) and not coef.range[0] <= value <= coef.range[1]:
            low, high = coef.range
            found.append((("parameters", name), "outside_range", {"value": value, "low": low, "high": high}))

    def check_month(path: tuple, value: Any) -> None:
        index = _month_or_none(value)
        # a window that ends before it starts is one problem (``end``), not one per scheduled item
        if index is not None and first is not None and last is not None and first <= last and not (
            first <= index <= last
        ):
            found.append((path, "outside_scenario", {"value": value, "start": data["start"], "end": data["end"]}))

    for key, known in (("events", cat.events), ("decisions", cat.decisions)):
        items = data.get(key)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict):
                continue
            kind = item.get("type")
            entry = known.get(kind) if isinstance(kind, str) else None
            if isinstance(kind, str) and entry is None:
                found.append(((key, i, "type"), f"unknown_{key[:-1]}", {"kind": kind}))
            elif key == "decisions" and entry is not None and item.get("actor") not in (None, entry.actor):
                wrong = {"kind": kind, "actor": entry.actor, "given": str(item.get("actor"))}
                found.append(((key, i, "type"), "wrong_actor", wrong))
            check_month((key, i, "month"), item.get("month"))
    observations = data.get("observations")
    for i, item in enumerate(observations if isinstance(observations, list) else ()):
        if not isinstance(item, dict):
            continue
        month = item.get("month")
        check_month(("observations", i, "month"), month)
        if isinstance(month, str) and _month_or_none(month) is not None and month >= HOLDOUT_MONTH:
            found.append((("observations", i, "month"), "held_out", {"value": month, "first": HOLDOUT_MONTH}))
        window = item.get("window")
        for j, wm in enumerate(window if isinstance(window, list) else ()):
            check_month(("observations", i, "window", j), wm)
            if isinstance(month, str) and isinstance(wm, str) and wm > month:
                found.append((("observations", i, "window", j), "after_poll", {"value": wm, "month": month}))
    weights = data.get("weights")
    if isinstance(weights, dict) and all(isinstance(w, int | float) for w in weights.values()):
        if sum(weights.values()) <= 0 or any(w < 0 for w in weights.values()):
            found.append((("weights",), "weights", {}))
    return found


def _with_base(data: dict, lines: dict, filename: str) -> tuple[dict, dict, dict[tuple, int]]:
    """Overlay a scenario on the shipped scenario it names in ``base``.

    Mappings merge key by key, the child's values winning; the child's events and decisions
    are added to the base's, and a child event replaces a base event of the same type in the
    same month (so a what-if can force the outcome of a scheduled election).

    Returns:
        The merged data, its line map, and for each of the child's list items its position in
        the merged list -> its position in the child's file, so that a problem is reported
        as ``events[0]`` of the file the user wrote, not ``events[7]`` of the merged list.
    """
    name = data.pop("base")
    path = shipped_scenarios().get(str(name))
    if path is None:
        known = ", ".join(shipped_scenarios())
        line = line_of(lines, ("base",))
        raise ScenarioError([keyed(filename, line, "base", "unknown_base", name=str(name), known=known)])
    base = _within_window(load_scenario(path).model_dump(mode="json", exclude_none=True), data)
    merged = dict(base)
    renumber: dict[tuple, int] = {}
    for key, value in data.items():
        if key == "events" and isinstance(value, list):
            mine = {(e.get("month"), e.get("type")) for e in value if isinstance(e, dict)}
            kept = [e for e in base.get("events", []) if (e["month"], e["type"]) not in mine]
            merged[key] = kept + value
            offset = len(kept)
        elif key == "decisions" and isinstance(value, list):
            merged[key] = base.get("decisions", []) + value
            offset = len(base.get("decisions", []))
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _deep_merge(base[key], value)
            continue
        else:
            merged[key] = value
            continue
        # list items of the child moved by `offset`: shift their line numbers with them
        moved = {p: n for p, n in lines.items() if len(p) >= 2 and p[0] == key and isinstance(p[1], int)}
        for path in moved:
            del lines[path]
        for path, line in moved.items():
            lines[(key, path[1] + offset) + path[2:]] = line
        renumber.update({(key, i + offset): i for i in range(len(value))})
    return merged, lines, renumber


def _within_window(base: dict, child: dict) -> dict:
    """The base's scheduled items that fall inside the window the child sets with ``start``/``end``.

    Why: a what-if that runs only part of its base (``base: baseline-2026`` with ``end: 2027-12``)
    was refused with one problem per base event after 2027, each named by a position the
    child's file does not have, and could not be fixed short of copying the whole base. The
    child's own items are still checked against the window.
    """
    first = _month_or_none(child.get("start", base.get("start")))
    last = _month_or_none(child.get("end", base.get("end")))
    if first is None or last is None or last < first:
        return base
    out = dict(base)
    for key in ("events", "decisions", "observations"):
        if isinstance(base.get(key), list):
            out[key] = [item for item in base[key] if first <= month_index(item["month"]) <= last]
    return out


def _deep_merge(base: dict, child: dict) -> dict:
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _compose(text: str, filename: str) -> tuple[yaml.Node | None, Any]:
    """The YAML node graph within the bounds; every refusal one problem with its line."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_SCENARIO_BYTES:
        raise _refuse(_limit_problem(filename, 1, "(file)", "bytes", size=size, limit=MAX_SCENARIO_BYTES))
    try:
        return bounded_yaml.compose(text, MAX_PARSE_SECONDS)
    except bounded_yaml.BoundExceeded as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise _refuse(_limit_problem(filename, line, "(file)", exc.limit, **exc.values)) from None
    except yaml.MarkedYAMLError as exc:
        raise _refuse(syntax_problem(filename, exc)) from None
    except yaml.reader.ReaderError as exc:  # a control character: its own line, one line of text
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        detail = f"unacceptable character #x{code:04x}: {exc.reason}"
        raise _refuse(keyed(filename, line, "(syntax)", "yaml", detail=detail)) from None
    except yaml.YAMLError as exc:
        raise _refuse(keyed(filename, 1, "(syntax)", "yaml", detail=str(exc))) from None


def _count_scheduled(node: yaml.Node, filename: str) -> None:
    """Refuse more scheduled events and decisions than the bound, before building anything."""
    if not isinstance(node, yaml.MappingNode):
        return
    seen = 0
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value in ("events", "decisions"):
            if isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    seen += 1
                    if seen > MAX_SCHEDULED:
                        line = item.start_mark.line + 1
                        raise _refuse(_limit_problem(filename, line, key.value, "scheduled", limit=MAX_SCHEDULED))


def _check_time(started: float, filename: str) -> None:
    if time.monotonic() - started > MAX_PARSE_SECONDS:
        raise _refuse(_limit_problem(filename, 1, "(file)", "time", seconds=MAX_PARSE_SECONDS))


def parse_scenario(text: str, filename: str = "<scenario>", *, keep_repeated_keys: bool = False) -> Scenario:
    """Parse and validate scenario YAML (safe: no code can run from a file; bounded: see below).

    Whatever the text, this returns or raises within about :data:`~model.limits.MAX_PARSE_SECONDS`
    and a bounded amount of memory: size, nesting depth, alias expansion and the number of
    scheduled items are refused (one problem naming the line and the limit) before any value
    is built (:mod:`model.limits`, :mod:`model.bounded_yaml`).

    ``keep_repeated_keys``: a key written twice keeps its last value, as YAML does, instead of
    being a problem. Only for a game's stored copy: it was accepted so before repeated keys
    were refused, and a game in progress must still open.

    Raises:
        ScenarioError: with every problem found, each naming file, line and field.
    """
    started = time.monotonic()
    node, loader = _compose(text, filename)
    where: dict[int, tuple] = {}
    lines = line_map(node, where=where) if node is not None else {}
    if node is not None:
        _count_scheduled(node, filename)
    try:
        data = bounded_yaml.construct(loader, node)
    except bounded_yaml.BoundExceeded as exc:
        raise _refuse(_limit_problem(filename, 1, "(file)", exc.limit, **exc.values)) from None
    except bounded_yaml.BadValue as exc:
        path = where.get(id(exc.node), ())
        raise _refuse(Problem(filename, exc.node.start_mark.line + 1, field_name(path), exc.reason)) from None
    except yaml.MarkedYAMLError as exc:
        raise _refuse(syntax_problem(filename, exc)) from None
    except yaml.YAMLError as exc:
        raise _refuse(keyed(filename, 1, "(syntax)", "yaml", detail=str(exc))) from None
    if not isinstance(data, dict):
        raise ScenarioError([keyed(filename, 1, "(file)", "not_mapping")])
    repeated = [] if keep_repeated_keys else repeated_key_problems(filename, node)
    if repeated:
        raise ScenarioError(repeated)
    renumber: dict[tuple, int] = {}
    if "base" in data:
        data, lines, renumber = _with_base(data, lines, filename)
    _check_time(started, filename)
    problems = [
        keyed(filename, line_of(lines, p), field_name(p, renumber), key, **values)
        for p, key, values in _semantic_problems(data)
    ]
    _check_time(started, filename)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            path = tuple(err["loc"])
            problems.append(_schema_problem(filename, line_of(lines, path), field_name(path, renumber), err))
    _check_time(started, filename)
    if problems:
        problems.sort(key=lambda p: p.line)
        raise ScenarioError(problems)
    return scenario


def read_scenario_text(path: str | Path) -> str:
    """A scenario file's text, read no further than the size bound (a pipe or /dev/zero too).

    Raises:
        ScenarioError: unreadable, larger than :data:`~model.limits.MAX_SCENARIO_BYTES`, or
            not UTF-8 text.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([_unreadable(path, exc)]) from None
    if len(data) > MAX_SCENARIO_BYTES:
        size = _file_size(path)
        if size is None:  # a device or a pipe: we only know that it is too long
            raise _refuse(_limit_problem(str(path), 1, "(file)", "bytes_stream", limit=MAX_SCENARIO_BYTES))
        raise _refuse(_limit_problem(str(path), 1, "(file)", "bytes", size=size, limit=MAX_SCENARIO_BYTES))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([keyed(str(path), 1, "(file)", "not_text", position=exc.start + 1)]) from None


def _unreadable(path: Path, exc: OSError) -> Problem:
    """Why a file cannot be opened, in the reader's words (Python's own text only as a last resort)."""
    if isinstance(exc, FileNotFoundError):
        return keyed(str(path), 1, "(file)", "no_file")
    if isinstance(exc, IsADirectoryError):
        return keyed(str(path), 1, "(file)", "is_folder")
    if isinstance(exc, PermissionError):
        return keyed(str(path), 1, "(file)", "no_permission")
    return keyed(str(path), 1, "(file)", "cannot_read", detail=exc.strerror or str(exc))


def _file_size(path: Path) -> int | None:
    """A regular file's size for a message; None for a device or a pipe."""
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return size if size > MAX_SCENARIO_BYTES else None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file; see :func:`parse_scenario` and :func:`read_scenario_text`."""
    return parse_scenario(read_scenario_text(path), filename=str(path))


SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def shipped_scenarios() -> dict[str, Path]:
    """The scenario files shipped in ``scenarios/``, by file stem."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.yaml"))}
