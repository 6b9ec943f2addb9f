"""Scenario files: schema, errors naming file/line/field, round trip, overlays."""

from __future__ import annotations

import pytest

from model.scenario import ScenarioError, load_scenario, parse_scenario, shipped_scenarios
from tests.core.helpers import MINIMAL


def problems(text: str) -> list:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, filename="bad.yaml")
    return info.value.problems


def test_minimal_scenario_is_valid():
    sc = parse_scenario(MINIMAL)
    assert sc.months[0] == "2026-01" and sc.months[-1] == "2027-12" and len(sc.months) == 24


def test_yaml_syntax_error_names_line():
    (p,) = problems(MINIMAL + "events: [\n  {month: 2026-02, type: nuclear_test\n")
    assert p.file == "bad.yaml" and p.field == "(syntax)" and p.line >= 6


def test_unknown_field_names_line_and_field():
    (p,) = problems(MINIMAL + "colour: blue\n")
    assert (p.line, p.field, p.message) == (6, "colour", "unknown field")


def test_wrong_type_names_nested_field():
    (p,) = problems(MINIMAL + "decision_interval: often\n")
    assert p.field == "decision_interval" and p.line == 6


def test_unknown_event_type():
    text = MINIMAL + "events:\n  - {month: 2026-02, type: nuclear_test}\n  - {month: 2026-03, type: alien_landing}\n"
    (p,) = problems(text)
    assert p.field == "events[1].type" and p.line == 8 and "alien_landing" in p.message


def test_unknown_decision_and_wrong_actor():
    text = MINIMAL + (
        "decisions:\n"
        "  - {month: 2026-02, actor: seoul, type: seoul_fly_to_mars}\n"
        "  - {month: 2026-02, actor: seoul, type: tokyo_propose_summit}\n"
    )
    found = problems(text)
    assert [p.field for p in found] == ["decisions[0].type", "decisions[1].type"]
    assert [p.line for p in found] == [7, 8]
    assert "decision of tokyo" in found[1].message


def test_month_outside_scenario_and_bad_month():
    text = MINIMAL + "events:\n  - {month: 2031-02, type: nuclear_test}\n  - {month: 2026-13, type: nuclear_test}\n"
    found = problems(text)
    fields = {p.field: p for p in found}
    assert "events[0].month" in fields and "outside the scenario" in fields["events[0].month"].message
    assert "events[1].month" in fields and fields["events[1].month"].line == 8


def test_every_problem_is_reported_at_once():
    text = MINIMAL + "colour: blue\nsize: 3\n"
    assert len(problems(text)) == 2


def test_a_key_written_twice_is_refused_not_silently_dropped():
    """Two ``events:`` lists ran with the second only: YAML keeps the last value of a repeated key."""
    text = MINIMAL + (
        "events:\n  - {month: 2026-09, type: nuclear_test}\n"
        "initial: {diplomatic: 50, diplomatic: 60}\n"
        "events:\n  - {month: 2026-08, type: ballistic_launch}\n"
    )
    found = problems(text)
    assert [(p.line, p.field) for p in found] == [(8, "initial.diplomatic"), (9, "events")]
    assert "first on line 6" in found[1].message
    assert found[1].located("ja").startswith("bad.yaml:9: events: ")
    assert "written a second time" not in found[1].text("ko")


def test_an_alias_shared_by_two_fields_is_not_a_repeated_key():
    """The nodes an alias shares are one mapping, looked at once."""
    sc = parse_scenario(MINIMAL + "actors:\n  seoul: &s {stance: moderate}\n  tokyo: *s\n")
    assert sc.actors.seoul.stance == sc.actors.tokyo.stance == "moderate"


def test_initial_and_parameters_are_checked():
    text = MINIMAL + "initial: {diplomatic: 140, mood: 3}\nparameters: {fav_relax_rate: 9, nonsense: 1}\n"
    messages = {p.field: p.message for p in problems(text)}
    assert "outside" in messages["initial.diplomatic"]
    assert "unknown state variable" in messages["initial.mood"]
    assert "plausible range" in messages["parameters.fav_relax_rate"]
    assert "unknown parameter" in messages["parameters.nonsense"]


def test_not_a_mapping():
    (p,) = problems("- just\n- a list\n")
    assert p.field == "(file)"


def test_unreadable_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "missing.yaml")
    assert "no such file" in str(info.value)


def test_yaml_cannot_run_code():
    (p,) = problems(MINIMAL + "title: !!python/object/apply:os.system ['echo hacked']\n")
    assert p.field == "(syntax)"


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_shipped_scenarios_round_trip(name):
    sc = load_scenario(shipped_scenarios()[name])
    again = parse_scenario(sc.to_yaml())
    assert again == sc


def test_base_overlay_replaces_same_month_event_and_adds_others():
    text = (
        "id: child\nbase: baseline-2026\ntitle: Child\nquestion: Q?\n"
        "events:\n  - {month: 2030-04, type: kr_presidential_election, params: {winner: conservative}}\n"
        "  - {month: 2027-03, type: liquidation_order}\n"
    )
    sc = parse_scenario(text)
    elections = [e for e in sc.events if e.type == "kr_presidential_election"]
    assert len(elections) == 1 and elections[0].params == {"winner": "conservative"}
    assert any(e.type == "liquidation_order" for e in sc.events)
    assert sc.start == "2026-01" and sc.actors.tokyo.leader == "Takaichi Sanae"


def test_base_overlay_errors_point_at_child_lines():
    text = "id: child\nbase: baseline-2026\ntitle: Child\nquestion: Q?\nevents:\n  - {month: 2027-03, type: nope}\n"
    (p,) = problems(text)
    assert p.line == 6 and p.field.endswith(".type")


def test_a_what_if_may_run_part_of_its_base():
    """``end: 2027-12`` on the baseline drops the base's later events; the child's own are still checked.

    It was refused with one problem per base event after 2027, named ``events[2]`` to
    ``events[6]`` of a file that lists one event.
    """
    head = "id: child\nbase: baseline-2026\ntitle: Child\nquestion: Q?\nend: 2027-12\n"
    sc = parse_scenario(head + "events:\n  - {month: 2026-09, type: nuclear_test}\n")
    assert sc.end == "2027-12" and sc.events and all(e.month <= "2027-12" for e in sc.events)
    assert any(e.type == "nuclear_test" for e in sc.events)
    (p,) = problems(head + "events:\n  - {month: 2028-09, type: nuclear_test}\n")
    assert (p.line, p.field) == (7, "events[0].month") and "outside the scenario" in p.message


def test_an_end_before_the_start_is_one_problem_not_one_per_event():
    (p,) = problems("id: child\nbase: baseline-2026\ntitle: Child\nquestion: Q?\nstart: 2030-01\nend: 2026-12\n")
    assert (p.line, p.field) == (6, "end") and "before it starts" in p.message


def test_a_control_character_is_one_line_at_its_own_line():
    """It was reported at line 1 with a second line ``in "<unicode string>", position 47``."""
    (p,) = problems(MINIMAL + "description: a \x07bell\n")
    assert (p.line, p.field) == (6, "(syntax)") and "#x0007" in p.message and "\n" not in p.located()


def test_a_month_written_as_a_date_or_a_number_says_how_to_write_it():
    """YAML reads 2026-08-01 as a date and 202608 as a number: 'must be text' did not say what to write."""
    events = "events:\n  - {month: 2026-08-01, type: nuclear_test}\n  - {month: 202608, type: nuclear_test}\n"
    found = problems(MINIMAL + events)
    assert [(p.line, p.field, p.message) for p in found] == [
        (7, "events[0].month", "'2026-08-01' is not a month written as YYYY-MM"),
        (8, "events[1].month", "'202608' is not a month written as YYYY-MM"),
    ]


def test_unknown_base():
    (p,) = problems("id: child\nbase: nowhere\ntitle: C\nquestion: Q?\n")
    assert p.field == "base" and "no shipped scenario" in p.message


def test_base_overlay_errors_number_items_as_the_uploaded_file_does():
    """A what-if's first event is events[0] in its messages, not its place after the base's."""
    text = (
        "id: child\nbase: baseline-2026\ntitle: Child\nquestion: Q?\nevents:\n"
        "  - {month: 2027-03, type: liquidation_order}\n"
        "  - {month: 2027-04, type: nope}\n"
        "decisions:\n  - {month: 2026-02, actor: seoul, type: tokyo_trilateral_exercise}\n"
    )
    by_field = {p.field: p for p in problems(text)}
    assert set(by_field) == {"events[1].type", "decisions[0].type"}
    assert by_field["events[1].type"].line == 7 and by_field["decisions[0].type"].line == 9


@pytest.mark.parametrize(
    "extra",
    [
        "events:\n  - {month: 2027-13, type: nuclear_test}\n",  # a validator's ValueError
        "start: 2026-1\n",
    ],
)
def test_messages_carry_no_library_prefix(extra: str):
    """No library prefix (pydantic's "Value error, ") reaches the reader."""
    found = problems(MINIMAL.replace("start: 2026-01\n", "") + extra if "start" in extra else MINIMAL + extra)
    assert found
    for p in found:
        assert not p.message.startswith(("Value error", "Assertion failed")), p
        assert "YYYY-MM" in p.message
