"""Getting updates: a PTB Application polling, getUpdates semantics, webhooks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram_sandbox import TelegramSandbox

pytestmark = pytest.mark.asyncio

BotFactory = Callable[..., Awaitable[Bot]]


def texts(updates: Sequence[Update]) -> list[str | None]:
    return [u.message.text if u.message else None for u in updates]


def build_app(sandbox: TelegramSandbox) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(sandbox.bot_token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .request(HTTPXRequest(httpx_kwargs={"trust_env": False}))
        .get_updates_request(HTTPXRequest(httpx_kwargs={"trust_env": False}))
        .build()
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(
        update.message.text,
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Nog eens", callback_data="again")]]
        ),
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"start:{' '.join(context.args or [])}")


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Opnieuw")
    await query.edit_message_text("Nog een keer")


async def test_a_polling_application_echoes_to_the_person(
    sandbox: TelegramSandbox,
) -> None:
    app = build_app(sandbox)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(again))
    anna = sandbox.user("Anna")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        try:
            await anna.open_deep_link("invite-123")
            assert (await anna.next_message()).text == "start:invite-123"
            await anna.send_text("hallo bot")
            answer = await anna.next_message()
            assert answer.text == "hallo bot"
            assert answer.buttons == [["Nog eens"]]
            await anna.press("Nog eens")
            await anna.wait_until(
                lambda: answer.text == "Nog een keer" and bool(anna.callback_answers)
            )
            assert anna.callback_answers[0].text == "Opnieuw"
        finally:
            await app.updater.stop()
            await app.stop()
    assert sandbox.pending_updates == 0  # PTB confirmed everything on its way out
    assert sandbox.calls_to("deleteWebhook")  # PTB's polling start-up


async def test_unconfirmed_updates_are_delivered_again_after_a_reconnect(
    sandbox: TelegramSandbox, bot: Bot, bot_factory: BotFactory
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("een")
    await anna.send_text("twee")

    first = await bot.get_updates()
    assert texts(first) == ["een", "twee"]
    assert first[1].update_id == first[0].update_id + 1

    restarted = await bot_factory()
    again = await restarted.get_updates()
    assert [u.update_id for u in again] == [u.update_id for u in first]

    confirmed = await restarted.get_updates(offset=first[0].update_id + 1)
    assert texts(confirmed) == ["twee"]
    assert await restarted.get_updates(offset=first[1].update_id + 1) == ()
    assert sandbox.pending_updates == 0


async def test_offset_limit_and_negative_offset(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    for word in ("a", "b", "c", "d"):
        await anna.send_text(word)

    assert texts(await bot.get_updates(limit=2)) == ["a", "b"]
    assert texts(await bot.get_updates(offset=-1)) == ["d"]
    assert sandbox.pending_updates == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna")
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=35))
    await sandbox.wait_for_call("getUpdates")

    await anna.send_text("wakker worden")

    updates = await asyncio.wait_for(poll, timeout=2)
    assert texts(updates) == ["wakker worden"]


async def test_a_second_long_poll_ends_the_first_with_conflict(
    sandbox: TelegramSandbox, bot: Bot, bot_factory: BotFactory
) -> None:
    other = await bot_factory()
    anna = sandbox.user("Anna")
    first = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=35))
    await sandbox.wait_for_call("getUpdates")
    second = asyncio.create_task(other.get_updates(timeout=30, read_timeout=35))

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=2)
    await anna.send_text("hoi")
    assert texts(await asyncio.wait_for(second, timeout=2)) == ["hoi"]


async def test_allowed_updates_filters_new_updates(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    sent = await bot.send_message(
        anna.id,
        "Kies",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    updates = await bot.get_updates(allowed_updates=["callback_query"])

    await anna.send_text("genegeerd")
    await anna.press("A", message=sent.message_id)

    fresh = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert [u.callback_query.data for u in fresh if u.callback_query] == ["a"]
    assert all(u.message is None for u in fresh)


async def test_edited_message_update(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    original = await anna.send_text("Ik voel me goeed")

    await anna.edit_message(original["message_id"], "Ik voel me goed")

    updates = await bot.get_updates()
    edited = updates[-1].edited_message
    assert edited is not None
    assert edited.message_id == original["message_id"]
    assert edited.text == "Ik voel me goed" and edited.edit_date is not None


@dataclass
class Receiver:
    """A small webhook endpoint that records what it got and can fail on purpose."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    fail_next: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        self.changed.set()
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=500)
        self.bodies.append(json.loads(await request.read()))
        return web.Response(text="ok")

    async def wait_for(self, count: int) -> None:
        while len(self.bodies) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), timeout=5)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    found.url = f"http://127.0.0.1:{port}/hook"
    yield found
    await runner.cleanup()


async def test_webhook_delivery_with_secret_retry_and_order(
    sandbox: TelegramSandbox, bot: Bot, receiver: Receiver
) -> None:
    anna, bram = sandbox.user("Anna"), sandbox.user("Bram")
    await anna.send_text("van voor de webhook")
    receiver.fail_next = 1

    assert await bot.set_webhook(receiver.url, secret_token="geheim_123")
    for n in range(5):
        await anna.send_text(f"anna {n}")
    await bram.send_text("bram")
    await receiver.wait_for(7)

    delivered = [b["message"]["text"] for b in receiver.bodies]
    # the first delivery failed with 500 and was retried; Anna's updates kept their
    # order
    assert [t for t in delivered if t != "bram"] == ["van voor de webhook"] + [
        f"anna {n}" for n in range(5)
    ]
    assert set(receiver.secrets) == {"geheim_123"}
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()

    assert await bot.delete_webhook()
    await anna.send_text("weer polling")
    assert texts(await bot.get_updates()) == ["weer polling"]


async def test_delete_webhook_can_drop_pending_updates(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("weg ermee")

    assert await bot.delete_webhook(drop_pending_updates=True)

    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).url == ""
