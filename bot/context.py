"""What a dialog needs to know about one update, loaded once, inside the update's transaction.

``ContextLoader.load`` turns the acting person and their event into a ``DialogContext`` (the
client's open alert and check-in, how their messages reach the coach, the alert or relay a
pressed button names, the relay a client's emoji reaction is under, a coach's clients for
their commands, and their list of clients only for its command, menu button or page buttons)
and a ``Scope`` (who the outcome's replies may reach). Button data is untrusted: what a
button names is loaded only after its prefix (``dialogs.buttons``) says which dialog it is
for, and only when it belongs to the person who pressed it (a coach's own relay or check-in
signal; an alert is checked by its dialog).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session

from bot.alert_view import alert_people, load_alert_view
from bot.caseload import load_caseload
from bot.checkins import CheckinShell, state_of
from bot.client_card import load_card_context, wants_rhythm
from bot.coach_settings import CoachDefaults, load_settings_view
from bot.phases import load_data_client, load_ended_view, load_phase_context
from bot.reachability import client_wrote
from bot.relays import RelayShell
from bot.scope import Scope
from bot.signal_taps import load_signal_view
from bot.state import Actor, Contact, client_contact, coach_contact, load_invite
from dialogs import caseload, noodknop, phone, relay, stopping
from dialogs.buttons import ButtonKind, kind_of
from dialogs.clients import ClientRef
from dialogs.coach import NEW_CLIENT_COMMANDS, awaits_name
from dialogs.coach_checkin import COMMANDS as CHECKIN_COMMANDS
from dialogs.events import (
    Command,
    Event,
    GroupMessage,
    MenuItem,
    MenuPress,
    OtherMessage,
    Reaction,
    Start,
    Tap,
    Text,
)
from dialogs.people import Role
from dialogs.relay import CoachRelayContext
from dialogs.router import DialogContext
from dialogs.signal_actions import parse_data as parse_signal_data
from dialogs.words import normalise
from storage import alerts, checkins, people, relays
from storage.invites import looks_like_token
from storage.models import CheckinStatus, Client, ClientStatus

__all__ = ["ContextLoader"]


@dataclass(frozen=True)
class ContextLoader:
    checkins: CheckinShell
    relays: RelayShell
    coach_defaults: CoachDefaults = field(default_factory=CoachDefaults)
    ended_grace_days: int = 30  # an ended client's messages still reach the coach (settings)

    def load(
        self, session: Session, actor: Actor, event: Event, chat_id: int, now: datetime
    ) -> tuple[DialogContext, Scope]:
        person = actor.person
        sender = Contact(chat_id, person.language)
        payload = event.payload if isinstance(event, Start) else None
        invite = load_invite(session, payload) if payload and looks_like_token(payload) else None
        context = DialogContext(invite=invite, words=self.checkins.words_for(person.language))
        own_chat = Contact(person.telegram_user_id, person.language)  # a private chat's id
        scope = Scope(sender=sender, actor=own_chat, coach=actor.coach)
        if isinstance(event, GroupMessage):
            return context, scope  # only where such words go is said (dialogs.router)
        if invite is not None and invite.kind == "client" and person.role is not Role.COACH:
            # Whoever opens a client link: the client's coach now hears which account it was.
            # Not the invite row's coach: a move (``bot.client_admin``) leaves used and
            # withdrawn links naming the old coach, who no longer has access to this client.
            client_row = people.get_client(session, invite.client_id) if invite.client_id else None
            coach_row = people.get_coach(session, client_row.coach_id) if client_row else None
            scope = replace(scope, coach=coach_contact(coach_row), client_id=invite.client_id)
        button = kind_of(event.data) if isinstance(event, Tap) else None
        if person.role is Role.CLIENT and person.id is not None:
            client = people.get_client(session, person.id)  # locked by load_actor
            assert client is not None
            client_wrote(session, client, now)  # a chat that refused messages works again
            context, scope = self._client(
                session, client, actor, chat_id, now, event, button, context
            )
            if invite is not None and invite.kind == "client":
                # A (former) client's account opening a client link: what is queued is about
                # the client the link is for (their coach's "someone opened the link"), not
                # about the account's old row.
                scope = replace(scope, client_id=invite.client_id)
        if person.role is Role.COACH and person.id is not None:
            context, scope = self._coach(session, person.id, event, chat_id, now, context, scope)
            card = load_card_context(session, person, event, now, self.checkins)
            context = replace(context, client_card=card) if card is not None else context
            own = load_settings_view(session, person.id, event, self.coach_defaults)
            context = replace(context, coach_settings=own) if own is not None else context
            if _names_a_client(event, person.awaiting):
                context = replace(
                    context,
                    client_names=people.names_in_care(session, person.id),
                    renewable_invites=tuple(
                        ClientRef(c.id, c.name)
                        for c in people.never_opened(session, coach_id=person.id)
                        if c.id is not None
                    ),
                )
        if button in (ButtonKind.ALERT, ButtonKind.ALERT_REASON):
            assert isinstance(event, Tap)
            parsed = noodknop.parse_alert_data(event.data)
            tapped = alerts.lock_alert(session, parsed[1]) if parsed else None
            if tapped is not None:
                coach, client_contact = alert_people(session, tapped)
                context = replace(context, tapped_alert=load_alert_view(session, tapped))
                scope = replace(
                    scope, coach=coach, client=client_contact, client_id=None, alert_id=tapped.id
                )
        return context, scope

    def _client(
        self,
        session: Session,
        client: Client,
        actor: Actor,
        chat_id: int,
        now: datetime,
        event: Event,
        button: ButtonKind | None,
        context: DialogContext,
    ) -> tuple[DialogContext, Scope]:
        """A client's own open alert and check-in, how their messages reach the coach, and the
        relay their emoji reaction is under."""
        assert client.id is not None
        sender = Contact(chat_id, client.language)
        scope = Scope(sender=sender, coach=actor.coach, client=sender, client_id=client.id)
        found = alerts.open_alert_of(session, client.id)
        if found is not None:
            context = replace(context, open_alert=load_alert_view(session, found))
            scope = replace(scope, alert_id=found.id)
        # The open check-in; for a check-in button, else the latest one (to say it closed);
        # for a typed back word ("oeps"), else the latest one when it is done: the word may
        # be its "← Oeps, ander antwoord" (the dialog decides). Other texts look no further.
        row = checkins.open_checkin_of(session, client.id)
        if row is None and button is ButtonKind.CHECKIN:
            row = checkins.latest_checkin_of(session, client.id)
        elif row is None and _typed_back(event, context):
            latest = checkins.latest_checkin_of(session, client.id)
            row = latest if latest is not None and latest.status == CheckinStatus.DONE else None
        if row is not None:
            state = state_of(row)
            coach_name = actor.person.coach_name or ""
            context = replace(
                context,
                checkin=state,
                checkin_context=self.checkins.context(session, client, coach_name, state),
            )
        client_relay = self.relays.client_context(session, client, chat_id, now)
        if isinstance(event, Reaction):
            # The relay whose header or copy the emoji is under (the dialog tells whose).
            under = relays.relay_for_message(session, chat_id, event.message_id)
            if under is not None:
                context = replace(context, reacted_relay=self.relays.view(session, under))
        if client.status == ClientStatus.ENDED:
            ended = load_ended_view(session, client, chat_id, now, self.ended_grace_days)
            context = replace(context, ended=ended)
        return replace(context, client_relay=client_relay), scope

    def _coach(
        self,
        session: Session,
        coach_id: int,
        event: Event,
        chat_id: int,
        now: datetime,
        context: DialogContext,
        scope: Scope,
    ) -> tuple[DialogContext, Scope]:
        """What a coach's command, message or button may concern: only their own clients."""
        # Replies meant for "the coach" of this outcome are for the coach who acts.
        scope = replace(scope, coach=scope.sender)
        button = kind_of(event.data) if isinstance(event, Tap) else None
        if (
            (isinstance(event, Command) and event.name in CHECKIN_COMMANDS)
            or button is ButtonKind.SCHEDULE
            or wants_rhythm(event)  # a card's "⏱ Ritme"
        ):
            coach_checkin = self.checkins.coach_context(session, coach_id, now, context.words)
            context = replace(context, coach_checkin=coach_checkin)
        if caseload.wants_list(event) or button is ButtonKind.CASELOAD_PAGE:
            context = replace(context, caseload=load_caseload(session, coach_id, self.checkins))
        if isinstance(event, Command) and event.name in relay.MESSAGE_COMMANDS:
            own, marked = self.relays.message_clients(session, coach_id)
            context = replace(context, coach_clients=own, unreachable_clients=marked)
        if isinstance(event, Command) and event.name in phone.PHONE_COMMANDS:
            # Only the coach's own active clients, and only their numbers.
            own = self.relays.coach_clients(session, coach_id)
            phones = people.phones_of(session, [c.id for c in own])
            context = replace(context, coach_clients=own, client_phones=phones)
        if isinstance(event, Text | OtherMessage) or (
            isinstance(event, Command) and event.name in relay.CANCEL_COMMANDS
        ):  # /annuleer names the awaited client in a reminder (dialogs/relay.py coach_cancels)
            coach = people.get_coach(session, coach_id)
            assert coach is not None
            coach_relay, client = self.relays.coach_context(session, coach, chat_id, event)
            context = replace(context, coach_relay=coach_relay)
            scope = replace(scope, client=client, client_id=_relay_client(coach_relay))
        if button is ButtonKind.ALERT:  # acting on an alert may end a wait for another
            coach = people.get_coach(session, coach_id)  # client (dialogs/relay.py)
            if coach is not None and relay.awaiting_message_for(coach.awaiting) is not None:
                coach_relay, _ = self.relays.coach_context(session, coach, chat_id, event)
                context = replace(context, coach_relay=coach_relay)
        if button is ButtonKind.STOPPING:
            assert isinstance(event, Tap)
            context, scope = _stopping_client(session, coach_id, event, context, scope)
        phased = load_phase_context(session, coach_id, event, self.ended_grace_days, context.words)
        if phased:
            named = phased[0].client.ref.id if phased[0].client is not None else None
            context = replace(context, phases=phased[0])
            scope = replace(scope, client=phased[1], client_id=named)
        if asked := load_data_client(session, coach_id, event):
            context = replace(context, data_client=asked[0])
            scope = replace(scope, client=asked[1], client_id=asked[0].id)
        if button is ButtonKind.RELAY_SEEN:
            assert isinstance(event, Tap)
            relay_id = relay.parse_seen_data(event.data)
            found = relays.get_relay(session, relay_id) if relay_id is not None else None
            if found is not None and found.coach_id == coach_id:
                view = self.relays.view(session, found)
                client_row = people.get_client(session, found.client_id)
                if view.client_active:
                    scope = replace(scope, client=client_contact(client_row))
                scope = replace(scope, client_id=found.client_id)
                context = replace(context, tapped_relay=view)
        if button is ButtonKind.SIGNAL:
            assert isinstance(event, Tap)
            parsed = parse_signal_data(event.data)
            signal = load_signal_view(session, parsed[0], coach_id) if parsed else None
            if signal is not None:  # only a signal about a client of this coach
                client_row = people.get_client(session, signal.client_id)
                reach = client_contact(client_row)
                scope = replace(scope, client=reach, client_id=signal.client_id)
                context = replace(context, tapped_signal=signal)
        promiser = people.get_coach(session, coach_id)
        # Clients told "Anna stuurt je zo een bericht": a cancel, another question or an
        # alert's tap reminds Anna of that (dialogs/relay.py ``CoachRelayContext.promised``).
        # Each of those needs a wait for a message, but for /annuleer itself: only then read.
        cancels = isinstance(event, Command) and event.name in relay.CANCEL_COMMANDS
        may_remind = cancels or (
            promiser is not None and relay.awaiting_message_for(promiser.awaiting) is not None
        )
        promised = self.relays.promises(session, promiser) if may_remind and promiser else ()
        if promised:
            known = context.coach_relay or CoachRelayContext()
            context = replace(context, coach_relay=replace(known, promised=promised))
        return context, scope


def _stopping_client(
    session: Session, coach_id: int, event: Tap, context: DialogContext, scope: Scope
) -> tuple[DialogContext, Scope]:
    """ "Beëindigen" under a client's wish to stop: that client, only when they are this
    coach's and still take part."""
    parsed = stopping.parse_coach_data(event.data)
    client = people.get_client(session, parsed[1]) if parsed else None
    if client is None or client.id is None or client.coach_id != coach_id:
        return context, scope
    if client.status != ClientStatus.ACTIVE:
        return context, scope
    alert_open = alerts.open_alert_of(session, client.id) is not None
    context = replace(
        context,
        stopping_client=ClientRef(client.id, client.name),
        stopping_alert_open=alert_open,
    )
    return context, replace(scope, client=client_contact(client), client_id=client.id)


def _relay_client(coach_relay: CoachRelayContext) -> int | None:
    """The client a coach's message goes to: the relay it answers, the client it was asked
    for, or the one whose alert it answers."""
    if coach_relay.reply_target is not None:
        return coach_relay.reply_target.client_id
    for chosen in (coach_relay.awaiting_client, coach_relay.alert_client):
        if chosen is not None:
            return chosen.id
    return None


def _typed_back(event: Event, context: DialogContext) -> bool:
    """A client's text that is a back word ("oeps", "terug"): no database work to know."""
    return isinstance(event, Text) and normalise(event.text) in context.words.back


def _names_a_client(event: Event, awaiting: str | None) -> bool:
    """A coach's /nieuw, "➕ Nieuwe cliënt", or the answer to its question: a new name, which
    must differ from the coach's other clients', or the name of their client who never
    opened the link (a new link for them)."""
    if isinstance(event, Command):
        return event.name in NEW_CLIENT_COMMANDS
    if isinstance(event, MenuPress):
        return event.item is MenuItem.NEW_CLIENT
    return isinstance(event, Text) and awaits_name(awaiting)
