"""Revision 0011 on SQLite and PostgreSQL: an existing database with outbox rows gains the
outbox's ``client_id``; the rows written before have none, and a client's export and erasure
still find them by name."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlmodel import select

from storage import data_rights, outbox
from storage.database import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage
from storage.outbox import Priority
from tests.conftest import POSTGRES_SERVER

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ANNA_CHAT = 5_001


@contextmanager
def _database_at(database: Database, tmp_path: Path, revision: str) -> Iterator[Database]:
    """A database of its own (on the same server as ``database``), migrated up to
    ``revision`` only."""
    if not database.is_postgresql:
        older = Database(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(older.engine, revision)
        yield older
        older.dispose()
        return
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    name = f"waakvlam_old_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    older = Database(f"{POSTGRES_SERVER}/{name}")
    try:
        upgrade(older.engine, revision)
        yield older
    finally:
        older.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def organisation_and_team(run: Callable[[str], object], stamp: str) -> None:
    """Organisation 1 and its team 1, written with plain SQL into a database at an older
    revision (the models describe the newest one)."""
    run(f"INSERT INTO organisation (id, name, created_at) VALUES (1, 'O', '{stamp}')")
    run(f"INSERT INTO team (id, organisation_id, name, created_at) VALUES (1, 1, 'T', '{stamp}')")


def test_the_upgrade_keeps_the_outbox_and_old_rows_are_still_found_by_name(
    database: Database, tmp_path: Path
) -> None:
    with _database_at(database, tmp_path, "0010") as older:
        stamp = "2026-11-02 09:00:00"
        with older.engine.begin() as connection:
            run = connection.exec_driver_sql
            organisation_and_team(run, stamp)
            run(
                "INSERT INTO coach (id, team_id, name, status, language, available_days, "
                "available_from, available_until, created_at, telegram_user_id) VALUES "
                f"(1, 1, 'Anna', 'active', 'nl', '1234567', '00:00', '24:00', '{stamp}', "
                f"{ANNA_CHAT})"
            )
            for client, name in ((1, "Sam"), (2, "Bo")):
                run(
                    "INSERT INTO client (id, coach_id, name, status, language, relay_direct, "
                    f"awaiting_message, created_at, updated_at) VALUES ({client}, 1, '{name}', "
                    f"'active', 'nl', false, false, '{stamp}', '{stamp}')"
                )
            for name, sent in (("Sam", f"'{stamp}'"), ("Bo", "NULL")):
                run(
                    "INSERT INTO outbox (created_at, priority, chat_id, language, text_key, "
                    "params, buttons, attempts, next_attempt_at, sent_at) VALUES "
                    f"('{stamp}', 20, {ANNA_CHAT}, 'nl', 'coach_checkin.grade_low', "
                    f"'{{\"client\": \"{name}\"}}', '[]', 0, '{stamp}', {sent})"
                )

        upgrade(older.engine)

        indexes = {index["name"] for index in inspect(older.engine).get_indexes("outbox")}
        assert "ix_outbox_client_id" in indexes
        with older.transaction() as session:
            rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            assert [(r.params, r.client_id) for r in rows] == [
                ({"client": "Sam"}, None),
                ({"client": "Bo"}, None),
            ]
            records = data_rights.collect(session, 1)
            assert records is not None
            assert [row["id"] for row in records.tables["outbox"]] == [rows[0].id]  # by name
            outbox.enqueue(
                session, now=NOW, chat_id=ANNA_CHAT, priority=Priority.NOTICE, client_id=2
            )
            erased = data_rights.erase(session, 2, now=NOW, actor="cli")
            assert erased is not None and erased.deleted["outbox"] == 2  # old unsent one too
