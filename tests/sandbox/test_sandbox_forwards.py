"""A person forwards a message to the bot: the update carries ``forward_origin`` of each of the
Bot API's four MessageOrigin kinds, PTB reads it, and a copy of it drops the origin."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
)
from telegram_sandbox import TelegramSandbox
from telegram_sandbox.errors import SandboxUsageError
from telegram_sandbox.origins import channel_origin, chat_origin

pytestmark = pytest.mark.asyncio


async def test_a_forward_from_a_known_user_names_them(sandbox: TelegramSandbox, bot: Bot) -> None:
    sam = sandbox.user("Sam")
    landlord = sandbox.user("Piet", username="pietverhuur", last_name="Verhuur")
    sent = await sam.forward_text("Je moet 500 euro betalen.", landlord, sent_ago=600)
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None and message.text == "Je moet 500 euro betalen."
    origin = message.forward_origin
    assert isinstance(origin, MessageOriginUser)
    assert origin.sender_user.full_name == "Piet Verhuur"
    assert origin.sender_user.username == "pietverhuur"
    assert int(origin.date.timestamp()) == sent["date"] - 600


async def test_hidden_users_chats_and_channels(sandbox: TelegramSandbox, bot: Bot) -> None:
    sam = sandbox.user("Sam")
    await sam.forward_text("Betaal vandaag nog.", "Incasso Bureau")
    await sam.forward_text("Nieuws", channel_origin(-1001, "Gemeente Nieuws", 7, "Redactie"))
    await sam.forward_photo(chat_origin(-1002, "Buurtgroep"), caption="Kijk")
    hidden, channel, chat = [u.message for u in await bot.get_updates()]
    assert hidden is not None and channel is not None and chat is not None
    assert isinstance(hidden.forward_origin, MessageOriginHiddenUser)
    assert hidden.forward_origin.sender_user_name == "Incasso Bureau"
    assert isinstance(channel.forward_origin, MessageOriginChannel)
    assert channel.forward_origin.chat.title == "Gemeente Nieuws"
    assert channel.forward_origin.message_id == 7
    assert channel.forward_origin.author_signature == "Redactie"
    assert isinstance(chat.forward_origin, MessageOriginChat)
    assert chat.forward_origin.sender_chat.title == "Buurtgroep"
    assert chat.photo and chat.caption == "Kijk"


async def test_a_copy_drops_the_origin_a_forward_keeps_it(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    sam, coach = sandbox.user("Sam"), sandbox.user("Anna")
    await coach.send_text("/start")
    sent = await sam.forward_text("Je moet 500 euro betalen.", "Incasso Bureau")
    await bot.copy_message(coach.id, sam.id, sent["message_id"])
    await bot.forward_message(coach.id, sam.id, sent["message_id"])
    copy, forward = coach.inbox
    assert copy.text == forward.text == "Je moet 500 euro betalen."
    assert "forward_origin" not in copy.raw
    assert forward.raw["forward_origin"]["sender_user_name"] == "Incasso Bureau"


async def test_an_origin_without_its_fields_is_refused(sandbox: TelegramSandbox) -> None:
    sam = sandbox.user("Sam")
    with pytest.raises(SandboxUsageError):
        await sam.forward_text("x", {"type": "channel", "chat": {"id": -1, "type": "channel"}})
    with pytest.raises(SandboxUsageError):
        await sam.forward_text("x", {"type": "letter"})
    with pytest.raises(SandboxUsageError):
        await sam.forward_text("x", "  ")
