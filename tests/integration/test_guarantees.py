"""What the database itself holds, on SQLite and PostgreSQL: one open alert and one open
check-in per client, statuses from a closed set, and a migration that mends older data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from dialogs import noodknop
from dialogs.checkin_state import CheckinStatus as DialogCheckinStatus
from storage import checkins, people
from storage.database import Database
from storage.migrate import upgrade
from storage.models import (
    Alert,
    AlertEvent,
    AlertOutcome,
    Checkin,
    CheckinSignal,
    CheckinStatus,
)
from tests.conftest import POSTGRES_SERVER
from tests.integration.test_outbox_client_migration import organisation_and_team

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _client(database: Database, name: str = "Sam") -> tuple[int, int]:
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Test")
        coach = people.add_coach(session, team_id=team.id or 0, name="Anna", language="nl", now=NOW)
        client = people.add_client(
            session, coach_id=coach.id or 0, name=name, language="nl", now=NOW
        )
        return coach.id or 0, client.id or 0


def test_a_second_open_alert_for_a_client_is_refused(database: Database) -> None:
    coach_id, client_id = _client(database)
    with database.transaction() as session:
        for hour in range(3):  # closed ones: as many as there were
            session.add(
                Alert(
                    client_id=client_id,
                    coach_id=coach_id,
                    pressed_at=NOW + timedelta(hours=hour),
                    closed_at=NOW + timedelta(hours=hour, minutes=30),
                    outcome=AlertOutcome.TALKED,
                )
            )
        session.add(Alert(client_id=client_id, coach_id=coach_id, pressed_at=NOW))
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(Alert(client_id=client_id, coach_id=coach_id, pressed_at=NOW))
        session.flush()
    _, other_client = _client(database, "Kim")
    with database.transaction() as session:  # another client's open alert is no clash
        session.add(Alert(client_id=other_client, coach_id=coach_id, pressed_at=NOW))


def test_closing_the_old_alert_first_lets_a_new_one_open_in_the_same_transaction(
    database: Database,
) -> None:
    """What a new noodknop press does: supersede the open alert, then raise the new one."""
    coach_id, client_id = _client(database)
    with database.transaction() as session:
        session.add(Alert(client_id=client_id, coach_id=coach_id, pressed_at=NOW))
    with database.transaction() as session:
        old = session.exec(select(Alert)).one()
        old.closed_at, old.outcome = NOW, AlertOutcome.SUPERSEDED
        session.add(old)
        session.add(Alert(client_id=client_id, coach_id=coach_id, pressed_at=NOW))
    with database.transaction() as session:
        stored = session.exec(select(Alert).order_by(Alert.id)).all()  # type: ignore[arg-type]
        assert [(a.outcome, a.closed_at is None) for a in stored] == [
            ("superseded", False),
            (None, True),
        ]


def test_a_second_open_checkin_for_a_client_is_refused(database: Database) -> None:
    _, client_id = _client(database)
    with database.transaction() as session:
        first = checkins.add_checkin(
            session, client_id=client_id, version="v1", origin="schedule", now=NOW
        )
    with pytest.raises(IntegrityError), database.transaction() as session:
        checkins.add_checkin(session, client_id=client_id, version="v1", origin="client", now=NOW)
    with database.transaction() as session:
        row = checkins.get_checkin(session, first.id or 0)
        assert row is not None
        row.status = CheckinStatus.DONE
        session.add(row)
    with database.transaction() as session:  # the first one is done: a new one may open
        checkins.add_checkin(session, client_id=client_id, version="v1", origin="client", now=NOW)
        assert checkins.open_checkin_of(session, client_id) is not None


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("coach", "status"),
        ("client", "status"),
        ("checkin", "status"),
        ("checkin", "origin"),
        ("alert", "outcome"),
    ],
)
def test_a_status_outside_its_set_is_refused(database: Database, table: str, column: str) -> None:
    coach_id, client_id = _client(database)
    with database.transaction() as session:
        session.add(Alert(client_id=client_id, coach_id=coach_id, pressed_at=NOW))
        checkins.add_checkin(session, client_id=client_id, version="v1", origin="coach", now=NOW)
    # Past the Python enum, straight to the database: the CHECK constraint answers.
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.execute(text(f"UPDATE {table} SET {column} = 'bogus'"))


def test_statuses_read_back_as_their_enum_and_plain_strings_can_be_written(
    database: Database,
) -> None:
    _, client_id = _client(database)
    with database.transaction() as session:
        row = checkins.add_checkin(
            session, client_id=client_id, version="v1", origin="schedule", now=NOW
        )
        row.status = "missed"
        session.add(row)
    with database.transaction() as session:
        stored = session.exec(select(Checkin)).one()
        assert stored.status is CheckinStatus.MISSED and stored.status == "missed"
        assert stored.origin == "schedule"


def test_every_check_constraint_of_the_models_is_in_the_database(database: Database) -> None:
    """Alembic's comparison does not see CHECK constraints; this does."""
    inspector = inspect(database.engine)
    for table in SQLModel.metadata.sorted_tables:
        wanted = {
            c.name
            for c in table.constraints
            if c.__class__.__name__ == "CheckConstraint" and isinstance(c.name, str)
        }
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert wanted <= found, f"{table.name}: {sorted(wanted - found)} missing"


def test_the_stored_value_sets_cover_what_the_dialogs_and_the_shell_write() -> None:
    assert {s.value for s in DialogCheckinStatus} == {s.value for s in CheckinStatus}
    assert set(noodknop.CLOSE_OUTCOMES) <= {o.value for o in AlertOutcome}
    assert {"auto_closed", "superseded"} <= {o.value for o in AlertOutcome}


# -- the migration mends what older data could hold ------------------------------------------


@contextmanager
def _database_at_0004(database: Database, tmp_path: Path) -> Iterator[Database]:
    """A database of its own (on the same server), migrated up to revision 0004 only."""
    if not database.is_postgresql:
        older = Database(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(older.engine, "0004")
        yield older
        older.dispose()
        return
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    name = f"waakvlam_old_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    older = Database(f"{POSTGRES_SERVER}/{name}")
    try:
        upgrade(older.engine, "0004")
        yield older
    finally:
        older.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_migration_closes_a_second_open_alert_and_checkin_and_keeps_the_newest(
    database: Database, tmp_path: Path
) -> None:
    with _database_at_0004(database, tmp_path) as older:
        stamp = "2026-11-02 09:00:00"
        with older.engine.begin() as connection:
            run = connection.exec_driver_sql
            organisation_and_team(run, stamp)
            run(
                "INSERT INTO coach (id, team_id, name, status, language, available_days, "
                "available_from, available_until, created_at) "
                f"VALUES (1, 1, 'Anna', 'active', 'nl', '1234567', '00:00', '24:00', '{stamp}')"
            )
            for client in (1, 2):
                run(
                    "INSERT INTO client (id, coach_id, name, status, language, relay_direct, "
                    f"awaiting_message, created_at, updated_at) VALUES ({client}, 1, 'C', "
                    f"'active', 'nl', false, false, '{stamp}', '{stamp}')"
                )
            # Client 1: three open alerts and two open check-ins; client 2: one of each.
            for alert_id, client in ((1, 1), (2, 1), (3, 1), (4, 2)):
                run(
                    "INSERT INTO alert (id, client_id, coach_id, pressed_at, presses, accidental) "
                    f"VALUES ({alert_id}, {client}, 1, '{stamp}', 1, false)"
                )
                run(
                    "INSERT INTO alert_event (alert_id, at, kind) "
                    f"VALUES ({alert_id}, '{stamp}', 'pressed')"
                )
            for checkin_id, client, answers in (
                (1, 1, '{"grade": "7"}'),
                (2, 1, "{}"),
                (3, 1, "{}"),
                (4, 2, "{}"),
            ):
                run(
                    "INSERT INTO checkin (id, client_id, version, origin, sent_at, position, "
                    f"answers, status, raised) VALUES ({checkin_id}, {client}, 'v1', 'schedule', "
                    f"'{stamp}', 0, '{answers}', 'open', '[]')"
                )
            run(
                "INSERT INTO checkin_signal (client_id, checkin_id, kind, cause, text_key, "
                f"params, raised_at) VALUES (1, 1, 'low', 'grade', 'k', '{{}}', '{stamp}')"
            )
        upgrade(older.engine)
        with older.transaction() as session:
            alerts = {a.id: a for a in session.exec(select(Alert))}
            assert {i: (a.closed_at is None, a.outcome) for i, a in alerts.items()} == {
                1: (False, "superseded"),
                2: (False, "superseded"),
                3: (True, None),
                4: (True, None),
            }
            superseded = session.exec(select(AlertEvent).where(AlertEvent.kind == "superseded"))
            assert sorted(e.alert_id for e in superseded) == [1, 2]
            rows = {c.id: c for c in session.exec(select(Checkin))}
            assert {i: c.status for i, c in rows.items()} == {
                1: "unfinished",  # answered something
                2: "missed",
                3: "open",
                4: "open",
            }
            assert rows[1].finished_at is not None and rows[1].wake_at is None
            assert session.exec(select(CheckinSignal)).one().checkin_id == 1
        with pytest.raises(IntegrityError), older.transaction() as session:
            session.add(Alert(client_id=1, coach_id=1, pressed_at=NOW))
            session.flush()
        if not older.is_postgresql:
            with older.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
