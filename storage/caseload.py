"""What a coach's list of clients reads: one query per table for all of the coach's clients.

A coach may have 40 clients and a year of weekly check-ins each, so nothing here asks per
client: each function takes the ids of all the clients at once and returns a mapping by
client id (a client without rows is absent from it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from storage.models import (
    Alert,
    Checkin,
    CheckinSchedule,
    CheckinSignal,
    CheckinStatus,
    Client,
    ClientStatus,
    Relay,
)

__all__ = [
    "ClosedCheckin",
    "active_clients",
    "last_relays",
    "open_alert_clients",
    "open_signal_counts",
    "recent_checkins",
    "schedules",
]

# Enough of the latest closed check-ins per client for a run of missed ones; the two latest
# finished and the two latest unfinished come along, wherever they are (the last grades).
RECENT = 6
GRADED = 2


@dataclass(frozen=True)
class ClosedCheckin:
    """A closed check-in as the list needs it (newest first per client)."""

    id: int
    client_id: int
    status: str
    version: str
    answers: dict[str, str]
    sent_at: datetime
    finished_at: datetime | None


def active_clients(session: Session, coach_id: int) -> list[Client]:
    """The coach's active clients (not invited, declined or ended)."""
    statement = select(Client).where(
        Client.coach_id == coach_id, Client.status == ClientStatus.ACTIVE
    )
    return list(session.exec(statement.order_by(col(Client.id))))


def schedules(session: Session, client_ids: Sequence[int]) -> dict[int, CheckinSchedule]:
    statement = select(CheckinSchedule).where(col(CheckinSchedule.client_id).in_(client_ids))
    return {row.client_id: row for row in session.exec(statement)}


def open_alert_clients(session: Session, client_ids: Sequence[int]) -> set[int]:
    statement = select(Alert.client_id).where(
        col(Alert.client_id).in_(client_ids), col(Alert.closed_at).is_(None)
    )
    return set(session.exec(statement))


def open_signal_counts(session: Session, client_ids: Sequence[int]) -> dict[int, int]:
    """Signals that still stand (not withdrawn by a corrected answer), counted per client."""
    statement = (
        select(CheckinSignal.client_id, func.count())
        .where(
            col(CheckinSignal.client_id).in_(client_ids),
            col(CheckinSignal.withdrawn_at).is_(None),
        )
        .group_by(col(CheckinSignal.client_id))
    )
    return {client_id: int(count) for client_id, count in session.exec(statement)}


def last_relays(session: Session, client_ids: Sequence[int]) -> dict[int, datetime]:
    """The latest message that reached the other side, either way, per client."""
    statement = (
        select(Relay.client_id, func.max(Relay.created_at))
        .where(col(Relay.client_id).in_(client_ids), col(Relay.failed_at).is_(None))
        .group_by(col(Relay.client_id))
    )
    return {client_id: at for client_id, at in session.exec(statement) if at is not None}


def recent_checkins(session: Session, client_ids: Sequence[int]) -> list[ClosedCheckin]:
    """Per client its ``RECENT`` latest closed check-ins, and its ``GRADED`` latest finished
    and unfinished ones, newest first: one query with window functions (SQLite 3.25+ and
    PostgreSQL), so a year of check-ins per client is never read whole."""
    newest_first = col(Checkin.id).desc()
    ranked = (
        sql_select(
            col(Checkin.id),
            col(Checkin.client_id),
            col(Checkin.status),
            col(Checkin.version),
            col(Checkin.answers),
            col(Checkin.sent_at),
            col(Checkin.finished_at),
            func.row_number()
            .over(partition_by=col(Checkin.client_id), order_by=newest_first)
            .label("recent"),
            func.row_number()
            .over(partition_by=(col(Checkin.client_id), col(Checkin.status)), order_by=newest_first)
            .label("of_status"),
        )
        .where(
            col(Checkin.client_id).in_(client_ids),
            col(Checkin.status) != CheckinStatus.OPEN,
        )
        .subquery()
    )
    graded = ranked.c.status.in_((CheckinStatus.DONE, CheckinStatus.UNFINISHED))
    statement = (
        sql_select(ranked)
        .where(or_(ranked.c.recent <= RECENT, graded & (ranked.c.of_status <= GRADED)))
        .order_by(ranked.c.client_id, ranked.c.id.desc())
    )
    return [
        ClosedCheckin(
            id=row.id,
            client_id=row.client_id,
            status=str(row.status),
            version=row.version,
            answers=dict(row.answers or {}),
            sent_at=row.sent_at,
            finished_at=row.finished_at,
        )
        for row in session.execute(statement)
    ]
