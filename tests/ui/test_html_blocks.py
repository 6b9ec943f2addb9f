"""Folds, number tiles and boxes of a seat's page: Markdown read, and no text can open a tag."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ui.html_blocks import FOLD_CLASS, Tile, alert_html, escaped, folds, markdown, tiles


def test_each_decision_is_a_fold_closed_until_opened_and_a_closed_one_struck():
    shown = folds([("Summit", "A **meeting**.", False), ("Export controls", "Needs a quarrel.", True)])
    assert shown.count(f'<details class="{FOLD_CLASS}">') == 2
    assert " open" not in shown
    assert "<summary>Summit</summary>" in shown
    assert "<summary><s>Export controls</s></summary>" in shown
    assert "<p>A <strong>meeting</strong>.</p>\n</details>" in shown  # the body's Markdown is read


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
# what CommonMark makes of Markdown (a link's or image's address is an attribute, quoted)
MARKDOWN_TAGS = re.compile(r'</?(p|em|strong|code|pre|h[1-6]|ul|ol|li|blockquote|hr|br|a|img)( [a-z]+="[^"<]*")*\s*/?>')


@given(st.text())
def test_no_text_opens_a_tag_of_its_own(text):
    assert "<" not in escaped(text) and ">" not in escaped(text)
    assert "<" not in OWN_TAGS.sub("", tiles([Tile(text, text, 1.0)]))  # every tag left is one of ours
    for shown in (folds([(text, text, False), (text, text, True)]), alert_html(text, "info")):
        assert "<" not in MARKDOWN_TAGS.sub("", OWN_TAGS.sub("", shown))  # no raw HTML of the text's


def test_markdown_shows_html_as_written():
    shown = markdown('<script>alert(1)</script> <b>bold</b> <img src="x">')
    assert "<script" not in shown and "<b>" not in shown and "<img" not in shown
    assert "&lt;script&gt;" in shown
