"""Database work runs off the event loop: on the database's own threads, urgent work before
other queued work, every transaction whole inside one call, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from storage.database import Database
from storage.models import Organisation

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _add(database: Database, name: str, order: list[str]) -> str:
    with database.transaction() as session:
        session.add(Organisation(name=name, created_at=NOW))
    order.append(name)
    return threading.current_thread().name


async def test_work_runs_on_a_database_thread_and_commits(database: Database) -> None:
    order: list[str] = []
    thread = await database.run(_add, database, "Waakvlam", order)
    assert thread.startswith("waakvlam-db") and thread != threading.current_thread().name
    with database.transaction() as session:
        assert [o.name for o in session.exec(select(Organisation))] == ["Waakvlam"]


async def test_urgent_work_goes_before_queued_work(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'one.db'}", threads=1)
    try:
        held, go = threading.Event(), threading.Event()

        def block() -> None:
            held.set()
            go.wait(10)

        order: list[str] = []
        blocking = asyncio.ensure_future(database.run(block))
        await asyncio.to_thread(held.wait, 10)
        queued = [
            asyncio.ensure_future(database.run(order.append, "check-in 1")),
            asyncio.ensure_future(database.run(order.append, "check-in 2")),
            asyncio.ensure_future(database.run(order.append, "noodknop", urgent=True)),
        ]
        go.set()
        await asyncio.gather(blocking, *queued)
        assert order == ["noodknop", "check-in 1", "check-in 2"]
    finally:
        database.dispose()


async def test_an_error_comes_back_and_rolls_back(database: Database) -> None:
    def fail() -> None:
        with database.transaction() as session:
            session.add(Organisation(name="half", created_at=NOW))
            session.flush()
            raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await database.run(fail)
    with database.transaction() as session:
        assert list(session.exec(select(Organisation))) == []


async def test_dispose_finishes_what_was_queued(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'two.db'}")
    order: list[str] = []
    pending = [asyncio.ensure_future(database.run(order.append, n)) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    database.dispose()
    await asyncio.gather(*pending)
    assert order == ["a", "b", "c"]
