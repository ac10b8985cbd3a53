"""An alert as the dialogs see it (``load_alert_view``), and who can be reached about it: the
coach and their backups (``candidates``), everyone told so far (``alert_contacts``), the
alert's coach and client (``alert_people``). Read by the alert effects (``bot.alerts``), the
clock's watch, the delivery hooks and the context loader."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.state import Contact, client_contact, coach_contact
from dialogs import noodknop
from dialogs.alert_routing import Reachable
from dialogs.noodknop import AlertView
from storage import alerts, checkins, contacts, people
from storage.models import (
    Alert,
    AlertEvent,
    Client,
    ClientStatus,
    Coach,
    CoachStatus,
    OutboxMessage,
    RecipientRole,
    SupportPhaseName,
)

__all__ = [
    "CLOSE_REMINDED",
    "DANGER_WORDS",
    "OFF_HOURS",
    "PASSED_ON",
    "alert_contacts",
    "alert_people",
    "as_reachable",
    "candidates",
    "load_alert_view",
]

CLOSE_REMINDED = "close_reminded"
# A coach tapped "I cannot, pass it on" (with their id): they are no longer asked.
PASSED_ON = "passed_on"
OFF_HOURS = "escalated_off_hours"
DANGER_WORDS = "danger_words"  # raised by words of danger, not a press


def _reachable_coach(coach: Coach | None) -> bool:
    return (
        coach is not None
        and coach.telegram_user_id is not None
        and coach.status == CoachStatus.ACTIVE
    )


def as_reachable(coach: Coach | None, role: str) -> Reachable | None:
    if coach is None or not _reachable_coach(coach):
        return None
    assert coach.telegram_user_id is not None
    return Reachable(coach.telegram_user_id, coach.id, role, coach.language)


def candidates(session: Session, coach_id: int, default_language: str) -> list[Reachable]:
    """The reachable backups of a coach, in order."""
    found = []
    for backup in alerts.backups_of(session, coach_id):
        if backup.backup_coach_id is not None:
            other = as_reachable(people.get_coach(session, backup.backup_coach_id), "backup")
            if other is not None:
                found.append(other)
        elif backup.group_chat_id is not None:
            found.append(Reachable(backup.group_chat_id, None, "group", default_language))
    return found


def alert_contacts(session: Session, alert_id: int, default_language: str) -> list[Contact]:
    """Everyone told about the alert so far who can still be reached (a coach deactivated
    since hears nothing more), with their language."""
    contacts = []
    for recipient in alerts.recipients_of(session, alert_id):
        if recipient.coach_id is None:  # a team chat
            contacts.append(Contact(recipient.chat_id, default_language))
        elif (coach := coach_contact(people.get_coach(session, recipient.coach_id))) is not None:
            contacts.append(Contact(recipient.chat_id, coach.language))
    return contacts


def load_alert_view(session: Session, alert: Alert) -> AlertView:
    """The alert as the dialogs see it, including who is asked now (``asked_coach_ids``)."""
    assert alert.id is not None
    client = session.get(Client, alert.client_id)
    coach = people.get_coach(session, alert.coach_id)
    helper = people.get_coach(session, alert.acknowledged_by) if alert.acknowledged_by else None
    recipients = alerts.recipients_of(session, alert.id)
    told = {r.chat_id for r in recipients}
    unreachable = alerts.unreachable_chat_ids(session, alert.id)
    backups_left = any(c.chat_id not in told for c in candidates(session, alert.coach_id, ""))
    events = alerts.events_of(session, alert.id)
    passed = {e.coach_id for e in events if e.kind == PASSED_ON and e.coach_id is not None}
    asked = [
        r
        for r in recipients
        if r.chat_id not in unreachable and (r.coach_id is None or r.coach_id not in passed)
    ]
    settled_at, close_reminded = _settled(alert, events)
    promised = (
        client is not None
        and alert.acknowledged_by is not None
        and client.message_promised_by == alert.acknowledged_by
    )
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
        picked_up_by_phone=_picked_up_by_phone(session, alert.id),
        escalated=alert.escalated_at is not None,
        emergency_sent=alert.emergency_sent_at is not None,
        numbers_refused=_numbers_refused(session, alert.id, client),
        message_promised=promised,
        helper_can_reply=promised
        and helper is not None
        and alert.acknowledged_by != alert.coach_id
        and helper.telegram_user_id is not None
        and alerts.copy_in_chat(session, alert.id, helper.telegram_user_id),
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
        coach_id=alert.coach_id if _reachable_coach(coach) else None,
        asked_coach_ids=frozenset(r.coach_id for r in asked if r.coach_id is not None),
        asked_groups=sum(1 for r in asked if r.coach_id is None),
        off_hours=any(e.kind == OFF_HOURS for e in events),
        from_words=any(e.kind == DANGER_WORDS for e in events),
        client_phone=client.phone if client else None,
        client_unreachable_since=client.unreachable_since if client else None,
        client_ended=client is not None and client.status == ClientStatus.ENDED,
        client_ended_at=_ended_at(session, client),
        backups_told=any(r.role != RecipientRole.COACH for r in recipients),
    )


def _numbers_refused(session: Session, alert_id: int, client: Client | None) -> bool:
    """Whether the emergency numbers last queued for this alert to the client's chat were
    refused (an open alert's rows are kept, ``storage.outbox.purge_sent``)."""
    if client is None or client.telegram_user_id is None:
        return False
    statement = (
        select(OutboxMessage.failed_at)
        .where(
            OutboxMessage.alert_id == alert_id,
            OutboxMessage.chat_id == client.telegram_user_id,
            col(OutboxMessage.text_key).in_(noodknop.NUMBER_KEYS),
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    )
    return session.exec(statement).first() is not None  # the latest row's failed_at, if any


def _picked_up_by_phone(session: Session, alert_id: int) -> bool | None:
    """What the client's seen notice at the pick-up promised, as queued (also when refused:
    it is what was decided): a call (True) or a message (False); None: none queued. An open
    alert's rows are kept (``storage.outbox.purge_sent``)."""
    statement = (
        select(OutboxMessage.text_key)
        .where(
            OutboxMessage.alert_id == alert_id,
            col(OutboxMessage.text_key).in_(noodknop.SEEN_NOTICES),
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    )
    key = session.exec(statement).first()
    return None if key is None else noodknop.SEEN_NOTICES[key]


def _ended_at(session: Session, client: Client | None) -> datetime | None:
    """When the client's support ended, while it is ended (the open "ended" phase)."""
    if client is None or client.id is None or client.status != ClientStatus.ENDED:
        return None
    ended = [
        p.started_at
        for p in contacts.phases_of(session, client.id)
        if p.phase == SupportPhaseName.ENDED and p.ended_at is None
    ]
    return ended[-1] if ended else None


def _checkins_scheduled(session: Session, client: Client | None) -> bool:
    """Whether the client would get check-ins but for an open alert: active, reachable, with
    a schedule that is not paused (what the check-in clock asks before it starts one)."""
    if client is None or client.id is None:
        return False
    if client.status != ClientStatus.ACTIVE or client.telegram_user_id is None:
        return False
    schedule = checkins.schedule_of(session, client.id)
    return schedule is not None and not schedule.paused and schedule.next_due_at is not None


def _settled(alert: Alert, events: list[AlertEvent]) -> tuple[datetime | None, bool]:
    """When the alert stopped waiting for a person (picked up, or called off as an accident),
    and whether the team was reminded to close it since then."""
    if alert.acknowledged_at is None and not alert.accidental:
        return None, False
    settled_at = alert.acknowledged_at
    if settled_at is None:
        called_off = [e.at for e in events if e.kind == "reason:accident"]
        settled_at = called_off[-1] if called_off else alert.pressed_at
    reminded = any(e.kind == CLOSE_REMINDED and e.at >= settled_at for e in events)
    return settled_at, reminded


def alert_people(session: Session, alert: Alert) -> tuple[Contact | None, Contact | None]:
    """Where to reach the coach and the client of an alert (None: cannot be reached)."""
    coach = people.get_coach(session, alert.coach_id)
    client = people.get_client(session, alert.client_id)
    # A deactivated coach (or one whose client moved on) hears nothing more of the client.
    return coach_contact(coach), client_contact(client)
