"""What an organisation does about clients from the server: list them, move one to another coach.

Moving keeps the client's history (check-ins, messages, alerts stay theirs; the coach history
gains a row) and takes access from the old coach at once: every lookup of "this coach's
clients" goes by ``Client.coach_id``. The client gets one calm message naming the new coach,
both coaches a notice. A client with an open noodknop alert is not moved: the alert's people
are asked now, and a move would change who may act on it halfway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from bot.state import client_contact, coach_contact
from storage import alerts, audit, outbox, people
from storage.database import Database
from storage.models import (
    Client,
    ClientStatus,
    Coach,
    CoachAssignment,
    CoachStatus,
    Invite,
    SupportPhase,
)
from storage.outbox import Priority

__all__ = [
    "ClientRow",
    "MoveRefused",
    "clients_in_care",
    "list_clients",
    "move_all_clients",
    "move_client",
]

# Clients a coach is responsible for: everyone not declined or ended.
_IN_CARE = (
    ClientStatus.INVITED,
    ClientStatus.CONSENT_PENDING,
    ClientStatus.VOICE_PENDING,
    ClientStatus.ACTIVE,
)


class MoveRefused(StrEnum):
    """Why a move did not happen (the CLI says it; nothing changed)."""

    NO_CLIENT = "no such client"
    NO_COACH = "no such coach"
    COACH_NOT_ACTIVE = "the new coach has not joined or is no longer active"
    SAME_COACH = "the client already has this coach"
    NOT_IN_CARE = "the client declined or their support ended"
    OPEN_ALERT = "the client has an open noodknop alert: close it first"


@dataclass(frozen=True)
class ClientRow:
    id: int
    name: str
    coach_id: int
    status: str
    phase: str | None


def list_clients(database: Database, *, coach_id: int | None = None) -> list[ClientRow]:
    """Every client (or one coach's), by id, with their status and current phase."""
    with database.transaction() as session:
        statement = select(Client).order_by(col(Client.id))
        if coach_id is not None:
            statement = statement.where(col(Client.coach_id) == coach_id)
        phases = {
            phase.client_id: phase.phase
            for phase in session.exec(
                select(SupportPhase).where(col(SupportPhase.ended_at).is_(None))
            )
        }
        return [
            ClientRow(
                client.id or 0,
                client.name,
                client.coach_id,
                client.status,
                phases.get(client.id or 0),
            )
            for client in session.exec(statement)
        ]


def move_client(
    database: Database, *, client_id: int, to_coach_id: int, now: datetime
) -> MoveRefused | None:
    """Give the client another coach; None when done, else why not (nothing changed)."""
    with database.transaction() as session:
        return _move(session, client_id, to_coach_id, now)


def move_all_clients(
    database: Database, *, from_coach_id: int, to_coach_id: int, now: datetime
) -> tuple[list[int], dict[int, MoveRefused]]:
    """Move every client in care of one coach to another, all or nothing: returns (moved,
    refused by client id); when any is refused, none is moved."""
    with database.transaction() as session:
        ids = [c.id or 0 for c in _in_care_of(session, from_coach_id)]
        refused: dict[int, MoveRefused] = {}
        for client_id in ids:
            why = _move(session, client_id, to_coach_id, now)
            if why is not None:
                refused[client_id] = why
        if refused:
            session.rollback()
            return [], refused
        return ids, {}


def clients_in_care(database: Database, coach_id: int) -> int:
    with database.transaction() as session:
        return len(_in_care_of(session, coach_id))


def _in_care_of(session: Session, coach_id: int) -> list[Client]:
    statement = select(Client).where(
        col(Client.coach_id) == coach_id, col(Client.status).in_(_IN_CARE)
    )
    return list(session.exec(statement.order_by(col(Client.id))))


def _move(session: Session, client_id: int, to_coach_id: int, now: datetime) -> MoveRefused | None:
    client = people.lock_client(session, client_id)
    if client is None:
        return MoveRefused.NO_CLIENT
    new = people.get_coach(session, to_coach_id)
    if new is None:
        return MoveRefused.NO_COACH
    if new.status != CoachStatus.ACTIVE or new.telegram_user_id is None:
        return MoveRefused.COACH_NOT_ACTIVE
    if client.coach_id == to_coach_id:
        return MoveRefused.SAME_COACH
    if client.status not in _IN_CARE:
        return MoveRefused.NOT_IN_CARE
    if alerts.open_alert_of(session, client_id) is not None:
        return MoveRefused.OPEN_ALERT
    old = people.get_coach(session, client.coach_id)
    for assignment in session.exec(
        select(CoachAssignment).where(
            col(CoachAssignment.client_id) == client_id, col(CoachAssignment.ended_at).is_(None)
        )
    ):
        assignment.ended_at = now
        session.add(assignment)
    session.add(CoachAssignment(client_id=client_id, coach_id=to_coach_id, started_at=now))
    for invite in session.exec(
        select(Invite).where(
            col(Invite.client_id) == client_id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
        )
    ):
        invite.coach_id = to_coach_id  # the welcome names the coach who will be there
        session.add(invite)
    client.coach_id, client.updated_at = to_coach_id, now
    # A message the old coach promised is theirs to send no more (``bot.relays``).
    client.message_promised_by = None
    client.relay_asked = None  # asked about sending them to the old coach: each its own yes
    session.add(client)
    _tell(session, client, old, new, now)
    audit.record(
        session,
        at=now,
        actor="cli",
        action="client.moved",
        subject_type="client",
        subject_id=client_id,
    )
    return None


def _tell(session: Session, client: Client, old: Coach | None, new: Coach, now: datetime) -> None:
    """One calm message to the client (once they have joined); a notice to both coaches."""
    reach_client = client_contact(client) if client.status == ClientStatus.ACTIVE else None
    if reach_client is not None:
        outbox.enqueue(
            session,
            now=now,
            chat_id=reach_client.chat_id,
            language=reach_client.language,
            priority=Priority.NOTICE,
            text_key="move.client",
            params={"coach": new.name},
            client_id=client.id,
        )
    for coach, key, other in ((new, "move.coach_new", old), (old, "move.coach_old", new)):
        reach = coach_contact(coach)
        if reach is None:
            continue
        outbox.enqueue(
            session,
            now=now,
            chat_id=reach.chat_id,
            language=reach.language,
            priority=Priority.NOTICE,
            text_key=key,
            params={"client": client.name, "coach": other.name if other else "-"},
            client_id=client.id,
        )
