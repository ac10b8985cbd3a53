"""Engine and session setup for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite runs in WAL mode with a busy timeout, foreign keys on and full syncs, so the bot and
the CLI can use the same file at once and a commit survives a power cut. One code path
serves both databases.

The engine never shows SQL parameters (names, Telegram ids) in its log lines or in the text
of its errors, which the bot logs with their traceback.

The bot never runs a transaction on its event loop: ``await database.run(work, ...)`` runs
``work`` (synchronous SQLModel code, one whole transaction) on the database's own worker
thread, urgent work (alerts) before other queued work. One thread, on both databases: the
work is mostly Python (the ORM), so more threads only share the interpreter lock, and an
alert's transaction got a quarter of it behind three check-ins (PostgreSQL with four
threads: 100 ms instead of 15 ms under load); SQLite's writers take turns anyway. One
thread also keeps every read-decide-write of the process one after the other. Between
processes (several instances on PostgreSQL, the CLI) row locks (``people.lock_client``)
and SQLite's file lock order what must be ordered. A remote PostgreSQL, where transactions
mostly wait for the network, may want ``threads=`` more.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import itertools
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

__all__ = ["Database", "sqlite_url"]

log = logging.getLogger(__name__)

T = TypeVar("T")

THREADS = 1  # database worker threads (see above)

_Job = tuple[
    concurrent.futures.Future[Any], contextvars.Context, Callable[..., Any], tuple[Any, ...]
]


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
    # A deleted row is overwritten with zeros, not left readable in a free page of the file:
    # an erased client (storage.data_rights) must not be recoverable from waakvlam.db.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


_worker = threading.local()  # .active on the database's own threads

# Rows a transaction's session keeps for itself (see ``_TransactionSession``); more are held
# as SQLAlchemy holds them (while something else refers to them): a big job's session never
# keeps a whole table in memory.
HELD_ROWS = 512


class _TransactionSession(Session):
    """A session that holds the rows it loaded or stored until it ends (up to ``HELD_ROWS``).

    SQLAlchemy's identity map keeps a row only while something else refers to it: a row
    one step of an update loaded and let go (the check-in just opened, the client's coach)
    was read again by the next step that asked for it (``session.get``), one statement more
    each time. SQLAlchemy's own recipe for "strong referencing" (the session events below);
    a session here lives for one transaction, so what it holds goes with it."""


def _hold(session: Session, instance: object) -> None:
    held: dict[int, object] = session.info.setdefault("held", {})
    if len(held) < HELD_ROWS:
        held[id(instance)] = instance


def _let_go(session: Session, instance: object) -> None:
    session.info.get("held", {}).pop(id(instance), None)


for _became_persistent in (
    "pending_to_persistent",
    "deleted_to_persistent",
    "detached_to_persistent",
    "loaded_as_persistent",
):
    event.listen(_TransactionSession, _became_persistent, _hold)
for _left in ("persistent_to_detached", "persistent_to_deleted", "persistent_to_transient"):
    event.listen(_TransactionSession, _left, _let_go)


def _begin_immediate(connection: Any) -> None:
    """On the database's threads a SQLite transaction takes the write lock when it starts
    (waiting up to the busy timeout for it), not at its first write: a transaction that read
    in a snapshot and then writes after another connection committed fails at once with
    "database is locked" (SQLite does not wait for a stale snapshot). Elsewhere (migrations,
    the CLI, tests) the driver's default holds: a transaction begins at its first write."""
    if getattr(_worker, "active", False):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class _Workers:
    """Threads that run blocking database work in priority order (urgent first, then first
    come, first served). Started on first use; ``close`` finishes what was queued."""

    def __init__(self, threads: int, name: str) -> None:
        self.size = threads
        self._name = name
        self._queue: queue.PriorityQueue[tuple[int, int, _Job | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(
        self, work: Callable[..., T], args: tuple[Any, ...], urgent: bool
    ) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        job: _Job = (future, contextvars.copy_context(), work, args)
        with self._lock:
            if not self._threads:
                self._threads = [
                    threading.Thread(target=self._work, name=f"{self._name}-{n}", daemon=True)
                    for n in range(self.size)
                ]
                for thread in self._threads:
                    thread.start()
            self._queue.put((0 if urgent else 1, next(self._order), job))
        return future

    def _work(self) -> None:
        _worker.active = True
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            future, context, work, args = job
            if not future.set_running_or_notify_cancel():
                continue  # the caller gave up before it started
            try:
                result = context.run(work, *args)
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)

    def close(self, timeout: float = 30.0) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
            for _ in threads:
                self._queue.put((2, next(self._order), None))  # after all queued work
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)


class Database:
    """Owns the engine; hands out sessions that commit on success and roll back on error.

    ``threads``: worker threads for ``run`` (default 1; see the module's docstring)."""

    def __init__(self, url: str, *, threads: int | None = None) -> None:
        self.url = url
        parsed = make_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        self._workers = _Workers(threads or THREADS, "waakvlam-db")
        # SQLite: the threads of this process take turns for a transaction here, in the order
        # they come, instead of in SQLite's busy handler, which polls with sleeps and lets a
        # thread that commits and begins again at once (the database thread under load) keep
        # the file for seconds while another (a heartbeat, the event loop) starves. Reentrant:
        # a transaction opened inside another on the same thread works as before.
        self._turns: threading.RLock | None = threading.RLock() if sqlite else None
        if sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 30},
                hide_parameters=True,
            )
            event.listen(self.engine, "connect", _enable_sqlite_pragmas)
            event.listen(self.engine, "begin", _begin_immediate)
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
        with self._turn(), _TransactionSession(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def _turn(self) -> Iterator[None]:
        if self._turns is None:
            yield
            return
        with self._turns:
            yield

    async def run(self, work: Callable[..., T], /, *args: Any, urgent: bool = False) -> T:
        """Run blocking database ``work(*args)`` on a worker thread and wait for its result,
        without blocking the event loop. Keep each transaction inside one ``work``: it must
        not wait for the loop. ``urgent`` work goes before everything queued that is not."""
        return await asyncio.wrap_future(self._workers.submit(work, args, urgent))

    def scrub(self) -> None:
        """After an erasure: SQLite copies its write-ahead log into the file and empties it,
        so no earlier copy of an erased row's page is left in ``waakvlam.db-wal`` (readers
        still holding old pages make it wait, up to the busy timeout). PostgreSQL keeps dead
        rows until its autovacuum; its own log is the database administrator's to keep."""
        if self.is_postgresql:
            return
        try:
            # The driver's own connection: outside any transaction (a checkpoint cannot run
            # inside one, and on the database's threads every SQLAlchemy one is IMMEDIATE).
            with self._turn():
                raw = self.engine.raw_connection()
                try:
                    raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
                finally:
                    raw.close()
        except sqlite3.OperationalError as error:
            # Another connection of a running bot is in the middle of something: the log is
            # emptied at a later checkpoint, and written over as the bot goes on.
            log.warning("write-ahead log not emptied now (%s)", type(error).__name__)

    def dispose(self) -> None:
        self._workers.close()
        self.engine.dispose()
