"""What every benchmark starts with: the sandbox (in this process, ``running_bot``, or in one of
its own, ``running_bot_apart``, to measure the bot alone), a migrated database, the real bot
polling, and a registered coach. Benchmarks print figures; none of this is part of the tests."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from sqlalchemy import create_engine, text

from bench._sandbox_process import SandboxProcess
from bot import admin
from bot.app import build_application
from bot.clock import Clock, SystemClock
from bot.runner import polling, settle_heap
from bot.settings import Settings
from storage.database import Database
from storage.migrate import bring_up_to_date

if TYPE_CHECKING:  # a bot with the sandbox apart never loads it (bench/checkin_fanout.py)
    from telegram_sandbox import SimUser, TelegramSandbox

__all__ = ["Bench", "BenchApart", "running_bot", "running_bot_apart"]

BOT_USERNAME = "bench_bot"


@dataclass
class Bench:
    sandbox: TelegramSandbox
    settings: Settings
    database: Database
    application: Any
    coach: SimUser
    coach_id: int
    clock: Clock

    @property
    def service(self) -> Any:
        return self.application.bot_data["service"]


@asynccontextmanager
async def running_bot(
    database_url: str | None, *, record_calls: bool, clock: Clock | None = None
) -> AsyncIterator[Bench]:
    """A bot with coach Anna registered. Give PostgreSQL a database of its own.

    ``clock``: what the bot reads the time from (default: the system clock)."""
    from telegram_sandbox import TelegramSandbox

    clock = clock or SystemClock()
    async with TelegramSandbox(bot_username=BOT_USERNAME, record_calls=record_calls) as box:

        async def coach_joins(token: str) -> SimUser:
            coach = box.user(first_name="Anna")
            await coach.open_deep_link(token)
            await coach.next_message()
            return coach

        async with _bot(box.api_root, box.bot_token, database_url, clock, coach_joins) as bot:
            settings, database, application, (coach, coach_id) = bot
            yield Bench(box, settings, database, application, coach, coach_id, clock)


@dataclass
class BenchApart:
    """A bot in this process; the sandbox in a child process (bench/_sandbox_process.py)."""

    sandbox: SandboxProcess
    settings: Settings
    database: Database
    application: Any
    coach_chat_id: int
    coach_id: int
    clock: Clock

    @property
    def service(self) -> Any:
        return self.application.bot_data["service"]


@asynccontextmanager
async def running_bot_apart(
    database_url: str | None, *, record_calls: bool, clock: Clock | None = None
) -> AsyncIterator[BenchApart]:
    """As ``running_bot``, with the sandbox serving from a process of its own."""
    clock = clock or SystemClock()
    options = {"bot_username": BOT_USERNAME, "record_calls": record_calls}
    async with SandboxProcess(**options) as box:

        async def coach_joins(token: str) -> int:
            return int(await box.call(coach_opens_link, token))

        async with _bot(box.api_root, box.bot_token, database_url, clock, coach_joins) as bot:
            settings, database, application, (chat_id, coach_id) = bot
            yield BenchApart(box, settings, database, application, chat_id, coach_id, clock)


async def coach_opens_link(sandbox: TelegramSandbox, token: str) -> int:
    """In the sandbox: Anna opens her invite link and reads the welcome; her chat id."""
    coach = sandbox.user(first_name="Anna")
    await coach.open_deep_link(token)
    await coach.next_message()
    return coach.id


@asynccontextmanager
async def _bot(
    api_root: str,
    bot_token: str,
    database_url: str | None,
    clock: Clock,
    coach_joins: Callable[[str], Awaitable[Any]],
) -> AsyncIterator[tuple[Settings, Database, Any, tuple[Any, int]]]:
    """The bot polling ``api_root`` on a migrated database, once coach Anna joined."""
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            telegram_bot_token=SecretStr(bot_token),
            telegram_api_url=api_root,
            data_dir=Path(data_dir),
            database_url=database_url,
        )
        database = Database(settings.resolved_database_url)
        bring_up_to_date(database.engine)  # as `waakvlam run` does
        application = build_application(settings, clock=clock, database=database)
        try:
            async with polling(application):
                issued = admin.invite_coach(
                    database, settings, name="Anna", bot_username=BOT_USERNAME, now=clock.now()
                )
                coach = await coach_joins(issued.link.split("start=")[1])
                settle_heap()  # as `waakvlam run` does once started
                yield settings, database, application, (coach, issued.coach_id)
        finally:
            database.dispose()


POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def backend(database_url: str | None) -> str:
    return "postgresql" if database_url and "postgres" in database_url else "sqlite"


@contextmanager
def temporary_database(kind: str, server: str = POSTGRES_SERVER) -> Iterator[str | None]:
    """None for SQLite (the harness's temporary data dir); a fresh PostgreSQL database else."""
    if kind == "sqlite":
        yield None
        return
    name = f"waakvlam_bench_{os.getpid()}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield f"{server}/{name}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


Measure = Callable[[str, "str | None", argparse.Namespace], Awaitable[None]]


def run_per_database(
    doc: str | None, measure: Measure, options: Callable[[argparse.ArgumentParser], None]
) -> None:
    """The command line of a benchmark that runs on SQLite, PostgreSQL or both
    (``--database``, ``--postgres-server``) with options of its own, each database new."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-server", default=POSTGRES_SERVER)
    options(parser)
    args = parser.parse_args()

    async def run() -> None:
        kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
        for kind in kinds:
            with temporary_database(kind, args.postgres_server) as url:
                await measure(kind, url, args)

    asyncio.run(run())
    sys.stdout.flush()
