"""The event, decision and coefficient catalogues: data read once, validated, then shared.

A new event type or decision is a new entry in a YAML file here, not new code: the effect
mechanisms in ``model/effects.py`` read these entries. Every number carries its source.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from model import i18n
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

ACTORS = ("seoul", "tokyo", "washington", "kr_public", "jp_public")
EVENT_ACTORS = ACTORS + ("pyongyang", "courts", "calendar", "elections", "world")



def _as_int(value: object) -> int:
    return value if isinstance(value, int) else 1


def _table(filename: str, section: str) -> dict[str, dict]:
    """One section of a catalogue file as a mapping of id to fields (read leniently at import).

    Why leniently: the institutions' names shape the state and the schemas at import, and the
    model's defaults are read at import; a broken file must still reach :func:`read_catalogue`,
    which reports each problem with its line.
    """
    try:
        text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
        table = (yaml.safe_load(text) or {}).get(section)
    except (OSError, yaml.YAMLError, AttributeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in table.items()}


_INSTITUTION_TABLE = _table("institutions.yaml", "institutions")
# Institutional facts: on/off or staged, changed only by events and decisions (institutions.yaml).
INSTITUTIONS = tuple(_INSTITUTION_TABLE)
# Institutional facts with stages 0..3 rather than on/off.
STAGED_INSTITUTIONS = tuple(k for k, v in _INSTITUTION_TABLE.items() if _as_int(v.get("stages", 1)) > 1)
# Where a scenario says nothing about a fact.
INSTITUTION_INITIAL = {k: float(v["initial"]) for k, v in _INSTITUTION_TABLE.items()
                       if isinstance(v.get("initial"), int | float)}
TRACKS = ("diplomatic", "security", "economic", "history", "people")
PUBLIC_OPINION = ("kr_favorable_japan", "jp_favorable_korea")
# Continuous variables besides the tracks and opinion: approval, threat, salience, environment.
CONTINUOUS = (
    "kr_gov_approval",
    "jp_gov_approval",
    "kr_threat",
    "jp_threat",
    "kr_salience",
    "jp_salience",
    "nk_threat",
    "us_commitment",
    "us_pressure",
    "china_pressure",
    "kr_dependence",
    "kr_visitors_japan",
    "jp_visitors_korea",
)
# Travel between the two countries, millions of visitors a year (annualised monthly rate).
TRAVEL = {"kr_favorable_japan": "kr_visitors_japan", "jp_favorable_korea": "jp_visitors_korea"}
TRAVEL_VARIABLES = tuple(TRAVEL.values())
# Continuous variables an effect may shift.
SHIFTABLE = TRACKS + PUBLIC_OPINION + CONTINUOUS
# Continuous variables with a starting level in levels.yaml (travel is derived from opinion).
LEVELLED = tuple(v for v in SHIFTABLE if v not in TRAVEL_VARIABLES)
# Where a scenario says nothing about a continuous variable (levels.yaml).
LEVEL_INITIAL = {k: float(v["value"]) for k, v in _table("levels.yaml", "levels").items()
                 if isinstance(v.get("value"), int | float)}
CHANNELS = ("general", "history", "security", "economic", "culture")

_CONDITION = re.compile(r"^(>=|<=|==)?\s*(\d+)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Effect(_Strict):
    """One delta on one state variable, with its uncertainty across runs."""

    var: Literal[SHIFTABLE]  # type: ignore[valid-type]
    mean: float
    sd: float = Field(0.0, ge=0)
    months: int = Field(1, ge=1, le=36)
    channel: Literal[CHANNELS] = "general"  # type: ignore[valid-type]
    source: str


class Trigger(_Strict):
    """Another event that this one may set off, with a probability."""

    event: str
    prob: float = Field(ge=0, le=1)
    source: str


def parse_condition(value: int | str) -> tuple[str, int]:
    """Read a precondition such as ``1``, ``">=2"`` into (operator, value)."""
    if isinstance(value, bool | int):
        return "==", int(value)
    match = _CONDITION.match(str(value).strip())
    if not match:
        raise ValueError(f"precondition {value!r} must be a number or '>=N', '<=N', '==N'")
    return match.group(1) or "==", int(match.group(2))


class _Entry(_Strict):
    id: str
    label: str
    briefing: str
    preconditions: dict[str, int | str] = {}
    sets: dict[str, int] = {}
    raises: dict[str, int] = {}
    effects: tuple[Effect, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    mechanism: str | None = None

    @field_validator("preconditions")
    @classmethod
    def _conditions(cls, value: dict) -> dict:
        for cond in value.values():
            parse_condition(cond)
        return value


class EventType(_Entry):
    """Something that happens to the actors (a launch, a ruling, an anniversary)."""

    actor: Literal[EVENT_ACTORS]  # type: ignore[valid-type]
    category: str
    scale: Literal["once", "count"] = "once"
    rate: str | None = None
    """For the world's random shocks: the coefficient (group ``rate``) that is its monthly chance."""
    mechanism: Literal["kr_presidential", "jp_general", "us_administration", "leader_change"] | None = None


class Decision(_Entry):
    """Something a seat chooses in a decision window."""

    actor: Literal[ACTORS]  # type: ignore[valid-type]
    tags: tuple[str, ...]
    mechanism: Literal["apology", "leverage", "two_level"] | None = None

    @property
    def is_hold(self) -> bool:
        """Whether this is the seat's "keep the current course" option."""
        return "hold" in self.tags


class Coefficient(_Strict):
    """A number of the model, its plausible range, its meaning and where it comes from."""

    id: str
    value: float
    range: tuple[float, float]
    group: Literal["dynamics", "public", "travel", "rule", "rate", "equilibrium", "election"]
    meaning: str
    source: str
    calibrate: bool = False
    screen: bool = True
    """False for a unit of measure (the points of a situation per unit of a pull): its swing is
    mostly the swing of the weight it divides, which the explorer's one-at-a-time tornado already
    makes, so that tornado holds it at its value to stay within its budget. Every other
    sensitivity analysis (``rapprochement sensitivity``, a tornado that names it) varies it."""


class Pull(_Strict):
    """One pull on a track's equilibrium (pulls.yaml): a fact's or the situation's.

    ``sign * coefficient * (mean(variables) - reference) / per``, times ``scale / 100`` when
    ``scale`` names a variable.
    """

    track: Literal[TRACKS]  # type: ignore[valid-type]
    cause: str
    coefficient: str
    variables: tuple[str, ...] = Field(min_length=1)
    reference: float = 0.0
    per: float = Field(1.0, gt=0)
    sign: Literal[1, -1] = 1
    scale: str | None = None
    source: str


class Institution(_Strict):
    """An institutional fact (institutions.yaml): on/off, or staged 0..``stages``."""

    id: str
    initial: float = Field(ge=0)
    stages: int = Field(1, ge=1, le=9)
    source: str


class Level(_Strict):
    """A continuous variable's starting level where a scenario says nothing (levels.yaml)."""

    id: str
    value: float = Field(ge=0, le=100)
    range: tuple[Annotated[float, Field(ge=0, le=100)], Annotated[float, Field(ge=0, le=100)]]
    meaning: str
    source: str


class Catalogue(BaseModel):
    """Everything the model reads from data, checked for consistency once at load."""

    model_config = ConfigDict(frozen=True)

    events: dict[str, EventType]
    decisions: dict[str, Decision]
    coefficients: dict[str, Coefficient]
    pulls: tuple[Pull, ...] = ()
    institutions: dict[str, Institution] = {}
    levels: dict[str, Level] = {}

    def menu(self, actor: str) -> list[Decision]:
        """The decisions open to one seat, "hold" first."""
        own = [d for d in self.decisions.values() if d.actor == actor]
        return sorted(own, key=lambda d: (not d.is_hold, d.id))

    def defaults(self) -> dict[str, float]:
        """Coefficient values as the model uses them unless a scenario overrides them."""
        return {cid: c.value for cid, c in self.coefficients.items()}

    def label(self, kind: str, entry_id: str, lang: str = "en", places: str = "both") -> str:
        """Translated label of an event or decision."""
        return i18n.tr(f"{kind}.{entry_id}.label", lang, places)

    def briefing(self, kind: str, entry_id: str, lang: str = "en", places: str = "both") -> str:
        """Translated briefing text of an event or decision."""
        return i18n.tr(f"{kind}.{entry_id}.briefing", lang, places)


def preconditions_text(preconditions: dict[str, int | str], lang: str = "en", places: str = "both") -> str:
    """What must hold, in words ("GSOMIA in force: no; Liquidation stage of court cases: >=1")."""
    parts = []
    for name, cond in preconditions.items():
        op, value = parse_condition(cond)
        if op == "==" and value in (0, 1):
            shown = i18n.tr("game.common.answer_yes" if value else "game.common.answer_no", lang, places)
        else:
            shown = f"{op.replace('==', '')}{value}"
        fact = i18n.tr(f"variable.{name}", lang, places)
        parts.append(i18n.tr("game.play.requires", lang, places, fact=fact, value=shown))
    return "; ".join(parts)


_ACRONYMS = {"us": "US", "nk": "NK", "kr": "KR", "jp": "JP", "gsomia": "GSOMIA", "wto": "WTO"}


def humanise(cid: str) -> str:
    """An id as an English label ("us_commitment_rate" -> "US commitment rate")."""
    words = [_ACRONYMS.get(w, w) for w in cid.split("_")]
    first = words[0] if words[0].isupper() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def _read(name: str) -> dict:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


class CatalogueError(ValueError):
    """A catalogue that cannot be used, with every problem found (each names file, line and field)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


FILES = {"institutions": "institutions.yaml", "levels": "levels.yaml", "events": "events.yaml",
         "decisions": "decisions.yaml",
         "coefficients": "coefficients.yaml", "pulls": "pulls.yaml"}
"""Each section of the catalogue and the file that holds it."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Source:
    """One catalogue file's data and the line of each path in it, for errors that name the line."""

    def __init__(self, filename: str, data: Any = None, lines: dict[tuple, int] | None = None):
        self.filename, self.data, self.lines = filename, data, lines or {}

    def problem(self, path: tuple, key: str, **values: Any) -> Problem:
        return keyed(self.filename, line_of(self.lines, path), field_name(path), key, **values)


def _parse(text: str, filename: str, problems: list[Problem]) -> _Source:
    """A catalogue file's data and line map (safe YAML: no code runs from it)."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        problems.append(syntax_problem(filename, exc))
        return _Source(filename, None)
    finally:
        loader.dispose()
    if node is not None:  # YAML keeps a repeated key's last value without a word (as in scenarios)
        problems.extend(repeated_key_problems(filename, node))
    return _Source(filename, data if isinstance(data, dict) else {}, line_map(node) if node is not None else {})


def _entries(source: _Source, section: str, build: type[BaseModel], problems: list[Problem]) -> dict | tuple:
    """Build one section's entries; each schema error becomes a problem with its line and field."""
    keyed_by_id = section != "pulls"
    if source.data is None:  # a syntax error, already reported
        return {} if keyed_by_id else ()
    raw = source.data.get(section)
    if not isinstance(raw, dict if keyed_by_id else list):
        shape = "mapping" if keyed_by_id else "list"
        problems.append(source.problem((section,), "missing" if raw is None else shape))
        return {} if keyed_by_id else ()
    built: dict = {}
    for key, fields in (raw.items() if keyed_by_id else enumerate(raw)):
        path = (section, key)
        if not isinstance(fields, dict):
            problems.append(source.problem(path, "mapping"))
            continue
        try:
            built[key] = build(**({"id": key} if keyed_by_id else {}), **fields)
        except ValidationError as exc:
            for err in exc.errors():
                where = path + tuple(err["loc"])
                problems.append(schema_problem(source.filename, line_of(source.lines, where), field_name(where), err))
    return built if keyed_by_id else tuple(built.values())


def _range_problems(source: _Source, path: tuple, value: float, low: float, high: float) -> list[Problem]:
    """An entry's range written backwards, or its value outside it (levels and coefficients alike)."""
    if low > high:
        return [source.problem(path + ("range",), "catalogue.problem.range_order", low=low, high=high)]
    if not low <= value <= high:
        return [source.problem(path + ("value",), "outside_range", value=value, low=low, high=high)]
    return []


def _check_references(cat: Catalogue, sources: dict[str, _Source] | None = None) -> None:
    """Check what one entry says of another (triggers, pulls, rates, ranges).

    Raises:
        CatalogueError: with every problem, each naming file, line and field (line 1 when the
            catalogue was built in memory rather than read from its files).
    """
    src = sources or {section: _Source(name) for section, name in FILES.items()}
    problems: list[Problem] = []
    facts = cat.institutions or {name: None for name in INSTITUTIONS}
    for fact in cat.institutions.values():
        if fact.initial > fact.stages:
            problems.append(src["institutions"].problem(("institutions", fact.id, "initial"), "at_most",
                                                        le=fact.stages))
    if cat.levels:
        for name, level in cat.levels.items():
            low, high = level.range
            if name not in LEVELLED:
                problems.append(src["levels"].problem(("levels", name), "unknown_variable", name=name))
            else:
                problems += _range_problems(src["levels"], ("levels", name), level.value, low, high)
        problems += [src["levels"].problem(("levels", name), "missing")
                     for name in LEVELLED if name not in cat.levels]
    for section, entries in (("events", cat.events), ("decisions", cat.decisions)):
        for entry in entries.values():
            for field in ("preconditions", "sets", "raises"):
                for name in getattr(entry, field):
                    if name not in facts:
                        problems.append(src[section].problem((section, entry.id, field, name),
                                                             "catalogue.problem.unknown_fact", name=name))
            for j, trig in enumerate(entry.triggers):
                if trig.event not in cat.events:
                    problems.append(src[section].problem((section, entry.id, "triggers", j, "event"),
                                                         "unknown_event", kind=trig.event))
    state = set(tuple(facts) + TRACKS + PUBLIC_OPINION + CONTINUOUS)
    for i, pull in enumerate(cat.pulls):
        if pull.coefficient not in cat.coefficients:
            problems.append(src["pulls"].problem(("pulls", i, "coefficient"), "catalogue.problem.unknown_coefficient",
                                                 name=pull.coefficient))
        for j, name in enumerate(pull.variables):
            if name not in state:
                problems.append(src["pulls"].problem(("pulls", i, "variables", j), "unknown_variable", name=name))
        if pull.scale and pull.scale not in state:
            problems.append(src["pulls"].problem(("pulls", i, "scale"), "unknown_variable", name=pull.scale))
    for cid, coef in cat.coefficients.items():
        problems += _range_problems(src["coefficients"], ("coefficients", cid), coef.value, *coef.range)
    for event in cat.events.values():
        if event.rate is None:
            continue
        path = ("events", event.id, "rate")
        if event.actor != "world":
            problems.append(src["events"].problem(path, "catalogue.problem.rate_not_world", actor=event.actor))
            continue
        coef = cat.coefficients.get(event.rate)
        if coef is None or coef.group != "rate" or not 0 <= coef.range[0] <= coef.range[1] <= 1:
            problems.append(src["events"].problem(path, "catalogue.problem.not_a_rate", name=event.rate))
    if problems:
        problems.sort(key=lambda p: (p.file, p.line))
        raise CatalogueError(problems)


UNCERTAINTY = ("posterior", "point")
"""How an ensemble treats the calibrated coefficients: each run draws them from the posterior
(the default: the fans show what is unknown about them), or every run uses the point estimate."""


class Posterior(BaseModel):
    """The calibration's posterior sample of the calibrated coefficients (``posterior.csv``).

    Each run of an ensemble draws one row, with probability its weight, from the random stream
    of its run (see :meth:`model.model.RelationsModel`), so the same seed gives the same draws
    whatever the backend or chunking, and two scenarios run with the same seed share them.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    ids: tuple[str, ...]
    samples: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...]
    provenance: dict

    def arrays(self):
        """(samples (n, k), cumulative weights (n,)) as numpy arrays."""
        import numpy as np

        w = np.asarray(self.weights, dtype=float)
        cum = np.cumsum(w / w.sum())
        cum[-1] = 1.0
        return np.asarray(self.samples, dtype=float), cum


@cache
def load_posterior() -> Posterior | None:
    """The shipped posterior sample (``posterior.csv`` and ``posterior.yaml``), or None if absent."""
    import csv
    import io

    try:
        text = resources.files(__package__).joinpath("posterior.csv").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], [r for r in rows[1:] if r]
    ids = tuple(header[1:])
    try:
        meta = _read("posterior.yaml")
    except FileNotFoundError:
        meta = {}
    return Posterior(
        ids=ids,
        samples=tuple(tuple(float(x) for x in r[1:]) for r in body),
        weights=tuple(float(r[0]) for r in body),
        provenance=meta.get("provenance", {}),
    )


def read_catalogue(folder: str | Path | None = None) -> Catalogue:
    """Read and check the catalogue files of ``folder`` (default: the shipped catalogue).

    Calibrated coefficient values, when ``calibrated.yaml`` exists beside the catalogue, replace
    the defaults and mark their source as the calibration run.

    Raises:
        CatalogueError: with every problem found, each naming file, line and field.
    """
    base = Path(folder) if folder is not None else resources.files(__package__)
    problems: list[Problem] = []
    sources: dict[str, _Source] = {}
    for section, name in FILES.items():
        path = base.joinpath(name)
        shown = str(path) if folder is not None else f"model/catalogue/{name}"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:  # one problem for the file, not one more for each section it should hold
            problems.append(keyed(shown, 1, "(file)", "no_file"))
            sources[section] = _Source(shown, None)
            continue
        sources[section] = _parse(text, shown, problems)
    institutions = _entries(sources["institutions"], "institutions", Institution, problems)
    levels = _entries(sources["levels"], "levels", Level, problems)
    events = _entries(sources["events"], "events", EventType, problems)
    decisions = _entries(sources["decisions"], "decisions", Decision, problems)
    coefs = _entries(sources["coefficients"], "coefficients", Coefficient, problems)
    pulls = _entries(sources["pulls"], "pulls", Pull, problems)
    if problems:
        raise CatalogueError(problems)
    cat = Catalogue(events=events, decisions=decisions, coefficients=coefs, pulls=pulls, institutions=institutions,
                    levels=levels)
    _check_references(cat, sources)
    try:
        calibration = yaml.safe_load(base.joinpath("calibrated.yaml").read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        calibration = {}
    for cid, value in calibration.get("values", {}).items():
        if cid in coefs:
            coef = coefs[cid]
            coefs[cid] = coef.model_copy(
                update={"value": float(value), "source": f"calibrated (calibrated.yaml); {coef.source}"}
            )
    structure = calibration.get("provenance", {}).get("structure", "")
    for cid, value in calibration.get("fixed", {}).items():
        if cid in coefs:
            coef = coefs[cid]
            note = f"fixed at {float(value):g} by the structure the backtest chose ({structure}; docs/VALIDATION.md)"
            coefs[cid] = coef.model_copy(update={"value": float(value), "source": f"{note}; {coef.source}"})
    for cid, info in calibration.get("coefficients", {}).items():
        if cid in coefs and isinstance(info, dict) and info.get("pinned") is False:
            coef = coefs[cid]
            note = "calibration run: the polls and visitor counts do not pin it (loose), default kept"
            coefs[cid] = coef.model_copy(update={"source": f"{note}; {coef.source}"})
    return Catalogue(events=events, decisions=decisions, coefficients=coefs, pulls=pulls, institutions=institutions,
                    levels=levels)


@cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue, read and checked once per process (see :func:`read_catalogue`).

    Its texts (labels, briefings, meanings) are registered with the translation layer.
    """
    cat = read_catalogue()
    texts: dict[str, str] = {}
    for kind, entries in (("event", cat.events), ("decision", cat.decisions)):
        for eid, entry in entries.items():
            texts[f"{kind}.{eid}.label"] = entry.label
            texts[f"{kind}.{eid}.briefing"] = entry.briefing
    for cid, coef in cat.coefficients.items():
        texts[f"coefficient.{cid}.meaning"] = coef.meaning
        if not i18n.translated(f"coefficient.{cid}.label", "en"):  # en.yaml may name it better
            texts[f"coefficient.{cid}.label"] = humanise(cid)
    i18n.register(texts)
    return cat
