"""The outbox: messages that must arrive, stored with the change that caused them.

A delivery worker claims due rows (lowest priority number first) for its instance, sends them
and marks them sent. A row stays with the instance that claimed it while that instance's
heartbeat is fresh (``storage.instances``), however long a send takes (an alert waiting out
Telegram's 429s); a dead instance's rows are taken over within seconds. Only the holder can
mark a row, so a holder that was taken for dead cannot mark a row another instance now sends.
On PostgreSQL claiming skips rows another instance is claiming (``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import datetime
from enum import IntEnum
from typing import Any

from sqlalchemy import String, and_, cast, delete, func, insert
from sqlmodel import Session, col, or_, select, update

from storage import instances
from storage.models import Alert, Instance, OutboxMessage

__all__ = [
    "Priority",
    "claim_due",
    "enqueue",
    "header_of",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "pending_count",
    "purge_sent",
    "queued_in",
    "release",
    "withhold_unsent",
]


class Priority(IntEnum):
    ALERT = 0  # noodknop: before everything else
    RELAY = 10  # a person's message to another person
    NOTICE = 20  # bot notices to coaches (a client joined)
    CHECKIN = 50  # scheduled check-in questions


def enqueue(
    session: Session,
    *,
    now: datetime,
    chat_id: int,
    priority: Priority,
    language: str = "nl",
    text_key: str | None = None,
    lead_key: str | None = None,
    params: dict[str, Any] | None = None,
    buttons: list[Any] | None = None,
    keyboard: str | None = None,
    copy_from_chat_id: int | None = None,
    copy_message_id: int | None = None,
    alert_id: int | None = None,
    relay_id: int | None = None,
    client_id: int | None = None,
) -> int:
    """Queue one message; its row's id. ``client_id`` is the client it is about, whoever
    receives it (their coach's notice, their own message): an export or erasure finds the
    row by it.

    A plain insert, not an ORM object: most updates queue a row or two, which nothing in the
    same transaction reads again but ``queued_in``; an object would cost several times the
    statement (SQLModel's validation and the session's flush)."""
    row_id = (
        session.connection()
        .execute(
            _INSERT,
            {
                "created_at": now,
                "priority": int(priority),
                "chat_id": chat_id,
                "language": language,
                "text_key": text_key,
                "lead_key": lead_key,
                "params": params or {},
                "buttons": buttons or [],
                "keyboard": keyboard,
                "copy_from_chat_id": copy_from_chat_id,
                "copy_message_id": copy_message_id,
                "alert_id": alert_id,
                "relay_id": relay_id,
                "client_id": client_id,
                "next_attempt_at": now,
            },
        )
        .scalar_one()
    )
    session.info.setdefault(QUEUED, []).append((row_id, priority))
    return int(row_id)


_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_INSERT = insert(_OUTBOX).returning(_OUTBOX.c.id)

#: ``Session.info`` key: the ids and priorities of the rows this transaction queued, in order
#: (``queued_in``).
QUEUED = "outbox.queued"


def queued_in(session: Session, priority: Priority) -> list[OutboxMessage]:
    """The rows of ``priority`` this session queued so far (``enqueue``), in their order, that
    are still to be sent: not rolled back with a savepoint, not failed or sent already."""
    ids = [row_id for row_id, of in session.info.get(QUEUED, ()) if of == priority]
    if not ids:
        return []
    statement = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(ids),
            # On SQLite a row rolled back with a savepoint leaves its id to the next insert,
            # which may be of another priority.
            col(OutboxMessage.priority) == int(priority),
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed_at).is_(None),
        )
        .order_by(col(OutboxMessage.id))
    )
    return list(session.exec(statement))


def claim_due(
    session: Session,
    *,
    now: datetime,
    limit: int,
    owner: str,
    left_behind: AbstractSet[int] = frozenset(),
) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for instance ``owner`` to send, in priority order: rows
    nobody holds, rows whose holder is dead (its heartbeat is stale; see
    ``storage.instances``), and those of ``owner``'s own rows that it says it ``left_behind``
    (a pass that broke off, a hand-back that failed: held, and sent by nobody). A live holder
    keeps every other row however long its send takes.

    One statement (``UPDATE ... RETURNING``): on SQLite it holds the write lock from choosing
    to marking; on PostgreSQL rows another transaction is claiming are skipped. The caller
    commits to make the claim hold."""
    live_holder = (
        select(Instance.id)
        .where(
            col(Instance.id) == col(OutboxMessage.claimed_by),
            col(Instance.heartbeat_at) >= instances.live_since(session),
        )
        .exists()
    )
    due = (
        select(OutboxMessage.id)
        .where(
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed_at).is_(None),
            col(OutboxMessage.next_attempt_at) <= now,
            or_(
                col(OutboxMessage.claimed_by).is_(None),
                ~live_holder,
                and_(
                    col(OutboxMessage.claimed_by) == owner,
                    col(OutboxMessage.id).in_(left_behind),
                ),
            ),
        )
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True, of=OutboxMessage)
    claimed = session.scalars(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(due.scalar_subquery()))
        .values(claimed_by=owner)
        .returning(OutboxMessage),
        execution_options={"synchronize_session": False},
    )
    return sorted(claimed, key=lambda row: (row.priority, row.id or 0))


def _held(row_id: int, owner: str) -> Any:
    """The row, if ``owner`` still holds it: what a dead-presumed holder marks changes nothing."""
    return update(OutboxMessage).where(
        col(OutboxMessage.id) == row_id, col(OutboxMessage.claimed_by) == owner
    )


def _changed(session: Session, statement: Any) -> bool:
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def release(session: Session, row_ids: list[int], *, owner: str) -> None:
    """Give claimed rows back unsent (an alert came in and goes first)."""
    if row_ids:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(row_ids), col(OutboxMessage.claimed_by) == owner)
            .values(claimed_by=None)
        )


# Parameters a row holds only until it is done (sent or failed for good): a coach's own words
# shown under a relay header, so header and words arrive as one message (``bot.relays``).
TRANSIENT_PARAMS = frozenset({"words"})


def _drop_transient(session: Session, row_id: int) -> None:
    row = session.get(OutboxMessage, row_id)
    if row is not None and TRANSIENT_PARAMS & set(row.params or {}):
        row.params = {k: v for k, v in row.params.items() if k not in TRANSIENT_PARAMS}
        session.add(row)


def mark_sent(
    session: Session, row_id: int, *, owner: str, now: datetime, telegram_message_id: int
) -> bool:
    """Record a sent row; False when ``owner`` no longer held it (it counted as dead)."""
    changed = _changed(
        session,
        _held(row_id, owner).values(
            sent_at=now, telegram_message_id=telegram_message_id, claimed_by=None
        ),
    )
    if changed:
        _drop_transient(session, row_id)
    return changed


def mark_retry(
    session: Session, row_id: int, *, owner: str, retry_at: datetime, error: str
) -> bool:
    return _changed(
        session,
        _held(row_id, owner).values(
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=retry_at,
            claimed_by=None,
            error=error[:60],
        ),
    )


def mark_failed(session: Session, row_id: int, *, owner: str, now: datetime, error: str) -> bool:
    changed = _changed(
        session, _held(row_id, owner).values(failed_at=now, claimed_by=None, error=error[:60])
    )
    if changed:
        _drop_transient(session, row_id)
    return changed


def withhold_unsent(
    session: Session,
    *,
    alert_id: int,
    param: str,
    keep_chat_ids: set[int],
    now: datetime,
    reason: str,
) -> int:
    """An alert's rows not sent yet (and not held by a worker) that carry ``param``, to chats
    not in ``keep_chat_ids``: marked failed with ``reason``, never sent. How many."""
    statement = select(OutboxMessage).where(
        OutboxMessage.alert_id == alert_id,
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.failed_at).is_(None),
        col(OutboxMessage.claimed_by).is_(None),
    )
    withheld = 0
    for row in session.exec(statement):
        if param in (row.params or {}) and row.chat_id not in keep_chat_ids:
            row.failed_at, row.error = now, reason[:60]
            row.params = {k: v for k, v in row.params.items() if k not in TRANSIENT_PARAMS}
            session.add(row)
            withheld += 1
    return withheld


def waiting_before(session: Session, row: OutboxMessage, text_key: str) -> bool:
    """Whether a row with ``text_key`` for the same chat and alert, queued before ``row``, is
    neither sent nor failed yet (``row`` is written to go under it)."""
    statement = select(OutboxMessage.id).where(
        OutboxMessage.chat_id == row.chat_id,
        OutboxMessage.alert_id == row.alert_id,
        OutboxMessage.text_key == text_key,
        col(OutboxMessage.id) < (row.id or 0),
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.failed_at).is_(None),
    )
    return session.exec(statement.limit(1)).first() is not None


def header_of(session: Session, row: OutboxMessage) -> OutboxMessage | None:
    """The header line written with a relayed copy (same relay, same chat), if any."""
    if row.relay_id is None:
        return None
    statement = select(OutboxMessage).where(
        OutboxMessage.relay_id == row.relay_id,
        OutboxMessage.chat_id == row.chat_id,
        col(OutboxMessage.text_key).is_not(None),
        col(OutboxMessage.copy_message_id).is_(None),  # a copy with a caption is no header
    )
    return session.exec(statement).first()


def pending_count(session: Session) -> int:
    statement = select(func.count()).where(
        col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed_at).is_(None)
    )
    return int(session.exec(statement).one())


def purge_sent(session: Session, *, before: datetime, limit: int = 1000) -> tuple[int, int]:
    """Forget up to ``limit`` rows that were done with before ``before``: their parameters hold
    names. Done is sent, or failed for good, once the alert it belonged to, if any, is closed:
    an open alert still asks which of its messages could not arrive, and whom it told that the
    client cannot get messages (``bot.reachability``).

    A relayed message's sent rows stay, emptied of parameters and buttons: a coach's reply names
    the message it answers, and they are how it finds its way back to the client. Returns
    (rows deleted, relay rows emptied); call again while either equals ``limit``.
    """
    open_alert = select(Alert.id).where(
        col(Alert.id) == col(OutboxMessage.alert_id), col(Alert.closed_at).is_(None)
    )
    sent = col(OutboxMessage.sent_at) < before
    failed = and_(col(OutboxMessage.failed_at) < before, ~open_alert.exists())
    doomed = select(OutboxMessage.id).where(
        or_(and_(sent, col(OutboxMessage.relay_id).is_(None), ~open_alert.exists()), failed)
    )
    ids = list(session.exec(doomed.order_by(col(OutboxMessage.id)).limit(limit)))
    if ids:
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.id).in_(ids)))
    kept = select(OutboxMessage.id).where(
        sent,
        col(OutboxMessage.relay_id).is_not(None),
        or_(
            cast(OutboxMessage.params, String) != "{}",
            cast(OutboxMessage.buttons, String) != "[]",
        ),
    )
    kept_ids = list(session.exec(kept.order_by(col(OutboxMessage.id)).limit(limit)))
    if kept_ids:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(kept_ids))
            .values(params={}, buttons=[])
        )
    return len(ids), len(kept_ids)
