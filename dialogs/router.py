"""The one entry point of the dialogs: who acted, what they did, when -> what should happen.

Longer than our ~400 lines on purpose: every way in (a tap by its prefix, a client's words,
a coach's command) is chosen here, in one place a newcomer reads top to bottom; the rules
themselves live in the dialog modules it calls.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime

from dialogs import (
    caseload,
    checkin,
    client_card,
    coach_settings,
    data_request,
    help_words,
    language,
    message_mode,
    noodknop,
    onboarding,
    phases,
    phone,
    read_aloud,
    relay,
    stopping,
)
from dialogs.buttons import ButtonKind, kind_of
from dialogs.card_view import CardContext, NotActive
from dialogs.caseload import CaseloadContext
from dialogs.checkin import CheckinContext
from dialogs.checkin_state import CheckinState, CheckinStatus
from dialogs.clients import ClientRef
from dialogs.coach import awaits_name, coach_acts, stop_joining_tap
from dialogs.coach_checkin import CoachCheckinContext, coach_checkin_acts
from dialogs.coach_settings import SettingsView
from dialogs.ended import EndedView
from dialogs.ended import answer as ended_answer
from dialogs.events import (
    Command,
    EditedMessage,
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
from dialogs.outcome import (
    READ_ALOUD_DATA,
    AwaitInput,
    Keyboard,
    Outcome,
    Recipient,
    Reply,
    StartCheckin,
)
from dialogs.people import ClientStep, InviteView, Person, Role
from dialogs.phases import PhaseContext
from dialogs.relay import CoachRelayContext, RelayContext, RelayView
from dialogs.signal_actions import SignalView, coach_taps
from dialogs.understand import parse_yes_no
from dialogs.words import Words, normalise

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
    reacted_relay: RelayView | None = None  # a client's emoji reaction: the relay it is under
    coach_clients: tuple[ClientRef, ...] = ()  # for /bericht: the coach's active clients
    # For /bericht: since when those of them whose chat refuses messages do, by client id.
    unreachable_clients: dict[int, datetime] = field(default_factory=dict)
    caseload: CaseloadContext | None = None  # for "Mijn cliënten": the coach's active clients
    coach_settings: SettingsView | None = None  # for /instellingen and its buttons
    client_names: tuple[str, ...] = ()  # a coach's clients in care, for a new client's name
    # Those of them invited who never opened their link: /nieuw with the name makes a new one.
    renewable_invites: tuple[ClientRef, ...] = ()
    words: Words = field(default_factory=Words)  # what the person may type for a button
    tapped_signal: SignalView | None = None  # the check-in signal a coach's button names
    stopping_client: ClientRef | None = None  # "Beëindigen": the coach's active client it names
    stopping_alert_open: bool = False  # that client has an open noodknop alert
    client_phones: dict[int, str] = field(default_factory=dict)  # for /telefoon: by client id
    client_card: CardContext | None = None  # a coach's client card, or the contact noted
    phases: PhaseContext | None = None  # /fase, /afsluiten, /heropen, their buttons
    ended: EndedView | None = None  # a client whose support ended: since when, relay?
    data_client: ClientRef | None = None  # "📄 Stuur Sam het overzicht": the coach's client


_HELP_COMMANDS = frozenset({"help", "hulp"})
_NOODKNOP_COMMANDS = frozenset({"nood", "sos"})
# The client's menu (bot/render.py shows it); other labels are a coach's.
_CLIENT_MENU = frozenset({MenuItem.MESSAGE_COACH, MenuItem.CHECKIN, MenuItem.NOODKNOP})


def route(
    person: Person, event: Event, now: datetime, context: DialogContext | None = None
) -> Outcome:
    """Decide what happens to what ``person`` did at ``now``."""
    if isinstance(event, GroupMessage):
        # Words for the bot in a team group: nothing is done with them there (a client must
        # never be named in the group), and no open question or wait of the sender's changes.
        return Outcome(replies=(Reply("group.private_chat_only"),))
    context = context or DialogContext()
    outcome = stopping.question_after(person, _route(person, event, now, context))
    if person.role is Role.CLIENT and context.open_alert is not None:
        keep = noodknop.wants_location_after(context.open_alert, outcome)
        to_client = (Recipient.SENDER, Recipient.CLIENT)
        replies = tuple(
            noodknop.with_location_key(r, keep) if r.to in to_client else r for r in outcome.replies
        )
        return replace(outcome, replies=replies)
    if person.role is Role.COACH and context.coach_relay is not None:
        # A new question (``/bericht Jan``, ``/nieuw``, a note) ends a wait for a client
        # promised a message: the coach reads that promise (``relay.wait_replaced``).
        return relay.wait_replaced(person, outcome, context.coach_relay.promised)
    return outcome


def _route(person: Person, event: Event, now: datetime, context: DialogContext) -> Outcome:
    if person.client_step is ClientStep.DECLINED and not person.may_take_back(now):
        # Said no, and the link has expired: a stranger (the shell erases them soon).
        person = Person.stranger(person.telegram_user_id, person.language)
    if isinstance(event, Reaction):  # 👍: to the coach, or how to answer an open question
        asked = _open(context.checkin) and context.checkin_context is not None
        return relay.client_reacts(person, event, now, context.reacted_relay, asked)
    if isinstance(event, Tap):
        return _tap(person, event, now, context)
    if isinstance(event, Start) and event.payload:
        return onboarding.open_link(person, context.invite, now, event.account)
    if person.role is Role.STRANGER:
        # Nobody to tell, but words of danger or /nood always get the emergency numbers.
        return _outside_help(event, context) + Outcome(replies=(Reply("stranger.hello"),))
    if person.role is Role.COACH:
        if isinstance(event, EditedMessage):
            return Outcome(replies=(Reply("coach.edited"),))
        if person.coach_active and (cancelled := _coach_cancels(person, event, now, context)):
            return cancelled
        if person.coach_active and (card := _client_card(person, event, now, context)):
            return card
        if person.coach_active and phases.wants(event):
            assert isinstance(event, Command)
            return phases.command(
                person, event, now, context.phases or PhaseContext(), context.words
            )
        if person.coach_active and context.coach_settings and coach_settings.wants_settings(event):
            return coach_settings.show(context.coach_settings)
        if person.coach_active and caseload.wants_list(event):
            return caseload.show(context.caseload or CaseloadContext(), now)
        if context.coach_checkin is not None and person.coach_active:
            handled = coach_checkin_acts(person, event, now, context.coach_checkin)
            if handled is not None:
                return handled
        return _coach_messages(person, event, now, context) or _coach_acts(
            person, event, now, context
        )
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
            tapped = context.tapped_alert
            if kind == "nk" and _needs_help_again(person, tapped, action):
                return noodknop.press(person, context.open_alert, now)  # a closed alert: anew
            if kind == "nk":
                return noodknop.tell_reason(person, tapped, action, now)
            return _alert_tapped(person, event, action, arg, now, context)
        case ButtonKind.RELAY_CONFIRM:
            if context.client_relay is None:
                return Outcome(notice="common.button_unknown")
            confirmed = relay.client_confirms(person, data, now, context.client_relay)
            # "Verstuurd" or "Oké, ik stuur het niet.", then an open check-in's question: last.
            return confirmed + (_question_again(context) if confirmed.replies else Outcome())
        case ButtonKind.RELAY_SEEN:
            return relay.seen(person, context.tapped_relay, now)
        case ButtonKind.SIGNAL:
            return coach_taps(person, context.tapped_signal, data)
        case ButtonKind.HELP_NOODKNOP if data == help_words.NOODKNOP_DATA and _active(person):
            return noodknop.press(person, context.open_alert, now)
        case ButtonKind.HELP_WORDS:
            return help_words.tap(person, data, now, context.client_relay)
        case ButtonKind.MESSAGE_CANCEL:
            return message_mode.tap_cancel(person, context.client_relay) + _question_again(context)
        case ButtonKind.LANGUAGE:
            return language.tap(person, data, context.words) + _question_again(context, person)
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
        case ButtonKind.PHASE:
            return phases.tap(person, data, now, context.phases)
        case ButtonKind.DATA_REQUEST:
            return data_request.coach_taps(person, data, context.data_client)
        case ButtonKind.STOP_JOINING if person.role is Role.COACH and person.coach_active:
            return stop_joining_tap(person, data, context.words, context.client_card)
        case ButtonKind.COACH_SETTINGS if person.role is Role.COACH and person.coach_active:
            return coach_settings.tap(data, context.coach_settings)
        case ButtonKind.CASELOAD_PAGE if person.role is Role.COACH and person.coach_active:
            return caseload.tap(data, now, context.caseload)
        case ButtonKind.CASELOAD_CLIENT | ButtonKind.CLIENT_CARD if (
            person.role is Role.COACH and person.coach_active
        ):
            return client_card.tap(person, data, now, context.client_card, context.coach_checkin)
        case ButtonKind.ONBOARDING if data in (onboarding.CONSENT_YES, onboarding.CONSENT_NO):
            return onboarding.answer_consent(person, data == onboarding.CONSENT_YES, now)
        case ButtonKind.ONBOARDING if data in (onboarding.VOICE_YES, onboarding.VOICE_NO):
            return onboarding.answer_read_aloud(person, data == onboarding.VOICE_YES, now)
        case ButtonKind.ONBOARDING if data == onboarding.CONSENT_TAKE_BACK:
            return onboarding.answer_consent(person, True, now)
        case ButtonKind.STOPPING if data in (stopping.STOP_YES, stopping.STOP_NO):
            return _stop_answered(person, data == stopping.STOP_YES, now, context)
        case ButtonKind.STOPPING:
            return stopping.coach_decides(
                person, data, context.stopping_client, now, context.stopping_alert_open
            )
    return Outcome(notice="common.button_unknown")


def _client_acts(person: Person, event: Event, now: datetime, context: DialogContext) -> Outcome:
    if isinstance(event, MenuPress) and event.item not in _CLIENT_MENU and event.typed:
        event = event.typed  # a coach's menu label ("Hulp") typed by a client: the word itself
    step = person.client_step
    # What the client typed themselves: the only words that answer a question, choose or
    # cancel. None for a forward (a friend's "nee", "toch niet", "English"): someone else's
    # words go on as any forward does, to the coach.
    own = _own_text(event)
    # Help words are heard first, in every state (never as an answer to a question); their
    # coach's name and their own around them do not count ("anna, ik ben bang").
    heard = _heard(event, context, (person.coach_name, person.name))
    if step is ClientStep.ENDED:
        return ended_answer(
            person, event, heard, now, context.ended, context.open_alert, context.client_relay
        )
    if step is not ClientStep.DECLINED and (said := _language_asked(person, event, own, context)):
        return said + _question_again(context, person)
    if heard is None and (switched := _read_aloud_asked(person, own, now, context)):
        return switched
    if step in (ClientStep.CONSENT_PENDING, ClientStep.VOICE_PENDING, ClientStep.DECLINED):
        if heard is not None or _asks_noodknop(event):
            return _outside_help(event, context) + onboarding.ask_current_question(person)
        return _onboarding_answer(person, own, now, context.words)
    if heard is not None and isinstance(event, Text):
        said = help_words.answer(
            person, event, heard, now, context.open_alert, context.client_relay
        )
        return said + _question_again(context)
    if own is not None and stopping.wants_to_stop(own.text, context.words):
        return stopping.ask(person)
    typed = stopping.typed_answer(person, own.text, context.words, now) if own is not None else None
    if typed is not None:  # "nee" to "Wil je stoppen?": not a check-in answer, no message
        return _stop_answered(person, typed, now, context)
    if own is not None and data_request.wants_data(own.text, context.words):
        return data_request.ask(person) + _question_again(context)
    after = phone.After(onboarding.client_menu(person, "onboarding.ready"), Keyboard.CLIENT_MENU)
    answered = phone.offer_answered(person, own, context.words, after)
    if answered is not None:
        return answered
    if own is not None and message_mode.is_cancel(own.text, context.words, context.client_relay):
        return message_mode.cancel(person, context.client_relay) + _question_again(context)
    # Another menu button (or a noodknop command) ends "💬 Bericht aan coach" first.
    ended = message_mode.ended(person, context.client_relay)
    match event:
        case OtherMessage(kind="contact") if (
            step is ClientStep.ACTIVE
            and (shared := phone.contact_shared(person, event, after)) is not None
        ):
            return shared
        case MenuPress(item=MenuItem.NOODKNOP):
            return noodknop.press(person, context.open_alert, now) + ended
        case Command(name=name) if name in _NOODKNOP_COMMANDS:
            return noodknop.press(person, context.open_alert, now) + ended
        case OtherMessage(kind="location", message_id=int(message_id), chat_id=int(chat_id)) if (
            context.open_alert is not None
        ):
            return noodknop.share_location(person, context.open_alert, chat_id, message_id, now)
        case MenuPress(item=MenuItem.CHECKIN):
            return _checkin_asked(person, context) + ended
        case Text() if _open(context.checkin) and context.checkin_context is not None:
            return _text_during_checkin(person, event, now, context)
        case Text() if (undone := _oops_typed(event, now, context)) is not None:
            return undone
        case Text() | OtherMessage() if help_words.adds_to_alert(event, context.open_alert):
            assert context.open_alert is not None
            return help_words.add_to_alert(person, event, context.open_alert, context.client_relay)
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


def _stop_answered(person: Person, yes: bool, now: datetime, context: DialogContext) -> Outcome:
    """The client's yes or no to "Wil je stoppen?", pressed or typed."""
    answered = stopping.client_answers(person, yes, now)
    if not yes and answered.replies:
        return answered + _question_again(context)  # an open check-in goes on
    return answered


def _own_text(event: Event) -> Text | None:
    """A text the client typed (or a keyboard button they pressed) themselves; None for
    anything else, and for a forward: someone else's words never answer a question, make a
    choice or cancel for the client (yes/no, "toch niet", "stop", a language, "voorlezen", a
    check-in answer). Every typed answer the router matches comes through here; the forward
    itself goes on as any message does (to the coach, without "send this?")."""
    if isinstance(event, Text) and event.forwarded_from is None:
        return event
    return None


def _language_asked(
    person: Person, event: Event, own: Text | None, context: DialogContext
) -> Outcome | None:
    """A language's name typed by the client themselves (``own``: "English"), or ``/taal``."""
    if isinstance(event, Command) and event.name in language.COMMANDS:
        return language.offer(person, context.words)
    if own is not None:
        chosen = language.wanted(own, context.words)
        return language.choose(person, chosen) if chosen is not None else None
    return None


def _read_aloud_asked(
    person: Person, own: Text | None, now: datetime, context: DialogContext
) -> Outcome | None:
    """ "voorlezen" / "niet voorlezen" typed by the client themselves (``own``) in any state:
    switched, then the open question again (it is heard, or no longer heard, from here on)."""
    on = read_aloud.wanted(own.text, context.words) if own is not None else None
    switched = read_aloud.switch(person, on, now) if on is not None else None
    if switched is None or person.client_step is ClientStep.VOICE_PENDING:
        return switched  # that question is answered by it
    return switched + _question_again(context, person)


def _onboarding_answer(person: Person, own: Text | None, now: datetime, words: Words) -> Outcome:
    """During consent or the read-aloud choice a yes/no typed by the client themselves
    (``own``) counts as pressing the button (after a "Nee" to consent, a typed yes takes it
    back); a forwarded "ja" is no consent: the question again."""
    answer = parse_yes_no(own.text, words) if own is not None else None
    if answer is None:
        return onboarding.ask_current_question(person)
    if person.client_step in (ClientStep.CONSENT_PENDING, ClientStep.DECLINED):
        return onboarding.answer_consent(person, answer, now)
    return onboarding.answer_read_aloud(person, answer, now)


def _open(state: CheckinState | None) -> bool:
    return state is not None and state.status is CheckinStatus.OPEN


def _asks_noodknop(event: Event) -> bool:
    return isinstance(event, Command) and event.name in _NOODKNOP_COMMANDS


def _outside_help(event: Event, context: DialogContext) -> Outcome:
    """Someone the bot cannot alert anyone for (a stranger, a client still joining) who typed
    help words or /nood: the calm line with 112, or the numbers for words of danger."""
    if _asks_noodknop(event):
        return help_words.outside(help_words.Heard.DANGER)
    return help_words.outside(_heard(event, context))


def _heard(
    event: Event, context: DialogContext, names: tuple[str | None, ...] = ()
) -> help_words.Heard | None:
    """Help words in a text. A forwarded text is someone else's words: its "hulp" is no cry
    for help of the client's own (the forward goes on as any forward does), but its words of
    danger still count as they would typed: the bot cannot tell whose they are, and a friend's
    "ik wil dood" needs someone to look as much as the client's own."""
    if not isinstance(event, Text):
        return None
    heard = help_words.recognise(event.text, context.words, names)
    if event.forwarded_from is not None and heard is not help_words.Heard.DANGER:
        return None
    return heard


def _needs_help_again(person: Person, tapped: noodknop.AlertView | None, action: str) -> bool:
    """ "🔴 Toch hulp nodig" (or "no, I need help") under the client's own alert, closed since:
    as a noodknop press, never a "question closed"."""
    return (
        _active(person)
        and tapped is not None
        and tapped.closed
        and tapped.client_id == person.id
        and action in noodknop.STILL_NEED_HELP
    )


def _active(person: Person) -> bool:
    return person.role is Role.CLIENT and person.client_step is ClientStep.ACTIVE


def _question_again(context: DialogContext, person: Person | None = None) -> Outcome:
    """The open question again, after something else was said in between: while joining
    (given ``person``), the onboarding question; else an open check-in's."""
    if person is not None and person.client_step in (
        ClientStep.CONSENT_PENDING,
        ClientStep.VOICE_PENDING,
    ):
        return onboarding.ask_current_question(person)
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


def _coach_acts(person: Person, event: Event, now: datetime, context: DialogContext) -> Outcome:
    """A coach's /nieuw, menu and help. A name may be one of the coach's clients who is
    invited (``renewable_invites``, and those the shell loaded as not active with the card's
    context: invited again after their joining stopped) or still joining (the coach is asked
    before that joining stops)."""
    others = context.client_card.not_active if context.client_card else ()
    renewable = context.renewable_invites + tuple(
        c.client
        for c in others
        if c.status is NotActive.INVITED and c.client not in context.renewable_invites
    )
    joining = tuple(c for c in others if c.status is NotActive.JOINING)
    return coach_acts(person, event, context.words, now, context.client_names, renewable, joining)


def _client_card(
    person: Person, event: Event, now: datetime, context: DialogContext
) -> Outcome | None:
    """``/client Sam``, or the note a coach types after logging a contact (a reply to a
    client's message is a message, not a note). A note no longer wanted: the question is
    dropped and the text is handled as any other."""
    card_context = context.client_card or CardContext()
    if client_card.wants_card(event):
        assert isinstance(event, Command)
        return client_card.command(person, event, now, card_context)
    if not (isinstance(event, Text) and event.reply_to is None and client_card.awaits_note(person)):
        return None
    noted = client_card.note_given(person, event, now, card_context)
    if noted is not None:
        return noted
    assert person.id is not None
    dropped = Outcome(effects=(AwaitInput(person.id, None),))
    return dropped + route(replace(person, awaiting=None), event, now, context)


def _coach_cancels(
    person: Person, event: Event, now: datetime, context: DialogContext
) -> Outcome | None:
    """/annuleer or "laat maar" while any answer of the coach's is awaited (a message, a
    contact's note, a new client's name): one rule (``relay.coach_cancels``), heard before
    the dialog that waits could take the words as its answer; that dialog says what is not
    done."""
    if not isinstance(event, Command | Text):
        return None
    not_done = None
    if client_card.awaits_note(person):
        not_done = client_card.note_cancelled(person, now, context.client_card or CardContext())
    elif awaits_name(person.awaiting):
        not_done = Reply("coach_relay.cancelled_new_client")
    found = context.coach_relay or CoachRelayContext()
    return relay.coach_cancels(
        person, event, context.words, found.awaiting_client, not_done, found.promised
    )


def _alert_tapped(
    person: Person, event: Tap, action: str, arg: str, now: datetime, context: DialogContext
) -> Outcome:
    """A coach's tap on an alert's buttons. When it acts on the alert (a pick-up, a pass, a
    close: something is stored), a message awaited for another client ends
    (``relay.alert_ends_wait``): what the coach types next is about this alert. A wait the
    pick-up sets itself (no phone number: the next message goes to this client) wins."""
    tapped = context.tapped_alert
    acted = noodknop.coach_taps_alert(person, tapped, action, arg, now, event.chat_id)
    if tapped is None or not acted.effects:
        return acted  # nothing done (already taken, not theirs): the wait stays as it was
    found = context.coach_relay or CoachRelayContext()
    ended = relay.alert_ends_wait(person, tapped.client_id, found.awaiting_client, found.promised)
    if any(isinstance(effect, AwaitInput) for effect in acted.effects):
        ended = replace(ended, effects=())
    return acted + ended


def _coach_messages(
    person: Person, event: Event, now: datetime, context: DialogContext
) -> Outcome | None:
    """A coach's /bericht, or a message (a reply, or after /bericht) that goes to a client."""
    if not person.coach_active:
        return None
    if isinstance(event, Command) and event.name in relay.MESSAGE_COMMANDS:
        return relay.start_message(
            person, event.args, context.coach_clients, context.unreachable_clients
        )
    if isinstance(event, Command) and event.name in phone.PHONE_COMMANDS:
        return phone.coach_command(
            person, event.args, context.coach_clients, context.client_phones, context.words
        )
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
    # A forward is someone else's words (a friend's "8"): never an answer, a message.
    forwarded = _own_text(event) is None
    if not (wants_to_tell or forwarded):
        answered = checkin.handle_text(context.checkin, event.text, now, context.checkin_context)
        understood = checkin.saved_state(answered) is not None or not answered.replies
        if understood or context.client_relay is None:
            return answered
        if len(event.text.split()) < _MESSAGE_WORDS:
            return _offer_during_checkin(
                person, event, answered, context.client_relay, context.words
            )
    if context.client_relay is None:  # nowhere to pass it on (the shell always gives one)
        return checkin.ask_again(context.checkin, context.checkin_context)
    return _message_during_checkin(person, event, now, context)


def _offer_during_checkin(
    person: Person,
    event: Text,
    answered: Outcome,
    client_relay: relay.RelayContext,
    words: Words,
) -> Outcome:
    """A short text that answers nothing ("moe", "help me niet"): mostly a try at an answer,
    but it may be meant for the coach, and is never lost. "Dat begrijp ik niet." above the
    offer to send it ("Wil je dit naar Anna sturen?", asked also of a client who sends without
    asking), and nothing more: one question at a time. Its answer brings the check-in's
    question back (``_tap``: "We gaan verder waar je was."); the question's own buttons above
    still work. The retry alone when there is nothing to pass on (only punctuation: "?"), no
    message to copy, the text was a try at a grade (``checkin.not_understood``: "11"), or a
    plain yes, no or okay ("nee" to a grade: a try at an answer, never a message to offer)."""
    if (
        not checkin.not_understood(answered)
        or event.message_id is None
        or not _has_words(event.text)
        or _plain_answer_word(event.text, words)
    ):
        return answered
    return relay.ask_to_send(person, event.message_id, client_relay, checkin.NOT_UNDERSTOOD)


def _plain_answer_word(text: str, words: Words) -> bool:
    word = normalise(text)
    return word in words.yes or word in words.no or word in words.agree


def _has_words(text: str) -> bool:
    """Anything but spaces and punctuation: a letter, a digit, an emoji ("😢")."""
    return any(unicodedata.category(c)[0] not in "PZC" for c in text)


def _oops_typed(event: Text, now: datetime, context: DialogContext) -> Outcome | None:
    """ "oeps" or "terug" typed after the thank-you of a check-in: what its button "← Oeps,
    ander antwoord" does, while that button works (the same check-in, within its time). None:
    the text goes the usual way (to the coach), as it does while the client is writing to
    the coach or forwards someone else's words, and while an alert is open (after a press by
    accident, "oeps" is for the people told about it)."""
    state, checkin_context = context.checkin, context.checkin_context
    if state is None or checkin_context is None or state.status is not CheckinStatus.DONE:
        return None
    if _own_text(event) is None or context.open_alert is not None:
        return None
    if context.client_relay is not None and context.client_relay.awaiting_message:
        return None
    reopened = checkin.handle_text(state, event.text, now, checkin_context)
    return reopened if checkin.saved_state(reopened) is not None else None


def _message_during_checkin(
    person: Person, event: Text | OtherMessage, now: datetime, context: DialogContext
) -> Outcome:
    """Pass the message on (as any message outside a question), then the open question again;
    when the client is asked first whether to send it, only that: one question at a time (its
    answer brings the check-in's question back)."""
    assert context.client_relay is not None
    assert context.checkin is not None and context.checkin_context is not None
    sent = relay.client_sends(person, event, now, context.client_relay)
    if relay.asks_first(sent):
        return sent
    return sent + checkin.ask_again(context.checkin, context.checkin_context)
