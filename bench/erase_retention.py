"""Benchmark: erasing one client, and the nightly retention job, in a database of 10,000
clients with a year of history each (``bench._big_history``), on SQLite and PostgreSQL.
Figures only; not part of the tests. Goals (issue 16): erase under 1 s, retention under 60 s.

    .venv/bin/python -m bench.erase_retention [--database sqlite|postgresql|both] [--clients N]

The erasure is ``bot.client_records.erase_client`` (what ``waakvlam client erase`` runs): every
row about the client in one transaction, including the search of the outbox for notices that
name them. The retention job is ``bot.housekeeping.apply_retention`` with the default settings
(check-ins 365 days, relay metadata 90, alert details 365), then the outbox purge.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench._big_history import NOW, fill
from bench._harness import run_per_database
from bot import housekeeping
from bot.client_records import erase_client
from bot.clock import FixedClock
from bot.housekeeping import RetentionDays
from storage.database import Database
from storage.migrate import upgrade


async def measure(kind: str, url: str | None, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        database = Database(url or f"sqlite:///{Path(scratch) / 'big.db'}")
        try:
            upgrade(database.engine)
            history = fill(database, args.clients)
            print(
                f"{kind}: {history.clients:,} clients, {history.rows:,} rows written "
                f"in {history.seconds:.0f} s"
            )
            erase_times = []
            for number in (17, history.clients // 2, history.clients - 3):
                started = time.perf_counter()
                erased = erase_client(database, client_id=history.client_id(number), now=NOW)
                erase_times.append(time.perf_counter() - started)
                assert erased is not None
            rows = sum(erased.deleted.values())
            print(
                f"{kind}: erase one client ({rows} rows): "
                f"{' / '.join(f'{t * 1000:.0f}' for t in erase_times)} ms "
                f"(median {statistics.median(erase_times) * 1000:.0f} ms; goal < 1000 ms)"
            )
            clock = FixedClock(NOW)
            started = time.perf_counter()
            counts = await housekeeping.apply_retention(
                database, clock, RetentionDays(checkins=365, relays=90, alert_details=365)
            )
            retention = time.perf_counter() - started
            started = time.perf_counter()
            deleted, emptied = await housekeeping.purge_outbox(database, clock, keep_days=7)
            purge = time.perf_counter() - started
            print(
                f"{kind}: retention job {retention:.1f} s ({counts['checkins']:,} check-ins, "
                f"{counts['relays']:,} relays, {counts['alert_details']:,} alerts stripped), "
                f"outbox purge {purge:.1f} s ({deleted:,} deleted, {emptied:,} emptied); "
                f"goal < 60 s together"
            )
            started = time.perf_counter()
            again = await housekeeping.apply_retention(
                database, clock, RetentionDays(checkins=365, relays=90, alert_details=365)
            )
            print(
                f"{kind}: the next night, nothing to do: {time.perf_counter() - started:.2f} s "
                f"({sum(again.values())} rows)"
            )
        finally:
            database.dispose()


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=10_000)


if __name__ == "__main__":
    run_per_database(__doc__, measure, _options)
