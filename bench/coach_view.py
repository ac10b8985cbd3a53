"""Benchmark: a coach's list of clients (``/clienten``) for a coach with 40 clients, in a
database of 10,000 clients with a year of weekly check-ins each (``bench._big_history``), on
SQLite and PostgreSQL. Figures only; not part of the tests. Goal (issue 15): under 50 ms of
database time for the overview.

    .venv/bin/python -m bench.coach_view [--database sqlite|postgresql|both] [--clients N]

Database time is the time spent in the driver's execute and fetch (SQLAlchemy's cursor
events), for everything the list reads (``bot.caseload.load_caseload``); the total adds
sorting and rendering the message in Dutch.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench._big_history import NOW, fill
from bench._harness import run_per_database
from bot.caseload import load_caseload
from bot.checkins import shell_from_settings
from bot.settings import Settings
from bot.texts import load_texts
from dialogs import caseload
from storage.database import Database
from storage.migrate import upgrade

ROUNDS = 20


class SqlClock:
    """Seconds spent inside the database driver, per statement, summed."""

    def __init__(self, database: Database) -> None:
        self.seconds = 0.0
        self.statements = 0
        self._started: list[float] = []
        event.listen(database.engine, "before_cursor_execute", self._before)
        event.listen(database.engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, *_: Any) -> None:
        self.seconds += time.perf_counter() - self._started.pop()
        self.statements += 1

    @contextmanager
    def measuring(self) -> Iterator[None]:
        self.seconds, self.statements = 0.0, 0
        yield


async def measure(kind: str, url: str | None, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        database = Database(url or f"sqlite:///{Path(scratch) / 'big.db'}")
        try:
            upgrade(database.engine)
            history = fill(database, args.clients)
            print(f"{kind}: {history.clients:,} clients, {history.rows:,} rows")
            checkins = shell_from_settings(Settings(data_dir=Path(scratch)))
            texts = load_texts("nl")
            sql = SqlClock(database)
            database_ms, total_ms, statements = [], [], 0
            for round_number in range(ROUNDS):
                coach_id = history.coach_id(round_number * 7 % history.coaches)
                started = time.perf_counter()
                with sql.measuring(), database.transaction() as session:
                    context = load_caseload(session, coach_id, checkins)
                outcome = caseload.show(context, NOW)
                rendered = texts.render("nl", outcome.replies[0].key, outcome.replies[0].params)
                total_ms.append((time.perf_counter() - started) * 1000)
                database_ms.append(sql.seconds * 1000)
                statements = sql.statements
                assert len(context.clients) == 40 and rendered
            print(
                f"{kind}: /clienten for a coach with 40 clients: database "
                f"p50 {statistics.median(database_ms):.1f} ms, worst {max(database_ms):.1f} ms "
                f"({statements} statements; goal < 50 ms); with sorting and rendering "
                f"p50 {statistics.median(total_ms):.1f} ms (n={ROUNDS})"
            )
        finally:
            database.dispose()


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=10_000)


if __name__ == "__main__":
    run_per_database(__doc__, measure, _options)
