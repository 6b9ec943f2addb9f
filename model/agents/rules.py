"""Decision rules: how a government chooses from its menu when no human holds the seat.

Each rule is a small named class with a profile (camp, stance) in the manner of Axelrod's
strategies: ``name``, a ``classifier`` dict that code and UI can filter on, and tag weights
saying what the profile likes. The situation-dependent terms come from named theories of this
relationship and are shared by every profile of a capital:

- balance of threat (Walt, 1987): threat raises the value of security cooperation;
- quasi-alliance (Cha, *Alignment Despite Antagonism*, 1999): each ally has its own fears of
  the patron: abandonment (the US commitment falls short of what it needs) and entrapment
  (being drawn into the patron's rivalry with China). Seoul and Tokyo close ranks only when
  *both* fear abandonment; when one feels secure, the quarrel resumes for both (asymmetry
  means friction); fear of entrapment keeps an ally away from alliance moves;
- two-level games (Putnam, 1988): a hostile public and low approval make a unilateral
  concession costly at home; an agreement needs both capitals' win-sets to overlap and is worth
  proposing as far as it can be ratified (model/agents/two_level.py);
- diversion (Levy, 1989): a leader with falling approval gains from a nationalist gesture;
- weaponised interdependence (Farrell and Newman, 2019): court rulings invite export
  controls, and controls invite countermeasures.

The choice itself is bounded rationality: a logit (softmax) over utilities with a
temperature, drawn per run, so a rule is a distribution over decisions, not a certainty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model.agents.two_level import domestic_constraints, proposal_value
from model.catalogue import TRACKS, Decision

if TYPE_CHECKING:
    from model.model import RelationsModel

def track_values(p: dict, actor: str) -> dict:
    """How ``actor`` values a point on each track: the catalogue's ``value_<actor>_<track>``."""
    return {track: p[f"value_{actor}_{track}"] for track in TRACKS}

APPROVAL_VAR = {"seoul": "kr_gov_approval", "tokyo": "jp_gov_approval"}
OWN = {
    "seoul": {"public": "kr_favorable_japan", "threat": "kr_threat", "salience": "kr_salience"},
    "tokyo": {"public": "jp_favorable_korea", "threat": "jp_threat", "salience": "jp_salience"},
}


def tag_matrix(decisions: list[Decision], tag: str) -> np.ndarray:
    """Column (decisions, 1) holding 1 where a decision carries ``tag``."""
    return np.array([[1.0 if tag in d.tags else 0.0] for d in decisions])


class DecisionRule:
    """A profile's preferences over decision tags; subclasses name their basis."""

    name: ClassVar[str] = "rule"
    actor: ClassVar[str] = ""
    classifier: ClassVar[dict[str, str]] = {}
    profile: ClassVar[str] = ""
    """Its coefficients' prefix: ``profile_<profile>_<tag>`` is its weight on a decision tag."""

    @classmethod
    def tag_weights(cls, p: Mapping[str, Any]) -> dict[str, Any]:
        """The profile's weight on each decision tag it cares about (catalogue coefficients)."""
        prefix = f"profile_{cls.profile}_"
        return {cid[len(prefix):]: value for cid, value in p.items() if cid.startswith(prefix)}

    def preference(self, decisions: list[Decision], p: Mapping[str, Any]) -> np.ndarray:
        """Profile utility of each decision, shape (decisions,) or (decisions, runs)."""
        weights = self.tag_weights(p)
        rows = [sum((weights[tag] for tag in d.tags if tag in weights), 0.0) for d in decisions]
        width = max(np.size(x) for x in rows) if rows else 1
        out = np.array([np.broadcast_to(x, (width,)) for x in rows], dtype=float)
        return out[:, 0] if width == 1 else out


# ----- Seoul -----
class ProgressiveSeoul(DecisionRule):
    """A progressive Korean president (Roh, Moon, Lee Jae-myung).

    Puts the victims' claims and engagement with the North first; wary of security ties with
    Japan that the camp's base distrusts; pragmatic on the economy. Basis: the camp's record
    2003-2008 and 2017-2022, and Cha (1999) on Korean threat perception.
    """

    name = "Progressive Seoul"
    actor = "seoul"
    classifier = {"camp": "progressive"}
    profile = "progressive_seoul"


class ConservativeSeoul(DecisionRule):
    """A conservative Korean president (Park, Yoon).

    Puts the alliance and trilateral security first and is readier to settle the history
    issues to that end (the 2015 agreement, the 2023 third-party fund). Basis: the camp's
    record 2013-2016 and 2022-2025.
    """

    name = "Conservative Seoul"
    actor = "seoul"
    classifier = {"camp": "conservative"}
    profile = "conservative_seoul"


# ----- Tokyo -----
class HawkishTokyo(DecisionRule):
    """A hawkish Japanese prime minister (Abe 2012-2020, Takaichi).

    Firm on the history issues ("the 1965 agreement settled all claims"), open to symbolic
    gestures for the party's base, strongly for security cooperation. Basis: Abe's record
    (Yasukuni 2013, export controls 2019) and Lind (2008) on conservative backlash.
    """

    name = "Hawkish Tokyo"
    actor = "tokyo"
    classifier = {"stance": "hawkish"}
    profile = "hawkish_tokyo"


class ModerateTokyo(DecisionRule):
    """A moderate Japanese prime minister (Kishida, Ishiba).

    Keeps predecessors' positions but invests in the relationship: summits, shuttle
    diplomacy, lifting measures once Seoul moves. Basis: the 2023-2025 rapprochement.
    """

    name = "Moderate Tokyo"
    actor = "tokyo"
    classifier = {"stance": "moderate"}
    profile = "moderate_tokyo"


# ----- Washington -----
class AllianceBuilderWashington(DecisionRule):
    """An alliance-building US administration (Obama's pivot, Biden's Camp David).

    Invests in trilateral cooperation and mediates between its allies when they quarrel.
    """

    name = "Alliance-builder Washington"
    actor = "washington"
    classifier = {"stance": "alliance_builder"}
    profile = "alliance_builder_washington"


class TransactionalWashington(DecisionRule):
    """A transactional US administration (Trump).

    Asks allies to pay, uses tariffs on friends, and leaves regional quarrels to the region.
    """

    name = "Transactional Washington"
    actor = "washington"
    classifier = {"stance": "transactional"}
    profile = "transactional_washington"


# The rule for each profile index, per capital. Seoul: kr_camp (0 progressive, 1
# conservative); Tokyo: jp_hawkish (0 moderate, 1 hawkish); Washington: us_transactional.
RULES: dict[str, tuple[type[DecisionRule], type[DecisionRule]]] = {
    "seoul": (ProgressiveSeoul, ConservativeSeoul),
    "tokyo": (ModerateTokyo, HawkishTokyo),
    "washington": (AllianceBuilderWashington, TransactionalWashington),
}
PROFILE_VAR = {"seoul": "kr_camp", "tokyo": "jp_hawkish", "washington": "us_transactional"}
ALL_RULES = tuple(rule for pair in RULES.values() for rule in pair)


def expected_value(model: RelationsModel, actor: str, decisions: list[Decision]) -> np.ndarray:
    """Utility of each decision's expected effects (catalogue means).

    Shape (decisions, 1), or (decisions, runs) when the rule's coefficients vary by run (as in
    a sensitivity analysis).
    """
    value_of = points_of(model, actor)
    per_point = model.p["rule_value_per_point"]
    rows = [value_of(d) for d in decisions]
    width = max(np.size(x) for x in [per_point, *rows])
    return per_point * np.array([np.broadcast_to(x, (width,)) for x in rows])


def points_of(model: RelationsModel, actor: str):
    """How many valued points an entry's expected effects (and its triggers') are worth to ``actor``."""
    cat = model.catalogue
    values = track_values(model.p, actor)
    if actor in APPROVAL_VAR:
        values[APPROVAL_VAR[actor]] = model.p["rule_approval_value"]

    def value_of(entry, depth: int = 0) -> float:
        total = sum(values.get(e.var, 0.0) * e.mean * e.months for e in entry.effects)
        if depth < 2:
            total += sum(t.prob * value_of(cat.events[t.event], depth + 1) for t in entry.triggers)
        return total

    return value_of


OTHER = {"seoul": "tokyo", "tokyo": "seoul"}
PREFIX = {"seoul": "kr", "tokyo": "jp"}


def alliance_fears(model: RelationsModel, actor: str) -> tuple[np.ndarray, np.ndarray]:
    """Cha's two fears of one ally, per run: (abandonment, entrapment).

    Abandonment: how far the US commitment falls short of what this ally needs, per
    ``cha_abandonment_per`` points (negative when it feels secure). Entrapment: China pressing
    above its usual level, per ``cha_entrapment_per`` points, weighted by this ally's exposure
    (Korea bore China's sanctions over THAAD in 2017).
    """
    v, p = model.state.v, model.p
    pre = PREFIX[actor]
    abandonment = (p[f"cha_{pre}_abandonment_need"] - v["us_commitment"]) / p["cha_abandonment_per"]
    above = np.maximum(v["china_pressure"] - p["china_pressure_base"], 0.0)
    entrapment = p[f"cha_{pre}_entrapment"] * above / p["cha_entrapment_per"]
    return abandonment, entrapment


def theory_terms(model: RelationsModel, actor: str, decisions: list[Decision]) -> np.ndarray:
    """The situation's pull on each decision for Seoul or Tokyo, shape (decisions, runs)."""
    v, p = model.state.v, model.p
    get = model.state.get
    own = OWN[actor]
    tag = {t: tag_matrix(decisions, t) for t in
           ("conciliatory", "security_coop", "alliance", "nationalist", "firm",
            "economic_pressure", "relief", "history", "diplomacy", "agreement")}
    threat = (get(own["threat"]) + p["rule_threat_china_share"] * v["china_pressure"]) / 100.0
    own_fear, entrapment = alliance_fears(model, actor)
    other_fear, _ = alliance_fears(model, OTHER[actor])
    # Cha: the allies close ranks as far as the *less* fearful of them fears abandonment.
    abandonment = np.minimum(own_fear, other_fear)
    approval = v[APPROVAL_VAR[actor]]
    hostility, weakness = domestic_constraints(model, actor)
    salience = v[own["salience"]] / p["rule_salience_per"]
    cap = p["rule_pull_cap"]
    escalatory = np.maximum(tag["firm"], tag["nationalist"])

    u = p["w_balance_of_threat"] * threat * (tag["security_coop"] + tag["alliance"])
    u = u + p["w_quasi_alliance"] * abandonment * (tag["conciliatory"] + tag["security_coop"])
    u = u - p["w_quasi_alliance"] * entrapment * (tag["alliance"] + tag["security_coop"])
    u = u + p["w_us_pressure"] * (v["us_pressure"] / 100.0) * tag["conciliatory"]
    u = u - p["w_two_level"] * hostility * weakness * (1 + tag["history"]) * tag["conciliatory"]
    diversion = np.clip((p["rule_diversion_approval"] - approval) / p["rule_diversion_per"], 0.0, cap)
    u = u + p["w_diversion"] * diversion * tag["nationalist"]
    u = u + p["rule_firm_salience_share"] * p["w_diversion"] * salience * hostility * tag["firm"]
    if actor == "tokyo":
        # weaponised interdependence: the pull to use the chokepoint is worth what is left of it
        trigger = v["liquidation_stage"] / 3.0 * v["kr_dependence"] / 100.0
        relief = v["foundation"] * (1.0 - v["liquidation_stage"] / 3.0)
    else:
        trigger = np.maximum(v["jp_export_controls"], 1.0 - v["jp_whitelist_kr"])
        relief = 1.0 - v["jp_export_controls"]
    u = u + p["w_retaliation"] * (trigger - p["rule_retaliation_threshold"]) * tag["economic_pressure"]
    u = u + p["w_relief"] * relief * tag["relief"]
    # A standoff costs more the longer it hurts: a depressed economic track pulls toward
    # lifting measures, a depressed security track toward restoring cooperation.
    hurt = np.clip((p["rule_relief_economic_level"] - v["economic"]) / p["rule_relief_per"], 0.0, cap)
    u = u + p["w_relief"] * hurt * tag["relief"]
    exposed = np.clip((p["rule_relief_security_level"] - v["security"]) / p["rule_relief_per"], 0.0, cap)
    u = u + p["w_relief"] * exposed * tag["security_coop"]
    # An escalation costs more than its catalogue effects say: the ally's displeasure, the
    # other side's answer, a channel lost. Calibrated so that the rules replay of 2012-2025
    # escalates as often as the record (scripts/rules_replay.py --calibrate).
    u = u - p["rule_escalation_cost"] * escalatory
    # Keeping the leaders meeting is worth more than a summit's effects on the tracks say
    # (calibrated to the record's count of summits, as above).
    u = u + p["rule_diplomacy_value"] * tag["diplomacy"]
    if tag["agreement"].any():
        # Two-level games (Putnam 1988): a proposal is worth the agreement's effects as far as
        # both win-sets let it be signed and ratified, less the cost of opening talks.
        per_point = p["rule_value_per_point"]
        worth = proposal_value(model, actor, lambda e: per_point * points_of(model, actor)(e))
        u = u + (worth - p["putnam_proposal_cost"]) * tag["agreement"]
    return u


def washington_terms(model: RelationsModel, decisions: list[Decision]) -> np.ndarray:
    """Washington's pull: mediate when the allies quarrel, reassure when the threat rises."""
    v, p = model.state.v, model.p
    below = p["rule_us_quarrel_level"] - model.state.get("relationship_index")
    quarrel = np.clip(below / p["rule_us_quarrel_per"], -1.0, p["rule_pull_cap"])
    threat = (v["nk_threat"] - p["rule_nk_threat_reference"]) / p["rule_nk_threat_per"]
    u = p["w_us_mediation"] * quarrel * tag_matrix(decisions, "mediation")
    u = u + p["w_us_mediation"] * quarrel * tag_matrix(decisions, "pressure")
    u = u + p["w_balance_of_threat"] * threat * tag_matrix(decisions, "security")
    return u
