"""What a coach did about a check-in signal (📞 I will call, 💬 I will message, ✅ handled).

No table of its own: each tap is an audit event about the client (``signal.call``,
``signal.message``, ``signal.done``), so the access and erasure rights of
``storage.data_rights`` cover it as they cover every event about the client. What was chosen
about a signal is what was recorded for its client since the signal was (last) raised.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage import audit
from storage.models import AuditEvent, CheckinSignal

__all__ = [
    "ACTION_PREFIX",
    "chosen_since",
    "get_signal",
    "record",
    "signal_id_of",
    "standing_in_checkin",
]

ACTION_PREFIX = "signal."


def get_signal(session: Session, signal_id: int) -> CheckinSignal | None:
    return session.get(CheckinSignal, signal_id)


def signal_id_of(session: Session, client_id: int, cause: str) -> int | None:
    """The id of the client's signal with this cause (its note's buttons name it)."""
    statement = select(CheckinSignal.id).where(
        CheckinSignal.client_id == client_id, CheckinSignal.cause == cause
    )
    return session.exec(statement).first()


def standing_in_checkin(session: Session, signal: CheckinSignal) -> bool:
    """Whether a signal of the same check-in still stands (the note named them all)."""
    statement = select(CheckinSignal.id).where(
        CheckinSignal.client_id == signal.client_id,
        CheckinSignal.checkin_id == signal.checkin_id,
        col(CheckinSignal.withdrawn_at).is_(None),
    )
    return session.exec(statement).first() is not None


def chosen_since(session: Session, client_id: int, since: datetime) -> set[str]:
    """The actions recorded about the client's signals at or after ``since``."""
    statement = select(AuditEvent.action).where(
        AuditEvent.subject_type == "client",
        AuditEvent.subject_id == client_id,
        col(AuditEvent.action).startswith(ACTION_PREFIX),
        col(AuditEvent.at) >= since,
    )
    return {action.removeprefix(ACTION_PREFIX) for action in session.exec(statement)}


def record(session: Session, *, client_id: int, coach_id: int, action: str, at: datetime) -> None:
    """Keep a coach's tap in the audit trail about the client."""
    audit.record(
        session,
        at=at,
        actor=f"coach:{coach_id}",
        action=f"{ACTION_PREFIX}{action}",
        subject_type="client",
        subject_id=client_id,
    )
