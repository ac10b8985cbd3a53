"""Running bot instances and their heartbeats: who may keep the outbox rows it claimed.

Every process registers under a new random id when its delivery worker starts and writes a
heartbeat every ``HEARTBEAT`` (two seconds). An instance whose heartbeat is older than
``DEAD_AFTER`` (six seconds) is dead: the rows it claimed may be taken over. A restarted
process is a new instance, so the rows of the one that died are free as soon as its last
heartbeat is six seconds old; a clean stop deletes the row and frees them at once.

Heartbeats are read and written in the database's time on PostgreSQL (``clock_timestamp()``),
so instances on machines whose clocks differ still agree on who is alive; SQLite has every
instance on one machine, and uses its clock.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from storage.models import Instance

__all__ = [
    "DEAD_AFTER",
    "FORGET_AFTER",
    "HEARTBEAT",
    "beat",
    "database_now",
    "forget_dead",
    "live_since",
    "new_instance_id",
    "register",
    "retire",
]

HEARTBEAT = timedelta(seconds=2)
DEAD_AFTER = timedelta(seconds=6)  # three missed heartbeats
FORGET_AFTER = timedelta(hours=1)  # a dead instance's row is deleted after this


def new_instance_id() -> str:
    return secrets.token_hex(8)


def database_now(session: Session) -> datetime:
    """Now, as the heartbeats count it: the server's clock on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        moment = session.execute(select(func.clock_timestamp())).scalar_one()
        assert isinstance(moment, datetime)
        return moment.astimezone(UTC)
    return datetime.now(UTC)


def live_since(session: Session) -> datetime:
    """An instance whose heartbeat is at or after this moment is alive."""
    return database_now(session) - DEAD_AFTER


def register(session: Session, instance_id: str, *, host: str, pid: int) -> None:
    now = database_now(session)
    session.add(Instance(id=instance_id, host=host[:64], pid=pid, started_at=now, heartbeat_at=now))


def beat(session: Session, instance_id: str) -> bool:
    """Renew the heartbeat. False when the instance counts as dead already (its heartbeat was
    stale, or its row is gone): its claims may have been taken over, so it must not send
    them, and goes on as a new instance."""
    now = database_now(session)
    result = session.execute(
        update(Instance)
        .where(col(Instance.id) == instance_id, col(Instance.heartbeat_at) >= now - DEAD_AFTER)
        .values(heartbeat_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def retire(session: Session, instance_id: str, *, host: str | None = None) -> bool:
    """The instance is gone (a clean stop, or a restart found it dead): what it still held is
    free at once. With ``host``, only if it ran on that host. True when a row was deleted."""
    statement = delete(Instance).where(col(Instance.id) == instance_id)
    if host is not None:
        statement = statement.where(col(Instance.host) == host[:64])
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def forget_dead(session: Session) -> int:
    """Delete instances dead for over an hour (a killed process leaves its row behind)."""
    result = session.execute(
        delete(Instance).where(col(Instance.heartbeat_at) < database_now(session) - FORGET_AFTER)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
