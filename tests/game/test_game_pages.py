"""The game's pages under Streamlit's AppTest: links open them, codes guard them, buttons act.

AppTest does not fire ``run_every`` timers, so a second ``run()`` stands for the poll; two
AppTest instances in one process share ``st.cache_resource`` as two browsers share a server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model.catalogue import load_catalogue
from model.game.engine import Game
from model.game.setup import create_game
from model.game.store import ENV_VAR, GameStore
from model.i18n import tr
from tests.support.seat_view import seat_html, visible_text
from ui import seat_page
from ui.plain_text import plain

PAGES = Path(__file__).resolve().parents[2] / "ui" / "views"
TIMEOUT = 60


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A fresh database that the pages use (as ``rapprochement app --db`` sets it)."""
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    monkeypatch.setenv(ENV_VAR, url)
    st.cache_data.clear()
    st.cache_resource.clear()
    store = GameStore(url)
    yield store
    store.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()


def page(name: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    """Every text of the page (a seat's page: the text of its component's HTML too)."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.title] + [e.value for e in at.caption]
    parts += [e.value for e in at.info] + [e.value for e in at.success] + [e.value for e in at.error]
    parts.append(visible_text(seat_html(at)))
    return "\n".join(str(p) for p in parts)


def button(at: AppTest, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


def new_game(store, scenario_text, humans=("seoul", "tokyo"), **options):
    new = create_game(store, scenario_text, list(humans), seed=21, turns=3, **options)
    return Game(store, new.id), new


def test_seat_page_without_a_link_asks_for_game_and_code(db):
    """No query parameters: a message and a form, no error."""
    at = page("play")
    assert not at.exception
    assert tr("game.error.no_game") in texts(at)
    assert len(at.text_input) == 2


def test_wrong_code_is_refused_and_changes_nothing(db, scenario_text):
    """A wrong code shows the clear message and the log stays empty."""
    game, new = new_game(db, scenario_text)
    for name in ("play", "instructor", "projector", "debrief"):
        at = page(name, game=game.id, code="wrongcode123")
        assert not at.exception, name
        assert [e.value for e in at.error] == [tr("game.error.wrong_code")], name
    at = page("instructor", game=game.id, code=new.seat_codes["seoul"])  # a seat is no instructor
    assert [e.value for e in at.error] == [tr("game.error.instructor_only")]
    at = page("play", game=game.id, code=new.instructor_code)  # the instructor holds no seat
    assert [e.value for e in at.error] == [tr("game.error.not_a_seat")]
    at = page("play", game="nosuchgame", code=new.seat_codes["seoul"])
    assert [e.value for e in at.error] == [tr("game.error.unknown_game", game="nosuchgame")]
    assert db.entries(game.id) == []


def test_seat_joins_submits_and_replaces(db, scenario_text):
    """The seat page joins, submits one or two decisions, and a second submission replaces."""
    game, new = new_game(db, scenario_text)
    code = new.seat_codes["seoul"]
    at = page("play", game=game.id, code=code)
    assert not at.exception
    assert "seoul" in game.timeline().joined
    assert tr("game.play.waiting_start") in texts(at)
    assert "<form" not in seat_html(at)  # nothing to submit before the start
    game.start(new.instructor_code)
    at.run()  # the watch's look
    assert 'class="rp-form"' in seat_html(at)
    sent = seat_page.submit(game, code, ["seoul_propose_summit", "seoul_trilateral_exercise"], "Let us meet.", 0, 0,
                            "en", "both")
    assert sent.level == "success"
    pending = game.timeline().pending["seoul"]
    assert pending.decisions == ("seoul_propose_summit", "seoul_trilateral_exercise")
    assert pending.statement == "Let us meet."
    seat_page.submit(game, code, ["seoul_hold"], "", 0, 0, "en", "both")
    tl = game.timeline()
    assert tl.pending["seoul"].decisions == ("seoul_hold",)
    assert [r.decisions for r in tl.replaced] == [("seoul_propose_summit", "seoul_trilateral_exercise")]
    at.run()
    shown = texts(at)
    assert tr("game.play.submitted", decisions=load_catalogue().label("decision", "seoul_hold")) in shown
    assert 'value="seoul_hold" checked' in seat_html(at)  # the form shows what was sent


def test_instructor_creates_a_game_and_runs_a_turn(db):
    """Create from a shipped scenario, see the seats' links, start, resolve once."""
    at = page("instructor")
    assert not at.exception
    at.number_input(key="instructor_turns").set_value(2)
    button(at, tr("game.instructor.create")).click().run()
    assert not at.exception, at.exception
    game_id, code = at.query_params["game"], at.query_params["code"]
    game = Game(db, game_id)
    assert game.role(code) == "instructor" and game.turns == 2
    # one link per seat (all five by default), folded away; the QR codes are on the join screen
    assert sum(1 for c in at.code if "/play?" in str(c.value)) == 5 and not at.get("image")
    button(at, tr("game.instructor.start")).click().run()
    assert game.timeline().status == "running"
    second_tab = page("instructor", game=game_id, code=code)
    resolve_label = tr("game.instructor.resolve", turn=1)
    button(at, resolve_label).click().run()
    button(second_tab, resolve_label).click().run()  # the same turn, clicked in another tab
    assert not at.exception and not second_tab.exception
    assert game.timeline().turn == 1
    assert [e.kind for e in db.entries(game_id)].count("resolve") == 1
    assert tr("game.instructor.resolve", turn=2) in [b.label for b in second_tab.button]


def test_instructor_injects_and_rewinds_after_naming_what_it_discards(db, scenario_text):
    """Inject, resolve; the rewind names the decisions, event and submission it discards, asks, then rewinds."""
    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], "Let us talk.", turn=0)
    at = page("instructor", game=game.id, code=new.instructor_code)
    at.selectbox(key="instructor_event").set_value("nuclear_test")
    button(at, tr("game.instructor.inject_button")).click().run()
    assert game.timeline().injects == ["nuclear_test"]
    button(at, tr("game.instructor.resolve", turn=1)).click().run()
    assert game.world().outcomes[0].injects == ("nuclear_test",)
    game.submit(new.seat_codes["tokyo"], ["tokyo_hold"], "", turn=1)
    at.run()
    rewind = button(at, tr("game.instructor.rewind_now", turn=1))
    assert rewind.disabled  # not before the teacher has read what goes
    shown = texts(at)
    cat = load_catalogue()
    assert tr("game.instructor.rewind_discards_turn", turn=1) in shown
    summit, hold = cat.label("decision", "seoul_propose_summit"), cat.label("decision", "tokyo_hold")
    assert tr("game.instructor.rewind_discards_decision", turn=1, seat=tr("actor.seoul"), decisions=summit) in shown
    assert tr("game.instructor.rewind_discards_inject", turn=1, event=cat.label("event", "nuclear_test")) in shown
    assert tr("game.instructor.rewind_discards_pending", seat=tr("actor.tokyo"), decisions=hold) in shown
    assert game.timeline().turn == 1
    at.checkbox(key="instructor_rewind_sure_0_1").check().run()
    button(at, tr("game.instructor.rewind_now", turn=1)).click().run()
    assert not at.exception
    assert game.timeline().turn == 0 and game.timeline().branch == 1


def test_projector_and_debrief_render_with_the_viewer_code(db, scenario_text):
    """The viewer code opens the projector (with its fan) and the debrief (download, fork)."""
    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    game.submit(new.seat_codes["seoul"], ["seoul_dokdo_visit"], "Ours.", turn=0)
    game.resolve(new.instructor_code, 0)
    projector = page("projector", game=game.id, code=new.viewer_code)
    assert not projector.exception and not projector.error
    debrief = page("debrief", game=game.id, code=new.viewer_code)
    assert not debrief.exception and not debrief.error
    assert tr("game.debrief.history_none", first="2026-01", last="2028-12") in texts(debrief)
    at = page("play", game=game.id, code=new.viewer_code)  # the viewer holds no seat
    assert [e.value for e in at.error] == [tr("game.error.not_a_seat")]


def test_homework_student_resolves_from_the_seat_page(db, scenario_text):
    """In homework mode the seat page has the resolve button and it advances the game."""
    game, new = new_game(db, scenario_text, humans=("tokyo",), homework=True)
    at = page("play", game=game.id, code=new.seat_codes["tokyo"])
    assert not at.exception
    assert 'class="rp-form"' in seat_html(at)  # the student may submit before starting
    seat_page.submit(game, new.seat_codes["tokyo"], ["tokyo_propose_summit"], "", 0, 0, "en", "both")
    button(at, tr("game.play.resolve_homework")).click().run()
    assert not at.exception and not at.error
    outcome = game.world().outcomes[0]
    assert outcome.decisions["tokyo"] == ("tokyo_propose_summit",)
    assert tr("game.play.outcome", turn=1) in texts(at)


def test_an_unexpected_failure_is_a_message_not_a_traceback(db, scenario_text, monkeypatch):
    """Whatever breaks inside a page, the reader gets a sentence, and the log is untouched."""
    game, new = new_game(db, scenario_text)

    def broken(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Game, "timeline", broken)
    for name, code in (("play", new.seat_codes["seoul"]), ("instructor", new.instructor_code)):
        at = page(name, game=game.id, code=code)
        assert not at.exception, name
        assert [e.value for e in at.error] == [tr("game.common.error_unexpected", message="RuntimeError")]
    assert db.entries(game.id) == []


def test_a_failed_poll_leaves_the_page_standing(db, scenario_text, monkeypatch):
    """The database failing under the log poll costs the countdown, not the page or a traceback."""
    from sqlalchemy.exc import OperationalError

    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)

    def unreachable(self, game_id):
        raise OperationalError("SELECT max(seq)", {}, Exception("server closed the connection"))

    monkeypatch.setattr(GameStore, "last_seq", unreachable)
    at = page("projector", game=game.id, code=new.viewer_code)
    assert not at.exception and not at.error
    assert tr("game.projector.fan") in [s.value for s in at.subheader]


def test_a_lost_race_is_told_only_what_really_happened(db, scenario_text, monkeypatch):
    """Another tab pausing (or resolving) between the page's read and the click's own.

    The pause then says nothing about turns; the resolve says the turn was resolved already.
    """
    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    already = tr("game.instructor.already_resolved")

    def raced(action):
        def run(self, *args):
            action(self, *args)  # the other tab, a moment earlier
            return action(self, *args)

        return run

    monkeypatch.setattr(Game, "pause", raced(Game.pause))
    monkeypatch.setattr(Game, "resolve", raced(Game.resolve))
    at = page("instructor", game=game.id, code=new.instructor_code)
    button(at, tr("game.instructor.pause")).click().run()
    assert not at.exception and not at.error
    assert game.timeline().status == "paused"
    assert already not in [s.value for s in at.success]
    button(at, tr("game.instructor.resolve", turn=1)).click().run()
    assert [s.value for s in at.success] == [already]
    assert game.timeline().turn == 1


@pytest.mark.parametrize("seat", ["seoul", "tokyo", "washington", "kr_public", "jp_public"])
def test_every_seat_sees_its_private_note_with_numbers(db, scenario_text, seat):
    """Each seat's note fills in its numbers (a public's includes its travel to the other country)."""
    game, new = new_game(db, scenario_text, humans=(seat,))
    game.start(new.instructor_code)
    at = page("play", game=game.id, code=new.seat_codes[seat])
    assert not at.exception, [e.value for e in at.exception]
    html = seat_html(at)
    notes = [visible_text(block) for block in re.findall(r'<div class="rp-alert rp-info">(.*?)</div>', html, re.S)]
    assert notes and not any("{" in n for n in notes)
    if seat.endswith("_public"):
        assert any("million a year" in n for n in notes)


# ----- issue 15: a game that reaches the room ---------------------------------------------


def alerts(at: AppTest) -> str:
    """The page's warnings and errors (a seat's page: its boxes of breaking news and warnings too)."""
    boxes = re.findall(r'<div class="rp-alert rp-(?:error|warning)"[^>]*>(.*?)</div>', seat_html(at), re.S)
    return "\n".join([str(e.value) for e in list(at.error) + list(at.warning)] + [visible_text(b) for b in boxes])


def test_an_injected_crisis_is_breaking_news_on_every_seat_and_the_projector(db, scenario_text):
    """Before the resolve, every seat page and the projector lead with the event and its briefing."""
    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    seat = page("play", game=game.id, code=new.seat_codes["tokyo"])
    wall = page("projector", game=game.id, code=new.viewer_code)
    label = load_catalogue().label("event", "nuclear_test")
    assert label not in alerts(seat) + alerts(wall)
    game.inject(new.instructor_code, "nuclear_test")
    for at in (seat.run(), wall.run()):  # the poll's rerun
        assert not at.exception
        news = alerts(at)
        assert tr("game.news.breaking", event=label) in news
        assert load_catalogue().briefing("event", "nuclear_test").split(".")[0] in news
    assert tr("game.news.answer") in alerts(seat)
    game.resolve(new.instructor_code, 0)
    assert tr("game.news.breaking", event=label) not in alerts(seat.run())  # news of the past turn


def test_the_projector_reads_out_last_turns_statements_as_written(db, scenario_text):
    """The statements of the last turn are on the wall, whole, Markdown shown as typed."""
    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    sly = "We **demand** [talks](http://evil.example) now: $x$ # not a heading"
    game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], sly, turn=0)
    game.submit(new.seat_codes["tokyo"], ["tokyo_propose_summit"], "We are ready.", turn=0)
    game.resolve(new.instructor_code, 0)
    at = page("projector", game=game.id, code=new.viewer_code)
    assert not at.exception
    assert tr("game.projector.statements", turn=1) in [s.value for s in at.subheader]
    shown = [m.value for m in at.markdown]
    assert f"**{tr('actor.tokyo')}**: {plain('We are ready.')}" in shown
    assert f"**{tr('actor.seoul')}**: {plain(sly)}" in shown


def test_the_teacher_sees_each_statement_whole(db, scenario_text):
    """A statement of the full allowed length is on the teacher's page in full, not cut in a table cell."""
    from model.limits import MAX_STATEMENT

    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    long = ("Korea and Japan share a future. " * 20)[:MAX_STATEMENT].strip()
    game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], long, turn=0)
    at = page("instructor", game=game.id, code=new.instructor_code)
    assert not at.exception
    assert any(m.value == f"**{tr('actor.seoul')}**: {plain(long)}" for m in at.markdown)


def test_the_projector_shows_the_end(db, scenario_text):
    """After the last turn the wall says the game is over, not 'Turn 3 of 3 · 0 of 2 teams'."""
    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    for turn in range(3):
        game.resolve(new.instructor_code, turn)
    at = page("projector", game=game.id, code=new.viewer_code)
    assert not at.exception
    shown = texts(at)
    assert tr("game.projector.ended", turns=3) in shown
    assert tr("game.common.ended_after", turns=3) in shown
    assert tr("game.common.turn_of", turn=3, turns=3) not in shown
    assert not [m for m in at.metric if m.label == tr("game.common.submitted")]


def test_the_debrief_gives_injected_events_to_the_teacher(db, scenario_text):
    """The downloadable debrief lists an injected event under the teacher, not under 'The model'."""
    from model.game.debrief import debrief_html

    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    game.inject(new.instructor_code, "nuclear_test")
    game.resolve(new.instructor_code, 0)
    html = debrief_html(game.record, game.world())
    injected = tr("game.debrief.injected", event=load_catalogue().label("event", "nuclear_test"))
    row = next(r for r in html.split("<tr>") if injected in r)
    assert f"<td>{tr('game.role.instructor')}</td>" in row and tr("actor.model") not in row


def test_the_create_form_lists_scenarios_by_title(db):
    """The teacher picks 'What if ...?' by its title, not by its file name."""
    from model.scenario import load_scenario, shipped_scenarios

    at = page("instructor")
    box = at.selectbox(key="instructor_scenario")
    titles = {load_scenario(p).title for p in shipped_scenarios().values()}
    assert set(box.options) == titles
    assert not any(option.endswith(".yaml") or "-" in option.split()[0] for option in box.options)


def test_the_teacher_is_warned_when_join_links_point_at_localhost(db, scenario_text, monkeypatch):
    """Links at localhost get a warning; links at the network address (class mode) do not."""
    from model.serving import BASE_URL_ENV

    game, new = new_game(db, scenario_text)
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    at = page("instructor", game=game.id, code=new.instructor_code)
    assert any("--classroom" in w.value for w in at.warning)
    monkeypatch.setenv(BASE_URL_ENV, "http://192.168.1.23:8501")
    at = page("instructor", game=game.id, code=new.instructor_code)
    assert not any("--classroom" in w.value for w in at.warning)
    assert any("http://192.168.1.23:8501/play?game=" in c.value for c in at.code)
def test_the_debrief_says_what_the_teams_decisions_changed(db, scenario_text):
    """From turn 1, the teams against the model's rules: the sentence, the fan, the waterfall."""
    game, new = new_game(db, scenario_text)
    game.start(new.instructor_code)
    game.submit(new.seat_codes["seoul"], ["seoul_suspend_gsomia"], "", turn=0)
    game.resolve(new.instructor_code, 0)
    at = page("debrief", game=game.id, code=new.viewer_code)
    at.selectbox(key="debrief_fork_turn").set_value(0).run()
    button(at, tr("game.difference.run")).click().run()
    assert not at.exception and not at.error
    at.selectbox(key="debrief_difference_variable").set_value("security").run()
    words = texts(at)
    assert "with your teams' decisions from turn 1 on than with the model's rules" in words
    specs = " ".join(c.proto.spec for c in at.get("vega_lite_chart"))
    assert "1. Give notice to end GSOMIA (Seoul)" in specs  # the team's own decision first
