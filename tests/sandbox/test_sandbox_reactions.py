"""A person's emoji reaction: a ``message_reaction`` update, only for a bot that asked for it."""

from __future__ import annotations

import pytest
from telegram import Bot, ReactionTypeEmoji
from telegram_sandbox import TelegramSandbox
from telegram_sandbox.errors import SandboxUsageError


async def test_reaction_reaches_only_a_bot_that_asked_for_it(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    sent = await bot.send_message(anna.id, "Goed gedaan!")
    first = await bot.get_updates()  # the default set: no reactions

    await anna.react(sent.message_id, "👍")
    assert await bot.get_updates(offset=first[-1].update_id + 1) == ()
    assert anna.reactions_on(sent.message_id) == ["👍"]

    asked = await bot.get_updates(allowed_updates=["message", "message_reaction"])
    assert asked == ()  # the reaction before the bot asked stays unsent
    await anna.react(sent.message_id, "❤️")  # Telegram writes the heart without U+FE0F
    await anna.react(sent.message_id, [])

    updates = await bot.get_updates()
    reactions = [u.message_reaction for u in updates]
    assert all(r is not None for r in reactions) and len(reactions) == 2
    changed, removed = reactions
    assert changed is not None and removed is not None
    assert changed.chat.id == anna.id and changed.message_id == sent.message_id
    assert changed.user is not None and changed.user.id == anna.id
    assert changed.old_reaction == (ReactionTypeEmoji("👍"),)
    assert changed.new_reaction == (ReactionTypeEmoji("❤"),)
    assert removed.old_reaction == (ReactionTypeEmoji("❤"),) and removed.new_reaction == ()
    assert anna.reactions_on(sent.message_id) == []


async def test_the_same_reaction_again_is_no_change(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    mine = await anna.send_text("hoi")
    seen = await bot.get_updates(allowed_updates=["message_reaction"])

    await anna.react(mine, "🙏")
    await anna.react(mine, "🙏")

    fresh = await bot.get_updates(offset=seen[-1].update_id + 1)
    assert [u.message_reaction is not None for u in fresh] == [True]


async def test_a_reaction_needs_a_message_and_an_emoji_telegram_offers(
    sandbox: TelegramSandbox,
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("hoi")
    with pytest.raises(SandboxUsageError, match="no message 99"):
        await anna.react(99, "👍")
    with pytest.raises(SandboxUsageError, match="no reaction Telegram offers"):
        await anna.react(1, "🦖")
