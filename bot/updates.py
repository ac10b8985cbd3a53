"""How updates are handled: different chats at once, one chat in order, alerts first.

python-telegram-bot hands every update to ``ChatOrderedProcessor.do_process_update``:

* one asyncio lock per chat (the private chat, or the person for a button press) keeps a
  person's updates in the order they sent them, while other people's updates run meanwhile:
  one person's flood only ever queues behind itself;
* at most ``max_running`` updates run at once (database connections, memory in flight);
  waiting updates hold no slot and an urgent one (a noodknop press, an alert button) gets the
  next free slot before the others; so does the update ahead of it in its own chat, which
  then hands its slot straight on;
* a chat's lock exists only while that chat has updates in flight, so memory stays bounded
  by the updates in flight, not by everyone who ever wrote.

Urgent updates run with ``bot.urgency`` set, so their database work and their sends go first
too.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.urgency import urgent_work

__all__ = ["ChatOrderedProcessor", "chat_key"]

log = logging.getLogger(__name__)

#: How many updates PTB may hand over at once; they wait here (cheaply) for a slot, so
#: the order of slots is ours (urgent first), not PTB's first-come semaphore.
MAX_ACCEPTED = 100_000


def chat_key(update: object) -> Hashable:
    """Whose updates must stay in order: the person for a button press (in a team group too),
    else the chat. Updates without either share one key."""
    if not isinstance(update, Update):
        return None
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    chat = update.effective_chat
    if chat is not None and chat.type == chat.PRIVATE:
        return chat.id
    user = update.effective_user
    if user is not None:
        return user.id
    return chat.id if chat is not None else None


@dataclass
class _Chat:
    """One chat's updates in flight: the lock that orders them, and who waits for it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # updates in flight for this chat (running or waiting)
    urgent_waiting: int = 0  # urgent updates waiting for this chat's lock
    handoff: bool = False  # a finished update left its slot to the next one of this chat


@dataclass(eq=False)  # each waiter is itself: found and removed by identity
class _Waiter:
    future: asyncio.Future[None]
    chat: _Chat
    urgent: bool

    @property
    def first(self) -> bool:
        """Goes before the others: urgent, or ahead of an urgent update in its chat."""
        return self.urgent or self.chat.urgent_waiting > 0


class _Slots:
    """A counting gate where urgent waiters go first; first come, first served otherwise.

    ``urgent_pending`` tells whether any urgent update is waiting for its chat's lock: only
    then can a waiter that is not urgent itself go first, and only then are the waiters
    searched; otherwise the first in line goes, whatever the length of the line (a burst of
    hundreds of updates)."""

    def __init__(self, limit: int, urgent_pending: Callable[[], bool]) -> None:
        self.free = limit
        self._waiters: deque[_Waiter] = deque()
        self._urgent_waiters = 0
        self._urgent_pending = urgent_pending

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self, chat: _Chat, urgent: bool) -> None:
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return
        waiter = _Waiter(asyncio.get_running_loop().create_future(), chat, urgent)
        self._waiters.append(waiter)
        self._urgent_waiters += urgent
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self.release()  # granted just as we were cancelled: hand it on
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
                self._urgent_waiters -= urgent
            raise

    def release(self) -> None:
        self.free += 1
        while self.free > 0 and self._waiters:
            waiter = self._next()
            self._urgent_waiters -= waiter.urgent
            if waiter.future.done():
                continue
            self.free -= 1
            waiter.future.set_result(None)

    def _next(self) -> _Waiter:
        if self._urgent_waiters or self._urgent_pending():
            for index, waiter in enumerate(self._waiters):
                if waiter.first:
                    del self._waiters[index]
                    return waiter
        return self._waiters.popleft()


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Per-chat order, concurrency across chats, a bounded number running, alerts first."""

    def __init__(
        self,
        max_running: int = 64,
        *,
        urgent: Callable[[object], bool] | None = None,
    ) -> None:
        super().__init__(MAX_ACCEPTED)
        if max_running < 1:
            raise ValueError("max_running must be at least 1")
        self.max_running = max_running
        self._is_urgent = urgent or (lambda update: False)
        self._chats: dict[Hashable, _Chat] = {}
        self._urgent_pending = 0  # urgent updates waiting for their chat's lock
        self._slots = _Slots(max_running, lambda: self._urgent_pending > 0)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def chats_in_flight(self) -> int:
        """Chats with updates running or waiting (their locks are all that is kept)."""
        return len(self._chats)

    @property
    def running(self) -> int:
        return self.max_running - self._slots.free

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def wait_idle(self) -> None:
        """Return once no update is running or waiting (tests, benchmarks)."""
        await self._idle.wait()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _urgent(self, update: object) -> bool:
        try:
            return bool(self._is_urgent(update))
        except Exception:
            log.exception("could not tell whether an update is urgent")
            return False

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        urgent = self._urgent(update)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
        chat.users += 1
        self._in_flight += 1
        self._idle.clear()
        started = False
        try:
            if urgent:
                chat.urgent_waiting += 1
                self._urgent_pending += 1
            try:
                await chat.lock.acquire()
            finally:
                if urgent:
                    chat.urgent_waiting -= 1
                    self._urgent_pending -= 1
            try:
                if chat.handoff:
                    chat.handoff = False  # the update ahead of us left us its slot
                else:
                    await self._slots.acquire(chat, urgent)
                try:
                    with urgent_work(urgent):
                        started = True
                        await coroutine
                finally:
                    if chat.urgent_waiting:
                        chat.handoff = True  # straight on to this chat's urgent update
                    else:
                        self._slots.release()
            finally:
                chat.lock.release()
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: never started, never awaited
            chat.users -= 1
            if chat.users == 0:
                if chat.handoff:
                    self._slots.release()  # the urgent update it was left for gave up
                del self._chats[key]
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()
