"""The outbox on SQLite and PostgreSQL: priority order, leases, and no double claims."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
from sqlmodel import select

from bot import housekeeping
from bot.clock import FixedClock
from storage import outbox, people, relays
from storage.database import Database
from storage.models import Alert, OutboxMessage
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


# -- purging what was sent ---------------------------------------------------------------------

DAY = timedelta(days=1)


def _row(
    database: Database,
    *,
    sent: datetime | None = None,
    failed: datetime | None = None,
    relay: bool = False,
    alert_closed: bool | None = None,
) -> int:
    """One outbox row, sent or failed at the given moment, for a relay or an alert if asked."""
    with database.transaction() as session:
        relay_id = alert_id = None
        if relay or alert_closed is not None:
            team = people.default_team(session, now=NOW, organisation_name="T")
            coach = people.add_coach(
                session, team_id=team.id or 0, name="A", language="nl", now=NOW
            )
            client = people.add_client(
                session, coach_id=coach.id or 0, name="S", language="nl", now=NOW
            )
            if relay:
                made = relays.add_relay(
                    session,
                    client_id=client.id or 0,
                    coach_id=coach.id or 0,
                    direction="to_coach",
                    kind="text",
                    from_chat_id=client.id or 0,
                    source_message_id=1,
                    answers_relay_id=None,
                    now=NOW,
                )
                assert made is not None
                relay_id = made.id
            if alert_closed is not None:
                alert = Alert(
                    client_id=client.id or 0,
                    coach_id=coach.id or 0,
                    pressed_at=NOW,
                    closed_at=NOW if alert_closed else None,
                )
                session.add(alert)
                session.flush()
                alert_id = alert.id
        row = outbox.enqueue(
            session,
            now=NOW,
            chat_id=77,
            priority=Priority.NOTICE,
            text_key="relay.header" if relay else "common.question_closed",
            params={"name": "Sam"},
            buttons=[[{"label_key": "buttons.read_aloud", "data": "ra"}]],
            relay_id=relay_id,
            alert_id=alert_id,
        )
        row.sent_at, row.failed_at = sent, failed
        row.telegram_message_id = 501 if sent else None
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _ids(database: Database) -> set[int]:
    with database.transaction() as session:
        return {r.id or 0 for r in session.exec(select(OutboxMessage))}


def test_rows_done_with_before_the_keeping_time_are_purged_and_no_others(
    database: Database,
) -> None:
    cutoff = NOW - 7 * DAY
    old_sent = _row(database, sent=cutoff - timedelta(seconds=1))
    just_kept = _row(database, sent=cutoff)
    new_sent = _row(database, sent=NOW)
    pending = _row(database)
    old_failed = _row(database, failed=cutoff - DAY)
    old_failed_closed_alert = _row(database, failed=cutoff - DAY, alert_closed=True)
    old_failed_open_alert = _row(database, failed=cutoff - DAY, alert_closed=False)
    with database.transaction() as session:
        assert outbox.purge_sent(session, before=cutoff) == (3, 0)
    assert _ids(database) == {just_kept, new_sent, pending, old_failed_open_alert}
    assert not {old_sent, old_failed, old_failed_closed_alert} & _ids(database)
    with database.transaction() as session:
        assert outbox.purge_sent(session, before=cutoff) == (0, 0)


def test_a_relayed_message_keeps_its_row_for_routing_replies_but_not_the_name(
    database: Database,
) -> None:
    cutoff = NOW - 7 * DAY
    old_relay = _row(database, sent=cutoff - DAY, relay=True)
    new_relay = _row(database, sent=NOW, relay=True)
    with database.transaction() as session:
        assert outbox.purge_sent(session, before=cutoff) == (0, 1)
    with database.transaction() as session:
        old = session.get(OutboxMessage, old_relay)
        new = session.get(OutboxMessage, new_relay)
        assert old is not None and new is not None
        assert (old.params, old.buttons) == ({}, [])
        assert new.params == {"name": "Sam"}
        assert relays.relay_for_message(session, 77, 501) is not None, "a reply still finds it"
    with database.transaction() as session:
        assert outbox.purge_sent(session, before=cutoff) == (0, 0), "emptied once"


async def test_the_daily_job_purges_in_batches_and_logs_counts_only(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with database.transaction() as session:
        for number in range(25):
            row = outbox.enqueue(
                session,
                now=NOW,
                chat_id=2000 + number,
                priority=Priority.CHECKIN,
                text_key="common.question_closed",
                params={"name": "Sam"},
            )
            row.sent_at = NOW - 8 * DAY
    caplog.set_level(logging.INFO, logger="bot.housekeeping")
    with patch.object(housekeeping, "PURGE_BATCH", 10):
        result = await housekeeping.purge_outbox(database, FixedClock(NOW), keep_days=7)
    assert result == (25, 0)
    assert _ids(database) == set()
    assert [r.getMessage() for r in caplog.records] == [
        "outbox purge: 25 rows deleted, 0 relay rows emptied"
    ]
