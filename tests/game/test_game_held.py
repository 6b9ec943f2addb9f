"""Held questions: the pages of a game wait together on one looker (``model.game.held``).

A class's thirty-odd pages each hold a question at the watch route. Each looking on its own
four times a second cost a school's process about a fifth of a core while nothing happened;
these tests pin that the looks follow the games and the time, not the questions, that every
waiting question hears a move at once, and that a failing look reaches them as an error.
"""

from __future__ import annotations

import asyncio

import pytest

from model.game.held import HeldQuestions

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

    one, many = asyncio.run(looks_with(1)), asyncio.run(looks_with(60))
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

    heard_a, took, heard_b = asyncio.run(scenario())
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

    assert asyncio.run(scenario()) == (3, 3, 0)


def test_a_question_nobody_answers_returns_where_the_log_is_after_its_wait() -> None:
    async def scenario() -> tuple[int, float]:
        log = Log()
        questions = held(log)
        loop = asyncio.get_running_loop()
        start = loop.time()
        seq = await ask(questions, log, "a", 3, 0.2)
        return seq, loop.time() - start

    seq, took = asyncio.run(scenario())
    assert seq == 3
    assert 0.15 <= took < 2.0


def test_a_game_nobody_waits_on_is_not_looked_at() -> None:
    async def scenario() -> tuple[int, int]:
        log = Log()
        questions = held(log)
        await ask(questions, log, "a", 3, 0.1)
        await asyncio.sleep(2 * EVERY)  # the looker's last round
        after = questions.looks
        await asyncio.sleep(0.3)
        return after, questions.looks

    after, later = asyncio.run(scenario())
    assert later == after


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
            with pytest.raises(ConnectionError):
                task.result()
        log.failing = False
        log.seq["a"] = 5
        return await ask(questions, log, "a", 3, 10)

    assert asyncio.run(scenario()) == 5


def test_a_move_first_seen_by_an_arriving_question_still_wakes_the_waiting_ones() -> None:
    """A page that arrives just after a move looks on arrival: the others must not miss the move."""

    async def scenario() -> tuple[list[int], float]:
        log = Log()
        questions = HeldQuestions(log.look, every=0.5)  # the looker's next look is far off
        waiting = [asyncio.create_task(ask(questions, log, "a", 3, 10)) for _ in range(5)]
        await asyncio.sleep(0.05)
        log.seq["a"] = 4
        loop = asyncio.get_running_loop()
        moved = loop.time()
        assert await ask(questions, log, "a", 3, 10) == 4  # the newcomer sees the move itself
        heard = await asyncio.gather(*waiting)
        return list(heard), loop.time() - moved

    heard, took = asyncio.run(scenario())
    assert heard == [4] * 5
    assert took < 2.0  # at the looker's next look at the latest, not after the questions' 10 s
