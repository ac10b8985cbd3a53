"""The process heartbeat on SQLite and PostgreSQL: an instance row while it runs, none after a
clean stop, a new identity when it was taken for dead, no heartbeat from a wedged process, and
a restart in the same data directory that frees at once what the killed process held."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select, update

from bot.clock import FixedClock
from bot.lifeline import LOOP_STALL_LIMIT, Lifeline
from bot.outbox import OutboxWorker
from storage import instances, outbox
from storage.database import Database
from storage.models import Instance, OutboxMessage
from storage.outbox import Priority

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _rows(database: Database) -> dict[str, Instance]:
    with database.transaction() as session:
        return {row.id: row for row in session.exec(select(Instance))}


def _age(database: Database, instance_id: str, seconds: float) -> None:
    with database.transaction() as session:
        then = instances.database_now(session) - timedelta(seconds=seconds)
        session.execute(
            update(Instance).where(col(Instance.id) == instance_id).values(heartbeat_at=then)
        )


def _crash(lifeline: Lifeline) -> None:
    """What SIGKILL leaves: the thread gone, the lock let go, the instance row still there."""
    lifeline._stopping.set()
    assert lifeline._thread is not None
    lifeline._thread.join()
    lifeline._thread = None
    if lifeline._lock is not None:
        lifeline._lock.close()
        lifeline._lock = None


async def test_an_instance_is_registered_while_it_runs_and_gone_after_a_clean_stop(
    database: Database,
) -> None:
    lifeline = Lifeline(database)
    lifeline.start()
    try:
        row = _rows(database)[lifeline.instance_id]
        assert row.pid == os.getpid() and lifeline.may_send()
    finally:
        lifeline.stop()
    assert _rows(database) == {} and not lifeline.may_send()


async def test_taken_for_dead_it_goes_on_under_a_new_identity(database: Database) -> None:
    lifeline = Lifeline(database)
    lifeline.start()
    try:
        old = lifeline.instance_id
        lifeline._beat(forget=False)
        assert lifeline.instance_id == old, "a fresh heartbeat keeps the identity"
        _age(database, old, instances.DEAD_AFTER.total_seconds() + 1)
        lifeline._beat(forget=False)
        assert lifeline.instance_id != old and lifeline.may_send()
        assert set(_rows(database)) == {old, lifeline.instance_id}
    finally:
        lifeline.stop()


async def test_a_wedged_event_loop_stops_the_heartbeat(database: Database) -> None:
    lifeline = Lifeline(database)
    lifeline.start()
    try:
        _age(database, lifeline.instance_id, 3)
        before = _rows(database)[lifeline.instance_id].heartbeat_at
        lifeline._loop_seen = time.monotonic() - LOOP_STALL_LIMIT - 1
        lifeline._beat(forget=False)
        assert _rows(database)[lifeline.instance_id].heartbeat_at == before
    finally:
        lifeline.stop()


async def test_a_restart_in_the_same_data_directory_frees_what_the_dead_one_held(
    database: Database, tmp_path: Path
) -> None:
    lock = tmp_path / "instance.lock"
    killed = Lifeline(database, lock_file=lock)
    killed.start()
    _crash(killed)
    assert killed.instance_id in _rows(database)
    again = Lifeline(database, lock_file=lock)
    again.start()
    try:
        assert set(_rows(database)) == {again.instance_id}, "the dead one retired at once"
        assert lock.read_text() == again.instance_id
        assert lock.stat().st_mode & 0o777 == 0o600
        # A second live instance in the same directory cannot take the lock: it retires nobody.
        other = Lifeline(database, lock_file=lock)
        other.start()
        try:
            assert set(_rows(database)) == {again.instance_id, other.instance_id}
        finally:
            other.stop()
    finally:
        again.stop()


async def test_a_dead_instance_on_another_host_is_left_to_its_heartbeat(
    database: Database, tmp_path: Path
) -> None:
    """A lock on a shared network disk may not hold across hosts: only this host's go."""
    lock = tmp_path / "instance.lock"
    with database.transaction() as session:
        instances.register(session, "elsewhere", host="another-host", pid=1)
    lock.write_text("elsewhere")
    lifeline = Lifeline(database, lock_file=lock)
    lifeline.start()
    try:
        assert "elsewhere" in _rows(database)
    finally:
        lifeline.stop()


class _Lost:
    """A lifeline whose heartbeat did not reach the database lately."""

    instance_id = "lost"

    def may_send(self) -> bool:
        return False

    def start(self) -> None: ...

    def stop(self) -> None: ...


async def test_without_a_fresh_heartbeat_the_worker_claims_nothing(database: Database) -> None:
    with database.transaction() as session:
        outbox.enqueue(
            session, now=NOW, chat_id=1, priority=Priority.ALERT, text_key="common.question_closed"
        )
    lost: Any = _Lost()
    worker = OutboxWorker(
        database=database, clock=FixedClock(NOW), render=lambda row: None, lifeline=lost
    )
    assert await worker.drain(bot=None) == 0  # type: ignore[arg-type]
    with database.transaction() as session:
        assert session.exec(select(OutboxMessage)).one().claimed_by is None
