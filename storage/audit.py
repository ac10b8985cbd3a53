"""The audit trail: who did what to whom. Ids and action names only, never content or names."""

from __future__ import annotations

from datetime import datetime

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
) -> AuditEvent:
    event = AuditEvent(
        at=at, actor=actor, action=action, subject_type=subject_type, subject_id=subject_id
    )
    session.add(event)
    return event


def list_events(session: Session, *, subject_type: str, subject_id: int) -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .order_by(col(AuditEvent.id))
    )
    return list(session.exec(statement))
