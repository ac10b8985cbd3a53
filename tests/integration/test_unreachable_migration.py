"""Revision 0012 on SQLite and PostgreSQL: an existing client gains ``unreachable_since``
(empty: reachable), the schema check sees the newest revision, and the downgrade takes the
column away again with the client kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import inspect
from sqlmodel import select

from storage.database import Database
from storage.migrate import alembic_config, schema_is_current, upgrade
from storage.models import Client
from tests.integration.test_outbox_client_migration import _database_at, organisation_and_team

NOW = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)


def anna_and_sam(run: Callable[[str], Any], stamp: str) -> None:
    """Coach Anna (id 1) and her active client Sam (id 1), in their team, as the rows of an
    older revision: plain SQL, for a database not yet at the model's revision."""
    organisation_and_team(run, stamp)
    run(
        "INSERT INTO coach (id, team_id, name, status, language, available_days, "
        "available_from, available_until, created_at) VALUES "
        f"(1, 1, 'Anna', 'active', 'nl', '1234567', '00:00', '24:00', '{stamp}')"
    )
    run(
        "INSERT INTO client (id, coach_id, name, status, language, relay_direct, "
        f"awaiting_message, created_at, updated_at) VALUES (1, 1, 'Sam', "
        f"'active', 'nl', false, false, '{stamp}', '{stamp}')"
    )


def client_columns(database: Database) -> set[str]:
    return {column["name"] for column in inspect(database.engine).get_columns("client")}


def test_the_upgrade_keeps_clients_reachable_and_the_downgrade_undoes_it(
    database: Database, tmp_path: Path
) -> None:
    with _database_at(database, tmp_path, "0011") as older:
        stamp = "2026-11-02 09:00:00"
        with older.engine.begin() as connection:
            run = connection.exec_driver_sql
            anna_and_sam(run, stamp)
        assert "unreachable_since" not in client_columns(older)
        assert not schema_is_current(older.engine)

        upgrade(older.engine)

        assert schema_is_current(older.engine)
        with older.transaction() as session:
            sam = session.exec(select(Client)).one()
            assert sam.unreachable_since is None
            sam.unreachable_since = NOW
            session.add(sam)
        with older.transaction() as session:
            assert session.exec(select(Client)).one().unreachable_since == NOW

        command.downgrade(alembic_config(older.engine), "0011")
        assert "unreachable_since" not in client_columns(older)
        with older.engine.connect() as connection:
            names = [row[0] for row in connection.exec_driver_sql("SELECT name FROM client")]
        assert names == ["Sam"]
