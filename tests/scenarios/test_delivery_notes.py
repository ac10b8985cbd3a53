"""What happens around a delivery never makes Telegram get a message twice, and the alert
path keeps its own rules when it reaches the person who acts.

Through the sandbox with the real bot, both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from bot import admin
from storage.models import Alert, OutboxMessage
from tests.scenarios.conftest import World

ALERT = "🔴 NOODKNOP – Sam"


async def test_a_failure_noting_a_delivery_never_sends_the_message_again(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    worker = world.service.worker
    note_sent = worker.note_sent
    failures: list[int] = []

    def failing_once(session: Any, delivery: Any) -> bool:
        if not failures:
            failures.append(delivery.row_id)
            raise RuntimeError("noting the delivery failed")
        return bool(note_sent(session, delivery))

    worker.note_sent = failing_once
    await sam.tap_keyboard("🔴 Noodknop")
    await anna.wait_for(lambda m: (m.text or "").startswith(ALERT))
    await world.drain()
    for _ in range(3):  # the retries that a rolled-back "sent" would have scheduled
        world.clock.advance(timedelta(minutes=5))
        world.service.worker.wake()
        await world.drain()

    alerts_to_anna = [m for m in anna.inbox if (m.text or "").startswith(ALERT)]
    assert len(alerts_to_anna) == 1, "the alert reached Anna exactly once"
    assert failures, "the failure did happen"
    with world.database.transaction() as session:
        row = session.get(OutboxMessage, failures[0])
        assert row is not None and row.sent_at is not None and row.failed_at is None


async def test_a_coach_deactivated_since_an_older_alert_hears_nothing_of_a_new_one(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await sam.tap_keyboard("🔴 Noodknop")
    first = await anna.wait_for(lambda m: (m.text or "").startswith(ALERT))
    await anna.press("✅ Ik bel nu", first)
    await world.drain()
    with world.database.transaction() as session:
        coach_id = session.exec(select(Alert.coach_id)).one()
    assert admin.deactivate_coach(world.database, coach_id=coach_id, now=world.clock.now())
    world.clock.advance(timedelta(minutes=40))
    before = len(anna.inbox)

    await sam.tap_keyboard("🔴 Noodknop")  # nobody can be told now: Sam gets the numbers
    await sam.wait_for(lambda m: "112" in (m.text or ""))
    await world.drain()

    assert anna.inbox[before:] == [], "Anna, no longer Sam's active coach, is told nothing"
    with world.database.transaction() as session:
        newest = session.exec(select(Alert).order_by(col(Alert.id).desc())).first()
        assert newest is not None and newest.emergency_sent_at is not None
        to_sam = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == sam.id, OutboxMessage.alert_id == newest.id
            )
        ).all()
    assert to_sam, "the numbers went through the outbox, with the alert they belong to"
