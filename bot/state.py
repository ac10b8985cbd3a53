"""Loads what the dialogs need to know from the database: the acting person, an invite."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from dialogs.outcome import Keyboard
from dialogs.people import ClientStep, InviteView, Person, Role
from storage import people
from storage.invites import find_invite, looks_like_token
from storage.models import Client, ClientStatus, Coach, CoachStatus, Invite

__all__ = [
    "Actor",
    "Contact",
    "client_contact",
    "coach_contact",
    "held_invite",
    "in_invite_language",
    "load_actor",
    "load_invite",
]


@dataclass(frozen=True)
class Contact:
    """Where to reach a person, and in which language."""

    chat_id: int
    language: str


@dataclass(frozen=True)
class Actor:
    person: Person
    coach: Contact | None = None  # for a client: their coach


_STEPS = {
    ClientStatus.CONSENT_PENDING: ClientStep.CONSENT_PENDING,
    ClientStatus.VOICE_PENDING: ClientStep.VOICE_PENDING,
    ClientStatus.ACTIVE: ClientStep.ACTIVE,
    ClientStatus.ENDED: ClientStep.ENDED,
    ClientStatus.DECLINED: ClientStep.DECLINED,  # while their link lets them say yes after all
}


def load_actor(session: Session, telegram_user_id: int, stranger_language: str) -> Actor:
    """Who this Telegram user is to us: a coach, a client (their row locked until the
    transaction ends), or a stranger. A coach's account is a coach's, whatever client row it
    may still hold. The client is asked first: most updates are clients', who cost one query
    this way; a coach costs two (and on PostgreSQL a coach's account that still holds a former
    client's row locks that row for the update, which no client update waits for)."""
    # A client is read under their row lock (on PostgreSQL), with their coach: what another
    # instance committed while this one waited for the lock counts.
    found = people.client_with_coach_by_telegram_id(session, telegram_user_id)
    coach = (
        people.coach_by_telegram_id(session, telegram_user_id)
        if found is None or found[2]
        else None
    )
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
        return Actor(person)
    if found is None or found[0].status not in _STEPS:
        return Actor(Person.stranger(telegram_user_id, stranger_language))
    client, their_coach, _ = found
    person = Person(
        role=Role.CLIENT,
        telegram_user_id=telegram_user_id,
        language=client.language,
        id=client.id,
        name=client.name,
        coach_name=their_coach.name,
        client_step=_STEPS[ClientStatus(client.status)],
        read_aloud=bool(client.read_aloud),
        phone=client.phone,
        phone_offer_open=client.keyboard == Keyboard.SHARE_PHONE.value,
        stop_asked_at=client.stop_asked_at,
        take_back_until=_take_back_until(session, client),
    )
    return Actor(person, coach_contact(their_coach))


def _take_back_until(session: Session, client: Client) -> datetime | None:
    """For a client who said no: when the link they opened expires (they may say yes until
    then). None for everyone else, and when that link is gone or withdrawn."""
    if client.status != ClientStatus.DECLINED or client.id is None:
        return None
    held = held_invite(session, client.id, client.telegram_user_id)
    return held.expires_at if held is not None else None


def held_invite(session: Session, client_id: int, telegram_user_id: int | None) -> Invite | None:
    """The client's link that this Telegram account opened and did not finish (not used, not
    withdrawn), if any."""
    if telegram_user_id is None:
        return None
    statement = select(Invite).where(
        Invite.client_id == client_id,
        Invite.claimed_by_telegram_user_id == telegram_user_id,
        col(Invite.used_at).is_(None),
        col(Invite.revoked_at).is_(None),
    )
    return session.exec(statement).first()


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
        client_opened=client is not None and client.status != ClientStatus.INVITED,
    )


def in_invite_language(session: Session, actor: Actor, payload: str | None) -> Actor:
    """A stranger opening a client's link is spoken to in that client's language (set with
    the invite) from the first word on, never in their Telegram app's language: the welcome
    and the consent would otherwise be in one language and the rest in another."""
    if actor.person.role is not Role.STRANGER or not payload or not looks_like_token(payload):
        return actor
    invite = find_invite(session, payload)
    if invite is None or invite.client_id is None or invite.revoked_at is not None:
        return actor
    client = people.get_client(session, invite.client_id)
    if client is None or client.language == actor.person.language:
        return actor
    return replace(actor, person=replace(actor.person, language=client.language))
