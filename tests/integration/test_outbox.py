"""The outbox on SQLite and PostgreSQL: priority order, claims held by live instances and
taken over from dead ones, no double claims or marks, and the purge of what was sent."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
from sqlmodel import col, select, update

from bot import housekeeping
from bot.clock import FixedClock
from storage import instances, outbox, people, relays
from storage.database import Database
from storage.models import Alert, Instance, OutboxMessage
from storage.outbox import Priority

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
A, B = "instance-a", "instance-b"


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


def _live(database: Database, *names: str) -> None:
    with database.transaction() as session:
        for name in names:
            instances.register(session, name, host="test", pid=1)


def _heartbeat_age(database: Database, name: str, seconds: float) -> None:
    """Make ``name``'s last heartbeat ``seconds`` old, as if it stopped beating then."""
    with database.transaction() as session:
        then = instances.database_now(session) - timedelta(seconds=seconds)
        session.execute(update(Instance).where(col(Instance.id) == name).values(heartbeat_at=then))


def _claim(database: Database, owner: str, *, now: datetime = NOW) -> list[OutboxMessage]:
    with database.transaction() as session:
        return outbox.claim_due(session, now=now, limit=10, owner=owner)


def test_alerts_are_claimed_before_everything_else(database: Database) -> None:
    _fill(database, [Priority.CHECKIN] * 5 + [Priority.ALERT, Priority.NOTICE])
    _live(database, A)
    with database.transaction() as session:
        rows = outbox.claim_due(session, now=NOW, limit=3, owner=A)
        assert [(r.priority, r.chat_id, r.claimed_by) for r in rows] == [
            (Priority.ALERT, 1005, A),
            (Priority.NOTICE, 1006, A),
            (Priority.CHECKIN, 1000, A),
        ]


def test_a_live_holder_keeps_its_rows_however_long_its_send_takes(database: Database) -> None:
    _fill(database, [Priority.ALERT])
    _live(database, A, B)
    assert len(_claim(database, A)) == 1
    # An hour on the business clock (an alert waiting out 429s, a slow Telegram): A still beats.
    assert _claim(database, B, now=NOW + timedelta(hours=1)) == []
    _heartbeat_age(database, A, 5)  # two missed heartbeats: not dead yet
    assert _claim(database, B) == []


def test_a_dead_holders_rows_are_taken_over_after_the_heartbeat_window(
    database: Database,
) -> None:
    _fill(database, [Priority.ALERT, Priority.CHECKIN])
    _live(database, A, B)
    assert len(_claim(database, A)) == 2
    _heartbeat_age(database, A, instances.DEAD_AFTER.total_seconds() + 1)
    taken = _claim(database, B)
    assert [(r.priority, r.claimed_by) for r in taken] == [
        (Priority.ALERT, B),
        (Priority.CHECKIN, B),
    ]
    assert _claim(database, A) == [], "B is alive: its rows stay with it"


def test_a_retired_or_unknown_holders_rows_are_free_at_once(database: Database) -> None:
    _fill(database, [Priority.ALERT])
    _live(database, A, B)
    assert len(_claim(database, A)) == 1
    with database.transaction() as session:
        instances.retire(session, A)  # a clean stop
    assert len(_claim(database, B)) == 1
    with database.transaction() as session:
        session.execute(update(OutboxMessage).values(claimed_by="never-registered"))
    assert len(_claim(database, A)) == 1


def test_only_the_holder_marks_a_row_so_a_taken_over_row_is_marked_once(
    database: Database,
) -> None:
    _fill(database, [Priority.ALERT])
    _live(database, A, B)
    (row,) = _claim(database, A)
    _heartbeat_age(database, A, 60)  # A was taken for dead mid-send...
    assert len(_claim(database, B)) == 1  # ...and B took the row over
    with database.transaction() as session:
        assert not outbox.mark_sent(session, row.id or 0, owner=A, now=NOW, telegram_message_id=1)
        assert not outbox.mark_retry(session, row.id or 0, owner=A, retry_at=NOW, error="x")
        assert not outbox.mark_failed(session, row.id or 0, owner=A, now=NOW, error="x")
        outbox.release(session, [row.id or 0], owner=A)
    with database.transaction() as session:
        assert outbox.mark_sent(session, row.id or 0, owner=B, now=NOW, telegram_message_id=2)
    with database.transaction() as session:
        stored = session.get(OutboxMessage, row.id)
        assert stored is not None
        assert (stored.telegram_message_id, stored.claimed_by, stored.attempts) == (2, None, 0)


def test_a_heartbeat_renews_a_live_instance_and_refuses_a_dead_one(database: Database) -> None:
    _live(database, A)
    with database.transaction() as session:
        assert instances.beat(session, A)
    _heartbeat_age(database, A, instances.DEAD_AFTER.total_seconds() + 1)
    with database.transaction() as session:
        assert not instances.beat(session, A), "taken for dead: it must go on as a new one"
        assert not instances.beat(session, "never-registered")
    _heartbeat_age(database, A, 2 * 3600)
    with database.transaction() as session:
        assert instances.forget_dead(session) == 1


def test_sent_failed_and_retried_rows(database: Database) -> None:
    _fill(database, [Priority.ALERT] * 3)
    _live(database, A)
    first, second, third = _claim(database, A)
    with database.transaction() as session:
        assert outbox.mark_sent(session, first.id or 0, owner=A, now=NOW, telegram_message_id=5)
        assert outbox.mark_failed(session, second.id or 0, owner=A, now=NOW, error="Forbidden")
        assert outbox.mark_retry(
            session, third.id or 0, owner=A, retry_at=NOW + timedelta(seconds=30), error="x"
        )
    assert _claim(database, A) == []
    with database.transaction() as session:
        assert outbox.pending_count(session) == 1
    retried = _claim(database, A, now=NOW + timedelta(seconds=30))
    assert [(r.id, r.attempts) for r in retried] == [(third.id, 1)]


def test_rows_handed_back_are_free_for_anyone(database: Database) -> None:
    _fill(database, [Priority.CHECKIN] * 3)
    _live(database, A, B)
    rows = _claim(database, A)
    with database.transaction() as session:
        outbox.release(session, [r.id or 0 for r in rows[1:]], owner=A)
    assert [r.id for r in _claim(database, B)] == [r.id for r in rows[1:]]


def test_a_live_instance_takes_back_its_own_rows_it_left_behind(database: Database) -> None:
    """Rows a pass of A's left held when it broke off are A's to claim again, those it says it
    left behind and no other (one may be in an alert's task of its own); B leaves all of them
    to A, which lives."""
    _fill(database, [Priority.ALERT, Priority.ALERT, Priority.CHECKIN])
    _live(database, A, B)
    first, _in_its_own_task, third = _claim(database, A)  # ... and the pass broke off
    assert _claim(database, B) == []
    assert _claim(database, A) == [], "nothing said to be left behind: nothing taken back"
    with database.transaction() as session:
        left = {first.id or 0, third.id or 0}
        again = outbox.claim_due(session, now=NOW, limit=10, owner=A, left_behind=left)
        assert [(r.id, r.claimed_by) for r in again] == [(first.id, A), (third.id, A)]
    with database.transaction() as session:
        theirs = outbox.claim_due(session, now=NOW, limit=10, owner=B, left_behind=left)
        assert theirs == [], "only the holder takes back what it left behind"


def test_two_instances_never_claim_the_same_row(database: Database) -> None:
    if not database.is_postgresql:
        pytest.skip("SQLite serialises writers; SKIP LOCKED is PostgreSQL's")
    _fill(database, [Priority.CHECKIN] * 10)
    _live(database, A, B)
    other = Database(database.url)
    try:
        with database.transaction() as first, other.transaction() as second:
            mine = outbox.claim_due(first, now=NOW, limit=6, owner=A)
            theirs = outbox.claim_due(second, now=NOW, limit=6, owner=B)
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
                relay_id = relays.add_relay(
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
                assert relay_id is not None
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
        row_id = outbox.enqueue(
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
        row = session.get_one(OutboxMessage, row_id)
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
    # An open alert still asks whom it told what (the 📵 line, bot.reachability): kept too.
    old_sent_open_alert = _row(database, sent=cutoff - DAY, alert_closed=False)
    old_sent_closed_alert = _row(database, sent=cutoff - DAY, alert_closed=True)
    with database.transaction() as session:
        assert outbox.purge_sent(session, before=cutoff) == (4, 0)
    kept = {just_kept, new_sent, pending, old_failed_open_alert, old_sent_open_alert}
    assert _ids(database) == kept
    assert not {old_sent, old_failed, old_failed_closed_alert, old_sent_closed_alert} & _ids(
        database
    )
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
            row_id = outbox.enqueue(
                session,
                now=NOW,
                chat_id=2000 + number,
                priority=Priority.CHECKIN,
                text_key="common.question_closed",
                params={"name": "Sam"},
            )
            session.get_one(OutboxMessage, row_id).sent_at = NOW - 8 * DAY
    caplog.set_level(logging.INFO, logger="bot.housekeeping")
    with patch.object(housekeeping, "PURGE_BATCH", 10):
        result = await housekeeping.purge_outbox(database, FixedClock(NOW), keep_days=7)
    assert result == (25, 0)
    assert _ids(database) == set()
    assert [r.getMessage() for r in caplog.records] == [
        "outbox purge: 25 rows deleted, 0 relay rows emptied"
    ]
