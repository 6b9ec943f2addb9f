"""Two-level games as Putnam states them: win-sets, bargaining, ratification that can fail.

Robert Putnam, "Diplomacy and Domestic Politics: The Logic of Two-Level Games",
*International Organization* 42(3), 1988.

An agreement between Seoul and Tokyo on the history issue is a point ``x`` on one line: the
share of the settlement that goes Seoul's way (0: Tokyo's terms, 1: Seoul's terms). Each
capital's **win-set** is the set of deals its domestic side (Level II) would ratify:

- Seoul ratifies ``x >= d_kr``, Tokyo ratifies ``1 - x >= d_jp``, where each side's demand
  ``d`` grows with its public's hostility toward the other country and with its government's
  weakness (low approval): ``d = putnam_base_demand + putnam_public_weight * hostility +
  putnam_approval_weight * weakness``, clipped to [0, 1]. Hostility and weakness are the same
  measures the decision rules use (:func:`domestic_constraints`). The model has no legislature
  or opposition apart from the publics and approval, so those are the win-sets' bounds.
- **No overlap, no agreement**: the win-sets overlap only where ``d_kr + d_jp <= 1``; where
  they do not, the talks end without a signature.
- **Bargaining** (Level I): within the overlap ``[d_kr, 1 - d_jp]`` the negotiators split the
  surplus by bargaining power: ``x = d_kr + putnam_kr_power * (1 - d_kr - d_jp)``. A narrower
  win-set at home (a larger ``d``) moves the deal toward that side: Putnam's "tied hands"
  paradox, that domestic weakness can be a bargaining strength.
- **Ratification** can fail (Putnam's involuntary defection): the negotiators know their
  win-sets only roughly, so at ratification each side's demand is drawn again around ``d``
  (normal, sd ``putnam_ratification_noise``); a side whose realised demand exceeds what the
  deal gives it refuses. A signed agreement that is not ratified costs both governments
  (the catalogue's ``agreement_unratified`` event). The closer the deal sits to a win-set's
  edge (a hostile public leaves little surplus), the likelier the failure.

A capital's decision rule anticipates this: proposing is worth the ratified agreement's
expected effects times the chance of ratification, less the expected cost of a failure and
less ``putnam_proposal_cost`` (model/agents/rules.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr

if TYPE_CHECKING:
    from model.catalogue import Decision, EventType
    from model.model import RelationsModel

# The agreement the bargain produces and the cost of one that is signed but not ratified
# (catalogue events: the record's agreement of 2015 is the same event, scheduled).
AGREEMENT_EVENT = "comfort_women_agreement"
UNRATIFIED_EVENT = "agreement_unratified"
PUBLIC = {"seoul": "kr_favorable_japan", "tokyo": "jp_favorable_korea"}
APPROVAL = {"seoul": "kr_gov_approval", "tokyo": "jp_gov_approval"}


def domestic_constraints(model: RelationsModel, actor: str) -> tuple[np.ndarray, np.ndarray]:
    """Per run, (hostility of the own public toward the other country 0-1, weakness 0-1.5).

    Hostility: how far the favourable share is below ``rule_hostility_level``, as a share of
    it. Weakness: how far approval is below ``rule_weakness_approval``, per ``rule_weakness_per``
    points.
    """
    p = model.p
    hostile_below = p["rule_hostility_level"]
    hostility = np.clip((hostile_below - model.state.get(PUBLIC[actor])) / hostile_below, 0.0, 1.0)
    shortfall = p["rule_weakness_approval"] - model.state.v[APPROVAL[actor]]
    weakness = np.clip(shortfall / p["rule_weakness_per"], 0.0, 1.5)
    return hostility, weakness


def demand(p: dict, hostility: np.ndarray, weakness: np.ndarray) -> np.ndarray:
    """A side's least acceptable share of the deal: the lower edge of its win-set."""
    d = p["putnam_base_demand"] + p["putnam_public_weight"] * hostility + p["putnam_approval_weight"] * weakness
    return np.clip(d, 0.0, 1.0)


def demands(model: RelationsModel) -> tuple[np.ndarray, np.ndarray]:
    """Per run, Seoul's and Tokyo's demands (their win-sets are ``x >= d_kr`` and ``x <= 1 - d_jp``)."""
    return (
        demand(model.p, *domestic_constraints(model, "seoul")),
        demand(model.p, *domestic_constraints(model, "tokyo")),
    )


def bargain(d_kr: np.ndarray, d_jp: np.ndarray, kr_power: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whether the win-sets overlap, the deal ``x``): the surplus split by bargaining power.

    Where they do not overlap ``x`` is NaN (nothing is signed).
    """
    d_kr, d_jp = np.asarray(d_kr, dtype=float), np.asarray(d_jp, dtype=float)
    surplus = 1.0 - d_kr - d_jp
    overlap = surplus >= 0.0
    return overlap, np.where(overlap, d_kr + kr_power * np.maximum(surplus, 0.0), np.nan)


def ratification_chance(x: np.ndarray, d_kr: np.ndarray, d_jp: np.ndarray, noise: float | np.ndarray) -> np.ndarray:
    """Chance that both sides ratify a signed deal ``x`` (0 where nothing is signed)."""
    noise = np.maximum(noise, 1e-9)
    chance = ndtr((x - d_kr) / noise) * ndtr((1.0 - x - d_jp) / noise)
    return np.where(np.isnan(x), 0.0, chance)


def negotiate(
    model: RelationsModel, entry: Decision | EventType, happened: np.ndarray, site: str, params: dict
) -> None:
    """A proposal to settle: bargain where the win-sets overlap, sign, and put it to ratification.

    Ratified: the agreement event (the catalogue's, with its own effects) and the terms' pull
    on each government's approval (a better deal pleases home). Signed but not ratified: the
    ``agreement_unratified`` event. No overlap: nothing is signed.
    """
    from model.effects import apply_delta, apply_entry

    p = model.p
    d_kr, d_jp = demands(model)
    overlap, x = bargain(d_kr, d_jp, p["putnam_kr_power"])
    signed = happened & overlap
    sigma = p["putnam_ratification_noise"]
    kr_ok = x >= d_kr + sigma * model.streams.normal(f"{site}:ratify_kr")
    jp_ok = 1.0 - x >= d_jp + sigma * model.streams.normal(f"{site}:ratify_jp")
    ratified = signed & kr_ok & jp_ok
    events = model.catalogue.events
    apply_entry(model, events[AGREEMENT_EVENT], ratified.astype(float), f"{site}>agreement", depth=1)
    terms = np.where(ratified, p["putnam_terms_approval"] * (np.nan_to_num(x, nan=0.5) - 0.5), 0.0)
    apply_delta(model, "kr_gov_approval", terms, "general", "two_level_terms", "seoul")
    apply_delta(model, "jp_gov_approval", -terms, "general", "two_level_terms", "tokyo")
    apply_entry(model, events[UNRATIFIED_EVENT], (signed & ~ratified).astype(float), f"{site}>unratified", depth=1)


def proposal_value(model: RelationsModel, actor: str, value_of_event) -> np.ndarray:
    """What proposing is worth to ``actor`` before the proposal's own cost, per run.

    The ratified agreement's expected effects (``value_of_event``, the rule's valuation of a
    catalogue event) and its terms' pull on own approval, times the chance of ratification,
    plus the failure's expected effects times the chance of a signature that fails.
    """
    p = model.p
    d_kr, d_jp = demands(model)
    _, x = bargain(d_kr, d_jp, p["putnam_kr_power"])
    chance = ratification_chance(x, d_kr, d_jp, p["putnam_ratification_noise"])
    signed = ~np.isnan(x)
    own_share = np.nan_to_num(x if actor == "seoul" else 1.0 - x, nan=0.5)
    events = model.catalogue.events
    win = value_of_event(events[AGREEMENT_EVENT]) + p["rule_value_per_point"] * p["rule_approval_value"] * (
        p["putnam_terms_approval"] * (own_share - 0.5)
    )
    lose = value_of_event(events[UNRATIFIED_EVENT])
    return chance * win + (signed - chance) * lose
