"""Revision 0013 on SQLite and PostgreSQL: a client gains ``message_promised_by`` (empty: no
promise), a promise a stored wait holds (``message:<id>:told``) is carried over to its client,
the schema check sees the revision, and the downgrade takes the column away again with the
clients kept."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from storage.database import Database
from storage.migrate import alembic_config, newest_revision, schema_is_current, upgrade
from tests.integration.test_outbox_client_migration import _database_at, organisation_and_team
from tests.integration.test_unreachable_migration import client_columns


def test_the_upgrade_carries_over_the_promises_the_waits_hold_and_the_downgrade_undoes_it(
    database: Database, tmp_path: Path
) -> None:
    with _database_at(database, tmp_path, "0012") as older:
        stamp = "2026-11-02 09:00:00"
        with older.engine.begin() as connection:
            run = connection.exec_driver_sql
            organisation_and_team(run, stamp)
            for coach_id, name, awaiting in (
                (1, "Anna", "'message:1:told'"),
                (2, "Bram", "'message:2'"),
            ):
                run(
                    "INSERT INTO coach (id, team_id, name, status, language, awaiting, "
                    "available_days, available_from, available_until, created_at) VALUES "
                    f"({coach_id}, 1, '{name}', 'active', 'nl', {awaiting}, '1234567', "
                    f"'00:00', '24:00', '{stamp}')"
                )
            for client_id, name, coach_id in ((1, "Sam", 1), (2, "Jan", 2), (3, "Kim", 1)):
                run(
                    "INSERT INTO client (id, coach_id, name, status, language, relay_direct, "
                    f"awaiting_message, created_at, updated_at) VALUES ({client_id}, "
                    f"{coach_id}, '{name}', 'active', 'nl', false, false, '{stamp}', '{stamp}')"
                )
        assert "message_promised_by" not in client_columns(older)

        upgrade(older.engine, "0013")

        # The newest revision now, or one after it (a later column) is still to come.
        assert schema_is_current(older.engine) or newest_revision() != "0013"
        with older.engine.connect() as connection:  # not the model: later columns are not here
            rows = connection.exec_driver_sql("SELECT name, message_promised_by FROM client")
            promised = {name: coach_id for name, coach_id in rows}
        # Anna's wait held the promise to Sam; Bram's plain wait for Jan promised nothing.
        assert promised == {"Sam": 1, "Jan": None, "Kim": None}

        command.downgrade(alembic_config(older.engine), "0012")
        assert "message_promised_by" not in client_columns(older)
        with older.engine.connect() as connection:
            names = sorted(row[0] for row in connection.exec_driver_sql("SELECT name FROM client"))
        assert names == ["Jan", "Kim", "Sam"]
