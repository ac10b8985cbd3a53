"""Retention: what is kept about clients is deleted once it is older than the setting for it.

Each kind has its own setting (defaults and reasons in the README's processing
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
* **ended clients**: a client whose support ended before the cut-off is erased whole
  (``erase_ended``, through ``storage.data_rights.erase``). Never one who came back (active
  again, or any phase begun since), one with an alert still open, or one who pressed the
  noodknop since the cut-off: the window counts from the later of the two.

Each function works in batches of ``limit`` inside the caller's transaction and returns how
many it handled; call again while that equals ``limit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, or_, update
from sqlmodel import Session, col, select

from storage import data_rights, people
from storage.models import (
    Alert,
    AlertEvent,
    AlertRecipient,
    AuditEvent,
    Checkin,
    CheckinSignal,
    CheckinStatus,
    Client,
    ClientStatus,
    ContactLog,
    OutboxMessage,
    Relay,
    SupportPhase,
    SupportPhaseName,
)

__all__ = [
    "RetentionCutoffs",
    "delete_old_checkins",
    "delete_old_contacts",
    "delete_old_relays",
    "ended_before",
    "erase_ended",
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


ACCOUNT_RELEASED = "client.account_released"  # their account joined again as a new client


def _ended_before(before: datetime) -> ColumnElement[bool]:
    """The client's support ended before ``before`` and nothing since keeps them: no phase
    begun since (a return), no alert still open, no noodknop pressed since, and their Telegram
    account did not join again through a new link (they came back as a new client row, which
    does not point to this one yet: their history is kept until erased by hand)."""
    ended_then = (
        select(SupportPhase.id)
        .where(
            col(SupportPhase.client_id) == col(Client.id),
            col(SupportPhase.phase) == SupportPhaseName.ENDED,
            col(SupportPhase.ended_at).is_(None),
            col(SupportPhase.started_at) < before,
        )
        .exists()
    )
    begun_since = (
        select(SupportPhase.id)
        .where(
            col(SupportPhase.client_id) == col(Client.id),
            col(SupportPhase.started_at) >= before,
        )
        .exists()
    )
    alert_keeps = (
        select(Alert.id)
        .where(
            col(Alert.client_id) == col(Client.id),
            or_(col(Alert.closed_at).is_(None), col(Alert.pressed_at) >= before),
        )
        .exists()
    )
    came_back = (
        select(AuditEvent.id)
        .where(
            col(AuditEvent.action) == ACCOUNT_RELEASED,
            col(AuditEvent.subject_type) == "client",
            col(AuditEvent.subject_id) == col(Client.id),
        )
        .exists()
    )
    return and_(
        col(Client.status) == ClientStatus.ENDED,
        ended_then,
        ~begun_since,
        ~alert_keeps,
        ~came_back,
    )


def ended_before(session: Session, *, before: datetime, limit: int = 100) -> list[int]:
    """Up to ``limit`` clients whose support ended before ``before`` (see ``erase_ended``),
    oldest first."""
    statement = select(Client.id).where(_ended_before(before)).order_by(col(Client.id)).limit(limit)
    return [client_id for client_id in session.exec(statement) if client_id is not None]


def erase_ended(session: Session, client_id: int, *, before: datetime, now: datetime) -> str | None:
    """Erase the client (``storage.data_rights.erase``, audit ``client.erased`` by
    ``system``, naming nobody) if their support still ended before ``before``, read again under
    the client's lock: a coach who reopened it a moment ago, or a noodknop press, keeps them.
    Returns the erased client's name (for their read-aloud clips; never log it), else None."""
    client = people.lock_client(session, client_id)
    if client is None:
        return None
    still = select(Client.id).where(col(Client.id) == client_id, _ended_before(before))
    if session.exec(still).first() is None:
        return None
    name = client.name
    data_rights.erase(session, client_id, now=now, actor="system")
    return name
