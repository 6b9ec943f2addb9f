"""What did my what-if change, and why: the issue-13 answers, read in headless Chromium.

A student runs the liquidation what-if and reads the sentence, the difference fan and a
waterfall whose first cause is the order; the step-back what-if's decisions stand on the chart;
a decision added in the browser survives a shared link. Charts are drawn as SVG, so their
titles and labels are text the test can read.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.app_server import AppServer
from tests.support.browser import BrowserSession

RUN_TIMEOUT_MS = 120_000  # the first run also imports the model and reads the catalogue
RUNS = "100"
ADDED = re.compile(r"2027-01.*Join a trilateral exercise \(Tokyo\).*added by you")


def chart_texts(page: Page, index: int) -> list[str]:
    """The text of every label, title and legend entry of the index-th chart on the page."""
    chart = page.locator('[data-testid="stVegaLiteChart"]').nth(index)
    chart.locator("svg").first.wait_for(timeout=RUN_TIMEOUT_MS)
    return [t.strip() for t in chart.locator("svg text").all_text_contents() if t.strip()]


def pick(page: Page, label: str, option: str) -> None:
    """Choose an option of a Streamlit selectbox by its label (typing filters its long list)."""
    page.get_by_label(label, exact=True).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()


def open_scenario(page: Page, url: str, title: str) -> None:
    """Open Explore, pick a shipped scenario, set the runs and press Run."""
    page.goto(f"{url}/explore")
    page.get_by_role("heading", name="Explore what-ifs").wait_for()
    pick(page, "Scenario", title)
    # Titles are shown as plain text: an invisible word joiner follows each colon.
    page.get_by_role("heading", name=re.compile("^" + re.escape(title.split(":")[0]))).wait_for()
    runs = page.get_by_role("spinbutton", name="Number of runs")
    runs.fill(RUNS)
    runs.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text(re.compile(r"\d+ runs of \d+ months")).wait_for(timeout=RUN_TIMEOUT_MS)


def test_the_liquidation_what_if_says_what_the_order_changed_and_why(
    app_server: AppServer, browser: BrowserSession
) -> None:
    """The sentence, the difference fan and a waterfall led by the order, on one screen."""
    page = browser.new_page()
    open_scenario(page, app_server.url, "What if Korea's Supreme Court orders Japanese assets sold?")
    sentence = page.get_by_text(re.compile(r"^By 2030-12, the relationship index is about [\d.]+ points"))
    expect(sentence).to_be_visible(timeout=RUN_TIMEOUT_MS)
    text = sentence.inner_text()
    assert "with “Order to liquidate seized assets (Korean courts, 2027-03)”" in text
    assert re.search(r"in 9 runs out of 10 the change lies between [-+][\d.]+ and [-+][\d.]+ points\.$", text)

    fan = chart_texts(page, 0)
    assert "What the what-if changes: Relationship index, what-if minus reference, run by run" in fan
    assert "Order to liquidate seized assets (Korean courts)" in fan  # the order, marked where it acts
    assert {"Median", "Half of the runs (50% band)", "9 runs in 10 (90% band)"} <= set(fan)

    waterfall = chart_texts(page, 1)
    steps = sorted((t for t in waterfall if re.match(r"^\d+\. ", t)), key=lambda t: int(t.split(".")[0]))
    assert steps[0] == "1. Order to liquidate seized assets (Korean courts)"
    assert steps[-1].endswith("Average gap at this month")
    expect(page.get_by_text(re.compile(r"^Relationship index, what-if minus reference: at 2030-12"))).to_be_visible()
    assert "view=difference" in page.url
    assert "Traceback" not in page.content()


def test_washington_steps_back_shows_its_decisions_on_the_chart(app_server: AppServer, browser: BrowserSession) -> None:
    """Tariffs (2026-04) and the step back (2026-07) are labelled lines, with the actor named."""
    page = browser.new_page()
    open_scenario(page, app_server.url, "What if Washington steps back?")
    page.get_by_text(re.compile(r"^By 2030-12, the relationship index")).wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_role("radio", name="Relationship", exact=True).click()  # the view tabs are a radio group
    page.get_by_text("Relationship index: the median goes from").wait_for(timeout=RUN_TIMEOUT_MS)
    labels = chart_texts(page, 0)
    assert "Tariffs on both allies (Washington)" in labels
    assert "Step back from the region (Washington)" in labels
    assert "Scheduled decision" in labels and "Election" in labels  # the legend says what the lines are
    assert "view=index" in page.url


def test_a_decision_added_in_the_browser_survives_a_shared_link(app_server: AppServer, browser: BrowserSession) -> None:
    """Add Tokyo's trilateral exercise in 2027-01, run, open the link elsewhere: it is all there."""
    page = browser.new_page()
    open_scenario(page, app_server.url, "Baseline 2026-2030: where the relationship is heading")
    page.get_by_text(re.compile(r"^Scheduled events and decisions \(\d+\)")).click()
    # the switch reruns the page; a click that lands while the page is still drawing its first
    # ensemble can be redrawn away, so choose again (a radio: choosing twice changes nothing)
    decision_form = page.get_by_label("Decision (and who takes it)", exact=True)
    for _ in range(4):
        page.get_by_text("Decision", exact=True).click()
        try:
            decision_form.wait_for(timeout=RUN_TIMEOUT_MS // 4)
            break
        except PlaywrightTimeoutError:
            continue
    expect(decision_form).to_have_count(1)
    expect(page.get_by_label("in month", exact=True)).to_have_count(1)  # the event form has gone
    pick(page, "Decision (and who takes it)", "Join a trilateral exercise (Tokyo)")
    pick(page, "in month", "2027-01")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text(ADDED)).to_be_visible()
    page.get_by_text(re.compile(r"^By 2030-12, the relationship index")).wait_for(timeout=RUN_TIMEOUT_MS)
    page.wait_for_url(re.compile(r"edits="))
    link = page.url

    other = browser.new_page(link)  # another browser, as a classmate opening the shared link
    sentence = other.get_by_text(re.compile(r"^By 2030-12, the relationship index"))
    expect(sentence).to_be_visible(timeout=RUN_TIMEOUT_MS)
    assert "“Join a trilateral exercise (Tokyo, 2027-01)”" in sentence.inner_text()
    other.get_by_text(re.compile(r"^Scheduled events and decisions \(\d+\)")).click()
    expect(other.get_by_text(ADDED)).to_be_visible()
    assert "Traceback" not in other.content()
