"""The game engine: scripted turn sequences (like Axelrod's ``versus_test``), replay, access.

A script is a list of turns; each turn names the humans' submissions and the instructor's
injections. ``versus_test`` plays it through the real store and engine and checks, turn by
turn, what each seat did and which institutional facts hold afterwards.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pandas as pd
import pytest

from model.game.engine import Game
from model.game.errors import AccessDenied, GameError
from model.game.setup import SEATS, create_game
from model.game.store import GameStore
from model.game.world import WORLDS, build_world, game_scenario


@dataclass
class Turn:
    """One scripted turn: seat -> decisions, and events the instructor injects."""

    moves: dict[str, list[str]] = field(default_factory=dict)
    inject: list[str] = field(default_factory=list)


@dataclass
class Expect:
    """What must hold after a turn: seats' decisions and institutional facts."""

    decisions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rule_seats: tuple[str, ...] = ()
    facts: dict[str, float] = field(default_factory=dict)
    events: tuple[str, ...] = ()


def open_game(store, scenario_text, humans=("seoul", "tokyo"), seed=17, **options):
    new = create_game(store, scenario_text, list(humans), seed=seed, **options)
    game = Game(store, new.id)
    game.start(new.instructor_code)
    return game, new


def play(game: Game, new, script: list[Turn]):
    """Play a script through the engine; return the world after it."""
    for k, turn in enumerate(script):
        for event in turn.inject:
            game.inject(new.instructor_code, event)
        for seat, decisions in turn.moves.items():
            game.submit(new.seat_codes[seat], decisions, turn=k)
        assert game.resolve(new.instructor_code, k)
    return game.world()


def versus_test(store, scenario_text, script, expected, seed=17, humans=("seoul", "tokyo")):
    """Play ``script`` and check every turn against ``expected``."""
    game, new = open_game(store, scenario_text, humans, seed)
    world = play(game, new, script)
    assert world.turns_done == len(expected)
    for outcome, want in zip(world.outcomes, expected, strict=True):
        for seat, decisions in want.decisions.items():
            assert outcome.decisions[seat] == decisions, (outcome.turn, seat)
            assert outcome.played_by[seat] == "human"
        menus = {s: {d for d, _ in world.menus[s]} for s in SEATS}
        for seat in want.rule_seats:
            assert outcome.played_by[seat] == "rule"
            assert len(outcome.decisions[seat]) == 1
            assert outcome.decisions[seat][0] in menus[seat]
        happened = {o.id for o in outcome.occurrences}
        assert set(want.events) <= happened, (outcome.turn, want.events, happened)
        traj = world.trajectory
        for fact, value in want.facts.items():
            at_end = traj[(traj.t == outcome.last_t) & (traj.variable == fact)].value.item()
            assert at_end == value, (outcome.turn, fact)
    return game, new, world


def test_versus_gsomia_suspended_then_restored(sqlite_store, scenario_text):
    """Seoul suspends GSOMIA, then restores it; silent seats are played by their rules."""
    versus_test(
        sqlite_store,
        scenario_text,
        [
            Turn({"seoul": ["seoul_suspend_gsomia"], "tokyo": ["tokyo_shuttle_diplomacy"]}),
            Turn({"tokyo": ["tokyo_hold"]}),
            Turn({"seoul": ["seoul_restore_gsomia", "seoul_propose_summit"]}),
        ],
        [
            Expect(
                {"seoul": ("seoul_suspend_gsomia",), "tokyo": ("tokyo_shuttle_diplomacy",)},
                rule_seats=("washington", "kr_public", "jp_public"),
                facts={"gsomia": 0.0, "shuttle_diplomacy": 1.0},
                events=("seoul_suspend_gsomia", "tokyo_shuttle_diplomacy"),
            ),
            Expect(
                {"tokyo": ("tokyo_hold",)},
                rule_seats=("seoul", "washington", "kr_public", "jp_public"),
            ),
            Expect(
                {"seoul": ("seoul_restore_gsomia", "seoul_propose_summit")},
                rule_seats=("tokyo", "washington"),
                facts={"gsomia": 1.0},
                events=("seoul_restore_gsomia", "seoul_propose_summit"),
            ),
        ],
    )


def test_versus_injected_nuclear_test_raises_the_threat(sqlite_store, scenario_text):
    """An injected nuclear test happens in the turn's first month and raises the NK threat."""
    script = [Turn({"seoul": ["seoul_hold"]}, inject=["nuclear_test"])]
    _, _, hot = versus_test(sqlite_store, scenario_text, script, [Expect(events=("nuclear_test",))], seed=5)
    WORLDS.clear()
    _, _, calm = versus_test(sqlite_store, scenario_text, [Turn({"seoul": ["seoul_hold"]})], [Expect()], seed=5)
    (inject,) = [o for o in hot.outcomes[0].occurrences if o.id == "nuclear_test"]
    assert inject.t == 0
    assert hot.value("nk_threat") > calm.value("nk_threat")


def test_same_log_same_state(sqlite_store, scenario_text):
    """Replaying a game's log from scratch gives exactly the state it had."""
    script = [
        Turn({"seoul": ["seoul_propose_summit"]}, inject=["forced_labour_ruling"]),
        Turn({"tokyo": ["tokyo_impose_export_controls"]}),
        Turn({}),
    ]
    game, new = open_game(sqlite_store, scenario_text)
    first = play(game, new, script)
    WORLDS.clear()
    again = Game(sqlite_store, game.id).world()
    pd.testing.assert_frame_equal(first.trajectory, again.trajectory)
    pd.testing.assert_frame_equal(first.ledger, again.ledger)
    assert [o.decisions for o in first.outcomes] == [o.decisions for o in again.outcomes]


def test_a_game_stored_with_a_repeated_key_still_opens_and_resolves(sqlite_store, scenario_text):
    """A scenario that wrote a key twice was accepted until repeated keys were refused (169aff1).

    A game created so must still open, as it was then (the last value counts); a new game
    from the same text is refused.
    """
    text = scenario_text + "question: asked twice\n"
    with pytest.raises(GameError):
        create_game(sqlite_store, text, ["seoul"], seed=3)
    config = create_game(sqlite_store, scenario_text, ["seoul"], seed=3)
    stored = sqlite_store.create_game(text, 3, Game(sqlite_store, config.id).config, roles=["seoul"])
    game = Game(sqlite_store, stored.id)
    assert game.scenario.question == "asked twice"
    game.start(stored.instructor_code)
    assert game.resolve(stored.instructor_code, 0)
    assert game.world().outcomes


def test_two_games_with_one_seed_and_script_agree(sqlite_store, scenario_text):
    """Same scenario, seed and decisions: the same trajectory, rule choices included."""
    script = [Turn({"seoul": ["seoul_compensation_fund"]}), Turn({"tokyo": ["tokyo_hold"]})]
    g1, n1 = open_game(sqlite_store, scenario_text, seed=99)
    g2, n2 = open_game(sqlite_store, scenario_text, seed=99)
    w1, w2 = play(g1, n1, script), play(g2, n2, script)
    pd.testing.assert_frame_equal(w1.trajectory, w2.trajectory)
    assert [o.decisions for o in w1.outcomes] == [o.decisions for o in w2.outcomes]


def test_restart_mid_turn_loses_nothing(any_store, db_url, scenario_text):
    """A new store and a cold cache (a restarted server) see the same turn, state, submissions."""
    game, new = open_game(any_store, scenario_text)
    before = play(game, new, [Turn({"seoul": ["seoul_propose_summit"]})])
    game.submit(new.seat_codes["tokyo"], ["tokyo_propose_summit"], "Let us talk.", turn=1)
    any_store.dispose()
    WORLDS.clear()
    store = GameStore(db_url)
    try:
        again = Game(store, game.id)
        tl = again.timeline()
        assert tl.turn == 1 and tl.status == "running"
        assert tl.pending["tokyo"].decisions == ("tokyo_propose_summit",)
        assert tl.pending["tokyo"].statement == "Let us talk."
        pd.testing.assert_frame_equal(again.world(tl).trajectory, before.trajectory)
        assert again.resolve(new.instructor_code, 1)
        assert again.world().outcomes[1].decisions["tokyo"] == ("tokyo_propose_summit",)
    finally:
        store.dispose()


def test_simultaneous_submissions_all_count(any_store, scenario_text):
    """Five seats submitting at the same moment: all five land and all five count."""
    game, new = open_game(any_store, scenario_text, humans=SEATS)
    picks = {s: [f"{s}_hold"] for s in SEATS}
    barrier = threading.Barrier(len(SEATS))
    errors: list[BaseException] = []

    def submit(seat: str) -> None:
        try:
            barrier.wait()
            Game(any_store, game.id).submit(new.seat_codes[seat], picks[seat], turn=0)
        except BaseException as err:  # reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=submit, args=(s,)) for s in SEATS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(game.timeline().pending) == set(SEATS)
    assert game.resolve(new.instructor_code, 0)
    assert game.world().outcomes[0].played_by == {s: "human" for s in SEATS}


def test_double_clicked_resolve_resolves_once(any_store, scenario_text):
    """Six resolves of turn 0 at once: one resolves, the turn advances by exactly one."""
    game, new = open_game(any_store, scenario_text)
    barrier = threading.Barrier(6)
    results: list[bool] = []

    def resolve() -> None:
        barrier.wait()
        results.append(Game(any_store, game.id).resolve(new.instructor_code, 0))

    threads = [threading.Thread(target=resolve) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    assert game.timeline().turn == 1
    assert [e.kind for e in any_store.entries(game.id)].count("resolve") == 1
    assert game.resolve(new.instructor_code, 0) is False  # a late second click


def test_second_submission_replaces_the_first(sqlite_store, scenario_text):
    """The later submission is the one that counts; the first stays in the log as replaced."""
    game, new = open_game(sqlite_store, scenario_text)
    first = game.submit(new.seat_codes["seoul"], ["seoul_dokdo_visit"], turn=0)
    second = game.submit(new.seat_codes["seoul"], ["seoul_propose_summit"], turn=0)
    tl = game.timeline()
    assert tl.fates[first.seq] == "replaced" and tl.fates[second.seq] == "pending"
    game.resolve(new.instructor_code, 0)
    assert game.world().outcomes[0].decisions["seoul"] == ("seoul_propose_summit",)
    assert game.timeline().fates[second.seq] == "counted"


def test_codes_guard_every_action(sqlite_store, scenario_text):
    """Wrong, missing or other roles' codes are refused and the log does not change."""
    game, new = open_game(sqlite_store, scenario_text)
    before = sqlite_store.entries(game.id)
    seoul, tokyo = new.seat_codes["seoul"], new.seat_codes["tokyo"]
    for bad in [None, "", "not-a-code", "x" * 12]:
        with pytest.raises(AccessDenied):
            game.submit(bad, ["seoul_hold"], turn=0)
        with pytest.raises(AccessDenied):
            game.resolve(bad, 0)
    with pytest.raises(AccessDenied):
        game.resolve(seoul, 0)  # a seat cannot run the class
    for action in (game.pause, game.end, game.start):
        with pytest.raises(AccessDenied):
            action(tokyo)
    with pytest.raises(AccessDenied):
        game.inject(seoul, "nuclear_test")
    with pytest.raises(AccessDenied):
        game.submit(new.instructor_code, ["seoul_hold"], turn=0)
    with pytest.raises(GameError, match="not_on_menu"):
        game.submit(tokyo, ["seoul_hold"], turn=0)  # Tokyo's code cannot act for Seoul
    assert game.role(new.viewer_code) == "viewer"
    with pytest.raises(AccessDenied):
        game.submit(new.viewer_code, ["seoul_hold"], turn=0)
    with pytest.raises(AccessDenied):
        game.resolve(new.viewer_code, 0)
    with pytest.raises(AccessDenied):
        game.invitation(seoul)
    assert sqlite_store.entries(game.id) == before


def test_the_instructor_code_gives_the_links_again(sqlite_store, scenario_text):
    """The instructor page can show every seat's link again; the codes are the ones created."""
    game, new = open_game(sqlite_store, scenario_text)
    again = game.invitation(new.instructor_code.upper(), "https://class.example")
    assert again["seats"]["seoul"]["code"] == new.seat_codes["seoul"]
    assert set(again["seats"]) == {"seoul", "tokyo"}
    assert again["viewer"]["code"] == new.viewer_code
    link = again["seats"]["tokyo"]["link"]
    assert link == f"https://class.example/play?game={game.id}&code={new.seat_codes['tokyo']}"


def test_a_page_link_within_the_app_is_the_invitation_link_without_the_host():
    """The seat page's link to the debrief is built as the invitations are, its code escaped."""
    from model.game.links import link
    from ui.game_views import page_link

    assert page_link("debrief", "g1", "ab cd&x") == "/debrief?game=g1&code=ab+cd%26x"
    assert link("https://class.example/", "g1", "debrief", "abc") == "https://class.example" + page_link(
        "debrief", "g1", "abc"
    )


@pytest.mark.parametrize(
    ("decisions", "statement", "key"),
    [
        ([], "", "decision_count"),
        (["seoul_hold", "seoul_propose_summit", "seoul_dokdo_visit"], "", "decision_count"),
        (["seoul_propose_summit", "seoul_propose_summit"], "", "decision_count"),
        (["seoul_hold", "seoul_propose_summit"], "", "hold_alone"),
        (["seoul_restore_gsomia"], "", "unavailable"),
        (["no_such_decision"], "", "not_on_menu"),
        (["seoul_hold"], "x" * 281, "statement_too_long"),
    ],
)
def test_bad_submissions_are_refused(sqlite_store, scenario_text, decisions, statement, key):
    """Each kind of bad submission gets its own message and stores nothing."""
    game, new = open_game(sqlite_store, scenario_text)
    before = sqlite_store.entries(game.id)
    with pytest.raises(GameError) as err:
        game.submit(new.seat_codes["seoul"], decisions, statement, turn=0)
    assert err.value.key == f"game.error.{key}"
    assert sqlite_store.entries(game.id) == before


def test_submissions_need_a_running_game(sqlite_store, scenario_text):
    """Not started and paused games refuse submissions and store nothing.

    A submission for a turn that has closed (moved on, past its deadline, ended) is stored as
    late instead: see tests/game/test_game_late.py.
    """
    new = create_game(sqlite_store, scenario_text, ["seoul"], seed=1, turns=2)
    game, seoul, boss = Game(sqlite_store, new.id), new.seat_codes["seoul"], new.instructor_code

    def refused(key: str, turn: int = 0) -> None:
        with pytest.raises(GameError) as err:
            game.submit(seoul, ["seoul_hold"], turn=turn)
        assert err.value.key == f"game.error.{key}"

    refused("not_started")
    game.start(boss)
    game.pause(boss)
    refused("paused")
    game.resume(boss)
    game.resolve(boss, 0)
    game.set_deadline(boss, 5)
    game.submit(seoul, ["seoul_hold"], turn=1)
    game.resolve(boss, 1)
    assert game.timeline().status == "ended"
    with pytest.raises(GameError) as err:
        game.submit(seoul, ["seoul_hold"])  # no turn named: nothing to keep it for
    assert err.value.key == "game.error.ended"
    assert [e.kind for e in sqlite_store.entries(game.id)].count("submission") == 1


def test_rewind_returns_to_the_earlier_state(sqlite_store, scenario_text):
    """Rewinding to turn 1 gives the state after turn 0; the new branch can choose again."""
    game, new = open_game(sqlite_store, scenario_text)
    play(
        game,
        new,
        [Turn({"seoul": ["seoul_compensation_fund"]}), Turn({"tokyo": ["tokyo_yasukuni_visit"]})],
    )
    assert game.rewind(new.instructor_code, 1)
    assert game.rewind(new.instructor_code, 1) is False  # a second click changes nothing
    tl = game.timeline()
    assert tl.turn == 1 and len(tl.resolved) == 1
    WORLDS.clear()
    after_one = build_world(game.record, tl.resolved[:1])
    pd.testing.assert_frame_equal(game.world(tl).trajectory, after_one.trajectory())
    game.submit(new.seat_codes["tokyo"], ["tokyo_propose_summit"], turn=1)
    game.resolve(new.instructor_code, 1)
    assert game.world().outcomes[1].decisions["tokyo"] == ("tokyo_propose_summit",)
    with pytest.raises(GameError):
        game.rewind(new.instructor_code, 5)


def test_homework_student_runs_their_own_turns(sqlite_store, scenario_text):
    """In homework mode the one seat may start and resolve; rules play the rest."""
    new = create_game(sqlite_store, scenario_text, ["jp_public"], seed=3, homework=True, turns=2)
    game, code = Game(sqlite_store, new.id), new.seat_codes["jp_public"]
    game.submit(code, ["jp_public_exchange"], turn=0)  # starts the game itself
    assert game.resolve(code, 0)
    outcome = game.world().outcomes[0]
    assert outcome.decisions["jp_public"] == ("jp_public_exchange",)
    assert {s for s, p in outcome.played_by.items() if p == "rule"} == set(SEATS) - {"jp_public"}
    with pytest.raises(GameError):
        create_game(sqlite_store, scenario_text, ["seoul", "tokyo"], homework=True)


def test_rule_profiles_shape_the_rule_seats(sqlite_store, scenario_text):
    """A rule seat's profile goes into the game's scenario; bad setups are refused."""
    new = create_game(
        sqlite_store,
        scenario_text,
        ["seoul"],
        profiles={"tokyo": {"camp": "conservative", "stance": "hawkish"}},
    )
    sc = game_scenario(Game(sqlite_store, new.id).record)
    assert sc.actors.tokyo.stance == "hawkish" and sc.decision_interval == 3
    for bad in [
        {"humans": ["nobody"]},
        {"humans": []},
        {"humans": ["seoul"], "turns": 500},
        {"humans": ["seoul"], "profiles": {"seoul": {"stance": "hawkish"}}},
        {"humans": ["seoul"], "profiles": {"tokyo": {"stance": "furious"}}},
    ]:
        with pytest.raises(GameError):
            create_game(sqlite_store, scenario_text, **bad)
    with pytest.raises(GameError, match="scenario"):
        create_game(sqlite_store, "id: [broken", ["seoul"])
