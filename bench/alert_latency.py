"""Benchmark: noodknop press -> coach delivery latency, idle and during a 10,000-client fan-out.

Through the sandbox over HTTP with the real bot (one process, 2 cores). The fan-out is 10,000
check-in-priority outbox rows to 10,000 people, sent at Telegram's 30 messages/s; the presses
happen while it runs. Goal: p99 under 1 s in both. Figures only; not part of the tests.

    .venv/bin/python -m bench.alert_latency [presses] [fan-out size] [database-url]

Give PostgreSQL a database of its own (createdb waakvlam_bench): the benchmark creates tables.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from telegram_sandbox import SimUser

from bench._harness import backend, running_bot
from storage import people
from storage.models import ClientStatus
from storage.outbox import Priority, enqueue


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _press_and_wait(client: SimUser, coach: SimUser) -> float:
    started = time.perf_counter()
    await client.send_text("/nood")
    await coach.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP"), timeout=30)
    return time.perf_counter() - started


async def main(presses: int, fan_out: int, database_url: str | None) -> None:
    async with running_bot(database_url, record_calls=False) as bench:
        sandbox, database, coach, clock = bench.sandbox, bench.database, bench.coach, bench.clock
        clients = [sandbox.user(first_name=f"Client{n}") for n in range(2 * presses)]
        with database.transaction() as session:
            for person in clients:
                sandbox.state.chats[person.id].started = True
                client = people.add_client(
                    session,
                    coach_id=bench.coach_id,
                    name=person.first_name,
                    language="nl",
                    now=clock.now(),
                )
                client.telegram_user_id = person.id
                client.status = ClientStatus.ACTIVE
                session.add(client)

        idle = [await _press_and_wait(c, coach) for c in clients[:presses]]

        crowd = [sandbox.user(first_name=f"C{n}") for n in range(fan_out)]
        with database.transaction() as session:
            for person in crowd:
                sandbox.state.chats[person.id].started = True
                enqueue(
                    session,
                    now=clock.now(),
                    chat_id=person.id,
                    priority=Priority.CHECKIN,
                    text_key="common.question_closed",
                )
        fan_started = time.perf_counter()
        bench.service.worker.wake()
        await crowd[0].next_message(timeout=30)
        busy = []
        for client in clients[presses:]:
            busy.append(await _press_and_wait(client, coach))
            await asyncio.sleep(0.2)  # presses spread over the fan-out, not a burst
        window = time.perf_counter() - fan_started
        delivered = sum(1 for person in crowd if person.inbox)
    where = f"{backend(database_url)}, bot + sandbox in one process, 2 cores"
    print(f"noodknop latency benchmark ({where})")
    for label, values in (("idle", idle), (f"during {fan_out:,}-client fan-out", busy)):
        print(
            f"  {label:<32}: p50 {statistics.median(values) * 1000:6.0f} ms   "
            f"p99 {_percentile(values, 0.99) * 1000:6.0f} ms   max {max(values) * 1000:6.0f} ms"
            f"   (n={len(values)})"
        )
    print(
        f"  fan-out sent meanwhile          : {delivered:,} of {fan_out:,} in {window:.1f} s "
        f"({delivered / window:.1f}/s; limit 30/s)"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(
        main(
            int(args[0]) if args else 30,
            int(args[1]) if len(args) > 1 else 10_000,
            args[2] if len(args) > 2 else None,
        )
    )
