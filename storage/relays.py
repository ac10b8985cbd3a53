"""Repositories for relayed messages: who sent what kind to whom and when, never the content.

A coach's reply is routed by the Telegram message id it answers: the outbox rows that carried
a relay (its header line and its copy) remember the id Telegram gave them in the coach's chat.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.models import OutboxMessage, Relay

__all__ = ["add_relay", "get_relay", "mark_failed", "mark_seen", "relay_for_message"]


def add_relay(
    session: Session,
    *,
    client_id: int,
    coach_id: int,
    direction: str,
    kind: str | None,
    from_chat_id: int,
    source_message_id: int,
    answers_relay_id: int | None,
    now: datetime,
) -> int | None:
    """Store a relay; its id, or None when this message was relayed this way before (a
    double tap: the unique constraint says so, in the same statement). A plain insert: an
    ORM object would cost several times the statement on every message a person sends."""
    values = {
        "client_id": client_id,
        "coach_id": coach_id,
        "direction": direction,
        "kind": kind,
        "from_chat_id": from_chat_id,
        "source_message_id": source_message_id,
        "answers_relay_id": answers_relay_id,
        "created_at": now,
    }
    postgresql = session.get_bind().dialect.name == "postgresql"
    statement = _INSERT_NEW_POSTGRESQL if postgresql else _INSERT_NEW_SQLITE
    row_id = session.connection().execute(statement, values).scalar_one_or_none()
    return None if row_id is None else int(row_id)


_RELAYS = Relay.__table__  # type: ignore[attr-defined]
_INSERT_NEW_SQLITE = sqlite_insert(_RELAYS).on_conflict_do_nothing().returning(_RELAYS.c.id)
_INSERT_NEW_POSTGRESQL = postgresql_insert(_RELAYS).on_conflict_do_nothing().returning(_RELAYS.c.id)


def get_relay(session: Session, relay_id: int) -> Relay | None:
    return session.get(Relay, relay_id)


def relay_for_message(session: Session, chat_id: int, telegram_message_id: int) -> Relay | None:
    """The relay whose header or copy is message ``telegram_message_id`` in ``chat_id``."""
    statement = select(Relay).join(OutboxMessage, col(OutboxMessage.relay_id) == col(Relay.id))
    statement = statement.where(
        OutboxMessage.chat_id == chat_id,
        OutboxMessage.telegram_message_id == telegram_message_id,
    )
    return session.exec(statement).first()


def mark_seen(session: Session, relay_id: int, now: datetime) -> None:
    relay = session.get(Relay, relay_id)
    if relay is not None and relay.seen_at is None:
        relay.seen_at = now
        session.add(relay)


def mark_failed(session: Session, relay_id: int, now: datetime) -> bool:
    """Record that a relay could not be delivered; True the first time (tell the sender once)."""
    relay = session.get(Relay, relay_id)
    if relay is None or relay.failed_at is not None:
        return False
    relay.failed_at = now
    session.add(relay)
    return True
