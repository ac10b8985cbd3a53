"""Retention on SQLite and PostgreSQL: the daily job deletes exactly what is older than each
setting (check-ins, relay metadata, alert details), keeps what is newer or still in use, and
logs counts only.

Each kind gets a row a minute older than its cut-off (goes) and a minute newer (stays), and
rows that are old but in use (an open check-in, an open alert, a relay with a message still
to send) stay too.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.clock import FixedClock
from bot.housekeeping import RetentionDays, apply_retention
from storage import alerts, checkins, contacts, outbox, people, relays
from storage.database import Database
from storage.models import (
    Alert,
    AlertEvent,
    AlertRecipient,
    Checkin,
    CheckinSignal,
    ContactLog,
    OutboxMessage,
    Relay,
)
from storage.outbox import Priority

NOW = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
DAYS = RetentionDays(checkins=365, relays=90, alert_details=180, contacts=200)
MINUTE = timedelta(minutes=1)
ANNA_CHAT, SAM_CHAT = 7_001, 7_002


def _just(days: int) -> tuple[datetime, datetime]:
    """(a minute before the cut-off, a minute after it) for a setting of ``days``."""
    cutoff = NOW - timedelta(days=days)
    return cutoff - MINUTE, cutoff + MINUTE


def _people(session: Session) -> tuple[int, int]:
    team = people.default_team(session, now=NOW, organisation_name="Test")
    assert team.id is not None
    anna = people.add_coach(session, team_id=team.id, name="Anna", language="nl", now=NOW)
    people.activate_coach(session, anna, telegram_user_id=ANNA_CHAT, now=NOW)
    sam = people.add_client(session, coach_id=anna.id or 0, name="Sam", language="nl", now=NOW)
    sam.telegram_user_id = SAM_CHAT
    people.activate_client(session, sam, now=NOW)
    session.flush()
    assert anna.id is not None and sam.id is not None
    return anna.id, sam.id


def _checkin(session: Session, client_id: int, sent: datetime, status: str) -> int:
    row = checkins.add_checkin(
        session, client_id=client_id, version="1", origin="schedule", now=sent
    )
    row.status = status
    session.add(row)
    session.flush()
    assert row.id is not None
    checkins.raise_signal(
        session,
        client_id=client_id,
        checkin_id=row.id,
        kind="low_grade",
        cause=f"checkin:{row.id}:grade",
        text_key="coach_checkin.grade_low",
        params={"grade": "3"},
        now=sent,
    )
    return row.id


def _relay(session: Session, client_id: int, coach_id: int, at: datetime, *, sent: bool) -> int:
    relay_id = relays.add_relay(
        session,
        client_id=client_id,
        coach_id=coach_id,
        direction="to_coach",
        kind="text",
        from_chat_id=SAM_CHAT,
        source_message_id=int(at.timestamp()),
        answers_relay_id=None,
        now=at,
    )
    assert relay_id is not None
    row_id = outbox.enqueue(
        session,
        now=at,
        chat_id=ANNA_CHAT,
        priority=Priority.NOTICE,
        copy_from_chat_id=SAM_CHAT,
        copy_message_id=1,
        relay_id=relay_id,
    )
    if sent:
        session.get_one(OutboxMessage, row_id).sent_at = at
    return relay_id


def _alert(session: Session, client_id: int, coach_id: int, closed: datetime | None) -> int:
    pressed = (closed or NOW) - timedelta(hours=1)
    alert = Alert(
        client_id=client_id,
        coach_id=coach_id,
        pressed_at=pressed,
        reason="health",
        acknowledged_at=pressed + MINUTE,
        closed_at=closed,
        outcome="talked" if closed else None,
    )
    session.add(alert)
    session.flush()
    assert alert.id is not None
    alerts.add_event(session, alert.id, "pressed", at=pressed)
    alerts.add_recipient(
        session, alert.id, chat_id=ANNA_CHAT, coach_id=coach_id, role="coach", at=pressed
    )
    sent_id = outbox.enqueue(
        session,
        now=pressed,
        chat_id=ANNA_CHAT,
        priority=Priority.ALERT,
        text_key="alert.coach",
        params={"client": "Sam"},
        alert_id=alert.id,
    )
    session.get_one(OutboxMessage, sent_id).sent_at = pressed
    return alert.id


def _ids(session: Session, model: type[Checkin] | type[Relay] | type[Alert]) -> set[int]:
    return {row for row in session.exec(select(model.id)) if row is not None}


async def test_the_daily_job_deletes_exactly_what_is_older_than_each_setting(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with database.transaction() as session:
        anna, sam = _people(session)
        old, new = _just(DAYS.checkins)
        old_done = _checkin(session, sam, old, "done")
        old_missed = _checkin(session, sam, old - timedelta(days=30), "missed")
        new_done = _checkin(session, sam, new, "done")
        old_but_open = _checkin(session, sam, old - timedelta(days=3), "open")
        old, new = _just(DAYS.relays)
        old_relay = _relay(session, sam, anna, old, sent=True)
        new_relay = _relay(session, sam, anna, new, sent=True)
        old_relay_waiting = _relay(session, sam, anna, old - MINUTE, sent=False)
        old, new = _just(DAYS.alert_details)
        old_alert = _alert(session, sam, anna, old)
        new_alert = _alert(session, sam, anna, new)
        still_open = _alert(session, sam, anna, None)
        old, new = _just(DAYS.contacts)
        old_call = contacts.add_contact(session, client_id=sam, coach_id=anna, kind="call", now=old)
        new_visit = contacts.add_contact(
            session, client_id=sam, coach_id=anna, kind="visit", now=new
        )
        session.flush()
        session.exec(select(Alert).where(col(Alert.id) == still_open)).one().pressed_at = (
            NOW - timedelta(days=400)
        )

    with caplog.at_level(logging.INFO):
        counts = await apply_retention(database, FixedClock(NOW), DAYS)

    assert counts == {"checkins": 2, "relays": 1, "alert_details": 1, "contacts": 1}
    with database.transaction() as session:
        assert _ids(session, Checkin) == {new_done, old_but_open}
        signals = {s.checkin_id for s in session.exec(select(CheckinSignal))}
        assert signals == {new_done, old_but_open}
        assert old_done not in signals and old_missed not in signals
        assert _ids(session, Relay) == {new_relay, old_relay_waiting}
        relay_rows = {r.relay_id for r in session.exec(select(OutboxMessage)) if r.relay_id}
        assert relay_rows == {new_relay, old_relay_waiting}
        assert old_relay not in relay_rows
        # Every alert stays for the response-time reports; the old one without its details.
        assert _ids(session, Alert) == {old_alert, new_alert, still_open}
        stripped = session.get(Alert, old_alert)
        assert stripped is not None
        assert stripped.reason is None and stripped.acknowledged_at is not None
        for model in (AlertEvent, AlertRecipient):
            assert {row.alert_id for row in session.exec(select(model))} == {new_alert, still_open}
        alert_rows = {r.alert_id for r in session.exec(select(OutboxMessage)) if r.alert_id}
        assert alert_rows == {new_alert, still_open}
        assert {row.id for row in session.exec(select(ContactLog))} == {new_visit.id}
        assert old_call.id != new_visit.id
        for kept in (new_alert, still_open):
            alert = session.get(Alert, kept)
            assert alert is not None and alert.reason == "health"

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "2 check-ins deleted, 1 relays deleted, 1 alerts stripped of details, 1 logged" in logged
    assert "Sam" not in logged and "Anna" not in logged and str(SAM_CHAT) not in logged

    again = await apply_retention(database, FixedClock(NOW), DAYS)
    assert again == {"checkins": 0, "relays": 0, "alert_details": 0, "contacts": 0}


async def test_a_reply_to_a_relay_that_is_deleted_keeps_its_own_row(database: Database) -> None:
    """A coach's answer newer than the cut-off survives the question it answered."""
    with database.transaction() as session:
        anna, sam = _people(session)
        old, new = _just(DAYS.relays)
        question = _relay(session, sam, anna, old, sent=True)
        answer = relays.add_relay(
            session,
            client_id=sam,
            coach_id=anna,
            direction="to_client",
            kind="text",
            from_chat_id=ANNA_CHAT,
            source_message_id=99,
            answers_relay_id=question,
            now=new,
        )
        assert answer is not None
        answer_id = answer

    await apply_retention(database, FixedClock(NOW), DAYS)

    with database.transaction() as session:
        assert _ids(session, Relay) == {answer_id}
        kept = session.get(Relay, answer_id)
        assert kept is not None and kept.answers_relay_id is None
