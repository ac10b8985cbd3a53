"""The shell side of relaying messages between a client and their coach.

A relay is stored (who, when, what kind, message ids) and two outbox rows carry it: a header
line saying who it is from, then a ``copyMessage`` of the original, so the content stays with
Telegram. The rows remember the message ids Telegram gave them, so a coach's reply to either
one finds its way back to the right client.

A client told "Anna stuurt je zo een bericht" is owed it (``client.message_promised_by``,
``promises``) until Anna's message to them arrives (``bot.outbox_hooks``), she logs a call or
visit, or the client moves or ends.

Longer than our ~400 lines on purpose: the relay's storing, its header and copy rows, the
client's pending "send this?" messages and the promises are one shell; split, each part would
reach into the others' rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.outbox_rows import enqueue_reply
from bot.state import Contact, client_contact
from dialogs.clients import ClientRef
from dialogs.events import Event, OtherMessage, Text
from dialogs.noodknop import is_available, next_available
from dialogs.outcome import READ_ALOUD_BUTTON, Reply
from dialogs.relay import (
    TEXT_KIND,
    WORDS_KEY,
    CoachRelayContext,
    Promised,
    RelayContext,
    RelayView,
    awaiting_message_for,
    copy_buttons,
    forwarded_header,
    relayed_header,
)
from dialogs.relay_effects import (
    AwaitClientMessage,
    MarkRelaySeen,
    PromiseMessage,
    RelayToClient,
    RelayToCoach,
    SetRelayAsked,
    SetRelayDirect,
)
from storage import alerts, audit, people, relays
from storage.models import Client, ClientStatus, Coach, CoachStatus, Relay
from storage.outbox import Priority, enqueue

__all__ = ["RelayShell"]


def _reachable(person: Client | Coach | None) -> bool:
    if person is None or person.telegram_user_id is None:
        return False
    if isinstance(person, Coach):
        return person.status == CoachStatus.ACTIVE
    return person.status == ClientStatus.ACTIVE


def _active_clients(session: Session, coach_id: int) -> list[Client]:
    return [
        c
        for c in people.list_clients(session, coach_id=coach_id)
        if c.status == ClientStatus.ACTIVE
    ]


def _may_message(session: Session, client: Client, coach: Coach) -> bool:
    """Their own coach; or the coach (a backup) who picked up the client's open alert without a
    phone number to call, and was told their next message goes to the client."""
    if client.coach_id == coach.id:
        return True
    assert client.id is not None
    alert = alerts.open_alert_of(session, client.id)
    return alert is not None and alert.acknowledged_by == coach.id


# What Telegram allows in one message, less room for the line saying who it is from.
_TEXT_ROOM = 4096 - 256
_CAPTION_ROOM = 1024 - 256
# Kinds whose copy may carry a caption (a sticker, round video or location cannot).
_CAPTIONED = frozenset({"photo", "video", "voice", "audio", "document", "animation"})


def _in_one_message(effect: RelayToCoach | RelayToClient, header: Reply) -> Reply | None:
    """A coach's message for a client as one message where Telegram allows it: their text
    under the header, or the header as the caption of their photo or voice note (above their
    own caption). None: the header goes first and the copy after it."""
    if not isinstance(effect, RelayToClient):
        return None
    words = effect.words or ""
    if effect.kind == TEXT_KIND:
        if not words or len(words) > _TEXT_ROOM:
            return None
    elif effect.kind not in _CAPTIONED or len(words) > _CAPTION_ROOM:
        return None
    if not words:
        return header  # the caption is only who it is from
    return replace(header, key=WORDS_KEY, params={**header.params, "words": words}, lead=header.key)


@dataclass(frozen=True)
class RelayShell:
    timezone: str
    max_bytes: int
    button_key: bytes  # seals the client's "send this?" buttons (see dialogs/relay.py)

    def __post_init__(self) -> None:
        if len(self.button_key) < 32:
            raise ValueError("the relay shell needs a button key of at least 32 bytes")

    # -- what the dialogs get -----------------------------------------------------------------

    def view(self, session: Session, relay: Relay) -> RelayView:
        assert relay.id is not None
        return self._view(
            session,
            relay_id=relay.id,
            client_id=relay.client_id,
            coach_id=relay.coach_id,
            to_coach=relay.direction == "to_coach",
            seen=relay.seen_at is not None,
            sent_at=relay.created_at,
        )

    @staticmethod
    def _view(
        session: Session,
        *,
        relay_id: int,
        client_id: int,
        coach_id: int,
        to_coach: bool,
        seen: bool,
        sent_at: datetime,
    ) -> RelayView:
        client = people.get_client(session, client_id)
        coach = people.get_coach(session, coach_id)
        return RelayView(
            relay_id=relay_id,
            client_id=client_id,
            coach_id=coach_id,
            client_name=client.name if client else "?",
            coach_name=coach.name if coach else "?",
            direction="to_coach" if to_coach else "to_client",
            seen=seen,
            client_active=client is not None
            and client.status == ClientStatus.ACTIVE
            and client.coach_id == coach_id,
            sent_at=sent_at,
        )

    def client_context(
        self,
        session: Session,
        client: Client,
        chat_id: int,
        now: datetime,
    ) -> RelayContext:
        """How a client's messages reach their coach."""
        coach = people.get_coach(session, client.coach_id)
        available, back = True, None
        if coach is not None:
            local = now.astimezone(ZoneInfo(self.timezone))
            window = (coach.available_days, coach.available_from, coach.available_until)
            available = is_available(*window, local)
            back = None if available else next_available(*window, local)
        assert client.id is not None
        return RelayContext(
            chat_id=chat_id,
            relay_direct=client.relay_direct,
            awaiting_message=client.awaiting_message,
            coach_available=available,
            coach_back=back,
            max_bytes=self.max_bytes,
            timezone=self.timezone,
            button_key=self.button_key,
            asked=tuple(client.relay_asked or ()),
        )

    def coach_context(
        self, session: Session, coach: Coach, chat_id: int, event: Event
    ) -> tuple[CoachRelayContext, Contact | None]:
        """What a coach's message may relay to, and the client it concerns (for "seen")."""
        target = None
        client: Client | None = None
        reply_to = event.reply_to if isinstance(event, Text | OtherMessage) else None
        alert_client = None
        if reply_to is not None:
            relay = relays.relay_for_message(session, chat_id, reply_to)
            if relay is not None:
                target = self.view(session, relay)
                client = people.get_client(session, relay.client_id)
            elif (copied := alerts.client_of_copy(session, chat_id, reply_to)) is not None:
                # A reply to what the client sent with their open alert: to that client.
                candidate = people.get_client(session, copied)
                if _reachable(candidate) and candidate and _may_message(session, candidate, coach):
                    assert candidate.id is not None
                    alert_client, client = ClientRef(candidate.id, candidate.name), candidate
        awaited = None
        awaited_id = awaiting_message_for(coach.awaiting)
        if awaited_id is not None and target is None:
            candidate = people.get_client(session, awaited_id)
            if _reachable(candidate) and candidate and _may_message(session, candidate, coach):
                assert candidate.id is not None
                awaited, client = ClientRef(candidate.id, candidate.name), candidate
        contact = client_contact(client)
        marked = client.unreachable_since if client is not None else None
        found = CoachRelayContext(target, awaited, self.max_bytes, alert_client, marked)
        return found, contact

    @staticmethod
    def coach_clients(session: Session, coach_id: int) -> tuple[ClientRef, ...]:
        active = _active_clients(session, coach_id)
        return tuple(ClientRef(c.id, c.name) for c in active if c.id is not None)

    @staticmethod
    def message_clients(
        session: Session, coach_id: int
    ) -> tuple[tuple[ClientRef, ...], dict[int, datetime]]:
        """For ``/bericht``: the coach's active clients, and since when those whose chat
        refuses messages do (``client.unreachable_since``), by client id."""
        active = _active_clients(session, coach_id)
        refs = tuple(ClientRef(c.id, c.name) for c in active if c.id is not None)
        marked = {
            c.id: c.unreachable_since
            for c in active
            if c.id is not None and c.unreachable_since is not None
        }
        return refs, marked

    # -- effects ------------------------------------------------------------------------------

    def handlers(self) -> dict[type, Handler]:
        """The relay effects this shell stores (see ``bot.effect_registry``)."""
        return {
            RelayToCoach: self._relay,
            RelayToClient: self._relay,
            MarkRelaySeen: _mark_seen,
            SetRelayDirect: _set_direct,
            SetRelayAsked: _set_asked,
            AwaitClientMessage: _await_message,
            PromiseMessage: _promise,
        }

    @staticmethod
    def promises(session: Session, coach: Coach) -> tuple[Promised, ...]:
        """The clients this coach promised a message (``PromiseMessage``) and has not written
        since, while the coach may still write them (a move or an ended support ends the
        reminder), with what their reminder says (``dialogs.promise_reminder``): read from the
        client's row, and only for a backup's promise (an alert picked up) their coach and
        whether a message of theirs came with the alert into this coach's chat."""
        assert coach.id is not None
        found = []
        for client in people.promised_by(session, coach.id):
            if client.id is None or not _reachable(client):
                continue
            unreachable = client.unreachable_since is not None
            if client.coach_id == coach.id:
                found.append(Promised(client.id, client.name, True, unreachable, client.phone))
                continue
            alert = alerts.open_alert_of(session, client.id)
            if alert is None or alert.acknowledged_by != coach.id or alert.id is None:
                continue  # as ``_may_message``: the backup writes only during that alert
            own = people.get_coach(session, client.coach_id)
            chat = coach.telegram_user_id
            replies = chat is not None and alerts.copy_in_chat(session, alert.id, chat)
            found.append(
                Promised(
                    client.id,
                    client.name,
                    own_coach=False,
                    unreachable=unreachable,
                    phone=client.phone,
                    coach_name=own.name if own is not None else "",
                    can_reply=replies,
                )
            )
        return tuple(found)

    def _relay(
        self, session: Session, effect: RelayToCoach | RelayToClient, env: EffectEnv
    ) -> EffectResult:
        """Store a relay and queue its two rows (header, copy). A receiver who cannot be
        reached at all makes ``undeliverable`` set: the sender must hear it."""
        now = env.now
        client = people.get_client(session, effect.client_id)
        assert client is not None and client.id is not None
        to_coach = isinstance(effect, RelayToCoach)
        coach_id = effect.coach_id if isinstance(effect, RelayToClient) else client.coach_id
        answers = effect.answers_relay_id if isinstance(effect, RelayToClient) else None
        relay_id = relays.add_relay(
            session,
            client_id=client.id,
            coach_id=coach_id,
            direction="to_coach" if to_coach else "to_client",
            kind=effect.kind,
            from_chat_id=effect.from_chat_id,
            source_message_id=effect.message_id,
            answers_relay_id=answers,
            now=now,
        )
        if relay_id is None:
            return NOTHING  # relayed before (a second tap on "yes"): no double copy
        audit.record(
            session,
            at=now,
            actor=f"client:{client.id}" if to_coach else f"coach:{coach_id}",
            action="message.relayed",
            subject_type="relay",
            subject_id=relay_id,
        )
        view = self._view(
            session,
            relay_id=relay_id,
            client_id=client.id,
            coach_id=coach_id,
            to_coach=to_coach,
            seen=False,
            sent_at=now,
        )
        receiver: Client | Coach | None = (
            people.get_coach(session, coach_id) if to_coach else client
        )
        if not _reachable(receiver):
            relays.mark_failed(session, relay_id, now)
            return EffectResult(relay_id=relay_id, client_id=client.id, undeliverable=view)
        assert receiver is not None and receiver.telegram_user_id is not None
        forwarded = effect.forwarded_from
        header = relayed_header(view) if forwarded is None else forwarded_header(view, forwarded)
        # Help words: a header that says so; words of danger travel as an alert does.
        urgent = isinstance(effect, RelayToCoach) and effect.urgent
        if isinstance(effect, RelayToCoach) and effect.header is not None:
            header = replace(header, key=effect.header)
        if isinstance(effect, RelayToCoach) and effect.ended_on is not None:
            header = replace(header, params={**header.params, "ended": effect.ended_on})
        priority = Priority.ALERT if urgent else Priority.RELAY
        one = _in_one_message(effect, header)
        if one is not None and effect.kind == TEXT_KIND:
            # The coach's text under the line saying who it is from: one message, one push.
            self._enqueue_header(session, one, receiver, relay_id, client.id, now, priority)
            return EffectResult(relay_id=relay_id, client_id=client.id, queued=1, urgent=urgent)
        if one is None:
            self._enqueue_header(session, header, receiver, relay_id, client.id, now, priority)
        buttons = copy_buttons(view)
        if not to_coach and effect.kind == TEXT_KIND:
            # The coach's own words can be heard too: the button reads the copy's text.
            buttons = (*buttons, (READ_ALOUD_BUTTON,))
        enqueue(
            session,
            now=now,
            chat_id=receiver.telegram_user_id,
            priority=priority,
            language=receiver.language,
            # With a caption (who it is from, and the coach's own caption) it is one message.
            text_key=one.key if one else None,
            lead_key=one.lead if one else None,
            params=one.params if one else None,
            keyboard=one.keyboard.value if one and one.keyboard else None,
            buttons=[[{"label_key": b.label_key, "data": b.data} for b in row] for row in buttons],
            copy_from_chat_id=effect.from_chat_id,
            copy_message_id=effect.message_id,
            relay_id=relay_id,
            client_id=client.id,
        )
        queued = 2 if one is None else 1
        return EffectResult(relay_id=relay_id, client_id=client.id, queued=queued, urgent=urgent)

    @staticmethod
    def _enqueue_header(
        session: Session,
        header: Reply,
        receiver: Client | Coach,
        relay_id: int,
        client_id: int,
        now: datetime,
        priority: Priority,
    ) -> None:
        assert receiver.telegram_user_id is not None
        enqueue_reply(
            session,
            reply=header,
            chat_id=receiver.telegram_user_id,
            language=receiver.language,
            params=header.params,
            buttons=(),
            now=now,
            alert_id=None,
            priority=priority,
            relay_id=relay_id,
            client_id=client_id,
        )


def _mark_seen(session: Session, effect: MarkRelaySeen, env: EffectEnv) -> EffectResult:
    relays.mark_seen(session, effect.relay_id, env.now)
    return NOTHING


def _set_direct(session: Session, effect: SetRelayDirect, env: EffectEnv) -> EffectResult:
    client = people.get_client(session, effect.client_id)
    assert client is not None
    client.relay_direct = effect.relay_direct
    session.add(client)
    return NOTHING


def _set_asked(session: Session, effect: SetRelayAsked, env: EffectEnv) -> EffectResult:
    client = people.get_client(session, effect.client_id)
    assert client is not None
    client.relay_asked = list(effect.asked) or None
    session.add(client)
    return NOTHING


def _promise(session: Session, effect: PromiseMessage, env: EffectEnv) -> EffectResult:
    people.promise_message(session, effect.client_id, effect.coach_id)
    return NOTHING


def _await_message(session: Session, effect: AwaitClientMessage, env: EffectEnv) -> EffectResult:
    client = people.get_client(session, effect.client_id)
    assert client is not None
    client.awaiting_message = effect.awaiting
    session.add(client)
    return NOTHING
