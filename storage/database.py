"""Engine and session setup for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite runs in WAL mode with a busy timeout, foreign keys on and full syncs, so the bot and
the CLI can use the same file at once and a commit survives a power cut. One code path
serves both databases.

The engine never shows SQL parameters (names, Telegram ids) in its log lines or in the text
of its errors, which the bot logs with their traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

__all__ = ["Database", "sqlite_url"]


def sqlite_url(data_dir: Path) -> str:
    """The default database: a SQLite file in the data directory."""
    return f"sqlite:///{(data_dir / 'waakvlam.db').resolve()}"


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a committed alert survives a power cut too, not only a crash (NORMAL in WAL mode
    # may drop the last commits); at Telegram's 30 messages/s the fsyncs cost little.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


class Database:
    """Owns the engine; hands out sessions that commit on success and roll back on error."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 30},
                hide_parameters=True,
            )
            event.listen(self.engine, "connect", _enable_sqlite_pragmas)
        else:
            if parsed.drivername == "postgresql":
                url = str(
                    parsed.set(drivername="postgresql+psycopg").render_as_string(
                        hide_password=False
                    )
                )
            self.engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together, or not at all."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
