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
from tests.integration.test_outbox_client_migration import _database_at
from tests.integration.test_unreachable_migration import anna_and_sam, client_columns


def test_the_upgrade_asks_nothing_of_existing_clients_and_the_downgrade_undoes_it(
    database: Database, tmp_path: Path
) -> None:
    with _database_at(database, tmp_path, "0014") as older:
        stamp = "2026-11-02 09:00:00"
        with older.engine.begin() as connection:
            run = connection.exec_driver_sql
            anna_and_sam(run, stamp)
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
