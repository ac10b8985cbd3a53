"""The shell of the weekly digest: at each tick, the coaches whose digest moment has come get
it (``dialogs.digest`` decides what it says, and whether anything), as one quiet outbox row.

One transaction per coach, so a coach with many clients never holds the others up; the audit
event written with the row is what stops a second one that week, also after a restart or on
another instance (PostgreSQL: the coach's row is locked while deciding).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.caseload import load_caseload
from bot.checkins import CheckinShell
from bot.clock import Clock
from bot.coach_settings import CoachDefaults, digest_moment
from bot.outbox_rows import enqueue_reply
from bot.scope import Applied
from bot.state import coach_contact
from bot.texts import Texts
from dialogs import digest
from storage import audit
from storage import digest as digest_store
from storage.database import Database
from storage.models import Coach, CoachStatus
from storage.outbox import Priority

__all__ = ["WeeklyDigest"]

log = logging.getLogger(__name__)


class WeeklyDigest:
    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        checkins: CheckinShell,
        texts: Texts,
        defaults: CoachDefaults,
    ) -> None:
        self.database = database
        self.clock = clock
        self.checkins = checkins
        self.texts = texts
        self.defaults = defaults  # a coach's own moment (``/instellingen``) comes first

    async def tick(self) -> Applied:
        """Send the digests that are due; returns what was queued."""
        due = await self.database.run(self._due_coaches)
        sent = 0
        for coach_id in due:
            sent += await self.database.run(self._one, coach_id)
        if due:
            log.info("weekly digest: %d coaches due, %d sent", len(due), sent)
        return Applied(queued=sent)

    def _due_coaches(self) -> list[int]:
        now = self.clock.now()
        with self.database.transaction() as session:
            last = digest_store.last_digests(session)
            coaches = session.exec(
                select(Coach).where(
                    col(Coach.status) == CoachStatus.ACTIVE,
                    col(Coach.telegram_user_id).is_not(None),
                )
            )
            return [
                coach.id
                for coach in coaches
                if coach.id is not None and self._due(coach, last.get(coach.id), now)
            ]

    def _due(self, coach: Coach, last: datetime | None, now: datetime) -> bool:
        weekday, at = digest_moment(coach, self.defaults)
        return bool(weekday) and digest.is_due(weekday, at, last, now, self.checkins.timezone)

    def _one(self, coach_id: int) -> bool:
        now, zone = self.clock.now(), self.checkins.timezone
        with self.database.transaction() as session:
            coach = _lock_coach(session, coach_id)
            contact = coach_contact(coach)
            last = digest_store.last_digests(session).get(coach_id)
            if coach is None or contact is None or not self._due(coach, last, now):
                return False
            caseload = load_caseload(session, coach_id, self.checkins)
            ids = [client.id for client in caseload.clients]
            answered, missed = digest_store.week_counts(session, ids, now - timedelta(days=7))
            reply = digest.compose(digest.DigestWeek(caseload.clients, answered, missed, zone), now)
            action = digest_store.DIGEST_EMPTY if reply is None else digest_store.DIGEST_SENT
            audit.record(
                session,
                at=now,
                actor="system",
                action=action,
                subject_type="coach",
                subject_id=coach_id,
            )
            if reply is None:
                return False
            shown = self.texts.placeholders(reply.key)
            enqueue_reply(
                session,
                reply=reply,
                chat_id=contact.chat_id,
                language=contact.language,
                params={k: v for k, v in reply.params.items() if k in shown},
                buttons=reply.buttons,
                now=now,
                alert_id=None,
                priority=Priority.NOTICE,
            )
            return True


def _lock_coach(session: Session, coach_id: int) -> Coach | None:
    statement = select(Coach).where(col(Coach.id) == coach_id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.exec(statement).first()
