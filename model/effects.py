"""The few mechanisms through which catalogue entries change the state.

Every event and decision is applied by :func:`apply_entry`: check preconditions per run, draw
each effect's delta (mean + sd x noise), shift the state (through the ledger), set the
institutional facts, roll for triggered events, and hand over to a named mechanism when the
entry has one (elections, leader changes, apologies). A new event type is data; only a new
*kind* of mechanism needs code here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from model.catalogue import PUBLIC_OPINION, Decision, EventType, parse_condition

if TYPE_CHECKING:
    from model.model import RelationsModel

Entry = EventType | Decision
MAX_TRIGGER_DEPTH = 3


@dataclass
class Pending:
    """A multi-month effect: the rest of its delta, spread over the coming months."""

    last_t: int
    var: str
    per_month: np.ndarray
    channel: str
    cause: str
    actor: str


def preconditions_met(model: RelationsModel, entry: Entry) -> np.ndarray:
    """Per run, whether the entry's institutional preconditions hold."""
    ok = np.ones(model.runs, dtype=bool)
    for name, cond in entry.preconditions.items():
        op, value = parse_condition(cond)
        current = model.state.v[name]
        if op == ">=":
            ok &= current >= value - 1e-9
        elif op == "<=":
            ok &= current <= value + 1e-9
        else:
            ok &= np.abs(current - value) < 1e-9
    return ok


def _public_scale(model: RelationsModel, var: str, channel: str) -> np.ndarray | float:
    """How strongly a public takes a shock: its responsiveness, and salience for history."""
    prefix = var[:2]
    scale = model.p[f"{prefix}_public_response"]
    if channel == "history":
        salience = model.state.v[f"{prefix}_salience"]
        scale = scale * (0.5 + salience / 100.0)
    return scale


def apply_entry(
    model: RelationsModel,
    entry: Entry,
    weight: np.ndarray,
    site: str,
    params: dict[str, Any] | None = None,
    depth: int = 0,
) -> np.ndarray:
    """Apply an event or decision in the runs where ``weight`` > 0.

    Args:
        model: The model whose state changes.
        entry: The catalogue entry.
        weight: Per run: 0 where it does not happen, 1 (or a count, for ``scale: count``
            events) where it does.
        site: A name unique to this application in this month, so random draws stay the
            same whichever runs share the batch.
        params: Parameters of a scheduled event (election winner, new leader's profile).
        depth: Trigger nesting, bounded to keep chains finite.

    Returns:
        The mask of runs where the entry took place (preconditions met).
    """
    weight = np.asarray(weight, dtype=np.float64)
    happened = (weight > 0) & preconditions_met(model, entry)
    w = np.where(happened, weight, 0.0)
    state, streams = model.state, model.streams
    actor = entry.actor
    model.record_occurrence(entry, happened)
    # Draw only for the runs where the entry happened: elsewhere the weight is 0, and a run's
    # number does not depend on which other runs are drawn, so the result is the same.
    # Where it happened nowhere and no ledger wants the zero lines, the state cannot change:
    # the draws are still made (same counters), the shifts skipped.
    some = None if happened.all() else np.flatnonzero(happened)
    idle = some is not None and some.size == 0 and not model.ledger.enabled
    for i, eff in enumerate(entry.effects):
        if some is None:
            noise = streams.normal(f"{site}:{i}")
        else:
            noise = np.zeros(model.runs)
            noise[some] = streams.normal(f"{site}:{i}", some)
        if idle:
            continue
        delta = w * (eff.mean + eff.sd * noise)
        if eff.var in PUBLIC_OPINION:
            delta = delta * _public_scale(model, eff.var, eff.channel)
        if eff.months > 1:
            delta = delta / eff.months
            model.pending.append(
                Pending(state.t + eff.months - 1, eff.var, delta, eff.channel, entry.id, actor)
            )
        apply_delta(model, eff.var, delta, eff.channel, entry.id, actor)
    for name, value in () if idle else entry.sets.items():
        state.assign(name, float(value), happened, entry.id, actor)
    for name, value in () if idle else entry.raises.items():
        state.assign(name, np.maximum(state.v[name], value), happened, entry.id, actor)
    if entry.mechanism:
        MECHANISMS[entry.mechanism](model, entry, happened, site, params or {})
    if depth < MAX_TRIGGER_DEPTH:
        for j, trig in enumerate(entry.triggers):
            if some is None:
                fire = streams.bernoulli(f"{site}:trigger{j}", trig.prob)
            else:
                fire = np.zeros(model.runs, dtype=bool)
                fire[some] = streams.bernoulli(f"{site}:trigger{j}", trig.prob, some)
            apply_entry(
                model, model.catalogue.events[trig.event], fire.astype(float), f"{site}>{trig.event}",
                depth=depth + 1,
            )
    return happened


def apply_delta(
    model: RelationsModel, var: str, delta: np.ndarray, channel: str, cause: str, actor: str
) -> None:
    """Shift one variable, routing public opinion through its cohorts."""
    if var in PUBLIC_OPINION:
        # The yearly irritants of the calendar are expected: they stir opinion for a while but
        # leave no lasting memory (habituation), or a scenario's opening would drift down for
        # years while their memory built up to what the opening opinion already holds.
        persist = 0.0 if actor == "calendar" else model.p["opinion_memory"]
        model.state.shift_public(var, delta, cause, actor, channel, persist, shock=True)
    else:
        model.state.shift(var, delta, cause, actor)


def apply_pending(model: RelationsModel) -> None:
    """Carry multi-month effects into this month; drop the ones that are done."""
    still = []
    for p in model.pending:
        if p.last_t >= model.state.t:
            apply_delta(model, p.var, p.per_month, p.channel, p.cause, p.actor)
        if p.last_t > model.state.t:
            still.append(p)
    model.pending = still


def relax(
    model: RelationsModel,
    var: str,
    rate: float | np.ndarray,
    base: np.ndarray | float,
    pulls: dict[str, np.ndarray | float],
    actor: str = "model",
) -> None:
    """Move a variable a fraction ``rate`` toward ``base + sum(pulls)``, one ledger line each.

    The pull toward the variable's own long-run level is recorded as ``relax_baseline``;
    each named pull (an institution, contact, the threat level) under its own name, so the
    ledger can say which fact is dragging a track down.
    """
    state = model.state
    current = state.get(var)
    state.shift(var, rate * (base - current), "relax_baseline", actor)
    for cause, pull in pulls.items():
        state.shift(var, rate * pull, cause, actor)


# ----- named mechanisms -----
def _apology(model: RelationsModel, entry: Entry, happened: np.ndarray, site: str, params: dict) -> None:
    """Apology backlash (Lind, *Sorry States*, 2008).

    A Japanese apology or concession can provoke denials by conservatives at home that undo
    its effect in Korea; the more conservative the governing camp, the likelier the backlash.
    Lind's point is that the denials can do more harm than the apology did good: the share
    undone varies from one backlash to the next (log-normal around ``backlash_share``, spread
    ``backlash_spread``), and where it exceeds 1 the relationship ends worse than before.
    """
    p = model.p
    state = model.state
    prob = np.where(state.v["jp_camp"] > 0.5, p["backlash_prob_conservative"], p["backlash_prob_liberal"])
    backlash = happened & model.streams.bernoulli(f"{site}:backlash", prob)
    spread = p["backlash_spread"]
    # mean-preserving: the average backlash still undoes backlash_share of the effect
    share = p["backlash_share"] * np.exp(spread * model.streams.normal(f"{site}:backlash_size") - spread**2 / 2)
    undo = np.where(backlash, 1.0, 0.0)
    for eff in entry.effects:
        if eff.var in ("history", "kr_favorable_japan"):
            delta = -undo * share * eff.mean
            if eff.var == "kr_favorable_japan":
                delta = delta * _public_scale(model, eff.var, eff.channel)
            apply_delta(model, eff.var, delta, eff.channel, "apology_backlash", "jp_public")
    state.shift("kr_salience", undo * p["backlash_salience"], "apology_backlash", "jp_public")


def _leverage(model: RelationsModel, entry: Entry, happened: np.ndarray, site: str, params: dict) -> None:
    """Weaponised interdependence (Farrell and Newman, 2019): the chokepoint's bite.

    Controls hurt as far as the target still depends on the chokepoint.
    The entry's economic effect was drawn for a Korea as dependent as in 2019
    (``kr_dependence`` 100); where substitution has lowered the dependence, the part it no
    longer hurts is given back, booked as ``substitution``.
    """
    spared = 1.0 - model.state.v["kr_dependence"] / 100.0
    for eff in entry.effects:
        if eff.var == "economic":
            delta = np.where(happened, spared * -eff.mean, 0.0)
            apply_delta(model, eff.var, delta, eff.channel, "substitution", "seoul")


def _elections(model: RelationsModel, entry: Entry, happened: np.ndarray, site: str, params: dict) -> None:
    model.elections.hold(entry, happened, site, params)


def _two_level(model: RelationsModel, entry: Entry, happened: np.ndarray, site: str, params: dict) -> None:
    """Two-level games (Putnam 1988): win-sets, a bargain inside their overlap, ratification."""
    from model.agents.two_level import negotiate

    negotiate(model, entry, happened, site, params)


MECHANISMS: dict[str, Callable[..., None]] = {
    "apology": _apology,
    "leverage": _leverage,
    "two_level": _two_level,
    "kr_presidential": _elections,
    "jp_general": _elections,
    "leader_change": _elections,
    "us_administration": _elections,
}
