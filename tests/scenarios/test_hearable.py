"""Everything a client receives can be heard, choices included, and read-aloud can be switched
on and off by typing it, in any state (issue 14, points 6 and 13). Also: the grade question
says which end is good and narrows a grade said in words; a coach's reply is one message.

The voice is the real offline one; ``spoken`` records what the bot asked it to say (the text
as rendered, with the choices), before speakable() takes the emoji out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

from storage.models import Checkin, Client, OutboxMessage
from tests.scenarios.conftest import World

READ = "🔊 Voorlezen"
MENU = [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]


def spoken(world: World) -> list[str]:
    """What the bot asks the voice to say from now on (every voice note, in order)."""
    voice = world.service.pipeline.speaker.voice
    said: list[str] = []
    clip: Callable[..., Awaitable[Any]] = voice.clip

    async def recording(language: str, text: str, *, keep: bool = True) -> Any:
        said.append(text)
        return await clip(language, text, keep=keep)

    voice.clip = recording
    return said


def choices(message: SentMessage) -> list[str]:
    return [label for row in message.buttons for label in row if label != READ]


async def hear(sam: SimUser, message: SentMessage, said: list[str]) -> str:
    """Tap "🔊 Voorlezen" under ``message``: a voice note comes; what it says."""
    assert [READ] in message.buttons, message.text
    before = len(said)
    await sam.press(READ, message)
    note = await sam.next_message(timeout=15)
    assert note.kind == "voice" and note.file_bytes.startswith(b"OggS")
    assert len(said) == before + 1
    return said[-1]


def read_aloud_of(world: World, name: str = "Sam") -> bool | None:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == name)).one().read_aloud


async def test_the_welcome_and_the_consent_can_be_heard_before_any_choice(world: World) -> None:
    said = spoken(world)
    anna = await world.coach()
    sam = await world.link_opened(anna)
    welcome, consent = sam.inbox[0], sam.inbox[1]
    assert welcome.text.startswith("Hoi Sam! Welkom bij Waakvlam.")
    assert welcome.buttons == [[READ]]
    heard = await hear(sam, welcome, said)
    assert heard.startswith("Hoi Sam! Welkom bij Waakvlam.")
    assert "kiezen" not in heard  # a text without buttons has no choices to say
    heard = await hear(sam, consent, said)
    options = choices(consent)
    assert heard.startswith(consent.text)
    assert heard.endswith(f"Je kunt kiezen: {', '.join(options[:-1])} of {options[-1]}.")


async def test_the_menu_explanation_can_be_heard_and_the_menu_stays(world: World) -> None:
    said = spoken(world)
    anna = await world.coach()
    sam = await world.client(anna)
    explained = next(m for m in sam.inbox if (m.text or "").startswith("💬 Bericht aan coach –"))
    assert sam.current_keyboard == MENU
    heard = await hear(sam, explained, said)
    assert "je hebt Anna nu nodig" in heard


async def test_the_noodknop_texts_can_be_heard_with_the_reasons(world: World) -> None:
    said = spoken(world)
    anna = await world.coach()
    sam = await world.client(anna)
    await sam.tap_keyboard("🔴 Noodknop")
    pressed = await sam.wait_for(lambda m: (m.text or "").startswith("Ik stuur Anna nu"))
    # That text brings "📍 Stuur waar ik ben": a message carries one kind of buttons, so the
    # button right under it (with the reasons) reads it too.
    assert sam.current_keyboard is not None and sam.current_keyboard[-1] == ["📍 Stuur waar ik ben"]
    what = await sam.next_message()
    assert what.text.startswith("Wat is er aan de hand?")
    heard = await hear(sam, what, said)
    assert heard.startswith(pressed.text) and what.text in heard
    assert "Je kunt kiezen: 😟 Ik voel me slecht, 💥 Ik heb ruzie" in heard
    await anna.wait_for(lambda m: "✅ Ik bel nu" in str(m.buttons))
    await anna.press("✅ Ik bel nu")
    seen = await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft je melding gezien."))
    heard = await hear(sam, seen, said)
    assert heard == seen.text


async def test_a_text_with_a_keyboard_below_a_button_is_read_with_it(world: World) -> None:
    said = spoken(world)
    anna = await world.coach()
    sam = await world.link_opened(anna)
    await sam.press("Ja, dat is goed")
    await sam.next_message()
    await sam.press("Nee, alleen tekst")
    chosen = await sam.next_message()
    offer = await sam.next_message()  # it brings its own keyboard: no button of its own
    assert chosen.text == "Goed, dat onthoud ik." and offer.buttons == []
    explained = await sam.next_message()  # what the phone offer means: a button of its own
    assert explained.buttons == [[READ]]
    # The keyboard's text is read by the button below it (the phone offer explained).
    assert await hear(sam, chosen, said) == chosen.text
    assert await hear(sam, explained, said) == f"{offer.text}\n\n{explained.text}"


async def test_read_aloud_is_switched_by_typing_at_the_menu_and_mid_checkin(
    world: World,
) -> None:
    said = spoken(world)
    anna = await world.coach()
    sam = await world.client(anna)
    assert read_aloud_of(world) is False
    await sam.send_text("Voorlezen")
    on = await sam.next_message()
    assert on.text.startswith("Goed. Ik lees mijn berichten nu voor.")
    assert (await sam.next_message(timeout=15)).kind == "voice"
    assert read_aloud_of(world) is True
    await sam.tap_keyboard("📋 Hoe gaat het?")
    question = await sam.wait_for(lambda m: "Geef een cijfer van 1 tot 10." in (m.text or ""))
    assert (await sam.next_message(timeout=15)).kind == "voice"
    assert "1 is heel slecht, 10 is heel goed." in said[-1]
    assert said[-1].endswith("Je kunt kiezen: 1 tot en met 10, Weet ik niet of Overslaan.")
    await sam.send_text("niet voorlezen")
    off = await sam.next_message()
    assert off.text.startswith("Goed. Ik lees mijn berichten niet meer voor.")
    again = await sam.next_message()
    assert "Geef een cijfer van 1 tot 10." in again.text and [READ] in again.buttons
    assert read_aloud_of(world) is False
    await world.drain()
    assert sam.inbox[-1].kind == "text", "no voice note once it is off"
    await sam.send_text("lees voor")
    assert (await sam.next_message()).text.startswith("Goed. Ik lees mijn berichten nu voor.")
    assert read_aloud_of(world) is True
    await sam.press("7", question)  # the check-in went on: the question still counts
    assert (await sam.wait_for(lambda m: m.kind == "text")).text.startswith("We gaan verder")


async def test_read_aloud_is_switched_by_typing_during_consent(world: World) -> None:
    said = spoken(world)
    anna = await world.coach()
    sam = await world.link_opened(anna)
    await sam.send_text("voorlezen")
    assert (await sam.next_message()).text.startswith("Goed. Ik lees mijn berichten nu voor.")
    assert read_aloud_of(world) is True
    consent = await sam.wait_for(lambda m: m.text == sam.inbox[1].text)
    assert consent.buttons == sam.inbox[1].buttons[:-1], "heard now: no button needed"
    assert (await sam.next_message(timeout=15)).kind == "voice"
    assert said[-1].startswith(consent.text) and "Je kunt kiezen:" in said[-1]
    await sam.send_text("Niet meer voorlezen!")
    assert (await sam.next_message()).text.startswith("Goed. Ik lees mijn berichten niet")
    assert read_aloud_of(world) is False
    await sam.press("Ja, dat is goed")
    voice_question = await sam.wait_for(lambda m: "voorlees" in (m.text or ""))
    assert [READ] in voice_question.buttons


async def test_the_grade_question_names_both_ends_and_narrows_a_word(world: World) -> None:
    anna = await world.coach()
    sam = await world.client(anna)
    await sam.tap_keyboard("📋 Hoe gaat het?")
    question = await sam.wait_for(lambda m: "Geef een cijfer van 1 tot 10." in (m.text or ""))
    assert "1 is heel slecht, 10 is heel goed." in question.text
    await sam.send_text("slecht")
    narrowed = await sam.next_message()
    assert narrowed.text == "Dat is jammer.\nIs het een 1, 2, 3 of 4?"
    assert narrowed.buttons == [["1", "2", "3", "4"], ["Weet ik niet", "Overslaan"], [READ]]
    await sam.press("3", narrowed)
    assert (await sam.next_message()).text == "Heb je ergens hulp bij nodig?"
    with world.database.transaction() as session:
        checkin = session.exec(select(Checkin).order_by(col(Checkin.id).desc())).first()
        assert checkin is not None and checkin.answers == {"grade": "3"}
    await world.drain()
    assert not [m for m in anna.unread if "Sam" in (m.text or "")], "no message to Anna"


async def test_a_coachs_reply_reaches_the_client_as_one_message(world: World) -> None:
    anna = await world.coach()
    sam = await world.client(anna)
    await sam.send_text("Hoi")
    await sam.next_message()
    await sam.press("Ja, stuur het")
    await sam.next_message()
    await anna.next_message()
    copy = await anna.next_message()
    await world.drain()  # the bot noted which message the copy is before Anna answers it
    await anna.send_text("Ik bel je morgen, Sam", reply_to=copy)
    assert (await sam.next_message()).text == "Anna heeft je bericht gezien."
    answer = await sam.next_message()
    assert answer.text == "💬 Bericht van Anna:\n\nIk bel je morgen, Sam"
    assert answer.buttons == [[READ]]
    await anna.send_voice(reply_to=copy)
    voice = await sam.wait_for(lambda m: m.kind == "voice")
    assert voice.is_copy and voice.caption == "💬 Bericht van Anna:"
    await world.drain()
    assert sam.unread == [], "nothing else: no separate header line"
    with world.database.transaction() as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert all("words" not in row.params for row in rows), "the words are not kept"
