"""Calls the Bot API riding out Telegram's hiccups, and sends one rendered reply.

429 waits the ``retry_after`` Telegram asks for; timeouts and 5xx retry with backoff; 403
(blocked, never started) and 400 are final and raised at once. Interactive replies use
``send_rendered`` directly; what must survive a crash goes through the outbox worker, which
uses the same ``call_with_retries``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.render import RenderedReply
from bot.urgency import limit_kwargs

__all__ = ["call_with_retries", "send_rendered", "send_rendered_or_raise"]

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (0.5, 1.0, 2.0)
MAX_RETRY_AFTER = 60.0
T = TypeVar("T")


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def call_with_retries(
    call: Callable[[], Awaitable[T]], *, wait_on_rate_limit: bool = True
) -> T:
    """Run a Bot API call; retry 429 (as told) and transient network errors (with backoff).

    ``wait_on_rate_limit=False`` raises a 429 at once, for callers that can come back later."""
    network_failures = 0
    rate_limited = 0
    while True:
        try:
            return await call()
        except (Forbidden, BadRequest):
            raise
        except RetryAfter as error:
            rate_limited += 1
            if rate_limited > 5 or not wait_on_rate_limit:
                raise
            wait = min(_seconds(error.retry_after), MAX_RETRY_AFTER)
            log.info("telegram asked to wait %.1fs", wait)
            await asyncio.sleep(wait)
        except NetworkError as error:
            if network_failures >= len(BACKOFF_SECONDS):
                raise
            backoff = BACKOFF_SECONDS[network_failures]
            network_failures += 1
            log.info("call failed (%s), retrying in %.1fs", type(error).__name__, backoff)
            await asyncio.sleep(backoff)


async def send_rendered_or_raise(
    bot: Bot,
    chat_id: int,
    reply: RenderedReply,
    *,
    wait_on_rate_limit: bool = True,
    urgent: bool = False,
    silent: bool = False,
) -> Message:
    """``urgent``: the rate limiter lets it go before queued non-urgent calls (alerts).
    ``silent``: it arrives without a sound (a routine notice, ``bot.loudness``)."""
    limit = limit_kwargs(bot, urgent)

    async def send() -> Message:
        if reply.document is not None:
            name, data = reply.document
            return await bot.send_document(
                chat_id,
                document=InputFile(data, filename=name),
                caption=reply.text,
                reply_markup=reply.markup,
                disable_notification=silent,
                **limit,
            )
        if reply.picture is not None:
            return await bot.send_photo(
                chat_id,
                photo=reply.picture,
                caption=reply.text,
                reply_markup=reply.markup,
                disable_notification=silent,
                **limit,
            )
        return await bot.send_message(
            chat_id, reply.text, reply_markup=reply.markup, disable_notification=silent, **limit
        )

    return await call_with_retries(send, wait_on_rate_limit=wait_on_rate_limit)


async def send_rendered(
    bot: Bot,
    chat_id: int,
    reply: RenderedReply,
    *,
    wait_on_rate_limit: bool = True,
    urgent: bool = False,
) -> Message | None:
    """Send an interactive reply; a person who blocked the bot is logged, not raised."""
    try:
        return await send_rendered_or_raise(
            bot, chat_id, reply, wait_on_rate_limit=wait_on_rate_limit, urgent=urgent
        )
    except Forbidden:
        log.warning("a chat cannot be reached (blocked or never started)")
        return None
