"""The shell side of a client's card: what ``dialogs.client_card`` needs, loaded only for the
coach's own active client, and the contact effects (logging a call, visit or talk; its note).

A card reads about a dozen small queries for one client (its check-ins of the last three
months, its alerts, logged contacts, standing signals, rhythm changes, phases, coaches).
A note is loaded only for the coach who logged the contact (a client moved to another coach
keeps their contacts, not the first coach's notes on the card of the next).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.checkins import CheckinShell, state_of
from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.outbox_rows import decode_params
from dialogs import client_card, coach, relay
from dialogs.buttons import ButtonKind, kind_of
from dialogs.card_view import (
    CardAlert,
    CardCheckin,
    CardContext,
    CardView,
    CoachStep,
    ContactKind,
    LoggedContact,
    NotActive,
    NotActiveClient,
    PhaseStep,
    RhythmChange,
)
from dialogs.checkin import grade_of
from dialogs.checkin_questions import Question, QuestionBook
from dialogs.checkin_state import CheckinStatus
from dialogs.clients import ClientRef
from dialogs.contact_effects import LogContact, SetContactNote
from dialogs.events import Command, Event, Tap, Text
from dialogs.outcome import TextRef
from dialogs.people import Person
from dialogs.schedule import Rhythm
from storage import audit, caseload, checkins, contacts, invites, people
from storage.models import Checkin, Client, ClientStatus, ContactLog

__all__ = ["HANDLERS", "load_card", "load_card_context", "wants_rhythm"]


def wants_rhythm(event: Event) -> bool:
    """A card's "⏱ Ritme": the rhythm dialog's context is needed too."""
    return isinstance(event, Tap) and event.data.startswith("cc:") and event.data.endswith(":r")


def load_card_context(
    session: Session, person: Person, event: Event, now: datetime, shell: CheckinShell
) -> CardContext | None:
    """What a coach's card command or button, or a note they type, may concern; the coach's
    own clients a new client's name may be, and the client a stop-joining button names."""
    coach_id = person.id
    assert coach_id is not None
    timezone = shell.timezone
    if isinstance(event, Command) and client_card.wants_card(event):
        own = _own_clients(session, coach_id)
        named = client_card.client_named(event.args, own)
        card = load_card(session, coach_id, named.id, shell, now) if named else None
        # A name with no card: why not, from the coach's own other clients only.
        others = _not_active(session, coach_id) if named is None and event.args.strip() else ()
        return CardContext(card=card, clients=own, not_active=others, timezone=timezone)
    if isinstance(event, Tap) and kind_of(event.data) in (
        ButtonKind.CASELOAD_CLIENT,
        ButtonKind.CLIENT_CARD,
    ):
        if event.data.startswith("cn:"):
            return CardContext(noting=_noting(session, person), timezone=timezone)
        client_id = client_card.tapped_client_id(event.data)
        card = load_card(session, coach_id, client_id, shell, now) if client_id else None
        return CardContext(card=card, timezone=timezone)
    cancel = isinstance(event, Command) and event.name in relay.CANCEL_COMMANDS
    if (isinstance(event, Text) or cancel) and client_card.awaits_note(person):
        return CardContext(noting=_noting(session, person), timezone=timezone)
    if isinstance(event, Tap) and kind_of(event.data) is ButtonKind.STOP_JOINING:
        client_id = coach.stop_joining_client_id(event.data)
        return _stop_joining_context(session, coach_id, client_id, timezone)
    if _names_new_client(event, person.awaiting):
        # The coach's invited and joining clients: their name makes a new link for them.
        renewable = (NotActive.INVITED, NotActive.JOINING)
        others = tuple(c for c in _not_active(session, coach_id) if c.status in renewable)
        return CardContext(not_active=others, timezone=timezone)
    return None


def _stop_joining_context(
    session: Session, coach_id: int, client_id: int | None, timezone: str
) -> CardContext:
    """The client a "Stop aanmelding, nieuwe link" button names, as they are now, only when
    the coach's own (the data is untrusted): active (``clients``: they finished joining
    meanwhile) or not (``not_active``: still joining, or invited, said no, ended)."""
    client = people.get_client(session, client_id) if client_id is not None else None
    if client is None or client.id is None or client.coach_id != coach_id:
        return CardContext(timezone=timezone)
    if client.status == ClientStatus.ACTIVE:
        return CardContext(clients=(ClientRef(client.id, client.name),), timezone=timezone)
    found = tuple(c for c in _not_active(session, coach_id) if c.client.id == client.id)
    return CardContext(not_active=found, timezone=timezone)


def _names_new_client(event: Event, awaiting: str | None) -> bool:
    """A coach's ``/nieuw Naam``, or a name typed as the answer to "➕ Nieuwe cliënt"."""
    if isinstance(event, Command):
        return event.name in coach.NEW_CLIENT_COMMANDS and bool(event.args.strip())
    return isinstance(event, Text) and coach.awaits_name(awaiting)


def _own_clients(session: Session, coach_id: int) -> tuple[ClientRef, ...]:
    return tuple(
        ClientRef(c.id, c.name) for c in caseload.active_clients(session, coach_id) if c.id
    )


_NOT_ACTIVE = {
    ClientStatus.INVITED: NotActive.INVITED,
    ClientStatus.CONSENT_PENDING: NotActive.JOINING,
    ClientStatus.VOICE_PENDING: NotActive.JOINING,
    ClientStatus.DECLINED: NotActive.DECLINED,
    ClientStatus.ENDED: NotActive.ENDED,
}


def _not_active(session: Session, coach_id: int) -> tuple[NotActiveClient, ...]:
    """The coach's own clients who are not active; for the invited, until when their link
    works; for those joining, since when they are at their step (the link opened, or their
    consent given)."""
    rows = [
        c
        for c in people.list_clients(session, coach_id=coach_id)
        if c.id is not None and c.status != ClientStatus.ACTIVE
    ]
    status = {c.id: _NOT_ACTIVE[ClientStatus(c.status)] for c in rows}
    until = invites.links_until(
        session, [c.id for c in rows if c.id and status[c.id] is NotActive.INVITED]
    )
    opened = invites.opened_at(
        session, [c.id for c in rows if c.id and status[c.id] is NotActive.JOINING]
    )
    found = []
    for c in rows:
        assert c.id is not None
        consented = status[c.id] is NotActive.JOINING and c.consent_at is not None
        since = c.consent_at if consented else opened.get(c.id)
        ref = ClientRef(c.id, c.name)
        found.append(NotActiveClient(ref, status[c.id], until.get(c.id), since, consented))
    return tuple(found)


def _own_active(session: Session, coach_id: int, client_id: int) -> Client | None:
    client = people.get_client(session, client_id)
    if client is None or client.coach_id != coach_id or client.status != ClientStatus.ACTIVE:
        return None
    return client


def _noting(session: Session, person: Person) -> LoggedContact | None:
    """The contact the coach's pending note is for: theirs, about their own active client."""
    contact_id = client_card.noting_contact_id(person.awaiting)
    row = contacts.get_contact(session, contact_id) if contact_id is not None else None
    if row is None or person.id is None or row.coach_id != person.id:
        return None
    client = _own_active(session, person.id, row.client_id)
    return _logged(row, person.id, client.name) if client is not None else None


def _logged(row: ContactLog, viewer: int, client_name: str = "") -> LoggedContact:
    assert row.id is not None
    return LoggedContact(
        id=row.id,
        client_id=row.client_id,
        coach_id=row.coach_id,
        at=row.at,
        kind=ContactKind(row.kind),
        note=row.note if row.coach_id == viewer else None,
        client_name=client_name,
    )


def load_card(
    session: Session, coach_id: int, client_id: int, shell: CheckinShell, now: datetime
) -> CardView | None:
    """The card of ``client_id``, only when it is one of the coach's own active clients."""
    client = _own_active(session, coach_id, client_id)
    if client is None:
        return None
    since = now - timedelta(days=client_card.CHART_DAYS)
    book = shell.book(client.language)
    period = contacts.checkins_since(session, client_id, since)
    recent = caseload.recent_checkins(session, [client_id])
    answered = next(  # one closed unanswered (paused, or it could not arrive) shows none
        (
            r
            for r in recent
            if r.status in (CheckinStatus.DONE, CheckinStatus.UNFINISHED) and r.answers
        ),
        None,
    )
    last_answers: tuple[tuple[Question, str], ...] = ()
    if answered is not None and (questions := book.get(answered.version)) is not None:
        effective = questions.effective(answered.answers)
        last_answers = tuple((q, effective[q.id]) for q in questions.questions if q.id in effective)
    logged = contacts.contacts_of(session, client_id)
    finished = [r.finished_at for r in recent if r.status == CheckinStatus.DONE]
    moments = [
        caseload.last_relays(session, [client_id]).get(client_id),
        contacts.last_contacts(session, [client_id]).get(client_id),
        *finished,
    ]
    schedule = checkins.schedule_of(session, client_id)
    phases = contacts.phases_of(session, client_id)
    current = next((p for p in reversed(phases) if p.ended_at is None), None)
    assignments = contacts.assignments_of(session, client_id)
    coaches = {a.coach_id: people.get_coach(session, a.coach_id) for a in assignments}
    return CardView(
        client=ClientRef(client_id, client.name),
        coach_id=coach_id,
        joined_at=client.consent_at or client.created_at,
        phase=current.phase if current is not None else None,
        rhythm=Rhythm(schedule.rhythm) if schedule is not None else None,
        paused=schedule.paused if schedule is not None else False,
        unreachable_since=client.unreachable_since,
        phone=client.phone,  # the row is loaded already: the 📵 line names it
        last_contact=max((m for m in moments if m is not None), default=None),
        checkins=tuple(_card_checkin(row, book) for row in period),
        alerts=tuple(
            CardAlert(a.pressed_at, a.outcome if a.closed_at is not None else None)
            for a in contacts.alerts_since(session, client_id)
        ),
        contacts=tuple(_logged(row, coach_id) for row in logged),
        last_answers=last_answers,
        last_answered_at=answered.sent_at if answered is not None and last_answers else None,
        signals=tuple(
            TextRef(s.text_key, {**decode_params(s.params), "client": client.name})
            for s in contacts.standing_signals(session, client_id)
        ),
        rhythm_changes=tuple(
            RhythmChange(c.at, Rhythm(c.rhythm), c.paused)
            for c in contacts.schedule_changes_since(session, client_id)
        ),
        phases=tuple(PhaseStep(p.started_at, str(p.phase)) for p in phases),
        coaches=tuple(
            CoachStep(a.started_at, coach.name)
            for a in assignments
            if (coach := coaches.get(a.coach_id)) is not None
        ),
        low_grade=shell.rules.low_grade,
    )


def _card_checkin(row: Checkin, book: QuestionBook) -> CardCheckin:
    status = CheckinStatus(row.status)
    questions = book.get(row.version)
    grade = None
    if status in (CheckinStatus.DONE, CheckinStatus.UNFINISHED) and questions is not None:
        grade = grade_of(state_of(row), questions)
    return CardCheckin(row.sent_at, status, grade)


# -- effects -----------------------------------------------------------------------------------


def _log_contact(session: Session, effect: LogContact, env: EffectEnv) -> EffectResult:
    """The contact, now; with ``ask_note`` the coach's next plain text is its note."""
    row = contacts.add_contact(
        session, client_id=effect.client_id, coach_id=effect.coach_id, kind=effect.kind, now=env.now
    )
    audit.record(
        session,
        at=env.now,
        actor=f"coach:{effect.coach_id}",
        action="contact.logged",
        subject_type="client",
        subject_id=effect.client_id,
    )
    # The coach called or visited: a message they promised the client is moot.
    people.keep_promise(session, effect.client_id, effect.coach_id)
    coach = people.get_coach(session, effect.coach_id)
    if effect.ask_note and coach is not None:
        coach.awaiting = f"{client_card.AWAITING_NOTE_PREFIX}{row.id}"
        session.add(coach)
    return NOTHING


def _set_note(session: Session, effect: SetContactNote, env: EffectEnv) -> EffectResult:
    row = contacts.get_contact(session, effect.contact_id)
    if row is not None and row.coach_id == effect.coach_id:
        contacts.set_note(session, row, effect.note)
    return NOTHING


HANDLERS: dict[type, Handler] = {LogContact: _log_contact, SetContactNote: _set_note}
