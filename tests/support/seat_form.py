"""Filling a seat's decision form in the browser tests, one way for every test.

Why a helper: a seat page can redraw while its dropdown is open (the watch wakes it when the
game moves, and on a busy machine a page's first answer can come late), and a redraw closes the
list under the test's hand: the option it found is detached and never comes back. A student
would open the list again; so does :func:`choose_decisions`, and it checks the choice is shown.
"""

from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

ATTEMPTS = 3
OPTION_MS = 10_000  # per attempt: the list is drawn within a second on an idle machine


def choose_decisions(page: Page, labels: list[str]) -> None:
    """Pick each decision (by its label, as shown) in the seat's multiselect, then close the list."""
    box = page.locator('[data-testid="stMultiSelect"]').first
    for label in labels:
        exact = re.compile(f"^{re.escape(label)}$")
        for attempt in range(1, ATTEMPTS + 1):
            if box.get_by_text(label, exact=True).count():
                break  # already chosen (an earlier attempt's click landed before a redraw)
            box.click()
            page.keyboard.type(label)  # filter the list (it only renders what fits)
            try:
                page.locator('[role="option"]').filter(has_text=exact).first.click(timeout=OPTION_MS)
                break
            except PlaywrightError:
                page.keyboard.press("Escape")
                if attempt == ATTEMPTS:
                    raise
    page.keyboard.press("Escape")
    for label in labels:
        box.get_by_text(label, exact=True).wait_for(timeout=OPTION_MS)
