"""Seoul, Tokyo and Washington: the governments, each choosing by its leader's rule."""

from __future__ import annotations

import numpy as np

from model.agents.rules import (
    PROFILE_VAR,
    RULES,
    expected_value,
    theory_terms,
    washington_terms,
)
from model.agents.seats import SeatAgent


class Government(SeatAgent):
    """A capital: utilities from its profile's rule, the theories, and expected effects."""

    def __init__(self, model):
        super().__init__(model)
        # per profile, its utility of each decision: (profiles, decisions), or (profiles,
        # decisions, runs) when a sensitivity analysis varies the profiles' weights by run
        prefs = [rule().preference(self.menu, model.p) for rule in RULES[self.seat]]
        if any(x.ndim == 2 for x in prefs):
            prefs = [np.broadcast_to(x.reshape(len(self.menu), -1), (len(self.menu), model.runs)) for x in prefs]
        self._preferences = np.stack(prefs)
        self._expected = expected_value(model, self.seat, self.menu)

    def profile_index(self) -> np.ndarray:
        """Which rule governs each run (0 or 1, see ``model.agents.rules.RULES``)."""
        return (self.model.state.v[PROFILE_VAR[self.seat]] > 0.5).astype(np.intp)

    def situation(self) -> np.ndarray:
        """Theory-driven utility terms, shape (decisions, runs)."""
        return theory_terms(self.model, self.seat, self.menu)

    def utilities(self) -> np.ndarray:
        """Profile preference + situation + expected effects, shape (decisions, runs)."""
        index = self.profile_index()
        if self._preferences.ndim == 3:
            prefs = self._preferences[index, :, np.arange(index.size)].T  # (decisions, runs)
        else:
            prefs = self._preferences[index].T  # (decisions, runs)
        hold = self.action_cost(self.model.p["rule_action_cost"])
        return prefs + self.situation() + self._expected - hold


class Seoul(Government):
    """The Korean president: progressive or conservative, hawkish or moderate."""

    seat = "seoul"

    def utilities(self) -> np.ndarray:
        """A hawkish president leans to firm and nationalist gestures, a moderate away."""
        u = super().utilities()
        tags = np.array([[("firm" in d.tags) + ("nationalist" in d.tags)] for d in self.menu])
        hawk = self.model.state.v["kr_hawkish"] - 0.5
        return u + self.model.p["rule_kr_hawk_lean"] * hawk * tags


class Tokyo(Government):
    """The Japanese prime minister: hawkish or moderate, conservative or liberal camp."""

    seat = "tokyo"

    def utilities(self) -> np.ndarray:
        """A liberal-camp government leans away from Yasukuni and toward conciliation."""
        u = super().utilities()
        liberal = 1.0 - self.model.state.v["jp_camp"]
        nat = np.array([[1.0 if "nationalist" in d.tags else 0.0] for d in self.menu])
        conc = np.array([[1.0 if "conciliatory" in d.tags else 0.0] for d in self.menu])
        p = self.model.p
        return u + liberal * (p["rule_jp_liberal_conciliation"] * conc - p["rule_jp_liberal_restraint"] * nat)


class Washington(Government):
    """The US administration: alliance-builder or transactional.

    Also holds the allies' felt US commitment, which drifts toward what the administration's
    stance makes credible, and the pressure it puts on both capitals, which fades.
    """

    seat = "washington"

    def situation(self) -> np.ndarray:
        """Mediation when the allies quarrel; reassurance when the threat rises."""
        return washington_terms(self.model, self.menu)

    def settle(self) -> None:
        """Monthly drift of US commitment and decay of US pressure."""
        model, p = self.model, self.model.p
        v = model.state.v
        level = np.where(v["us_transactional"] > 0.5, p["us_commitment_transactional"], p["us_commitment_alliance"])
        drift = p["us_commitment_rate"] * (level - v["us_commitment"])
        model.state.shift("us_commitment", drift, "relax_baseline", "washington")
        model.state.shift("us_pressure", -p["us_pressure_decay"] * v["us_pressure"], "decay", "washington")
