"""The client's own language (issue 14, point 8): from the invite, stored on the client, used
for every text and voice they get, and changeable by typing the language's name or /taal.

Where the switch came from: a stranger is answered in their Telegram app's language, so the
welcome and the consent came in English, while the client row (and with it every later text)
had the coach's language. Now the invite's language speaks from the first message on.
"""

from __future__ import annotations

from sqlmodel import select

from storage.models import Client, OutboxMessage
from tests.scenarios.conftest import World

DUTCH_MENU = [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]
ENGLISH_MENU = [["💬 Message my coach"], ["📋 How am I doing?"], ["🔴 Panic button"]]


def _language_of(world: World, name: str = "Sam") -> str:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == name)).one().language


async def test_an_english_phone_gets_the_invites_language_from_the_first_message(
    world: World,
) -> None:
    anna = await world.coach()
    token = await world.invite(anna, "Sam")
    sam = world.sandbox.user(first_name="Sam", language_code="en")
    await sam.open_deep_link(token)
    welcome = await sam.next_message()
    assert welcome.text.startswith("Hoi Sam! Welkom bij Waakvlam.")
    consent = await sam.next_message()
    assert consent.buttons[0] == ["Ja, dat is goed"]
    await sam.press("Ja, dat is goed")
    assert (await sam.next_message()).text.startswith("Wil je dat ik mijn berichten")
    await sam.press("Nee, alleen tekst")
    assert (await sam.next_message()).text == "Goed, dat onthoud ik."
    assert _language_of(world) == "nl"


async def test_the_coach_invites_in_english_and_everything_stays_english(world: World) -> None:
    anna = await world.coach()
    await anna.send_text("/nieuw Sam English")
    invite = await anna.next_message()
    assert invite.text.startswith("Uitnodiging voor Sam:")
    await anna.next_message()  # the QR picture
    said = await anna.next_message()
    assert said.text == "Sam krijgt alles in het Engels."
    assert _language_of(world) == "en"

    token = invite.text.split("?start=", 1)[1].split()[0]
    sam = world.sandbox.user(first_name="Sam", language_code="nl")
    await sam.open_deep_link(token)
    assert (await sam.next_message()).text.startswith("Hi Sam! Welcome to Waakvlam.")
    await sam.next_message()
    await sam.press("Yes, that is okay")
    await sam.next_message()
    await sam.press("No, just text")
    assert (await sam.next_message()).text == "Good, I will remember that."
    assert _language_of(world) == "en"


async def test_a_client_types_a_language_to_switch(world: World) -> None:
    anna = await world.coach()
    sam = await world.client(anna, "Sam")
    await sam.send_text("English")
    switched = await sam.next_message()
    assert switched.text.startswith("Okay, from now on I speak English with you.")
    assert switched.keyboard == ENGLISH_MENU
    assert _language_of(world) == "en"

    # What reaches Sam through the outbox is English too: a rhythm change by Anna.
    await anna.send_text("/ritme Sam elke 2 weken")
    assert (await anna.next_message()).text.startswith("Opgeslagen.")  # Anna's own language
    told = await sam.next_message()
    assert told.text.startswith("Anna changed how often you get the questions.")
    await world.drain()
    with world.database.transaction() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == sam.id)).all()
        assert rows and {row.language for row in rows} == {"en"}

    await sam.send_text("/taal")
    offer = await sam.next_message()
    assert offer.buttons[:2] == [["English"], ["Nederlands"]]
    await sam.press("Nederlands")
    back = await sam.next_message()
    assert back.text.startswith("Oké, vanaf nu praat ik Nederlands met je.")
    assert _language_of(world) == "nl"
    await world.drain()
    assert not [m for m in anna.inbox if "English" in (m.text or "")]  # not sent to Anna


async def test_a_language_word_during_consent_switches_the_questions_language(
    world: World,
) -> None:
    anna = await world.coach()
    sam = await world.link_opened(anna, "Sam")
    await sam.send_text("English")
    assert (await sam.next_message()).text.startswith("Okay, from now on I speak English")
    assert (await sam.next_message()).text.startswith("First this question.")
    consent = await sam.next_message()
    assert consent.buttons[0] == ["Yes, that is okay"]
    assert _language_of(world) == "en"
