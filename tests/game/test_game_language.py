"""A class in its own language: join links carry ``lang``, pages and the debrief follow it."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from model import i18n
from model.cli import main
from tests.game.test_game_pages import db, new_game, page, texts  # noqa: F401 (db is a fixture)
from tests.support.seat_view import seat_html


def lang_of(url: str) -> str | None:
    return (parse_qs(urlsplit(url).query).get("lang") or [None])[0]


def test_invitation_links_carry_the_chosen_language(db, scenario_text):  # noqa: F811
    game, new = new_game(db, scenario_text)
    links = game.invitation(new.instructor_code, "https://class.example", lang="ja")
    every = [links["instructor"]["link"], *[s["link"] for s in links["seats"].values()], *links["viewer"].values()]
    every = [u for u in every if u.startswith("http")]
    assert len(every) == 5 and {lang_of(u) for u in every} == {"ja"}
    plain = game.invitation(new.instructor_code, "https://class.example")
    assert lang_of(plain["seats"]["seoul"]["link"]) is None  # each browser decides


def test_game_new_hands_out_korean_links(tmp_path, capsys):
    db_url = f"sqlite:///{tmp_path / 'g.db'}"
    args = ["game", "new", "baseline-2026", "--seats", "seoul,tokyo", "--db", db_url, "--link-lang", "ko"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert lang_of(data["seats"]["tokyo"]["link"]) == "ko"
    assert lang_of(data["viewer"]["projector"]) == "ko"


def test_a_japanese_link_opens_the_seat_page_in_japanese(db, scenario_text):  # noqa: F811
    game, new = new_game(db, scenario_text)
    at = page("play", game=game.id, code=new.seat_codes["tokyo"], lang="ja")
    assert not at.exception
    shown = texts(at)
    assert f"<h3>{i18n.tr('game.play.what_happened', 'ja')}</h3>" in seat_html(at)  # the heading of its text
    assert i18n.tr("actor.tokyo", "ja") in shown
    assert "2026年1月" in shown  # the month as Japanese writes it


def test_the_instructor_links_default_to_the_teachers_language(db, scenario_text):  # noqa: F811
    game, new = new_game(db, scenario_text)
    at = page("instructor", game=game.id, code=new.instructor_code, lang="ko")
    assert not at.exception
    assert at.selectbox(key="instructor_link_lang").value == "ko"
    codes = [c.value for c in at.code]
    assert codes and all("lang=ko" in c for c in codes)
    at.selectbox(key="instructor_link_lang").set_value("").run()
    assert all("lang=" not in c.value for c in at.code)
