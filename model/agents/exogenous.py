"""Processes no seat controls: Pyongyang, the courts, the calendar, the world, elections.

They are Mesa agents too, so that everything that acts is in ``model.agents``. Each draws
its events per run from the run's own random stream, so the same seed gives the same
history whichever batch a run is computed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.effects import apply_entry, relax

if TYPE_CHECKING:
    from model.catalogue import EventType
    from model.model import RelationsModel


class Process(mesa.Agent):
    """An exogenous process; ``enabled`` follows the scenario's ``processes`` switches."""

    switch: str = ""
    model: RelationsModel

    @property
    def enabled(self) -> bool:
        """Whether the scenario lets this process draw events by itself."""
        return getattr(self.model.spec.processes, self.switch)

    def fire(self, event_id: str, weight: np.ndarray, site: str | None = None) -> np.ndarray:
        """Apply a catalogue event where ``weight`` > 0; return where it happened."""
        entry = self.model.catalogue.events[event_id]
        return apply_entry(self.model, entry, weight, site or f"{self.switch}:{event_id}")


class Pyongyang(Process):
    """North Korea: missile launches as a self-exciting (Hawkes) process, rare nuclear tests.

    Launch days come in clusters: each launch raises the chance of more in the following
    months (excitation that decays), on top of a base rate. ICBM and over-Japan shots are a
    share of launch days; satellite launches and nuclear tests are rare draws. The threat
    each launch adds decays toward a floor (balance of threat needs a threat that fades).
    """

    switch = "pyongyang"

    def __init__(self, model: RelationsModel):
        super().__init__(model)
        self.excitation = np.zeros(model.runs)

    def step(self) -> None:
        """Draw this month's launches and tests; let the threat decay."""
        model, p = self.model, self.model.p
        if self.enabled:
            lam = p["nk_launch_base"] + self.excitation
            count = model.streams.poisson("nk:launches", lam)
            self.fire("ballistic_launch", count.astype(float))
            some = count > 0
            for event_id, share in (("icbm_launch", "nk_icbm_share"), ("launch_over_japan", "nk_overflight_share")):
                prob = 1.0 - (1.0 - p[share]) ** count
                self.fire(event_id, (some & model.streams.bernoulli(f"nk:{event_id}", prob)).astype(float))
            self.fire("satellite_launch", model.streams.bernoulli("nk:satellite", p["nk_satellite_rate"]).astype(float))
            self.fire("nuclear_test", model.streams.bernoulli("nk:nuclear", p["nk_nuclear_test_rate"]).astype(float))
            self.excitation = self.excitation * p["nk_excitation_decay"] + p["nk_excitation"] * count
        relax(model, "nk_threat", p["nk_threat_decay"], p["nk_threat_floor"], {}, "pyongyang")


class Courts(Process):
    """Korean courts: forced-labour and comfort-women rulings, then seizure and liquidation.

    Liquidation proceeds in stages (ruling unpaid, assets seized, sale ordered) with a monthly
    hazard per stage; a compensation foundation that pays the plaintiffs slows it to a crawl,
    as after March 2023.
    """

    switch = "courts"

    def step(self) -> None:
        """Draw this month's rulings and liquidation steps."""
        if not self.enabled:
            return
        model, p, v = self.model, self.model.p, self.model.state.v
        streams = model.streams
        brake = np.where(v["foundation"] > 0.5, p["foundation_brake"], 1.0)
        ruling = streams.bernoulli("courts:ruling", p["forced_labour_ruling_rate"])
        self.fire("forced_labour_ruling", ruling.astype(float))
        comfort = streams.bernoulli("courts:cw", p["comfort_women_ruling_rate"])
        self.fire("comfort_women_ruling", comfort.astype(float))
        stage = v["liquidation_stage"]
        seize = (np.abs(stage - 1) < 0.5) & streams.bernoulli("courts:seize", p["seizure_hazard"] * brake)
        self.fire("asset_seizure", seize.astype(float))
        stage = v["liquidation_stage"]
        hazard = p["liquidation_hazard"] * brake
        order = (np.abs(stage - 2) < 0.5) & streams.bernoulli("courts:liquidate", hazard)
        self.fire("liquidation_order", order.astype(float))


class IrritantCalendar(Process):
    """The recurring irritants of the calendar.

    Takeshima Day (22 Feb), textbook screening (March), Yasukuni festivals (April, October),
    the defence white paper (July), 15 August.
    """

    switch = "calendar"
    BY_MONTH = {
        2: "takeshima_day",
        3: "textbook_screening",
        4: "yasukuni_festival",
        7: "defence_white_paper",
        8: "august_15",
        10: "yasukuni_festival",
    }

    def step(self) -> None:
        """Fire the irritant of this calendar month, if any."""
        if not self.enabled:
            return
        event_id = self.BY_MONTH.get(int(self.model.month[5:7]))
        if event_id:
            self.fire(event_id, np.ones(self.model.runs))


class WorldEvents(Process):
    """Rare shocks from outside the three capitals.

    Incidents at sea, Chinese coercion, disasters with mutual aid, cultural booms: every
    catalogue event of the world that names a ``rate`` (a coefficient, its monthly chance), in
    catalogue order, so a new random shock is data.
    """

    switch = "world"

    def __init__(self, model: RelationsModel):
        super().__init__(model)
        self.rates = [(e.id, e.rate) for e in model.catalogue.events.values() if e.rate is not None]

    def step(self) -> None:
        """Draw this month's world events; Chinese pressure fades toward its usual level."""
        model, p = self.model, self.model.p
        if self.enabled:
            for event_id, rate in self.rates:
                self.fire(event_id, model.streams.bernoulli(f"world:{event_id}", p[rate]).astype(float))
        relax(model, "china_pressure", p["china_pressure_decay"], p["china_pressure_base"], {}, "world")


class Elections(Process):
    """Elections and changes of leader: who governs, per run.

    Korea's presidential election always brings a new president (single term); the
    incumbent camp keeps power with a probability that rises with approval. Japan's general
    election rarely unseats the LDP. A US election may change the administration's stance.
    Scheduled events can force the outcome (``params: {winner: conservative}``). Elections
    come only from the scenario's calendar, so no ``processes`` switch governs them.
    """

    def _keep(self, site: str, approval: np.ndarray, bias: float) -> np.ndarray:
        p = self.model.p
        logit = p["election_approval_slope"] * (approval - p["election_approval_pivot"]) / 10.0 + bias
        return self.model.streams.uniform(site) < 1.0 / (1.0 + np.exp(-logit))

    def _new_government(self, prefix: str, happened: np.ndarray, site: str, cause: str) -> None:
        state, p = self.model.state, self.model.p
        level = p["honeymoon_approval"] + p["honeymoon_sd"] * self.model.streams.normal(f"{site}:honeymoon")
        state.assign(f"{prefix}_gov_approval", level, happened, cause, "elections")

    def _stance(self, name: str, params: dict, happened: np.ndarray, site: str, cause: str) -> None:
        state = self.model.state
        if "stance" in params:
            value = 1.0 if params["stance"] in ("hawkish", "transactional") else 0.0
        else:
            value = self.model.streams.bernoulli(f"{site}:stance", self.model.p["leader_stance_prob"]).astype(float)
        state.assign(name, value, happened, cause, "elections")

    def hold(self, entry: EventType, happened: np.ndarray, site: str, params: dict) -> None:
        """Apply an election or leader change in the runs where it happens."""
        state, p = self.model.state, self.model.p
        v = state.v
        cause = entry.id
        if entry.mechanism == "leader_change":
            actor = params.get("actor", "seoul")
            if actor == "washington":
                self._stance("us_transactional", params, happened, site, cause)
            else:
                prefix = "kr" if actor == "seoul" else "jp"
                if "camp" in params:
                    value = 1.0 if params["camp"] == "conservative" else 0.0
                    state.assign(f"{prefix}_camp", value, happened, cause, "elections")
                self._stance(f"{prefix}_hawkish", params, happened, site, cause)
                self._new_government(prefix, happened, site, cause)
            if "leader" in params:
                self.model.leaders[actor] = str(params["leader"])
        elif entry.mechanism == "kr_presidential":
            if "winner" in params:
                camp = 1.0 if params["winner"] == "conservative" else 0.0
            else:
                keep = self._keep(f"{site}:keep", v["kr_gov_approval"], p["kr_incumbent_bias"])
                camp = np.where(keep, v["kr_camp"], 1.0 - v["kr_camp"])
            state.assign("kr_camp", camp, happened, cause, "elections")
            self._stance("kr_hawkish", params, happened, site, cause)
            self._new_government("kr", happened, site, cause)
        elif entry.mechanism == "jp_general":
            if "winner" in params:
                change = np.full(self.model.runs, params["winner"] == "liberal")
            else:
                change = ~self._keep(f"{site}:keep", v["jp_gov_approval"], p["jp_incumbent_bias"])
            change &= v["jp_camp"] > 0.5
            state.assign("jp_camp", 0.0, happened & change, cause, "elections")
            state.assign("jp_hawkish", 0.0, happened & change, cause, "elections")
            self._new_government("jp", happened & change, site, cause)
        else:  # us_administration: us_presidential_election, us_administration_change
            if "stance" in params:
                value = np.full(self.model.runs, 1.0 if params["stance"] == "transactional" else 0.0)
            else:
                flip = self.model.streams.bernoulli(f"{site}:flip", p["us_change_prob"])
                value = np.where(flip, 1.0 - v["us_transactional"], v["us_transactional"])
            state.assign("us_transactional", value, happened, cause, "elections")
