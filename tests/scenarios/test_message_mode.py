"""Message mode (issue 14, point 7): after "💬 Bericht aan coach" only a message meant for the
coach reaches them. Another menu button ends it, a question asked after it is answered, and
"Toch niet" (the button under the question, or typed) takes it back with a true answer."""

from __future__ import annotations

from sqlmodel import col, select
from telegram_sandbox import SimUser

from storage.models import Checkin, Client, Relay
from tests.scenarios.conftest import World

ASK = "Wat wil je aan Anna vertellen?\nTyp het, of spreek een bericht in."
NOTHING_SENT = "Oké, ik stuur niets naar Anna."
HELP_Q = "Heb je ergens hulp bij nodig?"


def relays_of(world: World) -> list[Relay]:
    with world.database.transaction() as session:
        return list(session.exec(select(Relay).order_by(col(Relay.id))))


def awaiting(world: World) -> bool:
    with world.database.transaction() as session:
        return session.exec(select(Client)).one().awaiting_message


def grade_given(world: World) -> str | None:
    with world.database.transaction() as session:
        row = session.exec(select(Checkin)).one()
        return row.answers.get("grade")


async def _message_mode(world: World) -> tuple[SimUser, SimUser]:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await sam.tap_keyboard("💬 Bericht aan coach")
    asked = await sam.next_message()
    assert asked.text == ASK
    assert asked.buttons == [["Toch niet"], ["🔊 Voorlezen"]]
    assert awaiting(world)
    return anna, sam


async def test_a_menu_press_ends_message_mode_and_the_answer_is_an_answer(world: World) -> None:
    anna, sam = await _message_mode(world)
    await sam.tap_keyboard("📋 Hoe gaat het?")
    question = await sam.next_message()
    assert "Geef een cijfer van 1 tot 10." in question.text
    assert not awaiting(world)
    await sam.send_text("7")
    assert (await sam.next_message()).text == HELP_Q  # not "Verstuurd naar Anna."
    await world.drain()
    assert relays_of(world) == []
    assert not [m for m in anna.inbox if m.is_copy or "Bericht van Sam" in (m.text or "")]
    assert grade_given(world) == "7"


async def test_toch_niet_under_the_question_sends_nothing(world: World) -> None:
    anna, sam = await _message_mode(world)
    await sam.press("Toch niet")
    assert (await sam.next_message()).text == NOTHING_SENT
    closed = next(m for m in sam.inbox if m.text and m.text.startswith(ASK))
    assert closed.text.endswith("Je koos: Toch niet") and closed.buttons == []
    assert not awaiting(world)
    # The next message is no longer sent without asking: it is the ordinary question.
    await sam.send_text("Ik heb een brief gekregen")
    assert (await sam.next_message()).text == "Wil je dit naar Anna sturen?"
    await world.drain()
    assert relays_of(world) == [] and not any(m.is_copy for m in anna.inbox)


async def test_a_typed_toch_niet_sends_nothing(world: World) -> None:
    anna, sam = await _message_mode(world)
    await sam.send_text("Toch niet!")
    assert (await sam.next_message()).text == NOTHING_SENT
    assert not awaiting(world)
    await world.drain()
    assert relays_of(world) == [] and not any(m.is_copy for m in anna.inbox)


async def test_toch_niet_pressed_after_the_message_went_changes_nothing(world: World) -> None:
    anna, sam = await _message_mode(world)
    asked = next(m for m in sam.inbox if m.text == ASK)
    await sam.send_text("Kun je me bellen over de brief?")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await anna.next_message()).text == "💬 Bericht van Sam:"
    assert (await anna.next_message()).text == "Kun je me bellen over de brief?"
    await sam.press("Toch niet", asked)
    await world.drain()
    assert sam.callback_answers[-1].text == "Deze vraag is al klaar."
    assert len(relays_of(world)) == 1
    assert not [m for m in sam.inbox if m.text == NOTHING_SENT]


async def test_a_check_in_the_coach_starts_ends_message_mode(world: World) -> None:
    anna, sam = await _message_mode(world)
    await anna.send_text("/checkin Sam")
    await anna.next_message()
    question = await sam.next_message()
    assert "Geef een cijfer van 1 tot 10." in question.text
    assert not awaiting(world)
    await sam.send_text("8")
    assert (await sam.next_message()).text == HELP_Q
    await world.drain()
    assert relays_of(world) == [] and grade_given(world) == "8"


async def test_the_noodknop_ends_message_mode(world: World) -> None:
    anna, sam = await _message_mode(world)
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.next_message()
    assert (await anna.next_message()).text.startswith("🔴 NOODKNOP – Sam")
    assert not awaiting(world)


async def test_back_to_an_open_check_in_the_answer_is_an_answer(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await sam.tap_keyboard("📋 Hoe gaat het?")
    await sam.next_message()
    await sam.tap_keyboard("💬 Bericht aan coach")
    assert (await sam.next_message()).text == ASK
    await sam.tap_keyboard("📋 Hoe gaat het?")  # the open question again
    assert "Geef een cijfer van 1 tot 10." in (await sam.next_message()).text
    await sam.send_text("7")
    assert (await sam.next_message()).text == HELP_Q
    await world.drain()
    assert relays_of(world) == [] and grade_given(world) == "7" and not awaiting(world)
