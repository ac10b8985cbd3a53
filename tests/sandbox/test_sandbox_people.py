"""Simulated people and groups: what they send and see, and waiting for the bot."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
)
from telegram_sandbox import (
    ButtonNotFoundError,
    NoMessageError,
    SandboxUsageError,
    TelegramSandbox,
)

pytestmark = pytest.mark.asyncio


def buttons(*labels: str, url: str | None = None) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(label, callback_data=f"pick:{label}") for label in labels]
    if url:
        row.append(InlineKeyboardButton("Site", url=url))
    return InlineKeyboardMarkup([row])


async def test_deep_link_sends_start_with_payload(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")

    message = await anna.open_deep_link("abc_DEF-123")

    assert message["text"] == "/start abc_DEF-123"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    update = (await bot.get_updates())[0]
    assert update.message is not None and update.message.text == "/start abc_DEF-123"
    with pytest.raises(SandboxUsageError, match="deep-link payload"):
        await anna.open_deep_link("met spatie")


async def test_ids_grow_per_chat_and_update_ids_globally(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna, bram = sandbox.user("Anna"), sandbox.user("Bram")
    a1 = await anna.send_text("a1")
    b1 = await bram.send_text("b1")
    a2 = await anna.send_text("a2")

    assert (a1["message_id"], b1["message_id"], a2["message_id"]) == (1, 1, 2)
    assert anna.id != bram.id and anna.id > 2**32
    update_ids = [u.update_id for u in await bot.get_updates()]
    assert update_ids == sorted(update_ids) and len(set(update_ids)) == 3


async def test_next_message_reads_in_order_and_waits(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    await bot.send_message(anna.id, "een")
    await bot.send_message(anna.id, "twee")

    assert (await anna.next_message()).text == "een"
    waiting = asyncio.create_task(anna.next_message())
    assert (await waiting).text == "twee"
    later = asyncio.create_task(anna.next_message(timeout=5))
    await bot.send_message(anna.id, "drie")
    assert (await later).text == "drie"
    assert anna.unread == []


async def test_waiting_in_vain_fails_readably(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    await bot.send_message(anna.id, "al gelezen")
    await anna.next_message()

    with pytest.raises(NoMessageError, match=r"Anna .*no new message from the bot") as caught:
        await anna.next_message(timeout=0.05)
    assert isinstance(caught.value, TimeoutError) and isinstance(caught.value, AssertionError)
    assert "al gelezen" in str(caught.value)


async def test_wait_for_skips_to_a_matching_message(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    for text in ("een", "twee", "drie"):
        await bot.send_message(anna.id, text)

    found = await anna.wait_for(lambda m: m.text == "twee")

    assert found.text == "twee"
    assert [m.text for m in anna.unread] == ["drie"]


async def test_press_finds_the_newest_message_with_the_button(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    old = await bot.send_message(anna.id, "oud", reply_markup=buttons("Ja", "Nee"))
    new = await bot.send_message(
        anna.id, "nieuw", reply_markup=buttons("Ja", url="https://example.org")
    )

    await anna.press("Ja")
    await anna.press("Ja", message=anna.inbox[0])
    await anna.press("Nee")
    await anna.press_data(new.message_id, "vervalst:1")

    queries = [u.callback_query for u in await bot.get_updates()][-4:]
    assert [(q.message.message_id, q.data) for q in queries if q and q.message] == [
        (new.message_id, "pick:Ja"),
        (old.message_id, "pick:Ja"),
        (old.message_id, "pick:Nee"),
        (new.message_id, "vervalst:1"),
    ]
    with pytest.raises(ButtonNotFoundError, match="'Misschien'"):
        await anna.press("Misschien")
    with pytest.raises(SandboxUsageError, match="url button"):
        await anna.press("Site")
    await bot.delete_message(anna.id, old.message_id)
    with pytest.raises(ButtonNotFoundError):
        await anna.press("Nee")


async def test_keyboard_taps_need_the_button(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    with pytest.raises(ButtonNotFoundError, match="no reply keyboard"):
        await anna.tap_keyboard("Noodknop")
    await bot.send_message(anna.id, "Menu", reply_markup=ReplyKeyboardMarkup([["Noodknop"]]))

    await anna.tap_keyboard("Noodknop")

    with pytest.raises(ButtonNotFoundError, match="Help"):
        await anna.tap_keyboard("Help")
    last = (await bot.get_updates())[-1].message
    assert last is not None and last.text == "Noodknop"


async def test_replies_and_media_from_a_person(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna", last_name="de Vries")
    await anna.send_text("/start")
    question = await bot.send_message(anna.id, "Wat heb je gedaan?")

    await anna.reply_to(question.message_id, "Gewandeld")
    await anna.reply_to(anna.inbox[0], voice=True)
    await anna.send_photo(caption="Kijk #mooi")
    await anna.send_document(b"data", "lijst.txt", "text/plain")
    await anna.send_video()
    await anna.send_audio()
    await anna.send_sticker("👍")
    await anna.send_location(52.1, 5.1)
    await anna.send_contact()
    await anna.send_dice()

    messages = [u.message for u in await bot.get_updates()][1:]
    assert all(m is not None for m in messages)
    replies = [m for m in messages if m and m.reply_to_message]
    assert [r.reply_to_message.text for r in replies if r.reply_to_message] == [
        "Wat heb je gedaan?",
        "Wat heb je gedaan?",
    ]
    assert messages[1] is not None and messages[1].voice is not None
    photo = messages[2]
    assert photo is not None and photo.caption == "Kijk #mooi" and photo.photo
    assert photo.caption_entities[0].type == "hashtag"
    contact = messages[8]
    assert contact is not None and contact.contact is not None
    assert contact.contact.user_id == anna.id and contact.contact.last_name == "de Vries"
    assert messages[9] is not None and messages[9].dice is not None


async def test_groups_with_privacy_mode(sandbox: TelegramSandbox, bot: Bot) -> None:
    coach, backup = sandbox.user("Coach"), sandbox.user("Backup")
    team = sandbox.group("Team Noord", members=[coach])
    team.add_member(backup)

    await team.send_text("gewoon kletsen", sender=coach)
    await team.send_text("/status", sender=coach)
    await team.send_text(f"@{sandbox.bot_username} hoe gaat het?", sender=backup)
    sent = await bot.send_message(team.id, "Alarm!", reply_markup=buttons("Ik pak het op"))
    await team.press("Ik pak het op", sender=backup)
    outsider = sandbox.user("Buiten")
    with pytest.raises(SandboxUsageError):
        await team.send_text("hoi", sender=outsider)

    updates = await bot.get_updates()
    texts = [u.message.text for u in updates if u.message and u.message.text]
    assert texts == ["/status", "@waakvlam_test_bot hoe gaat het?"]
    assert updates[0].message is not None and updates[0].message.new_chat_members
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.from_user.id == backup.id
    assert team.id < 0 and (await team.next_message()).message_id == sent.message_id
    assert (await bot.get_chat(team.id)).title == "Team Noord"

    team.remove_bot()
    with pytest.raises(Exception, match=r"(?i)kicked"):
        await bot.send_message(team.id, "nog daar?")
