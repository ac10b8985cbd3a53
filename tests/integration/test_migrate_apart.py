"""The running bot's upgrade at start: the revision read without Alembic, the upgrade in a
process of its own, so the bot's process never holds Alembic (storage/migrate.py)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from storage.database import Database
from storage.migrate import (
    alembic_config,
    bring_up_to_date,
    newest_revision,
    schema_is_current,
    upgrade,
)
from tests.conftest import POSTGRES_SERVER


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips, or fails in CI, when PostgreSQL is away
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    name = f"waakvlam_migrate_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_newest_revision_read_from_the_files_is_alembics_head(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'any.db'}")
    try:
        heads = ScriptDirectory.from_config(alembic_config(database.engine)).get_heads()
    finally:
        database.dispose()
    assert heads == [newest_revision()]


def test_a_new_database_is_upgraded_by_a_process_of_its_own(new_database_url: str) -> None:
    database = Database(new_database_url)
    try:
        assert not schema_is_current(database.engine)

        bring_up_to_date(database.engine)

        assert schema_is_current(database.engine)
        tables = set(inspect(database.engine).get_table_names())
        assert {"client", "coach", "alert", "outbox", "instance"} <= tables
        bring_up_to_date(database.engine)  # at the newest already: nothing to do
    finally:
        database.dispose()


def test_a_database_one_migration_behind_is_brought_up_to_date(new_database_url: str) -> None:
    database = Database(new_database_url)
    try:
        script = ScriptDirectory.from_config(alembic_config(database.engine))
        before_newest = script.get_revision(newest_revision()).down_revision
        assert isinstance(before_newest, str)
        upgrade(database.engine, before_newest)
        assert not schema_is_current(database.engine)

        bring_up_to_date(database.engine)

        with database.engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [row[0] for row in stored] == [newest_revision()]
    finally:
        database.dispose()


def test_the_process_that_brings_it_up_to_date_never_loads_alembic(tmp_path: Path) -> None:
    """Nor httpx's command-line tool (rich, pygments; bot/__init__.py): memory the running bot
    would hold for nothing."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    program = (
        "import sys\n"
        "from storage.database import Database\n"
        "from storage.migrate import bring_up_to_date, schema_is_current\n"
        "import bot.runner\n"
        f"database = Database({url!r})\n"
        "bring_up_to_date(database.engine)\n"
        "print(schema_is_current(database.engine), 'alembic' in sys.modules)\n"
        "print('rich' in sys.modules, 'pygments' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["True", "False", "False", "False"]


def test_a_database_newer_than_the_code_stops_the_start_with_a_clear_reason(
    new_database_url: str,
) -> None:
    database = Database(new_database_url)
    try:
        upgrade(database.engine)
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))

        with pytest.raises(RuntimeError, match="revision 9999, newer than this code knows"):
            bring_up_to_date(database.engine)
    finally:
        database.dispose()


def test_a_database_at_several_revisions_stops_the_start(new_database_url: str) -> None:
    database = Database(new_database_url)
    try:
        upgrade(database.engine)
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0001')"))

        with pytest.raises(RuntimeError, match="several revisions"):
            schema_is_current(database.engine)
    finally:
        database.dispose()


def test_an_unreachable_database_is_an_error_not_a_new_database(tmp_path: Path) -> None:
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(OperationalError):
            schema_is_current(database.engine)
    finally:
        database.dispose()
