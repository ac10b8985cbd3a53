"""Benchmark: clients' messages relayed to their coach, through the sandbox over HTTP.

Clients join, say yes once to "send this to Anna?", then all send text and voice notes at
once. Prints relayed messages per second (each relay is two Bot API sends: the header line
and the copy), how long a client waits for "Verstuurd naar Anna." and how long until the copy
is in the coach's chat (p50/p99), CPU per relay and peak memory. The bot's rate limiter keeps
to Telegram's 30 messages per second overall.
Run with ``.venv/bin/python -m bench.relay [clients] [messages-each] [sqlite|postgresql]``
(PostgreSQL: a database of its own is made on 127.0.0.1 and dropped after).
Figures only; never part of the test run's pass/fail.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import time

from telegram_sandbox import SimUser

from bench._harness import backend, running_bot, temporary_database
from bench.onboarding import _join

SENT = "Verstuurd naar Anna."


async def _first_yes(client: SimUser) -> None:
    await client.send_text("hallo")
    await client.next_message(timeout=120)
    await client.press("Ja, stuur het")
    await client.next_message(timeout=120)


async def _send(client: SimUser, number: int, acknowledged: list[float]) -> None:
    started = time.perf_counter()
    if number % 2:
        await client.send_voice(duration=4)
    else:
        await client.send_text(f"bericht {number}")
    reply = await client.next_message(timeout=300)
    assert reply.text == SENT, reply.text
    acknowledged.append(time.perf_counter() - started)


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0


async def main(clients: int, each: int, database_url: str | None) -> None:
    async with running_bot(database_url, record_calls=False) as bench:
        sandbox, anna = bench.sandbox, bench.coach
        people = []
        for number in range(clients):
            await anna.send_text(f"/nieuw Client{number}")
            text = await anna.next_message(timeout=60)
            await anna.next_message(timeout=60)
            token = next(w for w in (text.text or "").split() if "start=" in w).split("start=")[1]
            person = sandbox.user(first_name=f"Client{number}")
            await _join(person, token)
            await anna.next_message(timeout=60)
            people.append(person)
        await asyncio.gather(*(_first_yes(p) for p in people))
        copies_before = sum(m.copied_from is not None for m in anna.inbox)
        total = clients * each
        arrived: list[float] = []
        acknowledged: list[float] = []
        cpu_before, wall_before = time.process_time(), time.perf_counter()

        async def watch() -> None:
            seen = copies_before
            while seen < copies_before + total:
                await asyncio.sleep(0.005)
                now = sum(m.copied_from is not None for m in anna.inbox)
                arrived.extend([time.perf_counter() - wall_before] * (now - seen))
                seen = now

        watcher = asyncio.create_task(watch())
        for round_number in range(each):
            await asyncio.gather(*(_send(p, round_number, acknowledged) for p in people))
        await asyncio.wait_for(watcher, timeout=600)
        wall = time.perf_counter() - wall_before
        cpu = time.process_time() - cpu_before
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"relay benchmark ({backend(database_url)}, sandbox and bot in one process, 2 cores)")
    print(f"  clients / messages each      : {clients} / {each} (half text, half voice)")
    print(f"  wall time                    : {wall:.2f} s")
    print(f"  relayed per second           : {total / wall:.1f} (2 sends each; limit 30/s)")
    print(
        f"  'Verstuurd' to the client    : p50 {_p(acknowledged, 50):.0f} ms, "
        f"p99 {_p(acknowledged, 99):.0f} ms"
    )
    print(
        f"  copy in the coach's chat     : last after {arrived[-1]:.2f} s, "
        f"median after {statistics.median(arrived):.2f} s"
    )
    print(f"  CPU per relay                : {cpu / total * 1000:.1f} ms (bot + sandbox)")
    print(f"  peak memory                  : {peak_mib:.0f} MiB")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    messages = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    kind = sys.argv[3] if len(sys.argv) > 3 else "sqlite"
    with temporary_database(kind) as url:
        asyncio.run(main(count, messages, url))
