"""The Korean and Japanese publics: opinion by cohort, approval, threat, salience.

Each public is a set of cohorts (age groups; in Korea also the progressive and conservative
camps). Events shock cohorts according to their sensitivity to the shock's channel; between
shocks each cohort's favourable share relaxes toward an anchor made of its long-run baseline,
people-to-people contact (contact theory, Allport 1954: travel and culture warm the young
most), the state of the history issues, and a memory of past shocks. Contact has two parts:
the people-to-people track (exchanges, culture, which governments and civil society move) and
the public's experience of travelling to the other country (visits over recent years, in
millions a year). Travel has a slow part, capacity (flights, prices, habit), which grows
toward a long-run level, and a fast part: it follows the public's mood and collapses in a
boycott. A cohort's anchor moves
slowly; events move the salient issue quickly: part of each shock (``opinion_memory``) also
enters the memory, which fades over years (``memory_decay``), so a Dokdo visit is felt long
after the headlines. The public's press and civil society also choose how to mobilise
(boycott, protest, exchanges, framing), by a rule or by a class team.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from model.agents.rules import tag_matrix
from model.agents.seats import SeatAgent
from model.catalogue import TRAVEL
from model.effects import apply_entry, relax
from model.state import COHORTS

TRAVEL_FLOOR = 0.01
"""Millions a year below which travel is not taken to fall (business and family visits go on;
assumption). Keeps the log-linear travel dynamics finite when a scenario opens at zero."""


class Public(SeatAgent):
    """One country's public. Subclasses name the variables it owns."""

    prefix: ClassVar[str] = ""
    opinion: ClassVar[str] = ""

    def __init__(self, model):
        super().__init__(model)
        cohorts = COHORTS[self.opinion]
        self.offsets = np.array([c.offset for c in cohorts])[:, None]
        self.culture = np.array([c.culture for c in cohorts])[:, None]
        self.history = np.array([c.history for c in cohorts])[:, None]
        state = model.state
        # Travel opens in step with the opening mood: at the long-run level's capacity unless
        # the scenario gives the opening rate, and then with the capacity that rate implies.
        # Experience starts at the opening rate.
        level = model.p[f"{self.prefix}_travel_level"]
        if self.travel in model.spec.initial:
            opening = np.maximum(state.v[self.travel], TRAVEL_FLOOR)
            state.capacity[self.travel][:] = opening * np.exp(-self.mood())
        else:
            state.capacity[self.travel][:] = level
            state.v[self.travel][:] = level * np.exp(self.mood())
        state.experience[self.travel][:] = state.v[self.travel]
        # How much of the opening opinion is settled: that share of what the anchor does not
        # explain (travel experience included) is memory of the past, fading at the memory's own
        # pace; the rest drifts toward the anchor at the pace of opinion itself.
        gap = state.cohorts[self.opinion] - self.anchor()
        state.memory[self.opinion][:] = model.p["opening_memory"] * gap

    @property
    def travel(self) -> str:
        """This public's visits to the other country (the catalogue pairs it with the opinion)."""
        return TRAVEL[self.opinion]

    def anchor_parts(self) -> dict[str, np.ndarray]:
        """The anchor's parts by ledger cause, each shape (cohorts, runs).

        ``relax_baseline`` is the cohort's long-run level; ``contact`` the pull of the
        people-to-people track; ``travel`` that of the public's experience of visiting the
        other country (recent years' visits), per doubling from travel's long-run level;
        ``history_track`` that of the history issues.
        """
        p, state = self.model.p, self.model.state
        v = state.v
        experience = np.maximum(state.experience[self.travel], TRAVEL_FLOOR)
        doublings = np.log2(experience / p[f"{self.prefix}_travel_level"])
        return {
            "relax_baseline": p[f"{self.prefix}_fav_base"] + self.offsets,
            "contact": p["contact_weight"] * self.culture * (v["people"] - 50.0) / 10.0,
            "travel": p["travel_contact_weight"] * self.culture * doublings,
            "history_track": p["history_weight"] * self.history * (v["history"] - 50.0) / 10.0,
        }

    def anchor(self) -> np.ndarray:
        """Where each cohort's opinion would settle without memory, shape (cohorts, runs)."""
        return sum(self.anchor_parts().values())

    def rule_active(self) -> bool:
        """Publics mobilise by themselves unless the scenario switches it off."""
        return self.model.spec.processes.mobilisation

    def grievance(self) -> np.ndarray:
        """What the other side is doing to this public right now (0 = nothing)."""
        return np.zeros(self.model.runs)

    def utilities(self) -> np.ndarray:
        """Mobilise when angry and the issue is salient; reach out when warm."""
        v, p, m = self.model.state.v, self.model.p, self.menu
        fav = self.model.state.get(self.opinion)
        anger = (35.0 - fav) / 35.0 + self.grievance()
        warmth = (fav - 35.0) / 35.0 + (v["people"] - 50.0) / 50.0
        salience = v[f"{self.prefix}_salience"] / 50.0
        w = p["w_mobilisation"]
        # Salience drives the framing both ways; a bad mood adds only half as much, so that
        # coverage follows events rather than feeding on itself.
        u = w * (salience - 1.0 + 0.5 * anger) * tag_matrix(m, "nationalist")
        u = u + w * (warmth + 1.0 - salience) * tag_matrix(m, "conciliatory")
        # a boycott needs a grievance of trade (2019), not just a bad mood
        u = u + w * (2.0 * self.grievance() - 1.5 + anger) * tag_matrix(m, "boycott")
        return u - self.action_cost(p["public_action_cost"])

    def step(self) -> None:
        """Monthly: opinion, approval, threat perception and salience relax toward anchors."""
        model, p, v = self.model, self.model.p, self.model.state.v
        state = model.state
        pre = self.prefix
        rate = p["fav_relax_rate"]
        for cause, part in self.anchor_parts().items():
            if cause == "relax_baseline":
                part = part - state.cohorts[self.opinion]
            state.shift_public(self.opinion, rate * part, cause, self.seat)
        memory = state.memory[self.opinion]
        state.shift_public(self.opinion, rate * memory, "memory", self.seat)
        memory *= 1.0 - p["memory_decay"]
        relax(model, f"{pre}_gov_approval", p["approval_relax_rate"], p[f"{pre}_approval_base"], {}, self.seat)
        threat_pull = {"threat_level": p["threat_gain"] * (v["nk_threat"] - 50.0) + 0.3 * (v["china_pressure"] - 30.0)}
        relax(model, f"{pre}_threat", p["threat_relax_rate"], p["threat_base"], threat_pull, self.seat)
        relax(model, f"{pre}_salience", p["salience_decay"], p["salience_base"], {}, self.seat)
        self.travel_step()

    def mood(self) -> np.ndarray:
        """Log-points of travel that the public's mood adds above capacity (travel follows sentiment)."""
        p, state = self.model.p, self.model.state
        return p["travel_sentiment"] * (state.get(self.opinion) - p[f"{self.prefix}_fav_base"]) / 10.0

    def travel_avoidance(self) -> np.ndarray:
        """Log-points of travel this public forgoes now beyond its mood (a boycott)."""
        return np.zeros(self.model.runs)

    def travel_step(self) -> None:
        """Capacity grows toward its level (Gompertz); travel follows capacity, mood and boycotts.

        Why two speeds: the 2012-2018 rise of Korean travel to Japan took years (low-cost
        carriers, prices), while the 2019 boycott cut it by half within two months (JNTO).
        The change of travel is recorded by part, in the log-linear step
        ``dV = V * response * (ln capacity + mood - avoidance - ln V)``.
        """
        p, state = self.model.p, self.model.state
        name, pre = self.travel, self.prefix
        capacity = state.capacity[name]
        level = p[f"{pre}_travel_level"]
        capacity *= np.exp(p["travel_growth"] * np.log(level / capacity))
        visits = np.maximum(state.v[name], TRAVEL_FLOOR)
        rate = p["travel_response"] * visits
        mood = self.mood()
        state.shift(name, rate * (np.log(capacity) - np.log(visits)), "travel_capacity", self.seat)
        state.shift(name, rate * mood, "public_opinion", self.seat)
        avoid = self.travel_avoidance()
        if np.any(avoid):
            state.shift(name, -rate * avoid, "boycott", self.seat)
        # Contact works through lived experience, which builds and fades over years
        # (Pettigrew and Tropp 2006: the effect grows with the depth of contact), not
        # through this month's flights: the anchor reads a moving average of visits.
        experience = state.experience[name]
        experience += (state.v[name] - experience) / (12.0 * p["contact_years"])


class KoreanPublic(Public):
    """Koreans' view of Japan, by age and camp; the Korean president's approval."""

    seat = "kr_public"
    prefix = "kr"
    opinion = "kr_favorable_japan"

    def travel_avoidance(self) -> np.ndarray:
        """During a boycott Koreans stay away from Japan (the 2019 'No Japan' movement)."""
        return self.model.p["travel_boycott"] * self.model.state.v["boycott"]

    def grievance(self) -> np.ndarray:
        """Export controls (weaponised interdependence) anger Koreans: the 2019 boycott began with them."""
        v = self.model.state.v
        return self.model.p["w_boycott_controls"] * v["jp_export_controls"]

    def step(self) -> None:
        """Opinion dynamics, then the boycott fades with time (faster once controls end)."""
        super().step()
        model, v = self.model, self.model.state.v
        hazard = self.model.p["boycott_fade"] * np.where(v["jp_export_controls"] > 0.5, 0.5, 1.0)
        fade = model.streams.bernoulli("boycott_fade", hazard) & model.state.flag("boycott")
        apply_entry(model, model.catalogue.events["boycott_end"], fade.astype(float), "boycott_fade")


class JapanesePublic(Public):
    """Japanese views of Korea, by age; the Japanese government's approval."""

    seat = "jp_public"
    prefix = "jp"
    opinion = "jp_favorable_korea"

    def grievance(self) -> np.ndarray:
        """Court orders against Japanese companies anger the Japanese public."""
        return self.model.state.v["liquidation_stage"] / 3.0
