"""The outbox on SQLite and PostgreSQL: priority order, leases, and no double claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import outbox
from storage.database import Database
from storage.outbox import Priority

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def _fill(database: Database, priorities: list[Priority]) -> None:
    with database.transaction() as session:
        for number, priority in enumerate(priorities):
            outbox.enqueue(
                session,
                now=NOW,
                chat_id=1000 + number,
                priority=priority,
                text_key="common.question_closed",
            )


def test_alerts_are_claimed_before_everything_else(database: Database) -> None:
    _fill(database, [Priority.CHECKIN] * 5 + [Priority.ALERT, Priority.NOTICE])
    with database.transaction() as session:
        rows = outbox.claim_due(session, now=NOW, limit=3, lease=LEASE)
        assert [(r.priority, r.chat_id) for r in rows] == [
            (Priority.ALERT, 1005),
            (Priority.NOTICE, 1006),
            (Priority.CHECKIN, 1000),
        ]


def test_a_claim_is_a_lease_that_runs_out(database: Database) -> None:
    _fill(database, [Priority.ALERT])
    with database.transaction() as session:
        assert len(outbox.claim_due(session, now=NOW, limit=10, lease=LEASE)) == 1
    with database.transaction() as session:
        assert (
            outbox.claim_due(session, now=NOW + timedelta(seconds=59), limit=10, lease=LEASE) == []
        )
    with database.transaction() as session:
        again = outbox.claim_due(session, now=NOW + LEASE, limit=10, lease=LEASE)
        assert len(again) == 1, "a crashed worker's row is picked up again"


def test_sent_failed_and_retried_rows(database: Database) -> None:
    _fill(database, [Priority.ALERT] * 3)
    with database.transaction() as session:
        first, second, third = outbox.claim_due(session, now=NOW, limit=10, lease=LEASE)
    with database.transaction() as session:
        outbox.mark_sent(session, first.id or 0, now=NOW, telegram_message_id=5)
        outbox.mark_failed(session, second.id or 0, now=NOW, error="Forbidden")
        outbox.mark_retry(session, third.id or 0, retry_at=NOW + timedelta(seconds=30), error="x")
    with database.transaction() as session:
        assert outbox.claim_due(session, now=NOW, limit=10, lease=LEASE) == []
        assert outbox.pending_count(session) == 1
    with database.transaction() as session:
        retried = outbox.claim_due(session, now=NOW + timedelta(seconds=30), limit=10, lease=LEASE)
        assert [(r.id, r.attempts) for r in retried] == [(third.id, 1)]


def test_two_instances_never_claim_the_same_row(database: Database) -> None:
    if not database.is_postgresql:
        pytest.skip("SQLite serialises writers; SKIP LOCKED is PostgreSQL's")
    _fill(database, [Priority.CHECKIN] * 10)
    other = Database(database.url)
    try:
        with database.transaction() as first, other.transaction() as second:
            mine = outbox.claim_due(first, now=NOW, limit=6, lease=LEASE)
            first.flush()
            theirs = outbox.claim_due(second, now=NOW, limit=6, lease=LEASE)
            assert len(mine) == 6 and len(theirs) == 4
            assert not {r.id for r in mine} & {r.id for r in theirs}
    finally:
        other.dispose()
