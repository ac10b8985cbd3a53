"""Benchmark: one outbox claim (a batch of 20) with 10,000 rows pending, with and without the
claim index (``ix_outbox_claim``), on SQLite and PostgreSQL. Figures only; not part of the tests.

The table also holds a week of sent rows (what ``WAAKVLAM_OUTBOX_KEEP_DAYS`` keeps) and a few
hundred retries that are not due yet, ahead of the rest in priority order. A claim is one
``UPDATE ... RETURNING`` that also checks each row's holder is not a live instance.

    .venv/bin/python -m bench.outbox_claim [pending] [sent]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text
from sqlmodel import Session

from bench._harness import temporary_database
from storage import instances, outbox
from storage.database import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage
from storage.outbox import Priority

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OWNER = "bench"
INDEX = (
    "CREATE INDEX ix_outbox_claim ON outbox (priority, id, next_attempt_at) "
    "WHERE sent_at IS NULL AND failed_at IS NULL"
)


def _fill(database: Database, pending: int, sent: int) -> None:
    def row(number: int, priority: int, **extra: object) -> dict[str, object]:
        return {
            "created_at": NOW,
            "priority": priority,
            "chat_id": 10_000 + number,
            "language": "nl",
            "text_key": "checkin.question",
            "params": {"name": "Sam"},
            "buttons": [],
            "attempts": 0,
            "next_attempt_at": NOW,
            **extra,
        }

    rows = [row(n, Priority.CHECKIN, sent_at=NOW - timedelta(days=3)) for n in range(sent)]
    rows += [
        row(n, Priority.RELAY, next_attempt_at=NOW + timedelta(minutes=5), attempts=2)
        for n in range(300)
    ]
    rows += [row(n, Priority.CHECKIN) for n in range(pending)]
    with database.engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(OutboxMessage), rows[start : start + 5000])
        if database.is_postgresql:
            connection.execute(text("ANALYZE outbox"))
        else:
            connection.execute(text("ANALYZE"))


def _claims(database: Database, times: int) -> list[float]:
    """Claim a batch and roll back, ``times`` times: milliseconds per claim."""
    took = []
    for _ in range(times):
        with database.engine.connect() as connection, Session(bind=connection) as session:
            started = time.perf_counter()
            rows = outbox.claim_due(session, now=NOW, limit=20, owner=OWNER)
            session.flush()
            took.append((time.perf_counter() - started) * 1000)
            assert len(rows) == 20
            session.rollback()
    return took


def _figure(took: list[float]) -> str:
    ordered = sorted(took)
    return f"median {statistics.median(took):.2f} ms, p95 {ordered[int(0.95 * len(took))]:.2f} ms"


def _measure(database: Database, kind: str, pending: int, sent: int) -> None:
    upgrade(database.engine)
    _fill(database, pending, sent)
    with database.transaction() as session:
        instances.register(session, OWNER, host="bench", pid=0)
    analyze = "ANALYZE outbox" if database.is_postgresql else "ANALYZE"
    with database.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_outbox_claim"))
        connection.execute(text(analyze))
    _claims(database, 5)
    without = _claims(database, 50)
    with database.engine.begin() as connection:
        connection.execute(text(INDEX))
        connection.execute(text(analyze))
    _claims(database, 5)
    with_index = _claims(database, 50)
    print(
        f"{kind}: claim 20 of {pending} pending ({sent} sent kept): "
        f"without the index {_figure(without)}; with it {_figure(with_index)}"
    )


def main(pending: int, sent: int) -> None:
    for kind in ("sqlite", "postgresql"):
        with temporary_database(kind) as url, tempfile.TemporaryDirectory() as data_dir:
            database = Database(url or f"sqlite:///{data_dir}/claim.db")
            try:
                _measure(database, kind, pending, sent)
            finally:
                database.dispose()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 50_000,
    )
