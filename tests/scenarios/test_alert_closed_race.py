"""A closed note never arrives during a newer alert.

When Anna (or the clock) closes Sam's alert, "Je melding is afgesloten" is queued for Sam with
his plain menu. If it cannot go at once (Telegram says "wait a minute" for Sam's chat) and Sam
presses 🔴 Noodknop again meanwhile, the note's turn comes during the new alert: it is dropped
then, never sent. Sam reads only the new alert's texts and keeps "📍 Stuur waar ik ben"; the
row is stored as dropped. With no new alert the held note arrives as usual. The real bot
through the sandbox, a fixed clock, both databases.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import col, select
from telegram_sandbox import SimUser

from bot.outbox_hooks import CLOSED_NOTE_DROPPED
from storage.models import Alert, OutboxMessage
from tests.scenarios.conftest import World
from tests.scenarios.test_alert_closed_client import (
    CLOSED,
    MENU,
    MENU_WITH_LOCATION,
    TAKEN,
    _picked_up,
)

HELD = timedelta(seconds=60)  # Telegram's "retry after" for Sam's chat
NEW_ALERT = "Ik stuur Anna nu een melding."


def _texts(person: SimUser) -> list[str]:
    return [m.text or "" for m in person.inbox]


def _outcomes(world: World) -> list[str | None]:
    with world.database.transaction() as session:
        return [a.outcome for a in session.exec(select(Alert).order_by(col(Alert.id)))]


def _closed_note(world: World) -> OutboxMessage:
    with world.database.transaction() as session:
        [row] = session.exec(
            select(OutboxMessage).where(OutboxMessage.text_key == "noodknop.closed")
        )
        session.expunge(row)
        return row


async def _closed_and_held(world: World, by: str) -> tuple[SimUser, SimUser]:
    """Anna picked Sam's alert up; now it closes (Anna's "📞 Gesproken", or the clock a day
    later), and the note for Sam is queued but held: Sam's chat answers "retry after 60 s"."""
    anna, sam = await _picked_up(world)
    world.sandbox.faults.fail(
        method="sendMessage", status=429, retry_after=60, times=1, chat_id=sam.id
    )
    if by == "coach":
        world.clock.set(TAKEN + timedelta(minutes=20))
        await anna.press("📞 Gesproken")
    else:
        world.clock.set(TAKEN + timedelta(hours=24))
        await world.tick()
        await anna.wait_for(lambda m: (m.text or "").startswith("🔕"))
    await world.rest()
    assert _outcomes(world) == ["talked" if by == "coach" else "auto_closed"]
    note = _closed_note(world)
    assert (note.sent_at, note.failed_at, note.error) == (None, None, "RetryAfter")
    assert CLOSED not in _texts(sam)
    return anna, sam


@pytest.mark.parametrize("by", ["coach", "clock"])
async def test_a_held_closed_note_is_dropped_when_sam_pressed_again(
    world: World, by: str, caplog: pytest.LogCaptureFixture
) -> None:
    anna, sam = await _closed_and_held(world, by)
    # In that same second Sam presses the noodknop again: a new alert, open.
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wat is er aan de hand?"))
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    assert sam.current_keyboard == MENU_WITH_LOCATION

    # The old note's turn comes while the new alert is open: dropped, not sent.
    world.clock.set(world.clock.now() + HELD + timedelta(seconds=1))
    with caplog.at_level(logging.INFO, logger="bot.outbox"):
        await world.drain()
    assert _outcomes(world)[-1] is None, "the new alert is open"
    texts = _texts(sam)
    assert CLOSED not in texts
    assert not any("afgesloten" in t for t in texts)
    assert sum(t.startswith(NEW_ALERT) for t in texts) == 2  # the old alert's and the new one's
    assert sam.current_keyboard == MENU_WITH_LOCATION, "the location key stays"
    note = _closed_note(world)
    assert note.sent_at is None and note.telegram_message_id is None
    assert note.failed_at is not None and note.error == CLOSED_NOTE_DROPPED
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert f"outbox row {note.id} dropped: {CLOSED_NOTE_DROPPED}" in dropped
    assert len(dropped) == 2  # the help line under it too
    assert not any("Heb je hulp nodig?" in t for t in texts), "never before the note"


@pytest.mark.parametrize("by", ["coach", "clock"])
async def test_a_held_closed_note_arrives_when_no_new_alert_is_open(world: World, by: str) -> None:
    _, sam = await _closed_and_held(world, by)
    world.clock.set(world.clock.now() + HELD + timedelta(seconds=1))
    await world.drain()
    assert _texts(sam).count(CLOSED) == 1
    [closed] = [m for m in sam.inbox if m.text == CLOSED]
    assert closed.keyboard == MENU and sam.current_keyboard == MENU
    # The help line was held back behind it: it comes under it, never before.
    assert _texts(sam)[-2:] == [CLOSED, "Heb je hulp nodig? Druk dan op 🔴 Noodknop."]
    note = _closed_note(world)
    assert note.sent_at is not None and note.failed_at is None
    assert note.telegram_message_id == closed.message_id
