"""What a dialog needs to know about one update, loaded once, inside the update's transaction.

``ContextLoader.load`` turns the acting person and their event into a ``DialogContext`` (the
client's open alert and check-in, how their messages reach the coach, the alert or relay a
pressed button names, a coach's clients for their commands, and their list of clients only
for its command, menu button or page buttons) and a ``Scope`` (who the outcome's replies may
reach). Button data is untrusted: what a button names is loaded only after its
prefix (``dialogs.buttons``) says which dialog it is for, and only when it belongs to the
person who pressed it (a coach's own relay; an alert is checked by its dialog).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from bot.alerts import alert_people, load_alert_view
from bot.caseload import load_caseload
from bot.checkins import CheckinShell, state_of
from bot.relays import RelayShell
from bot.scope import Scope
from bot.state import Actor, Contact, client_contact, load_invite
from dialogs import caseload, noodknop, relay
from dialogs.buttons import ButtonKind, kind_of
from dialogs.coach_checkin import COMMANDS as CHECKIN_COMMANDS
from dialogs.events import Command, Event, OtherMessage, Start, Tap, Text
from dialogs.people import Role
from dialogs.router import DialogContext
from storage import alerts, checkins, people, relays
from storage.invites import looks_like_token
from storage.models import Client

__all__ = ["ContextLoader"]


@dataclass(frozen=True)
class ContextLoader:
    checkins: CheckinShell
    relays: RelayShell

    def load(
        self, session: Session, actor: Actor, event: Event, chat_id: int, now: datetime
    ) -> tuple[DialogContext, Scope]:
        person = actor.person
        sender = Contact(chat_id, person.language)
        payload = event.payload if isinstance(event, Start) else None
        invite = load_invite(session, payload) if payload and looks_like_token(payload) else None
        context = DialogContext(invite=invite, words=self.checkins.words_for(person.language))
        scope = Scope(sender=sender, coach=actor.coach)
        button = kind_of(event.data) if isinstance(event, Tap) else None
        if person.role is Role.CLIENT and person.id is not None:
            client = people.get_client(session, person.id)  # locked by load_actor
            assert client is not None
            context, scope = self._client(session, client, actor, chat_id, now, button, context)
        if person.role is Role.COACH and person.id is not None:
            context, scope = self._coach(session, person.id, event, chat_id, now, context, scope)
        if button in (ButtonKind.ALERT, ButtonKind.ALERT_REASON):
            assert isinstance(event, Tap)
            parsed = noodknop.parse_alert_data(event.data)
            tapped = alerts.lock_alert(session, parsed[1]) if parsed else None
            if tapped is not None:
                coach, client_contact = alert_people(session, tapped)
                context = replace(context, tapped_alert=load_alert_view(session, tapped))
                scope = Scope(sender=sender, coach=coach, client=client_contact, alert_id=tapped.id)
        return context, scope

    def _client(
        self,
        session: Session,
        client: Client,
        actor: Actor,
        chat_id: int,
        now: datetime,
        button: ButtonKind | None,
        context: DialogContext,
    ) -> tuple[DialogContext, Scope]:
        """A client's own open alert and check-in, and how their messages reach the coach."""
        assert client.id is not None
        sender = Contact(chat_id, client.language)
        scope = Scope(sender=sender, coach=actor.coach, client=sender)
        found = alerts.open_alert_of(session, client.id)
        if found is not None:
            context = replace(context, open_alert=load_alert_view(session, found))
            scope = replace(scope, alert_id=found.id)
        # The open check-in; for a check-in button, else the latest one (to say it closed).
        row = checkins.open_checkin_of(session, client.id)
        if row is None and button is ButtonKind.CHECKIN:
            row = checkins.latest_checkin_of(session, client.id)
        if row is not None:
            state = state_of(row)
            coach_name = actor.person.coach_name or ""
            context = replace(
                context,
                checkin=state,
                checkin_context=self.checkins.context(session, client, coach_name, state),
            )
        client_relay = self.relays.client_context(session, client, chat_id, now, found)
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
        if (isinstance(event, Command) and event.name in CHECKIN_COMMANDS) or (
            button in (ButtonKind.SCHEDULE, ButtonKind.CASELOAD_CLIENT)
        ):
            coach_checkin = self.checkins.coach_context(session, coach_id, now, context.words)
            context = replace(context, coach_checkin=coach_checkin)
        if caseload.wants_list(event) or button is ButtonKind.CASELOAD_PAGE:
            context = replace(context, caseload=load_caseload(session, coach_id, self.checkins))
        if isinstance(event, Command) and event.name in relay.MESSAGE_COMMANDS:
            context = replace(context, coach_clients=self.relays.coach_clients(session, coach_id))
        if isinstance(event, Text | OtherMessage):
            coach = people.get_coach(session, coach_id)
            assert coach is not None
            coach_relay, client = self.relays.coach_context(session, coach, chat_id, event)
            context = replace(context, coach_relay=coach_relay)
            scope = replace(scope, client=client)
        if button is ButtonKind.RELAY_SEEN:
            assert isinstance(event, Tap)
            relay_id = relay.parse_seen_data(event.data)
            found = relays.get_relay(session, relay_id) if relay_id is not None else None
            if found is not None and found.coach_id == coach_id:
                view = self.relays.view(session, found)
                client_row = people.get_client(session, found.client_id)
                if view.client_active:
                    scope = replace(scope, client=client_contact(client_row))
                context = replace(context, tapped_relay=view)
        return context, scope
