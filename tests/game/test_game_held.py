"""Held questions: the pages of a game wait together on one looker (``model.game.held``).

A class's thirty-odd pages each hold a question at the watch route. Each looking on its own
four times a second cost a school's process about a fifth of a core while nothing happened;
these tests pin that the looks follow the games and the time, not the questions, that every
waiting question hears a move at once, and that a failing look reaches them as an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from model.game.held import HeldQuestions, LookFailed

EVERY = 0.02  # seconds between looks in these tests


class Log:
    """Where each game's log ends, moved by the test; counts the looks made in worker threads."""

    def __init__(self) -> None:
        self.seq: dict[str, int] = {"a": 3, "b": 7}
        self.failing = False

    def look(self, game_id: str) -> int:
        """Where the game's log ends now (or the error of a database that is away)."""
        if self.failing:
            raise ConnectionError("the database is away")
        return self.seq[game_id]


def run[T](scenario: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: the browser tests' Playwright keeps a loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario).result()


def held(log: Log) -> HeldQuestions:
    return HeldQuestions(log.look, every=EVERY)


async def ask(questions: HeldQuestions, log: Log, game_id: str, after: int, timeout: float) -> int:
    """A question as the route asks it: its own look on arrival, then the wait."""
    return await questions.wait_past(game_id, log.look(game_id), after, timeout)


def test_the_looks_follow_the_time_not_the_number_of_questions() -> None:
    async def looks_with(n: int) -> int:
        log = Log()
        questions = held(log)
        await asyncio.gather(*(ask(questions, log, "a", 3, 0.4) for _ in range(n)))
        return questions.looks

    one, many = run(looks_with(1)), run(looks_with(60))
    assert 5 <= one <= 40  # about 0.4 s / 0.02 s, whatever the machine's timer does
    assert many <= one + 5  # sixty questions cost what one does


def test_every_waiting_question_hears_a_move_at_once() -> None:
    async def scenario() -> tuple[list[int], float, list[int]]:
        log = Log()
        questions = held(log)
        waiting = [asyncio.create_task(ask(questions, log, game, log.seq[game], 10)) for game in ("a", "b") * 20]
        await asyncio.sleep(0.1)
        assert not any(task.done() for task in waiting)  # nothing moved: they all wait
        log.seq["a"] = 4
        moved = asyncio.get_running_loop().time()
        await asyncio.wait([task for task in waiting[::2]], timeout=2)
        took = asyncio.get_running_loop().time() - moved
        assert not any(task.done() for task in waiting[1::2])  # the other game's pages still wait
        log.seq["b"] = 9
        return [task.result() for task in waiting[::2]], took, list(await asyncio.gather(*waiting[1::2]))

    heard_a, took, heard_b = run(scenario())
    assert heard_a == [4] * 20
    assert heard_b == [9] * 20
    assert took < 1.0  # a look or two, not the questions' 10 s


def test_a_position_already_past_or_no_wait_is_answered_without_waiting() -> None:
    async def scenario() -> tuple[int, int, int]:
        log = Log()
        questions = held(log)
        past = await ask(questions, log, "a", 1, 10)
        quick = await ask(questions, log, "a", 3, 0)
        return past, quick, questions.looks

    assert run(scenario()) == (3, 3, 0)


def test_a_question_nobody_answers_returns_where_the_log_is_after_its_wait() -> None:
    async def scenario() -> tuple[int, float]:
        log = Log()
        questions = held(log)
        loop = asyncio.get_running_loop()
        start = loop.time()
        seq = await ask(questions, log, "a", 3, 0.2)
        return seq, loop.time() - start

    seq, took = run(scenario())
    assert seq == 3
    assert 0.15 <= took < 2.0


def test_a_game_nobody_waits_on_is_not_looked_at_nor_remembered() -> None:
    async def scenario() -> tuple[int, int, int, dict]:
        log = Log()
        questions = held(log)
        await ask(questions, log, "a", 3, 0.1)
        while_waiting = questions.looks
        await asyncio.sleep(2 * EVERY)  # the looker's last round
        after = questions.looks
        await asyncio.sleep(0.3)
        for _ in range(20):  # questions answered at once (no wait, or already past) leave nothing
            await ask(questions, log, "b", 7, 0)
            await ask(questions, log, "b", 1, 10)
        return while_waiting, after, questions.looks, dict(questions._games)

    while_waiting, after, later, games = run(scenario())
    assert while_waiting >= 2  # it looked while the question waited
    assert later == after
    assert games == {}


def test_a_failing_look_reaches_the_waiting_questions_as_its_error_and_the_next_question_recovers() -> None:
    async def scenario() -> int:
        log = Log()
        questions = held(log)
        waiting = [asyncio.create_task(ask(questions, log, "a", 3, 10)) for _ in range(5)]
        await asyncio.sleep(0.05)
        log.failing = True
        done, _ = await asyncio.wait(waiting, timeout=2)
        assert len(done) == 5  # answered with the error, not after their 10 s
        for task in done:
            with pytest.raises(LookFailed) as failed:
                task.result()
            assert isinstance(failed.value.__cause__, ConnectionError)
        log.failing = False
        later = asyncio.create_task(ask(questions, log, "a", 3, 10))  # waits again, on a looker that looks again
        await asyncio.sleep(0.1)
        assert not later.done()
        log.seq["a"] = 5
        return await asyncio.wait_for(later, 2)

    assert run(scenario()) == 5


def test_a_move_first_seen_by_an_arriving_question_still_wakes_the_waiting_ones() -> None:
    """A page that arrives just after a move looks on arrival: the others must not miss the move."""

    async def scenario() -> tuple[list[int], float]:
        log = Log()
        questions = HeldQuestions(log.look, every=5.0)  # the looker's next look is far off
        waiting = [asyncio.create_task(ask(questions, log, "a", 3, 10)) for _ in range(5)]
        await asyncio.sleep(0.05)
        log.seq["a"] = 4
        loop = asyncio.get_running_loop()
        moved = loop.time()
        assert await ask(questions, log, "a", 3, 10) == 4  # the newcomer sees the move itself
        heard = await asyncio.gather(*waiting)
        return list(heard), loop.time() - moved

    heard, took = run(scenario())
    assert heard == [4] * 5
    assert took < 1.0  # at once, not at the looker's next look (5 s) nor after the questions' 10 s


def test_a_question_given_up_stops_counting_and_the_others_still_hear() -> None:
    async def scenario() -> tuple[int, list[int], dict]:
        log = Log()
        questions = held(log)
        left = asyncio.create_task(ask(questions, log, "a", 3, 10))
        stay = [asyncio.create_task(ask(questions, log, "a", 3, 10)) for _ in range(3)]
        await asyncio.sleep(0.05)
        left.cancel()
        await asyncio.sleep(0.05)
        waiting = questions._games["a"].waiting
        log.seq["a"] = 4
        heard = await asyncio.wait_for(asyncio.gather(*stay), 2)
        await asyncio.sleep(3 * EVERY)
        return waiting, list(heard), dict(questions._games)

    waiting, heard, games = run(scenario())
    assert waiting == 3
    assert heard == [4, 4, 4]
    assert games == {}


def test_the_route_lets_a_question_go_when_its_page_goes() -> None:
    """A tab put away or reloaded drops its question: the server must not keep it waiting."""
    from starlette.requests import Request

    from ui import serve

    async def scenario() -> tuple[object, float, int, object]:
        log = Log()
        questions = held(log)
        gone = asyncio.Event()

        async def receive() -> dict:
            if not getattr(receive, "read", False):
                receive.read = True  # type: ignore[attr-defined]
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}, receive)
        loop = asyncio.get_running_loop()
        asked = asyncio.create_task(serve.unless_gone(request, ask(questions, log, "a", 3, 10)))
        await asyncio.sleep(0.1)
        waiting = questions._games["a"].waiting
        gone.set()
        start = loop.time()
        answer = await asyncio.wait_for(asked, 2)
        took = loop.time() - start
        await asyncio.sleep(3 * EVERY)
        return answer, took, waiting, dict(questions._games)

    answer, took, waiting, games = run(scenario())
    assert waiting == 1
    assert answer is None and took < 1.0
    assert games == {}  # nobody waits: the game is no longer looked at


def test_the_route_answers_a_question_whose_page_stays() -> None:
    from starlette.requests import Request

    from ui import serve

    async def scenario() -> object:
        log = Log()
        questions = held(log)

        async def receive() -> dict:
            await asyncio.sleep(60)  # the page stays
            return {"type": "http.disconnect"}

        request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}, receive)
        asked = asyncio.create_task(serve.unless_gone(request, ask(questions, log, "a", 3, 10)))
        await asyncio.sleep(0.1)
        log.seq["a"] = 6
        return await asyncio.wait_for(asked, 2)

    assert run(scenario()) == 6
