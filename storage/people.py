"""Repositories for the organisation's shape: organisations, teams, coaches and clients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Client,
    ClientStatus,
    Coach,
    CoachAssignment,
    CoachStatus,
    Invite,
    Organisation,
    SupportPhase,
    SupportPhaseName,
    Team,
)

__all__ = [
    "activate_client",
    "activate_coach",
    "add_client",
    "add_coach",
    "client_by_telegram_id",
    "client_with_coach_by_telegram_id",
    "clients_by_telegram_id",
    "close_stop_question",
    "coach_by_telegram_id",
    "declined_past_their_link",
    "default_team",
    "get_client",
    "get_coach",
    "keep_promise",
    "list_clients",
    "list_coaches",
    "lock_client",
    "never_opened",
    "phones_of",
    "promise_message",
    "promised_by",
    "set_client_phone",
]


def default_team(session: Session, *, now: datetime, organisation_name: str) -> Team:
    """The one organisation and team a fresh installation starts with."""
    team = session.exec(select(Team).order_by(col(Team.id)).limit(1)).first()
    if team is not None:
        return team
    organisation = Organisation(name=organisation_name, created_at=now)
    session.add(organisation)
    session.flush()
    assert organisation.id is not None
    team = Team(organisation_id=organisation.id, name=organisation_name, created_at=now)
    session.add(team)
    session.flush()
    return team


def add_coach(session: Session, *, team_id: int, name: str, language: str, now: datetime) -> Coach:
    coach = Coach(team_id=team_id, name=name, language=language, created_at=now)
    session.add(coach)
    session.flush()
    return coach


def get_coach(session: Session, coach_id: int) -> Coach | None:
    return session.get(Coach, coach_id)


# Built once: asked on every update, and building a statement costs more than running it.
_COACH_BY_TELEGRAM_ID = select(Coach).where(Coach.telegram_user_id == bindparam("telegram_id"))
_CLIENT_BY_TELEGRAM_ID = select(Client).where(Client.telegram_user_id == bindparam("telegram_id"))


def coach_by_telegram_id(session: Session, telegram_user_id: int) -> Coach | None:
    return session.exec(_COACH_BY_TELEGRAM_ID, params={"telegram_id": telegram_user_id}).first()


def activate_coach(session: Session, coach: Coach, *, telegram_user_id: int, now: datetime) -> None:
    coach.telegram_user_id = telegram_user_id
    coach.status = CoachStatus.ACTIVE
    coach.activated_at = now
    session.add(coach)


def list_coaches(session: Session) -> list[Coach]:
    return list(session.exec(select(Coach).order_by(col(Coach.id))))


def add_client(
    session: Session, *, coach_id: int, name: str, language: str, now: datetime
) -> Client:
    """A client the coach is inviting: no Telegram id and no consent yet."""
    client = Client(coach_id=coach_id, name=name, language=language, created_at=now, updated_at=now)
    session.add(client)
    session.flush()
    assert client.id is not None
    session.add(CoachAssignment(client_id=client.id, coach_id=coach_id, started_at=now))
    return client


def get_client(session: Session, client_id: int) -> Client | None:
    return session.get(Client, client_id)


def client_by_telegram_id(session: Session, telegram_user_id: int) -> Client | None:
    return session.exec(_CLIENT_BY_TELEGRAM_ID, params={"telegram_id": telegram_user_id}).first()


_ANY_COACH = aliased(Coach)
_CLIENT_WITH_COACH = (
    select(
        Client,
        Coach,
        # Whether the account is a coach's too (a former client's account can be): one trip
        # to the database for a client's update, the most common kind.
        select(_ANY_COACH.id)
        .where(_ANY_COACH.telegram_user_id == bindparam("telegram_id"))
        .exists(),
    )
    .join(Coach, col(Coach.id) == col(Client.coach_id))
    .where(Client.telegram_user_id == bindparam("telegram_id"))
)
_CLIENT_WITH_COACH_LOCKED = _CLIENT_WITH_COACH.with_for_update(of=Client).execution_options(
    populate_existing=True
)


def client_with_coach_by_telegram_id(
    session: Session, telegram_user_id: int
) -> tuple[Client, Coach, bool] | None:
    """The client this Telegram account is, with their coach and whether the account is a
    coach's too, in one query; on PostgreSQL the client's row is held until the transaction
    ends and read as it is now, as ``lock_client`` does (the lock is taken on the row that
    still holds this account: PostgreSQL checks the condition again on the newest version of a
    row it waited for)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    statement = _CLIENT_WITH_COACH_LOCKED if postgresql else _CLIENT_WITH_COACH
    found = session.exec(statement, params={"telegram_id": telegram_user_id}).first()
    return None if found is None else (found[0], found[1], bool(found[2]))


def clients_by_telegram_id(session: Session, telegram_user_id: int) -> list[Client]:
    """Every client row holding this Telegram account (one at most: the column is unique)."""
    statement = select(Client).where(Client.telegram_user_id == telegram_user_id)
    return list(session.exec(statement))


def declined_past_their_link(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Clients who said no and can no longer take it back: no link of theirs is still open
    (opened by their account, not used, not withdrawn, not expired). Their ids, oldest first."""
    still_open = (
        select(Invite.id)
        .where(
            col(Invite.client_id) == Client.id,
            col(Invite.claimed_by_telegram_user_id) == Client.telegram_user_id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .exists()
    )
    statement = (
        select(Client.id)
        .where(Client.status == ClientStatus.DECLINED, ~still_open)
        .order_by(col(Client.id))
        .limit(limit)
    )
    return [client_id for client_id in session.exec(statement) if client_id is not None]


def activate_client(session: Session, client: Client, *, now: datetime) -> None:
    """The client finished onboarding: support starts now, in the start phase."""
    client.status = ClientStatus.ACTIVE
    client.updated_at = now
    session.add(client)
    assert client.id is not None
    session.add(SupportPhase(client_id=client.id, phase=SupportPhaseName.START, started_at=now))


def lock_client(session: Session, client_id: int) -> Client | None:
    """Hold the client's row until the transaction ends, and read it as it is now: two bot
    instances handle one client's presses one at a time (PostgreSQL; SQLite serialises all
    writers anyway, from the start of the transaction). The row is read again under the lock
    even when the session already holds it: what another instance committed while this one
    waited must count."""
    if session.get_bind().dialect.name != "postgresql":
        return session.get(Client, client_id)
    return session.exec(_LOCK_CLIENT, params={"client_id": client_id}).first()


_LOCK_CLIENT = (
    select(Client)
    .where(Client.id == bindparam("client_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def names_in_care(session: Session, coach_id: int) -> tuple[str, ...]:
    """The names of a coach's clients who are invited, joining or active (not declined or
    ended): a new client's name must differ from these."""
    in_care = (
        ClientStatus.INVITED,
        ClientStatus.CONSENT_PENDING,
        ClientStatus.VOICE_PENDING,
        ClientStatus.ACTIVE,
    )
    statement = select(Client.name).where(
        col(Client.coach_id) == coach_id, col(Client.status).in_(in_care)
    )
    return tuple(session.exec(statement))


def never_opened(session: Session, *, coach_id: int, client_id: int | None = None) -> list[Client]:
    """A coach's clients who are invited and whose links nobody ever opened (none claimed or
    used, withdrawn ones included), oldest first; with ``client_id`` only that client, if so.
    Their link can be made again (``/nieuw``)."""
    opened = (
        select(Invite.id)
        .where(
            col(Invite.client_id) == Client.id,
            or_(
                col(Invite.claimed_at).is_not(None),
                col(Invite.claimed_by_telegram_user_id).is_not(None),
                col(Invite.used_at).is_not(None),
            ),
        )
        .exists()
    )
    statement = select(Client).where(
        col(Client.coach_id) == coach_id, Client.status == ClientStatus.INVITED, ~opened
    )
    if client_id is not None:
        statement = statement.where(col(Client.id) == client_id)
    return list(session.exec(statement.order_by(col(Client.id))))


def list_clients(session: Session, *, coach_id: int) -> list[Client]:
    statement = select(Client).where(Client.coach_id == coach_id).order_by(col(Client.id))
    return list(session.exec(statement))


def phones_of(session: Session, client_ids: list[int]) -> dict[int, str]:
    """The stored phone numbers of these clients, by client id (those without one left out)."""
    if not client_ids:
        return {}
    statement = select(Client.id, Client.phone).where(
        col(Client.id).in_(client_ids), col(Client.phone).is_not(None)
    )
    return {
        client_id: number for client_id, number in session.exec(statement) if client_id and number
    }


def set_client_phone(session: Session, client: Client, phone: str | None, *, now: datetime) -> None:
    """Store (or, with None, remove) a client's phone number (E.164)."""
    client.phone = phone
    client.updated_at = now
    session.add(client)


def promise_message(session: Session, client_id: int, coach_id: int) -> None:
    """The client is told (in this transaction) that this coach sends them a message: the
    promise stands until that coach's message to them is relayed (``keep_promise``)."""
    client = session.get(Client, client_id)
    if client is not None:
        client.message_promised_by = coach_id
        session.add(client)


def keep_promise(session: Session, client_id: int, coach_id: int) -> None:
    """A message of this coach's to the client was relayed: a promise of theirs is kept. A
    promise another coach made (a backup who picked an alert up) stays theirs."""
    client = session.get(Client, client_id)
    if client is not None and client.message_promised_by == coach_id:
        client.message_promised_by = None
        session.add(client)


def close_stop_question(session: Session, client: Client) -> None:
    """ "Wil je stoppen?" is no longer the client's last open question."""
    if client.stop_asked_at is not None:
        client.stop_asked_at = None
        session.add(client)


def promised_by(session: Session, coach_id: int) -> list[Client]:
    """The clients this coach promised a message they have not sent yet, by name."""
    promised = select(Client).where(col(Client.message_promised_by) == coach_id)
    return list(session.exec(promised.order_by(col(Client.name), col(Client.id))))
