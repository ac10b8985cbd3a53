"""The tables: who coaches whom, invites, support phases and the audit trail.

Everything here is health-adjacent data under the GDPR (AVG): keep columns to what a flow
needs. Names are the short names a coach typed; Telegram user ids are needed to reach people.
No message content is stored anywhere.

Longer than our ~400 lines on purpose: the whole schema in one module, as Alembic and a
privacy officer read it (every table and column that holds personal data, in one place).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Enum,
    Index,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertOutcome",
    "AlertRecipient",
    "AuditEvent",
    "Backup",
    "Checkin",
    "CheckinOrigin",
    "CheckinSchedule",
    "CheckinSignal",
    "CheckinStatus",
    "Client",
    "ClientStatus",
    "Coach",
    "CoachAssignment",
    "CoachStatus",
    "ContactKind",
    "ContactLog",
    "Instance",
    "Invite",
    "InviteKind",
    "Organisation",
    "OutboxMessage",
    "RecipientRole",
    "Relay",
    "RelayDirection",
    "ScheduleChange",
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


class CheckinStatus(StrEnum):
    """The same values as ``dialogs.checkin_state.CheckinStatus`` (a test checks)."""

    OPEN = "open"
    DONE = "done"
    UNFINISHED = "unfinished"
    MISSED = "missed"


class CheckinOrigin(StrEnum):
    SCHEDULE = "schedule"
    CLIENT = "client"
    COACH = "coach"


class AlertOutcome(StrEnum):
    """How an alert was closed: a coach's choice (``dialogs.noodknop.CLOSE_OUTCOMES``) or
    the shell's (closed by the clock, or replaced by a newer alert of the same client)."""

    TALKED = "talked"
    VISITED = "visited"
    REFERRED = "referred"
    FALSE_ALARM = "false_alarm"
    AUTO_CLOSED = "auto_closed"
    SUPERSEDED = "superseded"


class RecipientRole(StrEnum):
    COACH = "coach"
    BACKUP = "backup"
    GROUP = "group"


class ContactKind(StrEnum):
    """How a coach was in touch outside the bot (logged with one tap on the client card)."""

    CALL = "call"  # 📞 Gebeld
    VISIT = "visit"  # 🏠 Langs geweest
    ELSEWHERE = "elsewhere"  # 💬 Gesproken elders


class RelayDirection(StrEnum):
    TO_COACH = "to_coach"
    TO_CLIENT = "to_client"


def _empty_list() -> list[Any]:
    """An empty JSON list column's default. Not ``list`` itself: SQLModel asks pydantic for a
    missing field's default on every new row, and pydantic inspects the factory's signature
    each time, which for the builtin ``list`` costs 50 µs (for this function 4)."""
    return []


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def _enum(
    enum: type[StrEnum],
    *,
    name: str,
    length: int,
    nullable: bool = False,
    index: bool = False,
) -> Column[Any]:
    """A closed set of values: VARCHAR with a CHECK constraint (``name``) on SQLite and
    PostgreSQL alike. Reads give the enum member (a ``str``); plain strings can be written.
    A new value needs a migration that widens the constraint."""
    return Column(
        Enum(
            enum,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=length,
            values_callable=_values,
            validate_strings=True,
        ),
        nullable=nullable,
        index=index,
    )


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
    status: str = Field(
        default=CoachStatus.INVITED, sa_column=_enum(CoachStatus, name="ck_coach_status", length=20)
    )
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    language: str = Field(default="nl", max_length=8)
    # What a coach's next plain text answers, e.g. the name asked for by "new client".
    awaiting: str | None = Field(default=None, max_length=32)
    # Availability for alerts, in the organisation's timezone: ISO weekdays ("12345" is
    # Monday to Friday) and a daily window; outside it alerts also go to the backups at once.
    available_days: str = Field(default="1234567", max_length=7)
    available_from: str = Field(default="00:00", max_length=5)
    available_until: str = Field(default="24:00", max_length=5)
    # The weekly digest: ISO weekday (0: none) and local "HH:MM"; empty: the organisation's.
    digest_weekday: int | None = Field(default=None)
    digest_time: str | None = Field(default=None, max_length=5)
    created_at: datetime = Field(sa_type=UTCDateTime)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Client(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    coach_id: int = Field(foreign_key="coach.id", index=True)
    name: str = Field(max_length=64)
    status: str = Field(
        default=ClientStatus.INVITED,
        sa_column=_enum(ClientStatus, name="ck_client_status", length=20),
    )
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    language: str = Field(default="nl", max_length=8)
    read_aloud: bool | None = Field(default=None)
    # Messages outside a question go to the coach without "send this?" once the client said yes.
    relay_direct: bool = Field(default=False)
    # The client's messages asked about ("Wil je dit naar Anna sturen?") and not answered yet,
    # oldest first, at most 10: message ids in the client's chat, never what they say. A
    # "Ja, stuur het" sends them all (``dialogs.relay.client_confirms``). None: none.
    relay_asked: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The client pressed "message my coach": the next message goes on without asking.
    awaiting_message: bool = Field(default=False)
    # The reply keyboard the client's Telegram shows now (it stays until another is sent):
    # a text that needs no other keyboard gets the "read aloud" button instead.
    keyboard: str | None = Field(default=None, max_length=20)
    # Since when "Wil je stoppen met Waakvlam?" is the client's last open question: a typed
    # "ja" or "nee" answers it as its buttons do. Cleared when it is answered, or when the
    # client does something else (``dialogs.stopping.question_after``) or a check-in opens.
    stop_asked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The client's phone number (E.164, "+31612345678"), optional: shared by the client with
    # Telegram's contact button, or typed by their coach. Shown to whoever is asked during an
    # alert (a backup only while it is open), so they can call.
    phone: str | None = Field(default=None, max_length=20)
    # Since when Telegram refuses every message to the client's chat (403: the client blocked
    # the bot or stopped the chat). Set by the first refused send or Telegram's word of a block
    # (``my_chat_member``), cleared when the client writes again or unblocks the bot; while
    # set, scheduled check-ins are not sent (``dialogs.reachability``).
    unreachable_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The coach (by id) who had the client told "Anna stuurt je zo een bericht" and has not
    # relayed a message to them since: the promise outlives the coach's wait (a cancel, another
    # question), until their message arrives, they log a call or visit, the client moves or
    # the support ends; read only while that coach may still write the client (``bot.relays``).
    # A plain id, no foreign key (a plain ALTER TABLE on SQLite).
    # ``storage.people.promise_message`` / ``keep_promise``.
    message_promised_by: int | None = Field(default=None)
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
    phase: str = Field(sa_column=_enum(SupportPhaseName, name="ck_support_phase_phase", length=20))
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
    kind: str = Field(sa_column=_enum(InviteKind, name="ck_invite_kind", length=10))
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


class Backup(SQLModel, table=True):
    """Who stands in for a coach when an alert is not picked up: a coach or a team group."""

    id: int | None = Field(default=None, primary_key=True)
    coach_id: int = Field(foreign_key="coach.id", index=True)
    backup_coach_id: int | None = Field(default=None, foreign_key="coach.id")
    group_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    position: int = Field(default=0)


class Alert(SQLModel, table=True):
    """One noodknop alert and its timeline, kept for response-time reports.

    A client has one open alert at most (a partial unique index holds it): a newer alert
    closes the open one first ("superseded"), in the same transaction.
    """

    __table_args__ = (
        Index(
            "ux_alert_open_per_client",
            "client_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    coach_id: int = Field(foreign_key="coach.id", index=True)
    pressed_at: datetime = Field(sa_type=UTCDateTime)
    presses: int = Field(default=1)
    reason: str | None = Field(default=None, max_length=20)
    accidental: bool = Field(default=False)
    first_delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: int | None = Field(default=None, foreign_key="coach.id")
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    emergency_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    closed_by: int | None = Field(default=None, foreign_key="coach.id")
    outcome: str | None = Field(
        default=None,
        sa_column=_enum(AlertOutcome, name="ck_alert_outcome", length=20, nullable=True),
    )


class AlertRecipient(SQLModel, table=True):
    """Who was told about an alert: only they may act on it."""

    __tablename__ = "alert_recipient"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    coach_id: int | None = Field(default=None, foreign_key="coach.id")
    role: str = Field(sa_column=_enum(RecipientRole, name="ck_alert_recipient_role", length=10))
    added_at: datetime = Field(sa_type=UTCDateTime)


class AlertEvent(SQLModel, table=True):
    """A step in an alert's life: pressed, delivered, seen, acknowledged, escalated, closed."""

    __tablename__ = "alert_event"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(max_length=30)
    coach_id: int | None = Field(default=None, foreign_key="coach.id")


class Instance(SQLModel, table=True):
    """A running bot process: a random id for each start, and a heartbeat every two seconds.

    Outbox rows it claimed stay its own while its heartbeat is fresh, however long a send
    takes; once it is stale (the process died) any instance may take them over. A clean stop
    deletes the row, so its claims are free at once.
    """

    id: str = Field(primary_key=True, max_length=32)
    host: str = Field(max_length=64)
    pid: int
    started_at: datetime = Field(sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(sa_type=UTCDateTime)


# An outbox row still to be sent: neither sent nor failed for good.
PENDING = "sent_at IS NULL AND failed_at IS NULL"


class OutboxMessage(SQLModel, table=True):
    """A message that must arrive, written in the same transaction as the change behind it.

    Holds text keys and parameters (rendered in the reader's language when sent) or a message
    to copy, never the content of a person's message. Lower priority numbers go first.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # A coach's reply names the message it answers: find the relay behind it quickly.
        Index("ix_outbox_chat_message", "chat_id", "telegram_message_id"),
        # The worker's claim: pending rows in priority order, due ones only. Partial, so the
        # index holds what waits (a few rows, or a fan-out), not every message ever sent.
        Index(
            "ix_outbox_claim",
            "priority",
            "id",
            "next_attempt_at",
            sqlite_where=text(PENDING),
            postgresql_where=text(PENDING),
        ),
        CheckConstraint("sent_at IS NULL OR failed_at IS NULL", name="ck_outbox_sent_or_failed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    priority: int = Field(default=50)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    language: str = Field(default="nl", max_length=8)
    text_key: str | None = Field(default=None, max_length=80)
    lead_key: str | None = Field(default=None, max_length=80)  # a text above, same message
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    buttons: list[Any] = Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))
    keyboard: str | None = Field(default=None, max_length=20)
    copy_from_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    copy_message_id: int | None = Field(default=None)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", index=True)
    relay_id: int | None = Field(default=None, foreign_key="relay.id", index=True)
    # The client the message is about (a notice to their coach, a message to them), so an
    # export or erasure finds it by id rather than by their name in ``params``. None on rows
    # from before revision 0011 and on rows about several clients (the weekly digest). No
    # foreign key: ``storage.data_rights.erase`` deletes these rows itself, and on PostgreSQL a
    # key would lock the client's row (FOR KEY SHARE) in every transaction that queues a row
    # about them, such as an alert's, which locks the alert first (a client's press locks
    # client, then alert: a deadlock).
    client_id: int | None = Field(default=None, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # The running instance sending it now (``Instance.id``): it keeps the row while it lives.
    claimed_by: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    telegram_message_id: int | None = Field(default=None)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=60)


class CheckinSchedule(SQLModel, table=True):
    """A client's check-in rhythm and the next moment one is due (one row per client).

    The tick claims rows whose ``next_due_at`` has come; the series itself is recomputed from
    rhythm, weekday, time and start date, so a restart never shifts it.
    """

    __tablename__ = "checkin_schedule"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", unique=True)
    rhythm: str = Field(max_length=20)
    weekday: int  # 0 = Monday
    at: str = Field(max_length=5)  # local "HH:MM"
    timezone: str = Field(max_length=64)
    starts: date
    paused: bool = Field(default=False)
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ScheduleChange(SQLModel, table=True):
    """Every change of a client's rhythm, pause or resume, with its date: scaling up or down."""

    __tablename__ = "schedule_change"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    coach_id: int | None = Field(default=None, foreign_key="coach.id")  # None: the system
    at: datetime = Field(sa_type=UTCDateTime)
    rhythm: str = Field(max_length=20)
    weekday: int
    time: str = Field(max_length=5)
    paused: bool


class Checkin(SQLModel, table=True):
    """One check-in and its answers (question id -> answer id: no free text is kept).

    A client has one open check-in at most (a partial unique index holds it).
    """

    __table_args__ = (
        Index(
            "ux_checkin_open_per_client",
            "client_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    version: str = Field(max_length=20)
    origin: str = Field(sa_column=_enum(CheckinOrigin, name="ck_checkin_origin", length=10))
    sent_at: datetime = Field(sa_type=UTCDateTime)
    position: int = Field(default=0)
    answers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(
        default=CheckinStatus.OPEN,
        sa_column=_enum(CheckinStatus, name="ck_checkin_status", length=12, index=True),
    )
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    wake_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    raised: list[str] = Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))


class CheckinSignal(SQLModel, table=True):
    """Something a check-in told the coach, once per cause (the unique key deduplicates)."""

    __tablename__ = "checkin_signal"
    __table_args__ = (UniqueConstraint("client_id", "cause"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    checkin_id: int = Field(foreign_key="checkin.id", index=True)
    kind: str = Field(max_length=20)
    cause: str = Field(max_length=80)
    text_key: str = Field(max_length=80)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    raised_at: datetime = Field(sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Relay(SQLModel, table=True):
    """A message the bot copied between a client and their coach: who, when, what kind.

    The content stays with Telegram (``copyMessage``); only the ids needed to copy it, to route
    a reply back (via the outbox rows that carry ``relay_id``) and to avoid a double copy.
    """

    __table_args__ = (UniqueConstraint("from_chat_id", "source_message_id", "direction"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    coach_id: int = Field(foreign_key="coach.id", index=True)
    direction: str = Field(sa_column=_enum(RelayDirection, name="ck_relay_direction", length=10))
    kind: str | None = Field(default=None, max_length=20)
    from_chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    source_message_id: int
    answers_relay_id: int | None = Field(default=None, foreign_key="relay.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ContactLog(SQLModel, table=True):
    """A contact the coach logged with one tap: a call, a visit, a talk elsewhere.

    Counts as contact for the coach's list; the optional note (a few words) is for the coach
    only, never shown to the client or anyone else in the bot.
    """

    __tablename__ = "contact_log"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    coach_id: int = Field(foreign_key="coach.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(sa_column=_enum(ContactKind, name="ck_contact_log_kind", length=10))
    note: str | None = Field(default=None, max_length=200)
