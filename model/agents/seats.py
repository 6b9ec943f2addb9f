"""What every seat shares: a menu, a rule or a human, and one decision per window.

A seat is asked for its decisions each decision window and the model does not care who
answers: a human team's submission (``submit``) replaces the rule for that window, in every
run, exactly as a PettingZoo ``ParallelEnv`` takes an action per agent per step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from model.catalogue import Decision
from model.effects import apply_entry, preconditions_met

if TYPE_CHECKING:
    from model.model import RelationsModel


class SeatAgent(mesa.Agent):
    """Base of the five seats (three governments, two publics)."""

    seat: ClassVar[str] = ""
    model: RelationsModel

    def __init__(self, model: RelationsModel):
        super().__init__(model)
        self.menu: list[Decision] = model.catalogue.menu(self.seat)
        self.submitted: list[str] | None = None
        self.last_choice: np.ndarray | None = None

    def available(self) -> np.ndarray:
        """Per decision and run, whether its preconditions hold, shape (decisions, runs)."""
        return np.stack([preconditions_met(self.model, d) for d in self.menu])

    def utilities(self) -> np.ndarray:
        """Utility of each decision per run, shape (decisions, runs); subclasses define it."""
        raise NotImplementedError

    def action_cost(self, cost: float | np.ndarray) -> np.ndarray:
        """Cost of each decision against holding: 0 for hold, ``cost`` for any move.

        Shape (decisions, 1), or (decisions, runs) when the coefficient varies by run (as in a
        sensitivity analysis).
        """
        moves = np.array([[0.0] if d.is_hold else [1.0] for d in self.menu])
        return moves * cost

    def rule_active(self) -> bool:
        """Whether the seat's rule decides when no human has submitted."""
        return self.model.spec.processes.rules

    def submit(self, decision_ids: list[str]) -> None:
        """A human's choice for the next decision window (replaces the rule once)."""
        known = {d.id for d in self.menu}
        unknown = [d for d in decision_ids if d not in known]
        if unknown:
            raise ValueError(f"{self.seat} cannot take {', '.join(unknown)}")
        self.submitted = list(decision_ids)

    def probabilities(self) -> np.ndarray:
        """Logit choice probabilities (bounded rationality), shape (decisions, runs)."""
        u = self.utilities() / self.model.p["rule_temperature"]
        u = np.where(self.available(), u, -np.inf)
        u = u - u.max(axis=0, keepdims=True)
        e = np.exp(u)
        return e / e.sum(axis=0, keepdims=True)

    def choose(self) -> list[tuple[Decision, np.ndarray, str]]:
        """This window's decision(s), chosen on the state as it is now: (entry, runs, site).

        The human's submission if there is one (taken only in the runs where its
        preconditions hold now), else the rule's draw. Nothing is applied: the model asks
        every seat first and applies the moves afterwards (:meth:`act`), so that all seats
        decide on the window's starting state (simultaneous moves).
        """
        model = self.model
        if self.submitted is not None:
            chosen = self.submitted
            self.submitted = None
            self.last_choice = None
            plan = []
            for k, did in enumerate(chosen):
                entry = model.catalogue.decisions[did]
                start = preconditions_met(model, entry).astype(float)
                plan.append((entry, start, f"seat:{self.seat}:{k}:{did}"))
            return plan
        if not self.rule_active():
            return []
        choice = model.streams.choice(f"decide:{self.seat}", self.probabilities())
        self.last_choice = choice
        return [
            (entry, (choice == i).astype(float), f"rule:{entry.id}")
            for i, entry in enumerate(self.menu)
            if not entry.is_hold
        ]

    def act(self, plan: list[tuple[Decision, np.ndarray, str]]) -> None:
        """Apply moves chosen by :meth:`choose`.

        A move whose preconditions an earlier move in the window has undone lapses
        (``apply_entry`` checks them again).
        """
        for entry, runs, site in plan:
            apply_entry(self.model, entry, runs, site)

    def decide(self) -> None:
        """Choose and apply at once (a seat deciding alone)."""
        self.act(self.choose())
