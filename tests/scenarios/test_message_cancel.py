"""A coach's way out of a message they no longer want to send, the real bot through the
sandbox on both databases: "✅ Afgehandeld" after "💬 Ik stuur een bericht" under a signal,
``/annuleer`` (or "laat maar") after ``/bericht Sam``, and ``/annuleer`` after picking up an
alert of a client without a phone number. Sam gets nothing from Anna, and Anna reads the
truth, never "Verstuurd": where Sam was told a message is coming, she reads that too."""

from __future__ import annotations

import pytest
from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import Alert, Coach, Relay
from tests.scenarios.conftest import World
from tests.scenarios.test_client_card import contacts_in, open_card
from tests.scenarios.test_quiet_routine import WRITES, _anna_and_sam, _checkin

HANDLED = "Genoteerd als afgehandeld. Sam krijgt hier geen bericht over."
CANCELLED = "Oké, ik stuur niets."
SENT = "Verstuurd naar Sam."
# Sam was told a message is coming ("Anna stuurt je zo een bericht", or after an alert):
# Anna reads that when the wait ends without one.
REMINDER = (
    "Let op: ik heb Sam gezegd dat je een bericht stuurt. Toch iets sturen? Typ /bericht Sam."
)


def _from_anna(sam: SimUser) -> list[str]:
    return [m.text or "" for m in sam.inbox if (m.text or "").startswith("💬 Bericht van Anna")]


def _awaiting(world: World) -> str | None:
    with world.database.transaction() as session:
        return session.exec(select(Coach)).one().awaiting


async def test_handled_after_i_will_send_a_message_sends_the_next_words_nowhere(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await _checkin(sam, "2", area=None, call="Nee")
    note = await anna.wait_for(lambda m: m.text == "Sam gaf een 2 voor hoe het gaat.")
    await anna.press("💬 Ik stuur een bericht", note)
    asked = await anna.next_message()
    assert asked.buttons == [["✅ Afgehandeld"]]
    await sam.wait_for(lambda m: m.text == WRITES)

    await anna.press("✅ Afgehandeld", asked)
    # Sam read "Anna stuurt je zo een bericht": never "Sam krijgt hier geen bericht over".
    handled = await anna.next_message()
    assert handled.text == f"Genoteerd als afgehandeld. Ik stuur niets.\n\n{REMINDER}"
    await anna.send_text("Dit hoort niet bij Sam")
    await world.drain()

    assert not any("Dit hoort niet bij Sam" in (m.text or "") for m in sam.inbox)
    assert _from_anna(sam) == []
    assert world.count(Relay) == 0
    assert _awaiting(world) is None
    assert not any(
        (m.text or "").startswith((SENT, "Ik probeer het naar Sam te sturen.")) for m in anna.inbox
    )
    assert HANDLED not in [m.text for m in anna.inbox]
    assert [m.text for m in sam.inbox].count(WRITES) == 1  # the one promise, nothing else


async def test_cancel_after_bericht_sends_nothing_and_says_so(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await anna.send_text("/bericht Sam")
    assert (await anna.next_message()).text.startswith("Wat wil je naar Sam sturen?")
    await anna.send_text("/annuleer")
    assert (await anna.next_message()).text == CANCELLED
    await anna.send_text("hallo")
    assert (await anna.next_message()).text == "Dat begrijp ik niet. Stuur /hulp voor wat ik kan."

    # "laat maar" typed as the whole message is the same way out.
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.send_text("laat maar")
    assert (await anna.next_message()).text == CANCELLED
    await world.drain()

    assert _from_anna(sam) == [] and sam.unread == []
    assert world.count(Relay) == 0
    assert _awaiting(world) is None
    assert SENT not in [m.text for m in anna.inbox]


async def picked_up_with_a_message(world: World, *others: str) -> tuple[SimUser, SimUser]:
    """Sam (no phone number) presses the noodknop; Anna picks it up with a message, so Sam
    reads "Anna stuurt je een bericht". Other clients of Anna's join first."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    for name in others:
        await world.client(anna, name)
    await world.drain()
    anna.mark_read()
    await sam.tap_keyboard("🔴 Noodknop")
    alert = await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await anna.press("✅ Ik stuur een bericht", alert)
    await sam.wait_for(
        lambda m: m.text == "Anna heeft je melding gezien.\nAnna stuurt je een bericht."
    )
    await anna.wait_for(lambda m: (m.text or "").startswith("Je volgende bericht"))
    await world.drain()
    return anna, sam


async def test_cancel_after_picking_up_an_alert_reminds_and_leaves_the_alert_open(
    world: World,
) -> None:
    anna, sam = await picked_up_with_a_message(world)
    with world.database.transaction() as session:
        before = session.exec(select(Alert)).one().model_dump()
    assert before["acknowledged_by"] is not None and before["closed_at"] is None
    anna.mark_read()
    sam.mark_read()

    await anna.send_text("/annuleer")
    assert (await anna.next_message()).text == f"{CANCELLED}\n\n{REMINDER}"
    await world.drain()

    with world.database.transaction() as session:
        assert session.exec(select(Alert)).one().model_dump() == before  # open, picked up
    assert _awaiting(world) is None
    assert sam.unread == [] and _from_anna(sam) == []
    assert world.count(Relay) == 0
    assert anna.unread == []  # nothing else: no close, no "Verstuurd"


# -- a wait for Sam's message ends when Anna acts on Kim's alert --------------------------------

ENDED_FOR_KIM = "Je bericht aan Sam stuur ik niet. Wil je Sam nog iets sturen? Typ /bericht Sam."


async def test_picking_up_another_clients_alert_ends_the_wait_for_sams_message(
    world: World,
) -> None:
    """Anna typed /bericht Sam; before she writes, Kim presses the noodknop and Anna taps
    "✅ Ik bel nu". Her next words are about Kim: they must never reach Sam."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    kim = await world.client(anna, "Kim")
    await world.drain()
    anna.mark_read()
    await anna.send_text("/bericht Sam")
    assert (await anna.next_message()).text.startswith("Wat wil je naar Sam sturen?")
    await kim.tap_keyboard("🔴 Noodknop")
    alert = await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Kim"))
    await anna.press("✅ Ik bel nu", alert)
    await anna.wait_for(lambda m: m.text == ENDED_FOR_KIM)
    await anna.send_text("Kim, ik bel je over 2 minuten")
    await world.drain()

    assert _awaiting(world) is None
    assert world.count(Relay) == 0
    assert _from_anna(sam) == [] and _from_anna(kim) == []
    assert not any("ik bel je over 2 minuten" in (m.text or "") for m in (*sam.inbox, *kim.inbox))
    assert SENT not in [m.text for m in anna.inbox]
    assert [m.text for m in anna.inbox].count(ENDED_FOR_KIM) == 1


async def test_a_pick_up_that_asks_for_a_message_sends_the_next_one_to_that_client(
    world: World,
) -> None:
    """Kim has no phone number: "✅ Ik stuur een bericht" makes Anna's next message Kim's,
    and the wait for Sam's ends with a line saying so."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    kim = await world.client(anna, "Kim", phone=False)
    await world.drain()
    anna.mark_read()
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await kim.tap_keyboard("🔴 Noodknop")
    alert = await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Kim"))
    await anna.press("✅ Ik stuur een bericht", alert)
    await anna.wait_for(lambda m: m.text == ENDED_FOR_KIM)
    await anna.send_text("Kim, ik bel je over 2 minuten")
    await anna.wait_for(lambda m: m.text == "Verstuurd naar Kim.")
    await world.drain()

    assert _from_anna(kim) == ["💬 Bericht van Anna:\n\nKim, ik bel je over 2 minuten"]
    assert _from_anna(sam) == []
    assert _awaiting(world) is None


# -- one cancel rule for every wait: the note after "📞 Gebeld" --------------------------------


@pytest.mark.parametrize("cancel", ["laat maar", "/annuleer"])
async def test_cancel_while_a_note_is_asked_stores_no_note_and_keeps_the_contact(
    world: World, cancel: str
) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    card = await open_card(anna, "Sam")
    await anna.press("📞 Gebeld", card)
    assert (await anna.next_message()).text.startswith("Genoteerd: 📞 gebeld met Sam, vandaag.")
    await anna.send_text(cancel)
    assert (await anna.next_message()).text == (
        "Oké, geen notitie. Het contact met Sam is wel bewaard."
    )
    await world.drain()

    assert contacts_in(world) == [("call", None)]  # the contact, and no "laat maar" note
    assert _awaiting(world) is None
