"""The reminder of a promised message names a way to keep it that works for the coach who
reads it, the real bot through the sandbox on both databases: "Typ /bericht Sam" only for
Sam's own coach while Sam's chat takes messages; a call while it refuses them (📵); for
Bram, a backup who picked Sam's alert up (his /bericht knows only his own clients), a reply
to Sam's message that came with the alert, else asking Anna, Sam's coach."""

from __future__ import annotations

from datetime import timedelta

from telegram_sandbox import SimUser

from storage.models import Relay
from tests.scenarios.conftest import World
from tests.scenarios.test_message_cancel import CANCELLED, REMINDER, picked_up_with_a_message
from tests.scenarios.test_quiet_routine import _anna_and_sam, _checkin
from tests.scenarios.test_unreachable_client import _sam

LEAD = "Let op: ik heb Sam gezegd dat je een bericht stuurt."
BLOCKED = f"{LEAD} Maar Sam kan nu geen berichten van mij krijgen."
CALL = f"{BLOCKED} Bel Sam: +31 6 12345678"
NO_NUMBER = (
    f"{BLOCKED} Ik heb geen telefoonnummer van Sam. Probeer Sam op een andere manier te bereiken."
)
ASK_ANNA = f"{LEAD} Vraag Anna, de coach van Sam, om het bericht te sturen."
REPLY = f"{LEAD} Toch iets sturen? Antwoord op een bericht van Sam bij de melding."
NOTHING_WAITS = "Er staat geen bericht klaar. Ik stuur niets."


def _texts(person: SimUser) -> list[str]:
    return [m.text or "" for m in person.inbox]


async def _bram_picked_up(world: World) -> tuple[SimUser, SimUser, SimUser]:
    """Anna is off (Monday), Bram is her backup: Sam (no phone number) presses the noodknop
    and Bram picks it up with a message; Sam reads "Bram stuurt je een bericht"."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.set_hours(anna, "2345")  # Monday 10:00 in Amsterdam: Anna works Tuesday to Friday
    await world.drain()
    await sam.tap_keyboard("🔴 Noodknop")
    alert = await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await bram.press("✅ Ik stuur een bericht", alert)
    await sam.wait_for(
        lambda m: m.text == "Bram heeft je melding gezien.\nBram stuurt je een bericht."
    )
    await bram.wait_for(lambda m: (m.text or "").startswith("Je volgende bericht"))
    await world.drain()
    bram.mark_read()
    return anna, sam, bram


async def test_a_backup_who_cancels_reads_a_way_that_works_for_him(world: World) -> None:
    _, sam, bram = await _bram_picked_up(world)
    await bram.send_text("/annuleer")
    assert (await bram.next_message()).text == f"{CANCELLED}\n\n{ASK_ANNA}"
    await world.drain()
    assert not any("/bericht" in t for t in _texts(bram))

    # Sam writes with his alert: the copy reaches Bram, and a reply to it reaches Sam.
    await sam.send_text("Ik ben thuis")
    copy = await bram.wait_for(lambda m: m.text == "Ik ben thuis")
    await world.drain()
    bram.mark_read()
    await bram.send_text("/annuleer")
    assert (await bram.next_message()).text == f"{NOTHING_WAITS}\n\n{REPLY}"
    await bram.send_text("Ik bel je zo", reply_to=copy)  # what the reminder says works
    await sam.wait_for(lambda m: m.text == "💬 Bericht van Bram:\n\nIk bel je zo")
    await world.drain()
    assert world.count(Relay) == 1
    assert not any("/bericht" in t for t in _texts(bram))


async def test_the_clock_reminds_a_backup_without_bericht(world: World) -> None:
    """Bram cancelled and never wrote: the 4-hour reminder names Anna, never /bericht."""
    _, _, bram = await _bram_picked_up(world)
    await bram.send_text("/annuleer")
    await bram.next_message()
    bram.mark_read()
    world.clock.advance(timedelta(hours=4, minutes=1))
    await world.tick()
    await world.drain()
    said = [m.text or "" for m in bram.unread]
    assert said[0].startswith("🔔 De melding van Sam") and said[1:] == [ASK_ANNA]


async def test_a_cancel_while_sams_chat_refuses_messages_says_to_call(world: World) -> None:
    """Anna picked Sam's alert up with a message (Sam has no number); Sam blocks the bot."""
    anna, sam = await picked_up_with_a_message(world)
    sam.block()
    await world.drain()
    assert _sam(world).unreachable_since is not None
    anna.mark_read()
    await anna.send_text("/annuleer")
    assert (await anna.next_message()).text == f"{CANCELLED}\n\n{NO_NUMBER}"
    await world.drain()
    assert REMINDER not in _texts(anna) and f"{CANCELLED}\n\n{REMINDER}" not in _texts(anna)


async def test_a_signals_done_while_sams_chat_refuses_messages_says_to_call(
    world: World,
) -> None:
    """💬 under a signal (Sam reads "Anna stuurt je zo een bericht"), Sam blocks the bot, then
    ✅: Anna reads Sam's number to call, not "Typ /bericht Sam"."""
    anna, sam = await _anna_and_sam(world)
    await _checkin(sam, "2", area=None, call="Nee")
    note = await anna.wait_for(lambda m: m.text == "Sam gaf een 2 voor hoe het gaat.")
    await anna.press("💬 Ik stuur een bericht", note)
    asked = await anna.next_message()
    await world.drain()
    sam.block()
    await world.drain()
    assert _sam(world).unreachable_since is not None
    anna.mark_read()
    await anna.press("✅ Afgehandeld", asked)
    assert (await anna.next_message()).text == (
        f"Genoteerd als afgehandeld. Ik stuur niets.\n\n{CALL}"
    )
    await world.drain()
    assert not any("Typ /bericht Sam" in (m.text or "") for m in anna.unread)
