"""The rate limiter: Telegram's budget holds, urgent calls take the next token first, a chat
out of its own budget holds up nobody else. A fake clock moves time; nothing waits for real."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.ratelimit import PriorityRateLimiter
from bot.urgency import urgent_work


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _spin() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def _tick(limiter: PriorityRateLimiter, clock: FakeClock, seconds: float) -> None:
    """Move the clock on and let the limiter hand out what came free (its timer would)."""
    clock.now += seconds
    limiter._dispatch()


class Calls:
    """Bot API calls through the limiter, noting the order they got through."""

    def __init__(self, limiter: PriorityRateLimiter) -> None:
        self.limiter = limiter
        self.through: list[str] = []

    async def _callback(self, name: str) -> dict[str, Any]:
        self.through.append(name)
        return {"ok": True}

    def call(
        self, name: str, chat_id: int | str | None = 1, limit_args: dict[str, Any] | None = None
    ) -> asyncio.Task[Any]:
        data = {"chat_id": chat_id} if chat_id is not None else {}
        return asyncio.create_task(
            self.limiter.process_request(
                self._callback, (name,), {}, "sendMessage", data, limit_args
            )
        )


async def test_an_urgent_call_goes_before_every_queued_call() -> None:
    clock = FakeClock()
    limiter = PriorityRateLimiter(10, burst=1, clock=clock)
    calls = Calls(limiter)
    tasks = [calls.call(f"reply{n}", chat_id=n) for n in range(4)]
    await _spin()
    assert calls.through == ["reply0"], "one token, then the bucket is empty"
    tasks.append(calls.call("alert", chat_id=99, limit_args={"urgent": True}))
    await _spin()
    assert calls.through == ["reply0"], "urgent, but the rate still holds"
    _tick(limiter, clock, 0.1)
    await _spin()
    assert calls.through == ["reply0", "alert"]
    for _ in range(3):
        _tick(limiter, clock, 0.1)
        await _spin()
    await asyncio.gather(*tasks)
    assert calls.through == ["reply0", "alert", "reply1", "reply2", "reply3"]


async def test_an_update_marked_urgent_sends_urgently_without_being_told() -> None:
    clock = FakeClock()
    limiter = PriorityRateLimiter(10, burst=1, clock=clock)
    calls = Calls(limiter)
    first = calls.call("reply", chat_id=1)
    queued = calls.call("queued", chat_id=2)
    with urgent_work():
        pressed = calls.call("noodknop reply", chat_id=3)  # the task copies the mark
    await _spin()
    _tick(limiter, clock, 0.1)
    await _spin()
    assert calls.through == ["reply", "noodknop reply"]
    _tick(limiter, clock, 0.1)
    await asyncio.gather(first, queued, pressed)
    assert limiter.urgent_calls == 1


async def test_the_overall_rate_holds_for_urgent_and_other_calls_alike() -> None:
    clock = FakeClock()
    limiter = PriorityRateLimiter(29, clock=clock)
    calls = Calls(limiter)
    tasks = [calls.call(f"m{n}", chat_id=n, limit_args={"urgent": n % 3 == 0}) for n in range(300)]
    await _spin()
    assert len(calls.through) == 29, "a burst of one second's worth"
    for step in range(1, 101):  # five seconds in 50 ms steps
        _tick(limiter, clock, 0.05)
        await _spin()
        elapsed = step * 0.05
        assert len(calls.through) <= 29 + 29 * elapsed + 1e-9
    assert len(calls.through) >= 29 + 29 * 5 - 1
    # After the first second's burst, every waiting urgent call went before the others.
    after_burst = calls.through[29:]
    urgent = [f"m{n}" for n in range(29, 300) if n % 3 == 0]
    assert after_burst[: len(urgent)] == urgent
    assert all(int(name[1:]) % 3 for name in after_burst[len(urgent) :])
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert limiter.queued == 0


async def test_a_group_out_of_budget_holds_up_no_one_else() -> None:
    clock = FakeClock()
    limiter = PriorityRateLimiter(29, group_rate=1 / 3, group_burst=1, clock=clock)
    calls = Calls(limiter)
    tasks = [calls.call("team1", chat_id=-100), calls.call("team2", chat_id=-100)]
    await _spin()
    tasks += [calls.call("coach", chat_id=5), calls.call("client", chat_id=6)]
    await _spin()
    assert calls.through == ["team1", "coach", "client"]
    _tick(limiter, clock, 3.0)
    await asyncio.gather(*tasks)
    assert calls.through[-1] == "team2"


async def test_a_private_chat_budget_when_asked_for() -> None:
    clock = FakeClock()
    limiter = PriorityRateLimiter(29, per_chat_rate=1, per_chat_burst=2, clock=clock)
    calls = Calls(limiter)
    tasks = [calls.call(f"flood{n}", chat_id=7) for n in range(4)]
    tasks.append(calls.call("other", chat_id=8))
    await _spin()
    assert calls.through == ["flood0", "flood1", "other"]
    _tick(limiter, clock, 1.0)
    await _spin()
    assert calls.through[-1] == "flood2"
    _tick(limiter, clock, 1.0)
    await asyncio.gather(*tasks)
    assert calls.through[-1] == "flood3"


async def test_calls_without_a_chat_are_not_limited() -> None:
    clock = FakeClock()
    limiter = PriorityRateLimiter(1, burst=1, clock=clock)
    calls = Calls(limiter)
    await calls.call("sendMessage", chat_id=1)
    answers = [calls.call(f"answerCallbackQuery{n}", chat_id=None) for n in range(5)]
    await asyncio.gather(*answers)
    assert len(calls.through) == 6


async def test_a_cancelled_waiting_call_leaves_the_queue() -> None:
    clock = FakeClock()
    limiter = PriorityRateLimiter(10, burst=1, clock=clock)
    calls = Calls(limiter)
    await calls.call("first")
    waiting = calls.call("gave up")
    await _spin()
    assert limiter.queued == 1
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert limiter.queued == 0
    _tick(limiter, clock, 0.1)
    await calls.call("next")
    assert calls.through == ["first", "next"]
    await limiter.shutdown()


async def test_the_real_clock_hands_out_tokens_by_itself() -> None:
    limiter = PriorityRateLimiter(1000, burst=1)
    calls = Calls(limiter)
    await asyncio.wait_for(asyncio.gather(*(calls.call(f"m{n}") for n in range(5))), 10)
    assert len(calls.through) == 5
