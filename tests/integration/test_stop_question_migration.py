"""Revision 0014 on SQLite and PostgreSQL: an existing client gains ``stop_asked_at`` (empty:
no stop question open), the schema check sees the revision, and the downgrade takes the column
away again with the client kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command

from storage.database import Database
from storage.migrate import alembic_config, newest_revision, schema_is_current, upgrade
from tests.integration.test_outbox_client_migration import _database_at
from tests.integration.test_unreachable_migration import anna_and_sam, client_columns

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_the_upgrade_opens_no_stop_question_and_the_downgrade_undoes_it(
    database: Database, tmp_path: Path
) -> None:
    with _database_at(database, tmp_path, "0013") as older:
        stamp = "2026-11-02 09:00:00"
        with older.engine.begin() as connection:
            run = connection.exec_driver_sql
            anna_and_sam(run, stamp)
        assert "stop_asked_at" not in client_columns(older)
        assert not schema_is_current(older.engine)

        upgrade(older.engine, "0014")

        assert schema_is_current(older.engine) or newest_revision() != "0014"
        # Read plainly: the model may hold columns of later revisions (0015's relay_asked).
        with older.engine.begin() as connection:
            run = connection.exec_driver_sql
            assert run("SELECT stop_asked_at FROM client").scalar_one() is None
            run(f"UPDATE client SET stop_asked_at = '{stamp}'")
        with older.engine.connect() as connection:
            asked = connection.exec_driver_sql("SELECT stop_asked_at FROM client").scalar_one()
        assert asked is not None

        command.downgrade(alembic_config(older.engine), "0013")
        assert "stop_asked_at" not in client_columns(older)
        with older.engine.connect() as connection:
            names = [row[0] for row in connection.exec_driver_sql("SELECT name FROM client")]
        assert names == ["Sam"]
