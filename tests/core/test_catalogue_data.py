"""Behaviour as data (issue 11): random shocks and elections follow catalogue fields, not ids."""

from __future__ import annotations

import numpy as np
import pytest

import model.model as model_module
from model.catalogue import Catalogue, EventType, _check_references, load_catalogue
from model.model import RelationsModel
from tests.core.helpers import quiet, scenario


def _with_event(event: EventType) -> Catalogue:
    cat = load_catalogue()
    return cat.model_copy(update={"events": {**cat.events, event.id: event}})


def test_a_new_random_shock_is_data(monkeypatch):
    """A world event that names a rate is drawn each month at that rate, with no code for it."""
    base = load_catalogue().events["military_incident"]
    storm = base.model_copy(update={"id": "typhoon_aid", "rate": "disaster_rate"})
    cat = _with_event(storm)
    _check_references(cat)
    monkeypatch.setattr(model_module, "load_catalogue", lambda: cat)
    sc = scenario("processes: {pyongyang: false, courts: false, calendar: false, world: true, rules: false, "
                  "mobilisation: false}\n")
    model = RelationsModel(sc, runs=400, seed=1, uncertainty="point", parameters={"disaster_rate": 0.5})
    model.step()
    hits = sum(o.runs for o in model.occurrences if o.id == "typhoon_aid")
    assert 140 < hits < 260  # about half of 400 runs


def test_a_rate_must_be_a_monthly_chance():
    """A rate that names no coefficient of group rate is refused when the catalogue is read."""
    base = load_catalogue().events["military_incident"]
    for bad in ("no_such_coefficient", "track_relax_rate"):
        with pytest.raises(ValueError, match="not a monthly chance"):
            _check_references(_with_event(base.model_copy(update={"id": "odd", "rate": bad})))


def test_an_election_follows_its_mechanism_not_its_id():
    """A snap presidential election (a new id) acts as the presidential election does."""
    cat = load_catalogue()
    snap = cat.events["kr_presidential_election"].model_copy(update={"id": "kr_snap_election"})
    model = RelationsModel(quiet("initial: {kr_gov_approval: 20}\n"), runs=300, seed=4, uncertainty="point")
    before = model.state.v["kr_camp"].copy()
    model.elections.hold(snap, np.ones(300, dtype=bool), "test:snap", {})
    # unpopular incumbents lose most presidential elections, and the winner starts a honeymoon
    assert np.mean(model.state.v["kr_camp"] != before) > 0.5
    assert np.mean(model.state.v["kr_gov_approval"]) > 40


def test_events_have_no_unread_fields():
    """The catalogue's old ``salience`` field was read by nothing: it is gone, and refused."""
    assert "salience" not in EventType.model_fields
    fields = load_catalogue().events["nuclear_test"].model_dump()
    with pytest.raises(ValueError):
        EventType(**{**fields, "salience": 3})


def test_a_new_pull_on_a_track_is_data(monkeypatch):
    """A fact with no pull gets one from a line of pulls.yaml: the track moves, the ledger names it."""
    from model.catalogue import Pull

    cat = load_catalogue()
    wto = Pull(track="economic", cause="kr_wto_case", coefficient="pull_countermeasures", variables=("kr_wto_case",),
               sign=-1, source="test")
    monkeypatch.setattr(model_module, "load_catalogue", lambda: cat.model_copy(update={"pulls": (*cat.pulls, wto)}))
    sc = quiet("initial: {kr_wto_case: 1, economic: 62}\n")
    with_pull = RelationsModel(sc, runs=2, seed=0, uncertainty="point")
    with_pull.step()
    parts = with_pull.ledger.contributions("economic", 0, 0)
    assert any(cause == "kr_wto_case" and np.all(np.asarray(d) < 0) for (cause, _), d in parts.items())
    monkeypatch.undo()
    without = RelationsModel(sc, runs=2, seed=0, uncertainty="point")
    without.step()
    assert np.all(with_pull.state.v["economic"] < without.state.v["economic"])


def test_a_pull_must_name_a_coefficient_and_known_variables():
    from model.catalogue import Pull

    cat = load_catalogue()
    for bad in (
        Pull(track="history", cause="x", coefficient="no_such", variables=("foundation",), source="test"),
        Pull(track="history", cause="x", coefficient="pull_foundation", variables=("no_such_fact",), source="test"),
    ):
        with pytest.raises(ValueError, match=r"pulls.yaml:\d+: pulls\[\d+\]\.(coefficient|variables\[0\]): unknown"):
            _check_references(cat.model_copy(update={"pulls": (*cat.pulls, bad)}))


def test_what_a_capital_values_is_in_the_catalogue():
    """The tracks' weights in the rules' expected values are coefficients the screen swings.

    Raising Seoul's weight on history raises the worth of a move whose effects are on the
    history track, and of no other.
    """
    from model.agents.rules import expected_value
    from model.analysis.sensitivity import select_parameters

    model = RelationsModel(quiet(), runs=1, seed=0, uncertainty="point")
    menu = model.seats["seoul"].menu
    base = expected_value(model, "seoul", menu)[:, 0]
    model.p["value_seoul_history"] = model.p["value_seoul_history"] + 1.0
    raised = expected_value(model, "seoul", menu)[:, 0]
    direct = [d for d in menu if not d.triggers]  # a trigger's event may touch history too
    for i, d in enumerate(menu):
        if d in direct:
            assert (raised[i] != base[i]) == any(e.var == "history" for e in d.effects), d.id
    assert any(raised[i] > base[i] for i, d in enumerate(menu) if d in direct)
    assert "value_seoul_history" in {c.id for c in select_parameters()}


def test_a_profiles_leanings_are_in_the_catalogue():
    """A hawkish Tokyo's liking for nationalist gestures is a coefficient.

    Raising it makes Yasukuni more attractive to a hawkish Tokyo only, also run by run.
    """
    from model.agents.rules import HawkishTokyo, ModerateTokyo

    model = RelationsModel(quiet(), runs=3, seed=0, uncertainty="point")
    menu = model.seats["tokyo"].menu
    i = next(k for k, d in enumerate(menu) if d.id == "tokyo_yasukuni_visit")
    p = dict(model.p)
    hawk, moderate = HawkishTokyo().preference(menu, p)[i], ModerateTokyo().preference(menu, p)[i]
    p["profile_hawkish_tokyo_nationalist"] = p["profile_hawkish_tokyo_nationalist"] + 1.0
    assert HawkishTokyo().preference(menu, p)[i] == hawk + 1.0
    assert ModerateTokyo().preference(menu, p)[i] == moderate
    varied = RelationsModel(quiet("actors: {tokyo: {stance: hawkish}}\n"), runs=3, seed=0, uncertainty="point",
                            parameters={"profile_hawkish_tokyo_nationalist": np.array([0.0, 1.0, 2.0])})
    prefs = varied.seats["tokyo"].utilities()[i]
    assert prefs[0] < prefs[1] < prefs[2]


def test_the_units_of_measure_are_held_fixed_only_by_the_explorers_tornado():
    """Units of measure are varied by every analysis but the explorer's tornado.

    ``screen: false`` coefficients (points per unit of a pull) are held at their values by the
    one-at-a-time tornado, so as to stay in its budget; the weights they divide are swung.
    """
    from model.analysis.sensitivity import select_parameters

    units = {cid for cid, c in load_catalogue().coefficients.items() if not c.screen}
    assert {"rule_diversion_per", "public_mood_per", "cha_abandonment_per"} <= units
    assert all(cid.endswith("_per") for cid in units)  # only pure scales, never a weight or a level
    everything = {c.id for c in select_parameters()}
    screened = {c.id for c in select_parameters(screen=True)}
    assert units <= everything and not units & screened
    assert everything - screened == units
    assert {c.id for c in select_parameters(["rule_diversion_per", "w_diversion"], screen=True)} == {
        "rule_diversion_per", "w_diversion"}  # named, a unit is swung like any other


def test_the_new_constants_are_read_from_the_catalogue():
    """A behavioural constant moved to the catalogue in round 2 changes what the model does."""
    sc = quiet("initial: {kr_gov_approval: 20}\n")
    events = load_catalogue().events
    spreads = []
    for sd in (0.0, 5.0):
        model = RelationsModel(sc, runs=400, seed=4, uncertainty="point", parameters={"honeymoon_sd": sd})
        model.elections.hold(events["kr_presidential_election"], np.ones(400, dtype=bool), "test:sd", {})
        spreads.append(float(np.std(model.state.v["kr_gov_approval"])))
    assert spreads[0] < 1e-9 < 3.0 < spreads[1] < 7.0
    shares = []
    for prob in (0.0, 1.0):
        model = RelationsModel(sc, runs=200, seed=4, uncertainty="point", parameters={"leader_stance_prob": prob})
        model.elections.hold(events["kr_presidential_election"], np.ones(200, dtype=bool), "test:stance", {})
        shares.append(float(np.mean(model.state.v["kr_hawkish"])))
    assert shares == [0.0, 1.0]


def test_a_new_institution_needs_no_python(tmp_path):
    """A fact listed in institutions.yaml runs with no code: a copy of the package, YAML changed only.

    The new fact (a fisheries agreement) is in force where a scenario says nothing, a new
    decision of Tokyo ends it, and a line of pulls.yaml lets its end weigh on the economic
    track; the output table carries it and the ledger names its pull.
    """
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import model

    package = tmp_path / "model"
    shutil.copytree(Path(model.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    cat = package / "catalogue"
    with open(cat / "institutions.yaml", "a", encoding="utf-8") as f:
        f.write("  fisheries_agreement: {initial: 1, source: test}\n")
    with open(cat / "decisions.yaml", "a", encoding="utf-8") as f:
        f.write("  tokyo_end_fisheries_agreement:\n    actor: tokyo\n    label: End the fisheries agreement\n"
                "    tags: [firm]\n    preconditions: {fisheries_agreement: 1}\n    sets: {fisheries_agreement: 0}\n"
                "    briefing: Let the fisheries agreement lapse.\n")
    with open(cat / "pulls.yaml", "a", encoding="utf-8") as f:
        f.write("  - {track: economic, cause: fisheries_agreement, coefficient: pull_countermeasures, "
                "variables: [fisheries_agreement], reference: 1, source: test}\n")
    script = """
import numpy as np
import model
from model.catalogue import INSTITUTIONS
from model.ensemble import run_ensemble
from model.scenario import parse_scenario
from model.state import OUTPUT_VARIABLES
assert model.__file__.startswith(TMP), model.__file__
assert "fisheries_agreement" in INSTITUTIONS and "fisheries_agreement" in OUTPUT_VARIABLES
text = ("id: t\\ntitle: T\\nquestion: Q?\\nstart: 2026-01\\nend: 2026-04\\n"
        "processes: {pyongyang: false, courts: false, calendar: false, world: false, rules: false, "
        "mobilisation: false}\\n"
        "decisions:\\n  - {month: 2026-02, actor: tokyo, type: tokyo_end_fisheries_agreement}\\n")
scripted = run_ensemble(parse_scenario(text), runs=3, seed=0, ledger=True, uncertainty="point")
calm = run_ensemble(parse_scenario(text.split("decisions:")[0]), runs=3, seed=0, uncertainty="point")
fact = scripted.series("fisheries_agreement")
assert (fact[0] == 1).all() and (fact[-1] == 0).all(), fact
assert (calm.series("fisheries_agreement") == 1).all()
assert (scripted.series("economic")[-1] < calm.series("economic")[-1]).all()
frame = scripted.ledger_frame()
assert "fisheries_agreement" in set(frame["cause"]), sorted(set(frame["cause"]))
print("ok")
""".replace("TMP", repr(str(tmp_path)))
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]


def test_an_unknown_fact_is_refused_with_its_line(tmp_path):
    """An event or decision naming a fact that institutions.yaml does not list names file, line, field."""
    import re
    import shutil
    from importlib import resources
    from pathlib import Path

    from model.catalogue import FILES, CatalogueError, read_catalogue

    shipped = Path(str(resources.files("model.catalogue")))
    for name in FILES.values():
        shutil.copy(shipped / name, tmp_path / name)
    lines = (tmp_path / "decisions.yaml").read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "sets: {shuttle_diplomacy: 0}")
    lines[at] = lines[at].replace("shuttle_diplomacy", "shuttle_diplomacyy")
    (tmp_path / "decisions.yaml").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        read_catalogue(tmp_path)
    found = [str(p) for p in info.value.problems]
    assert len(found) == 1
    file = re.escape(str(tmp_path / "decisions.yaml"))
    assert re.match(rf"^{file}:{at + 1}: decisions\.\w+\.sets\.shuttle_diplomacyy: "
                    r"unknown institutional fact 'shuttle_diplomacyy' \(none in institutions.yaml\)$", found[0]), found
