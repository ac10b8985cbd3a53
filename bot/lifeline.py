"""This process's heartbeat: what lets it keep the outbox rows it is sending, and lets another
process take them over within seconds when it dies (as Oban's Lifeline or Sidekiq's reliable
fetch do).

A thread, not a task on the event loop, writes the heartbeat every two seconds: a busy loop
does not make a live process look dead. The thread does watch the loop, though: a loop that
has not run for ``LOOP_STALL_LIMIT`` is wedged, and a wedged process should not keep an alert
from being sent by another. ``may_send`` tells the worker whether its claims are still its own
for certain: only within ``DEAD_AFTER`` minus one heartbeat of the last heartbeat that
reached the database. A heartbeat that finds the instance already counted dead (the database
was out of reach too long) makes it a new instance; the old claims are left to whoever takes
them.

Another instance takes a dead one's rows over once its heartbeat is six seconds old. A
process restarting in the same data directory need not wait that long: the directory's
``instance.lock`` names the instance that ran there last and is locked while it runs (the
kernel lets go of the lock when the process dies). Getting the lock means that instance is
gone, so the new one retires it at once (if it ran on this host) and its rows are free.
Several instances sharing one data directory skip this (the lock is taken) and rely on the
heartbeats alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import IO

from storage import instances
from storage.database import Database

__all__ = ["LOCK_FILE", "LOOP_STALL_LIMIT", "Lifeline"]

log = logging.getLogger(__name__)

LOOP_STALL_LIMIT = 30.0  # seconds without the event loop running: the process is wedged
FORGET_EVERY = 150  # heartbeats between clearing out long-dead instances (about 5 minutes)
LOCK_FILE = "instance.lock"  # in the data directory: the instance running there


class Lifeline:
    def __init__(
        self,
        database: Database,
        *,
        heartbeat: float = instances.HEARTBEAT.total_seconds(),
        dead_after: float = instances.DEAD_AFTER.total_seconds(),
        lock_file: Path | None = None,
    ) -> None:
        self.database = database
        self.lock_file = lock_file
        self._lock: IO[str] | None = None
        self.heartbeat = heartbeat
        self.dead_after = dead_after
        self.instance_id = ""
        self._fresh_until = 0.0  # time.monotonic() until which our claims are surely ours
        self._was_fresh = True
        self._loop_seen = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Register a new instance and start beating (call on the event loop)."""
        if self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._loop_seen = time.monotonic()
        self._register()
        self._follow_predecessor()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="waakvlam-lifeline", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and retire the instance: what it still held is free at once."""
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join(timeout=10)
        self._thread = None
        self._fresh_until = 0.0
        try:
            with self.database.transaction() as session:
                instances.retire(session, self.instance_id)
        except Exception as error:  # its heartbeat goes stale in a few seconds anyway
            log.warning("could not retire instance: %s", type(error).__name__)
        if self._lock is not None:
            self._lock.close()  # lets go of the lock
            self._lock = None

    def may_send(self) -> bool:
        """Whether this instance surely still holds what it claimed (said in the log when that
        changes while it runs)."""
        fresh = time.monotonic() < self._fresh_until
        if fresh != self._was_fresh and self._thread is not None:
            self._was_fresh = fresh
            if fresh:
                log.info("heartbeat back: sending again")
            else:
                log.warning("no fresh heartbeat: not sending until there is one")
        return fresh

    def _register(self) -> None:
        self.instance_id = instances.new_instance_id()
        started = time.monotonic()
        with self.database.transaction() as session:
            instances.register(
                session, self.instance_id, host=socket.gethostname(), pid=os.getpid()
            )
        self._fresh_until = started + self.dead_after - self.heartbeat
        self._note()
        log.info("instance %s started", self.instance_id)

    def _note(self) -> None:
        """Write the instance id into the held lock file, for the process after this one."""
        if self._lock is None:
            return
        try:
            self._lock.seek(0)
            self._lock.truncate()
            self._lock.write(self.instance_id)
            self._lock.flush()
        except OSError as error:
            log.warning("instance lock not written: %s", type(error).__name__)

    def _follow_predecessor(self) -> None:
        """Take the data directory's lock; the instance it names died: retire it now."""
        if self.lock_file is None:
            return
        try:
            import fcntl
        except ImportError:  # not on a POSIX system: the heartbeats alone
            return
        try:
            self.lock_file.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.lock_file, "a+", encoding="ascii")  # noqa: SIM115 (held open)
        except OSError as error:
            log.warning("no instance lock: %s", type(error).__name__)
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another live instance runs in this data directory
            handle.close()
            return
        handle.seek(0)
        before = handle.read().strip()
        with contextlib.suppress(OSError):
            os.chmod(self.lock_file, 0o600)
        self._lock = handle
        self._note()
        if before and before != self.instance_id:
            # Only one of this host: a lock on a shared network disk may not hold across hosts.
            with self.database.transaction() as session:
                gone = instances.retire(session, before, host=socket.gethostname())
            if gone:
                log.info("instance %s ran here before and is gone: what it held is free", before)

    def _seen(self) -> None:
        self._loop_seen = time.monotonic()

    def _run(self) -> None:
        beats = 0
        while not self._stopping.wait(self.heartbeat):
            beats += 1
            try:
                self._beat(forget=beats % FORGET_EVERY == 0)
            except Exception as error:
                log.warning("heartbeat failed: %s", type(error).__name__)

    def _beat(self, *, forget: bool) -> None:
        started = time.monotonic()
        if started - self._loop_seen > LOOP_STALL_LIMIT:
            log.warning("event loop stalled for %.0f s: no heartbeat", started - self._loop_seen)
            return
        if self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(self._seen)
            except RuntimeError:  # the loop is closed: the process is going away
                return
        with self.database.transaction() as session:
            alive = instances.beat(session, self.instance_id)
            if forget:
                instances.forget_dead(session)
        if alive:
            self._fresh_until = started + self.dead_after - self.heartbeat
            return
        log.warning("instance %s was taken for dead; going on as a new one", self.instance_id)
        self._register()
