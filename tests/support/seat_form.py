"""Filling a seat's decision form in the browser tests, one way for every test.

The seat's page draws its form in its component (``ui/components/seat``): a box to tick per
decision open this turn, a box for the statement, a Submit button. The component swaps the
page in place when the game moves on, so a test finds the form anew for each step.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page

OPTION_MS = 10_000  # a page's form is drawn within a second on an idle machine


def seat_form(page: Page) -> Locator:
    """The seat's decision form (the one of the turn the page shows)."""
    return page.locator("form.rp-form").first


def statement_box(page: Page) -> Locator:
    """The box for the team's public statement."""
    return seat_form(page).locator('textarea[name="statement"]')


def choose_decisions(page: Page, labels: list[str]) -> None:
    """Tick each decision (by its label, as shown) in the seat's form, and check it is ticked."""
    for label in labels:
        box = seat_form(page).get_by_label(label, exact=True)
        box.check(timeout=OPTION_MS)
        assert box.is_checked()
