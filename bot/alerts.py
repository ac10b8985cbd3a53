"""The shell side of the noodknop: alert effects in the database, the alert as the dialogs see
it, and who may hear about it (the client's coach, then the backups)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.state import Contact
from dialogs.noodknop import AlertView, is_available
from dialogs.outcome import (
    AcknowledgeAlert,
    AutoCloseAlert,
    CloseAlert,
    CopyToAlertTeam,
    Effect,
    EscalateAlert,
    RaiseAlert,
    RemindToClose,
    RepeatPress,
    SendEmergencyNumbers,
    SetAlertReason,
    SupersedeAlert,
)
from storage import alerts, audit, checkins, outbox, people
from storage.models import Alert, Client, ClientStatus, Coach, CoachStatus
from storage.outbox import Priority

__all__ = ["AlertContext", "alert_contacts", "apply_alert_effect", "load_alert_view"]

ALERT_EFFECTS = (
    RaiseAlert,
    RepeatPress,
    SetAlertReason,
    CopyToAlertTeam,
    AcknowledgeAlert,
    EscalateAlert,
    SendEmergencyNumbers,
    CloseAlert,
    RemindToClose,
    AutoCloseAlert,
    SupersedeAlert,
)
# The outcome of an alert the clock closed because nobody did (also its timeline event).
AUTO_CLOSED = "auto_closed"
# The outcome of an alert still open when the client raised a new one (also its event).
SUPERSEDED = "superseded"
CLOSE_REMINDED = "close_reminded"


@dataclass(frozen=True)
class AlertContext:
    now: datetime
    timezone: ZoneInfo
    default_language: str


def _reachable_coach(coach: Coach | None) -> bool:
    return (
        coach is not None
        and coach.telegram_user_id is not None
        and coach.status == CoachStatus.ACTIVE
    )


def _candidates(session: Session, coach_id: int) -> list[tuple[int, int | None, str, str]]:
    """The backups of a coach as (chat id, coach id, role, language), in order."""
    found = []
    for backup in alerts.backups_of(session, coach_id):
        if backup.backup_coach_id is not None:
            other = people.get_coach(session, backup.backup_coach_id)
            if other is not None and _reachable_coach(other):
                assert other.telegram_user_id is not None
                found.append((other.telegram_user_id, other.id, "backup", other.language))
        elif backup.group_chat_id is not None:
            found.append((backup.group_chat_id, None, "group", ""))
    return found


def _add_backups(session: Session, alert: Alert, ctx: AlertContext) -> list[Contact]:
    assert alert.id is not None
    told = {r.chat_id for r in alerts.recipients_of(session, alert.id)}
    added = []
    for chat_id, coach_id, role, language in _candidates(session, alert.coach_id):
        if chat_id in told:
            continue
        alerts.add_recipient(
            session, alert.id, chat_id=chat_id, coach_id=coach_id, role=role, at=ctx.now
        )
        added.append(Contact(chat_id, language or ctx.default_language))
        told.add(chat_id)
    return added


def _alert(session: Session, alert_id: int) -> Alert:
    alert = alerts.get_alert(session, alert_id)
    if alert is None:
        raise LookupError(f"alert {alert_id} is gone")
    return alert


def apply_alert_effect(session: Session, effect: Effect, ctx: AlertContext) -> dict[str, Any]:
    match effect:
        case RaiseAlert(client_id=client_id):
            return _raise(session, client_id, ctx)
        case RepeatPress(alert_id=alert_id):
            alert = _alert(session, alert_id)
            alert.presses += 1
            alert.accidental = False  # pressing again means it was not an accident after all
            session.add(alert)
            alerts.add_event(session, alert_id, "pressed_again", at=ctx.now)
        case SetAlertReason(alert_id=alert_id, reason=reason, accidental=accidental):
            alert = _alert(session, alert_id)
            alert.reason = reason
            alert.accidental = accidental
            session.add(alert)
            alerts.add_event(session, alert_id, f"reason:{reason}", at=ctx.now)
        case CopyToAlertTeam(alert_id=alert_id, from_chat_id=from_chat, message_id=message_id):
            for recipient in alerts.recipients_of(session, alert_id):
                outbox.enqueue(
                    session,
                    now=ctx.now,
                    chat_id=recipient.chat_id,
                    priority=Priority.ALERT,
                    copy_from_chat_id=from_chat,
                    copy_message_id=message_id,
                    alert_id=alert_id,
                )
            alerts.add_event(session, alert_id, "location_shared", at=ctx.now)
        case AcknowledgeAlert(alert_id=alert_id, coach_id=coach_id):
            alert = _alert(session, alert_id)
            if alert.acknowledged_at is None:
                alert.acknowledged_at = ctx.now
                alert.acknowledged_by = coach_id
                session.add(alert)
                alerts.add_event(session, alert_id, "acknowledged", at=ctx.now, coach_id=coach_id)
        case EscalateAlert(alert_id=alert_id, by_coach_id=by_coach_id):
            alert = _alert(session, alert_id)
            added = _add_backups(session, alert, ctx)
            if alert.escalated_at is None:
                alert.escalated_at = ctx.now
                session.add(alert)
            kind = "passed_on" if by_coach_id else "escalated"
            alerts.add_event(session, alert_id, kind, at=ctx.now, coach_id=by_coach_id)
            return {"alert_id": alert_id, "_new_recipients": added}
        case SendEmergencyNumbers(alert_id=alert_id):
            alert = _alert(session, alert_id)
            alert.emergency_sent_at = alert.emergency_sent_at or ctx.now
            session.add(alert)
            alerts.add_event(session, alert_id, "emergency_numbers_sent", at=ctx.now)
        case CloseAlert(alert_id=alert_id, coach_id=coach_id, outcome=closing_outcome):
            alert = _alert(session, alert_id)
            alert.closed_at = ctx.now
            alert.closed_by = coach_id
            alert.outcome = closing_outcome
            session.add(alert)
            alerts.add_event(
                session, alert_id, f"closed:{closing_outcome}", at=ctx.now, coach_id=coach_id
            )
            audit.record(
                session,
                at=ctx.now,
                actor=f"coach:{coach_id}",
                action="alert.closed",
                subject_type="alert",
                subject_id=alert_id,
            )
        case RemindToClose(alert_id=alert_id):
            alerts.add_event(session, alert_id, CLOSE_REMINDED, at=ctx.now)
        case AutoCloseAlert(alert_id=alert_id):
            alert = _alert(session, alert_id)
            if alert.closed_at is None:
                alert.closed_at = ctx.now
                alert.outcome = AUTO_CLOSED
                session.add(alert)
                alerts.add_event(session, alert_id, AUTO_CLOSED, at=ctx.now)
                audit.record(
                    session,
                    at=ctx.now,
                    actor="system",
                    action="alert.auto_closed",
                    subject_type="alert",
                    subject_id=alert_id,
                )
        case SupersedeAlert(alert_id=alert_id):
            _supersede(session, _alert(session, alert_id), ctx)
    return {}


def _supersede(session: Session, alert: Alert, ctx: AlertContext) -> None:
    """Close an alert a newer one of the same client replaces: one open alert per client."""
    assert alert.id is not None
    if alert.closed_at is not None:
        return
    alert.closed_at = ctx.now
    alert.outcome = SUPERSEDED
    session.add(alert)
    alerts.add_event(session, alert.id, SUPERSEDED, at=ctx.now)
    audit.record(
        session,
        at=ctx.now,
        actor="system",
        action="alert.superseded",
        subject_type="alert",
        subject_id=alert.id,
    )


def _raise(session: Session, client_id: int, ctx: AlertContext) -> dict[str, Any]:
    client = session.get(Client, client_id)
    assert client is not None
    coach = people.get_coach(session, client.coach_id)
    # A client has one open alert at most: a press that raises a new one (the old one was
    # picked up long ago) closes the old one, so it never speaks or holds anything back again.
    for old in alerts.open_alerts_of(session, client_id):
        _supersede(session, old, ctx)
    alert = Alert(client_id=client_id, coach_id=client.coach_id, pressed_at=ctx.now)
    session.add(alert)
    session.flush()
    assert alert.id is not None
    alerts.add_event(session, alert.id, "pressed", at=ctx.now)
    audit.record(
        session,
        at=ctx.now,
        actor=f"client:{client_id}",
        action="alert.raised",
        subject_type="alert",
        subject_id=alert.id,
    )
    told: list[Contact] = []
    if coach is not None and _reachable_coach(coach):
        assert coach.telegram_user_id is not None
        alerts.add_recipient(
            session,
            alert.id,
            chat_id=coach.telegram_user_id,
            coach_id=coach.id,
            role="coach",
            at=ctx.now,
        )
        told.append(Contact(coach.telegram_user_id, coach.language))
    available = coach is not None and is_available(
        coach.available_days,
        coach.available_from,
        coach.available_until,
        ctx.now.astimezone(ctx.timezone),
    )
    if not told or not available:
        told += _add_backups(session, alert, ctx)
        alert.escalated_at = ctx.now
        alerts.add_event(session, alert.id, "escalated_off_hours", at=ctx.now)
    return {"alert_id": alert.id, "_new_recipients": told, "_nobody_told": not told}


def alert_contacts(session: Session, alert_id: int, default_language: str) -> list[Contact]:
    """Everyone told about the alert so far, with their language."""
    contacts = []
    for recipient in alerts.recipients_of(session, alert_id):
        coach = people.get_coach(session, recipient.coach_id) if recipient.coach_id else None
        contacts.append(Contact(recipient.chat_id, coach.language if coach else default_language))
    return contacts


def load_alert_view(session: Session, alert: Alert) -> AlertView:
    assert alert.id is not None
    client = session.get(Client, alert.client_id)
    coach = people.get_coach(session, alert.coach_id)
    helper = people.get_coach(session, alert.acknowledged_by) if alert.acknowledged_by else None
    recipients = alerts.recipients_of(session, alert.id)
    told = {r.chat_id for r in recipients}
    unreachable = alerts.unreachable_chat_ids(session, alert.id)
    backups_left = any(chat not in told for chat, *_ in _candidates(session, alert.coach_id))
    settled_at, close_reminded = _settled(session, alert)
    others = [
        a.id or 0 for a in alerts.open_alerts_of(session, alert.client_id) if a.id != alert.id
    ]
    return AlertView(
        id=alert.id,
        client_id=alert.client_id,
        client_name=client.name if client else "",
        coach_name=coach.name if coach else "",
        pressed_at=alert.pressed_at,
        presses=alert.presses,
        reason=alert.reason,
        accidental=alert.accidental,
        acknowledged_by=helper.name if helper else None,
        acknowledged_by_id=alert.acknowledged_by,
        acknowledged_at=alert.acknowledged_at,
        escalated=alert.escalated_at is not None,
        emergency_sent=alert.emergency_sent_at is not None,
        closed=alert.closed_at is not None,
        recipient_coach_ids=frozenset(r.coach_id for r in recipients if r.coach_id is not None),
        recipient_chat_ids=frozenset(told),
        backups_left=backups_left,
        others_reachable=bool(told - unreachable),
        settled_at=settled_at,
        close_reminded=close_reminded,
        holds_back_checkins=_checkins_scheduled(session, client),
        newer_open=any(other > alert.id for other in others),
        older_open=any(other < alert.id for other in others),
    )


def _checkins_scheduled(session: Session, client: Client | None) -> bool:
    """Whether the client would get check-ins but for an open alert: active, reachable, with
    a schedule that is not paused (what the check-in clock asks before it starts one)."""
    if client is None or client.id is None:
        return False
    if client.status != ClientStatus.ACTIVE or client.telegram_user_id is None:
        return False
    schedule = checkins.schedule_of(session, client.id)
    return schedule is not None and not schedule.paused and schedule.next_due_at is not None


def _settled(session: Session, alert: Alert) -> tuple[datetime | None, bool]:
    """When the alert stopped waiting for a person (picked up, or called off as an accident),
    and whether the team was reminded to close it since then."""
    assert alert.id is not None
    if alert.acknowledged_at is None and not alert.accidental:
        return None, False
    events = alerts.events_of(session, alert.id)
    settled_at = alert.acknowledged_at
    if settled_at is None:
        called_off = [e.at for e in events if e.kind == "reason:accident"]
        settled_at = called_off[-1] if called_off else alert.pressed_at
    reminded = any(e.kind == CLOSE_REMINDED and e.at >= settled_at for e in events)
    return settled_at, reminded
