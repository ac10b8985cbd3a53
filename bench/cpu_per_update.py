"""Benchmark: CPU per handled update, Waakvlam against a bare python-telegram-bot echo bot.

Both bots run in this process, one after the other, against the same kind of sandbox serving
from a process of its own (bench/_sandbox_process.py), so the figures are the bot's own CPU;
the sandbox's is printed beside them. The echo bot answers each text with the same text;
Waakvlam handles the same number of updates of three kinds a client sends: opening a check-in
from the menu ("📋 Hoe gaat het?"), answering its first question with a grade button, and a
text that goes to the coach. Issue 13's goal: Waakvlam at most 2x the echo bot per update.

The echo bot is python-telegram-bot as it comes (its HTTP client httpx). Waakvlam gives python-
telegram-bot another HTTP client (aiohttp, bot/transport.py), so the echo bot is measured over
that one too: what a call costs with Waakvlam's transport. More floors, each a bare PTB bot on a
sandbox of its own:

- the echo bot that first stores each message it gets (one row, one transaction on a database
  thread, as ``storage.database.Database`` runs them: SQLite in WAL mode with full syncs, or
  PostgreSQL) and answers only once it is stored: the least a bot pays that loses nothing;
- a bot that makes the Bot API calls Waakvlam makes for a check-in, with the same texts and
  buttons, over Waakvlam's transport, and does nothing else: what the transport alone costs
  for that work (a grade press is three calls: answer the press, close the question, send the
  next one).

The floor printed for a kind adds the two: the same calls, and what storing one row adds to the
echo bot. No bot that makes those calls and loses nothing can go below it, so it shows how much
of a kind's ratio is Waakvlam's own work and how much the work itself.

    .venv/bin/python -m bench.cpu_per_update [--updates N] [--database sqlite|postgresql|both]
        [--profile LINES] [--statements]

Beside the CPU it counts the SQL statements per update (BEGIN and savepoints included),
which do not move with the machine's speed as the milliseconds do.

``--profile`` runs Waakvlam's three kinds under cProfile (the event loop, and apart from it
the database thread) and prints where the time goes; its figures are slower, of course.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, Table, event, insert
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bench._harness import run_per_database, running_bot_apart
from bench._sandbox_process import SandboxProcess, cpu_seconds
from bot.app import POLL_TIMEOUT
from bot.clock import SystemClock
from bot.runner import polling, settle_heap
from bot.transport import telegram_request
from dialogs.outcome import Keyboard
from storage import people
from storage.database import Database, sqlite_url
from storage.models import ClientStatus

if TYPE_CHECKING:
    from telegram_sandbox import SimUser, TelegramSandbox

MENU_CHECKIN = "📋 Hoe gaat het?"


# --- in the sandbox's process -------------------------------------------------------------


def new_people(sandbox: TelegramSandbox, count: int, prefix: str) -> list[int]:
    """People who started a private chat with the bot; their ids."""
    ids = []
    for number in range(count):
        person = sandbox.user(first_name=f"{prefix}{number}")
        sandbox.state.chats[person.id].started = True
        ids.append(person.id)
    return ids


async def everyone_acts(
    sandbox: TelegramSandbox, ids: list[int], kind: str, inbox_after: int
) -> None:
    """Every person does ``kind`` at once; wait until each has ``inbox_after`` messages."""
    crowd = [sandbox.get_user(i) for i in ids]
    await asyncio.gather(*(ACTIONS[kind](person) for person in crowd))
    await asyncio.gather(
        *(
            person.wait_until(lambda p=person: len(p.inbox) >= inbox_after, timeout=120)
            for person in crowd
        )
    )


def api_calls(sandbox: TelegramSandbox) -> int:
    """Bot API calls the bot made so far, long polls not counted."""
    return sum(1 for name, _ in sandbox.calls if name.lower() != "getupdates")


async def _echo_text(person: SimUser) -> None:
    await person.send_text("hoi")


async def _open_checkin(person: SimUser) -> None:
    await person.send_text(MENU_CHECKIN)


async def _press_grade(person: SimUser) -> None:
    await person.press("7")


async def _text_to_coach(person: SimUser) -> None:
    await person.send_text("Ik heb een vraag over een brief")


ACTIONS: dict[str, Callable[[SimUser], Any]] = {
    "echo": _echo_text,
    "open a check-in": _open_checkin,
    "answer with a grade": _press_grade,
    "text to the coach": _text_to_coach,
}
KINDS = (("open a check-in", 1), ("answer with a grade", 2), ("text to the coach", 3))


# --- in the bot's process -----------------------------------------------------------------


class Cpu:
    """CPU seconds per update: this process's (the bot's) and the sandbox's."""

    def __init__(self, box: SandboxProcess) -> None:
        self.box = box
        self.profilers: Profilers | None = None

    async def per_update(self, ids: list[int], kind: str, inbox_after: int) -> tuple[float, float]:
        bot_started, box_started = time.process_time(), cpu_seconds(self.box.pid)
        if self.profilers is not None:
            self.profilers.loop.enable()
        await self.box.call(everyone_acts, ids, kind, inbox_after)
        if self.profilers is not None:
            self.profilers.loop.disable()
        bot = (time.process_time() - bot_started) / len(ids)
        return bot, (cpu_seconds(self.box.pid) - box_started) / len(ids)


class DatabaseCpu:
    """The CPU the bot's database work takes, on the threads that do it (``database.run``):
    loading, deciding and storing an update, and the outbox worker's transactions."""

    def __init__(self, database: Database) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()
        run = database.run

        async def timed_run(work: Callable[..., Any], /, *args: Any, urgent: bool = False) -> Any:
            def timed(*inner: Any) -> Any:
                started = time.thread_time()
                try:
                    return work(*inner)
                finally:
                    with self._lock:
                        self.seconds += time.thread_time() - started

            return await run(timed, *args, urgent=urgent)

        database.run = timed_run  # type: ignore[method-assign]


class Statements:
    """SQL statements the bot's database work sends, counted on every thread (BEGIN and
    savepoints included, the commit not): a figure that does not move with the machine."""

    def __init__(self, database: Database, *, by_text: bool = False) -> None:
        self.count = 0
        self.texts: Counter[str] = Counter()
        event.listen(database.engine, "before_cursor_execute", self._one)
        self.by_text = by_text

    def _one(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.count += 1  # under the GIL; a lost count would only make the figure smaller
        if self.by_text:
            self.texts[" ".join(statement.split())[:150]] += 1


class Profilers:
    """cProfile for the event loop, and one for the database thread (cProfile sees only the
    thread that enabled it): every ``database.run`` job is profiled there."""

    def __init__(self) -> None:
        # Each thread's own CPU clock: wall time would count waiting for the other thread.
        self.loop = cProfile.Profile(time.thread_time)
        self.database = cProfile.Profile(time.thread_time)
        self.on = False

    def watch(self, database: Database) -> None:
        run = database.run

        async def profiled_run(
            work: Callable[..., Any], /, *args: Any, urgent: bool = False
        ) -> Any:
            def profiled(*inner: Any) -> Any:
                if not self.on:
                    return work(*inner)
                self.database.enable()
                try:
                    return work(*inner)
                finally:
                    self.database.disable()

            return await run(profiled, *args, urgent=urgent)

        database.run = profiled_run  # type: ignore[method-assign]

    def print(self, lines: int) -> None:
        for title, profiler in (("event loop", self.loop), ("database thread", self.database)):
            print(f"  where Waakvlam's time goes, {title} (cProfile, its CPU time, top {lines}):")
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("tottime").print_stats(lines)
            stats.sort_stats("cumulative").print_stats(lines)
            print(f"  Waakvlam's own functions, {title}, cumulative:")
            stats.print_stats(r"/(bot|storage|dialogs)/", lines)


Transport = Callable[[str], BaseRequest]


def python_telegram_bots_own(api_root: str) -> BaseRequest:
    """python-telegram-bot's default HTTP client (httpx), as a bare bot has it."""
    return HTTPXRequest(connection_pool_size=32, httpx_kwargs={"trust_env": False})


def waakvlams(api_root: str) -> BaseRequest:
    """The HTTP client Waakvlam gives python-telegram-bot (aiohttp, bot/transport.py)."""
    return telegram_request(api_root, read_timeout=POLL_TIMEOUT + 10, pool_size=32)


def _bare_application(
    box: SandboxProcess, transport: Transport
) -> Application[Any, Any, Any, Any, Any, Any]:
    return (
        ApplicationBuilder()
        .token(box.bot_token)
        .base_url(f"{box.api_root}/bot")
        .base_file_url(f"{box.api_root}/file/bot")
        .request(transport(box.api_root))
        .get_updates_request(transport(box.api_root))
        .build()
    )


async def _bare_bot(
    username: str,
    handlers: list[BaseHandler[Any, Any, Any]],
    kinds: tuple[tuple[str, int], ...],
    updates: int,
    transport: Transport,
) -> dict[str, tuple[float, float]]:
    """A bare PTB bot with ``handlers`` on a sandbox of its own: its CPU and the sandbox's per
    update, ``updates`` people doing each of ``kinds`` (what everyone does, and how many
    messages each has then)."""
    async with SandboxProcess(bot_username=username, record_calls=False) as box:
        application = _bare_application(box, transport)
        application.add_handlers(handlers)
        async with polling(application):
            cpu = Cpu(box)
            warm = await box.call(new_people, 10, "W")
            for kind, inbox_after in kinds:
                await cpu.per_update(warm, kind, inbox_after)
            settle_heap()
            crowd = await box.call(new_people, updates, "E")
            return {
                kind: await cpu.per_update(crowd, kind, inbox_after) for kind, inbox_after in kinds
            }


async def echo_bot(updates: int, transport: Transport) -> tuple[float, float]:
    """A bare PTB bot that echoes every text: the floor any bot on this machine pays."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    handlers: list[BaseHandler[Any, Any, Any]] = [MessageHandler(filters.TEXT, echo)]
    figures = await _bare_bot("echo_bot", handlers, (("echo", 1),), updates, transport)
    return figures["echo"]


# What a client sees of a check-in, in the same shapes Waakvlam sends them.
_INTRO = (
    "Anna wil graag weten hoe het met je gaat.\nIk stel je een paar korte vragen.\n"
    "Geen idee of geen zin? Dat mag.\nKies dan Weet ik niet of Overslaan.\n\n"
)
_FIRST = "Hoe gaat het met je?\nGeef een cijfer van 1 tot 10.\n1 is heel slecht, 10 is heel goed."
_NEXT = "Heb je ergens hulp bij nodig?"


def _keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


_LAST_ROWS = [[("Weet ik niet", "ci:1:0:dont_know"), ("Overslaan", "ci:1:0:skip")]]
_GRADES = _keyboard(
    [
        [(str(n), f"ci:1:0:{n}") for n in range(1, 6)],
        [(str(n), f"ci:1:0:{n}") for n in range(6, 11)],
        *_LAST_ROWS,
    ]
)
_YES_NO = _keyboard(
    [[("Ja", "ci:1:1:yes"), ("Nee", "ci:1:1:no")], *_LAST_ROWS, [("← Vorige vraag", "ci:1:1:back")]]
)


async def same_calls_bot(updates: int) -> dict[str, tuple[float, float]]:
    """A bare PTB bot that makes the Bot API calls Waakvlam makes for a check-in, with the
    same texts and buttons, and nothing else (nothing stored, nothing decided): opening it
    sends the first question; a grade press is answered, the question closed with the choice
    under it, and the next question sent. What the transport alone costs for that work."""

    async def opens(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(_INTRO + _FIRST, reply_markup=_GRADES)

    async def presses(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None and query.data is not None
        await query.answer()
        text = query.message.text if isinstance(query.message, Message) else ""
        await query.edit_message_text(f"{text}\n\nJe koos: {query.data.rsplit(':', 1)[1]}")
        await context.bot.send_message(query.message.chat.id, _NEXT, reply_markup=_YES_NO)

    handlers: list[BaseHandler[Any, Any, Any]] = [
        MessageHandler(filters.TEXT, opens),
        CallbackQueryHandler(presses),
    ]
    return await _bare_bot("same_calls_bot", handlers, KINDS[:2], updates, waakvlams)


_ECHO_METADATA = MetaData()
ECHO_MESSAGES = Table(
    "bench_echo_message",
    _ECHO_METADATA,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


async def storing_echo_bot(updates: int, database_url: str) -> tuple[float, float]:
    """The echo bot that stores every message (who, which, when: no content) before it
    answers: the floor of a bot that loses nothing it was told."""
    database = Database(database_url)
    _ECHO_METADATA.create_all(database.engine)
    clock = SystemClock()

    def store(chat_id: int, message_id: int) -> None:
        with database.transaction() as session:
            row = {"chat_id": chat_id, "message_id": message_id, "received_at": clock.now()}
            session.execute(insert(ECHO_MESSAGES), row)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None and message.text is not None
        await database.run(store, message.chat_id, message.message_id)
        await message.reply_text(message.text)

    try:
        handlers: list[BaseHandler[Any, Any, Any]] = [MessageHandler(filters.TEXT, echo)]
        figures = await _bare_bot(
            "storing_echo_bot", handlers, (("echo", 1),), updates, python_telegram_bots_own
        )
        return figures["echo"]
    finally:
        _ECHO_METADATA.drop_all(database.engine)
        database.dispose()


async def waakvlam(
    updates: int,
    database_url: str | None,
    profilers: Profilers | None,
    show_statements: bool = False,
) -> dict[str, tuple[float, float, float, float, float]]:
    """Waakvlam handling the same number of updates, per kind of update: the bot's CPU
    seconds (in all, and on the database thread), the sandbox's, Bot API calls and SQL
    statements, per update."""
    async with running_bot_apart(database_url, record_calls=True) as bench:
        box, database, clock = bench.sandbox, bench.database, bench.clock
        ids = await box.call(new_people, updates + 10, "Client")
        with database.transaction() as session:
            for chat_id in ids:
                client = people.add_client(
                    session, coach_id=bench.coach_id, name="Sam", language="nl", now=clock.now()
                )
                client.telegram_user_id = chat_id
                client.status = ClientStatus.ACTIVE
                client.read_aloud = False
                client.relay_direct = True
                # Their chat shows the menu already, as an active client's does.
                client.keyboard = Keyboard.CLIENT_MENU.value
                session.add(client)
        warm, crowd = ids[:10], ids[10:]
        cpu = Cpu(box)
        for inbox_after, (kind, _) in enumerate(KINDS, start=1):
            await cpu.per_update(warm, kind, inbox_after)
        settle_heap()
        database_cpu = DatabaseCpu(database)
        statements = Statements(database, by_text=show_statements)
        if profilers is not None:
            profilers.watch(database)
            profilers.on = True
            cpu.profilers = profilers
        figures = {}
        for kind, inbox_after in KINDS:
            before, database_before = await box.call(api_calls), database_cpu.seconds
            statements_before = statements.count
            bot, sandbox = await cpu.per_update(crowd, kind, inbox_after)
            calls = (await box.call(api_calls) - before) / len(crowd)
            in_database = (database_cpu.seconds - database_before) / len(crowd)
            sent = (statements.count - statements_before) / len(crowd)
            if show_statements:
                print(f"SQL statements, {kind}, per update:")
                for text, count in statements.texts.most_common():
                    print(f"  {count / len(crowd):5.2f}  {text}")
                statements.texts.clear()
            figures[kind] = (bot, in_database, sandbox, calls, sent)
        return figures


async def measure(kind: str, url: str | None, args: argparse.Namespace) -> None:
    updates: int = args.updates
    echo, echo_sandbox = await echo_bot(updates, python_telegram_bots_own)
    echo_aiohttp, _ = await echo_bot(updates, waakvlams)
    same = await same_calls_bot(updates)
    with tempfile.TemporaryDirectory() as data_dir:
        storing, storing_sandbox = await storing_echo_bot(
            updates, url or sqlite_url(Path(data_dir))
        )
    profilers = Profilers() if args.profile else None
    figures = await waakvlam(updates, url, profilers, args.statements)
    print(
        f"CPU per handled update ({kind}, {updates} updates each; the bot's own process, the "
        "sandbox in another; 2 cores)"
    )
    print(
        f"  bare PTB echo bot          : {echo * 1000:6.2f} ms   (1 Bot API call per update; "
        f"the sandbox another {echo_sandbox * 1000:.2f} ms)"
    )
    print(
        f"  the echo bot over aiohttp  : {echo_aiohttp * 1000:6.2f} ms   (Waakvlam's transport, "
        f"bot/transport.py: {echo_aiohttp / echo:.1f}x the echo bot)"
    )
    print(
        f"  echo bot that stores first : {storing * 1000:6.2f} ms   ({storing / echo:.1f}x the "
        f"echo bot; the sandbox another {storing_sandbox * 1000:.2f} ms)"
    )
    for label, (cpu, _) in same.items():
        print(
            f"  bare bot, same calls, {label:<19}: {cpu * 1000:6.2f} ms  "
            f"({cpu / echo:.1f}x the echo bot)"
        )
    for label, (cpu, _) in same.items():
        # The least any bot pays that makes these calls and loses nothing: the calls, plus
        # what storing one row in one transaction adds to the echo bot.
        floor = cpu + storing - echo
        print(
            f"  floor, {label:<33}: {floor * 1000:6.2f} ms  ({floor / echo:.1f}x the echo bot:"
            " the same calls and one stored row)"
        )
    for label, (cpu, in_database, sandbox, calls, sent) in figures.items():
        both = (cpu + sandbox) / (echo + echo_sandbox)
        print(
            f"  waakvlam, {label:<19}: {cpu * 1000:6.2f} ms  ({cpu / echo:4.1f}x the echo bot,"
            f" {cpu / storing:4.1f}x the storing one"
            + (f", {cpu / same[label][0]:4.1f}x the same calls" if label in same else "")
            + ";"
            f" {calls:.1f} Bot API calls, {cpu / calls / echo:4.1f}x per call; "
            f"{in_database * 1000:.2f} ms of it on the database thread, {sent:.1f} SQL "
            "statements; the sandbox another "
            f"{sandbox * 1000:.2f} ms; bot and sandbox: {both:.1f}x)"
        )
    if profilers is not None:
        profilers.print(args.profile)


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, metavar="LINES")
    parser.add_argument(
        "--statements", action="store_true", help="print each SQL statement's count per update"
    )


if __name__ == "__main__":
    run_per_database(__doc__, measure, options)
