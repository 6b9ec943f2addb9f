"""The what-if page shows how often a red line is answered, from the runs it has just made."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from model.analysis.escalation import find_red_line, response_shares
from model.ensemble import run_ensemble
from model.scenario import parse_scenario
from tests.ui.conftest import BETA, PAGES

RUNS, SEED = 60, 7
# Beta with its assets already seized (stage 2), so the order can be made in every run.
GAMMA = (
    BETA.replace("id: beta", "id: gamma").replace("title: Beta", "title: Gamma")
    + "initial: {liquidation_stage: 2}\n"
)
ANSWER = re.compile(r"Tokyo imposes countermeasures .* within 6 months in \*\*([0-9.]+)%\*\* of runs")


def page() -> AppTest:
    return AppTest.from_file(str(PAGES / "explore.py"), default_timeout=120).run()


def run(at: AppTest) -> AppTest:
    at.number_input(key="explore_runs").set_value(RUNS)
    return at.button(key="explore_run").click().run()


def shown_share(at: AppTest) -> tuple[float, str]:
    """The share the block states for Tokyo's countermeasures, and the block's first line."""
    texts = [m.value for m in at.markdown]
    title = next(t for t in texts if t.startswith("**A red line.**"))
    found = next(ANSWER.search(t) for t in texts if ANSWER.search(t))
    return float(found.group(1)), title


def expected_share(text: str) -> float:
    """Tokyo's countermeasures within 6 months, in % of runs, from the core's own ensemble."""
    scenario = parse_scenario(text, "gamma.yaml")
    line, month = find_red_line(scenario)
    values = run_ensemble(scenario, runs=RUNS, seed=SEED).values
    return 100 * response_shares(values, line, scenario.index_of(month))["countermeasures"]


def test_a_red_line_what_if_shows_the_answer_distribution_and_follows_an_edit(scenario_dir):
    """The share is the runs' own and moves when the what-if moves the red line."""
    (scenario_dir / "gamma.yaml").write_text(GAMMA, encoding="utf-8")
    at = page()
    at.selectbox(key="explore_scenario").set_value("gamma").run()
    at = run(at)
    assert not at.exception, [e.value for e in at.exception]
    share, title = shown_share(at)
    assert "2026-04" in title and "Tokyo" in title
    assert share == round(expected_share(GAMMA), 1)
    assert not any("of runs: in the others" in c.value for c in at.caption)  # crossed in every run
    basis = " ".join(c.value for c in at.caption)
    assert "The rule's basis" in basis and "(source: assumption" in basis  # the rule's catalogue sources
    # The what-if changes: the liquidation order moves ten months later.
    mover = next(s for s in at.selectbox if s.key.startswith("explore_mv|gamma|") and "|liquidation_order|" in s.key)
    mover.set_value("2027-02").run()
    assert not at.exception, [e.value for e in at.exception]
    moved, title = shown_share(at)
    assert "2027-02" in title
    assert moved == round(expected_share(GAMMA.replace("2026-04", "2027-02")), 1)
    assert moved != share
    # An edited what-if is read against the scenario as written, twin run by twin run.
    assert any("in the reference" in m.value for m in at.markdown)


def test_a_red_line_crossed_in_some_runs_says_in_how_many(scenario_dir):
    """Beta orders the sale of assets not yet seized: only runs with a ruling and a seizure cross it."""
    from model.analysis.escalation import crossed_share

    at = page()
    at.selectbox(key="explore_scenario").set_value("beta").run()
    at = run(at)
    assert not at.exception
    scenario = parse_scenario(BETA, "beta.yaml")
    line, month = find_red_line(scenario)
    crossed = crossed_share(run_ensemble(scenario, runs=RUNS, seed=SEED).values, line, scenario.index_of(month))
    assert 0 < crossed < 1
    assert any(f"It happens in {100 * crossed:.1f}% of runs" in c.value for c in at.caption)


def test_a_red_line_never_crossed_claims_no_share():
    """Where the preconditions never hold, the block says so and states no share of answers."""
    import numpy as np

    from model.state import OUTPUT_VARIABLES
    from ui.explore_logic import red_line_block

    scenario = parse_scenario(BETA, "beta.yaml")
    values = np.zeros((len(scenario.months), len(OUTPUT_VARIABLES), 10), dtype=np.float32)  # never seized
    block = red_line_block(scenario, values)
    assert block.answers == () and block.crossed.startswith("It happens in none of these runs")


def test_a_what_if_without_a_red_line_shows_no_such_block(scenario_dir):
    at = run(page())
    assert not at.exception
    assert not any("red line" in m.value for m in at.markdown)
    assert not any("rule's basis" in c.value for c in at.caption)


def test_the_block_is_written_in_korean_and_japanese(scenario_dir):
    """The same figure in the reader's language (the glossary's terms: 대응 조치, 対抗措置)."""
    from ui.explore_logic import red_line_block

    scenario = parse_scenario(GAMMA, "gamma.yaml")
    values = run_ensemble(scenario, runs=RUNS, seed=SEED).values
    share = expected_share(GAMMA)
    assert share > 0
    for lang, word in (("ko", "대응 조치"), ("ja", "対抗措置")):
        block = red_line_block(scenario, values, None, lang)
        assert word in block.answers[0] and f"{share:.1f}%" in block.answers[0]
