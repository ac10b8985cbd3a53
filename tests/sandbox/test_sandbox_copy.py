"""copyMessage and relaying between people, as the real PTB client sees it over HTTP.

What is checked against the Bot API docs: every kind a person can send is copied with its
content (file_id, all photo sizes, the backward-compatibility fields of animations and
venues); the copy comes from the bot, without a link to the original, and the answer is a
MessageId; captions are kept, replaced or removed; kinds Telegram refuses are refused
with its wording; errors come in the order the Bot API server checks; replies by people
carry `reply_to_message`; media carry `file_size`; faults and rate limits apply.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageId,
    ReplyParameters,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest
from telegram_sandbox import SimUser, TelegramSandbox
from telegram_sandbox.files import photo_sizes
from telegram_sandbox.people import fake_ogg, tiny_png

pytestmark = pytest.mark.asyncio

MB = 1024 * 1024


def ok_button() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Gehoord", callback_data="heard:1")]])


async def raw_call(sandbox: TelegramSandbox, method: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.post(f"{sandbox.base_url}{sandbox.bot_token}/{method}", json=params)


async def pair(sandbox: TelegramSandbox) -> tuple[SimUser, SimUser]:
    """A client (Anna) and her coach (Bram), both having started the bot."""
    anna, coach = sandbox.user("Anna"), sandbox.user("Bram", last_name="Coach")
    await anna.send_text("/start")
    await coach.send_text("/start")
    anna.mark_read()
    coach.mark_read()
    return anna, coach


Sender = Callable[[SimUser], Awaitable[dict[str, Any]]]

#: (kind, how Anna sends it, the Message fields that must arrive unchanged in the copy)
KINDS: list[tuple[str, Sender, tuple[str, ...]]] = [
    ("text", lambda p: p.send_text("Ik voel me *goed* vandaag"), ("text",)),
    ("voice", lambda p: p.send_voice(duration=7), ("voice",)),
    ("audio", lambda p: p.send_audio(title="Liedje", performer="Anna"), ("audio",)),
    ("photo", lambda p: p.send_photo(width=1280, height=960), ("photo",)),
    ("video", lambda p: p.send_video(duration=9), ("video",)),
    ("video_note", lambda p: p.send_video_note(duration=4), ("video_note",)),
    ("document", lambda p: p.send_document(file_name="plan.pdf"), ("document",)),
    ("sticker", lambda p: p.send_sticker("👍"), ("sticker",)),
    ("animation", lambda p: p.send_animation(), ("animation", "document")),
    ("location", lambda p: p.send_location(52.1, 5.1), ("location",)),
    ("venue", lambda p: p.send_venue("Buurthuis", "Dorpsstraat 1"), ("venue", "location")),
    ("contact", lambda p: p.send_contact("+31612345678", "Sam"), ("contact",)),
]


@pytest.mark.parametrize(("kind", "send", "fields"), KINDS, ids=[k[0] for k in KINDS])
async def test_every_kind_a_person_sends_is_copied_from_the_bot(
    sandbox: TelegramSandbox, bot: Bot, kind: str, send: Sender, fields: tuple[str, ...]
) -> None:
    anna, coach = await pair(sandbox)
    original = await send(anna)

    copied = await bot.copy_message(coach.id, anna.id, original["message_id"])

    assert isinstance(copied, MessageId)
    relayed = await coach.next_message()
    assert relayed.message_id == copied.message_id
    assert relayed.kind == kind and relayed.is_copy
    assert relayed.copied_from == (anna.id, original["message_id"])
    for field in fields:
        assert relayed.raw[field] == original[field], field
    raw = relayed.raw
    assert raw["from"]["id"] == bot.bot.id and raw["chat"]["id"] == coach.id
    assert not {"forward_origin", "reply_to_message"} & set(raw)
    # The bot gets the person's message with the same content, and can read it with PTB.
    update = (await bot.get_updates())[-1]
    assert update.message is not None and update.message.message_id == original["message_id"]


async def test_the_answer_is_a_bare_message_id(sandbox: TelegramSandbox) -> None:
    anna, coach = await pair(sandbox)
    voice = await anna.send_voice()

    answer = await raw_call(
        sandbox,
        "copyMessage",
        chat_id=coach.id,
        from_chat_id=anna.id,
        message_id=voice["message_id"],
    )

    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "result": {"message_id": coach.inbox[0].message_id}}


async def test_files_keep_their_id_and_photos_all_their_sizes(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna, coach = await pair(sandbox)
    photo = await anna.send_photo(width=1280, height=960, file_size=250_000)
    voice = await anna.send_voice(duration=5)

    await bot.copy_message(coach.id, anna.id, photo["message_id"])
    await bot.copy_message(coach.id, anna.id, voice["message_id"])

    picture, note = coach.inbox
    sizes = [(s["width"], s["height"]) for s in picture.raw["photo"]]
    assert sizes == [(90, 68), (320, 240), (800, 600), (1280, 960)] == photo_sizes(1280, 960)
    assert [s["file_id"] for s in picture.raw["photo"]] == [s["file_id"] for s in photo["photo"]]
    assert all(isinstance(s["file_size"], int) for s in picture.raw["photo"])
    assert picture.file_size == 250_000 and picture.file_id == photo["photo"][-1]["file_id"]
    assert note.file_id == voice["voice"]["file_id"] and note.file_bytes == fake_ogg(5)
    # The bot can send the relayed file on by its file_id, and download it.
    again = await bot.send_voice(anna.id, note.file_id)
    assert again.voice is not None and again.voice.file_id == note.file_id
    downloaded = await (await bot.get_file(note.file_id)).download_as_bytearray()
    assert bytes(downloaded) == fake_ogg(5)


async def test_caption_is_kept_replaced_or_removed(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna, coach = await pair(sandbox)
    voice = await anna.send_voice(caption="Luister #eerst")
    sticker = await anna.send_sticker()
    text = await anna.send_text("Gewoon tekst")
    mid = voice["message_id"]

    await bot.copy_message(coach.id, anna.id, mid)
    await bot.copy_message(
        coach.id,
        anna.id,
        mid,
        caption="<b>Van Anna</b>",
        parse_mode="HTML",
        show_caption_above_media=True,
    )
    await bot.copy_message(coach.id, anna.id, mid, caption="")
    await bot.copy_message(coach.id, anna.id, sticker["message_id"], caption="genegeerd")
    await bot.copy_message(coach.id, anna.id, text["message_id"], caption="genegeerd")

    kept, replaced, removed, no_caption, plain = coach.inbox
    assert kept.caption == "Luister #eerst" and kept.entities[0]["type"] == "hashtag"
    assert replaced.caption == "Van Anna" and replaced.entities[0]["type"] == "bold"
    assert replaced.raw["show_caption_above_media"] is True
    assert removed.kind == "voice" and removed.caption is None
    assert "caption_entities" not in removed.raw
    assert no_caption.kind == "sticker" and "caption" not in no_caption.raw
    assert plain.text == "Gewoon tekst" and plain.caption is None
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.copy_message(coach.id, anna.id, mid, caption="x" * 1025)


async def test_keyboard_protection_and_reply_parameters(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna, coach = await pair(sandbox)
    voice = await anna.send_voice()
    intro = await bot.send_message(coach.id, "Nieuw bericht van Anna:")

    copied = await bot.copy_message(
        coach.id,
        anna.id,
        voice["message_id"],
        reply_markup=ok_button(),
        reply_parameters=ReplyParameters(intro.message_id),
        protect_content=True,
    )
    again = await bot.copy_message(
        coach.id, anna.id, voice["message_id"], reply_to_message_id=intro.message_id
    )

    relayed = await coach.wait_for(lambda m: m.kind == "voice")
    assert relayed.message_id == copied.message_id
    assert relayed.buttons == [["Gehoord"]] and relayed.button_data == [["heard:1"]]
    assert relayed.reply_markup == ok_button().to_dict()
    assert relayed.reply_to_message_id == intro.message_id
    assert relayed.raw["reply_to_message"]["text"] == "Nieuw bericht van Anna:"
    assert relayed.raw["has_protected_content"] is True
    assert coach.inbox[-1].message_id == again.message_id
    assert coach.inbox[-1].reply_to_message_id == intro.message_id
    with pytest.raises(BadRequest, match=r"(?i)message can't be forwarded"):
        await bot.forward_message(anna.id, coach.id, copied.message_id)
    # The coach taps the button on the copy: the bot gets the copy in the callback query.
    await coach.press("Gehoord")
    query = (await bot.get_updates())[-1].callback_query
    assert query is not None and query.data == "heard:1"
    assert query.message is not None and query.message.message_id == copied.message_id
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.copy_message(
            coach.id, anna.id, voice["message_id"], reply_parameters=ReplyParameters(999)
        )
    loose = await bot.copy_message(
        coach.id,
        anna.id,
        voice["message_id"],
        reply_parameters=ReplyParameters(999, allow_sending_without_reply=True),
    )
    assert coach.inbox[-1].message_id == loose.message_id
    assert coach.inbox[-1].reply_to_message_id is None


async def test_reply_to_message_id_still_works_in_a_form(sandbox: TelegramSandbox) -> None:
    anna, coach = await pair(sandbox)
    voice = await anna.send_voice()
    coach_start = 1  # the coach's /start is message 1 of the chat
    form = {"chat_id": str(coach.id), "from_chat_id": str(anna.id)}

    async with httpx.AsyncClient(trust_env=False) as client:
        url = f"{sandbox.base_url}{sandbox.bot_token}/copyMessage"
        replied = await client.post(
            url,
            data={
                **form,
                "message_id": str(voice["message_id"]),
                "reply_to_message_id": str(coach_start),
            },
        )
        missing = await client.post(
            url,
            data={
                **form,
                "message_id": str(voice["message_id"]),
                "reply_to_message_id": "99",
                "allow_sending_without_reply": "false",
            },
        )

    assert replied.json()["ok"] is True
    assert coach.inbox[0].reply_to_message_id == coach_start
    assert missing.json()["description"] == "Bad Request: message to be replied not found"


async def test_errors_have_telegrams_wording_and_order(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna, coach = await pair(sandbox)
    voice = await anna.send_voice()
    mid = voice["message_id"]
    stranger = sandbox.user("Nog niet gestart")

    with pytest.raises(BadRequest, match=r"^Message to copy not found$"):
        await bot.copy_message(coach.id, anna.id, 999)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.copy_message(424242, anna.id, mid)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):  # target chat first
        await bot.copy_message(424242, anna.id, 999)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.copy_message(coach.id, 424242, mid)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot can't initiate conversation"):
        await bot.copy_message(stranger.id, anna.id, mid)
    coach.block()
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.copy_message(coach.id, anna.id, mid)
    with pytest.raises(BadRequest, match=r"^Message to copy not found$"):  # before the block
        await bot.copy_message(coach.id, anna.id, 999)
    await anna.send_text("nog iets")  # a blocked target does not stop copying from Anna
    coach.unblock()
    await bot.copy_message(coach.id, anna.id, mid)
    assert [m.kind for m in coach.inbox] == ["voice"]
    # A deleted message is gone for copying too.
    await bot.delete_message(anna.id, mid)
    with pytest.raises(BadRequest, match=r"^Message to copy not found$"):
        await bot.copy_message(coach.id, anna.id, mid)

    answer = await raw_call(
        sandbox, "copyMessage", chat_id=coach.id, from_chat_id=anna.id, message_id=mid
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message to copy not found",
    }


async def test_kinds_telegram_refuses_to_copy(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna, coach = await pair(sandbox)
    team = sandbox.group("Team", privacy_mode=False)
    joined = team.add_member(anna)  # a service message
    chat = sandbox.state.chats[anna.id]
    refused = [
        (team.id, joined["message_id"]),
        *(
            (anna.id, sandbox.state.person_message(chat, anna.user, content)["message_id"])
            for content in (
                {"invoice": {"title": "t", "description": "d", "start_parameter": "s"}},
                {"giveaway": {"chats": [], "winners_selection_date": 1, "winner_count": 1}},
                {"paid_media": {"star_count": 5, "paid_media": []}},
                {
                    "poll": {  # a quiz whose answer the bot does not know
                        "id": "1",
                        "question": "Welke dag?",
                        "options": [
                            {"persistent_id": "0", "text": "Ma", "voter_count": 0},
                            {"persistent_id": "1", "text": "Di", "voter_count": 0},
                        ],
                        "total_voter_count": 0,
                        "is_closed": False,
                        "is_anonymous": True,
                        "type": "quiz",
                        "allows_multiple_answers": False,
                        "allows_revoting": False,
                        "members_only": False,
                    },
                    "forward_origin": {"type": "hidden_user", "sender_user_name": "X", "date": 1},
                },
            )
        ),
    ]

    for from_chat, message_id in refused:
        with pytest.raises(BadRequest, match=r"^Message can't be copied$"):
            await bot.copy_message(coach.id, from_chat, message_id)
    assert coach.inbox == []


async def test_polls_and_dice_are_copied_afresh(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna, coach = await pair(sandbox)
    quiz = await anna.send_poll("Hoeveel is 2+2?", ["3", "4"], correct_option=1)
    poll = await anna.send_poll("Wandelen?", ["Ja", "Nee"], is_anonymous=False)
    dice = await anna.send_dice("🎯", value=6)
    live = await anna.send_location(52.0, 5.0, live_period=900)

    for message in (quiz, poll, dice, live):
        await bot.copy_message(coach.id, anna.id, message["message_id"])

    quiz_copy, poll_copy, dice_copy, live_copy = coach.inbox
    assert quiz_copy.kind == "poll" and quiz_copy.raw["poll"]["correct_option_ids"] == [1]
    assert quiz_copy.raw["poll"]["id"] != quiz["poll"]["id"]
    assert quiz_copy.raw["poll"]["type"] == "quiz"
    assert [o["text"] for o in poll_copy.raw["poll"]["options"]] == ["Ja", "Nee"]
    assert poll_copy.raw["poll"]["is_anonymous"] is False
    assert poll_copy.raw["poll"]["total_voter_count"] == 0
    assert dice_copy.raw["dice"]["emoji"] == "🎯" and 1 <= dice_copy.raw["dice"]["value"] <= 6
    assert live_copy.raw["location"] == {"latitude": 52.0, "longitude": 5.0}


async def test_person_replies_carry_the_full_replied_message(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna, coach = await pair(sandbox)
    voice = await anna.send_voice(duration=4)
    copied = await bot.copy_message(coach.id, anna.id, voice["message_id"])
    relayed = await coach.next_message()
    question = await bot.send_photo(coach.id, photo=tiny_png(200, 100), caption="Zie je dit?")
    own = await coach.send_text("eigen bericht")
    seen = await bot.get_updates()
    await bot.get_updates(offset=seen[-1].update_id + 1)  # confirm what came before

    await coach.send_text("Ik luister ernaar", reply_to=relayed)
    await coach.send_voice(duration=6, reply_to=relayed)
    await coach.send_photo(caption="Zo?", reply_to=question.message_id)
    await coach.reply_to(relayed, voice=True)
    await coach.send_video_note(reply_to=relayed)
    await coach.send_document(reply_to=own)

    messages = [u.message for u in await bot.get_updates() if u.message is not None]
    replied = [m.reply_to_message for m in messages if m.reply_to_message is not None]
    assert len(replied) == len(messages) == 6
    assert [r.message_id for r in replied] == [
        copied.message_id,
        copied.message_id,
        question.message_id,
        copied.message_id,
        copied.message_id,
        own["message_id"],
    ]
    kinds = [
        next(k for k in ("text", "voice", "photo", "video_note", "document") if getattr(m, k))
        for m in messages
    ]
    assert kinds == ["text", "voice", "photo", "voice", "video_note", "document"]
    first = replied[0]
    assert first.voice is not None and first.voice.file_id == voice["voice"]["file_id"]
    assert first.from_user is not None and first.from_user.id == bot.bot.id
    assert replied[2].photo and replied[2].caption == "Zie je dit?"
    assert replied[5].text == "eigen bericht" and replied[5].from_user is not None
    assert replied[5].from_user.id == coach.id
    # The replied message inside carries no further reply_to_message, as on Telegram.
    reply_of_reply = await coach.send_text("en nog een", reply_to=messages[0].message_id)
    assert reply_of_reply["reply_to_message"]["text"] == "Ik luister ernaar"
    assert "reply_to_message" not in reply_of_reply["reply_to_message"]


async def test_media_carry_file_size_without_holding_the_bytes(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna, coach = await pair(sandbox)
    audio = b"OggS" + b"\x00" * 996
    await anna.send_voice(data=audio)
    await anna.send_document(file_name="scan.pdf", file_size=30 * MB)
    big_video = await anna.send_video(file_size=30 * MB)
    await anna.send_photo(width=4000, height=3000, file_size=3 * MB)
    await anna.send_photo()

    voice, document, video, big_photo, small_photo = [u.message for u in await bot.get_updates()][
        2:
    ]
    assert voice and voice.voice and voice.voice.file_size == 1000
    assert document and document.document and document.document.file_size == 30 * MB
    assert video and video.video and video.video.file_size == 30 * MB
    assert big_photo and [(p.width, p.height) for p in big_photo.photo] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1280, 960),
        (2560, 1920),
    ]
    sizes = [p.file_size or 0 for p in big_photo.photo]
    assert sizes == sorted(sizes) and sizes[-1] < 3 * MB
    assert small_photo and [(p.width, p.height) for p in small_photo.photo] == [(64, 64)]
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(document.document.file_id)
    # Copying needs no download: a 30 MB video is relayed with its size.
    await bot.copy_message(coach.id, anna.id, big_video["message_id"])
    assert coach.inbox[0].kind == "video" and coach.inbox[0].file_size == 30 * MB


async def test_the_inbox_tells_what_arrived(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna, coach = await pair(sandbox)
    photo = await anna.send_photo(caption="Mijn tekening")
    voice = await anna.send_voice()
    await bot.send_message(coach.id, "Anna stuurde iets")

    await bot.copy_message(coach.id, anna.id, photo["message_id"])
    await bot.copy_message(coach.id, anna.id, voice["message_id"], reply_markup=ok_button())

    note = await coach.wait_for(lambda m: m.kind == "voice")
    assert note.is_copy and note.caption is None and note.buttons == [["Gehoord"]]
    assert note.media is not None and note.media["duration"] == 3
    assert [(m.kind, m.caption, m.is_copy) for m in coach.inbox] == [
        ("text", None, False),
        ("photo", "Mijn tekening", True),
        ("voice", None, True),
    ]
    assert coach.inbox[1].file_id == photo["photo"][-1]["file_id"]
    assert "voice" in repr(note)


async def test_faults_and_rate_limits_apply_to_copy_message(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna, coach = await pair(sandbox)
    mid = (await anna.send_voice())["message_id"]

    sandbox.faults.fail(method="copyMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.copy_message(coach.id, anna.id, mid)
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    sandbox.faults.fail(method="copyMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.copy_message(coach.id, anna.id, mid)
    sandbox.faults.drop(method="copyMessage")
    with pytest.raises(NetworkError):
        await bot.copy_message(coach.id, anna.id, mid)
    sandbox.faults.fail(method="*", status=500, chat_id=anna.id)  # aims at the target chat
    await bot.copy_message(coach.id, anna.id, mid)
    assert coach.inbox[0].kind == "voice" and len(coach.inbox) == 1  # faults not applied
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.copy_message(anna.id, anna.id, mid)
    assert sandbox.stats["429"] == 1 and sandbox.stats["dropped"] == 1

    sandbox.rate_limits(per_chat_per_second=1)
    await bot.copy_message(anna.id, anna.id, mid)
    with pytest.raises(RetryAfter):
        await bot.copy_message(anna.id, anna.id, mid)
    sandbox.rate_limits()
    assert len(sandbox.calls_to("copyMessage")) == 7


async def test_a_copy_that_timed_out_may_still_have_been_sent(sandbox: TelegramSandbox) -> None:
    anna, coach = await pair(sandbox)
    mid = (await anna.send_voice())["message_id"]
    sandbox.faults.delay(method="copyMessage", seconds=0.3)
    impatient = Bot(
        sandbox.bot_token,
        base_url=sandbox.base_url,
        request=HTTPXRequest(read_timeout=0.05, httpx_kwargs={"trust_env": False}),
    )
    async with impatient:
        with pytest.raises(TimedOut):
            await impatient.copy_message(coach.id, anna.id, mid)

    late = await coach.next_message(timeout=2)
    assert late.kind == "voice" and late.copied_from == (anna.id, mid)
