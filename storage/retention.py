"""Retention: what is kept about clients is deleted once it is older than the setting for it.

Three kinds, each with its own setting (defaults and reasons in the README's processing
register); the sent outbox rows have theirs in ``storage.outbox.purge_sent``:

* **check-ins**: a finished check-in (answered, missed, closed) and the signals it raised,
  counted from when it was sent. An open check-in is never deleted.
* **relay metadata**: who sent whom a message when (the content stays with Telegram), counted
  from when it was relayed, with the outbox rows that routed replies to it. A coach's reply to
  a message this old is answered as a reply to an unknown message.
* **alert details**: who was asked, the timeline and the reason of an alert closed before the
  cut-off. The alert itself stays (when pressed, first delivered, acknowledged, closed, how):
  the organisation's response-time reports need it; it goes when the client is erased.
* **logged contacts**: a call, visit or talk a coach logged on a client's card, with its note.

Each function works in batches of ``limit`` inside the caller's transaction and returns how
many it handled; call again while that equals ``limit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from storage.models import (
    Alert,
    AlertEvent,
    AlertRecipient,
    Checkin,
    CheckinSignal,
    CheckinStatus,
    ContactLog,
    OutboxMessage,
    Relay,
)

__all__ = [
    "RetentionCutoffs",
    "delete_old_checkins",
    "delete_old_contacts",
    "delete_old_relays",
    "strip_old_alert_details",
]


@dataclass(frozen=True)
class RetentionCutoffs:
    """Everything of a kind from before its moment goes."""

    checkins: datetime
    relays: datetime
    alert_details: datetime
    contacts: datetime


def delete_old_checkins(session: Session, *, before: datetime, limit: int = 1000) -> int:
    """Delete up to ``limit`` finished check-ins sent before ``before``, with their signals."""
    ids = list(
        session.exec(
            select(Checkin.id)
            .where(col(Checkin.sent_at) < before, col(Checkin.status) != CheckinStatus.OPEN)
            .order_by(col(Checkin.id))
            .limit(limit)
        )
    )
    if ids:
        session.execute(delete(CheckinSignal).where(col(CheckinSignal.checkin_id).in_(ids)))
        session.execute(delete(Checkin).where(col(Checkin.id).in_(ids)))
    return len(ids)


def delete_old_relays(session: Session, *, before: datetime, limit: int = 1000) -> int:
    """Delete up to ``limit`` relays made before ``before`` and the done outbox rows naming
    them. A relay with a row still to send waits for it (it cannot be that old in practice)."""
    pending = select(OutboxMessage.id).where(
        col(OutboxMessage.relay_id) == col(Relay.id),
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.failed_at).is_(None),
    )
    ids = list(
        session.exec(
            select(Relay.id)
            .where(col(Relay.created_at) < before, ~pending.exists())
            .order_by(col(Relay.id))
            .limit(limit)
        )
    )
    if ids:
        session.execute(
            update(Relay).where(col(Relay.answers_relay_id).in_(ids)).values(answers_relay_id=None)
        )
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.relay_id).in_(ids)))
        session.execute(delete(Relay).where(col(Relay.id).in_(ids)))
    return len(ids)


def strip_old_alert_details(session: Session, *, before: datetime, limit: int = 1000) -> int:
    """Remove the details of up to ``limit`` alerts closed before ``before``: who was asked,
    the timeline, the reason and the done outbox rows. The alert's own times stay."""
    has_details = or_(
        col(Alert.reason).is_not(None),
        select(AlertRecipient.id).where(col(AlertRecipient.alert_id) == col(Alert.id)).exists(),
        select(AlertEvent.id).where(col(AlertEvent.alert_id) == col(Alert.id)).exists(),
        select(OutboxMessage.id).where(col(OutboxMessage.alert_id) == col(Alert.id)).exists(),
    )
    ids = list(
        session.exec(
            select(Alert.id)
            .where(col(Alert.closed_at) < before, has_details)
            .order_by(col(Alert.id))
            .limit(limit)
        )
    )
    if ids:
        session.execute(delete(AlertRecipient).where(col(AlertRecipient.alert_id).in_(ids)))
        session.execute(delete(AlertEvent).where(col(AlertEvent.alert_id).in_(ids)))
        # A row of a closed alert still waiting to go is no longer worth sending.
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.alert_id).in_(ids)))
        session.execute(update(Alert).where(col(Alert.id).in_(ids)).values(reason=None))
    return len(ids)


def delete_old_contacts(session: Session, *, before: datetime, limit: int = 1000) -> int:
    """Delete up to ``limit`` contacts a coach logged before ``before``, with their notes."""
    ids = list(
        session.exec(
            select(ContactLog.id)
            .where(col(ContactLog.at) < before)
            .order_by(col(ContactLog.id))
            .limit(limit)
        )
    )
    if ids:
        session.execute(delete(ContactLog).where(col(ContactLog.id).in_(ids)))
    return len(ids)
