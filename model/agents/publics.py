"""The Korean and Japanese publics: opinion by cohort, approval, threat, salience.

Each public is a set of cohorts (age groups; in Korea also the progressive and conservative
camps). A cohort's favourable share is a sum of parts, each booked in the ledger under its own
cause, so that "why did it move?" has one answer per cause and no pair of large offsetting
pulls:

- the anchor's parts, each following its driver at the pace of opinion (``fav_relax_rate``):
  the cohort's level at the reference conditions (``relax_baseline``: the tracks at 50 and the
  public's travel at its 2012 level), people-to-people contact through exchanges and culture
  (``contact``), the public's own experience of visiting the other country (``travel``,
  contact theory, Allport 1954: travel warms the young most) and the state of the history
  issues (``history_track``). A part moves only when its driver moves, so a public at rest
  records nothing;
- what is left of recent events (``fading``): an event's effect fades at the same pace, and so
  does what a scenario's opening opinion held beyond its drivers (``settling``: why a scenario
  drifts before anything happens);
- the lasting memory of past events (``memory``): a share of each event's effect
  (``opinion_memory``) fades over years (``memory_decay``), so a Dokdo visit is felt long
  after the headlines;
- what an observed poll corrected (``observed_poll``): a forecast starts from what was
  observed, so at its origin each public is nudged to the last poll (every cohort by the same
  amount, keeping their differences) and the gap fades by the assimilation's rule
  (:mod:`model.analysis.assimilation`).

Travel has a slow part, capacity (flights, prices, habit), which grows toward a long-run
level, and a fast part: it follows the public's mood and collapses in a boycott. Border
measures (the pandemic's visa suspensions and closures of 2020-2022) hold visits back without
being a choice of the public: contact reads the travel the public would choose with the
borders open, so a closed border is not read as estrangement. The public's press and civil
society also choose how to mobilise (boycott, protest, exchanges, framing), by a rule or by a
class team.
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

BORDER = {"kr_visitors_japan": "jp_border", "jp_visitors_korea": "kr_border"}
"""Whose border measures hold each direction of travel back (Japan's admit Koreans, Korea's
admit Japanese)."""


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
        # the scenario gives the opening rate, and then with the capacity that rate implies
        # (and that the opening border measures allow). Experience starts at the opening rate.
        level = model.p[f"{self.prefix}_travel_level"]
        if self.travel in model.spec.initial:
            opening = np.maximum(state.v[self.travel], TRAVEL_FLOOR)
            state.capacity[self.travel][:] = opening * np.exp(-self.mood()) / self.border_open()
        else:
            state.capacity[self.travel][:] = level
            state.v[self.travel][:] = level * np.exp(self.mood()) * self.border_open()
        state.free_travel[self.travel][:] = state.capacity[self.travel] * np.exp(self.mood())
        state.experience[self.travel][:] = state.free_travel[self.travel]
        # Each anchor part starts where its driver puts it. How much of the opening opinion is
        # settled: that share of what the anchor does not explain is memory of the past, fading
        # at the memory's own pace; the rest fades at the pace of opinion itself.
        parts = self.anchor_parts()
        state.components[self.opinion] = {cause: np.array(part, dtype=float) for cause, part in parts.items()}
        gap = state.cohorts[self.opinion] - sum(parts.values())
        kept = model.p["opening_memory"] * gap
        state.memory[self.opinion][:] = kept
        state.opening[self.opinion][:] = gap - kept

    @property
    def travel(self) -> str:
        """This public's visits to the other country (the catalogue pairs it with the opinion)."""
        return TRAVEL[self.opinion]

    def anchor_parts(self) -> dict[str, np.ndarray]:
        """The anchor's parts by ledger cause, each shape (cohorts, runs).

        ``relax_baseline`` is the cohort's level at the reference conditions (tracks at 50,
        travel experience at the reference rate); ``contact`` the pull of the people-to-people
        track; ``travel`` that of the public's experience of visiting the other country
        (recent years' visits as the public chose them), per doubling from the reference rate
        (the 2012 count, a fixed number from the data, so that the baseline and the long-run
        travel level are told apart); ``history_track`` that of the history issues.
        """
        p, state = self.model.p, self.model.state
        v = state.v
        experience = np.maximum(state.experience[self.travel], TRAVEL_FLOOR)
        doublings = np.log2(experience / p[f"{self.prefix}_travel_reference"])
        base = np.broadcast_to(p[f"{self.prefix}_fav_base"] + self.offsets, (len(self.offsets), self.model.runs))
        return {
            "relax_baseline": base,
            "contact": p["contact_weight"] * self.culture * (v["people"] - 50.0) / 10.0,
            "travel": p["travel_contact_weight"] * self.culture * doublings,
            "history_track": p["history_weight"] * self.history * (v["history"] - 50.0) / 10.0,
        }

    def anchor(self) -> np.ndarray:
        """Where each cohort's opinion would settle without events, shape (cohorts, runs)."""
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
        level, per = p["public_mood_level"], p["public_mood_per"]
        anger = (level - fav) / per + self.grievance()
        warmth = (fav - level) / per + (v["people"] - p["public_people_reference"]) / p["public_people_per"]
        salience = v[f"{self.prefix}_salience"] / p["public_salience_level"]
        w = p["w_mobilisation"]
        # Salience drives the framing both ways; a bad mood adds only a share as much, so that
        # coverage follows events rather than feeding on itself.
        u = w * (salience - 1.0 + p["public_anger_framing_share"] * anger) * tag_matrix(m, "nationalist")
        u = u + w * (warmth + 1.0 - salience) * tag_matrix(m, "conciliatory")
        # a boycott needs a grievance of trade (2019), not just a bad mood
        boycott = p["public_boycott_grievance"] * self.grievance() - p["public_boycott_threshold"] + anger
        u = u + w * boycott * tag_matrix(m, "boycott")
        return u - self.action_cost(p["public_action_cost"])

    def step(self) -> None:
        """Monthly: opinion's parts follow their drivers; approval, threat and salience relax."""
        model, p, v = self.model, self.model.p, self.model.state.v
        pre = self.prefix
        self.opinion_step()
        relax(model, f"{pre}_gov_approval", p["approval_relax_rate"], p[f"{pre}_approval_base"], {}, self.seat)
        nk = p["threat_gain"] * (v["nk_threat"] - p["threat_nk_reference"])
        china = p["threat_china_weight"] * (v["china_pressure"] - p["china_pressure_base"])
        threat_pull = {"threat_level": nk + china}
        relax(model, f"{pre}_threat", p["threat_relax_rate"], p["threat_base"], threat_pull, self.seat)
        relax(model, f"{pre}_salience", p["salience_decay"], p["salience_base"], {}, self.seat)
        self.travel_step()

    def opinion_step(self) -> None:
        """Each part of opinion moves a share ``fav_relax_rate`` toward where its driver puts it.

        Why parts: the ledger books each part's own movement, so a public whose drivers are
        steady records nothing, and a change is told by the driver that moved (see the module
        docstring). Recent shocks fade at the same pace; memory at ``memory_decay``.
        """
        p, state = self.model.p, self.model.state
        rate = p["fav_relax_rate"]
        comps = state.components[self.opinion]
        for cause, part in self.anchor_parts().items():
            flow = rate * (part - comps[cause])
            if cause == "relax_baseline" and not np.any(flow):
                continue
            comps[cause] = comps[cause] + flow
            state.shift_public(self.opinion, flow, cause, self.seat)
        shock = state.shock[self.opinion]
        fade = rate * shock
        shock -= fade
        state.shift_public(self.opinion, -fade, "fading", self.seat)
        opening = state.opening[self.opinion]
        settle = rate * opening
        opening -= settle
        state.shift_public(self.opinion, -settle, "settling", self.seat)
        memory = state.memory[self.opinion]
        forget = p["memory_decay"] * memory
        memory -= forget
        state.shift_public(self.opinion, -forget, "memory", self.seat)
        observed = state.observed[self.opinion]
        if np.any(observed):
            fade_gap = state.observed_rate[self.opinion] * observed
            observed -= fade_gap
            state.shift_public(self.opinion, -fade_gap, "observed_poll", self.seat)

    def mood(self) -> np.ndarray:
        """Log-points of travel that the public's mood adds above capacity (travel follows sentiment)."""
        p, state = self.model.p, self.model.state
        return p["travel_sentiment"] * (state.get(self.opinion) - p[f"{self.prefix}_fav_base"]) / 10.0

    def travel_avoidance(self) -> np.ndarray:
        """Log-points of travel this public forgoes now beyond its mood (a boycott)."""
        return np.zeros(self.model.runs)

    def border_open(self) -> np.ndarray:
        """Share of the travel the public would choose that the other country's border admits.

        Stage 0 admits all; 1 (visa-free entry back, with conditions), 2 (visa waiver suspended,
        quarantine on arrival) and 3 (closed to new entries) admit the shares the catalogue
        gives (``border_open_conditions``, ``border_open_visa``, ``border_open_closed``).
        """
        p = self.model.p
        stage = np.rint(self.model.state.v[BORDER[self.travel]]).astype(int)
        runs = self.model.runs
        shares = [
            np.broadcast_to(np.asarray(x, dtype=float), (runs,))
            for x in (1.0, p["border_open_conditions"], p["border_open_visa"], p["border_open_closed"])
        ]
        return np.choose(np.clip(stage, 0, 3), shares)

    def travel_step(self) -> None:
        """Capacity grows toward its level (Gompertz); travel follows capacity, mood, boycotts, borders.

        Why two speeds: the 2012-2018 rise of Korean travel to Japan took years (low-cost
        carriers, prices), while the 2019 boycott cut it by half within two months (JNTO).
        The change of travel is recorded by part, in the log-linear step
        ``dV = V * response * (ln capacity + mood - avoidance + ln open - ln V)``. The travel
        the public would choose with open borders follows the same step without ``ln open``;
        contact reads that one.
        """
        p, state = self.model.p, self.model.state
        name, pre = self.travel, self.prefix
        capacity = state.capacity[name]
        level = p[f"{pre}_travel_level"]
        capacity *= np.exp(p["travel_growth"] * np.log(level / capacity))
        visits = np.maximum(state.v[name], TRAVEL_FLOOR)
        response = p["travel_response"]
        rate = response * visits
        mood = self.mood()
        avoid = self.travel_avoidance()
        log_open = np.log(np.maximum(self.border_open(), 1e-6))
        state.shift(name, rate * (np.log(capacity) - np.log(visits)), "travel_capacity", self.seat)
        state.shift(name, rate * mood, "public_opinion", self.seat)
        if np.any(avoid):
            state.shift(name, -rate * avoid, "boycott", self.seat)
        if np.any(log_open):
            state.shift(name, rate * log_open, "border_measures", self.seat)
        free = state.free_travel[name]
        chosen = np.maximum(free, TRAVEL_FLOOR)
        free += response * chosen * (np.log(capacity) + mood - avoid - np.log(chosen))
        np.maximum(free, 0.0, out=free)
        # Contact works through lived experience, which builds and fades over years
        # (Pettigrew and Tropp 2006: the effect grows with the depth of contact), not
        # through this month's flights: the anchor reads a moving average of the visits the
        # public chose (a border closed for a virus holds visits back but is no estrangement).
        experience = state.experience[name]
        experience += (free - experience) / (12.0 * p["contact_years"])


class KoreanPublic(Public):
    """Koreans' view of Japan, by age and camp; the Korean president's approval."""

    seat = "kr_public"
    prefix = "kr"
    opinion = "kr_favorable_japan"

    def __init__(self, model):
        super().__init__(model)
        # How new the present export controls are to Koreans (1 new, toward 0 after years).
        self.freshness = np.ones(model.runs)

    def travel_avoidance(self) -> np.ndarray:
        """During a boycott Koreans stay away from Japan (the 2019 'No Japan' movement)."""
        return self.model.p["travel_boycott"] * self.model.state.v["boycott"]

    def grievance(self) -> np.ndarray:
        """Export controls (weaponised interdependence) anger Koreans: the 2019 boycott began with them.

        The anger is sharpest when the controls are new and wears off as they become the
        status quo (``grievance_fade`` a month), so a boycott that has faded is not called
        again every quarter for the same controls.
        """
        v, p = self.model.state.v, self.model.p
        return p["w_boycott_controls"] * v["jp_export_controls"] * self.freshness

    def step(self) -> None:
        """Opinion dynamics, then the boycott fades with time, as observed boycotts did."""
        super().step()
        model, v = self.model, self.model.state.v
        controls = v["jp_export_controls"] > 0.5
        self.freshness = np.where(controls, self.freshness * (1.0 - model.p["grievance_fade"]), 1.0)
        fade = model.streams.bernoulli("boycott_fade", model.p["boycott_fade"]) & model.state.flag("boycott")
        apply_entry(model, model.catalogue.events["boycott_end"], fade.astype(float), "boycott_fade")


class JapanesePublic(Public):
    """Japanese views of Korea, by age; the Japanese government's approval."""

    seat = "jp_public"
    prefix = "jp"
    opinion = "jp_favorable_korea"

    def grievance(self) -> np.ndarray:
        """Court orders against Japanese companies anger the Japanese public (per stage of three)."""
        return self.model.p["w_grievance_liquidation"] * self.model.state.v["liquidation_stage"] / 3.0
