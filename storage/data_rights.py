"""A client's rights under the GDPR (AVG): everything stored about them, and erasing it.

``collect`` gathers every row about one client (the right of access), ``erase`` removes them
(the right to erasure) inside the caller's one transaction, and ``audit_trail`` lists the
audit events about them. A row is about the client when it is:

* in a table with a foreign key to the client, or to a row that is about them (their alerts
  with recipients and events, relays, check-ins with signals, logged contacts, schedule,
  phases, coach history, invites). ``REFERRING`` names the tables handled here;
  ``unhandled_tables`` finds a table that refers to the client without being handled, and
  ``collect`` and ``erase`` refuse to run then: an export or erasure must never be silently
  incomplete;
* an outbox row about them (``client_id``: a notice to their coach such as "Sam gaf een 3",
  a message to them), sent to their chat, copied from it, or carrying one of their alerts or
  relays. A row without a client (queued before revision 0011, or about several clients: the
  weekly digest) that goes to one of their coaches is recognised by a parameter that is the
  client's name, which is only certain while no other client of those coaches has the same
  name (see ``_notices``: an uncertain one is left out of an export, and erased once it is
  sent). A row about another client is never theirs, whatever names it holds;
* an audit event about the client, their alerts or relays, or done by them.

An erasure also lets go of the client's Telegram id where another row holds it (an invite of
someone else this account opened) and of a coach's pending "message for this client" or
"note for this client's contact".

Erasing keeps the audit events about the person with their identifiers removed (subject id
nulled, ``client:<id>`` as actor becomes ``client``): the organisation keeps its account of who
did what and when (a coach exported, closed an alert), without a link to a person. Nulling
rather than keeping the id matters on SQLite too, which hands a deleted highest id to the next
new row: a kept ``subject_id`` would one day point at somebody else.

Longer than our ~400 lines on purpose: access and erasure walk the same list of tables with the
same conditions, so one file keeps an export and an erasure from ever disagreeing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, MetaData, and_, delete, false, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from storage import audit, invites, people
from storage.models import (
    Alert,
    AlertEvent,
    AlertRecipient,
    AuditEvent,
    Checkin,
    CheckinSchedule,
    CheckinSignal,
    Client,
    Coach,
    CoachAssignment,
    ContactLog,
    Invite,
    OutboxMessage,
    Relay,
    ScheduleChange,
    SupportPhase,
)

__all__ = [
    "ERASED_ACTION",
    "REFERRING",
    "ClientRecords",
    "Erasure",
    "audit_trail",
    "collect",
    "erase",
    "referring_tables",
    "unhandled_tables",
]

ERASED_ACTION = "client.erased"

# Every table about a client, children before parents: the order ``erase`` deletes in.
REFERRING: tuple[type[SQLModel], ...] = (
    OutboxMessage,
    AuditEvent,
    AlertEvent,
    AlertRecipient,
    Alert,
    CheckinSignal,
    Checkin,
    Relay,
    ContactLog,
    CheckinSchedule,
    ScheduleChange,
    SupportPhase,
    CoachAssignment,
    Invite,
    Client,
)


def _name(model: type[SQLModel]) -> str:
    return str(model.__tablename__)


@dataclass(frozen=True)
class ClientRecords:
    """Every stored row about one client: per table, each row as its column values."""

    client_id: int
    tables: dict[str, list[dict[str, Any]]]
    # Notices without a client (queued before ``client_id``, or the weekly digest) to a coach
    # naming this client while another client of that coach has the same name, or naming them
    # among others: they may be about someone else, so they are left out.
    notices_left_out: int = 0
    # The names of the coaches in their coach history, by id: the client's summary says who
    # their coach was, and when (the rows above hold only the ids).
    coach_names: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Erasure:
    """What ``erase`` did, in counts only."""

    deleted: dict[str, int]
    audit_events_anonymised: int
    # Notices without a client, still to be sent, that name the client while another client
    # of the same coach has that name: kept, as they may be the other one's (the daily purge
    # deletes them ``WAAKVLAM_OUTBOX_KEEP_DAYS`` after they are sent).
    notices_kept: int = 0
    other_rows_cleared: dict[str, int] = field(default_factory=dict)
    voice_clips_deleted: int = 0  # read-aloud clips that said their name (bot.client_records)


def referring_tables(metadata: MetaData, root: str = "client") -> set[str]:
    """The tables with a foreign key to ``root``, or to such a table, and so on (``root``
    included)."""
    found = {root}
    grown = True
    while grown:
        grown = False
        for table in metadata.tables.values():
            if table.name not in found and any(
                key.column.table.name in found for key in table.foreign_keys
            ):
                found.add(table.name)
                grown = True
    return found


def unhandled_tables(metadata: MetaData = SQLModel.metadata) -> set[str]:
    """Tables that refer to a client but that this module does not export or erase."""
    return referring_tables(metadata) - {_name(model) for model in REFERRING}


def _require_complete() -> None:
    missing = unhandled_tables()
    if missing:
        raise RuntimeError(f"tables refer to a client but are not handled: {sorted(missing)}")


# -- which rows are about the client -----------------------------------------------------------


def _mentions(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass(frozen=True)
class _Notices:
    """Outbox notices without a client (no client, alert or relay id: rows from before
    ``client_id``, the weekly digest) to the client's coaches that name the client."""

    certain: list[int]  # a parameter is the name, and no other client of theirs has it
    uncertain_done: list[int]  # sent or failed: may name a namesake, or name the client in a list
    uncertain_pending: list[int]  # still to be sent, and may be another client's


def _coach_chats(session: Session, client: Client) -> set[int]:
    """The chats of every coach the client ever had, and of whoever was told of their alerts."""
    coach_ids = set(
        session.exec(select(CoachAssignment.coach_id).where(CoachAssignment.client_id == client.id))
    ) | {client.coach_id}
    chats: set[int | None] = set(
        session.exec(select(Coach.telegram_user_id).where(col(Coach.id).in_(coach_ids)))
    )
    told = select(AlertRecipient.chat_id).join(Alert, col(Alert.id) == AlertRecipient.alert_id)
    told_chats: set[int] = set(session.exec(told.where(Alert.client_id == client.id)))
    return {chat for chat in chats if chat is not None} | told_chats


def _has_namesake(session: Session, client: Client, chats: set[int]) -> bool:
    """Another client with the same name who shares a coach (by chat) with this one."""
    their_coaches = select(Coach.id).where(col(Coach.telegram_user_id).in_(chats))
    shared = select(CoachAssignment.client_id).where(
        col(CoachAssignment.coach_id).in_(their_coaches)
    )
    statement = select(Client.id).where(
        col(Client.name) == client.name,
        col(Client.id) != client.id,
        or_(col(Client.coach_id).in_(their_coaches), col(Client.id).in_(shared)),
    )
    return session.exec(statement).first() is not None


def _notices(session: Session, client: Client) -> _Notices:
    chats = _coach_chats(session, client)
    if not chats:
        return _Notices([], [], [])
    namesake = _has_namesake(session, client, chats)
    mentions = _mentions(client.name)
    rows = session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.chat_id).in_(chats),
            col(OutboxMessage.client_id).is_(None),
            col(OutboxMessage.alert_id).is_(None),
            col(OutboxMessage.relay_id).is_(None),
        )
    )
    certain: list[int] = []
    done: list[int] = []
    pending: list[int] = []
    for row in rows:
        assert row.id is not None
        values = list(_strings(row.params))
        if not namesake and client.name in values:
            certain.append(row.id)
        elif any(mentions.search(value) for value in values):
            finished = row.sent_at is not None or row.failed_at is not None
            (done if finished else pending).append(row.id)
    return _Notices(certain, done, pending)


def _conditions(
    client_id: int, chat: int | None, notice_ids: list[int]
) -> dict[type[SQLModel], ColumnElement[bool]]:
    """For every table in ``REFERRING``: which of its rows are about client ``client_id``,
    whose Telegram chat is ``chat``."""
    own_chat: ColumnElement[bool] = false()
    if chat is not None:
        own_chat = or_(
            col(OutboxMessage.chat_id) == chat, col(OutboxMessage.copy_from_chat_id) == chat
        )
    their_alerts = select(Alert.id).where(col(Alert.client_id) == client_id)
    their_relays = select(Relay.id).where(col(Relay.client_id) == client_id)
    their_checkins = select(Checkin.id).where(Checkin.client_id == client_id)
    return {
        OutboxMessage: or_(
            col(OutboxMessage.client_id) == client_id,
            own_chat,
            col(OutboxMessage.alert_id).in_(their_alerts),
            col(OutboxMessage.relay_id).in_(their_relays),
            col(OutboxMessage.id).in_(notice_ids),
        ),
        AuditEvent: or_(
            and_(col(AuditEvent.subject_type) == "client", col(AuditEvent.subject_id) == client_id),
            and_(
                col(AuditEvent.subject_type) == "alert",
                col(AuditEvent.subject_id).in_(their_alerts),
            ),
            and_(
                col(AuditEvent.subject_type) == "relay",
                col(AuditEvent.subject_id).in_(their_relays),
            ),
            col(AuditEvent.actor) == f"client:{client_id}",
        ),
        AlertEvent: col(AlertEvent.alert_id).in_(their_alerts),
        AlertRecipient: col(AlertRecipient.alert_id).in_(their_alerts),
        Alert: col(Alert.client_id) == client_id,
        CheckinSignal: or_(
            col(CheckinSignal.client_id) == client_id,
            col(CheckinSignal.checkin_id).in_(their_checkins),
        ),
        Checkin: col(Checkin.client_id) == client_id,
        Relay: col(Relay.client_id) == client_id,
        ContactLog: col(ContactLog.client_id) == client_id,
        CheckinSchedule: col(CheckinSchedule.client_id) == client_id,
        ScheduleChange: col(ScheduleChange.client_id) == client_id,
        SupportPhase: col(SupportPhase.client_id) == client_id,
        CoachAssignment: col(CoachAssignment.client_id) == client_id,
        Invite: col(Invite.client_id) == client_id,
        Client: col(Client.id) == client_id,
    }


# -- access ------------------------------------------------------------------------------------


def collect(session: Session, client_id: int) -> ClientRecords | None:
    """Every stored row about the client, table by table (rows in id order); None when there
    is no such client."""
    _require_complete()
    client = people.get_client(session, client_id)
    if client is None:
        return None
    notices = _notices(session, client)
    conditions = _conditions(client_id, client.telegram_user_id, notices.certain)
    tables: dict[str, list[dict[str, Any]]] = {}
    for model in reversed(REFERRING):  # the client first, then what hangs on it
        table = SQLModel.metadata.tables[_name(model)]
        statement = sa_select(table).where(conditions[model]).order_by(*table.primary_key.columns)
        tables[table.name] = [dict(row) for row in session.execute(statement).mappings()]
    left_out = len(notices.uncertain_done) + len(notices.uncertain_pending)
    their_coaches = {row["coach_id"] for row in tables[_name(CoachAssignment)]}
    names = {
        coach_id: coach.name
        for coach_id in sorted(their_coaches)
        if (coach := people.get_coach(session, coach_id)) is not None
    }
    return ClientRecords(
        client_id=client_id, tables=tables, notices_left_out=left_out, coach_names=names
    )


def audit_trail(session: Session, client_id: int) -> list[AuditEvent]:
    """The audit events about the client, their alerts and relays, or done by them, oldest
    first. After an erasure there are none: they are kept without the identifiers."""
    client = people.get_client(session, client_id)
    chat = client.telegram_user_id if client is not None else None
    statement = select(AuditEvent).where(_conditions(client_id, chat, [])[AuditEvent])
    return list(session.exec(statement.order_by(col(AuditEvent.at), col(AuditEvent.id))))


# -- erasure -----------------------------------------------------------------------------------


def _count(session: Session, statement: Any) -> int:
    """Run an UPDATE or DELETE; how many rows it touched. Objects loaded in the session are
    not brought up to date (nothing here reads them again)."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(result.rowcount)  # type: ignore[attr-defined]


def _let_go_of_deleted(session: Session) -> None:
    """Objects this session loaded of rows that were just deleted leave it. The caller's
    transaction may go on (a declined client erased as their account opens a new link, and the
    coach's notice queued after it): SQLite hands a deleted highest id to the next new row,
    which must not meet a stale object holding that id."""
    loaded: dict[type[SQLModel], list[Any]] = {}
    for instance in list(session.identity_map.values()):
        if isinstance(instance, SQLModel) and type(instance) in REFERRING:
            loaded.setdefault(type(instance), []).append(instance)
    for model, instances in loaded.items():
        key = SQLModel.metadata.tables[_name(model)].c.id
        ids = [instance.id for instance in instances]
        left = set(session.execute(sa_select(key).where(key.in_(ids))).scalars())
        for instance in instances:
            if instance.id not in left:
                session.expunge(instance)


def erase(session: Session, client_id: int, *, now: datetime, actor: str) -> Erasure | None:
    """Remove the client and every row about them; keep the audit events about them without
    identifiers, and record the erasure itself (action ``client.erased``, no subject). All in
    the caller's transaction: commit it, and nothing or everything is gone. None when there is
    no such client. Afterwards the client's Telegram account is a stranger to the bot."""
    _require_complete()
    # Write before reading: the client's row stays locked until the end (a press of theirs on
    # another instance waits, then finds a stranger), and SQLite takes its write lock now, so
    # no other connection's commit can come between what is read here and the deletes.
    touched = update(Client).where(col(Client.id) == client_id).values(updated_at=now)
    if not _count(session, touched):
        return None
    client = people.get_client(session, client_id)
    assert client is not None
    notices = _notices(session, client)
    chat = client.telegram_user_id
    conditions = _conditions(client_id, chat, notices.certain + notices.uncertain_done)
    cleared: dict[str, int] = {}

    # Rows of others that point at the client's rows lose the pointer, not their row.
    their_relays = select(Relay.id).where(conditions[Relay])
    cleared["relay.answers_relay_id"] = _count(
        session,
        update(Relay)
        .where(col(Relay.answers_relay_id).in_(their_relays), ~conditions[Relay])
        .values(answers_relay_id=None),
    )
    # Everyone's, so a self-reference inside the client's relays holds no delete up.
    _count(
        session,
        update(Relay)
        .where(col(Relay.answers_relay_id).in_(their_relays))
        .values(answers_relay_id=None),
    )
    if chat is not None:  # another client's link this account opened holds their Telegram id
        cleared["invite.claimed_by_telegram_user_id"] = invites.forget_account_on_links(
            session, chat, client_id=client_id, of_others=True
        )
    cleared["coach.awaiting"] = _count(
        session,
        update(Coach)
        .where(col(Coach.awaiting).in_((f"message:{client_id}", f"message:{client_id}:told")))
        .values(awaiting=None),
    )
    # A coach asked for a note on one of the client's logged contacts: the question goes too.
    notes = [
        f"note:{contact_id}"
        for contact_id in session.exec(select(ContactLog.id).where(conditions[ContactLog]))
    ]
    if notes:
        cleared["coach.awaiting"] += _count(
            session, update(Coach).where(col(Coach.awaiting).in_(notes)).values(awaiting=None)
        )
    anonymised = _count(
        session,
        update(AuditEvent).where(conditions[AuditEvent]).values(subject_id=None),
    )
    _count(
        session,
        update(AuditEvent)
        .where(col(AuditEvent.actor) == f"client:{client_id}")
        .values(actor="client"),
    )

    deleted: dict[str, int] = {}
    for model in REFERRING:
        if model is AuditEvent:
            continue
        deleted[_name(model)] = _count(session, delete(model).where(conditions[model]))
    _let_go_of_deleted(session)
    audit.record(session, at=now, actor=actor, action=ERASED_ACTION)
    session.flush()
    return Erasure(
        deleted=deleted,
        audit_events_anonymised=anonymised,
        notices_kept=len(notices.uncertain_pending),
        other_rows_cleared={name: n for name, n in cleared.items() if n},
    )
