"""Repositories for the organisation's shape: organisations, teams, coaches and clients."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import (
    Client,
    ClientStatus,
    Coach,
    CoachAssignment,
    CoachStatus,
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
    "coach_by_telegram_id",
    "default_team",
    "get_client",
    "get_coach",
    "list_clients",
    "list_coaches",
    "lock_client",
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


def coach_by_telegram_id(session: Session, telegram_user_id: int) -> Coach | None:
    statement = select(Coach).where(Coach.telegram_user_id == telegram_user_id)
    return session.exec(statement).first()


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
    statement = select(Client).where(Client.telegram_user_id == telegram_user_id)
    return session.exec(statement).first()


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
    statement = (
        select(Client)
        .where(Client.id == client_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).first()


def list_clients(session: Session, *, coach_id: int) -> list[Client]:
    statement = select(Client).where(Client.coach_id == coach_id).order_by(col(Client.id))
    return list(session.exec(statement))
