"""What a coach's weekly digest reads: the week's check-ins of their clients, and when each
coach last had a digest (an audit event: a digest names clients, so it is a disclosure too)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from storage.models import AuditEvent, Checkin, CheckinStatus

__all__ = ["DIGEST_EMPTY", "DIGEST_SENT", "last_digests", "week_counts"]

DIGEST_SENT = "coach.digest_sent"
DIGEST_EMPTY = "coach.digest_empty"  # the moment came, there was nothing to say


def week_counts(session: Session, client_ids: Sequence[int], since: datetime) -> tuple[int, int]:
    """(answered, missed): check-ins of these clients that closed since ``since`` (a missed
    one closes a day after it was sent: counted in the week it closed, never in none)."""
    if not client_ids:
        return 0, 0
    rows = session.execute(
        sql_select(col(Checkin.status), func.count())
        .where(
            col(Checkin.client_id).in_(client_ids),
            col(Checkin.finished_at) >= since,
            col(Checkin.status).in_((CheckinStatus.DONE, CheckinStatus.MISSED)),
        )
        .group_by(col(Checkin.status))
    )
    counts = {status: int(count) for status, count in rows}
    return counts.get(CheckinStatus.DONE, 0), counts.get(CheckinStatus.MISSED, 0)


def last_digests(session: Session) -> dict[int, datetime]:
    """Coach id -> when their latest digest went (or was found to have nothing to say)."""
    rows = session.execute(
        sql_select(col(AuditEvent.subject_id), func.max(col(AuditEvent.at)))
        .where(col(AuditEvent.action).in_((DIGEST_SENT, DIGEST_EMPTY)))
        .group_by(col(AuditEvent.subject_id))
    )
    return {int(coach_id): at for coach_id, at in rows if coach_id is not None}
