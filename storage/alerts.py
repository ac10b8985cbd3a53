"""Repositories for noodknop alerts: the alert, who was told, and every step with its time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, or_
from sqlmodel import Session, col, select

from storage.models import Alert, AlertEvent, AlertRecipient, Backup, Coach, OutboxMessage
from storage.outbox import withhold_unsent

__all__ = [
    "add_event",
    "add_recipient",
    "alerts_to_watch",
    "backups_of",
    "client_of_copy",
    "copy_in_chat",
    "events_of",
    "get_alert",
    "lock_alert",
    "open_alert_of",
    "open_alerts_of",
    "recipients_of",
    "unreachable_chat_ids",
    "withhold_number",
]

# The error of an unsent row that would have shown a client's number after their alert closed.
NUMBER_WITHHELD = "withheld: alert closed"


# Built once: asked on every update of a client.
_OPEN_ALERT_OF = (
    select(Alert)
    .where(Alert.client_id == bindparam("client_id"), col(Alert.closed_at).is_(None))
    .order_by(col(Alert.id).desc())
)


def open_alert_of(session: Session, client_id: int) -> Alert | None:
    return session.exec(_OPEN_ALERT_OF, params={"client_id": client_id}).first()


def open_alerts_of(session: Session, client_id: int) -> list[Alert]:
    """Every open alert of the client, oldest first (one at most, but for old data)."""
    statement = (
        select(Alert)
        .where(Alert.client_id == client_id, col(Alert.closed_at).is_(None))
        .order_by(col(Alert.id))
    )
    return list(session.exec(statement))


def get_alert(session: Session, alert_id: int) -> Alert | None:
    return session.get(Alert, alert_id)


def lock_alert(session: Session, alert_id: int, *, skip_locked: bool = False) -> Alert | None:
    """The alert, held until the transaction ends, so several bot instances act on it one at
    a time. With ``skip_locked`` an alert another instance holds comes back as None.

    On PostgreSQL this is ``SELECT ... FOR UPDATE``, read as the row is now even when the
    session already holds it (what another instance committed while this one waited counts);
    SQLite serialises all writers anyway.
    """
    statement = select(Alert).where(Alert.id == alert_id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=skip_locked).execution_options(
            populate_existing=True
        )
    return session.exec(statement).first()


def alerts_to_watch(
    session: Session, *, remind_before: datetime, close_before: datetime
) -> list[Alert]:
    """Open alerts the clock must look at: those nobody picked up yet (escalation), and those
    picked up or called off before ``close_before`` (to close), or before ``remind_before``
    and not reminded since (to remind once).

    An alert called off as an accident keeps that moment in its timeline; its press, which came
    first, stands in for it here, and the dialog decides with the real moment.
    """
    settled = func.coalesce(Alert.acknowledged_at, Alert.pressed_at)
    reminded = exists().where(
        col(AlertEvent.alert_id) == col(Alert.id),
        col(AlertEvent.kind) == "close_reminded",
        col(AlertEvent.at) >= settled,
    )
    waiting = and_(col(Alert.acknowledged_at).is_(None), col(Alert.accidental).is_(False))
    statement = select(Alert).where(
        col(Alert.closed_at).is_(None),
        or_(waiting, settled <= close_before, and_(settled <= remind_before, ~reminded)),
    )
    return list(session.exec(statement.order_by(col(Alert.id))))


def add_event(
    session: Session, alert_id: int, kind: str, *, at: datetime, coach_id: int | None = None
) -> None:
    session.add(AlertEvent(alert_id=alert_id, at=at, kind=kind, coach_id=coach_id))


def events_of(session: Session, alert_id: int) -> list[AlertEvent]:
    statement = (
        select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(col(AlertEvent.id))
    )
    return list(session.exec(statement))


def add_recipient(
    session: Session,
    alert_id: int,
    *,
    chat_id: int,
    coach_id: int | None,
    role: str,
    at: datetime,
) -> AlertRecipient:
    recipient = AlertRecipient(
        alert_id=alert_id, chat_id=chat_id, coach_id=coach_id, role=role, added_at=at
    )
    session.add(recipient)
    return recipient


def recipients_of(session: Session, alert_id: int) -> list[AlertRecipient]:
    statement = (
        select(AlertRecipient)
        .where(AlertRecipient.alert_id == alert_id)
        .order_by(col(AlertRecipient.id))
    )
    return list(session.exec(statement))


def unreachable_chat_ids(session: Session, alert_id: int) -> set[int]:
    """Chats this alert's messages could not reach for good (blocked the bot: a 403)."""
    statement = select(OutboxMessage.chat_id).where(
        OutboxMessage.alert_id == alert_id,
        col(OutboxMessage.failed_at).is_not(None),
        OutboxMessage.error == "Forbidden",
    )
    return set(session.exec(statement))


def backups_of(session: Session, coach_id: int) -> list[Backup]:
    statement = select(Backup).where(Backup.coach_id == coach_id).order_by(col(Backup.position))
    return list(session.exec(statement))


def withhold_number(session: Session, alert: Alert, now: datetime) -> int:
    """An alert closes: its unsent messages that show the client's phone number to a backup or
    a team chat are never sent (a backup sees the number only while the alert is open); the
    client's own coach keeps theirs. How many were held back."""
    assert alert.id is not None
    coach = session.get(Coach, alert.coach_id)
    own = {coach.telegram_user_id} if coach and coach.telegram_user_id else set()
    return withhold_unsent(
        session,
        alert_id=alert.id,
        param="phone",
        keep_chat_ids=own,
        now=now,
        reason=NUMBER_WITHHELD,
    )


def copy_in_chat(session: Session, alert_id: int, chat_id: int) -> bool:
    """Whether a message of the client's, copied with this open alert, reached ``chat_id``
    (a reply to it there goes to the client: ``client_of_copy``)."""
    statement = (
        select(OutboxMessage.id)
        .join(Alert, col(OutboxMessage.alert_id) == col(Alert.id))
        .where(
            col(OutboxMessage.alert_id) == alert_id,
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.telegram_message_id).is_not(None),
            col(OutboxMessage.copy_from_chat_id).is_not(None),
            col(Alert.closed_at).is_(None),
        )
        .limit(1)
    )
    return session.exec(statement).first() is not None


def client_of_copy(session: Session, chat_id: int, telegram_message_id: int) -> int | None:
    """The client whose message, copied to ``chat_id`` with their open alert, is message
    ``telegram_message_id`` there (what a coach replies to during an alert); None otherwise."""
    statement = (
        select(Alert.client_id)
        .join(OutboxMessage, col(OutboxMessage.alert_id) == col(Alert.id))
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.telegram_message_id) == telegram_message_id,
            col(OutboxMessage.copy_from_chat_id).is_not(None),
            col(Alert.closed_at).is_(None),
        )
    )
    return session.exec(statement).first()
