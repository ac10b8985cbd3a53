"""A big, realistic database for benchmarks: 10,000 clients with a year of history each.

250 active coaches with 40 clients each. Per client, over the last 56 weeks (a year, and a
month more for the retention job to find): a weekly check-in (85% answered with a grade, 15%
missed), a signal for one in ten, a message every four weeks with its outbox row, two alerts
with their recipients, timeline and outbox rows, audit events, a schedule and its change, a
phase, a coach assignment and a used invite. About 1.1 million rows; written with bulk
inserts with ids chosen here (PostgreSQL's sequences are moved past them afterwards).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Connection

from storage.database import Database
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
    Invite,
    OutboxMessage,
    Relay,
    ScheduleChange,
    SupportPhase,
    Team,
)
from storage.models import Organisation as OrganisationRow

__all__ = ["NOW", "BigHistory", "fill"]

NOW = datetime(2027, 6, 7, 3, 0, tzinfo=UTC)  # a Monday night: when the daily job runs
WEEKS = 56
PER_COACH = 40
BATCH = 5_000


@dataclass(frozen=True)
class BigHistory:
    clients: int
    coaches: int
    rows: int
    seconds: float

    def client_id(self, number: int) -> int:
        return number + 1

    def coach_id(self, number: int) -> int:
        return number + 1


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write(connection: Connection, model: Any, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for chunk in _chunks(rows):
        connection.execute(insert(model), chunk)
        count += len(chunk)
    return count


def fill(database: Database, clients: int = 10_000) -> BigHistory:
    """Write the history into an empty, migrated database."""
    started = time.perf_counter()
    coaches = -(-clients // PER_COACH)
    year_ago = NOW - timedelta(weeks=WEEKS)
    total = 0
    with database.engine.begin() as connection:
        total += _write(
            connection, OrganisationRow, iter([{"id": 1, "name": "Bench", "created_at": year_ago}])
        )
        total += _write(
            connection,
            Team,
            iter([{"id": 1, "organisation_id": 1, "name": "Team", "created_at": year_ago}]),
        )
        total += _write(
            connection,
            Coach,
            (
                {
                    "id": c + 1,
                    "team_id": 1,
                    "name": f"Coach {c}",
                    "status": "active",
                    "telegram_user_id": 1_000_000 + c,
                    "language": "nl",
                    "created_at": year_ago,
                    "activated_at": year_ago,
                }
                for c in range(coaches)
            ),
        )
        total += _write(connection, Client, (_client(n, year_ago) for n in range(clients)))
        for model, rows in (
            (
                SupportPhase,
                (
                    {"id": n + 1, "client_id": n + 1, "phase": "regular", "started_at": year_ago}
                    for n in range(clients)
                ),
            ),
            (
                CoachAssignment,
                (
                    {
                        "id": n + 1,
                        "client_id": n + 1,
                        "coach_id": n // PER_COACH + 1,
                        "started_at": year_ago,
                    }
                    for n in range(clients)
                ),
            ),
            (Invite, (_invite(n, year_ago) for n in range(clients))),
            (CheckinSchedule, (_schedule(n, year_ago) for n in range(clients))),
            (ScheduleChange, (_schedule_change(n, year_ago) for n in range(clients))),
            (Checkin, _checkins(clients, year_ago)),
            (CheckinSignal, _signals(clients, year_ago)),
            (Relay, _relays(clients, year_ago)),
            (Alert, _alerts(clients, year_ago)),
            (AlertRecipient, _alert_recipients(clients, year_ago)),
            (AlertEvent, _alert_events(clients, year_ago)),
            (OutboxMessage, _outbox(clients, year_ago)),
            (AuditEvent, _audit(clients, year_ago)),
        ):
            total += _write(connection, model, rows)
        if connection.dialect.name == "postgresql":
            for table in (
                "organisation", "team", "coach", "client", "support_phase", "coach_assignment",
                "invite", "checkin_schedule", "schedule_change", "checkin", "checkin_signal",
                "relay", "alert", "alert_recipient", "alert_event", "outbox", "audit_event",
            ):  # fmt: skip
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            connection.execute(text("ANALYZE"))
    if database.engine.dialect.name == "sqlite":
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return BigHistory(clients, coaches, total, time.perf_counter() - started)


def _client(n: int, joined: datetime) -> dict[str, Any]:
    return {
        "id": n + 1,
        "coach_id": n // PER_COACH + 1,
        "name": f"Client {n}",
        "status": "active",
        "telegram_user_id": 5_000_000 + n,
        "language": "nl",
        "read_aloud": n % 5 == 0,
        "relay_direct": True,
        "awaiting_message": False,
        "consent_at": joined,
        "consent_version": "1",
        "created_at": joined,
        "updated_at": joined,
    }


def _invite(n: int, joined: datetime) -> dict[str, Any]:
    return {
        "id": n + 1,
        "kind": "client",
        "token_hash": hashlib.sha256(f"bench-{n}".encode()).hexdigest(),
        "coach_id": n // PER_COACH + 1,
        "client_id": n + 1,
        "created_at": joined,
        "expires_at": joined + timedelta(days=14),
        "claimed_by_telegram_user_id": 5_000_000 + n,
        "claimed_at": joined,
        "used_at": joined,
    }


def _schedule(n: int, joined: datetime) -> dict[str, Any]:
    return {
        "id": n + 1,
        "client_id": n + 1,
        "rhythm": "weekly",
        "weekday": 0,
        "at": "10:00",
        "timezone": "Europe/Amsterdam",
        "starts": date(joined.year, joined.month, joined.day),
        "paused": False,
        "next_due_at": NOW + timedelta(hours=6),
        "updated_at": joined,
    }


def _schedule_change(n: int, joined: datetime) -> dict[str, Any]:
    return {
        "id": n + 1,
        "client_id": n + 1,
        "coach_id": n // PER_COACH + 1,
        "at": joined,
        "rhythm": "weekly",
        "weekday": 0,
        "time": "10:00",
        "paused": False,
    }


def _week(n: int, week: int, start: datetime) -> datetime:
    return start + timedelta(weeks=week, minutes=n % 600)


def _checkins(clients: int, start: datetime) -> Iterator[dict[str, Any]]:
    for n in range(clients):
        for week in range(WEEKS):
            sent = _week(n, week, start)
            missed = (n + week) % 7 == 0
            yield {
                "id": n * WEEKS + week + 1,
                "client_id": n + 1,
                "version": "1",
                "origin": "schedule",
                "sent_at": sent,
                "position": 0 if missed else 3,
                "answers": {}
                if missed
                else {"grade": str(3 + (n + week) % 7), "help": "no", "call": "no"},
                "status": "missed" if missed else "done",
                "finished_at": None if missed else sent + timedelta(minutes=20),
                "raised": [],
            }


def _signals(clients: int, start: datetime) -> Iterator[dict[str, Any]]:
    number = 0
    for n in range(clients):
        for week in range(0, WEEKS, 10):
            number += 1
            checkin = n * WEEKS + week + 1
            yield {
                "id": number,
                "client_id": n + 1,
                "checkin_id": checkin,
                "kind": "low_grade",
                "cause": f"checkin:{checkin}:grade",
                "text_key": "coach_checkin.grade_low",
                "params": {"grade": "3"},
                "raised_at": _week(n, week, start),
            }


RELAYS_EVERY = 4  # weeks


def _relay_id(n: int, week: int) -> int:
    return n * (WEEKS // RELAYS_EVERY) + week // RELAYS_EVERY + 1


def _relays(clients: int, start: datetime) -> Iterator[dict[str, Any]]:
    for n in range(clients):
        for week in range(0, WEEKS, RELAYS_EVERY):
            yield {
                "id": _relay_id(n, week),
                "client_id": n + 1,
                "coach_id": n // PER_COACH + 1,
                "direction": "to_coach",
                "kind": "text",
                "from_chat_id": 5_000_000 + n,
                "source_message_id": 1000 + week,
                "created_at": _week(n, week, start) + timedelta(hours=2),
                "seen_at": _week(n, week, start) + timedelta(hours=3),
            }


ALERT_WEEKS = (2, 40)


def _alert_id(n: int, index: int) -> int:
    return n * len(ALERT_WEEKS) + index + 1


def _alerts(clients: int, start: datetime) -> Iterator[dict[str, Any]]:
    for n in range(clients):
        for index, week in enumerate(ALERT_WEEKS):
            pressed = _week(n, week, start) + timedelta(days=2)
            yield {
                "id": _alert_id(n, index),
                "client_id": n + 1,
                "coach_id": n // PER_COACH + 1,
                "pressed_at": pressed,
                "presses": 1,
                "reason": "health",
                "accidental": False,
                "first_delivered_at": pressed + timedelta(seconds=1),
                "acknowledged_at": pressed + timedelta(minutes=3),
                "acknowledged_by": n // PER_COACH + 1,
                "closed_at": pressed + timedelta(minutes=40),
                "closed_by": n // PER_COACH + 1,
                "outcome": "talked",
            }


def _alert_recipients(clients: int, start: datetime) -> Iterator[dict[str, Any]]:
    number = 0
    for n in range(clients):
        for index, week in enumerate(ALERT_WEEKS):
            pressed = _week(n, week, start) + timedelta(days=2)
            own = n // PER_COACH + 1
            backup = own % -(-clients // PER_COACH) + 1
            for role, coach in (("coach", own), ("backup", backup)):
                number += 1
                yield {
                    "id": number,
                    "alert_id": _alert_id(n, index),
                    "chat_id": 1_000_000 + coach - 1,
                    "coach_id": coach,
                    "role": role,
                    "added_at": pressed,
                }


def _alert_events(clients: int, start: datetime) -> Iterator[dict[str, Any]]:
    number = 0
    for n in range(clients):
        for index, week in enumerate(ALERT_WEEKS):
            pressed = _week(n, week, start) + timedelta(days=2)
            for kind, after in (
                ("pressed", 0),
                ("delivered", 1),
                ("acknowledged", 180),
                ("closed", 2400),
            ):
                number += 1
                yield {
                    "id": number,
                    "alert_id": _alert_id(n, index),
                    "at": pressed + timedelta(seconds=after),
                    "kind": kind,
                }


def _outbox(clients: int, start: datetime) -> Iterator[dict[str, Any]]:
    """What the daily purge leaves: a relayed message's emptied rows, and a week of the rest."""
    number = 0
    for n in range(clients):
        coach_chat = 1_000_000 + n // PER_COACH
        for week in range(0, WEEKS, RELAYS_EVERY):
            number += 1
            at = _week(n, week, start) + timedelta(hours=2)
            yield _row(
                number,
                coach_chat,
                at,
                relay_id=_relay_id(n, week),
                copy_from_chat_id=5_000_000 + n,
                copy_message_id=1000 + week,
            )
        for index, week in enumerate(ALERT_WEEKS):
            number += 1
            at = _week(n, week, start) + timedelta(days=2)
            # An alert's rows are kept while it is open; these are the failed ones of its history.
            yield _row(
                number,
                coach_chat,
                at,
                alert_id=_alert_id(n, index),
                text_key="alert.coach",
                params={"client": f"Client {n}"},
                sent_at=None,
                failed_at=at,
            )
        number += 1
        last_week = NOW - timedelta(days=2)
        yield _row(
            number,
            coach_chat,
            last_week,
            text_key="coach_checkin.grade_low",
            params={"client": f"Client {n}"},
        )
    return


def _row(number: int, chat: int, at: datetime, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": number,
        "created_at": at,
        "priority": 20,
        "chat_id": chat,
        "language": "nl",
        "params": {},
        "buttons": [],
        "attempts": 1,
        "next_attempt_at": at,
        "sent_at": at,
        "telegram_message_id": number,
        "text_key": None,
        "lead_key": None,
        "keyboard": None,
        "copy_from_chat_id": None,
        "copy_message_id": None,
        "alert_id": None,
        "relay_id": None,
        "failed_at": None,
    }
    row.update(extra)
    return row


def _audit(clients: int, start: datetime) -> Iterator[dict[str, Any]]:
    number = 0
    for n in range(clients):
        for action, at in (
            ("client.invited", start),
            ("client.consented", start),
            ("alert.closed", start + timedelta(weeks=10)),
        ):
            number += 1
            yield {
                "id": number,
                "at": at,
                "actor": f"coach:{n // PER_COACH + 1}",
                "action": action,
                "subject_type": "client",
                "subject_id": n + 1,
            }
