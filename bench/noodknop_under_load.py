"""Benchmark (issue 13): noodknop press -> coach, behind 400 clients opening a check-in at once.

Through the sandbox over HTTP with the real bot (one process, 2 cores). Each round, 400 fresh
clients tap "📋 Hoe gaat het?" in the same instant (400 updates waiting for the bot, each
opening a check-in whose first question goes out through the outbox); right behind them other
clients press the noodknop, one after the other, and the time until coach Anna has each alert
is measured. The round ends when all 400 first questions arrived, so rounds do not pile up.
The sandbox answers 429 above Telegram's 30 messages/s. Goal: p99 under 300 ms on SQLite and
PostgreSQL. Figures only; never part of the test run's pass/fail.

    .venv/bin/python -m bench.noodknop_under_load [--database sqlite|postgresql|both]
        [--burst 400] [--rounds 10] [--presses 3] [--postgres-server URL]

``--database postgresql`` creates a database of its own on the server and drops it after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import col
from telegram.constants import FloodLimit
from telegram_sandbox import SimUser

from bench._harness import Bench, run_per_database, running_bot
from bench.checkin_fanout import DUE, BenchClock, LoopWatch, configured_limit
from storage.models import (
    Client,
    ClientStatus,
    CoachAssignment,
    SupportPhase,
    SupportPhaseName,
)

CHECKIN_LABEL = "📋 Hoe gaat het?"
ALERT_PREFIX = "🔴 NOODKNOP"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def seed(bench: Bench, count: int, *, now: datetime, prefix: str) -> list[SimUser]:
    """Active clients of coach Anna, each with a private chat that started the bot."""
    people = [bench.sandbox.user(first_name=f"{prefix}{n}") for n in range(count)]
    for person in people:
        bench.sandbox.state.chats[person.id].started = True
    with bench.database.transaction() as session:
        session.execute(
            insert(Client),
            [
                {
                    "coach_id": bench.coach_id,
                    "name": person.first_name,
                    "status": ClientStatus.ACTIVE.value,
                    "telegram_user_id": person.id,
                    "language": "nl",
                    "read_aloud": False,
                    "consent_at": now,
                    "consent_version": "1",
                    "created_at": now,
                    "updated_at": now,
                }
                for person in people
            ],
        )
        ids = [
            row[0]
            for row in session.execute(
                select(col(Client.id)).where(
                    col(Client.telegram_user_id).in_([p.id for p in people])
                )
            )
        ]
        session.execute(
            insert(CoachAssignment),
            [{"client_id": i, "coach_id": bench.coach_id, "started_at": now} for i in ids],
        )
        session.execute(
            insert(SupportPhase),
            [
                {"client_id": i, "phase": SupportPhaseName.START.value, "started_at": now}
                for i in ids
            ],
        )
    return people


async def _press_and_wait(client: SimUser, coach: SimUser) -> float:
    started = time.perf_counter()
    await client.send_text("/nood")
    await coach.wait_for(lambda m: (m.text or "").startswith(ALERT_PREFIX), timeout=60)
    return time.perf_counter() - started


async def _all_asked(people: list[SimUser], within: float = 120.0) -> None:
    deadline = time.perf_counter() + within
    while any(not person.inbox for person in people):
        if time.perf_counter() > deadline:
            waiting = sum(1 for person in people if not person.inbox)
            raise RuntimeError(f"{waiting} clients never got their first question")
        await asyncio.sleep(0.05)


async def measure(kind: str, url: str | None, args: argparse.Namespace) -> None:
    clock = BenchClock(DUE)
    clock.run_from(DUE)  # a Wednesday 10:00 in Amsterdam, running in real time
    async with running_bot(url, record_calls=False, clock=clock) as bench:
        bench.sandbox.rate_limits(None, float(FloodLimit.MESSAGES_PER_SECOND))
        stats = bench.sandbox.stats
        burst_size, rounds, presses = args.burst, args.rounds, args.presses
        crowds = [seed(bench, burst_size, now=clock.now(), prefix=f"R{r}C") for r in range(rounds)]
        pressers = seed(bench, rounds * presses, now=clock.now(), prefix="P")
        await asyncio.sleep(0.5)  # the coach's welcome is out
        idle = [await _press_and_wait(p, bench.coach) for p in pressers[:presses]]
        pressers = pressers[presses:] + seed(bench, presses, now=clock.now(), prefix="Q")

        base_429 = stats["429"]
        watch = LoopWatch()
        watcher = asyncio.create_task(watch.run())
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        latencies: list[float] = []
        ahead: list[int] = []  # first questions already delivered when the alert arrived
        for round_number, crowd in enumerate(crowds):
            for person in crowd:
                await person.send_text(CHECKIN_LABEL)
            for n in range(presses):
                presser = pressers[round_number * presses + n]
                latencies.append(await _press_and_wait(presser, bench.coach))
                ahead.append(sum(1 for person in crowd if person.inbox))
            await _all_asked(crowd)
        wall = time.perf_counter() - wall_started
        cpu = time.process_time() - cpu_started
        watcher.cancel()
        answers_429 = stats["429"] - base_429
        limit = configured_limit(bench.application)

    print(f"noodknop under load ({kind}, bot + sandbox in one process, {os.cpu_count()} cores)")
    print(
        f"  idle                             : p50 {statistics.median(idle) * 1000:5.0f} ms"
        f"   max {max(idle) * 1000:5.0f} ms   (n={len(idle)})"
    )
    print(
        f"  behind {burst_size} check-ins at once     : "
        f"p50 {statistics.median(latencies) * 1000:5.0f} ms   "
        f"p99 {_percentile(latencies, 0.99) * 1000:5.0f} ms   "
        f"max {max(latencies) * 1000:5.0f} ms   (n={len(latencies)}, goal p99 < 300 ms)"
    )
    first = latencies[::presses]  # the press right behind the burst, in Telegram's queue too
    later = [v for n, v in enumerate(latencies) if n % presses]
    for label, values in (
        (f"right behind the {burst_size} updates", first),
        ("while they are handled", later),
    ):
        if values:
            print(
                f"    {label:<31}: p50 {statistics.median(values) * 1000:5.0f} ms   "
                f"max {max(values) * 1000:5.0f} ms   (n={len(values)})"
            )
    print(
        f"  first questions out before alert : median {statistics.median(ahead):.0f} "
        f"of {burst_size} (the alert does not wait for them)"
    )
    opened = rounds * burst_size
    print(
        f"  {opened:,} check-ins opened and asked : {wall:.1f} s "
        f"({opened / wall:.1f} first questions/s; bot limit {limit:g}/s)"
    )
    print(
        f"  429 answers (goal: none)         : {answers_429}; event loop: longest stall "
        f"{watch.longest * 1000:.0f} ms; CPU {cpu / opened * 1000:.1f} ms per check-in "
        f"(bot + sandbox)"
    )


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--burst", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--presses", type=int, default=3)


def main() -> None:
    run_per_database(__doc__, measure, _options)


if __name__ == "__main__":
    main()
