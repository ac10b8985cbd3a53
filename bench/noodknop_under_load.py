"""Benchmark (issue 13): noodknop press -> coach, behind 400 clients opening a check-in at once.

Through the sandbox over HTTP with the real bot; the sandbox serves from a process of its own
(bench/_sandbox_process.py), as Telegram's servers are not on the bot's machine, so its CPU
(building 400 updates, taking 400 messages) is not counted against the bot. Each round, 400 fresh
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
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlmodel import col
from telegram.constants import FloodLimit

from bench._harness import BenchApart, run_per_database, running_bot_apart
from bench._sandbox_process import cpu_seconds
from bench.checkin_fanout import DUE, BenchClock, LoopWatch, configured_limit
from bench.cpu_per_update import new_people
from storage.models import (
    Client,
    ClientStatus,
    CoachAssignment,
    SupportPhase,
    SupportPhaseName,
)

if TYPE_CHECKING:  # the bot's process never loads the sandbox
    from telegram_sandbox import SimUser, TelegramSandbox

CHECKIN_LABEL = "📋 Hoe gaat het?"
ALERT_PREFIX = "🔴 NOODKNOP"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def telegrams_limit(sandbox: TelegramSandbox) -> None:
    """In the sandbox's process: 429 above Telegram's 30 messages/s."""
    sandbox.rate_limits(None, float(FloodLimit.MESSAGES_PER_SECOND))


def answers_429(sandbox: TelegramSandbox) -> int:
    return int(sandbox.stats["429"])


async def _press_and_wait(client: SimUser, coach: SimUser) -> float:
    started = time.perf_counter()
    await client.send_text("/nood")
    await coach.wait_for(lambda m: (m.text or "").startswith(ALERT_PREFIX), timeout=60)
    return time.perf_counter() - started


async def idle_presses(
    sandbox: TelegramSandbox, presser_ids: list[int], coach_id: int
) -> list[float]:
    """In the sandbox's process: noodknop presses with nothing else going on; seconds each."""
    coach = sandbox.get_user(coach_id)
    return [await _press_and_wait(sandbox.get_user(i), coach) for i in presser_ids]


async def one_round(
    sandbox: TelegramSandbox, crowd_ids: list[int], presser_ids: list[int], coach_id: int
) -> tuple[list[float], list[int]]:
    """In the sandbox's process: everyone in the crowd opens a check-in at once, the pressers
    press the noodknop right behind them one after the other; each press's seconds until the
    coach has the alert, and how many first questions were out by then. Returns once every
    first question arrived, so rounds do not pile up."""
    coach = sandbox.get_user(coach_id)
    crowd = [sandbox.get_user(i) for i in crowd_ids]
    for person in crowd:
        await person.send_text(CHECKIN_LABEL)
    latencies, ahead = [], []
    for presser_id in presser_ids:
        latencies.append(await _press_and_wait(sandbox.get_user(presser_id), coach))
        ahead.append(sum(1 for person in crowd if person.inbox))
    deadline = time.perf_counter() + 120
    while any(not person.inbox for person in crowd):
        if time.perf_counter() > deadline:
            waiting = sum(1 for person in crowd if not person.inbox)
            raise RuntimeError(f"{waiting} clients never got their first question")
        await asyncio.sleep(0.05)
    return latencies, ahead


def seed(bench: BenchApart, people: list[int], *, now: datetime) -> None:
    """Active clients of coach Anna, one for each of these Telegram accounts."""
    with bench.database.transaction() as session:
        session.execute(
            insert(Client),
            [
                {
                    "coach_id": bench.coach_id,
                    "name": f"Client{person}",
                    "status": ClientStatus.ACTIVE.value,
                    "telegram_user_id": person,
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
                select(col(Client.id)).where(col(Client.telegram_user_id).in_(people))
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


async def clients(bench: BenchApart, count: int, prefix: str) -> list[int]:
    people: list[int] = await bench.sandbox.call(new_people, count, prefix)
    seed(bench, people, now=bench.clock.now())
    return people


async def measure(kind: str, url: str | None, args: argparse.Namespace) -> None:
    clock = BenchClock(DUE)
    clock.run_from(DUE)  # a Wednesday 10:00 in Amsterdam, running in real time
    async with running_bot_apart(url, record_calls=False, clock=clock) as bench:
        box, coach = bench.sandbox, bench.coach_chat_id
        await box.call(telegrams_limit)
        burst_size, rounds, presses = args.burst, args.rounds, args.presses
        crowds = [await clients(bench, burst_size, f"R{r}C") for r in range(rounds)]
        pressers = await clients(bench, (rounds + 1) * presses, "P")
        await asyncio.sleep(0.5)  # the coach's welcome is out
        idle = await box.call(idle_presses, pressers[:presses], coach)
        pressers = pressers[presses:]

        base_429 = await box.call(answers_429)
        watch = LoopWatch()
        watcher = asyncio.create_task(watch.run())
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        box_started = cpu_seconds(box.pid)
        latencies: list[float] = []
        ahead: list[int] = []  # first questions already delivered when the alert arrived
        for round_number, crowd in enumerate(crowds):
            ours = pressers[round_number * presses : (round_number + 1) * presses]
            times, out = await box.call(one_round, crowd, ours, coach)
            latencies += times
            ahead += out
        wall = time.perf_counter() - wall_started
        cpu = time.process_time() - cpu_started
        box_cpu = cpu_seconds(box.pid) - box_started
        watcher.cancel()
        refused = await box.call(answers_429) - base_429
        limit = configured_limit(bench.application)

    print(
        f"noodknop under load ({kind}, the sandbox in a process of its own, {os.cpu_count()} cores)"
    )
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
        f"  429 answers (goal: none)         : {refused}; event loop: longest stall "
        f"{watch.longest * 1000:.0f} ms; CPU {cpu / opened * 1000:.1f} ms per check-in in the "
        f"bot, the sandbox another {box_cpu / opened * 1000:.1f} ms"
    )


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--burst", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--presses", type=int, default=3)


def main() -> None:
    run_per_database(__doc__, measure, _options)


if __name__ == "__main__":
    main()
