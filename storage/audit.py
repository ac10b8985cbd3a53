"""The audit trail: who did what to whom. Ids and action names only, never content or names."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, col, select

from storage.models import AuditEvent

__all__ = ["list_events", "record"]


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
) -> int:
    """Add one event; its id. A plain insert (an ORM object would cost several times the
    statement); later queries in the same transaction see it at once."""
    values = {
        "at": at,
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
    }
    return int(session.connection().execute(_INSERT, values).scalar_one())


_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_INSERT = insert(_EVENTS).returning(_EVENTS.c.id)


def list_events(session: Session, *, subject_type: str, subject_id: int) -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .order_by(col(AuditEvent.id))
    )
    return list(session.exec(statement))
