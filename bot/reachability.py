"""The shell of ``dialogs.reachability``: a client's chat that refuses the bot's messages (a
403 from Telegram, reported by the outbox worker's ``on_failed`` hook, ``bot.outbox_hooks``),
and the client writing again (``bot.context``, in the update's own transaction, before the
dialog decides: "📋 Hoe gaat het?" from a client who just unblocked the bot works at once).
Both run under the client's lock, so the coach hears each change once, also with two
instances.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.checkins import state_of
from bot.outbox_rows import enqueue_reply
from bot.outcomes import OutcomeApplier
from bot.scope import Applied, Scope
from bot.state import client_contact, coach_contact
from dialogs import reachability
from dialogs.checkin_state import CheckinState
from dialogs.outcome import Recipient
from storage import audit, checkins, people
from storage.models import Client, ClientStatus
from storage.outbox import Priority

__all__ = ["client_refused", "client_wrote"]


def client_refused(
    session: Session, chat_id: int, now: datetime, outcomes: OutcomeApplier
) -> Applied:
    """A message to ``chat_id`` was refused for good (403): when it is a client's chat, mark
    the client unreachable and tell their coach, the first time."""
    found = people.client_by_telegram_id(session, chat_id)
    if found is None or found.id is None:
        return Applied()
    client = people.lock_client(session, found.id)
    if client is None or client.id is None:
        return Applied()
    open_row = checkins.open_checkin_of(session, client.id)
    reach = _reach(session, client, state_of(open_row) if open_row is not None else None)
    decided = reachability.refused(reach, now)
    if decided is None:
        return Applied()
    client.unreachable_since = decided.unreachable_since
    session.add(client)
    _audit(session, now, client.id, "client.unreachable")
    coach = people.get_coach(session, client.coach_id)
    scope = Scope(coach=coach_contact(coach), client=client_contact(client), client_id=client.id)
    return outcomes.apply(session, decided.outcome, scope)


def client_wrote(session: Session, client: Client, now: datetime) -> None:
    """The client (locked by the update's load) sent something: their chat works again. The
    coach's notice is queued in the outbox like any other."""
    if client.unreachable_since is None or client.id is None:
        return  # the one column read on every update: nothing more
    decided = reachability.heard_again(_reach(session, client, None))
    if decided is None:
        return
    client.unreachable_since = decided.unreachable_since
    session.add(client)
    _audit(session, now, client.id, "client.reachable")
    coach = coach_contact(people.get_coach(session, client.coach_id))
    for reply in decided.outcome.replies:
        if reply.to is not Recipient.COACH or coach is None:
            continue
        enqueue_reply(
            session,
            reply=reply,
            chat_id=coach.chat_id,
            language=coach.language,
            params=reply.params,
            buttons=reply.buttons,
            now=now,
            alert_id=None,
            priority=Priority.NOTICE,
            client_id=client.id,
        )


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
