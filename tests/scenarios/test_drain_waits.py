"""``World.drain`` waits for work still in flight, not only for the outbox rows it can see.

An alert an update raised is sent in a task of its own (``OutboxWorker.send_in_hand``). When
Telegram refuses it for good (403), that task marks the row failed first and only then runs
the failure hook, which queues what follows (the escalation: "Ik kan nu geen coach bereiken"
and the emergency numbers to the client). In between, the outbox holds nothing pending: a
drain that only asks the outbox returns there, and "Sam did not get the emergency numbers"
would pass. The hook is held here a moment so that window is always open.
"""

from __future__ import annotations

import asyncio

from bot.outbox import Delivery
from tests.scenarios.conftest import World

NOBODY_REACHED = "Ik kan nu geen coach bereiken.\nJe kunt zelf bellen."


async def test_drain_waits_for_the_rows_a_refused_in_hand_alert_queues(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    anna.block()  # the alert to Anna is refused (403): nobody else to ask, so Sam is told
    worker = world.service.worker
    failed_hook = worker.on_failed
    assert failed_hook is not None
    entered, held = asyncio.Event(), asyncio.Event()

    async def held_failure_hook(delivery: Delivery) -> None:
        entered.set()
        await held.wait()
        await failed_hook(delivery)

    worker.on_failed = held_failure_hook
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.next_message()  # "Ik stuur Anna nu een melding. ..."
    await sam.next_message()  # "Wat is er aan de hand?"
    await asyncio.wait_for(entered.wait(), 5)
    assert worker.in_hand_tasks, "the refused alert was sent in hand, by the update's own task"
    assert not world.pending_outbox(), "the refused row is failed: nothing pending to see"
    asyncio.get_running_loop().call_later(0.5, held.set)

    await world.drain()

    assert held.is_set(), "drain returned while the refused alert's follow-up was in flight"
    assert NOBODY_REACHED in [m.text for m in sam.inbox]
    assert any("0800-0113" in (m.text or "") for m in sam.inbox)
    assert not world.pending_outbox()
