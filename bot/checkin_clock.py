"""The clock's side of check-ins: start the ones that are due, remind or close the ones whose
time came, and open one for a client (asked from the menu, by the coach, or by the schedule).

Rows are claimed five at a time (SKIP LOCKED on PostgreSQL), each batch one transaction on a
database thread; a noodknop press's database work goes first, so it never waits behind a
fan-out of thousands of check-ins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session
from telegram import Bot

from bot.checkins import schedule_of_row, state_of
from bot.scope import Applied, Scope
from bot.state import Contact, coach_contact
from dialogs import checkin
from dialogs import schedule as checkin_schedule
from dialogs.outcome import Outcome, SaveCheckin
from storage import alerts, checkins, people
from storage.models import ClientStatus
from storage.outbox import Priority

if TYPE_CHECKING:
    from bot.service import Waakvlam

__all__ = ["CheckinClock"]

log = logging.getLogger(__name__)


class CheckinClock:
    """Opens check-ins (on request or when due) and moves open ones on when their time comes.

    It carries its outcomes out through the service's one ``apply`` path, so it holds the
    service rather than copies of its parts."""

    def __init__(self, service: Waakvlam) -> None:
        self.service = service

    def start(
        self,
        session: Session,
        client_id: int,
        origin: str,
        bot_username: str,
        priority: Priority = Priority.NOTICE,
    ) -> Applied:
        """Open a check-in for an active client and queue its first question."""
        people.lock_client(session, client_id)  # one open check-in per client, also on PG
        client = people.get_client(session, client_id)
        if (
            client is None
            or client.id is None
            or client.status != ClientStatus.ACTIVE
            or client.telegram_user_id is None
            or checkins.open_checkin_of(session, client.id) is not None
        ):
            return Applied()
        now = self.service.clock.now()
        coach = people.get_coach(session, client.coach_id)
        book = self.service.checkins.book(client.language)
        row = checkins.add_checkin(
            session, client_id=client.id, version=book.current.version, origin=origin, now=now
        )
        assert row.id is not None
        context = self.service.checkins.context(session, client, coach.name if coach else "", None)
        outcome = checkin.start_checkin(row.id, now, context)
        scope = Scope(
            coach=coach_contact(coach),
            client=Contact(client.telegram_user_id, client.language),
        )
        return self.service.apply(
            session, outcome, scope, bot_username=bot_username, priority=priority
        )

    async def tick(self, bot: Bot, batch: int = 5) -> None:
        """Start the check-ins that are due, then remind or close the ones whose time came.

        Rows are claimed five at a time (SKIP LOCKED on PostgreSQL, so another instance
        takes other rows); each client gets a savepoint, so one broken client holds up nobody.
        Each batch is one transaction on a database thread, never on the event loop, and urgent
        database work (a noodknop press) goes before the next batch: a noodknop never waits
        behind a fan-out of thousands of check-ins.
        """
        for claim, handle in (
            (checkins.claim_due_schedules, self._due),
            (checkins.claim_waking_checkins, self._waking),
        ):
            seen: set[int] = set()
            while True:
                applied, claimed = await self.service.database.run(
                    self._batch, claim, handle, seen, bot.username, batch
                )
                self.service.wake(applied)
                if claimed < batch:
                    break

    def _batch(
        self,
        claim: Callable[[Session, datetime, int], Sequence[Any]],
        handle: Callable[[Session, Any, datetime, str], Applied],
        seen: set[int],
        username: str,
        batch: int,
    ) -> tuple[Applied, int]:
        """Claim and handle one batch in one transaction (blocking: on a database thread)."""
        now = self.service.clock.now()
        applied = Applied()
        with self.service.database.transaction() as session:
            rows = [r for r in claim(session, now, batch) if r.id not in seen]
            for row in rows:
                assert row.id is not None
                seen.add(row.id)
                try:
                    with session.begin_nested():
                        done = handle(session, row, now, username)
                except Exception:
                    log.exception("check-in row %s failed; next try later", row.id)
                    _postpone(row, now)
                    session.add(row)
                    continue
                applied.queued += done.queued
        return applied, len(rows)

    def _due(self, session: Session, row: Any, now: datetime, username: str) -> Applied:
        schedule = schedule_of_row(row)
        quiet = self.service.checkins.quiet
        plan = checkin_schedule.plan_due(schedule, row.next_due_at, now, quiet)
        if plan.send and alerts.open_alert_of(session, row.client_id) is not None:
            # No "how are you doing?" while an alert is open: look again in an hour, while
            # the check-in is still fresh (counted from when it was due), else the next one.
            row.next_due_at = checkin_schedule.hold_back(schedule, now, quiet)
            session.add(row)
            return Applied()
        row.next_due_at = plan.next_due_at
        session.add(row)
        if not plan.send:
            return Applied()
        return self.start(session, row.client_id, "schedule", username, Priority.CHECKIN)

    def _waking(self, session: Session, row: Any, now: datetime, username: str) -> Applied:
        people.lock_client(session, row.client_id)  # the client may be answering right now
        session.refresh(row)
        client = people.get_client(session, row.client_id)
        assert client is not None
        coach = people.get_coach(session, client.coach_id)
        state = state_of(row)
        context = self.service.checkins.context(session, client, coach.name if coach else "", state)
        outcome = checkin.timer_fired(state, now, context)
        if client.status != ClientStatus.ACTIVE or client.telegram_user_id is None:
            # The client stopped: close quietly, nobody is told about a "missed" check-in.
            closed = checkin.close_missed(state, now, context)
            outcome = Outcome(
                effects=tuple(e for e in closed.effects if isinstance(e, SaveCheckin))
            )
        scope = Scope(
            coach=coach_contact(coach),
            client=Contact(client.telegram_user_id, client.language)
            if client.telegram_user_id
            else None,
        )
        return self.service.apply(
            session, outcome, scope, bot_username=username, priority=Priority.CHECKIN
        )


def _postpone(row: Any, now: datetime) -> None:
    """A row that failed is looked at again in a while, not in a tight loop."""
    later = now + timedelta(minutes=15)
    if hasattr(row, "next_due_at"):
        row.next_due_at = later
    else:
        row.wake_at = later
