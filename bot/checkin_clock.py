"""The clock's side of check-ins: start the ones that are due, remind or close the ones whose
time came, and open one for a client (asked from the menu, by the coach, or by the schedule).

Rows are claimed one at a time (SKIP LOCKED on PostgreSQL), each its own transaction on the
database thread; a noodknop press's database work goes first, so it never waits behind a
fan-out of thousands of check-ins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session
from telegram import Bot

from bot.checkins import CheckinShell, schedule_of_row, state_of
from bot.clock import Clock
from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.outcomes import OutcomeApplier
from bot.scope import Applied, FollowUp, Scope
from bot.state import client_contact, coach_contact
from dialogs import checkin, reachability
from dialogs import schedule as checkin_schedule
from dialogs.coach_notes import closed_for_pause
from dialogs.outcome import MarkStopAsked, Outcome, SaveCheckin, StartCheckin
from dialogs.relay_effects import AwaitClientMessage
from storage import alerts, checkins, people
from storage.database import Database
from storage.models import ClientStatus
from storage.outbox import Priority

__all__ = ["CheckinClock", "CheckinOpener"]

log = logging.getLogger(__name__)


class CheckinOpener:
    """Opens a check-in for a client (asked from the menu, by the coach, or by the schedule):
    the handler of ``StartCheckin``. The first question is a follow-up outcome, carried out
    right after the outcome that opened it: sent directly to a client who asked for it,
    queued in the outbox for anyone else."""

    def __init__(self, checkins: CheckinShell) -> None:
        self.checkins = checkins

    def handlers(self) -> dict[type, Handler]:
        return {StartCheckin: self._start}

    def _start(self, session: Session, effect: StartCheckin, env: EffectEnv) -> EffectResult:
        opening = self.open(session, effect.client_id, effect.origin, env.now, env.priority)
        return EffectResult(follow_up=opening) if opening else NOTHING

    def open(
        self,
        session: Session,
        client_id: int,
        origin: str,
        now: datetime,
        priority: Priority = Priority.NOTICE,
    ) -> FollowUp | None:
        """Open a check-in for an active client; its first question, to carry out next.
        None when the client cannot get one now (not active, unreachable, one is open). A
        scheduled one waits while the client's chat refuses messages (``dialogs.reachability``):
        the schedule moves on, as for a client who is not active."""
        client = people.lock_client(session, client_id)  # one open check-in per client, on PG too
        if (
            client is None
            or client.id is None
            or client.status != ClientStatus.ACTIVE
            or client.telegram_user_id is None
            or checkins.open_checkin_of(session, client.id) is not None
            or (origin == "schedule" and reachability.checkins_wait(client.unreachable_since))
        ):
            return None
        coach = people.get_coach(session, client.coach_id)
        book = self.checkins.book(client.language)
        row = checkins.add_checkin(
            session, client_id=client.id, version=book.current.version, origin=origin, now=now
        )
        assert row.id is not None
        context = self.checkins.context(session, client, coach.name if coach else "", None)
        scope = Scope(
            coach=coach_contact(coach),
            client=client_contact(client),
            client_id=client.id,
        )
        opening = checkin.start_checkin(row.id, now, context)
        if client.awaiting_message:
            # A new question ends "💬 Bericht aan coach": what the client types next answers
            # it (dialogs.message_mode).
            opening += Outcome(effects=(AwaitClientMessage(client.id, False),))
        if client.stop_asked_at is not None:
            # The check-in's question is the last one now: its "nee" is no answer to stopping.
            opening += Outcome(effects=(MarkStopAsked(client.id, False),))
        return FollowUp(opening, scope, priority)


class CheckinClock:
    """Starts the check-ins that are due and moves open ones on when their time comes."""

    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        checkins: CheckinShell,
        opener: CheckinOpener,
        outcomes: OutcomeApplier,
        wake: Callable[[Applied], None],
    ) -> None:
        self.database = database
        self.clock = clock
        self.checkins = checkins
        self.opener = opener
        self.outcomes = outcomes
        self.wake = wake

    # One client per transaction: the outbox worker's database work (render a row, mark it sent)
    # waits for the batch in hand, and with five per batch the fan-out's own first questions
    # went out at 82% of the rate on PostgreSQL (bench/checkin_fanout.py; one: 100%).
    async def tick(self, bot: Bot, batch: int = 1) -> None:
        """Start the check-ins that are due, then remind or close the ones whose time came.

        Rows are claimed one at a time (SKIP LOCKED on PostgreSQL, so another instance
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
                applied, claimed = await self.database.run(self._batch, claim, handle, seen, batch)
                self.wake(applied)
                if claimed < batch:
                    break

    def _batch(
        self,
        claim: Callable[[Session, datetime, int], Sequence[Any]],
        handle: Callable[[Session, Any, datetime], Applied],
        seen: set[int],
        batch: int,
    ) -> tuple[Applied, int]:
        """Claim and handle one batch in one transaction (blocking: on a database thread)."""
        now = self.clock.now()
        applied = Applied()
        with self.database.transaction() as session:
            rows = [r for r in claim(session, now, batch) if r.id not in seen]
            for row in rows:
                assert row.id is not None
                seen.add(row.id)
                try:
                    with session.begin_nested():
                        done = handle(session, row, now)
                except Exception:
                    log.exception("check-in row %s failed; next try later", row.id)
                    _postpone(row, now)
                    session.add(row)
                    continue
                applied.queued += done.queued
        return applied, len(rows)

    def _due(self, session: Session, row: Any, now: datetime) -> Applied:
        plan = checkin_schedule.plan_due_with_alert(
            schedule_of_row(row),
            row.next_due_at,
            now,
            self.checkins.quiet,
            alert_open=alerts.open_alert_of(session, row.client_id) is not None,
        )
        row.next_due_at = plan.next_due_at
        session.add(row)
        if not plan.send:
            return Applied()
        opening = self.opener.open(session, row.client_id, "schedule", now, Priority.CHECKIN)
        if opening is None:
            return Applied()
        return self.outcomes.apply(
            session, opening.outcome, opening.scope, priority=opening.priority
        )

    def _waking(self, session: Session, row: Any, now: datetime) -> Applied:
        client = people.lock_client(session, row.client_id)  # they may be answering right now
        session.refresh(row)
        assert client is not None
        coach = people.get_coach(session, client.coach_id)
        state = state_of(row)
        context = self.checkins.context(session, client, coach.name if coach else "", state)
        outcome = checkin.timer_fired(state, now, context)
        if client.status != ClientStatus.ACTIVE or client.telegram_user_id is None:
            # The client stopped: close quietly, nobody is told about a "missed" check-in.
            closed = checkin.close_missed(state, now, context)
            outcome = Outcome(
                effects=tuple(e for e in closed.effects if isinstance(e, SaveCheckin))
            )
        elif reachability.checkins_wait(client.unreachable_since):
            # Their chat refuses messages: no reminder, and never "missed" (it could not arrive).
            outcome = Outcome(effects=(SaveCheckin(closed_for_pause(state, now)),))
        scope = Scope(
            coach=coach_contact(coach),
            client=client_contact(client),
            client_id=client.id,
        )
        return self.outcomes.apply(session, outcome, scope, priority=Priority.CHECKIN)


def _postpone(row: Any, now: datetime) -> None:
    """A row that failed is looked at again in a while, not in a tight loop."""
    later = now + timedelta(minutes=15)
    if hasattr(row, "next_due_at"):
        row.next_due_at = later
    else:
        row.wake_at = later
