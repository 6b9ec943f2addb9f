"""Folds and number tiles of a game page: one element each, and no text can open a tag."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ui.html_blocks import FOLD_CLASS, Tile, escaped, folds, tiles


def test_each_decision_is_a_fold_closed_until_opened_and_a_closed_one_struck():
    shown = folds([("Summit", "A **meeting**.", False), ("Export controls", "Needs a quarrel.", True)])
    assert shown.count(f'<details class="{FOLD_CLASS}">') == 2
    assert " open" not in shown
    assert "<summary>Summit</summary>" in shown
    assert "<summary><s>Export controls</s></summary>" in shown
    assert "\n\nA **meeting**.\n\n</details>" in shown  # blank lines: Markdown reads the body


def test_a_change_is_an_arrow_coloured_by_whether_it_is_good_news():
    shown = tiles([
        Tile("Approval", "41.0", 1.2),
        Tile("Threat", "60.0", 1.2, higher_is_better=False),
        Tile("Index", "50.0", -0.4),
        Tile("Flat", "50.0", 0.0),
        Tile("First turn", "50.0", None),
    ])
    cells = shown.split('<div><div class="rp-label">')[1:]
    assert 'rp-delta rp-good">↑ +1.2<' in cells[0]
    assert 'rp-delta rp-bad">↑ +1.2<' in cells[1]  # a rising threat is bad news
    assert 'rp-delta rp-bad">↓ -0.4<' in cells[2]
    assert 'rp-delta"> +0.0<' in cells[3]
    assert "rp-delta" not in cells[4]


OWN_TAGS = re.compile(r'</?(details|summary|s|div)( class="[a-z -]+")?>')


@given(st.text())
def test_no_text_opens_a_tag_of_its_own(text):
    assert "<" not in escaped(text)
    for shown in (folds([(text, text, False), (text, text, True)]), tiles([Tile(text, text, 1.0)])):
        assert "<" not in OWN_TAGS.sub("", shown)  # every tag left is one of ours
