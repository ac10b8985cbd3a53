"""The one entry point of the dialogs: who acted, what they did, when -> what should happen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dialogs import caseload, checkin, help_words, noodknop, onboarding, relay
from dialogs.buttons import ButtonKind, kind_of
from dialogs.caseload import CaseloadContext
from dialogs.checkin import CheckinContext
from dialogs.checkin_state import CheckinState, CheckinStatus
from dialogs.clients import ClientRef
from dialogs.coach import coach_acts
from dialogs.coach_checkin import CoachCheckinContext, coach_checkin_acts
from dialogs.events import (
    Command,
    EditedMessage,
    Event,
    MenuItem,
    MenuPress,
    OtherMessage,
    Start,
    Tap,
    Text,
)
from dialogs.outcome import READ_ALOUD_DATA, Keyboard, Outcome, Reply, StartCheckin
from dialogs.people import ClientStep, InviteView, Person, Role
from dialogs.relay import CoachRelayContext, RelayContext, RelayView
from dialogs.understand import parse_yes_no
from dialogs.words import Words

__all__ = ["DialogContext", "route"]


@dataclass(frozen=True)
class DialogContext:
    """What the shell looked up for this event."""

    invite: InviteView | None = None  # what a /start payload points to
    open_alert: noodknop.AlertView | None = None  # the acting client's open alert
    tapped_alert: noodknop.AlertView | None = None  # the alert a pressed button names
    # The acting client's open check-in (for a check-in button: else their latest one),
    # with the context its dialog needs; loaded by who acted, never by an id in button data.
    checkin: CheckinState | None = None
    checkin_context: CheckinContext | None = None
    coach_checkin: CoachCheckinContext | None = None  # a coach's clients, for their commands
    client_relay: RelayContext | None = None  # for a client: how messages reach the coach
    coach_relay: CoachRelayContext | None = None  # for a coach: where a message may go
    tapped_relay: RelayView | None = None  # the relay a "seen" button names
    coach_clients: tuple[ClientRef, ...] = ()  # for /bericht: the coach's active clients
    caseload: CaseloadContext | None = None  # for "Mijn cliënten": the coach's active clients
    words: Words = field(default_factory=Words)  # what the person may type for a button


_HELP_COMMANDS = frozenset({"help", "hulp"})
_NOODKNOP_COMMANDS = frozenset({"nood", "sos"})
# The client's menu (bot/render.py shows it); other labels are a coach's.
_CLIENT_MENU = frozenset({MenuItem.MESSAGE_COACH, MenuItem.CHECKIN, MenuItem.NOODKNOP})


def route(
    person: Person, event: Event, now: datetime, context: DialogContext | None = None
) -> Outcome:
    """Decide what happens to what ``person`` did at ``now``."""
    context = context or DialogContext()
    if isinstance(event, Tap):
        return _tap(person, event, now, context)
    if isinstance(event, Start) and event.payload:
        return onboarding.open_link(person, context.invite, now)
    if person.role is Role.STRANGER:
        return Outcome(replies=(Reply("stranger.hello"),))
    if person.role is Role.COACH:
        if isinstance(event, EditedMessage):
            return Outcome(replies=(Reply("coach.edited"),))
        if person.coach_active and caseload.wants_list(event):
            return caseload.show(context.caseload or CaseloadContext(), now)
        if context.coach_checkin is not None and person.coach_active:
            handled = coach_checkin_acts(person, event, now, context.coach_checkin)
            if handled is not None:
                return handled
        return _coach_messages(person, event, now, context) or coach_acts(person, event)
    return _client_acts(person, event, now, context)


def _tap(person: Person, event: Tap, now: datetime, context: DialogContext) -> Outcome:
    """A button press goes to the one dialog its data's prefix names."""
    data = event.data
    match kind_of(data):
        case ButtonKind.READ_ALOUD if data == READ_ALOUD_DATA:
            return Outcome()  # the shell reads the message under the button aloud
        case ButtonKind.ALERT_REASON | ButtonKind.ALERT if parsed := noodknop.parse_alert_data(
            data
        ):
            kind, _, action, arg = parsed
            if kind == "nk":
                return noodknop.tell_reason(person, context.tapped_alert, action, now)
            return noodknop.coach_taps_alert(
                person, context.tapped_alert, action, arg, now, event.chat_id
            )
        case ButtonKind.RELAY_CONFIRM:
            if context.client_relay is None:
                return Outcome(notice="common.button_unknown")
            return relay.client_confirms(person, data, now, context.client_relay)
        case ButtonKind.RELAY_SEEN:
            return relay.seen(person, context.tapped_relay, now)
        case ButtonKind.HELP_NOODKNOP if data == help_words.NOODKNOP_DATA and _active(person):
            return noodknop.press(person, context.open_alert, now)
        case ButtonKind.HELP_WORDS:
            return help_words.tap(person, data, now, context.client_relay)
        case ButtonKind.CHECKIN:
            if person.role is not Role.CLIENT or context.checkin_context is None:
                return Outcome(notice="common.question_closed")
            return checkin.handle_tap(context.checkin, data, now, context.checkin_context)
        case ButtonKind.SCHEDULE if person.role is Role.COACH and person.coach_active:
            handled = coach_checkin_acts(
                person, event, now, context.coach_checkin or CoachCheckinContext()
            )
            if handled is not None:
                return handled
        case ButtonKind.CASELOAD_PAGE | ButtonKind.CASELOAD_CLIENT if (
            person.role is Role.COACH and person.coach_active
        ):
            return caseload.tap(data, now, context.caseload, context.coach_checkin)
        case ButtonKind.ONBOARDING if data in (onboarding.CONSENT_YES, onboarding.CONSENT_NO):
            return onboarding.answer_consent(person, data == onboarding.CONSENT_YES, now)
        case ButtonKind.ONBOARDING if data in (onboarding.VOICE_YES, onboarding.VOICE_NO):
            return onboarding.answer_read_aloud(person, data == onboarding.VOICE_YES, now)
    return Outcome(notice="common.button_unknown")


def _client_acts(person: Person, event: Event, now: datetime, context: DialogContext) -> Outcome:
    if isinstance(event, MenuPress) and event.item not in _CLIENT_MENU and event.typed:
        event = event.typed  # a coach's menu label ("Hulp") typed by a client: the word itself
    step = person.client_step
    # Help words are heard first, in every state (never as an answer to a question).
    heard = help_words.recognise(event.text, context.words) if isinstance(event, Text) else None
    if step is ClientStep.ENDED:
        stopped = Outcome(replies=(Reply("client.stopped", keyboard=Keyboard.REMOVE),))
        return help_words.outside(heard) + stopped
    if step in (ClientStep.CONSENT_PENDING, ClientStep.VOICE_PENDING):
        if heard is not None:
            return help_words.outside(heard) + onboarding.ask_current_question(person)
        return _onboarding_answer(person, event, now, context.words)
    if heard is not None and isinstance(event, Text):
        said = help_words.answer(
            person, event, heard, now, context.open_alert, context.client_relay
        )
        return said + _question_again(context)
    match event:
        case MenuPress(item=MenuItem.NOODKNOP):
            return noodknop.press(person, context.open_alert, now)
        case Command(name=name) if name in _NOODKNOP_COMMANDS:
            return noodknop.press(person, context.open_alert, now)
        case OtherMessage(kind="location", message_id=int(message_id), chat_id=int(chat_id)) if (
            context.open_alert is not None
        ):
            return noodknop.share_location(person, context.open_alert, chat_id, message_id, now)
        case MenuPress(item=MenuItem.CHECKIN):
            return _checkin_asked(person, context)
        case Text() if _open(context.checkin) and context.checkin_context is not None:
            return _text_during_checkin(person, event, now, context)
        case MenuPress(item=MenuItem.MESSAGE_COACH) if context.client_relay is not None:
            return relay.ask_for_message(person, context.client_relay)
        case OtherMessage() if context.client_relay is not None and _open(context.checkin):
            # A voice note (or photo) during a check-in goes to the coach; the check-in goes on.
            return _message_during_checkin(person, event, now, context)
        case Text() | OtherMessage() if context.client_relay is not None:
            return relay.client_sends(person, event, now, context.client_relay)
        case Command(name=name) if name in _HELP_COMMANDS:
            return onboarding.client_menu(person, "client.help")
        case Start() | Command():
            return onboarding.client_menu(person, "client.already_joined")
        case EditedMessage():
            return Outcome(replies=(Reply("client.edited", keyboard=Keyboard.CLIENT_MENU),))
        case OtherMessage():
            return Outcome(replies=(Reply("client.unsupported", keyboard=Keyboard.CLIENT_MENU),))
    return Outcome(replies=(Reply("client.not_understood", keyboard=Keyboard.CLIENT_MENU),))


def _onboarding_answer(person: Person, event: Event, now: datetime, words: Words) -> Outcome:
    """During consent or the read-aloud choice a typed yes/no counts as pressing the button."""
    answer = parse_yes_no(event.text, words) if isinstance(event, Text) else None
    if answer is None:
        return onboarding.ask_current_question(person)
    if person.client_step is ClientStep.CONSENT_PENDING:
        return onboarding.answer_consent(person, answer, now)
    return onboarding.answer_read_aloud(person, answer, now)


def _open(state: CheckinState | None) -> bool:
    return state is not None and state.status is CheckinStatus.OPEN


def _active(person: Person) -> bool:
    return person.role is Role.CLIENT and person.client_step is ClientStep.ACTIVE


def _question_again(context: DialogContext) -> Outcome:
    """The open check-in question again, after something else was said in between."""
    if _open(context.checkin) and context.checkin_context is not None:
        assert context.checkin is not None
        return checkin.ask_again(context.checkin, context.checkin_context)
    return Outcome()


def _checkin_asked(person: Person, context: DialogContext) -> Outcome:
    """The menu's "how am I doing": go on with the open check-in, or start one now."""
    assert person.id is not None
    if _open(context.checkin) and context.checkin_context is not None:
        assert context.checkin is not None
        return checkin.ask_again(context.checkin, context.checkin_context)
    return Outcome(effects=(StartCheckin(person.id, "client"),))


def _coach_messages(
    person: Person, event: Event, now: datetime, context: DialogContext
) -> Outcome | None:
    """A coach's /bericht, or a message (a reply, or after /bericht) that goes to a client."""
    if not person.coach_active:
        return None
    if isinstance(event, Command) and event.name in relay.MESSAGE_COMMANDS:
        return relay.start_message(person, event.args, context.coach_clients)
    if isinstance(event, Text | OtherMessage):
        return relay.coach_sends(person, event, now, context.coach_relay or CoachRelayContext())
    return None


# Typed text during a check-in that answers nothing and is this long is a message for the
# coach ("ik heb een brief van de deurwaarder, kun je bellen?"), not a wrong answer.
_MESSAGE_WORDS = 4


def _text_during_checkin(
    person: Person, event: Text, now: datetime, context: DialogContext
) -> Outcome:
    assert context.checkin is not None and context.checkin_context is not None
    wants_to_tell = context.client_relay is not None and context.client_relay.awaiting_message
    if not wants_to_tell:
        answered = checkin.handle_text(context.checkin, event.text, now, context.checkin_context)
        understood = checkin.saved_state(answered) is not None or not answered.replies
        if understood or len(event.text.split()) < _MESSAGE_WORDS or context.client_relay is None:
            return answered
    return _message_during_checkin(person, event, now, context)


def _message_during_checkin(
    person: Person, event: Text | OtherMessage, now: datetime, context: DialogContext
) -> Outcome:
    """Pass the message on (as any message outside a question), then the open question again."""
    assert context.client_relay is not None
    assert context.checkin is not None and context.checkin_context is not None
    sent = relay.client_sends(person, event, now, context.client_relay)
    return sent + checkin.ask_again(context.checkin, context.checkin_context)
