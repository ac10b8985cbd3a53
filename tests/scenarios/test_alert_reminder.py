"""The coach's reminder five minutes after a press, end to end: the real bot through the
sandbox, a fixed clock, both databases. Anna reads that the backup is warned only when Bram
really gets the alert then; with no backup she reads that there is none to warn, and with a
backup told before that there is no other one left. Outside her hours Bram is told at the
press, and five minutes on nobody is told he is warned again. Every negative assertion comes
after ``world.drain()``."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from telegram_sandbox import SimUser

from storage import alerts
from storage.models import Alert, RecipientRole
from tests.scenarios.conftest import World

REMINDER = "⏰ Nog niet opgepakt: Sam drukte om 10:00 op de noodknop.\n"


async def _press_and_wait_five_minutes(world: World, sam: SimUser, anna: SimUser) -> str:
    """Sam presses; nobody picks it up for five minutes; returns Anna's reminder."""
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.next_message()  # who is asked
    await sam.next_message()  # "Wat is er aan de hand?"
    assert ((await anna.next_message()).text or "").startswith("🔴 NOODKNOP – Sam")
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    return (await anna.next_message()).text or ""


def _texts(person: SimUser) -> list[str]:
    return [m.text or "" for m in person.inbox]


async def test_without_a_backup_anna_is_not_told_a_backup_is_warned(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    reminder = await _press_and_wait_five_minutes(world, sam, anna)
    assert reminder == REMINDER + "Er is geen vervanging om te waarschuwen."
    await world.drain()
    assert not any("waarschuw nu" in text for text in _texts(anna))
    assert anna.unread == []


async def test_with_a_backup_anna_reads_that_the_backup_is_warned_and_bram_is(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    reminder = await _press_and_wait_five_minutes(world, sam, anna)
    assert reminder == REMINDER + "Ik waarschuw nu ook de vervanging."
    escalated = (await bram.next_message()).text or ""
    assert "Anna heeft nog niet gereageerd. Kun jij Sam bellen?" in escalated


async def test_a_backup_told_at_the_press_is_not_said_to_be_warned_again(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    # The fixed clock says Monday 10:00 in Amsterdam; Anna works Tuesday to Friday, so Bram
    # is told at the press, with Anna.
    world.set_hours(anna, "2345")
    await sam.tap_keyboard("🔴 Noodknop")
    assert ((await anna.next_message()).text or "").startswith("🔴 NOODKNOP – Sam")
    assert ((await bram.next_message()).text or "").startswith("🔴 NOODKNOP – Sam")
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    await world.drain()
    assert not any("vervanging" in text for text in _texts(anna))
    alerts = [text for text in _texts(bram) if text.startswith(("🔴", "⏰"))]
    assert len(alerts) == 1, "Bram is told once, at the press"


async def test_with_the_backup_told_before_anna_reads_that_no_other_one_is_left(
    world: World,
) -> None:
    """Bram, Anna's only backup, was told about the alert before the clock's look. No route
    stores that today without also marking the alert escalated (which ends the reminder), so
    the row is written here as the shell writes a recipient: the reminder must still say what
    is true ("geen andere vervanging meer"), never "geen vervanging"."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    await sam.tap_keyboard("🔴 Noodknop")
    assert ((await anna.next_message()).text or "").startswith("🔴 NOODKNOP – Sam")
    await world.drain()
    with world.database.transaction() as session:
        [alert] = session.exec(select(Alert)).all()
        assert alert.id is not None and alert.escalated_at is None
        alerts.add_recipient(
            session,
            alert.id,
            chat_id=bram.id,
            coach_id=world.coach_id(bram),
            role=RecipientRole.BACKUP,
            at=world.clock.now(),
        )
    bram.mark_read()
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    reminder = await anna.wait_for(lambda m: (m.text or "").startswith("⏰"))
    assert reminder.text == REMINDER + "Er is geen andere vervanging meer om te waarschuwen."
    await world.drain()
    assert bram.unread == [], "Bram is not told again"
