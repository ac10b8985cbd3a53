"""Storage on SQLite and PostgreSQL: migrations match the models, times stay UTC, invites hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from storage import alerts, audit, people
from storage.database import Database
from storage.invites import find_invite, hash_token, issue_invite, looks_like_token
from storage.models import Alert, Client, Invite, InviteKind, SupportPhase

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _coach_and_client(database: Database) -> tuple[int, int]:
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Gemeente Test")
        coach = people.add_coach(session, team_id=team.id or 0, name="Anna", language="nl", now=NOW)
        client = people.add_client(
            session, coach_id=coach.id or 0, name="Sam", language="nl", now=NOW
        )
        return coach.id or 0, client.id or 0


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_times_come_back_as_aware_utc(database: Database) -> None:
    amsterdam_winter = timezone(timedelta(hours=1))
    with database.transaction() as session:
        team = people.default_team(
            session,
            now=datetime(2026, 11, 2, 10, 0, tzinfo=amsterdam_winter),
            organisation_name="Test",
        )
        team_id = team.id
    with database.transaction() as session:
        stored = people.default_team(session, now=NOW, organisation_name="other")
        assert stored.id == team_id
        assert stored.created_at == NOW
        assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset() == timedelta(
            0
        )


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive"), database.transaction() as session:
        people.default_team(session, now=datetime(2026, 1, 1), organisation_name="x")  # noqa: DTZ001


def test_default_team_is_created_once(database: Database) -> None:
    with database.transaction() as session:
        first = people.default_team(session, now=NOW, organisation_name="A")
    with database.transaction() as session:
        again = people.default_team(session, now=NOW, organisation_name="B")
    assert first.id == again.id


def test_invite_stores_only_a_hash_of_the_token(database: Database) -> None:
    coach_id, client_id = _coach_and_client(database)
    with database.transaction() as session:
        issued = issue_invite(
            session,
            kind=InviteKind.CLIENT,
            now=NOW,
            ttl=timedelta(days=14),
            coach_id=coach_id,
            client_id=client_id,
        )
    token = issued.token
    assert looks_like_token(token) and len(token) >= 40
    with database.transaction() as session:
        rows = list(session.exec(select(Invite)))
        assert [r.token_hash for r in rows] == [hash_token(token)]
        assert token not in repr(rows)
        found = find_invite(session, token)
        assert found is not None and found.expires_at == NOW + timedelta(days=14)
        assert find_invite(session, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert find_invite(session, "short") is None


def test_tokens_are_unique_and_random(database: Database) -> None:
    coach_id, client_id = _coach_and_client(database)
    with database.transaction() as session:
        tokens = {
            issue_invite(
                session,
                kind=InviteKind.CLIENT,
                now=NOW,
                ttl=timedelta(days=1),
                coach_id=coach_id,
                client_id=client_id,
            ).token
            for _ in range(50)
        }
    assert len(tokens) == 50


def test_a_telegram_account_belongs_to_one_client(database: Database) -> None:
    coach_id, client_id = _coach_and_client(database)
    with database.transaction() as session:
        first = people.get_client(session, client_id)
        assert first is not None
        first.telegram_user_id = 9_000_000_001  # beyond 32 bits, as real Telegram ids are
        session.add(first)
    with pytest.raises(IntegrityError), database.transaction() as session:
        second = people.add_client(session, coach_id=coach_id, name="Kim", language="nl", now=NOW)
        second.telegram_user_id = 9_000_000_001
        session.add(second)
        session.flush()
    with database.transaction() as session:
        assert people.client_by_telegram_id(session, 9_000_000_001) is not None


def test_activating_a_client_starts_the_start_phase(database: Database) -> None:
    _, client_id = _coach_and_client(database)
    with database.transaction() as session:
        client = people.get_client(session, client_id)
        assert client is not None
        people.activate_client(session, client, now=NOW)
    with database.transaction() as session:
        stored = session.get(Client, client_id)
        assert stored is not None and stored.status == "active"
        phases = list(session.exec(select(SupportPhase)))
        assert [(p.phase, p.started_at, p.ended_at) for p in phases] == [("start", NOW, None)]


def test_audit_trail_keeps_ids_and_actions(database: Database) -> None:
    _, client_id = _coach_and_client(database)
    with database.transaction() as session:
        audit.record(
            session,
            at=NOW,
            actor="coach:1",
            action="client.invited",
            subject_type="client",
            subject_id=client_id,
        )
    with database.transaction() as session:
        events = audit.list_events(session, subject_type="client", subject_id=client_id)
    assert [(e.actor, e.action, e.at) for e in events] == [("coach:1", "client.invited", NOW)]


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    database.dispose()


def test_the_clock_watches_waiting_alerts_and_forgotten_ones_until_closed(
    database: Database,
) -> None:
    coach_id, client_id = _coach_and_client(database)
    # One open alert per client: each alert here is another client's.
    with database.transaction() as session:
        others = [
            people.add_client(session, coach_id=coach_id, name=name, language="nl", now=NOW)
            for name in ("Kim", "Lou")
        ]
        session.flush()
        kim, lou = (client.id or 0 for client in others)
    taken_at = NOW + timedelta(minutes=2)
    with database.transaction() as session:
        rows = {
            "waiting": Alert(client_id=client_id, coach_id=coach_id, pressed_at=NOW),
            "taken": Alert(
                client_id=kim,
                coach_id=coach_id,
                pressed_at=NOW,
                acknowledged_at=taken_at,
                acknowledged_by=coach_id,
            ),
            "called_off": Alert(client_id=lou, coach_id=coach_id, pressed_at=NOW, accidental=True),
            "closed": Alert(
                client_id=client_id,
                coach_id=coach_id,
                pressed_at=NOW,
                acknowledged_at=NOW,
                closed_at=NOW + timedelta(hours=1),
            ),
        }
        session.add_all(rows.values())
        session.flush()
        names = {row.id: name for name, row in rows.items()}

    def watched(at: datetime) -> list[str]:
        with database.transaction() as session:
            found = alerts.alerts_to_watch(
                session,
                remind_before=at - timedelta(hours=4),
                close_before=at - timedelta(hours=24),
            )
            return [names[a.id] for a in found]

    assert watched(NOW + timedelta(hours=1)) == ["waiting"]
    assert watched(taken_at + timedelta(hours=4)) == ["waiting", "taken", "called_off"]
    with database.transaction() as session:
        for name in ("taken", "called_off"):
            alert_id = rows[name].id or 0
            alerts.add_event(session, alert_id, "close_reminded", at=taken_at + timedelta(hours=4))
    assert watched(taken_at + timedelta(hours=5)) == ["waiting"]
    assert watched(taken_at + timedelta(hours=24)) == ["waiting", "taken", "called_off"]


def test_a_locked_client_is_read_as_it_is_now_not_as_first_read(database: Database) -> None:
    """Two instances, one client: the update that waited for the row lock decides on what the
    other committed meanwhile, not on its own earlier read (PostgreSQL; SQLite serialises
    writers from the start of the transaction, so there is no earlier read to go stale)."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite holds the write lock for the whole transaction")
    _, client_id = _coach_and_client(database)
    with database.transaction() as session:
        first_read = people.get_client(session, client_id)
        assert first_read is not None and not first_read.awaiting_message
        with database.transaction() as other_instance:
            other = people.get_client(other_instance, client_id)
            assert other is not None
            other.awaiting_message = True
            other_instance.add(other)
        locked = people.lock_client(session, client_id)
        assert locked is first_read  # the same row object ...
        assert locked.awaiting_message is True  # ... read again under the lock


def test_a_locked_alert_is_read_as_it_is_now_not_as_first_read(database: Database) -> None:
    """Two instances, one alert: the client's tap ("per ongeluk") that read the alert before
    it waited for the alert's lock decides on what the other instance committed meanwhile
    (Anna picked it up), not on its own earlier read, though the session holds that row."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite holds the write lock for the whole transaction")
    coach_id, client_id = _coach_and_client(database)
    with database.transaction() as session:
        alert = Alert(client_id=client_id, coach_id=coach_id, pressed_at=NOW)
        session.add(alert)
        session.flush()
        alert_id = alert.id or 0
    with database.transaction() as session:
        first_read = alerts.open_alert_of(session, client_id)
        assert first_read is not None and first_read.acknowledged_at is None
        with database.transaction() as other_instance:
            other = alerts.get_alert(other_instance, alert_id)
            assert other is not None
            other.acknowledged_at = NOW + timedelta(minutes=2)
            other.acknowledged_by = coach_id
            other_instance.add(other)
        locked = alerts.lock_alert(session, alert_id)
        assert locked is first_read  # the same row object ...
        assert locked.acknowledged_at == NOW + timedelta(minutes=2)  # ... read again
