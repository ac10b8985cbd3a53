"""The shell of ``dialogs.reachability``: a client's chat that refuses the bot's messages (a
403 from Telegram, reported by the outbox worker's ``on_failed`` hook, ``bot.outbox_hooks``),
and the client writing again (``bot.context``, in the update's own transaction, before the
dialog decides: "📋 Hoe gaat het?" from a client who just unblocked the bot works at once).
Telegram's ``my_chat_member`` update of a private chat (``chat_changed``, from
``bot.handlers``) takes the same two paths: a block as a refused message, an unblock as the
client writing. All run under the client's lock, so the coach hears each change once, also
with two instances.

A message Telegram accepts for a marked client's chat (``client_delivered``, from the outbox
worker's ``note_sent`` hook, in the transaction that marks the row sent) clears the mark too.
With the alert still open then, those who read its 📵 line of that mark (its rows with that
key, queued since the mark, not refused: sent, or still to go, before the ✅ at the same
priority) hear that messages arrive again, at alert priority, linked to it; and whether the
emergency numbers sent to the client were refused, all or some (its rows counted).

With a noodknop alert of the client's open, the notice is part of the alert: its rows carry
the alert's id and go at alert priority, to everyone told about it (``alert_contacts``) and
to the client's coach when not among them, each chat once per mark. While marked, a later 403
(an alert update for the client) tells only those asked since (a backup at the escalation):
who already has the notice is read from the outbox rows queued since the mark.

A late 403 (a message handed to Telegram before the client came back, refused after) marks
nobody: the time the mark was last cleared is the "client.reachable" audit event's. Nor does
a late acceptance (a message handed to Telegram before the mark was set) clear it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, col, func, select

from bot.alert_view import alert_contacts
from bot.checkins import state_of
from bot.outbox_rows import enqueue_reply
from bot.outcomes import OutcomeApplier
from bot.scope import Applied, Scope
from bot.state import Contact, client_contact, coach_contact
from dialogs import noodknop, reachability
from dialogs.checkin_state import CheckinState
from dialogs.outcome import Recipient, Reply
from dialogs.reachability import ChatChange
from storage import alerts, audit, checkins, people
from storage.models import Alert, AuditEvent, Client, ClientStatus, OutboxMessage
from storage.outbox import Priority

__all__ = ["chat_changed", "client_delivered", "client_refused", "client_wrote"]

_MARKED, _CLEARED = "client.unreachable", "client.reachable"  # the audit actions
_ALERT_NOTICES = reachability.UNREACHABLE_ALERT_KEYS  # the 📵 notice of an open alert (either)


def client_refused(
    session: Session,
    chat_id: int,
    now: datetime,
    outcomes: OutcomeApplier,
    sent_from: datetime | None = None,
) -> Applied:
    """``chat_id`` refuses messages for good: a message to it, handed to Telegram no earlier
    than ``sent_from``, was refused (403), or (None) Telegram said its person blocked the bot.
    When it is a client's chat, mark the client unreachable and tell their coach, the first
    time; not for a late refusal (``dialogs.reachability.refused``). With an alert of theirs
    open: everyone told about it (and the coach), as part of the alert; while marked, those
    told about it since who have not had that notice."""
    client = _locked_client(session, chat_id)
    if client is None or client.id is None:
        return Applied()
    open_row = checkins.open_checkin_of(session, client.id)
    reach = _reach(session, client, state_of(open_row) if open_row is not None else None)
    if sent_from is not None and reach.unreachable_since is None:
        reach = replace(reach, heard_again_at=_last_cleared(session, client.id))
    coach = coach_contact(people.get_coach(session, client.coach_id))
    alert = alerts.open_alert_of(session, client.id) if reach.active else None
    team: list[Contact] = []
    helper: list[Contact] = []
    noticed: set[int] = set()
    if alert is not None and alert.id is not None:
        team = alert_contacts(session, alert.id, outcomes.settings.default_language)
        if alert.acknowledged_by is not None:
            found = coach_contact(people.get_coach(session, alert.acknowledged_by))
            helper = [found] if found is not None else []
        if client.unreachable_since is not None:
            noticed = set(_noticed(session, alert.id, client.unreachable_since, refused=True))
        reach = replace(
            reach,
            open_alert=reachability.AlertReach(
                pressed_at=alert.pressed_at,
                coach_told=coach is not None and coach.chat_id in {c.chat_id for c in team},
                untold=any(c.chat_id not in noticed for c in team),
                picked_up=alert.acknowledged_by is not None,
                coach_is_helper=alert.acknowledged_by == client.coach_id,
                phone_known=client.phone is not None,
            ),
        )
    decided = reachability.refused(reach, now, sent_from)
    if decided is None:
        return Applied()
    if client.unreachable_since is None:
        client.unreachable_since = decided.unreachable_since
        session.add(client)
        _audit(session, now, client.id, _MARKED)
    scope = Scope(coach=coach, client=client_contact(client), client_id=client.id)
    if alert is None:
        return outcomes.apply(session, decided.outcome, scope)
    # The alert's line is queued here, each chat once per mark; the coach's everyday notice
    # (the alert picked up by someone else) as any other reply.
    alert_lines = tuple(r for r in decided.outcome.replies if r.key in _ALERT_NOTICES)
    others = tuple(r for r in decided.outcome.replies if r.key not in _ALERT_NOTICES)
    applied = outcomes.apply(session, replace(decided.outcome, replies=others), scope)
    chats = {Recipient.ALERT_TEAM: team, Recipient.ALERT_HELPER: helper}
    for reply in alert_lines:
        to = chats.get(reply.to) or ([coach] if coach and reply.to is Recipient.COACH else [])
        for contact in to:
            if contact.chat_id in noticed:
                continue
            noticed.add(contact.chat_id)
            _queue(session, reply, contact, now, client_id=client.id, alert_id=alert.id)
            applied.queued += 1
            applied.urgent = applied.urgent or reply.urgent
    return applied


def _noticed(session: Session, alert_id: int, since: datetime, *, refused: bool) -> dict[int, str]:
    """The chats given the alert's 📵 notice of the current mark (queued since ``since``),
    with the language each read it in. ``refused``: also the chats that refused it (403: a
    team group that removed the bot), which never read it but must not be given it again."""
    statement = select(OutboxMessage.chat_id, OutboxMessage.language).where(
        OutboxMessage.alert_id == alert_id,
        col(OutboxMessage.text_key).in_(_ALERT_NOTICES),
        col(OutboxMessage.created_at) >= since,
    )
    if not refused:
        statement = statement.where(col(OutboxMessage.failed_at).is_(None))
    return dict(session.exec(statement).all())


def _queue(
    session: Session,
    reply: Reply,
    contact: Contact,
    now: datetime,
    *,
    client_id: int,
    alert_id: int | None = None,
) -> None:
    """One notice of these rules to one person, in the outbox: as part of an alert
    (``alert_id``) at alert priority, else as an everyday notice."""
    enqueue_reply(
        session,
        reply=reply,
        chat_id=contact.chat_id,
        language=contact.language,
        params=reply.params,
        buttons=reply.buttons,
        now=now,
        alert_id=alert_id,
        priority=Priority.NOTICE if alert_id is None else Priority.ALERT,
        client_id=client_id,
    )


def client_wrote(session: Session, client: Client, now: datetime) -> int:
    """The client (locked by the update's load) sent something, or unblocked the bot: their
    chat works again. The notices are queued in the outbox like any other; how many rows were
    queued."""
    if client.unreachable_since is None or client.id is None:
        return 0  # the one column read on every update: nothing more
    return _clear(session, client, now, lambda reach: reachability.heard_again(reach, now))


def client_delivered(
    session: Session, chat_id: int, now: datetime, handed_from: datetime | None
) -> int:
    """Telegram accepted a message to ``chat_id``, handed to it no earlier than
    ``handed_from`` (the row's ``next_attempt_at``): when it is a marked client's chat, the
    mark is cleared and their coach told once; not for a message that may have left before
    the mark was set (``dialogs.reachability.delivered_again``). How many rows were queued."""
    client = _locked_client(session, chat_id)
    if client is None or client.unreachable_since is None:
        return 0
    return _clear(
        session, client, now, lambda reach: reachability.delivered_again(reach, handed_from, now)
    )


def _clear(
    session: Session,
    client: Client,
    now: datetime,
    decide: Callable[[reachability.Reach], reachability.Reachability | None],
) -> int:
    """Decide on the marked client (``decide``: the dialog's rule), store a cleared mark,
    audited, and queue the notices: the coach's, and with their alert open, the line for those
    who read its 📵 line of this mark. How many rows were queued."""
    assert client.id is not None and client.unreachable_since is not None
    coach = coach_contact(people.get_coach(session, client.coach_id))
    alert = alerts.open_alert_of(session, client.id)
    readers = _line_readers(session, alert, client.unreachable_since)
    reach = _reach(session, client, None)
    if alert is not None and readers:
        read = reachability.AlertLineRead(
            pressed_at=alert.pressed_at,
            coach_read=coach is not None and coach.chat_id in {c.chat_id for c in readers},
            numbers=reachability.numbers_refused(*_numbers_counted(session, alert, client)),
        )
        reach = replace(reach, alert_line_read=read)
    decided = decide(reach)
    if decided is None:
        return 0
    client.unreachable_since = decided.unreachable_since
    session.add(client)
    _audit(session, now, client.id, _CLEARED)
    queued = 0
    for reply in decided.outcome.replies:
        if reply.to is Recipient.ALERT_TEAM and alert is not None:
            for contact in readers:
                _queue(session, reply, contact, now, client_id=client.id, alert_id=alert.id)
                queued += 1
        elif reply.to is Recipient.COACH and coach is not None:
            _queue(session, reply, coach, now, client_id=client.id)
            queued += 1
    return queued


def _line_readers(session: Session, alert: Alert | None, since: datetime) -> list[Contact]:
    """Who read the open alert's 📵 line of the mark set at ``since``, in the language they
    read it in (a team group, a coach): its row sent, or still to go (at alert priority, so
    before the ✅); not a chat that refused it, nor a coach deactivated since (they hear
    nothing more)."""
    if alert is None or alert.id is None:
        return []
    readers = []
    for chat, language in _noticed(session, alert.id, since, refused=False).items():
        coach = people.coach_by_telegram_id(session, chat)
        reader = Contact(chat, language) if coach is None else coach_contact(coach)
        if reader is not None:
            readers.append(reader)
    return readers


def _numbers_counted(session: Session, alert: Alert, client: Client) -> tuple[int, int]:
    """The emergency numbers' rows to the client's chat for this alert: how many were queued,
    and how many of them were refused."""
    statement = select(func.count(), func.count(col(OutboxMessage.failed_at))).where(
        OutboxMessage.alert_id == alert.id,
        OutboxMessage.chat_id == client.telegram_user_id,
        col(OutboxMessage.text_key).in_(noodknop.NUMBER_KEYS),
    )
    queued, refused = session.exec(statement).one()
    return queued, refused


def chat_changed(
    session: Session, chat_id: int, change: ChatChange, now: datetime, outcomes: OutcomeApplier
) -> Applied:
    """Telegram's ``my_chat_member`` of a private chat: blocked is a refusal as a 403 is,
    unblocked is the client writing again. Nothing for a coach's or a stranger's chat."""
    if change is ChatChange.REFUSES:
        return client_refused(session, chat_id, now, outcomes)
    client = _locked_client(session, chat_id)
    if client is None:
        return Applied()
    return Applied(queued=client_wrote(session, client, now))


def _locked_client(session: Session, chat_id: int) -> Client | None:
    """The client whose private chat this is, locked; None for anyone else's."""
    found = people.client_by_telegram_id(session, chat_id)
    if found is None or found.id is None:
        return None
    return people.lock_client(session, found.id)


def _last_cleared(session: Session, client_id: int) -> datetime | None:
    """When the client's mark was last cleared (they came back), if ever."""
    statement = (
        select(AuditEvent.at)
        .where(
            AuditEvent.subject_type == "client",
            AuditEvent.subject_id == client_id,
            AuditEvent.action == _CLEARED,
        )
        .order_by(col(AuditEvent.at).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def _reach(
    session: Session, client: Client, open_checkin: CheckinState | None
) -> reachability.Reach:
    assert client.id is not None
    schedule = checkins.schedule_of(session, client.id)
    return reachability.Reach(
        client_id=client.id,
        name=client.name,
        active=client.status == ClientStatus.ACTIVE,
        unreachable_since=client.unreachable_since,
        paused=schedule.paused if schedule is not None else False,
        open_checkin=open_checkin,
        phone=client.phone,  # the row is loaded already: the everyday notice names it
    )


def _audit(session: Session, now: datetime, client_id: int, action: str) -> None:
    audit.record(
        session,
        at=now,
        actor="system",
        action=action,
        subject_type="client",
        subject_id=client_id,
    )
