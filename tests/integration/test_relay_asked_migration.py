"""Revision 0015 on SQLite and PostgreSQL: an existing client gains ``relay_asked`` (empty:
nothing asked), which holds a list of message ids, the schema check sees the newest revision,
and the downgrade takes the column away again with the client kept."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlmodel import select

from storage.database import Database
from storage.migrate import alembic_config, newest_revision, schema_is_current, upgrade
from storage.models import Client
from tests.integration.test_outbox_client_migration import _database_at, organisation_and_team
from tests.integration.test_unreachable_migration import client_columns


def test_the_upgrade_asks_nothing_of_existing_clients_and_the_downgrade_undoes_it(
    database: Database, tmp_path: Path
) -> None:
    with _database_at(database, tmp_path, "0014") as older:
        stamp = "2026-11-02 09:00:00"
        with older.engine.begin() as connection:
            run = connection.exec_driver_sql
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
        assert "relay_asked" not in client_columns(older)

        upgrade(older.engine, "0015")

        assert schema_is_current(older.engine) or newest_revision() != "0015"
        with older.transaction() as session:
            sam = session.exec(select(Client)).one()
            assert sam.relay_asked is None
            sam.relay_asked = [42, 43]
            session.add(sam)
        with older.transaction() as session:
            assert session.exec(select(Client)).one().relay_asked == [42, 43]

        command.downgrade(alembic_config(older.engine), "0014")
        assert "relay_asked" not in client_columns(older)
        with older.engine.connect() as connection:
            names = [row[0] for row in connection.exec_driver_sql("SELECT name FROM client")]
        assert names == ["Sam"]
