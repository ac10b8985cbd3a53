"""Shared fixtures: a real database on SQLite and on PostgreSQL, a fixed clock, the texts.

PostgreSQL is at ``WAAKVLAM_TEST_POSTGRES`` (default postgresql://postgres@127.0.0.1:5432). Locally
its tests skip with the reason when no server answers; in CI (``CI=true``) they must run, so an
unreachable server fails them instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bot.clock import FixedClock
from bot.texts import Texts, load_texts
from storage.database import Database
from storage.migrate import upgrade

POSTGRES_SERVER = os.environ.get(
    "WAAKVLAM_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Monday 2 November 2026, 10:00 in Amsterdam (CET, UTC+1).
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def texts() -> Texts:
    return load_texts("nl")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards."""
    admin_engine = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    name = f"waakvlam_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin_engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin_engine.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL must run in CI but is unreachable: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_SERVER}")
    url = f"{POSTGRES_SERVER}/{name}"
    migrated = Database(url)
    upgrade(migrated.engine)
    migrated.dispose()
    yield url
    with admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def _empty_postgres(url: str) -> Database:
    database = Database(url)
    with database.engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        if names:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'waakvlam.db'}")
        upgrade(database.engine)
    else:
        database = _empty_postgres(request.getfixturevalue("postgres_url"))
    yield database
    database.dispose()
