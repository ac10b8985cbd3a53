"""``disable_notification``: the sandbox records which messages arrive without a sound.

Telegram keeps the flag out of the Message object, so it is on the ``SentMessage`` a test
reads (``silent``), for every way of sending: text, media, copies.
"""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram_sandbox import TelegramSandbox
from telegram_sandbox.people import fake_ogg

pytestmark = pytest.mark.asyncio


async def test_a_message_sent_silently_is_recorded_as_silent(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")

    await bot.send_message(anna.id, "Stil", disable_notification=True)
    await bot.send_message(anna.id, "Met geluid")
    await bot.send_message(anna.id, "Ook met geluid", disable_notification=False)

    received = [await anna.next_message() for _ in range(3)]
    assert [(m.text, m.silent) for m in received] == [
        ("Stil", True),
        ("Met geluid", False),
        ("Ook met geluid", False),
    ]


async def test_copies_and_voice_notes_carry_the_flag_too(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna, sam = sandbox.user("Anna"), sandbox.user("Sam")
    await anna.send_text("/start")
    said = await sam.send_text("hallo")

    await bot.copy_message(anna.id, sam.id, said["message_id"], disable_notification=True)
    await bot.send_voice(anna.id, fake_ogg(2), disable_notification=True)
    await bot.copy_message(anna.id, sam.id, said["message_id"])

    copied, voice, loud = [await anna.next_message() for _ in range(3)]
    assert (copied.is_copy, copied.silent) == (True, True)
    assert (voice.kind, voice.silent) == ("voice", True)
    assert (loud.is_copy, loud.silent) == (True, False)
