"""Loads what the dialogs need to know from the database: the acting person, an invite."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from dialogs.people import ClientStep, InviteView, Person, Role
from storage import people
from storage.invites import find_invite
from storage.models import Client, ClientStatus, Coach, CoachStatus, Invite

__all__ = ["Actor", "Contact", "client_contact", "coach_contact", "load_actor", "load_invite"]


@dataclass(frozen=True)
class Contact:
    """Where to reach a person, and in which language."""

    chat_id: int
    language: str


@dataclass(frozen=True)
class Actor:
    person: Person
    coach: Contact | None = None  # for a client: their coach
    # The rows this was read from, held while the actor is: the session's identity map keeps
    # rows only while something refers to them, and without this every later look at the
    # same client or coach in the update's transaction would read it again.
    rows: tuple[Coach | Client, ...] = field(default=(), compare=False, repr=False)


_STEPS = {
    ClientStatus.CONSENT_PENDING: ClientStep.CONSENT_PENDING,
    ClientStatus.VOICE_PENDING: ClientStep.VOICE_PENDING,
    ClientStatus.ACTIVE: ClientStep.ACTIVE,
    ClientStatus.ENDED: ClientStep.ENDED,
}


def load_actor(session: Session, telegram_user_id: int, stranger_language: str) -> Actor:
    """Who this Telegram user is to us: a coach, a client (their row locked until the
    transaction ends), or a stranger."""
    coach = people.coach_by_telegram_id(session, telegram_user_id)
    if coach is not None:
        person = Person(
            role=Role.COACH,
            telegram_user_id=telegram_user_id,
            language=coach.language,
            id=coach.id,
            name=coach.name,
            coach_active=coach.status == CoachStatus.ACTIVE,
            awaiting=coach.awaiting,
        )
        return Actor(person, rows=(coach,))
    found = people.client_by_telegram_id(session, telegram_user_id)
    # A client is read again under their row lock (on PostgreSQL): what another instance
    # committed while this one waited for the lock must count.
    client = people.lock_client(session, found.id) if found and found.id else None
    if client is None or client.status not in _STEPS or client.telegram_user_id != telegram_user_id:
        return Actor(Person.stranger(telegram_user_id, stranger_language))
    their_coach = people.get_coach(session, client.coach_id)
    assert their_coach is not None
    person = Person(
        role=Role.CLIENT,
        telegram_user_id=telegram_user_id,
        language=client.language,
        id=client.id,
        name=client.name,
        coach_name=their_coach.name,
        client_step=_STEPS[ClientStatus(client.status)],
        read_aloud=bool(client.read_aloud),
    )
    return Actor(person, coach_contact(their_coach), rows=(client, their_coach))


def client_contact(client: Client | None) -> Contact | None:
    """Where to reach a client who has a Telegram account linked; None otherwise."""
    if client is not None and client.telegram_user_id is not None:
        return Contact(client.telegram_user_id, client.language)
    return None


def coach_contact(coach: Coach | None) -> Contact | None:
    """Where to reach a coach who is active and has joined; None otherwise (a deactivated
    coach hears nothing more about their clients)."""
    if coach is not None and coach.telegram_user_id and coach.status == CoachStatus.ACTIVE:
        return Contact(coach.telegram_user_id, coach.language)
    return None


def load_invite(session: Session, token: str) -> InviteView | None:
    invite = find_invite(session, token)
    return None if invite is None else _view(session, invite)


def _view(session: Session, invite: Invite) -> InviteView:
    assert invite.id is not None
    coach = people.get_coach(session, invite.coach_id) if invite.coach_id else None
    client = people.get_client(session, invite.client_id) if invite.client_id else None
    return InviteView(
        id=invite.id,
        kind=invite.kind,
        expires_at=invite.expires_at,
        used=invite.used_at is not None,
        revoked=invite.revoked_at is not None,
        claimed_by=invite.claimed_by_telegram_user_id,
        coach_id=invite.coach_id,
        coach_name=coach.name if coach else None,
        client_id=invite.client_id,
        client_name=client.name if client else None,
    )
