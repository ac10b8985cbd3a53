"""What an organisation does from the server (the CLI and the demo call these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.effects import deep_link
from bot.settings import Settings
from storage import audit, people
from storage.database import Database
from storage.invites import issue_invite
from storage.models import CoachStatus, InviteKind

__all__ = [
    "CoachRow",
    "IssuedLink",
    "deactivate_coach",
    "fetch_bot_username",
    "invite_coach",
    "list_coaches",
]


@dataclass(frozen=True)
class IssuedLink:
    coach_id: int
    link: str
    expires_at: datetime


@dataclass(frozen=True)
class CoachRow:
    id: int
    name: str
    status: str
    clients: int


def invite_coach(
    database: Database, settings: Settings, *, name: str, bot_username: str, now: datetime
) -> IssuedLink:
    """Add a coach (not yet active) and a single-use link that activates them."""
    with database.transaction() as session:
        team = people.default_team(session, now=now, organisation_name=settings.organisation_name)
        assert team.id is not None
        coach = people.add_coach(
            session, team_id=team.id, name=name, language=settings.default_language, now=now
        )
        assert coach.id is not None
        issued = issue_invite(
            session, kind=InviteKind.COACH, now=now, ttl=settings.invite_ttl, coach_id=coach.id
        )
        audit.record(
            session,
            at=now,
            actor="cli",
            action="coach.invited",
            subject_type="coach",
            subject_id=coach.id,
        )
        return IssuedLink(coach.id, deep_link(bot_username, issued.token), issued.invite.expires_at)


def list_coaches(database: Database) -> list[CoachRow]:
    with database.transaction() as session:
        return [
            CoachRow(
                id=coach.id or 0,
                name=coach.name,
                status=coach.status,
                clients=len(people.list_clients(session, coach_id=coach.id or 0)),
            )
            for coach in people.list_coaches(session)
        ]


def deactivate_coach(database: Database, *, coach_id: int, now: datetime) -> bool:
    with database.transaction() as session:
        coach = people.get_coach(session, coach_id)
        if coach is None:
            return False
        coach.status = CoachStatus.INACTIVE
        session.add(coach)
        audit.record(
            session,
            at=now,
            actor="cli",
            action="coach.deactivated",
            subject_type="coach",
            subject_id=coach_id,
        )
        return True


async def fetch_bot_username(settings: Settings) -> str:
    """Ask the Bot API who we are (getMe), for building deep links."""
    bot = Bot(
        settings.token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=HTTPXRequest(httpx_kwargs={"trust_env": False}),
    )
    async with bot:
        return bot.username
