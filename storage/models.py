"""The tables: who coaches whom, invites, support phases and the audit trail.

Everything here is health-adjacent data under the GDPR (AVG): keep columns to what a flow
needs. Names are the short names a coach typed; Telegram user ids are needed to reach people.
No message content is stored anywhere.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

__all__ = [
    "AuditEvent",
    "Client",
    "ClientStatus",
    "Coach",
    "CoachAssignment",
    "CoachStatus",
    "Invite",
    "InviteKind",
    "Organisation",
    "SupportPhase",
    "SupportPhaseName",
    "Team",
]


class CoachStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    INACTIVE = "inactive"


class ClientStatus(StrEnum):
    INVITED = "invited"  # coach made a link; nobody opened it yet
    CONSENT_PENDING = "consent_pending"  # link opened, waiting for yes/no
    VOICE_PENDING = "voice_pending"  # said yes, choosing read-aloud
    ACTIVE = "active"
    DECLINED = "declined"  # said no: no Telegram id kept
    ENDED = "ended"


class InviteKind(StrEnum):
    COACH = "coach"
    CLIENT = "client"


class SupportPhaseName(StrEnum):
    START = "start"
    REGULAR = "regular"
    WAAKVLAM = "waakvlam"
    ENDED = "ended"


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=120)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Coach(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    name: str = Field(max_length=64)
    status: str = Field(default=CoachStatus.INVITED, max_length=20)
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    language: str = Field(default="nl", max_length=8)
    # What a coach's next plain text answers, e.g. the name asked for by "new client".
    awaiting: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Client(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    coach_id: int = Field(foreign_key="coach.id", index=True)
    name: str = Field(max_length=64)
    status: str = Field(default=ClientStatus.INVITED, max_length=20)
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    language: str = Field(default="nl", max_length=8)
    read_aloud: bool | None = Field(default=None)
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_version: str | None = Field(default=None, max_length=20)
    referred_by: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class SupportPhase(SQLModel, table=True):
    """One phase of a client's support (start, regular, waakvlam, ended) with its dates."""

    __tablename__ = "support_phase"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    phase: str = Field(max_length=20)
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str | None = Field(default=None, max_length=40)


class CoachAssignment(SQLModel, table=True):
    """Which coach supported a client, and when: moving a client keeps the history."""

    __tablename__ = "coach_assignment"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    coach_id: int = Field(foreign_key="coach.id", index=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    """A single-use deep-link invite. Only a hash of the token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    token_hash: str = Field(max_length=64, unique=True)
    coach_id: int | None = Field(default=None, foreign_key="coach.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    claimed_by_telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """Who did what to whom, when. Ids and action names only: never content or names."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=40)  # "cli", "system", "coach:3", "client:7"
    action: str = Field(max_length=40)
    subject_type: str | None = Field(default=None, max_length=20)
    subject_id: int | None = Field(default=None, index=True)
