"""Logs hold no personal data, at any level: a full scenario runs with logging at DEBUG, set
up as the CLI sets it up, and every line is scanned for names, Telegram ids, message content,
invite tokens and the bot token.

Two captures: what the CLI's handler writes (after its redacting filter), and every record as
it reaches the root logger before any redaction. The second must be clean as well: pinning
the third-party loggers and keeping the bot's own lines free of ids is the first line of
defence, the filter only the second. The sandbox logs through ``bot.sandbox`` and is scanned
like everything else.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest

from bot.logs import configure_logging
from bot.sandbox import SimUser
from tests.scenarios.conftest import World, token_of

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


@pytest.fixture
def debug_log() -> Iterator[DebugLog]:
    """Logging at DEBUG as ``waakvlam run`` would set it, before the world is built; every
    logger's level is put back afterwards."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in list(root.manager.loggerDict)}
    root_level = root.level
    log = DebugLog()
    handler = configure_logging(logging.DEBUG, stream=log.written)
    root.handlers.insert(0, log.raw)  # first: it sees records before the filter redacts them
    try:
        yield log
    finally:
        root.removeHandler(log.raw)
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


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
    assert (await _text(anna)).startswith(f"{CLIENT} doet mee")

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
