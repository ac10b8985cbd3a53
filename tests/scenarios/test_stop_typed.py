"""A typed "ja" or "nee" answers "Wil je stoppen met Waakvlam?" as its buttons do, while that
question is the client's last open one: outside a check-in the "nee" is no message for the
coach, during one it is no answer to the check-in's question."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import Checkin, Client
from tests.scenarios.conftest import World
from tests.scenarios.test_relay import first_message


async def _anna_and_sam(world: World) -> tuple[SimUser, SimUser]:
    """Anna and Sam (no phone number), everything so far read."""
    anna = await world.coach()
    sam = await world.client(anna, "Sam", phone=False)
    await world.drain()
    sam.mark_read()
    anna.mark_read()
    return anna, sam


def _client(world: World) -> Client:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == "Sam")).one()


def _answers(world: World) -> dict[str, str]:
    with world.database.transaction() as session:
        return dict(session.exec(select(Checkin)).one().answers)


async def test_a_typed_nee_answers_the_stop_question_and_reaches_nobody(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("stop")
    assert (await sam.next_message()).text.startswith("Wil je stoppen met Waakvlam?")
    assert _client(world).stop_asked_at == world.clock.now()

    await sam.send_text("Nee")
    assert (await sam.next_message()).text == "Fijn. Je doet nog gewoon mee."
    await world.drain()
    assert sam.unread == []  # no "Wil je dit naar Anna sturen?"
    assert anna.unread == []  # nothing went to the coach
    assert _client(world).stop_asked_at is None

    # Answered: a later "nee" is a message again, as before.
    await sam.send_text("nee")
    assert "Anna" in (await sam.next_message()).text


async def test_a_typed_ja_asks_the_coach_as_the_button_does(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("ik wil stoppen")
    await sam.next_message()
    await sam.send_text("ja")
    told = await sam.next_message()
    assert told.text.startswith("Goed. Ik heb Anna gevraagd om het stop te zetten.")
    request = await anna.next_message()
    assert request.text.startswith("Sam wil stoppen met Waakvlam en heeft dat bevestigd.")
    assert _client(world).stop_asked_at is None


async def test_during_a_check_in_the_nee_to_stopping_is_no_check_in_answer(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.tap_keyboard("📋 Hoe gaat het?")
    await sam.next_message()
    await sam.send_text("7")
    question = await sam.next_message()
    await world.drain()
    sam.mark_read()
    before = _answers(world)

    await sam.send_text("ik wil stoppen")
    assert (await sam.next_message()).text.startswith("Wil je stoppen met Waakvlam?")
    await sam.send_text("nee")
    assert (await sam.next_message()).text == "Fijn. Je doet nog gewoon mee."
    again = await sam.next_message()  # the open check-in question again
    assert again.text.endswith(question.text)  # "We gaan verder waar je was."
    await world.drain()
    assert sam.unread == []
    assert _answers(world) == before  # the "nee" was not stored as a check-in answer
    assert anna.unread == []

    # The stop question is answered: the next "nee" answers the check-in's question.
    await sam.send_text("nee")
    await world.drain()
    assert _answers(world) != before


async def test_something_else_in_between_ends_the_stop_question(world: World) -> None:
    _anna, sam = await _anna_and_sam(world)
    await sam.send_text("stop")
    await sam.next_message()
    await sam.tap_keyboard("📋 Hoe gaat het?")  # a check-in question is the last one now
    await world.drain()
    assert _client(world).stop_asked_at is None
    sam.mark_read()
    await sam.send_text("nee")
    await world.drain()
    assert all("Fijn. Je doet nog gewoon mee." not in m.text for m in sam.unread)


async def test_a_message_from_the_coach_or_time_ends_the_stop_question(world: World) -> None:
    """After "Wil je stoppen?" Anna writes Sam a question: his "ja" is for her, not a wish to
    stop. Without her message, a "nee" ten minutes on is a message too."""
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)  # Sam's messages go to Anna without asking
    await sam.send_text("stop")
    assert (await sam.next_message()).text.startswith("Wil je stoppen met Waakvlam?")
    await anna.send_text("/bericht Sam")
    await anna.send_text("Zal ik morgen langskomen?")
    await sam.wait_for(lambda m: (m.text or "").endswith("Zal ik morgen langskomen?"))
    await world.drain()
    assert _client(world).stop_asked_at is None
    await sam.send_text("ja")
    await anna.wait_for(lambda m: m.is_copy and m.text == "ja")
    await world.drain()
    assert not any((m.text or "").startswith("Sam wil stoppen") for m in anna.inbox)

    await sam.send_text("stop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wil je stoppen met Waakvlam?"))
    world.clock.advance(timedelta(minutes=11))
    await sam.send_text("nee")
    await anna.wait_for(lambda m: m.is_copy and m.text == "nee")
    await world.drain()
    assert not any(m.text == "Fijn. Je doet nog gewoon mee." for m in sam.inbox)
