"""Repositories for check-ins: each client's schedule and its history, the check-ins with
their answers, and the signals a check-in raised for the coach (once per cause).

The scheduler's claims take rows ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two bot
instances never handle the same due schedule or the same waking check-in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Checkin, CheckinSchedule, CheckinSignal, ScheduleChange

__all__ = [
    "OPEN",
    "add_checkin",
    "claim_due_schedules",
    "claim_waking_checkins",
    "get_checkin",
    "history_of",
    "latest_checkin_of",
    "open_checkin_of",
    "raise_signal",
    "schedule_changes_of",
    "schedule_of",
    "set_schedule",
    "withdraw_signal",
]

OPEN = "open"


def _locked(session: Session, statement: Any, *, skip_locked: bool) -> Any:
    """``statement`` holding its rows until the transaction ends (PostgreSQL), read as they are
    now even when the session already holds them."""
    if session.get_bind().dialect.name == "postgresql":
        locked = statement.with_for_update(skip_locked=skip_locked)
        return locked.execution_options(populate_existing=True)
    return statement


# -- schedules ---------------------------------------------------------------------------------


def schedule_of(session: Session, client_id: int) -> CheckinSchedule | None:
    return session.exec(
        select(CheckinSchedule).where(CheckinSchedule.client_id == client_id)
    ).first()


def set_schedule(
    session: Session,
    *,
    client_id: int,
    coach_id: int | None,
    rhythm: str,
    weekday: int,
    at: str,
    timezone: str,
    starts: date,
    paused: bool,
    next_due_at: datetime | None,
    now: datetime,
) -> CheckinSchedule:
    """Create or change a client's schedule; the change is kept with its date and who made it."""
    row = schedule_of(session, client_id) or CheckinSchedule(
        client_id=client_id,
        rhythm=rhythm,
        weekday=weekday,
        at=at,
        timezone=timezone,
        starts=starts,
        updated_at=now,
    )
    row.rhythm, row.weekday, row.at, row.timezone = rhythm, weekday, at, timezone
    row.starts, row.paused, row.next_due_at, row.updated_at = starts, paused, next_due_at, now
    session.add(row)
    session.add(
        ScheduleChange(
            client_id=client_id,
            coach_id=coach_id,
            at=now,
            rhythm=rhythm,
            weekday=weekday,
            time=at,
            paused=paused,
        )
    )
    session.flush()
    return row


def schedule_changes_of(session: Session, client_id: int) -> list[ScheduleChange]:
    statement = (
        select(ScheduleChange)
        .where(ScheduleChange.client_id == client_id)
        .order_by(col(ScheduleChange.id))
    )
    return list(session.exec(statement))


def claim_due_schedules(session: Session, now: datetime, limit: int) -> list[CheckinSchedule]:
    """Schedules whose check-in is due, held until the transaction ends (others skip them)."""
    statement = (
        select(CheckinSchedule)
        .where(col(CheckinSchedule.next_due_at) <= now, col(CheckinSchedule.paused).is_(False))
        .order_by(col(CheckinSchedule.next_due_at), col(CheckinSchedule.id))
        .limit(limit)
    )
    return list(session.exec(_locked(session, statement, skip_locked=True)))


# -- check-ins ---------------------------------------------------------------------------------


def add_checkin(
    session: Session, *, client_id: int, version: str, origin: str, now: datetime
) -> Checkin:
    row = Checkin(client_id=client_id, version=version, origin=origin, sent_at=now)
    session.add(row)
    session.flush()
    return row


# Built once: asked on every update of a client.
_OPEN_CHECKIN_OF = (
    select(Checkin)
    .where(Checkin.client_id == bindparam("client_id"), Checkin.status == OPEN)
    .order_by(col(Checkin.id).desc())
)


def get_checkin(session: Session, checkin_id: int) -> Checkin | None:
    return session.get(Checkin, checkin_id)


def open_checkin_of(session: Session, client_id: int) -> Checkin | None:
    return session.exec(_OPEN_CHECKIN_OF, params={"client_id": client_id}).first()


def latest_checkin_of(session: Session, client_id: int) -> Checkin | None:
    statement = select(Checkin).where(Checkin.client_id == client_id)
    return session.exec(statement.order_by(col(Checkin.id).desc())).first()


def history_of(session: Session, client_id: int, *, before_id: int, limit: int) -> list[Checkin]:
    """The client's earlier check-ins, oldest first (the last ``limit`` of them)."""
    statement = (
        select(Checkin)
        .where(Checkin.client_id == client_id, col(Checkin.id) < before_id)
        .order_by(col(Checkin.id).desc())
        .limit(limit)
    )
    return list(reversed(session.exec(statement).all()))


def claim_waking_checkins(session: Session, now: datetime, limit: int) -> list[Checkin]:
    """Open check-ins whose timer has come (reminder or closing), held like due schedules."""
    statement = (
        select(Checkin)
        .where(Checkin.status == OPEN, col(Checkin.wake_at) <= now)
        .order_by(col(Checkin.wake_at), col(Checkin.id))
        .limit(limit)
    )
    return list(session.exec(_locked(session, statement, skip_locked=True)))


# -- signals -----------------------------------------------------------------------------------


def raise_signal(
    session: Session,
    *,
    client_id: int,
    checkin_id: int,
    kind: str,
    cause: str,
    text_key: str,
    params: dict[str, Any],
    now: datetime,
) -> bool:
    """Store a signal unless one with this cause stands for the client; True when it is new
    (or stands again after the client corrected an answer back)."""
    existing = session.exec(
        select(CheckinSignal).where(
            CheckinSignal.client_id == client_id, CheckinSignal.cause == cause
        )
    ).first()
    if existing is not None:
        if existing.withdrawn_at is None:
            return False
        existing.withdrawn_at, existing.text_key, existing.params = None, text_key, params
        existing.raised_at = now
        session.add(existing)
        return True
    try:
        with session.begin_nested():
            session.add(
                CheckinSignal(
                    client_id=client_id,
                    checkin_id=checkin_id,
                    kind=kind,
                    cause=cause,
                    text_key=text_key,
                    params=params,
                    raised_at=now,
                )
            )
    except IntegrityError:
        return False  # another instance raised it a moment ago
    return True


def withdraw_signal(
    session: Session, *, client_id: int, cause: str, now: datetime
) -> CheckinSignal | None:
    """Mark a signal as no longer holding; returns it when it was still standing."""
    row = session.exec(
        select(CheckinSignal).where(
            CheckinSignal.client_id == client_id,
            CheckinSignal.cause == cause,
            col(CheckinSignal.withdrawn_at).is_(None),
        )
    ).first()
    if row is None:
        return None
    row.withdrawn_at = now
    session.add(row)
    return row
