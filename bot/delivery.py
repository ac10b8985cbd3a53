"""Sends one rendered reply to one chat, riding out Telegram's hiccups.

429 waits the ``retry_after`` Telegram asks for; timeouts and 5xx retry with backoff; 403
(blocked, never started) is permanent and reported as ``None``. Alerts and relayed messages
get the durable outbox in a later slice; onboarding replies are interactive and use this.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.render import RenderedReply

__all__ = ["send_rendered"]

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send_rendered(bot: Bot, chat_id: int, reply: RenderedReply) -> Message | None:
    for attempt, backoff in enumerate((*BACKOFF_SECONDS, None)):
        try:
            if reply.picture is not None:
                return await bot.send_photo(
                    chat_id, photo=reply.picture, caption=reply.text, reply_markup=reply.markup
                )
            return await bot.send_message(chat_id, reply.text, reply_markup=reply.markup)
        except Forbidden:
            log.warning("chat %s cannot be reached (blocked or never started)", chat_id)
            return None
        except RetryAfter as error:
            if backoff is None:
                raise
            wait = _seconds(error.retry_after)
            log.info("telegram asked to wait %.1fs (attempt %d)", wait, attempt + 1)
            await asyncio.sleep(wait)
        except BadRequest:
            raise
        except NetworkError as error:
            if backoff is None:
                raise
            log.info("send failed (%s), retrying in %.1fs", type(error).__name__, backoff)
            await asyncio.sleep(backoff)
    raise AssertionError("unreachable")
