"""The shell side of a client's support phases, of the end of support and reopening it, of a
former client's messages, and of a client's request for what is kept about them.

What the dialogs get (``dialogs.phases``, ``dialogs.ended``, ``dialogs.data_request``) is
loaded only for the coach's own clients: a phase button or command for another coach's
client, or a forged id, finds nothing. A phase's "who" is read from the audit trail (the
event written with the phase, at the same moment): ``support_phase`` needs no column for it.

The summary a client asked for goes through the outbox as a row that names no data: its
caption's text key (``SUMMARY_CAPTION``) tells the worker to attach the summary of the client
whose chat it is, rendered when it is sent (``summary_document``), so the outbox never holds
it and a row retried after a Telegram error sends what is stored then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select
from telegram.error import BadRequest

from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.state import Contact, client_contact, coach_contact
from bot.summary import render_summary
from bot.texts import Texts
from dialogs import data_request, phases
from dialogs.buttons import ButtonKind, kind_of
from dialogs.clients import ClientRef
from dialogs.ended import EndedView
from dialogs.events import Command, Event, Tap
from dialogs.phase_effects import ReopenSupport, RequestData, SendSummary, SetPhase
from dialogs.words import Words
from storage import alerts, audit, data_rights, people
from storage.models import AuditEvent, Client, ClientStatus, SupportPhase, SupportPhaseName
from storage.outbox import Priority, enqueue

__all__ = [
    "SUMMARY_CAPTION",
    "load_data_client",
    "load_ended_view",
    "load_phase_context",
    "phase_handlers",
    "summary_document",
]

SUMMARY_CAPTION = "data_request.summary_caption"
_FILE_NAME = "data_request.file_name"
# The audit events that open a phase, and so say who set it.
_PHASE_ACTIONS = ("client.phase_set", "client.ended", "client.reopened")


# -- what the dialogs get ----------------------------------------------------------------------


def load_phase_context(
    session: Session, coach_id: int, event: Event, grace_days: int, words: Words
) -> tuple[phases.PhaseContext, Contact | None] | None:
    """For /fase, /afsluiten, /heropen and the phase buttons: the client they name, only when
    it is one of the coach's own (active or ended), and where to reach that client."""
    row: Client | None = None
    active: tuple[ClientRef, ...] = ()
    former: tuple[ClientRef, ...] = ()
    if isinstance(event, Command) and phases.wants(event):
        own = people.list_clients(session, coach_id=coach_id)
        active = tuple(ClientRef(c.id, c.name) for c in own if c.id and _is(c, ClientStatus.ACTIVE))
        former = tuple(ClientRef(c.id, c.name) for c in own if c.id and _is(c, ClientStatus.ENDED))
        named = phases.named_client(event, active, former, words)
        row = people.get_client(session, named.id) if named is not None else None
    elif isinstance(event, Tap) and kind_of(event.data) is ButtonKind.PHASE:
        client_id = phases.tapped_client_id(event.data)
        row = people.get_client(session, client_id) if client_id is not None else None
    else:
        return None
    view = _phase_client(session, row, coach_id)
    context = phases.PhaseContext(view, active, former, grace_days)
    return context, client_contact(row) if view is not None else None


def _is(client: Client, status: ClientStatus) -> bool:
    return client.status == status


def _phase_client(
    session: Session, client: Client | None, coach_id: int
) -> phases.PhaseClient | None:
    if client is None or client.id is None or client.coach_id != coach_id:
        return None
    if client.status not in (ClientStatus.ACTIVE, ClientStatus.ENDED):
        return None
    return phases.PhaseClient(
        ref=ClientRef(client.id, client.name),
        coach_id=coach_id,
        ended=client.status == ClientStatus.ENDED,
        linked=client.telegram_user_id is not None,
        steps=_steps(session, client.id),
        alert_open=alerts.open_alert_of(session, client.id) is not None,
    )


def _steps(session: Session, client_id: int) -> tuple[phases.PhaseStep, ...]:
    """The phases, oldest first, each with the coach who set it. The first phase opens when
    the client is invited; every later one opens with one audit event (``_PHASE_ACTIONS``)
    at the same moment, in the same order."""
    rows = session.exec(
        select(SupportPhase)
        .where(SupportPhase.client_id == client_id)
        .order_by(col(SupportPhase.id))
    ).all()
    events = list(
        session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == "client",
                AuditEvent.subject_id == client_id,
                col(AuditEvent.action).in_(_PHASE_ACTIONS),
            )
            .order_by(col(AuditEvent.id))
        )
    )
    names: dict[str, str | None] = {}

    def who(actor: str) -> str | None:
        if not actor.startswith("coach:"):
            return None
        if actor not in names:
            coach = people.get_coach(session, int(actor.removeprefix("coach:")))
            names[actor] = coach.name if coach is not None else None
        return names[actor]

    steps = []
    for index, row in enumerate(rows):
        by = None
        if index > 0 and events and events[0].at == row.started_at:
            by = who(events.pop(0).actor)
        steps.append(phases.PhaseStep(str(row.phase), row.started_at, by, row.end_reason))
    return tuple(steps)


def load_ended_view(
    session: Session, client: Client, chat_id: int, now: datetime, grace_days: int
) -> EndedView:
    """For a client whose support ended: since when, and whether a message still reaches the
    former coach (within the grace period, and the coach can still be reached)."""
    assert client.id is not None
    ended = session.exec(
        select(SupportPhase)
        .where(
            SupportPhase.client_id == client.id,
            SupportPhase.phase == SupportPhaseName.ENDED,
            col(SupportPhase.ended_at).is_(None),
        )
        .order_by(col(SupportPhase.started_at).desc())
    ).first()
    ended_at = ended.started_at if ended is not None else None
    reachable = coach_contact(people.get_coach(session, client.coach_id)) is not None
    within = ended_at is not None and now - ended_at < timedelta(days=grace_days)
    return EndedView(ended_at=ended_at, passes_on=within and reachable, chat_id=chat_id)


def load_data_client(
    session: Session, coach_id: int, event: Event
) -> tuple[ClientRef, Contact | None] | None:
    """ "📄 Stuur Sam het overzicht": that client, only when they are this coach's and
    still take part."""
    if not isinstance(event, Tap) or kind_of(event.data) is not ButtonKind.DATA_REQUEST:
        return None
    client_id = data_request.parse_data(event.data)
    client = people.get_client(session, client_id) if client_id is not None else None
    if client is None or client.id is None or client.coach_id != coach_id:
        return None
    if client.status != ClientStatus.ACTIVE:
        return None
    return ClientRef(client.id, client.name), client_contact(client)


# -- the summary as a document -----------------------------------------------------------------


def summary_document(
    session: Session, chat_id: int, texts: Texts, now: datetime
) -> tuple[str, bytes]:
    """The file name and the page of the summary of the client whose chat this is, as
    ``waakvlam client export`` writes it. No such client any more (erased, or the account
    let go): a final failure, nothing is sent."""
    client = people.client_by_telegram_id(session, chat_id)
    records = data_rights.collect(session, client.id) if client and client.id else None
    if client is None or records is None:
        raise BadRequest("the summary's client is gone")
    coach = people.get_coach(session, client.coach_id)
    page = render_summary(records, coach_name=coach.name if coach else "", texts=texts, now=now)
    name = texts.render(texts.language(client.language), _FILE_NAME)
    return name, page.encode()


# -- effects -----------------------------------------------------------------------------------


def _open_phase(session: Session, client_id: int, phase: str, now: datetime) -> None:
    """Close the open phase and open ``phase`` now."""
    open_rows = select(SupportPhase).where(
        SupportPhase.client_id == client_id, col(SupportPhase.ended_at).is_(None)
    )
    for row in session.exec(open_rows):
        row.ended_at = now
        session.add(row)
    session.add(SupportPhase(client_id=client_id, phase=phase, started_at=now))


def _audit(session: Session, env: EffectEnv, actor: str, action: str, client_id: int) -> None:
    audit.record(
        session, at=env.now, actor=actor, action=action, subject_type="client", subject_id=client_id
    )


def _set_phase(session: Session, effect: SetPhase, env: EffectEnv) -> EffectResult:
    client = people.lock_client(session, effect.client_id)
    if client is None or client.status != ClientStatus.ACTIVE:
        return NOTHING
    if client.coach_id != effect.coach_id:
        raise LookupError(f"client {effect.client_id} is not coach {effect.coach_id}'s")
    _open_phase(session, effect.client_id, SupportPhaseName(effect.phase), env.now)
    _audit(session, env, f"coach:{effect.coach_id}", "client.phase_set", effect.client_id)
    return NOTHING


def _reopen(session: Session, effect: ReopenSupport, env: EffectEnv) -> EffectResult:
    """Active again, in a new "regular" phase; the check-in schedule goes on as it was."""
    client = people.lock_client(session, effect.client_id)
    if client is None or client.status != ClientStatus.ENDED or client.telegram_user_id is None:
        return NOTHING
    if client.coach_id != effect.coach_id:
        raise LookupError(f"client {effect.client_id} is not coach {effect.coach_id}'s")
    client.status = ClientStatus.ACTIVE
    client.updated_at = env.now
    session.add(client)
    _open_phase(session, effect.client_id, SupportPhaseName.REGULAR, env.now)
    _audit(session, env, f"coach:{effect.coach_id}", "client.reopened", effect.client_id)
    return EffectResult(client=client_contact(client))


def _request_data(session: Session, effect: RequestData, env: EffectEnv) -> EffectResult:
    _audit(session, env, f"client:{effect.client_id}", "client.data_requested", effect.client_id)
    return NOTHING


def _send_summary(session: Session, effect: SendSummary, env: EffectEnv) -> EffectResult:
    """Queue the document: a caption row whose summary is rendered when it is sent."""
    client = people.get_client(session, effect.client_id)
    if (
        client is None
        or client.coach_id != effect.coach_id
        or client.status != ClientStatus.ACTIVE
        or client.telegram_user_id is None
    ):
        return NOTHING
    enqueue(
        session,
        now=env.now,
        chat_id=client.telegram_user_id,
        priority=Priority.RELAY,
        language=client.language,
        text_key=SUMMARY_CAPTION,
        client_id=client.id,
    )
    _audit(session, env, f"coach:{effect.coach_id}", "client.summary_sent", effect.client_id)
    return EffectResult(queued=1)


def phase_handlers() -> dict[type, Handler]:
    return {
        SetPhase: _set_phase,
        ReopenSupport: _reopen,
        RequestData: _request_data,
        SendSummary: _send_summary,
    }
