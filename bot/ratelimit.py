"""The bot's one rate limiter: Telegram's limits hold, and an alert never waits behind a queue.

PTB's ``AIORateLimiter`` serves calls first come, first served: a noodknop alert queued
behind sixty direct replies waited two seconds. ``PriorityRateLimiter`` keeps the same
budget (29 messages/s overall by default, a token bucket with a burst of as many; group chats
20 a minute; optionally a rate per private chat), but hands out each free token to an
*urgent* waiting call first: one marked ``rate_limit_args={"urgent": True}`` (the outbox's
alert rows, a client's own noodknop replies) or made while ``bot.urgency`` marks the task
urgent. Among the others, first come, first served. A waiting call whose chat has used up its
own budget never holds up calls for other chats.

Like PTB's limiter it limits only calls that carry a ``chat_id`` (what sends or changes a
message), retries nothing (a 429 reaches the caller: the outbox and the direct-reply path
handle it), and keeps no state per chat beyond the chats with a budget of their own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import BaseRateLimiter

from bot.urgency import is_urgent

__all__ = ["PriorityRateLimiter"]

log = logging.getLogger(__name__)

GROUP_RATE = 20 / 60  # messages per second in one group chat (Telegram: 20 a minute)
GROUP_BURST = 20.0


class _Bucket:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` saved up."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, now

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self) -> float:
        """Seconds until one token is there (0 when there is one)."""
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    @property
    def full(self) -> bool:
        return self.tokens >= self.burst


@dataclass
class _Waiter:
    future: asyncio.Future[None]
    chat: Any
    urgent: bool


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Telegram's flood limits as token buckets; urgent calls take the next token first.

    ``overall_rate``: messages/s for the whole bot (``burst``: saved-up tokens, default as
    many as one second's worth). ``per_chat_rate``/``per_chat_burst``: a budget per private
    chat too (default off, as in PTB's limiter: Telegram tolerates short bursts in a private
    chat and answers a longer flood with a 429 the callers handle). ``clock``: seconds, for
    tests.
    """

    def __init__(
        self,
        overall_rate: float = 29.0,
        *,
        burst: float | None = None,
        per_chat_rate: float | None = None,
        per_chat_burst: float = 3.0,
        group_rate: float = GROUP_RATE,
        group_burst: float = GROUP_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if overall_rate <= 0:
            raise ValueError("overall_rate must be positive")
        self.overall_rate = overall_rate
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.group_rate = group_rate
        self.group_burst = group_burst
        self._clock = clock
        self._overall = _Bucket(overall_rate, burst or max(1.0, overall_rate), clock())
        self._chats: dict[Any, _Bucket] = {}
        self._urgent: list[_Waiter] = []
        self._normal: list[_Waiter] = []
        self._timer: asyncio.TimerHandle | None = None
        #: calls that waited, and of those, urgent ones (for benchmarks and tests)
        self.waited = 0
        self.urgent_calls = 0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    @property
    def queued(self) -> int:
        """Calls waiting for a token now."""
        return len(self._urgent) + len(self._normal)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat = data.get("chat_id")
        if chat is not None:
            urgent = bool(rate_limit_args and rate_limit_args.get("urgent")) or is_urgent()
            await self.acquire(str(chat), urgent=urgent)
        return await callback(*args, **kwargs)

    # -- the buckets ------------------------------------------------------------------------

    def _chat_bucket(self, chat: Any, now: float) -> _Bucket | None:
        """The chat's own budget: a group's always, a private chat's when configured."""
        bucket = self._chats.get(chat)
        if bucket is not None:
            return bucket
        if str(chat).startswith(("-", "@")):
            rate, burst = self.group_rate, self.group_burst
        elif self.per_chat_rate:
            rate, burst = self.per_chat_rate, self.per_chat_burst
        else:
            return None
        if len(self._chats) > 1024:  # forget the budgets that are full again
            waiting = {w.chat for w in (*self._urgent, *self._normal)}
            for key, old in list(self._chats.items()):
                old.refill(now)
                if old.full and key not in waiting:
                    del self._chats[key]
        bucket = self._chats[chat] = _Bucket(rate, burst, now)
        return bucket

    def _ready(self, chat: Any, now: float) -> bool:
        bucket = self._chat_bucket(chat, now)
        if bucket is None:
            return True
        bucket.refill(now)
        return bucket.tokens >= 1.0

    def _take(self, chat: Any) -> None:
        self._overall.tokens -= 1.0
        bucket = self._chats.get(chat)
        if bucket is not None:
            bucket.tokens -= 1.0

    async def acquire(self, chat: Any, *, urgent: bool = False) -> None:
        """Wait for a token to send to ``chat``; urgent callers are served first."""
        if urgent:
            self.urgent_calls += 1
        now = self._clock()
        self._overall.refill(now)
        waiting = self._urgent if urgent else (self._urgent or self._normal)
        if not waiting and self._overall.tokens >= 1.0 and self._ready(chat, now):
            self._take(chat)
            return
        self.waited += 1
        waiter = _Waiter(asyncio.get_running_loop().create_future(), chat, urgent)
        (self._urgent if urgent else self._normal).append(waiter)
        self._dispatch()
        try:
            await waiter.future
        except asyncio.CancelledError:
            for queue in (self._urgent, self._normal):
                if waiter in queue:
                    queue.remove(waiter)
            raise

    def _next(self, queue: list[_Waiter], now: float) -> _Waiter | None:
        """The first waiter in ``queue`` whose chat has a token (dropping cancelled ones)."""
        for waiter in list(queue):
            if waiter.future.done():
                queue.remove(waiter)
                continue
            if self._ready(waiter.chat, now):
                queue.remove(waiter)
                return waiter
        return None

    def _dispatch(self) -> None:
        """Hand out the tokens there are, urgent waiters first; wake up for the next one."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._clock()
        self._overall.refill(now)
        while self._overall.tokens >= 1.0:
            waiter = self._next(self._urgent, now) or self._next(self._normal, now)
            if waiter is None:
                break
            self._take(waiter.chat)
            waiter.future.set_result(None)
        if not self._urgent and not self._normal:
            return
        delay = self._overall.wait()
        if delay == 0.0:
            # A token is there, but every waiting chat has spent its own budget.
            delays = [
                bucket.wait()
                for waiter in (*self._urgent, *self._normal)
                if (bucket := self._chats.get(waiter.chat)) is not None
            ]
            delay = min(delays, default=0.01)
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(max(delay, 0.001), self._dispatch)
