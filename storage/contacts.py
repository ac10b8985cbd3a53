"""Contacts a coach logged with one tap (a call, a visit, a talk elsewhere), and what one
client's card reads: their check-ins, alerts, phases and coach history over a period.

A logged contact's note is for the coach only: nothing here hands it to anyone but the
coach's own card and history (``bot.client_card`` loads it only for the client's coach).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, union_all
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from storage.models import (
    Alert,
    AlertOutcome,
    Checkin,
    CheckinSignal,
    CheckinStatus,
    CoachAssignment,
    ContactKind,
    ContactLog,
    ScheduleChange,
    SupportPhase,
)

__all__ = [
    "MAX_NOTE",
    "add_contact",
    "alerts_since",
    "assignments_of",
    "checkins_since",
    "contacts_of",
    "get_contact",
    "last_contacts",
    "phases_of",
    "schedule_changes_since",
    "set_note",
    "standing_signals",
]

MAX_NOTE = 200  # characters: a few words for the coach, not a care file


def add_contact(
    session: Session, *, client_id: int, coach_id: int, kind: ContactKind | str, now: datetime
) -> ContactLog:
    row = ContactLog(client_id=client_id, coach_id=coach_id, at=now, kind=ContactKind(kind))
    session.add(row)
    session.flush()
    return row


def get_contact(session: Session, contact_id: int) -> ContactLog | None:
    return session.get(ContactLog, contact_id)


def set_note(session: Session, contact: ContactLog, note: str | None) -> None:
    """The coach's note (cut to ``MAX_NOTE`` characters), or None to have none."""
    contact.note = note[:MAX_NOTE] if note else None
    session.add(contact)
    session.flush()


def contacts_of(session: Session, client_id: int, *, limit: int = 200) -> list[ContactLog]:
    """The client's logged contacts, newest first."""
    statement = (
        select(ContactLog)
        .where(ContactLog.client_id == client_id)
        .order_by(col(ContactLog.at).desc(), col(ContactLog.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


# An alert its coach closed this way was a conversation with the client: contact, as a call
# the coach logged is.
_CONTACT_OUTCOMES = (AlertOutcome.TALKED, AlertOutcome.VISITED)


def last_contacts(session: Session, client_ids: Sequence[int]) -> dict[int, datetime]:
    """The latest contact per client: a contact the coach logged, or a noodknop alert they
    closed as talked or visited (one query for all of them)."""
    moments = union_all(
        sql_select(col(ContactLog.client_id), col(ContactLog.at)).where(
            col(ContactLog.client_id).in_(client_ids)
        ),
        sql_select(col(Alert.client_id), col(Alert.closed_at)).where(
            col(Alert.client_id).in_(client_ids), col(Alert.outcome).in_(_CONTACT_OUTCOMES)
        ),
    ).subquery()
    statement = sql_select(moments.c[0], func.max(moments.c[1])).group_by(moments.c[0])
    return {client_id: at for client_id, at in session.execute(statement) if at is not None}


def checkins_since(session: Session, client_id: int, since: datetime) -> list[Checkin]:
    """The client's closed check-ins sent since ``since``, oldest first."""
    statement = (
        select(Checkin)
        .where(
            Checkin.client_id == client_id,
            col(Checkin.sent_at) >= since,
            col(Checkin.status) != CheckinStatus.OPEN,
        )
        .order_by(col(Checkin.sent_at), col(Checkin.id))
    )
    return list(session.exec(statement))


def alerts_since(session: Session, client_id: int, since: datetime | None = None) -> list[Alert]:
    """The client's noodknop alerts (pressed since ``since``), oldest first."""
    statement = select(Alert).where(Alert.client_id == client_id)
    if since is not None:
        statement = statement.where(col(Alert.pressed_at) >= since)
    return list(session.exec(statement.order_by(col(Alert.pressed_at), col(Alert.id))))


def standing_signals(session: Session, client_id: int) -> list[CheckinSignal]:
    """Signals about the client not withdrawn by a corrected answer, newest first."""
    statement = (
        select(CheckinSignal)
        .where(CheckinSignal.client_id == client_id, col(CheckinSignal.withdrawn_at).is_(None))
        .order_by(col(CheckinSignal.raised_at).desc(), col(CheckinSignal.id).desc())
    )
    return list(session.exec(statement))


def schedule_changes_since(
    session: Session, client_id: int, since: datetime | None = None
) -> list[ScheduleChange]:
    statement = select(ScheduleChange).where(ScheduleChange.client_id == client_id)
    if since is not None:
        statement = statement.where(col(ScheduleChange.at) >= since)
    return list(session.exec(statement.order_by(col(ScheduleChange.at), col(ScheduleChange.id))))


def phases_of(session: Session, client_id: int) -> list[SupportPhase]:
    statement = select(SupportPhase).where(SupportPhase.client_id == client_id)
    return list(session.exec(statement.order_by(col(SupportPhase.started_at))))


def assignments_of(session: Session, client_id: int) -> list[CoachAssignment]:
    statement = select(CoachAssignment).where(CoachAssignment.client_id == client_id)
    return list(session.exec(statement.order_by(col(CoachAssignment.started_at))))
