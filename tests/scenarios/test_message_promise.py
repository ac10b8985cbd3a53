"""A promise to a client outlives the coach's wait, the real bot through the sandbox on both
databases. Sam read "Anna stuurt je een bericht" (an alert picked up without a phone number):
until Anna's message to Sam is relayed, a second cancel after a new ``/bericht Sam`` and a new
question replacing the wait (``/bericht Jan``, ``/nieuw``) remind Anna of it; once her message
went, a later cancel says only "Oké, ik stuur niets."."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from telegram_sandbox import SimUser

from bot import client_admin
from storage import people
from storage.models import Client, Coach, Relay
from tests.scenarios.conftest import World
from tests.scenarios.test_message_cancel import (
    CANCELLED,
    REMINDER,
    _from_anna,
    picked_up_with_a_message,
)
from tests.scenarios.test_quiet_routine import _anna_and_sam, _checkin

REPLACED = f"Je bericht aan Sam stuur ik niet.\n\n{REMINDER}"
HANDLED_TOLD = f"Genoteerd als afgehandeld. Ik stuur niets.\n\n{REMINDER}"


def _promised_by(world: World) -> int | None:
    with world.database.transaction() as session:
        sam = session.exec(select(Client).where(Client.name == "Sam")).one()
        return sam.message_promised_by


def _anna_id(world: World) -> int | None:
    with world.database.transaction() as session:
        return session.exec(select(Coach)).one().id


async def _promised(world: World, *others: str) -> tuple[SimUser, SimUser]:
    """Sam (no phone number) presses the noodknop; Anna picks it up with a message. Other
    clients join first (adding one is a question of Anna's too)."""
    anna, sam = await picked_up_with_a_message(world, *others)
    # Stored with "Anna stuurt je een bericht", in the pick-up's own transaction.
    assert _promised_by(world) == _anna_id(world)
    anna.mark_read()
    return anna, sam


async def test_a_second_cancel_after_a_new_bericht_still_reminds(world: World) -> None:
    """a) /annuleer, /bericht Sam, /annuleer: Sam still waits for Anna's message."""
    anna, sam = await _promised(world)
    await anna.send_text("/annuleer")
    assert (await anna.next_message()).text == f"{CANCELLED}\n\n{REMINDER}"
    assert _promised_by(world) == _anna_id(world)  # the wait ended, the promise did not
    await anna.send_text("/bericht Sam")
    assert (await anna.next_message()).text.startswith("Wat wil je naar Sam sturen?")
    await anna.send_text("laat maar")
    assert (await anna.next_message()).text == f"{CANCELLED}\n\n{REMINDER}"
    await world.drain()

    assert _from_anna(sam) == [] and world.count(Relay) == 0
    assert _promised_by(world) == _anna_id(world)


@pytest.mark.parametrize("question", ["/bericht Jan", "/nieuw"])
async def test_a_new_question_replacing_the_promised_wait_reminds(
    world: World, question: str
) -> None:
    """b) the reminder first, then the new question; nothing goes to Sam."""
    anna, sam = await _promised(world, "Jan")
    await anna.send_text(question)
    assert (await anna.next_message()).text == REPLACED
    asked = await anna.next_message()
    assert asked.text != REPLACED
    if question == "/bericht Jan":
        assert asked.text.startswith("Wat wil je naar Jan sturen?")
    await world.drain()

    assert [m.text for m in anna.inbox].count(REPLACED) == 1
    assert _from_anna(sam) == [] and world.count(Relay) == 0


async def test_once_the_message_went_a_later_cancel_says_only_that(world: World) -> None:
    """Promise kept: Anna's message to Sam is relayed; /bericht Sam and /annuleer later."""
    anna, sam = await _promised(world)
    await anna.send_text("Ik bel je om 3 uur")
    await anna.wait_for(lambda m: m.text == "Verstuurd naar Sam.")
    await world.drain()
    assert _from_anna(sam) == ["💬 Bericht van Anna:\n\nIk bel je om 3 uur"]
    assert _promised_by(world) is None

    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.send_text("/annuleer")
    assert (await anna.next_message()).text == CANCELLED
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.send_text("/bericht Sam")  # asked again: no promise to name
    await anna.next_message()
    await world.drain()
    assert REMINDER not in " ".join(m.text or "" for m in anna.inbox[-5:])


async def test_handled_after_an_earlier_cancel_still_names_the_promise(world: World) -> None:
    """c) 💬 under a signal, /annuleer, then ✅: Sam was told a message is coming."""
    anna, sam = await _anna_and_sam(world)
    await _checkin(sam, "2", area=None, call="Nee")
    note = await anna.wait_for(lambda m: m.text == "Sam gaf een 2 voor hoe het gaat.")
    await anna.press("💬 Ik stuur een bericht", note)
    asked = await anna.next_message()
    await anna.send_text("/annuleer")
    assert (await anna.next_message()).text == f"{CANCELLED}\n\n{REMINDER}"
    await anna.press("✅ Afgehandeld", asked)
    assert (await anna.next_message()).text == HANDLED_TOLD


async def test_a_message_that_did_not_arrive_keeps_the_promise(world: World) -> None:
    """Anna writes, but Sam blocked the bot meanwhile: Sam is still owed her message."""
    anna, sam = await _promised(world)
    sam.block()
    await anna.send_text("Hoi Sam, ik ben er.")
    await anna.wait_for(lambda m: (m.text or "").startswith("Je bericht kon niet bij Sam komen"))
    await world.drain()
    assert _from_anna(sam) == []
    assert _promised_by(world) == _anna_id(world)


async def test_a_talk_or_a_new_coach_ends_the_promise(world: World) -> None:
    """Closed as "📞 Gesproken", Anna spoke with Sam: nothing to remind her of. A move makes a
    promise no longer Anna's to keep."""
    anna, _ = await _promised(world)
    await anna.press("📞 Gesproken")
    await world.drain()
    assert _promised_by(world) is None
    await anna.send_text("/annuleer")  # her wait for a message to Sam ends, with no reminder
    assert (await anna.next_message()).text == CANCELLED

    with world.database.transaction() as session:
        sam_row = session.exec(select(Client).where(Client.name == "Sam")).one()
        anna_id = _anna_id(world)
        assert sam_row.id is not None and anna_id is not None
        people.promise_message(session, sam_row.id, anna_id)  # as a new pick-up would
    bram = await world.coach("Bram")
    moved = client_admin.move_client(
        world.database,
        client_id=sam_row.id,
        to_coach_id=world.coach_id(bram),
        now=world.clock.now(),
    )
    assert moved is None
    assert _promised_by(world) is None


async def _later(world: World, anna: SimUser, after: timedelta) -> list[str]:
    """The clock moves on and ticks: what Anna reads from it."""
    anna.mark_read()
    world.clock.advance(after)
    await world.tick()
    await world.drain()
    return [m.text or "" for m in anna.unread]


async def test_the_alerts_reminder_and_its_close_name_a_promise_still_open(world: World) -> None:
    """Anna cancelled and never wrote: her 4-hour reminder and the close a day later each
    remind her that Sam was told a message is coming; after her message, neither does."""
    anna, _ = await _promised(world)
    await anna.send_text("/annuleer")
    await anna.next_message()
    said = await _later(world, anna, timedelta(hours=4, minutes=1))
    assert said[0].startswith("🔔 De melding van Sam") and said[1:] == [REMINDER]
    said = await _later(world, anna, timedelta(hours=20))
    assert said[0].startswith("🔕 De melding van Sam") and said[1:] == [REMINDER]


async def test_a_kept_promise_is_not_named_by_the_reminder(world: World) -> None:
    anna, _ = await _promised(world)
    await anna.send_text("Ik bel je straks")
    await anna.wait_for(lambda m: m.text == "Verstuurd naar Sam.")
    await world.drain()
    said = await _later(world, anna, timedelta(hours=4, minutes=1))
    assert len(said) == 1 and said[0].startswith("🔔 De melding van Sam")
