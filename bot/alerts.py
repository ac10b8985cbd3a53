"""The shell side of the noodknop: alert effects in the database (``ALERT_HANDLERS``). The alert
as the dialogs see it and who can be reached about it live in ``bot.alert_view``; the rule of
who is told lives in ``dialogs.alert_routing``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from bot.alert_view import (
    CLOSE_REMINDED,
    DANGER_WORDS,
    OFF_HOURS,
    PASSED_ON,
    as_reachable,
    candidates,
    load_alert_view,
)
from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.scope import FollowUp, Scope
from bot.state import Contact
from dialogs import noodknop
from dialogs.alert_routing import CoachHours, Reachable, backups_to_tell, route_alert
from dialogs.outcome import (
    AcknowledgeAlert,
    AutoCloseAlert,
    CloseAlert,
    CopyToAlertTeam,
    EscalateAlert,
    Outcome,
    RaiseAlert,
    RemindToClose,
    RepeatPress,
    SendEmergencyNumbers,
    SetAlertReason,
    SupersedeAlert,
    TakeBackAccident,
)
from storage import alerts, audit, outbox, people
from storage.models import Alert, Client
from storage.outbox import Priority

__all__ = ["ALERT_HANDLERS"]

# The outcome of an alert the clock closed because nobody did (also its timeline event).
AUTO_CLOSED = "auto_closed"
# The outcome of an alert still open when the client raised a new one (also its event).
SUPERSEDED = "superseded"


def _tell(session: Session, alert_id: int, told: Iterable[Reachable], now: datetime) -> None:
    for person in told:
        alerts.add_recipient(
            session,
            alert_id,
            chat_id=person.chat_id,
            coach_id=person.coach_id,
            role=person.role,
            at=now,
        )


def _contacts(told: Iterable[Reachable]) -> tuple[Contact, ...]:
    return tuple(Contact(person.chat_id, person.language) for person in told)


def _add_backups(session: Session, alert: Alert, env: EffectEnv) -> tuple[Contact, ...]:
    assert alert.id is not None
    told = [
        Reachable(r.chat_id, r.coach_id, r.role, "")
        for r in alerts.recipients_of(session, alert.id)
    ]
    fresh = backups_to_tell(candidates(session, alert.coach_id, env.default_language), told)
    _tell(session, alert.id, fresh, env.now)
    return _contacts(fresh)


def _alert(session: Session, alert_id: int) -> Alert:
    alert = alerts.get_alert(session, alert_id)
    if alert is None:
        raise LookupError(f"alert {alert_id} is gone")
    return alert


def _repeat_press(session: Session, effect: RepeatPress, env: EffectEnv) -> EffectResult:
    alert = _alert(session, effect.alert_id)
    alert.presses += 1
    alert.accidental = False  # pressing again means it was not an accident after all
    session.add(alert)
    alerts.add_event(session, effect.alert_id, "pressed_again", at=env.now)
    return NOTHING


def _set_reason(session: Session, effect: SetAlertReason, env: EffectEnv) -> EffectResult:
    alert = _alert(session, effect.alert_id)
    alert.reason = effect.reason
    alert.accidental = effect.accidental
    session.add(alert)
    alerts.add_event(session, effect.alert_id, f"reason:{effect.reason}", at=env.now)
    return NOTHING


def _take_back_accident(session: Session, effect: TakeBackAccident, env: EffectEnv) -> EffectResult:
    alert = _alert(session, effect.alert_id)
    if alert.accidental:
        alert.accidental = False
        alert.reason = None
        session.add(alert)
        alerts.add_event(session, effect.alert_id, "accident_taken_back", at=env.now)
    return NOTHING


def _copy_to_team(session: Session, effect: CopyToAlertTeam, env: EffectEnv) -> EffectResult:
    recipients = alerts.recipients_of(session, effect.alert_id)
    client_id = _alert(session, effect.alert_id).client_id
    for recipient in recipients:
        outbox.enqueue(
            session,
            now=env.now,
            chat_id=recipient.chat_id,
            priority=Priority.ALERT,
            copy_from_chat_id=effect.from_chat_id,
            copy_message_id=effect.message_id,
            alert_id=effect.alert_id,
            client_id=client_id,
        )
    alerts.add_event(session, effect.alert_id, effect.event, at=env.now)
    return EffectResult(queued=len(recipients), urgent=True)


def _acknowledge(session: Session, effect: AcknowledgeAlert, env: EffectEnv) -> EffectResult:
    alert = _alert(session, effect.alert_id)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = env.now
        alert.acknowledged_by = effect.coach_id
        session.add(alert)
        alerts.add_event(
            session, effect.alert_id, "acknowledged", at=env.now, coach_id=effect.coach_id
        )
    return NOTHING


def _escalate(session: Session, effect: EscalateAlert, env: EffectEnv) -> EffectResult:
    alert = _alert(session, effect.alert_id)
    added = _add_backups(session, alert, env)
    if alert.escalated_at is None:
        alert.escalated_at = env.now
        session.add(alert)
    kind = PASSED_ON if effect.by_coach_id else "escalated"
    alerts.add_event(session, effect.alert_id, kind, at=env.now, coach_id=effect.by_coach_id)
    return EffectResult(alert_id=effect.alert_id, new_recipients=added)


def _emergency_numbers(
    session: Session, effect: SendEmergencyNumbers, env: EffectEnv
) -> EffectResult:
    alert = _alert(session, effect.alert_id)
    alert.emergency_sent_at = alert.emergency_sent_at or env.now
    session.add(alert)
    alerts.add_event(session, effect.alert_id, "emergency_numbers_sent", at=env.now)
    return NOTHING


def _close(session: Session, effect: CloseAlert, env: EffectEnv) -> EffectResult:
    alert = _alert(session, effect.alert_id)
    alerts.withhold_number(session, alert, env.now)
    alert.closed_at = env.now
    alert.closed_by = effect.coach_id
    alert.outcome = effect.outcome
    session.add(alert)
    if effect.outcome in noodknop.SPOKE_WITH_CLIENT:
        # They talked or visited: a message this coach promised the client is moot.
        people.keep_promise(session, alert.client_id, effect.coach_id)
    alerts.add_event(
        session, effect.alert_id, f"closed:{effect.outcome}", at=env.now, coach_id=effect.coach_id
    )
    audit.record(
        session,
        at=env.now,
        actor=f"coach:{effect.coach_id}",
        action="alert.closed",
        subject_type="alert",
        subject_id=effect.alert_id,
    )
    return NOTHING


def _remind_to_close(session: Session, effect: RemindToClose, env: EffectEnv) -> EffectResult:
    alerts.add_event(session, effect.alert_id, CLOSE_REMINDED, at=env.now)
    return NOTHING


def _auto_close(session: Session, effect: AutoCloseAlert, env: EffectEnv) -> EffectResult:
    alert = _alert(session, effect.alert_id)
    if alert.closed_at is None:
        alerts.withhold_number(session, alert, env.now)
        alert.closed_at = env.now
        alert.outcome = AUTO_CLOSED
        session.add(alert)
        alerts.add_event(session, effect.alert_id, AUTO_CLOSED, at=env.now)
        audit.record(
            session,
            at=env.now,
            actor="system",
            action="alert.auto_closed",
            subject_type="alert",
            subject_id=effect.alert_id,
        )
    return NOTHING


def _supersede_effect(session: Session, effect: SupersedeAlert, env: EffectEnv) -> EffectResult:
    _supersede(session, _alert(session, effect.alert_id), env.now)
    return NOTHING


def _supersede(session: Session, alert: Alert, now: datetime) -> None:
    """Close an alert a newer one of the same client replaces: one open alert per client."""
    assert alert.id is not None
    if alert.closed_at is not None:
        return
    alerts.withhold_number(session, alert, now)
    alert.closed_at = now
    alert.outcome = SUPERSEDED
    session.add(alert)
    alerts.add_event(session, alert.id, SUPERSEDED, at=now)
    audit.record(
        session,
        at=now,
        actor="system",
        action="alert.superseded",
        subject_type="alert",
        subject_id=alert.id,
    )


def _raise(session: Session, effect: RaiseAlert, env: EffectEnv) -> EffectResult:
    client = session.get(Client, effect.client_id)
    assert client is not None
    coach = people.get_coach(session, client.coach_id)
    # A client has one open alert at most: a press that raises a new one (the old one was
    # picked up long ago) closes the old one, so it never speaks or holds anything back again.
    for old in alerts.open_alerts_of(session, effect.client_id):
        _supersede(session, old, env.now)
    alert = Alert(client_id=effect.client_id, coach_id=client.coach_id, pressed_at=env.now)
    session.add(alert)
    session.flush()
    assert alert.id is not None
    alerts.add_event(session, alert.id, "pressed", at=env.now)
    audit.record(
        session,
        at=env.now,
        actor=f"client:{effect.client_id}",
        action="alert.raised",
        subject_type="alert",
        subject_id=alert.id,
    )
    hours = (
        CoachHours(coach.available_days, coach.available_from, coach.available_until)
        if coach is not None
        else None
    )
    route = route_alert(
        as_reachable(coach, "coach"),
        hours,
        candidates(session, client.coach_id, env.default_language),
        env.now.astimezone(env.timezone),
    )
    _tell(session, alert.id, route.told, env.now)
    if route.off_hours:
        alert.escalated_at = env.now
        alerts.add_event(session, alert.id, OFF_HOURS, at=env.now)
    session.flush()
    if effect.words is not None:
        alerts.add_event(session, alert.id, DANGER_WORDS, at=env.now)
    # What the client reads is chosen now that it is stored who was asked.
    told_client = noodknop.raised(load_alert_view(session, alert))
    if effect.words is not None:  # the words themselves, under the alert's first text
        chat_id, message_id = effect.words
        copy = CopyToAlertTeam(alert.id, chat_id, message_id, event="help_words")
        told_client = Outcome(effects=(copy,)) + told_client
    return EffectResult(
        alert_id=alert.id,
        new_recipients=_contacts(route.told),
        nobody_told=route.nobody,
        follow_up=FollowUp(told_client, Scope(alert_id=alert.id)),
    )


ALERT_HANDLERS: dict[type, Handler] = {
    RaiseAlert: _raise,
    RepeatPress: _repeat_press,
    SetAlertReason: _set_reason,
    TakeBackAccident: _take_back_accident,
    CopyToAlertTeam: _copy_to_team,
    AcknowledgeAlert: _acknowledge,
    EscalateAlert: _escalate,
    SendEmergencyNumbers: _emergency_numbers,
    CloseAlert: _close,
    RemindToClose: _remind_to_close,
    AutoCloseAlert: _auto_close,
    SupersedeAlert: _supersede_effect,
}
