"""The clock's side of alerts: every tick looks at each alert still open.

Waiting alerts are re-notified, escalated to the backups, and end in the emergency numbers for
the client (``noodknop.check_escalation``); alerts picked up but not closed are reminded once
and then closed (``noodknop.check_closing``): an open alert holds back the client's check-ins.
This work is urgent: it goes before queued update work on the database thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.alert_view import alert_people, load_alert_view
from bot.clock import Clock
from bot.outcomes import OutcomeApplier
from bot.scope import Applied, Scope
from dialogs import noodknop
from storage import alerts
from storage.database import Database

__all__ = ["AlertWatch"]

log = logging.getLogger(__name__)


class AlertWatch:
    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        policy: noodknop.EscalationPolicy,
        outcomes: OutcomeApplier,
        wake: Callable[[Applied], None],
    ) -> None:
        self.database = database
        self.clock = clock
        self.policy = policy
        self.outcomes = outcomes
        self.wake = wake

    async def tick(self) -> None:
        now = self.clock.now()
        applied = Applied()
        watched = await self.database.run(self._alerts_to_watch, now, urgent=True)
        for alert_id in watched:
            # One transaction per alert: a broken alert must not hold up the others.
            try:
                done = await self.database.run(self._look_at_alert, alert_id, now, urgent=True)
            except Exception:
                log.exception("alert %s could not be looked at; trying again next tick", alert_id)
                continue
            applied.queued += done.queued
            applied.urgent = applied.urgent or done.urgent
        self.wake(applied)

    def _alerts_to_watch(self, now: datetime) -> list[int]:
        policy = self.policy
        with self.database.transaction() as session:
            return [
                alert.id or 0
                for alert in alerts.alerts_to_watch(
                    session,
                    remind_before=now - min(policy.close_remind_after, policy.autoclose_after),
                    close_before=now - policy.autoclose_after,
                )
            ]

    def _look_at_alert(self, alert_id: int, now: datetime) -> Applied:
        with self.database.transaction() as session:
            # Another instance looking at this alert right now has it: skip it.
            alert = alerts.lock_alert(session, alert_id, skip_locked=True)
            if alert is None:
                return Applied()
            view = load_alert_view(session, alert)
            outcome = noodknop.check_escalation(view, now, self.policy)
            outcome += noodknop.check_closing(view, now, self.policy)
            if not outcome.effects and not outcome.replies:
                return Applied()
            coach, client = alert_people(session, alert)
            scope = Scope(coach=coach, client=client, alert_id=alert.id)
            return self.outcomes.apply(session, outcome, scope)
