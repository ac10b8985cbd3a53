"""Abuse protection for people we do not know, kept in memory only.

A stranger gets the kind "this bot is for people with a lifecoach" answer a few times an hour,
then silence; someone trying many invite links is stopped from trying more. Nothing about a
stranger is written to the database.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

__all__ = ["Guard"]


class _Window:
    def __init__(self, limit: int, period: timedelta) -> None:
        self.limit = limit
        self.period = period
        self._hits: dict[int, deque[datetime]] = {}

    def _recent(self, key: int, now: datetime) -> deque[datetime]:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.period:
            hits.popleft()
        if not hits:
            del self._hits[key]
            hits = self._hits.setdefault(key, deque())
        return hits

    def full(self, key: int, now: datetime) -> bool:
        return len(self._recent(key, now)) >= self.limit

    def hit(self, key: int, now: datetime) -> None:
        self._recent(key, now).append(now)

    def __len__(self) -> int:
        return len(self._hits)


class Guard:
    def __init__(
        self,
        *,
        stranger_replies_per_hour: int = 3,
        failed_links_per_hour: int = 10,
        max_tracked: int = 100_000,
    ) -> None:
        self._replies = _Window(stranger_replies_per_hour, timedelta(hours=1))
        self._failed_links = _Window(failed_links_per_hour, timedelta(hours=1))
        self._max_tracked = max_tracked
        # Asked from the database threads that decide updates (several on PostgreSQL).
        self._lock = threading.Lock()

    def may_answer_stranger(self, telegram_user_id: int, now: datetime) -> bool:
        """True (and counted) while this stranger has answers left this hour."""
        with self._lock:
            if self._replies.full(telegram_user_id, now):
                return False
            self._forget_if_flooded()
            self._replies.hit(telegram_user_id, now)
            return True

    def may_try_link(self, telegram_user_id: int, now: datetime) -> bool:
        with self._lock:
            return not self._failed_links.full(telegram_user_id, now)

    def link_failed(self, telegram_user_id: int, now: datetime) -> None:
        with self._lock:
            self._forget_if_flooded()
            self._failed_links.hit(telegram_user_id, now)

    def _forget_if_flooded(self) -> None:
        # A flood of distinct ids must not grow memory without bound.
        for window in (self._replies, self._failed_links):
            if len(window) > self._max_tracked:
                window._hits.clear()
