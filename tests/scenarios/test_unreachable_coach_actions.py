"""What a coach does for a client who blocked the bot (marked 📵): a new rhythm, a pause and a
resume are saved, but nothing is queued for the client, and the coach reads that the client
gets no message about it; a message (``/bericht Sam``, the card's "✉️ Bericht sturen", a
signal's "💬 Ik stuur een bericht") is still tried, as the block may be lifted, but the coach
reads first that it may not arrive, never "Verstuurd", and hears it when it was refused. The
real bot through the sandbox, a fixed clock, both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import CheckinSchedule, OutboxMessage, Relay
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import FIRST_DUE
from tests.scenarios.test_client_card import open_card
from tests.scenarios.test_unreachable_client import UNREACHABLE, _sam, _starting

NOT_TOLD = (  # with the number Sam shared when joining, as the everyday notice names it
    "📵 Sam krijgt hier geen bericht over: sinds 9 november kan Sam geen berichten van mij "
    "krijgen. Moet Sam het weten? Bel Sam: +31 6 12345678"
)
MAY_NOT_ARRIVE = (
    "📵 Sinds 9 november kan Sam geen berichten van mij krijgen. Misschien komt je bericht "
    "niet aan.\n\n"
    "Wat wil je naar Sam sturen? Typ het, of stuur een spraakbericht, foto of iets anders. "
    "Toch niets sturen? Typ /annuleer."
)
PAUSED = "De check-ins van Sam staan op pauze.\nHervatten: /hervat Sam"
TRYING = "Ik probeer het naar Sam te sturen. Komt het niet aan, dan hoor je het van mij."
REFUSED = (
    "Je bericht kon niet bij Sam komen. Misschien heeft Sam de chat gestopt of de bot geblokkeerd."
)


async def _marked(world: World) -> tuple[SimUser, SimUser]:
    """Anna and Sam; Sam blocked the bot on Monday 9 November, and Anna was told."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    world.clock.set(FIRST_DUE)
    sam.block()
    await world.drain()
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _sam(world).unreachable_since == FIRST_DUE
    anna.mark_read()
    return anna, sam


def _rows_for(world: World, person: SimUser) -> int:
    with world.database.transaction() as session:
        return len(
            list(session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == person.id)))
        )


def _schedule(world: World) -> tuple[str, bool]:
    with world.database.transaction() as session:
        row = session.exec(select(CheckinSchedule)).one()
        return row.rhythm, row.paused


async def test_a_rhythm_pause_or_resume_is_saved_and_nothing_is_queued_for_the_client(
    world: World,
) -> None:
    anna, sam = await _marked(world)
    queued = _rows_for(world, sam)

    await anna.send_text("/ritme Sam elke 2 weken")
    changed = await anna.next_message()
    assert changed.text is not None
    assert changed.text.startswith("Opgeslagen. Sam krijgt elke 2 weken een check-in")
    assert changed.text.endswith(f", als Sam dan weer bereikbaar is.\n\n{NOT_TOLD}")
    assert _schedule(world) == ("every_2_weeks", False)

    await anna.send_text("/pauze Sam")
    paused = await anna.next_message()
    assert (
        paused.text == f"De check-ins van Sam staan op pauze.\nHervatten: /hervat Sam\n\n{NOT_TOLD}"
    )
    assert _schedule(world) == ("every_2_weeks", True)

    await anna.send_text("/hervat Sam")
    resumed = await anna.next_message()
    assert resumed.text is not None
    assert resumed.text.startswith("De check-ins van Sam gaan weer door: elke 2 weken")
    assert resumed.text.endswith(f"\n\n{NOT_TOLD}")
    assert _schedule(world) == ("every_2_weeks", False)

    await world.drain()
    assert _rows_for(world, sam) == queued, "nothing queued for Sam"
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]


async def test_a_message_to_a_client_who_cannot_get_messages_is_tried_after_a_warning(
    world: World,
) -> None:
    anna, _ = await _marked(world)

    await anna.send_text("/bericht Sam")
    assert (await anna.next_message()).text == MAY_NOT_ARRIVE
    await anna.send_text("Ik bel je morgen om 11 uur.")
    assert (await anna.next_message()).text == TRYING
    await anna.wait_for(lambda m: m.text == REFUSED)  # Telegram refused it: Anna hears it

    card = await open_card(anna, "Sam")
    await anna.press("✉️ Bericht sturen", card)
    assert (await anna.next_message()).text == MAY_NOT_ARRIVE
    await anna.send_text("Bel je mij?")
    assert (await anna.next_message()).text == TRYING
    await world.drain()
    assert [m.text for m in anna.inbox if m.text == REFUSED] == [REFUSED, REFUSED]
    assert not any((m.text or "").startswith("Verstuurd") for m in anna.inbox)
    with world.database.transaction() as session:
        relays = session.exec(select(Relay)).all()
        assert len(relays) == 2 and all(r.failed_at is not None for r in relays)
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]  # told once


async def test_i_will_send_a_message_under_a_signal_is_tried_as_after_bericht(
    world: World,
) -> None:
    """Sam asked to be called; then a message to Sam was refused (403): Sam is marked 📵. Anna
    taps the note's "💬 Ik stuur een bericht": her choice is recorded, Sam is told nothing in
    advance, and Anna reads the warning and the question as after ``/bericht Sam``. Sam lifted
    the block without the bot hearing of it: Anna's words arrive and the mark clears."""
    from tests.scenarios.test_quiet_routine import WRITES, _actions_stored, _checkin
    from tests.scenarios.test_unreachable_client import _refuses
    from tests.scenarios.test_unreachable_delivered import DELIVERED

    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    await _checkin(sam, "7", area=None, call="Ja")
    note = await anna.wait_for(lambda m: m.text == "Sam wil graag dat je belt.")
    assert note.buttons == [["📞 Ik bel", "💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]
    _refuses(world, sam)
    world.clock.set(FIRST_DUE)
    await world.tick()  # Monday's check-in is refused
    await world.drain()
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _sam(world).unreachable_since == FIRST_DUE
    world.sandbox.faults.clear()  # Sam lifted the block; the bot did not hear of it
    world.clock.advance(timedelta(hours=2))
    anna.mark_read()

    await anna.press("💬 Ik stuur een bericht", note)
    asked = await anna.next_message()
    assert asked.text == MAY_NOT_ARRIVE
    assert asked.buttons == [["✅ Afgehandeld"]]
    assert [a for _, a, _ in _actions_stored(world)] == ["signal.message"], "the choice is kept"
    await anna.send_text("Ik bel je morgen")
    assert (await anna.next_message()).text == TRYING
    await world.drain()

    assert any("Ik bel je morgen" in (m.text or "") for m in sam.inbox)
    assert not any("stuurt je zo een bericht" in (m.text or "") for m in sam.inbox)
    assert WRITES not in [m.text for m in sam.inbox]
    assert _sam(world).unreachable_since is None
    assert _starting(anna, "✅ Berichten komen weer aan") == [DELIVERED]
    assert not any((m.text or "").startswith("Verstuurd") for m in anna.inbox)
