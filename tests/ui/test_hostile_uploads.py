"""Hostile files uploaded in the explorer get the command line's messages, and no traceback.

Issue 14: the alias bomb hung the page with no message while the server grew to 5.6 GB. Each
file of :mod:`tests.support.hostile` is uploaded here and must show the same problem (line and
message) that ``rapprochement validate`` prints, with the page still usable.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from model.scenario import ScenarioError, parse_scenario
from tests.support import hostile
from tests.ui.conftest import PAGES
from ui.plain_text import shown

FILES = hostile.all_refused()


def expected(name: str) -> list[tuple[int, str]] | None:
    """The parser's (line, message) for a text file; None for bytes the page refuses first."""
    data = FILES[name]
    if isinstance(data, bytes):
        return None
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, filename=name)
    return [(p.line, p.message) for p in info.value.problems]


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_hostile_upload_gets_the_parsers_message(scenario_dir, name):
    """Upload each file: one error naming the file, its line and the parser's message."""
    at = AppTest.from_file(str(PAGES / "explore.py"), default_timeout=60).run()
    at.radio(key="explore_source").set_value("upload").run()
    data = FILES[name]
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    at.file_uploader(key="explore_upload").upload(name, raw, "application/x-yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1, [e.value for e in at.error]
    message = shown(at.error[0].value)  # what the reader sees of the escaped Markdown
    problems = expected(name)
    if problems is None:
        assert "not a text (YAML) file" in message
    else:
        for line, text in problems:
            assert name in message and f"line {line}" in message
            assert text in message
    # the page goes on with a shipped scenario
    assert at.subheader[0].value.startswith("Alpha")


def test_a_link_with_deeply_nested_edits_gets_the_link_message(scenario_dir):
    """A shared link's ``edits`` of 5,000 nested brackets raised a RecursionError on the page."""
    import base64

    nested = base64.urlsafe_b64encode(b"[" * 5000).decode().rstrip("=")
    at = AppTest.from_file(str(PAGES / "explore.py"), default_timeout=60)
    at.query_params["scenario"] = "alpha"
    at.query_params["edits"] = nested
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("damaged" in w.value for w in at.warning), [w.value for w in at.warning]
