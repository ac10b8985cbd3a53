"""Benchmark: CPU per handled update, Waakvlam against a bare python-telegram-bot echo bot.

Both run in this one process against the same sandbox over HTTP, one after the other, so the
sandbox's own share is in both figures. The echo bot answers each text with the same text;
Waakvlam handles the same number of updates of three kinds a client sends: opening a check-in
from the menu ("📋 Hoe gaat het?"), answering its first question with a grade button, and a
text that goes to the coach. Issue 13's goal: Waakvlam at most 2x the echo bot per update.

    .venv/bin/python -m bench.cpu_per_update [updates] [sqlite|postgresql]
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest
from telegram_sandbox import SimUser, TelegramSandbox

from bench._harness import backend, running_bot, temporary_database
from bot.runner import polling
from storage import people
from storage.models import ClientStatus

MENU_CHECKIN = "📋 Hoe gaat het?"


def _api_calls(sandbox: TelegramSandbox) -> int:
    """Bot API calls the bot made so far, long polls not counted."""
    return sum(1 for name, _ in sandbox.calls if name.lower() != "getupdates")


async def _cpu_per_update(
    people_: list[SimUser], act: Callable[[SimUser], Awaitable[Any]], replies_each: int
) -> float:
    """CPU seconds of this process per update, for one action by every person at once."""
    started = time.process_time()
    await asyncio.gather(*(act(person) for person in people_))
    await asyncio.gather(
        *(
            person.wait_until(lambda p=person: len(p.inbox) >= replies_each, timeout=120)
            for person in people_
        )
    )
    return (time.process_time() - started) / len(people_)


def _request() -> HTTPXRequest:
    return HTTPXRequest(connection_pool_size=32, httpx_kwargs={"trust_env": False})


async def echo_bot(updates: int) -> float:
    """A bare PTB bot that echoes every text: the floor any bot on this machine pays."""
    async with TelegramSandbox(bot_username="echo_bot", record_calls=False) as box:

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.message is not None and update.message.text is not None
            await update.message.reply_text(update.message.text)

        application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(box.bot_token)
            .base_url(f"{box.api_root}/bot")
            .base_file_url(f"{box.api_root}/file/bot")
            .request(_request())
            .get_updates_request(_request())
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT, echo))
        async with polling(application):
            warm = [box.user(first_name=f"W{n}") for n in range(10)]
            await _cpu_per_update(warm, lambda p: p.send_text("hoi"), 1)
            crowd = [box.user(first_name=f"E{n}") for n in range(updates)]
            return await _cpu_per_update(crowd, lambda p: p.send_text("hoi"), 1)


async def waakvlam(updates: int, database_url: str | None) -> dict[str, tuple[float, float]]:
    """Waakvlam handling the same number of updates, per kind of update: CPU seconds and Bot
    API calls per update."""
    async with running_bot(database_url, record_calls=True) as bench:
        sandbox, database, clock = bench.sandbox, bench.database, bench.clock
        crowd = [sandbox.user(first_name=f"Client{n}") for n in range(updates + 10)]
        with database.transaction() as session:
            for person in crowd:
                sandbox.state.chats[person.id].started = True
                client = people.add_client(
                    session, coach_id=bench.coach_id, name="Sam", language="nl", now=clock.now()
                )
                client.telegram_user_id = person.id
                client.status = ClientStatus.ACTIVE
                client.read_aloud = False
                client.relay_direct = True
                session.add(client)
        warm, crowd = crowd[:10], crowd[10:]
        await _cpu_per_update(warm, lambda p: p.send_text(MENU_CHECKIN), 1)
        figures = {}
        for label, act, replies in (
            ("open a check-in", _open_checkin, 1),
            ("answer with a grade", _press_grade, 2),
            ("text to the coach", _text_to_coach, 3),
        ):
            before = _api_calls(sandbox)
            cpu = await _cpu_per_update(crowd, act, replies)
            figures[label] = (cpu, (_api_calls(sandbox) - before) / len(crowd))
        return figures


async def _open_checkin(person: SimUser) -> None:
    await person.send_text(MENU_CHECKIN)


async def _press_grade(person: SimUser) -> None:
    await person.press("7")


async def _text_to_coach(person: SimUser) -> None:
    await person.send_text("Ik heb een vraag over een brief")


async def main(updates: int, kind: str) -> None:
    echo = await echo_bot(updates)
    with temporary_database(kind) as url:
        figures = await waakvlam(updates, url)
    print(
        f"CPU per handled update ({backend(url)}, {updates} updates each, bot + sandbox "
        "in one process, 2 cores)"
    )
    print(f"  bare PTB echo bot          : {echo * 1000:6.1f} ms   (1 Bot API call per update)")
    for label, (cpu, calls) in figures.items():
        print(
            f"  waakvlam, {label:<19}: {cpu * 1000:6.1f} ms  ({cpu / echo:4.1f}x the echo bot;"
            f" {calls:.1f} Bot API calls, {cpu / calls / echo:4.1f}x per call)"
        )


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(int(args[0]) if args else 300, args[1] if len(args) > 1 else "sqlite"))
