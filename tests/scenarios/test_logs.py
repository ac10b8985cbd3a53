"""Logs hold no personal data, at any level: a full scenario runs with logging at DEBUG, set
up as the CLI sets it up, and every line is scanned for names, Telegram ids, message content,
invite tokens and the bot token.

Two captures: what the CLI's handler writes (after its redacting filter), and every record as
it reaches the root logger before any redaction. The second must be clean as well: pinning
the third-party loggers and keeping the bot's own lines free of ids is the first line of
defence, the filter only the second. The sandbox logs through ``telegram_sandbox`` and is scanned
like everything else.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from telegram_sandbox import SimUser

from bot.clock import FixedClock
from bot.logs import configure_logging
from storage.database import Database
from tests.scenarios.conftest import World, token_of
from tests.scenarios.test_webhook import _webhook_world

COACH = "Annelotte"
CLIENT = "Sambrecht"
CONTENT = "Vleermuisvanger bonkt weer op mijn deur"


class _Raw(logging.Handler):
    """Every record as it reaches the root logger, formatted before any filter touches it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + record.stack_info
        self.lines.append((record.name, text))


@dataclass
class DebugLog:
    written: io.StringIO = field(default_factory=io.StringIO)
    raw: _Raw = field(default_factory=_Raw)


@contextmanager
def _logging_as_the_cli(level: int) -> Iterator[DebugLog]:
    """Logging at ``level`` as ``waakvlam run`` would set it; every logger's level is put
    back afterwards."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in list(root.manager.loggerDict)}
    root_level = root.level
    log = DebugLog()
    handler = configure_logging(level, stream=log.written)
    root.handlers.insert(0, log.raw)  # first: it sees records before the filter redacts them
    try:
        yield log
    finally:
        root.removeHandler(log.raw)
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level_before in levels.items():
            logging.getLogger(name).setLevel(level_before)


@pytest.fixture
def debug_log() -> Iterator[DebugLog]:
    """Logging at DEBUG as ``waakvlam run`` would set it, before the world is built."""
    with _logging_as_the_cli(logging.DEBUG) as log:
        yield log


@pytest.fixture
def info_log() -> Iterator[DebugLog]:
    """Logging at INFO, the level ``waakvlam run`` uses, before the world is built."""
    with _logging_as_the_cli(logging.INFO) as log:
        yield log


def _secrets(world: World, tokens: list[str]) -> dict[str, str]:
    token = world.sandbox.bot_token
    found = {
        "coach name": COACH,
        "client name": CLIENT,
        "message content": CONTENT,
        "bot token": token,
        "bot token (url-encoded)": quote(token, safe=""),
        "bot token secret part": token.split(":", 1)[1],
    }
    for person in world.sandbox.users.values():
        found[f"Telegram id of {person.first_name}"] = str(person.id)
        found[f"phone number of {person.first_name}"] = person.phone_number.lstrip("+")
    for number, invite in enumerate(tokens):
        found[f"invite token {number}"] = invite
    return found


async def _text(person: SimUser) -> str:
    return (await person.next_message()).text or ""


async def _full_scenario(world: World) -> list[str]:
    """Coach invited, client joins, a message relayed, the noodknop pressed and seen, a
    check-in answered. Returns the invite tokens used."""
    coach_token = token_of(world.coach_link(COACH))
    anna = world.sandbox.user(first_name=COACH)
    await anna.open_deep_link(coach_token)
    assert (await _text(anna)).startswith(f"Welkom {COACH}")

    client_token = await world.invite(anna, CLIENT)
    sam = world.sandbox.user(first_name=CLIENT)
    await sam.open_deep_link(client_token)
    await sam.next_message()
    await sam.next_message()
    await sam.press("Ja, dat is goed")
    await sam.next_message()
    await sam.press("Nee, alleen tekst")
    for _ in range(3):
        await sam.next_message()
    await sam.tap_keyboard("📱 Deel mijn nummer")  # his phone number: personal data too
    for _ in range(3):
        await sam.next_message()
    assert (await _text(anna)).startswith(f"De link voor {CLIENT} is geopend")
    assert (await _text(anna)).startswith(f"{CLIENT} doet mee")
    assert (await _text(anna)).startswith(f"📞 {CLIENT} deelde een telefoonnummer")

    await sam.send_text(CONTENT)
    assert await _text(sam) == f"Wil je dit naar {COACH} sturen?"
    await sam.press("Ja, stuur het")
    assert await _text(sam) == f"Verstuurd naar {COACH}."
    await anna.next_message()
    assert await _text(anna) == CONTENT

    await sam.tap_keyboard("🔴 Noodknop")
    await sam.next_message()
    await sam.next_message()
    assert (await _text(anna)).startswith("🔴 NOODKNOP")
    await anna.press("✅ Ik bel nu")
    assert (await _text(sam)).startswith(f"{COACH} heeft je melding gezien.")
    await anna.next_message()
    await anna.press("📞 Gesproken")
    assert (await _text(sam)).startswith("Je melding is afgesloten.")
    assert (await _text(sam)).startswith("Heb je hulp nodig?")

    await sam.tap_keyboard("📋 Hoe gaat het?")
    await sam.next_message()
    await sam.press("7")
    await sam.next_message()
    await sam.press("Nee")
    await sam.next_message()
    await sam.press("Nee")
    assert (await _text(sam)).startswith("Dank je wel voor je antwoorden!")

    await world.tick()
    await world.drain()
    return [coach_token, client_token]


async def test_a_full_scenario_at_debug_logs_no_personal_data(
    debug_log: DebugLog, world: World
) -> None:
    tokens = await _full_scenario(world)
    await world.stop()  # shutdown is logged too
    secrets = _secrets(world, tokens)

    written = debug_log.written.getvalue()
    assert "DEBUG" in written, "the capture must see DEBUG lines"
    leaks = [what for what, secret in secrets.items() if secret in written]
    assert not leaks, f"the CLI's log output holds: {leaks}"

    raw = [
        f"{name} leaks {what}: {text[:300]!r}"
        for name, text in debug_log.raw.lines
        for what, secret in secrets.items()
        if secret in text
    ]
    assert not raw, "records reaching the root logger hold personal data:\n" + "\n".join(raw[:20])


async def test_an_update_the_library_cannot_read_is_logged_without_its_content(
    debug_log: DebugLog, database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """python-telegram-bot logs an update it cannot parse at CRITICAL, with the whole update as
    an argument and an exception that can quote it. The CLI's output keeps the library's fixed
    wording and the exception's type only. A body that is no JSON at all is tried as well."""
    name, text, chat = "Wervelwindje", "Mijn geheime zorg over de buurman", 7_100_000_042
    update = {
        "update_id": 4711,
        "message": {
            "message_id": 1,
            "date": "not-a-date",
            "chat": {"id": chat, "type": "private", "first_name": name},
            "from": {"id": chat, "is_bot": False, "first_name": name},
            "text": text,
        },
    }
    async with _webhook_world(database, clock, tmp_path / "data") as world:
        [registered] = world.registrations()
        secret = registered["secret_token"]
        telegram = {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with httpx.AsyncClient() as client:
            unreadable = await client.post(registered["url"], json=update, headers=telegram)
            no_json = await client.post(
                registered["url"],
                content=f'{{"text": "{text}", '.encode(),
                headers={**telegram, "Content-Type": "application/json"},
            )
    assert (unreadable.status_code, no_json.status_code) == (400, 500)

    written = debug_log.written.getvalue()
    assert "Received data was *not* processed" in written, "the failure itself must show"
    assert "CRITICAL" in written and "TypeError" in written
    found = {
        "first name": name,
        "message text": text,
        "Telegram id": str(chat),
        "webhook secret": secret,
        "webhook path": registered["url"].rsplit("/", 1)[1],
    }
    leaks = [what for what, value in found.items() if value in written]
    assert not leaks, f"the CLI's log output holds: {leaks}\n{written[-3000:]}"


async def test_a_routine_429_does_not_log_as_an_error(info_log: DebugLog, world: World) -> None:
    """The rate limiter logs every 429 at ERROR with a traceback (the bot runs it with
    ``max_retries=0``); the bot waits as told and logs that itself."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    world.sandbox.faults.fail(
        method="sendMessage", status=429, retry_after=1, times=1, chat_id=anna.id
    )
    await sam.tap_keyboard("🔴 Noodknop")
    alert = await anna.next_message(timeout=10)
    assert (alert.text or "").startswith("🔴 NOODKNOP – Sam")
    await world.drain()

    written = info_log.written.getvalue()
    assert "telegram asked to wait" in written, "the bot still tells of the 429, at INFO"
    assert " ERROR " not in written and "Traceback" not in written, written[-2000:]
