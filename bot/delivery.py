"""Calls the Bot API riding out Telegram's hiccups, and sends one rendered reply.

429 waits the ``retry_after`` Telegram asks for; timeouts and 5xx retry with backoff; 403
(blocked, never started) and 400 are final and raised at once. Interactive replies use
``send_rendered`` directly; what must survive a crash goes through the outbox worker, which
uses the same ``call_with_retries``.

A text goes out as the Bot API takes it (``bot.do_api_request``): the bot needs only the sent
message's id, and python-telegram-bot's ``send_message`` turns the whole sent message back into
objects and every keyboard into a dict through its generic ``to_dict``. Together that was about
half of the event loop's CPU per update (``bench/cpu_per_update.py --profile``).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBUserWarning

from bot.render import InlineKeyboard, Markup, RenderedReply
from bot.urgency import limit_kwargs

__all__ = [
    "RAW_CALL_WARNING",
    "call_raw",
    "call_with_retries",
    "markup_json",
    "send_rendered",
    "send_rendered_or_raise",
    "telegram_markup",
]

log = logging.getLogger(__name__)

#: python-telegram-bot asks to use its own method when ``do_api_request`` names one it has;
#: these calls are raw on purpose (see the module's docstring). pyproject.toml's pytest
#: ``filterwarnings`` repeats it: pytest puts its own filters in front of this one.
RAW_CALL_WARNING = r"Please use 'Bot\.(sendMessage|editMessageText)'"
warnings.filterwarnings("ignore", message=RAW_CALL_WARNING, category=PTBUserWarning)

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
) -> int:
    """Send a reply; the sent message's id.

    ``urgent``: the rate limiter lets it go before queued non-urgent calls (alerts).
    ``silent``: it arrives without a sound (a routine notice, ``bot.loudness``)."""
    limit = limit_kwargs(bot, urgent)

    async def send() -> int:
        if reply.document is not None:
            name, data = reply.document
            sent = await bot.send_document(
                chat_id,
                document=InputFile(data, filename=name),
                caption=reply.text,
                reply_markup=telegram_markup(reply.markup),
                disable_notification=silent,
                **limit,
            )
            return sent.message_id
        if reply.picture is not None:
            sent = await bot.send_photo(
                chat_id,
                photo=reply.picture,
                caption=reply.text,
                reply_markup=telegram_markup(reply.markup),
                disable_notification=silent,
                **limit,
            )
            return sent.message_id
        params: dict[str, Any] = {"chat_id": chat_id, "text": reply.text}
        if reply.markup is not None:
            params["reply_markup"] = markup_json(reply.markup)
        if silent:
            params["disable_notification"] = True
        message = await call_raw(bot, "sendMessage", params, urgent=urgent)
        return int(message["message_id"])

    return await call_with_retries(send, wait_on_rate_limit=wait_on_rate_limit)


async def call_raw(bot: Bot, method: str, params: dict[str, Any], *, urgent: bool = False) -> Any:
    """A Bot API call with its parameters as the Bot API takes them; its result as Telegram
    sends it (a dict for a message). Through the rate limiter like every call."""
    return await bot.do_api_request(method, api_kwargs=params, **limit_kwargs(bot, urgent))


def markup_json(markup: Markup) -> dict[str, Any]:
    """A keyboard as the Bot API takes it. Inline buttons carry a label and their data, and
    nothing else (``bot.render.inline_markup``); other keyboards are rare and go through
    python-telegram-bot's own ``to_dict``."""
    if isinstance(markup, InlineKeyboard):
        return {
            "inline_keyboard": [
                [{"text": label, "callback_data": data} for label, data in row]
                for row in markup.rows
            ]
        }
    return markup.to_dict()


def telegram_markup(
    markup: Markup | None,
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """A keyboard as python-telegram-bot's methods take it (photos, documents, copies)."""
    return markup.as_telegram() if isinstance(markup, InlineKeyboard) else markup


async def send_rendered(
    bot: Bot,
    chat_id: int,
    reply: RenderedReply,
    *,
    wait_on_rate_limit: bool = True,
    urgent: bool = False,
) -> int | None:
    """Send an interactive reply; the sent message's id. A person who blocked the bot is
    logged, not raised (None)."""
    try:
        return await send_rendered_or_raise(
            bot, chat_id, reply, wait_on_rate_limit=wait_on_rate_limit, urgent=urgent
        )
    except Forbidden:
        log.warning("a chat cannot be reached (blocked or never started)")
        return None
