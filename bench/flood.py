"""Benchmark (issue 13): a noodknop press while another client floods the bot.

Through the sandbox over HTTP with the real bot (one process, 2 cores), read-aloud by the
offline voice (espeak-ng). Each round, client Lee sends 200 texts in a row (each relayed to
coach Anna: a "Verstuurd" answer to Lee and two outbox rows to Anna) and taps "🔊 Voorlezen"
five times under one of the bot's texts; right behind that, another client presses the
noodknop, and the time until Anna has the alert is measured. The round ends when Lee's flood
is answered and relayed, so rounds do not pile up. Goal: under 300 ms, on SQLite and
PostgreSQL. Figures only; never part of the test run's pass/fail.

    .venv/bin/python -m bench.flood [--database sqlite|postgresql|both] [--rounds 5]
        [--flood 200] [--taps 5] [--postgres-server URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from sqlalchemy import update
from sqlmodel import col
from telegram.constants import FloodLimit
from telegram_sandbox import SimUser

from bench._harness import run_per_database, running_bot
from bench.checkin_fanout import DUE, BenchClock, LoopWatch
from bench.noodknop_under_load import ALERT_PREFIX, seed
from storage.models import Client

SENT = "Verstuurd naar Anna."


async def _answered(person: SimUser, count: int, within: float = 180.0) -> None:
    await person.wait_until(
        lambda: sum(1 for m in person.inbox if m.text == SENT) >= count, timeout=within
    )


async def measure(kind: str, url: str | None, args: argparse.Namespace) -> None:
    clock = BenchClock(DUE)
    clock.run_from(DUE)  # a Wednesday 10:00 in Amsterdam, running in real time
    async with running_bot(url, record_calls=False, clock=clock) as bench:
        bench.sandbox.rate_limits(None, float(FloodLimit.MESSAGES_PER_SECOND))
        stats = bench.sandbox.stats
        (lee,) = seed(bench, 1, now=clock.now(), prefix="Lee")
        pressers = seed(bench, args.rounds, now=clock.now(), prefix="P")
        with bench.database.transaction() as session:  # Lee's texts go straight to Anna
            session.execute(
                update(Client)
                .where(col(Client.telegram_user_id) == lee.id)
                .values(relay_direct=True)
            )
        for text in ("Hoi Anna", "Tot straks"):  # the second answer keeps the menu shown ...
            await lee.send_text(text)
        await _answered(lee, 2)
        under = next(m for m in lee.inbox if m.text == SENT and m.buttons)  # ... and gets 🔊

        base_429 = stats["429"]
        watch = LoopWatch()
        watcher = asyncio.create_task(watch.run())
        latencies: list[float] = []
        answered_first: list[int] = []
        for round_number, presser in enumerate(pressers):
            before = sum(1 for m in lee.inbox if m.text == SENT)
            for n in range(args.flood):
                await lee.send_text(f"Bericht {round_number}-{n}")
            for _ in range(args.taps):
                await lee.press("🔊 Voorlezen", under)
            started = time.perf_counter()
            await presser.send_text("/nood")
            await bench.coach.wait_for(
                lambda m: (m.text or "").startswith(ALERT_PREFIX), timeout=60
            )
            latencies.append(time.perf_counter() - started)
            answered_first.append(sum(1 for m in lee.inbox if m.text == SENT) - before)
            await _answered(lee, before + args.flood)
        watcher.cancel()
        answers_429 = stats["429"] - base_429

    print(
        f"noodknop behind one client's flood ({kind}, bot + sandbox in one process, "
        f"{os.cpu_count()} cores)"
    )
    print(
        f"  press -> coach has the alert     : p50 {statistics.median(latencies) * 1000:5.0f} ms"
        f"   max {max(latencies) * 1000:5.0f} ms   (n={len(latencies)}, goal < 300 ms)"
    )
    print(
        f"  flood answered before the alert  : median {statistics.median(answered_first):.0f}"
        f" of {args.flood} texts (+{args.taps} read-aloud taps)"
    )
    print(
        f"  429 answers (goal: none)         : {answers_429}; event loop: longest stall "
        f"{watch.longest * 1000:.0f} ms"
    )


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--taps", type=int, default=5)


def main() -> None:
    os.environ.setdefault("WAAKVLAM_VOICE_ENGINE", "espeak")  # offline: Google is unreachable
    run_per_database(__doc__, measure, _options)


if __name__ == "__main__":
    main()
