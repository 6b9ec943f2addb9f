"""Hostile scenario files: each is refused in one line naming the file, the line and the limit.

Issue 14's findings, reproduced first: an alias bomb ran 30-47 s into a MemoryError, 5,000
nested brackets ended in a RecursionError, a self-referencing alias and a date in month 13 or a
5,000-digit number raised bare Python errors, and a file of any size (or /dev/zero) was read
whole. The behaviours that were already right (python tags, binary, empty files, a base that
tries to leave ``scenarios/``, months that do not exist) are pinned here too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from model import limits
from model import scenario as scenario_module
from model.scenario import ScenarioError, load_scenario, parse_scenario
from tests.support import hostile

ROOT = Path(__file__).resolve().parents[2]


def refusal(text: str, filename: str = "bad.yaml"):
    """The one problem a hostile text gets."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, filename=filename)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_an_alias_bomb_is_refused_at_its_line_before_anything_is_built():
    """Billion laughs: refused on the alias that passes the budget, naming the budget."""
    p = refusal(hostile.alias_bomb())
    assert p.file == "bad.yaml" and p.key == "scenario.limit.aliases"
    assert f"{limits.MAX_ALIAS_NODES:,}" in p.message
    assert 6 < p.line <= 15  # on one of the anchor lines, not line 1


def test_a_few_aliases_are_fine():
    """Anchors and aliases within the budget are ordinary YAML."""
    text = hostile.HEADER + "weights: &w {diplomatic: 1, security: 1, economic: 1, history: 1, people: 1}\n"
    text = text.replace("weights: &w", "x-w: &w") + "weights: *w\n"
    p = refusal(text)  # the only problem is the unknown helper field, not the alias
    assert p.field == "x-w" and p.message == "unknown field"


def test_nested_brackets_are_refused_by_the_depth_bound():
    """5,000 nested brackets: one line naming the depth bound, no RecursionError."""
    p = refusal(hostile.nested_brackets())
    assert p.key == "scenario.limit.depth" and p.line == 6 and str(limits.MAX_YAML_DEPTH) in p.message


def test_nesting_just_past_the_bound_is_refused_by_our_own_check():
    """Depth 33 (libyaml alone allows 1,000) stops at the bound."""
    p = refusal(hostile.nested_brackets(limits.MAX_YAML_DEPTH + 1))
    assert p.key == "scenario.limit.depth"


def test_a_self_referencing_alias_is_refused():
    """A list that contains itself would never end: one line naming the anchor."""
    p = refusal(hostile.recursive_alias())
    assert p.key == "scenario.limit.recursive_alias" and "*a" in p.message and p.line == 6


def test_a_number_python_will_not_read_names_its_field():
    """5,000 digits: the field and line, no ValueError about sys.set_int_max_str_digits."""
    p = refusal(hostile.long_number())
    assert (p.line, p.field) == (7, "parameters.trust_decay")
    assert "set_int_max_str_digits" not in p.message


def test_an_impossible_date_names_its_field():
    """2025-13-45 is read as a date by YAML: one line, not a ValueError."""
    p = refusal(hostile.impossible_date())
    assert (p.line, p.field) == (6, "signed") and "2025-13-45" in p.message


def test_more_scheduled_items_than_the_bound_are_refused_before_building():
    """5,001 events: refused at the 5,001st, before any event type is checked."""
    p = refusal(hostile.many_events(limits.MAX_SCHEDULED + 1, compact=True))
    assert p.key == "scenario.limit.scheduled" and p.field == "events"
    assert p.line == 7 + limits.MAX_SCHEDULED


def test_a_text_larger_than_the_bound_is_refused_unread():
    """20,000 events (900 kB) took 9-12 s to validate: a text past the size bound is refused at once."""
    p = refusal(hostile.many_events(limits.MAX_SCENARIO_BYTES // 40))  # about 45 bytes an event
    assert p.key == "scenario.limit.bytes" and p.line == 1 and f"{limits.MAX_SCENARIO_BYTES:,}" in p.message


def test_a_slow_parse_is_stopped_by_the_time_bound(monkeypatch):
    """The time bound is checked as the parse goes (here set to nothing)."""
    monkeypatch.setattr(scenario_module, "MAX_PARSE_SECONDS", 0.0)
    p = refusal(hostile.HEADER)
    assert p.key == "scenario.limit.time"


def test_a_file_is_read_no_further_than_the_bound(tmp_path):
    """A huge file (or /dev/zero) is refused after reading the bound, not read whole."""
    big = tmp_path / "big.yaml"
    big.write_text(hostile.many_events(limits.MAX_SCENARIO_BYTES // 40))  # past the size bound
    with pytest.raises(ScenarioError) as info:
        load_scenario(big)
    (p,) = info.value.problems
    assert p.file == str(big) and p.key == "scenario.limit.bytes" and f"{big.stat().st_size:,}" in p.message
    with pytest.raises(ScenarioError) as info:
        load_scenario("/dev/zero")
    assert info.value.problems[0].key == "scenario.limit.bytes_stream"


@pytest.mark.parametrize(
    "text, field, words",
    [
        (hostile.python_object(), "(syntax)", "python/object"),
        (hostile.base_traversal(), "base", "no shipped scenario"),
        (hostile.out_of_range_month(), "end", "YYYY-MM"),
        (hostile.EMPTY, "(file)", "mapping"),
    ],
    ids=["python-tag", "base-traversal", "month-13", "empty"],
)
def test_what_was_already_refused_stays_one_clear_line(text, field, words):
    """Python tags, a base outside scenarios/, month 13 and empty files: one line each."""
    p = refusal(text)
    assert p.field == field and words in p.message


def test_a_binary_file_is_one_line(tmp_path):
    """Binary bytes: not a text file, one line."""
    path = tmp_path / "binary.yaml"
    path.write_bytes(hostile.BINARY)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.field == "(file)" and p.key == "scenario.problem.not_text" and "not a text file" in p.message


@pytest.mark.parametrize(
    "where, key",
    [("missing.yaml", "no_file"), (".", "is_folder"), ("binary.yaml", "not_text")],
    ids=["missing", "folder", "binary"],
)
def test_an_unreadable_file_is_told_in_the_readers_language(tmp_path, where, key):
    """A missing file, a folder, binary bytes: a message of ours in every language, not Python's.

    They said "cannot read: [Errno 2] No such file or directory" (or "'utf-8' codec can't
    decode byte 0x89"), in English whatever the reader's language.
    """
    (tmp_path / "binary.yaml").write_bytes(hostile.BINARY)
    path = tmp_path / where
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.key == f"scenario.problem.{key}" and p.file == str(path) and p.field == "(file)"
    for lang in ("ko", "ja"):
        text = p.text(lang)
        assert "Errno" not in text and "codec" not in text and text != p.text("en"), text


def test_a_file_the_reader_may_not_read_says_so(tmp_path, monkeypatch):
    """Permission denied (simulated: these tests may run as root, which reads anything)."""
    path = tmp_path / "locked.yaml"
    path.write_text("id: x\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.key == "scenario.problem.no_permission" and p.file == str(path)
    assert "Errno" not in p.text("ko") and "Errno" not in p.text("ja")


def test_shipped_scenarios_are_far_inside_every_bound():
    """The bounds leave real files room: size, scheduled items, months."""
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        sc = load_scenario(path)
        assert path.stat().st_size < limits.MAX_SCENARIO_BYTES / 4
        assert len(sc.events) + len(sc.decisions) < limits.MAX_SCHEDULED / 10
        assert len(sc.months) < limits.MAX_MONTHS / 2


HOSTILE_FILES = {name: text for name, text in hostile.all_refused().items() if isinstance(text, str)}


@pytest.mark.parametrize("name", ["bomb.yaml", "nested.yaml", "recursive.yaml", "number.yaml", "date.yaml"])
def test_validate_refuses_in_one_line_within_a_memory_cap(tmp_path, name):
    """``rapprochement validate``: one line naming the file, exit 1, no traceback, under 1 GB.

    The child's address space is capped at 1.5 GB (the process's own libraries take some; the
    alias bomb used to grow past 2.3 GB), so a regression fails here rather than swapping.
    """
    path = tmp_path / name
    path.write_text(HOSTILE_FILES[name])
    cap = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20)); "
    code = cap + "import sys; from model.cli import main; sys.exit(main(['validate', sys.argv[1]]))"
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{path}:"), lines
