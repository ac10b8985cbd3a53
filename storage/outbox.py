"""The outbox: messages that must arrive, stored with the change that caused them.

A delivery worker claims due rows (lowest priority number first), sends them and marks them
sent. A claim is a short lease, so a crashed worker's rows are picked up again; on PostgreSQL
claiming skips rows another instance holds (``FOR UPDATE SKIP LOCKED``), so two instances never
send the same row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from sqlalchemy import String, and_, cast, delete, func
from sqlmodel import Session, col, or_, select, update

from storage.models import Alert, OutboxMessage

__all__ = [
    "Priority",
    "claim_due",
    "enqueue",
    "header_of",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "pending_count",
    "purge_sent",
    "release",
]


class Priority(IntEnum):
    ALERT = 0  # noodknop: before everything else
    RELAY = 10  # a person's message to another person
    NOTICE = 20  # bot notices to coaches (a client joined)
    CHECKIN = 50  # scheduled check-in questions


def enqueue(
    session: Session,
    *,
    now: datetime,
    chat_id: int,
    priority: Priority,
    language: str = "nl",
    text_key: str | None = None,
    lead_key: str | None = None,
    params: dict[str, Any] | None = None,
    buttons: list[Any] | None = None,
    keyboard: str | None = None,
    copy_from_chat_id: int | None = None,
    copy_message_id: int | None = None,
    alert_id: int | None = None,
    relay_id: int | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        created_at=now,
        priority=priority,
        chat_id=chat_id,
        language=language,
        text_key=text_key,
        lead_key=lead_key,
        params=params or {},
        buttons=buttons or [],
        keyboard=keyboard,
        copy_from_chat_id=copy_from_chat_id,
        copy_message_id=copy_message_id,
        alert_id=alert_id,
        relay_id=relay_id,
        next_attempt_at=now,
    )
    session.add(row)
    return row


def claim_due(
    session: Session, *, now: datetime, limit: int, lease: timedelta
) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for sending; the caller commits to make the claim hold."""
    statement = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed_at).is_(None),
            col(OutboxMessage.next_attempt_at) <= now,
            or_(
                col(OutboxMessage.claimed_until).is_(None),
                col(OutboxMessage.claimed_until) <= now,
            ),
        )
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    rows = list(session.exec(statement))
    for row in rows:
        row.claimed_until = now + lease
        session.add(row)
    return rows


def release(session: Session, row_ids: list[int]) -> None:
    """Give claimed rows back unsent (an alert came in and goes first)."""
    if row_ids:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(row_ids))
            .values(claimed_until=None)
        )


def mark_sent(session: Session, row_id: int, *, now: datetime, telegram_message_id: int) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .values(sent_at=now, telegram_message_id=telegram_message_id, claimed_until=None)
    )


def mark_retry(session: Session, row_id: int, *, retry_at: datetime, error: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .values(
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=retry_at,
            claimed_until=None,
            error=error[:60],
        )
    )


def mark_failed(session: Session, row_id: int, *, now: datetime, error: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .values(failed_at=now, claimed_until=None, error=error[:60])
    )


def header_of(session: Session, row: OutboxMessage) -> OutboxMessage | None:
    """The header line written with a relayed copy (same relay, same chat), if any."""
    if row.relay_id is None:
        return None
    statement = select(OutboxMessage).where(
        OutboxMessage.relay_id == row.relay_id,
        OutboxMessage.chat_id == row.chat_id,
        col(OutboxMessage.text_key).is_not(None),
    )
    return session.exec(statement).first()


def pending_count(session: Session) -> int:
    statement = select(func.count()).where(
        col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed_at).is_(None)
    )
    return int(session.exec(statement).one())


def purge_sent(session: Session, *, before: datetime, limit: int = 1000) -> tuple[int, int]:
    """Forget up to ``limit`` rows that were done with before ``before``: their parameters hold
    names. Done is sent, or failed for good (once the alert it belonged to, if any, is closed:
    an open alert still asks which of its messages could not arrive).

    A relayed message's sent rows stay, emptied of parameters and buttons: a coach's reply names
    the message it answers, and they are how it finds its way back to the client. Returns
    (rows deleted, relay rows emptied); call again while either equals ``limit``.
    """
    open_alert = select(Alert.id).where(
        col(Alert.id) == col(OutboxMessage.alert_id), col(Alert.closed_at).is_(None)
    )
    sent = col(OutboxMessage.sent_at) < before
    failed = and_(col(OutboxMessage.failed_at) < before, ~open_alert.exists())
    doomed = select(OutboxMessage.id).where(
        or_(and_(sent, col(OutboxMessage.relay_id).is_(None)), failed)
    )
    ids = list(session.exec(doomed.order_by(col(OutboxMessage.id)).limit(limit)))
    if ids:
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.id).in_(ids)))
    kept = select(OutboxMessage.id).where(
        sent,
        col(OutboxMessage.relay_id).is_not(None),
        or_(
            cast(OutboxMessage.params, String) != "{}",
            cast(OutboxMessage.buttons, String) != "[]",
        ),
    )
    kept_ids = list(session.exec(kept.order_by(col(OutboxMessage.id)).limit(limit)))
    if kept_ids:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(kept_ids))
            .values(params={}, buttons=[])
        )
    return len(ids), len(kept_ids)
