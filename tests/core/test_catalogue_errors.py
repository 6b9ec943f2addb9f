"""Errors in the catalogue's own files name file, line and field, as scenario errors do (issue 11).

Each test edits one line of a copy of the shipped catalogue and checks that the problem points
at that line and field, through the loader and through ``rapprochement validate --catalogue``.
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from model.catalogue import FILES, CatalogueError, read_catalogue
from model.cli import main

SHIPPED = Path(str(resources.files("model.catalogue")))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in FILES.values():
        shutil.copy(SHIPPED / name, tmp_path / name)
    return tmp_path


def _edit(folder: Path, name: str, starts: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` on the first line that starts (after spaces) with ``starts``; its number."""
    lines = (folder / name).read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith(starts) and old in line:
            lines[i] = line.replace(old, new, 1)
            (folder / name).write_text("\n".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"no line starting {starts!r} with {old!r} in {name}")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        read_catalogue(folder)
    return [str(p) for p in info.value.problems]


def _block_line(folder: Path, name: str, key: str) -> int:
    """The line of ``key:`` (an entry's id) in a catalogue file."""
    text = (folder / name).read_text(encoding="utf-8").split("\n")
    return next(i + 1 for i, line in enumerate(text) if re.match(rf"^  {key}:", line))


def test_the_shipped_catalogue_reads_clean():
    cat = read_catalogue()
    assert cat.pulls and any(e.rate for e in cat.events.values())


def test_a_pull_naming_an_unknown_coefficient(copy):
    line = _edit(copy, "pulls.yaml", "- {track: security, cause: gsomia", "coefficient: pull_gsomia",
                 "coefficient: pull_gsomiaa")
    assert _problems(copy) == [
        f"{copy / 'pulls.yaml'}:{line}: pulls[2].coefficient: unknown coefficient 'pull_gsomiaa' "
        "(none in coefficients.yaml)"
    ]


def test_a_pull_reading_an_unknown_variable(copy):
    line = _edit(copy, "pulls.yaml", "- {track: security, cause: threat_level", "jp_threat]", "jp_threats]")
    where = f"{copy / 'pulls.yaml'}:{line}: pulls[3].variables[1]"
    assert _problems(copy) == [f"{where}: unknown state variable 'jp_threats'"]


def test_a_pull_on_no_track_or_with_a_zero_divisor(copy):
    first = _edit(copy, "pulls.yaml", "- {track: diplomatic, cause: us_pressure", "track: diplomatic",
                  "track: diplomacy")
    second = _edit(copy, "pulls.yaml", "- {track: security, cause: threat_level", "per: 10", "per: 0")
    found = _problems(copy)
    assert found[0].startswith(f"{copy / 'pulls.yaml'}:{first}: pulls[1].track: must be one of ")
    assert found[1].startswith(f"{copy / 'pulls.yaml'}:{second}: pulls[3].per: must be more than 0")


def test_a_pull_with_an_unknown_field(copy):
    line = _edit(copy, "pulls.yaml", "- {track: history, cause: foundation", "source:", "sauce:")
    found = _problems(copy)
    assert f"{copy / 'pulls.yaml'}:{line}: pulls[9].sauce: unknown field" in found
    assert f"{copy / 'pulls.yaml'}:{line}: pulls[9].source: this field is required" in found


def test_a_rate_that_is_not_a_monthly_chance(copy):
    line = _edit(copy, "events.yaml", "rate:", "rate: ", "rate: track_relax_rate  # was ")
    event = next(k for k, v in read_catalogue().events.items() if v.rate)
    assert _problems(copy) == [
        f"{copy / 'events.yaml'}:{line}: events.{event}.rate: 'track_relax_rate' is not a monthly chance "
        "(a coefficient of group rate in coefficients.yaml)"
    ]


def test_a_rate_on_an_event_that_is_not_the_worlds(copy):
    rated = next(k for k, v in read_catalogue().events.items() if v.rate)
    start = _block_line(copy, "events.yaml", rated)
    lines = (copy / "events.yaml").read_text(encoding="utf-8").split("\n")
    line = next(i + 1 for i in range(start, len(lines)) if lines[i].strip().startswith("actor:"))
    lines[line - 1] = lines[line - 1].replace("world", "courts")
    (copy / "events.yaml").write_text("\n".join(lines), encoding="utf-8")
    rate_line = next(i + 1 for i in range(start, len(lines)) if lines[i].strip().startswith("rate:"))
    assert _problems(copy) == [
        f"{copy / 'events.yaml'}:{rate_line}: events.{rated}.rate: only the world's random shocks are drawn at a "
        "rate (this event's actor is courts)"
    ]


def test_a_coefficient_outside_its_own_range_or_with_a_reversed_range(copy):
    first = _edit(copy, "coefficients.yaml", "pull_gsomia:", "value: ", "value: 99")
    found = _problems(copy)
    where = f"{copy / 'coefficients.yaml'}:{first}: coefficients.pull_gsomia.value"
    assert len(found) == 1 and found[0].startswith(f"{where}: 99")
    assert "outside the plausible range" in found[0]
    _edit(copy, "coefficients.yaml", "pull_gsomia:", "value: 99", "value: ")
    text = (copy / "coefficients.yaml").read_text(encoding="utf-8")
    (copy / "coefficients.yaml").write_text(
        re.sub(r"(pull_foundation: \{.*?range: )\[[^\]]*\]", r"\g<1>[1000, 0]", text), encoding="utf-8")
    second = _block_line(copy, "coefficients.yaml", "pull_foundation")
    found = _problems(copy)
    where = f"{copy / 'coefficients.yaml'}:{second}: coefficients.pull_foundation.range"
    assert found == [f"{where}: the range runs from 1000 down to 0; write the lower end first"]


def test_a_coefficient_in_an_unknown_group(copy):
    line = _edit(copy, "coefficients.yaml", "rule_weakness_approval:", "group: rule", "group: rules")
    found = _problems(copy)
    assert len(found) == 1
    where = f"{copy / 'coefficients.yaml'}:{line}: coefficients.rule_weakness_approval.group"
    assert found[0].startswith(f"{where}: must be one of ")


def test_an_effect_on_an_unknown_variable_and_a_trigger_of_an_unknown_event(copy):
    line = _edit(copy, "events.yaml", "- {var: ", "{var: ", "{var: nonsense_")
    found = _problems(copy)
    assert len(found) == 1
    file = re.escape(str(copy / "events.yaml"))
    assert re.match(rf"^{file}:{line}: events\.\w+\.effects\[\d+\]\.var: must be one of ", found[0])


def test_a_yaml_syntax_error_names_its_line(copy):
    line = _edit(copy, "pulls.yaml", "- {track: economic, cause: boycott", "source:", "source: [")
    found = _problems(copy)
    file = re.escape(str(copy / "pulls.yaml"))
    assert len(found) == 1 and re.match(rf"^{file}:\d+: \(syntax\): YAML syntax error", found[0])
    assert abs(int(found[0].split(":")[1]) - line) <= 1


def test_validate_reports_a_catalogue_copy(copy, capsys):
    """What a user sees: ``rapprochement validate --catalogue FOLDER``, one line per problem, exit 1."""
    assert main(["validate", "--catalogue", str(copy)]) == 0
    assert "catalogue ok" in capsys.readouterr().out
    line = _edit(copy, "pulls.yaml", "- {track: security, cause: gsomia", "coefficient: pull_gsomia",
                 "coefficient: pull_gsomiaa")
    assert main(["validate", "--catalogue", str(copy)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{copy / 'pulls.yaml'}:{line}: pulls[2].coefficient: unknown coefficient 'pull_gsomiaa'")
    assert main(["--lang", "ko", "validate", "--catalogue", str(copy)]) == 1
    assert "알 수 없는 계수입니다" in capsys.readouterr().err


def test_the_models_default_starting_levels_are_the_catalogues():
    """levels.yaml is where the continuous variables' defaults live, each with meaning, range, source."""
    from model.model import DEFAULT_INITIAL

    cat = read_catalogue()
    assert cat.levels and all(DEFAULT_INITIAL[name] == level.value for name, level in cat.levels.items())
    assert all(level.meaning and level.source for level in cat.levels.values())
    assert all(not re.search(r"\b20[2-9]\d\b", level.source) for level in cat.levels.values()), \
        "no poll from 2020 on may stand behind a default"


def test_a_starting_level_outside_its_range_reversed_or_off_the_scale(copy):
    line = _edit(copy, "levels.yaml", "value: 50", "value: 50", "value: 95")  # diplomatic, range [30, 70]
    found = _problems(copy)
    where = f"{copy / 'levels.yaml'}:{line}: levels.diplomatic.value"
    assert found == [f"{where}: 95.0 is outside the plausible range (30 to 70)"]
    _edit(copy, "levels.yaml", "value: 95", "value: 95", "value: 50")
    line = _edit(copy, "levels.yaml", "range: [30, 70]", "[30, 70]", "[70, 30]")
    assert _problems(copy) == [f"{copy / 'levels.yaml'}:{line}: levels.diplomatic.range: "
                               "the range runs from 70 down to 30; write the lower end first"]
    _edit(copy, "levels.yaml", "range: [70, 30]", "[70, 30]", "[30, 170]")
    found = _problems(copy)
    assert found == [f"{copy / 'levels.yaml'}:{line}: levels.diplomatic.range[1]: must be at most 100.0"]


def test_a_starting_level_of_an_unknown_variable_and_a_missing_one(copy, capsys):
    line = _edit(copy, "levels.yaml", "kr_threat:", "kr_threat:", "kr_threats:")
    found = _problems(copy)
    assert f"{copy / 'levels.yaml'}:{line}: levels.kr_threats: unknown state variable 'kr_threats'" in found
    assert any(p.endswith(": levels.kr_threat: this field is required") for p in found)
    assert main(["validate", "--catalogue", str(copy)]) == 1
    assert f"levels.yaml:{line}: levels.kr_threats: unknown state variable" in capsys.readouterr().err


def test_a_key_written_twice_names_both_lines(copy):
    """YAML keeps the second of two keys silently: an event given twice would lose its first entry."""
    first = _block_line(copy, "events.yaml", "nuclear_test")
    lines = (copy / "events.yaml").read_text(encoding="utf-8").split("\n")
    end = next(i for i in range(first, len(lines)) if re.match(r"^  \w+:", lines[i]))  # the next entry
    block = lines[first - 1:end]
    (copy / "events.yaml").write_text("\n".join(lines[:end] + block + lines[end:]), encoding="utf-8")
    assert _problems(copy) == [
        f"{copy / 'events.yaml'}:{end + 1}: events.nuclear_test: written a second time (first on line {first}); "
        "only one value can count: remove one, or merge the two"
    ]


def test_a_missing_file_is_one_problem(copy):
    (copy / "pulls.yaml").unlink()
    assert _problems(copy) == [f"{copy / 'pulls.yaml'}:1: (file): there is no such file"]
