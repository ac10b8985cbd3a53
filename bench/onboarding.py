"""Benchmark: many clients joining at once, through the sandbox over HTTP, on SQLite.

Prints wall time, updates handled per second, Bot API calls per second against the 30/s
limit (sends, edits and callback answers all count), CPU seconds per joined client and peak memory.
Run with ``make bench`` or ``.venv/bin/python bench/onboarding.py [clients] [database-url]``.
Figures only; never part of the test run's pass/fail.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from bot import admin
from bot.app import build_application
from bot.clock import SystemClock
from bot.guard import Guard
from bot.runner import polling
from bot.sandbox import SimUser, TelegramSandbox
from bot.settings import Settings
from storage.database import Database
from storage.migrate import upgrade


async def _join(client: SimUser, token: str) -> None:
    await client.open_deep_link(token)
    await client.next_message(timeout=120)
    await client.next_message(timeout=120)
    await client.press("Ja, dat is goed")
    await client.next_message(timeout=120)
    await client.press("Nee, alleen tekst")
    for _ in range(3):
        await client.next_message(timeout=120)


async def main(clients: int, database_url: str | None) -> None:
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as data_dir:
        async with TelegramSandbox(bot_username="bench_bot") as sandbox:
            settings = Settings(
                telegram_bot_token=SecretStr(sandbox.bot_token),
                telegram_api_url=sandbox.api_root,
                data_dir=Path(data_dir),
                database_url=database_url,
            )
            database = Database(settings.resolved_database_url)
            upgrade(database.engine)
            application = build_application(
                settings, clock=SystemClock(), database=database, guard=Guard()
            )
            async with polling(application):
                issued = admin.invite_coach(
                    database,
                    settings,
                    name="Anna",
                    bot_username="bench_bot",
                    now=SystemClock().now(),
                )
                anna = sandbox.user(first_name="Anna")
                await anna.open_deep_link(issued.link.split("start=")[1])
                await anna.next_message()
                tokens = []
                for number in range(clients):
                    await anna.send_text(f"/nieuw Client{number}")
                    text = await anna.next_message(timeout=60)
                    await anna.next_message(timeout=60)
                    link = next(w for w in (text.text or "").split() if "start=" in w)
                    tokens.append(link.split("start=")[1])
                people = [sandbox.user(first_name=f"Client{n}") for n in range(clients)]
                calls_before = len(sandbox.calls)
                cpu_before, wall_before = time.process_time(), time.perf_counter()
                await asyncio.gather(*(_join(p, t) for p, t in zip(people, tokens, strict=True)))
                wall = time.perf_counter() - wall_before
                cpu = time.process_time() - cpu_before
                api_calls = len(sandbox.calls) - calls_before
            database.dispose()
    updates = clients * 3
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "postgresql" if database_url and "postgres" in database_url else "sqlite"
    print(f"onboarding benchmark ({backend}, sandbox and bot in one process, 2 cores)")
    print(f"  clients joined concurrently : {clients}")
    print(f"  wall time                   : {wall:.2f} s")
    print(f"  updates handled per second  : {updates / wall:.0f}")
    print(f"  bot messages per second     : {clients * 6 / wall:.0f}")
    print(
        f"  Bot API calls per second    : {api_calls / wall:.0f} (rate limiter: 30/s, Telegram's)"
    )
    print(f"  CPU per joined client       : {cpu / clients * 1000:.1f} ms (bot + sandbox)")
    print(f"  peak memory                 : {peak_mib:.0f} MiB")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    asyncio.run(main(count, sys.argv[2] if len(sys.argv) > 2 else None))
