"""The Bot API methods, called by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken
from telegram_sandbox import TelegramSandbox
from telegram_sandbox.people import fake_ogg, tiny_png

BotFactory = Callable[..., Awaitable[Bot]]

pytestmark = pytest.mark.asyncio


def yes_no() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja", callback_data="yes"),
                InlineKeyboardButton("Nee", callback_data="no"),
            ]
        ]
    )


async def raw_post(sandbox: TelegramSandbox, method: str, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.post(f"{sandbox.base_url}{sandbox.bot_token}/{method}", **kwargs)  # type: ignore[arg-type]


async def test_get_me_describes_the_bot(sandbox: TelegramSandbox, bot: Bot) -> None:
    assert bot.bot.username == sandbox.bot_username
    assert bot.bot.id == 123456
    assert bot.bot.is_bot
    assert bot.bot.can_read_all_group_messages is False


async def test_a_sent_message_reaches_the_person(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    first = await anna.send_text("/start")

    sent = await bot.send_message(anna.id, "Hallo Anna")

    received = await anna.next_message()
    assert received.text == "Hallo Anna"
    assert received.kind == "text"
    assert received.message_id == sent.message_id == first["message_id"] + 1
    assert sent.chat.id == anna.id
    assert sent.from_user is not None and sent.from_user.id == bot.bot.id


async def test_html_parse_mode_becomes_plain_text_with_entities(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")

    sent = await bot.send_message(anna.id, "  <b>Let op</b> &amp; lees /help  ", parse_mode="HTML")

    assert sent.text == "Let op & lees /help"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 6),
        ("bot_command", 14, 5),
    ]
    assert (await anna.next_message()).text == "Let op & lees /help"


async def test_markdown_v2_with_unescaped_dot_is_refused(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: character '.' is reserved"):
        await bot.send_message(anna.id, "*Goed* gedaan.", parse_mode="MarkdownV2")
    sent = await bot.send_message(anna.id, "*Goed* gedaan\\.", parse_mode="MarkdownV2")
    assert sent.text == "Goed gedaan."
    assert anna.inbox[-1].entities == [{"type": "bold", "offset": 0, "length": 4}]


async def test_text_limits(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")

    await bot.send_message(anna.id, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(anna.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(anna.id, "   \n ")
    assert len(anna.inbox) == 1


async def test_callback_data_is_limited_to_64_bytes(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Ok", callback_data=data)]])

    await bot.send_message(anna.id, "64 bytes", reply_markup=keyboard("é" * 32))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(anna.id, "65 bytes", reply_markup=keyboard("a" * 65))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(anna.id, "66 bytes", reply_markup=keyboard("é" * 33))
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(
            anna.id,
            "x",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ok")]]),
        )


async def test_bot_cannot_write_first_and_not_after_a_block(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna")

    with pytest.raises(Forbidden, match=r"(?i)bot can.t initiate conversation with a user"):
        await bot.send_message(anna.id, "Hallo?")
    await anna.send_text("/start")
    await bot.send_message(anna.id, "Welkom")

    anna.block()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(anna.id, "Nog daar?")
    anna.unblock()
    await bot.send_message(anna.id, "Fijn dat je er weer bent")

    updates = await bot.get_updates()
    member_changes = [u.my_chat_member for u in updates if u.my_chat_member]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in member_changes] == [
        ("member", "kicked"),
        ("kicked", "member"),
    ]
    assert [m.text for m in anna.inbox] == ["Welkom", "Fijn dat je er weer bent"]


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "Hallo")


async def test_unknown_method_and_wrong_token(
    sandbox: TelegramSandbox, bot: Bot, bot_factory: BotFactory
) -> None:
    response = await raw_post(sandbox, "sendTelepathy", json={"chat_id": 1})
    assert response.status_code == 404
    assert response.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})

    stranger = await bot_factory(token="654321:WRONG-token", initialize=False)
    with pytest.raises(InvalidToken):
        await stranger.initialize()


async def test_method_names_are_case_insensitive_and_bodies_may_be_json_or_query(
    sandbox: TelegramSandbox,
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")

    response = await raw_post(sandbox, "GETME")
    assert response.json()["result"]["username"] == sandbox.bot_username
    response = await raw_post(
        sandbox,
        "sendmessage",
        json={
            "chat_id": anna.id,
            "text": "json",
            "reply_markup": {"remove_keyboard": True},
        },
    )
    assert response.json()["ok"] is True
    async with httpx.AsyncClient(trust_env=False) as client:
        url = f"{sandbox.base_url}{sandbox.bot_token}/sendMessage"
        response = await client.get(url, params={"chat_id": str(anna.id), "text": "query"})
    assert response.json()["result"]["text"] == "query"
    assert [m.text for m in anna.inbox] == ["json", "query"]


async def test_missing_or_malformed_fields_are_bad_requests(
    sandbox: TelegramSandbox,
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")

    cases = [
        ({"chat_id": anna.id}, "Bad Request: message text is empty"),
        ({"text": "hoi"}, "Bad Request: chat_id is empty"),
        (
            {"chat_id": [anna.id], "text": "hoi"},
            "Bad Request: invalid chat_id specified",
        ),
        ({"chat_id": anna.id, "text": "hoi", "reply_markup": "{not json"}, None),
        ({"chat_id": anna.id, "text": {"a": 1}}, None),
    ]
    for body, description in cases:
        response = await raw_post(sandbox, "sendMessage", json=body)
        assert response.status_code == 400, body
        payload = response.json()
        assert payload["ok"] is False and payload["error_code"] == 400
        if description:
            assert payload["description"] == description
    response = await raw_post(
        sandbox,
        "sendMessage",
        json={"chat_id": anna.id, "text": "hoi", "unknown_field": 1},
    )
    assert response.status_code == 200


async def test_edit_text_and_keyboard(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    sent = await bot.send_message(anna.id, "Hoe gaat het?", reply_markup=yes_no())
    question = await anna.next_message()
    assert question.buttons == [["Ja", "Nee"]]
    assert question.button_data == [["yes", "no"]]

    edited = await bot.edit_message_text("Hoe gaat het vandaag?", anna.id, sent.message_id)

    assert isinstance(edited, Message)
    assert edited.text == "Hoe gaat het vandaag?" and edited.edit_date is not None
    assert question.edited and question.text == "Hoe gaat het vandaag?"
    assert question.buttons == []  # leaving reply_markup out removes the keyboard, as on Telegram
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Hoe gaat het vandaag?", anna.id, sent.message_id)
    await bot.edit_message_reply_markup(anna.id, sent.message_id, reply_markup=yes_no())
    assert question.buttons == [["Ja", "Nee"]]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(anna.id, sent.message_id, reply_markup=yes_no())
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", anna.id, 999)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", anna.id, 1)  # Anna's own /start


async def test_delete_message(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    sent = await bot.send_message(anna.id, "Oeps")

    assert await bot.delete_message(anna.id, sent.message_id)

    assert anna.inbox[0].deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(anna.id, sent.message_id)


async def test_reply_keyboards(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    keyboard = ReplyKeyboardMarkup(
        [
            ["Bericht aan coach", "Hoe gaat het"],
            [KeyboardButton("Waar ben ik", request_location=True)],
        ],
        resize_keyboard=True,
        is_persistent=True,
    )

    await bot.send_message(anna.id, "Menu", reply_markup=keyboard)
    menu = await anna.next_message()
    assert menu.keyboard == [["Bericht aan coach", "Hoe gaat het"], ["Waar ben ik"]]
    assert "reply_markup" not in menu.raw  # Message.reply_markup only ever shows inline keyboards
    assert anna.current_keyboard == menu.keyboard

    await anna.tap_keyboard("Hoe gaat het")
    await anna.tap_keyboard("Waar ben ik")
    tapped, located = [u.message for u in await bot.get_updates()][-2:]
    assert tapped is not None and tapped.text == "Hoe gaat het"
    assert located is not None and located.location is not None

    await bot.send_message(anna.id, "Typ maar", reply_markup=ForceReply())
    assert anna.current_keyboard == menu.keyboard
    await bot.send_message(anna.id, "Klaar", reply_markup=ReplyKeyboardRemove())
    assert anna.current_keyboard is None


async def test_callback_query_round_trip(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    sent = await bot.send_message(anna.id, "Gaat het goed?", reply_markup=yes_no())

    query_id = await anna.press("Nee")

    update = (await bot.get_updates())[-1]
    query = update.callback_query
    assert query is not None and query.id == query_id
    assert query.data == "no"
    assert query.from_user.id == anna.id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Dank je", show_alert=True)
    assert [(a.text, a.show_alert) for a in anna.callback_answers] == [("Dank je", True)]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_voice_upload_then_download_of_the_same_bytes(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    audio = fake_ogg(4)

    message = await bot.send_voice(anna.id, voice=audio, caption="Luister maar")

    assert message.voice is not None
    assert message.voice.mime_type == "audio/ogg" and message.voice.file_size == len(audio)
    assert message.caption == "Luister maar"
    assert message.voice.to_dict()["duration"] == 4  # read from the Ogg stream
    received = await anna.next_message()
    assert received.kind == "voice" and received.file_bytes == audio
    telegram_file = await bot.get_file(message.voice.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == audio

    again = await bot.send_voice(anna.id, voice=message.voice.file_id)
    assert again.voice is not None
    assert again.voice.file_unique_id == message.voice.file_unique_id
    assert (await anna.next_message()).file_bytes == audio
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_voice(anna.id, voice="no-such-file-id")


async def test_media_kinds(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    picture = tiny_png(320, 200)

    photo = await bot.send_photo(anna.id, photo=picture)
    assert [(p.width, p.height) for p in photo.photo] == [(320, 200)]
    document = await bot.send_document(anna.id, document=b"%PDF-1.4", filename="plan.pdf")
    assert document.document is not None and document.document.file_name == "plan.pdf"
    assert document.document.mime_type == "application/pdf"
    wav_as_voice = await bot.send_voice(anna.id, voice=b"RIFF....WAVEfmt ", filename="x.wav")
    assert wav_as_voice.voice is None and wav_as_voice.document is not None
    await bot.send_audio(anna.id, audio=b"ID3\x04" + b"\x00" * 20, title="Liedje")
    await bot.send_video(anna.id, video=b"\x00\x00\x00\x18ftypmp42", width=640, height=360)
    await bot.send_location(anna.id, latitude=52.09, longitude=5.12)
    assert [m.kind for m in anna.inbox] == [
        "photo",
        "document",
        "document",
        "audio",
        "video",
        "location",
    ]
    assert anna.inbox[0].file_bytes == picture
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(anna.id, photo=b"not a picture")


async def test_get_file_refuses_files_over_20_mb(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = sandbox.user("Anna")
    await anna.send_document(
        b"\x00" * (20 * 1024 * 1024 + 1), "big.bin", "application/octet-stream"
    )
    small = await anna.send_voice(duration=2)

    big = (await bot.get_updates())[0].message
    assert big is not None and big.document is not None
    big_file_id = big.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(big_file_id)
    telegram_file = await bot.get_file(small["voice"]["file_id"])
    assert bytes(await telegram_file.download_as_bytearray()) == fake_ogg(2)
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_copy_message_relays_without_a_forward_header(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna, coach = sandbox.user("Anna"), sandbox.user("Coach Bram")
    await coach.send_text("/start")
    voice = await anna.send_voice(duration=5)

    copied = await bot.copy_message(coach.id, anna.id, voice["message_id"], caption="Van Anna")

    relayed = await coach.next_message()
    assert relayed.message_id == copied.message_id
    assert relayed.kind == "voice" and relayed.text == "Van Anna"
    assert relayed.copied_from == (anna.id, voice["message_id"])
    assert relayed.file_bytes == fake_ogg(5)
    assert "forward_origin" not in relayed.raw
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(coach.id, anna.id, 999)
    with pytest.raises(Forbidden):
        await bot.copy_message(sandbox.user("Nieuw").id, anna.id, voice["message_id"])


async def test_forward_message_names_the_origin(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna, coach = sandbox.user("Anna"), sandbox.user("Coach Bram")
    await coach.send_text("/start")
    text = await anna.send_text("Ik ben er")

    forwarded = await bot.forward_message(coach.id, anna.id, text["message_id"])

    assert forwarded.text == "Ik ben er"
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.to_dict()["sender_user"]["id"] == anna.id
    assert (await coach.next_message()).forwarded_from == (anna.id, text["message_id"])


async def test_replies_chat_actions_commands_and_get_chat(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = sandbox.user("Anna", username="anna_b")
    start = await anna.send_text("/start")

    reply = await bot.send_message(
        anna.id, "Welkom", reply_parameters=ReplyParameters(start["message_id"])
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "/start"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(anna.id, "x", reply_parameters=ReplyParameters(999))

    assert await bot.send_chat_action(anna.id, ChatAction.RECORD_VOICE)
    assert anna.chat_actions == ["record_voice"]
    with pytest.raises(BadRequest):
        await bot.send_chat_action(anna.id, "dancing")

    assert await bot.set_my_commands([("start", "Begin"), ("help", "Hulp")], language_code="nl")
    assert [c.command for c in await bot.get_my_commands(language_code="nl")] == [
        "start",
        "help",
    ]
    assert await bot.get_my_commands() == ()
    assert [c["command"] for c in sandbox.commands(language_code="nl")] == [
        "start",
        "help",
    ]

    chat = await bot.get_chat(anna.id)
    assert (chat.id, chat.type, chat.first_name, chat.username) == (
        anna.id,
        "private",
        "Anna",
        "anna_b",
    )


async def test_a_request_contact_button_sends_the_persons_own_contact(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    sam = sandbox.user("Sam", last_name="Jansen")
    await sam.send_text("/start")
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("📱 Deel mijn nummer", request_contact=True)], ["Liever niet"]],
        resize_keyboard=True,
        is_persistent=True,
    )
    await bot.send_message(sam.id, "Wil je je nummer delen?", reply_markup=keyboard)
    offer = await sam.next_message()
    assert offer.keyboard == [["📱 Deel mijn nummer"], ["Liever niet"]]

    await sam.tap_keyboard("📱 Deel mijn nummer")
    await sam.tap_keyboard("Liever niet")

    shared, declined = [u.message for u in await bot.get_updates()][-2:]
    assert shared is not None and shared.contact is not None and shared.text is None
    # As Telegram does: the sender's own number, their name, and their user id.
    assert shared.contact.user_id == sam.id and shared.contact.phone_number == sam.phone_number
    assert (shared.contact.first_name, shared.contact.last_name) == ("Sam", "Jansen")
    assert sam.phone_number.startswith("+316")
    assert declined is not None and declined.text == "Liever niet" and declined.contact is None


async def test_someone_elses_contact_carries_their_user_id_or_none(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    sam, bea = sandbox.user("Sam"), sandbox.user("Bea")
    await sam.send_text("/start")
    await sam.send_contact(bea.phone_number, "Bea", user_id=bea.id)
    await sam.send_contact("+31201234567", "Huisarts")

    bea_card, doctor = [u.message for u in await bot.get_updates()][-2:]
    assert bea_card is not None and bea_card.contact is not None
    assert bea_card.contact.user_id == bea.id != sam.id
    assert doctor is not None and doctor.contact is not None and doctor.contact.user_id is None
