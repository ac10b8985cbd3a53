"""Injected faults and optional rate limits, to test how the bot copes with a bad day.

`Faults` holds rules set by tests: answer the next N calls of a method with an error
(429 with `retry_after`, 500, 502, ...), answer them late, or drop the connection. A
dropped call is dropped *before* it is applied: the bot sees a network error and nothing
happened on the Telegram side. A delayed call *is* applied after the delay, even if the
client gave up waiting, which is how a timed-out request can still have been executed by
Telegram. A test awaits `Faults.wait_matched()` to know a call has come in and been caught
(a delayed one is then being held) instead of polling; this is test tooling, Telegram answers
the same either way.

`RateLimiter` answers 429 like Telegram when a bot sends faster than a per-chat or
global rate (token buckets; off by default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from telegram_sandbox.errors import ApiError, NoMessageError
from telegram_sandbox.state import Signal, wait_until

__all__ = ["FaultDecision", "Faults", "RateLimiter", "error_for_status"]

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
#: Methods a rate limit applies to: everything that sends or changes a message.
RATE_LIMITED = frozenset(
    {
        "sendMessage",
        "sendVoice",
        "sendAudio",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendVideoNote",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)


def error_for_status(
    status: int, retry_after: int | None = None, description: str | None = None
) -> ApiError:
    """The error Telegram answers with this status (429 carries `retry_after`)."""
    if status == 429:
        seconds = retry_after if retry_after is not None else 1
        return ApiError(
            429,
            description or f"Too Many Requests: retry after {seconds}",
            {"retry_after": seconds},
        )
    default = _DESCRIPTIONS.get(status)
    if default is None:
        try:
            default = HTTPStatus(status).phrase
        except ValueError:
            default = "Error"
    return ApiError(status, description or default)


@dataclass
class _Rule:
    action: Literal["fail", "delay", "drop"]
    method: str
    remaining: int | None
    chat_id: int | str | None
    error: ApiError | None = None
    seconds: float = 0.0

    def matches(self, method: str, chat_id: Any) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method not in ("*", method.lower()):
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one call: wait first, then answer an error, drop, or go ahead."""

    delay: float = 0.0
    error: ApiError | None = None
    drop: bool = False


_NO_FAULT = FaultDecision()


class Faults:
    """Fault rules; a matching call uses up one of a rule's `times` (None: forever)."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._matched = 0
        self._signal = Signal()

    def fail(
        self,
        method: str = "*",
        status: int = 500,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: int | str | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` ("*": any) with an HTTP error."""
        error = error_for_status(status, retry_after, description)
        self._rules.append(_Rule("fail", method.lower(), times, chat_id, error=error))

    def delay(
        self,
        method: str = "*",
        seconds: float = 0.5,
        times: int | None = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next `times` calls late; they are still applied."""
        self._rules.append(_Rule("delay", method.lower(), times, chat_id, seconds=seconds))

    def drop(
        self, method: str = "*", times: int | None = 1, chat_id: int | str | None = None
    ) -> None:
        """Close the next `times` calls' connections; they are not applied."""
        self._rules.append(_Rule("drop", method.lower(), times, chat_id))

    def clear(self) -> None:
        """Remove every rule and start counting `matched` from 0 again."""
        self._rules.clear()
        self._matched = 0

    @property
    def matched(self) -> int:
        """Calls a rule caught (failed, delayed or dropped) since the start or `clear()`."""
        return self._matched

    async def wait_matched(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (a waiting deadline, part of the test API)
    ) -> None:
        """Wait until `matched` reaches `count`: that many calls have come in and been caught,
        a delayed one is then being held. Raises NoMessageError (a TimeoutError) after `timeout`
        seconds, as `TelegramSandbox.wait_for_call` does.

        The server runs on the event loop of whoever started the sandbox and `decide` runs
        there too, so this must be awaited on that same loop (as tests do).
        """

        def reached() -> bool | None:
            return True if self._matched >= count else None

        if await wait_until(self._signal, reached, timeout) is None:
            raise NoMessageError(
                f"{self._matched} of {count} calls caught by a fault rule within {timeout} s"
            )

    def decide(self, method: str, chat_id: Any) -> FaultDecision:
        """Consume the rules matching this call and say what to do with it."""
        if not self._rules:
            return _NO_FAULT
        delay = 0.0
        caught = False
        for rule in self._rules:
            if not rule.matches(method, chat_id):
                continue
            caught = True
            if rule.remaining is not None:
                rule.remaining -= 1
            if rule.action == "delay":
                delay += rule.seconds
                continue
            self._prune()
            self._count_caught()
            return FaultDecision(delay, rule.error, rule.action == "drop")
        self._prune()
        if caught:
            self._count_caught()
        return FaultDecision(delay) if delay else _NO_FAULT

    def _count_caught(self) -> None:
        self._matched += 1
        self._signal.notify()

    def _prune(self) -> None:
        self._rules = [r for r in self._rules if r.remaining is None or r.remaining > 0]


class _Bucket:
    __slots__ = ("stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class RateLimiter:
    """Token buckets per chat and per bot; `check` gives a retry_after or None."""

    def __init__(self) -> None:
        self.per_chat: float | None = None
        self.global_rate: float | None = None
        self._chats: dict[Any, _Bucket] = {}
        self._global: _Bucket | None = None

    @property
    def enabled(self) -> bool:
        return self.per_chat is not None or self.global_rate is not None

    def configure(self, per_chat: float | None, global_rate: float | None) -> None:
        """Set the limits in messages per second (None switches a limit off)."""
        self.per_chat, self.global_rate = per_chat, global_rate
        self._chats.clear()
        self._global = None

    @staticmethod
    def _refill(bucket: _Bucket, rate: float, now: float) -> None:
        bucket.tokens = min(max(rate, 1.0), bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now

    def check(self, chat_key: Any, now: float) -> int | None:
        """Take a token from both buckets, or return how many seconds to wait."""
        buckets: list[tuple[_Bucket, float]] = []
        if self.global_rate is not None:
            if self._global is None:
                self._global = _Bucket(max(self.global_rate, 1.0), now)
            buckets.append((self._global, self.global_rate))
        if self.per_chat is not None:
            key = str(chat_key)
            bucket = self._chats.get(key)
            if bucket is None:
                bucket = self._chats[key] = _Bucket(max(self.per_chat, 1.0), now)
            buckets.append((bucket, self.per_chat))
        wait = 0.0
        for bucket, rate in buckets:
            self._refill(bucket, rate, now)
            if bucket.tokens < 1.0:
                wait = max(wait, (1.0 - bucket.tokens) / rate)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket, _rate in buckets:
            bucket.tokens -= 1.0
        return None
