"""Talking with the coach end to end: the real bot through the sandbox, both databases.

A client's message reaches the coach as a copy (the bot stores who, when and what kind, never
the content), with a header and a "seen" button; the coach's reply reaches exactly that client.
Out of hours the client hears when the coach is back and how to get help now. Telegram errors,
restarts and blocked chats never lose a message silently.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

from storage.models import Client, Relay
from tests.scenarios.conftest import World

MB = 1024 * 1024


async def _anna_and_sam(world: World) -> tuple[SimUser, SimUser]:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    return anna, sam


def relays_of(world: World) -> list[Relay]:
    with world.database.transaction() as session:
        return list(session.exec(select(Relay).order_by(col(Relay.id))))


async def first_message(world: World, sam: SimUser, anna: SimUser) -> SentMessage:
    """Sam's first message: asked once whether to send it, says yes; Anna gets the copy."""
    await sam.send_text("Ik heb een brief gekregen")
    question = await sam.next_message()
    assert question.text == "Wil je dit naar Anna sturen?"
    assert question.buttons == [["Ja, stuur het", "Nee"], ["🔊 Voorlezen"]]
    await sam.press("Ja, stuur het")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await anna.next_message()).text == "💬 Bericht van Sam:"
    copy = await anna.next_message()
    assert copy.is_copy and copy.text == "Ik heb een brief gekregen"
    assert copy.buttons == [["✓ Gezien"]]
    await world.drain()  # the bot noted which message the copy is before Anna answers it
    return copy


async def test_a_first_message_is_confirmed_once_then_goes_straight_on(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    await sam.send_text("Kun je helpen?")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await anna.next_message()).text == "💬 Bericht van Sam:"
    assert (await anna.next_message()).text == "Kun je helpen?"
    [first, second] = relays_of(world)
    assert (first.direction, first.kind, second.kind) == ("to_coach", None, "text")
    # Nothing of the content is stored: the relay row holds ids, a kind and times.
    assert "helpen" not in repr(second) and "brief" not in repr(first)


async def test_saying_no_sends_nothing_and_a_double_yes_sends_once(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("laat maar")
    question = await sam.next_message()
    assert question.reply_markup is not None
    yes = question.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await sam.press("Nee")
    assert (await sam.next_message()).text == "Oké, ik stuur het niet."
    await world.drain()
    assert relays_of(world) == [] and not any(m.is_copy for m in anna.inbox)
    # The old question pressed "yes" twice later (a double tap): one copy, not two.
    await sam.press_data(question, yes)
    await sam.press_data(question, yes)
    await world.drain()
    copies = [m for m in anna.inbox if m.is_copy]
    assert len(copies) == 1 and copies[0].text == "laat maar"
    assert len(relays_of(world)) == 1


async def test_the_menu_button_sends_the_next_message_without_asking(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.tap_keyboard("💬 Bericht aan coach")
    asked = await sam.next_message()
    assert asked.text == "Wat wil je aan Anna vertellen?\nTyp het, of spreek een bericht in."
    await sam.send_voice(duration=4)
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    await anna.next_message()
    voice = await anna.next_message()
    assert voice.kind == "voice" and voice.is_copy


KINDS: list[tuple[str, Callable[[SimUser], Awaitable[Any]]]] = [
    ("voice", lambda p: p.send_voice(duration=3)),
    ("photo", lambda p: p.send_photo(caption="deze brief")),
    ("video", lambda p: p.send_video()),
    ("video_note", lambda p: p.send_video_note()),
    ("document", lambda p: p.send_document()),
    ("audio", lambda p: p.send_audio()),
    ("sticker", lambda p: p.send_sticker()),
    ("animation", lambda p: p.send_animation()),
    ("location", lambda p: p.send_location(51.81, 4.66)),
    ("venue", lambda p: p.send_venue()),
    ("text", lambda p: p.send_text("gewoon tekst")),
]


async def test_every_kind_reaches_the_coach_and_the_coachs_reply_reaches_the_client(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    for kind, send in KINDS:
        await send(sam)
        assert (await sam.next_message()).text == "Verstuurd naar Anna.", kind
        assert (await anna.next_message()).text == "💬 Bericht van Sam:"
        copy = await anna.next_message()
        assert (copy.kind, copy.is_copy) == (kind, True)
        await world.drain()  # the bot noted which message the copy is before Anna answers it
        # Anna answers with the same kind, as a Telegram reply to the copy.
        await _reply(anna, kind, copy)
        assert (await anna.next_message()).text == "Verstuurd naar Sam."
        # A reply means Anna saw the message: Sam hears that first, then gets the answer.
        assert (await sam.next_message()).text == "Anna heeft je bericht gezien."
        await answer_arrives(sam, kind)
    await world.settle()
    assert [r.kind for r in relays_of(world) if r.direction == "to_coach"] == [None] + [
        k for k, _ in KINDS
    ]


# Kinds whose copy carries who it is from as its caption: one message. A text is one message
# too (the coach's words under that line); the others come after a header line.
CAPTIONED = {"voice", "photo", "video", "document", "audio", "animation"}


async def answer_arrives(sam: SimUser, kind: str, coach: str = "Anna") -> None:
    """Anna's reply of ``kind`` reaches Sam: one message where Telegram allows it."""
    header = f"💬 Bericht van {coach}:"
    if kind == "text":
        answer = await sam.wait_for(lambda m: (m.text or "").startswith(header))
        assert answer.text == f"{header}\n\nIk bel je morgen, Sam" and not answer.is_copy
        return
    if kind in CAPTIONED:
        answer = await sam.wait_for(lambda m: m.is_copy)
        assert (answer.kind, answer.caption) == (kind, header)
        return
    assert (await sam.wait_for(lambda m: m.text == header)).text
    answer = await sam.next_message()
    assert (answer.kind, answer.is_copy) == (kind, True)


async def _reply(anna: SimUser, kind: str, to: SentMessage) -> None:
    senders: dict[str, Callable[[], Awaitable[Any]]] = {
        "voice": lambda: anna.send_voice(reply_to=to),
        "photo": lambda: anna.send_photo(reply_to=to),
        "video": lambda: anna.send_video(reply_to=to),
        "video_note": lambda: anna.send_video_note(reply_to=to),
        "document": lambda: anna.send_document(reply_to=to),
        "audio": lambda: anna.send_audio(reply_to=to),
        "sticker": lambda: anna.send_sticker(reply_to=to),
        "animation": lambda: anna.send_animation(reply_to=to),
        "location": lambda: anna.send_location(52.0, 5.0, reply_to=to),
        "venue": lambda: anna.send_venue(reply_to=to),
        "text": lambda: anna.send_text("Ik bel je morgen, Sam", reply_to=to),
    }
    await senders[kind]()


async def test_replies_in_every_kind_reach_the_right_client_among_several(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    lee = await world.client(anna, "Lee")
    sam_copy = await first_message(world, sam, anna)
    await lee.send_text("Hoi Anna")
    await lee.next_message()
    await lee.press("Ja, stuur het")
    await lee.next_message()
    lee_header = await anna.next_message()
    await anna.next_message()
    await world.drain()  # the bot noted which message the copy is before Anna answers it
    for kind, _ in KINDS:
        await _reply(anna, kind, sam_copy)
        assert (await anna.next_message()).text == "Verstuurd naar Sam."
        await answer_arrives(sam, kind)
    # A reply to the header line counts as a reply to that message too.
    await anna.send_text("Fijn dat je schrijft", reply_to=lee_header)
    assert (await anna.next_message()).text == "Verstuurd naar Lee."
    answer = await lee.wait_for(lambda m: "Fijn dat je schrijft" in (m.text or ""))
    assert answer.text == "💬 Bericht van Anna:\n\nFijn dat je schrijft"
    await world.drain()
    assert not any("Ik bel je morgen" in (m.text or "") for m in lee.inbox)
    to_client = [r for r in relays_of(world) if r.direction == "to_client"]
    assert len(to_client) == len(KINDS) + 1
    assert {r.client_id for r in to_client[:-1]} != {r.client_id for r in to_client[-1:]}


async def test_seen_and_a_reply_tell_the_client_once(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    copy = await first_message(world, sam, anna)
    await anna.press("✓ Gezien", copy)
    assert (await sam.next_message()).text == "Anna heeft je bericht gezien."
    await anna.send_text("Ik kijk ernaar", reply_to=copy)
    await anna.next_message()
    assert (await sam.next_message()).text == "💬 Bericht van Anna:\n\nIk kijk ernaar"
    await world.drain()
    assert sum(m.text == "Anna heeft je bericht gezien." for m in sam.inbox) == 1
    await sam.send_text("Dank je")
    await sam.next_message()
    await anna.next_message()
    second = await anna.next_message()
    await world.drain()  # the bot noted which message the copy is before Anna answers it
    await anna.send_text("Graag gedaan", reply_to=second)  # a reply alone also means "seen"
    await anna.next_message()
    assert (await sam.next_message()).text == "Anna heeft je bericht gezien."
    assert all(r.seen_at is not None for r in relays_of(world) if r.direction == "to_coach")


async def test_replies_that_go_nowhere_are_explained(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bert = await world.coach("Bert")
    copy = await first_message(world, sam, anna)
    joined = next(m for m in anna.inbox if (m.text or "").startswith("Sam doet mee"))
    await anna.send_text("hallo?", reply_to=joined)
    assert (await anna.next_message()).text.startswith("Dit bericht is niet van een cliënt.")
    await anna.send_text("zomaar iets")
    assert (await anna.next_message()).text.startswith("Dat begrijp ik niet.")
    # The organisation moved Sam to Bert: Anna's reply to Sam's old message goes nowhere.
    with world.database.transaction() as session:
        client = session.exec(select(Client).where(Client.name == "Sam")).one()
        client.coach_id = world.coach_id(bert)
        session.add(client)
    await anna.send_text("Hoe gaat het nu?", reply_to=copy)
    assert (await anna.next_message()).text.startswith("Dit bericht is van een cliënt die niet")
    await world.drain()
    assert not any(m.text == "Hoe gaat het nu?" for m in sam.inbox)
    # Anna's /bericht does not know Sam any more; Bert's does.
    await anna.send_text("/bericht Sam")
    assert (await anna.next_message()).text.startswith("Je hebt nog geen actieve cliënten.")
    await bert.send_text("/bericht sam")
    assert (await bert.next_message()).text.startswith("Wat wil je naar Sam sturen?")
    await bert.send_photo(caption="Het formulier")
    assert (await bert.next_message()).text == "Verstuurd naar Sam."
    copy = await sam.wait_for(lambda m: m.is_copy)
    assert copy.caption == "💬 Bericht van Bert:\n\nHet formulier"  # one message


async def test_out_of_hours_the_client_hears_when_the_coach_is_back(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    world.set_hours(anna, "12345")
    world.clock.set(datetime(2026, 11, 7, 12, 0, tzinfo=UTC))  # Saturday 13:00 in Amsterdam
    await sam.tap_keyboard("💬 Bericht aan coach")
    await sam.next_message()
    await sam.send_text("Ik ben mijn pas kwijt")
    assert (await sam.next_message()).text == (
        "Verstuurd naar Anna.\n"
        "Anna werkt nu niet.\n"
        "Anna is er maandag weer, vanaf 09:00.\n"
        "Heb je nu hulp nodig? Druk op de Noodknop.\n"
        "Bij gevaar: bel 112."
    )
    await anna.next_message()
    assert (await anna.next_message()).text == "Ik ben mijn pas kwijt"  # it still arrives


async def test_telegram_errors_and_a_restart_lose_no_message(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    world.sandbox.faults.fail(
        method="copyMessage", status=429, retry_after=1, times=1, chat_id=anna.id
    )
    world.sandbox.faults.fail(method="copyMessage", status=500, times=1, chat_id=anna.id)
    world.clock.advance(timedelta(seconds=1))
    await sam.send_voice()
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    await anna.next_message()
    # The worker retries after a while: let the fixed clock move on and wake it, as often as
    # it takes (the header first, the 429, the 500; a busy machine may need a pass more).
    for _ in range(10):
        await world.rest()  # the worker has tried, and waits for the clock
        if any(m.kind == "voice" for m in anna.inbox):
            break
        world.clock.advance(timedelta(minutes=5))
    voice = await anna.wait_for(lambda m: m.kind == "voice", timeout=10)
    assert voice.is_copy
    # A restart between storing and sending: the row waits in the outbox and goes out after.
    await world.service.worker.stop()
    await sam.send_photo()
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    await world.restart()
    assert (await anna.wait_for(lambda m: m.kind == "photo", timeout=10)).is_copy
    await world.drain()
    assert sum(m.kind == "voice" for m in anna.inbox) == 1  # no duplicate after retries


async def test_blocked_chats_are_told_to_the_sender(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    copy = await first_message(world, sam, anna)
    sam.block()
    await anna.send_text("Ben je er nog?", reply_to=copy)
    await anna.next_message()
    # Also told once that Sam cannot get messages at all (test_unreachable_client.py).
    failed = await anna.wait_for(lambda m: not (m.text or "").startswith("📵 Sam"))
    assert failed.text == (
        "Je bericht kon niet bij Sam komen. "
        "Misschien heeft Sam de chat gestopt of de bot geblokkeerd."
    )
    sam.unblock()
    anna.block()
    await sam.send_text("Hallo?")
    await sam.next_message()
    told = await sam.next_message()
    assert told.text.startswith("Je bericht kon niet bij Anna komen.")
    assert "112" in told.text
    await world.drain()
    assert sum((m.text or "").startswith("Je bericht kon niet") for m in sam.inbox) == 1
    assert [r.failed_at is not None for r in relays_of(world)] == [False, True, True]


async def test_too_big_and_unsupported_kinds_get_a_kind_answer(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    await sam.send_video(file_size=30 * MB)
    assert (await sam.next_message()).text.startswith("Dit bestand is te groot om door te sturen.")
    await sam.send_document(file_size=19 * MB)
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    await anna.next_message()
    assert (await anna.next_message()).kind == "document"
    await sam.send_poll("Pizza?", ["Ja", "Nee"])
    assert (await sam.next_message()).text.startswith("Dit soort bericht kan ik niet doorsturen.")
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.send_dice()
    assert (await anna.next_message()).text.startswith("Dit soort bericht kan ik niet doorsturen")
    await anna.send_document(file_size=25 * MB)
    assert (await anna.next_message()).text.startswith("Dit bestand is te groot")
    await world.settle()
    assert [r.kind for r in relays_of(world)] == [None, "document"]


async def test_a_voice_note_during_a_checkin_goes_to_the_coach_and_the_checkin_goes_on(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    await sam.tap_keyboard("📋 Hoe gaat het?")
    await sam.next_message()
    await sam.send_voice()
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await sam.next_message()).text.startswith("We gaan verder waar je was.\n\nHoe gaat")
    await anna.next_message()
    assert (await anna.next_message()).kind == "voice"


async def test_the_copy_answers_its_header_so_it_never_sits_under_someone_else(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    header, copy = anna.inbox[-2], anna.inbox[-1]
    assert copy.reply_to_message_id == header.message_id
    # The header meets a 429: the copy waits for it instead of going first.
    world.sandbox.faults.fail(
        method="sendMessage", status=429, retry_after=1, times=1, chat_id=anna.id
    )
    await sam.send_text("Nog een vraag")
    await sam.next_message()
    for _ in range(5):  # each time, the worker sends what is due by then before the clock moves
        world.clock.advance(timedelta(seconds=2))
        await world.rest()
    header = await anna.wait_for(lambda m: m.text == "💬 Bericht van Sam:", timeout=10)
    copy = await anna.next_message(timeout=10)
    assert copy.text == "Nog een vraag" and copy.reply_to_message_id == header.message_id


async def test_a_reply_to_something_else_never_goes_to_the_bericht_client(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.client(anna, "Jan")
    jan_joined = next(m for m in anna.inbox if (m.text or "").startswith("Jan doet mee"))
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.send_text("Jan, bel me even", reply_to=jan_joined)
    assert (await anna.next_message()).text.startswith("Dit bericht is niet van een cliënt.")
    await anna.send_text("Sam, ik bel je morgen")  # the /bericht is still waiting
    assert (await anna.next_message()).text == "Verstuurd naar Sam."
    await world.drain()
    answers = [m.text for m in sam.inbox if "ik bel je morgen" in (m.text or "")]
    assert answers == ["💬 Bericht van Anna:\n\nSam, ik bel je morgen"]


async def test_a_message_that_cannot_be_copied_is_told_to_the_client(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    world.sandbox.faults.fail(method="copyMessage", status=400, times=1, chat_id=anna.id)
    await sam.send_text("Is dit aangekomen?")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    told = await sam.next_message(timeout=10)
    assert told.text.startswith("Je bericht kon niet bij Anna komen.")


async def test_a_message_during_a_waiting_alert_keeps_the_location_button(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Ik stuur Anna nu"))
    await sam.send_voice()  # with the alert, to everyone asked about it
    await sam.wait_for(lambda m: m.text == "Ik stuur dit mee met je melding.")
    assert sam.current_keyboard[-1] == ["📍 Stuur waar ik ben"]
    copy = await anna.wait_for(lambda m: m.kind == "voice")
    await world.drain()  # the bot noted which message the copy is before Anna answers it
    await anna.send_text("Ik kom eraan, waar ben je?", reply_to=copy)  # a reply reaches Sam
    await sam.wait_for(lambda m: m.text == "💬 Bericht van Anna:\n\nIk kom eraan, waar ben je?")
    assert sam.current_keyboard[-1] == ["📍 Stuur waar ik ben"]


async def test_a_message_for_the_coach_during_a_checkin_is_not_swallowed(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    await sam.tap_keyboard("📋 Hoe gaat het?")
    await sam.next_message()
    await sam.send_text("Ik heb een brief van de deurwaarder, kun je me bellen?")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await sam.next_message()).text.startswith("We gaan verder waar je was.")
    await anna.next_message()
    copy = await anna.next_message()
    assert copy.text == "Ik heb een brief van de deurwaarder, kun je me bellen?"
    # After "💬 Bericht aan coach" even a short "ja" goes to Anna, not into the check-in.
    await sam.tap_keyboard("💬 Bericht aan coach")
    await sam.next_message()
    await sam.send_text("ja")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."


async def test_a_forged_confirmation_never_sends_a_message_the_client_did_not_choose(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("Ik heb een brief gekregen")
    question = await sam.next_message()
    assert question.text == "Wil je dit naar Anna sturen?"
    link_message_id = world.link_messages[sam.id]["message_id"]  # "/start <token>"
    assert question.reply_markup is not None
    real = question.reply_markup["inline_keyboard"][0][0]["callback_data"]
    # The data names the message to send: pointing it at another one must not work, nor
    # may the rest of a real button's data make another message id pass.
    for forged in (
        f"rl:y:{link_message_id}",
        re.sub(r"^rl:y:\d+", f"rl:y:{link_message_id}", real),
    ):
        await sam.press_data(question, forged)
    assert (await sam.next_message()).text == "Die knop is oud. Stuur je bericht nog een keer."
    await world.drain()
    assert relays_of(world) == []
    assert not any(m.is_copy for m in anna.unread), "nothing was copied to Anna"
    assert sam.callback_answers[-1].text == "Deze knop werkt niet meer."
