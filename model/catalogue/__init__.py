"""The event, decision and coefficient catalogues: data read once, validated, then shared.

A new event type or decision is a new entry in a YAML file here, not new code: the effect
mechanisms in ``model/effects.py`` read these entries. Every number carries its source.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from model import i18n

ACTORS = ("seoul", "tokyo", "washington", "kr_public", "jp_public")
EVENT_ACTORS = ACTORS + ("pyongyang", "courts", "calendar", "elections", "world")

# Institutional facts: on/off or staged, changed only by events and decisions.
INSTITUTIONS = (
    "gsomia",
    "jp_export_controls",
    "jp_whitelist_kr",
    "kr_whitelist_jp",
    "kr_countermeasures",
    "kr_wto_case",
    "shuttle_diplomacy",
    "foundation",
    "healing_foundation",
    "liquidation_stage",
    "boycott",
    "jp_border",
    "kr_border",
)
# Institutional facts with stages 0..3 rather than on/off.
STAGED_INSTITUTIONS = ("liquidation_stage", "jp_border", "kr_border")
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

    @field_validator("preconditions", "sets", "raises")
    @classmethod
    def _known_institutions(cls, value: dict) -> dict:
        for key, cond in value.items():
            if key not in INSTITUTIONS:
                raise ValueError(f"unknown institutional fact {key!r}")
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


class Catalogue(BaseModel):
    """Everything the model reads from data, checked for consistency once at load."""

    model_config = ConfigDict(frozen=True)

    events: dict[str, EventType]
    decisions: dict[str, Decision]
    coefficients: dict[str, Coefficient]
    pulls: tuple[Pull, ...] = ()

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


def _check_references(cat: Catalogue) -> None:
    for entry in list(cat.events.values()) + list(cat.decisions.values()):
        for trig in entry.triggers:
            if trig.event not in cat.events:
                raise ValueError(f"{entry.id}: trigger names unknown event {trig.event!r}")
    state = set(INSTITUTIONS + TRACKS + PUBLIC_OPINION + CONTINUOUS)
    for i, pull in enumerate(cat.pulls):
        if pull.coefficient not in cat.coefficients:
            raise ValueError(f"pulls.yaml, pull {i + 1} ({pull.cause}): unknown coefficient {pull.coefficient!r}")
        for name in (*pull.variables, *([pull.scale] if pull.scale else [])):
            if name not in state:
                raise ValueError(f"pulls.yaml, pull {i + 1} ({pull.cause}): unknown variable {name!r}")
    for event in cat.events.values():
        if event.rate is None:
            continue
        if event.actor != "world":
            raise ValueError(f"{event.id}: only the world's shocks are drawn at a rate (actor is {event.actor!r})")
        coef = cat.coefficients.get(event.rate)
        if coef is None or coef.group != "rate" or not 0 <= coef.range[0] <= coef.range[1] <= 1:
            raise ValueError(
                f"{event.id}: rate names {event.rate!r}, not a monthly chance (a coefficient of group rate)"
            )


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


@cache
def load_catalogue() -> Catalogue:
    """Read and validate the catalogue files (once per process).

    Calibrated coefficient values, when ``calibrated.yaml`` exists beside the catalogue, replace
    the defaults and mark their source as the calibration run.
    """
    events = {k: EventType(id=k, **v) for k, v in _read("events.yaml")["events"].items()}
    decisions = {k: Decision(id=k, **v) for k, v in _read("decisions.yaml")["decisions"].items()}
    coefs = {
        k: Coefficient(id=k, **v) for k, v in _read("coefficients.yaml")["coefficients"].items()
    }
    try:
        calibration = _read("calibrated.yaml")
    except FileNotFoundError:
        calibration = {}
    for cid, value in calibration.get("values", {}).items():
        if cid in coefs:
            base = coefs[cid]
            coefs[cid] = base.model_copy(
                update={"value": float(value), "source": f"calibrated (calibrated.yaml); {base.source}"}
            )
    structure = calibration.get("provenance", {}).get("structure", "")
    for cid, value in calibration.get("fixed", {}).items():
        if cid in coefs:
            base = coefs[cid]
            note = f"fixed at {float(value):g} by the structure the backtest chose ({structure}; docs/VALIDATION.md)"
            coefs[cid] = base.model_copy(update={"value": float(value), "source": f"{note}; {base.source}"})
    for cid, info in calibration.get("coefficients", {}).items():
        if cid in coefs and isinstance(info, dict) and info.get("pinned") is False:
            base = coefs[cid]
            note = "calibration run: the polls and visitor counts do not pin it (loose), default kept"
            coefs[cid] = base.model_copy(update={"source": f"{note}; {base.source}"})
    pulls = tuple(Pull(**x) for x in _read("pulls.yaml")["pulls"])
    cat = Catalogue(events=events, decisions=decisions, coefficients=coefs, pulls=pulls)
    _check_references(cat)
    texts: dict[str, str] = {}
    for kind, entries in (("event", events), ("decision", decisions)):
        for eid, entry in entries.items():
            texts[f"{kind}.{eid}.label"] = entry.label
            texts[f"{kind}.{eid}.briefing"] = entry.briefing
    for cid, coef in coefs.items():
        texts[f"coefficient.{cid}.meaning"] = coef.meaning
        if not i18n.translated(f"coefficient.{cid}.label", "en"):  # en.yaml may name it better
            texts[f"coefficient.{cid}.label"] = humanise(cid)
    i18n.register(texts)
    return cat
