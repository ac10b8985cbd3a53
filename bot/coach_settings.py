"""The shell of a coach's settings in the bot: what ``dialogs.coach_settings`` shows (loaded
for the settings command and its buttons only), and storing what the coach chose.

Backups are the coach's colleagues in the same team who joined and are active; choosing one
adds them last in the order of asking, taking one away keeps the others' order. Every change
is an audit event (``coach.settings_changed``, ``coach.backup_added``/``_removed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlmodel import Session, col, select

from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import EffectResult
from dialogs import coach_settings
from dialogs.buttons import ButtonKind, kind_of
from dialogs.coach_settings import Colleague, SettingsView
from dialogs.events import Event, Tap
from dialogs.outcome import ToggleBackup, UpdateCoachSettings
from storage import audit, people
from storage.models import Backup, Coach, CoachStatus

__all__ = ["CoachDefaults", "digest_moment", "load_settings_view", "settings_handlers"]


@dataclass(frozen=True)
class CoachDefaults:
    """The organisation's settings a coach has until they choose their own."""

    digest_weekday: int = 1
    digest_time: time = time(8, 30)


def digest_moment(coach: Coach, defaults: CoachDefaults) -> tuple[int, time]:
    """The coach's digest weekday (0: none) and local time, their own or the organisation's."""
    weekday = coach.digest_weekday if coach.digest_weekday is not None else defaults.digest_weekday
    at = time.fromisoformat(coach.digest_time) if coach.digest_time else defaults.digest_time
    return weekday, at


def load_settings_view(
    session: Session, coach_id: int, event: Event, defaults: CoachDefaults
) -> SettingsView | None:
    """The coach's settings, for the settings command or one of its buttons; None otherwise."""
    is_button = isinstance(event, Tap) and kind_of(event.data) is ButtonKind.COACH_SETTINGS
    if not (is_button or coach_settings.wants_settings(event)):
        return None
    coach = people.get_coach(session, coach_id)
    if coach is None:
        return None
    backups = list(
        session.exec(
            select(Backup).where(col(Backup.coach_id) == coach_id).order_by(col(Backup.position))
        )
    )
    chosen = {b.backup_coach_id: b.position for b in backups if b.backup_coach_id is not None}
    colleagues = session.exec(
        select(Coach)
        .where(
            col(Coach.team_id) == coach.team_id,
            col(Coach.id) != coach_id,
            col(Coach.status) == CoachStatus.ACTIVE,
        )
        .order_by(col(Coach.name), col(Coach.id))
    )
    weekday, at = digest_moment(coach, defaults)
    return SettingsView(
        coach_id=coach_id,
        days=coach.available_days,
        available_from=coach.available_from,
        available_until=coach.available_until,
        digest_weekday=weekday,
        digest_time=at,
        language=coach.language,
        colleagues=tuple(
            Colleague(c.id or 0, c.name, (c.id in chosen), chosen.get(c.id or 0))
            for c in colleagues
        ),
        group_backups=sum(1 for b in backups if b.group_chat_id is not None),
    )


def _update(session: Session, effect: UpdateCoachSettings, env: EffectEnv) -> EffectResult:
    coach = people.get_coach(session, effect.coach_id)
    assert coach is not None
    if effect.days is not None:
        coach.available_days = effect.days
    if effect.available_from is not None:
        coach.available_from = effect.available_from
    if effect.available_until is not None:
        coach.available_until = effect.available_until
    if effect.digest_weekday is not None:
        coach.digest_weekday = effect.digest_weekday
    if effect.digest_time is not None:
        coach.digest_time = effect.digest_time.strftime("%H:%M")
    if effect.language is not None:
        coach.language = effect.language
    session.add(coach)
    _audit(session, effect.coach_id, "coach.settings_changed", env)
    return EffectResult()


def _toggle_backup(session: Session, effect: ToggleBackup, env: EffectEnv) -> EffectResult:
    rows = list(
        session.exec(
            select(Backup)
            .where(col(Backup.coach_id) == effect.coach_id)
            .order_by(col(Backup.position))
        )
    )
    existing = [row for row in rows if row.backup_coach_id == effect.backup_coach_id]
    if effect.on and not existing:
        position = max((row.position for row in rows), default=-1) + 1
        session.add(
            Backup(
                coach_id=effect.coach_id,
                backup_coach_id=effect.backup_coach_id,
                position=position,
            )
        )
        _audit(session, effect.coach_id, "coach.backup_added", env)
    elif not effect.on and existing:
        for row in existing:
            session.delete(row)
        _audit(session, effect.coach_id, "coach.backup_removed", env)
    return EffectResult()


def _audit(session: Session, coach_id: int, action: str, env: EffectEnv) -> None:
    audit.record(
        session,
        at=env.now,
        actor=f"coach:{coach_id}",
        action=action,
        subject_type="coach",
        subject_id=coach_id,
    )


def settings_handlers() -> dict[type, Handler]:
    return {UpdateCoachSettings: _update, ToggleBackup: _toggle_backup}
