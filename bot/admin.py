"""What an organisation does from the server (the CLI and the demo call these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram import Bot

from bot.effects import deep_link
from bot.settings import Settings
from bot.transport import telegram_request
from storage import alerts, audit, people
from storage.database import Database
from storage.invites import issue_invite
from storage.models import Backup, CoachStatus, InviteKind

__all__ = [
    "CoachRow",
    "IssuedLink",
    "add_backup",
    "deactivate_coach",
    "fetch_bot_username",
    "invite_coach",
    "list_coaches",
    "set_availability",
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


def add_backup(
    database: Database,
    *,
    coach_id: int,
    now: datetime,
    backup_coach_id: int | None = None,
    group_chat_id: int | None = None,
) -> bool:
    """Who is told when a coach's alert is not picked up: another coach or a team group chat."""
    if (backup_coach_id is None) == (group_chat_id is None):
        raise ValueError("give a backup coach or a group chat, not both")
    with database.transaction() as session:
        if people.get_coach(session, coach_id) is None:
            return False
        if backup_coach_id is not None and (
            backup_coach_id == coach_id or people.get_coach(session, backup_coach_id) is None
        ):
            return False
        position = len(alerts.backups_of(session, coach_id))
        session.add(
            Backup(
                coach_id=coach_id,
                backup_coach_id=backup_coach_id,
                group_chat_id=group_chat_id,
                position=position,
            )
        )
        audit.record(
            session,
            at=now,
            actor="cli",
            action="coach.backup_added",
            subject_type="coach",
            subject_id=coach_id,
        )
        return True


def set_availability(
    database: Database, *, coach_id: int, days: str, start: str, end: str, now: datetime
) -> bool:
    """When a coach takes alerts: ISO weekdays ("12345") and a local "HH:MM"-"HH:MM" window."""
    if not days or not set(days) <= set("1234567"):
        raise ValueError("days are ISO weekday digits, e.g. 12345 for Monday to Friday")
    for value in (start, end):
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
            raise ValueError(f"{value!r} is not a HH:MM time")
        if not (0 <= int(hours) <= 24 and 0 <= int(minutes) < 60) or (
            int(hours) == 24 and int(minutes) > 0
        ):
            raise ValueError(f"{value!r} is not a time of day")
    with database.transaction() as session:
        coach = people.get_coach(session, coach_id)
        if coach is None:
            return False
        coach.available_days = "".join(sorted(set(days)))
        coach.available_from = start.zfill(5)
        coach.available_until = end.zfill(5)
        session.add(coach)
        audit.record(
            session,
            at=now,
            actor="cli",
            action="coach.availability_set",
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
        request=telegram_request(settings.telegram_api_url, read_timeout=10, pool_size=1),
    )
    async with bot:
        return bot.username
