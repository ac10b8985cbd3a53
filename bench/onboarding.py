"""Benchmark: many clients joining at once, through the sandbox over HTTP, on SQLite.

Prints wall time, updates handled per second, Bot API calls per second against the 30/s
limit (sends, edits and callback answers all count), CPU seconds per joined client and peak memory.
Run with ``make bench`` or ``.venv/bin/python -m bench.onboarding [clients] [database-url]``.
Figures only; never part of the test run's pass/fail.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time

from telegram_sandbox import SimUser

from bench._harness import backend, running_bot


async def _join(client: SimUser, token: str) -> None:
    await client.open_deep_link(token)
    await client.next_message(timeout=120)
    await client.next_message(timeout=120)
    await client.press("Ja, dat is goed")
    await client.next_message(timeout=120)
    await client.press("Nee, alleen tekst")
    for _ in range(3):
        await client.next_message(timeout=120)


async def main(clients: int, database_url: str | None) -> None:
    async with running_bot(database_url, record_calls=True) as bench:
        sandbox, anna = bench.sandbox, bench.coach
        tokens = []
        for number in range(clients):
            await anna.send_text(f"/nieuw Client{number}")
            text = await anna.next_message(timeout=60)
            await anna.next_message(timeout=60)
            link = next(w for w in (text.text or "").split() if "start=" in w)
            tokens.append(link.split("start=")[1])
        people = [sandbox.user(first_name=f"Client{n}") for n in range(clients)]
        calls_before = len(sandbox.calls)
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        await asyncio.gather(*(_join(p, t) for p, t in zip(people, tokens, strict=True)))
        wall = time.perf_counter() - wall_before
        cpu = time.process_time() - cpu_before
        api_calls = len(sandbox.calls) - calls_before
    updates = clients * 3
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    where = f"{backend(database_url)}, sandbox and bot in one process, 2 cores"
    print(f"onboarding benchmark ({where})")
    print(f"  clients joined concurrently : {clients}")
    print(f"  wall time                   : {wall:.2f} s")
    print(f"  updates handled per second  : {updates / wall:.0f}")
    print(f"  bot messages per second     : {clients * 6 / wall:.0f}")
    print(
        f"  Bot API calls per second    : {api_calls / wall:.0f} (rate limiter: 30/s, Telegram's)"
    )
    print(f"  CPU per joined client       : {cpu / clients * 1000:.1f} ms (bot + sandbox)")
    print(f"  peak memory                 : {peak_mib:.0f} MiB")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    asyncio.run(main(count, sys.argv[2] if len(sys.argv) > 2 else None))
