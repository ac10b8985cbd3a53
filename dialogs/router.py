"""The one entry point of the dialogs: who acted, what they did, when -> what should happen."""

from __future__ import annotations

from datetime import datetime

from dialogs import onboarding
from dialogs.coach import coach_acts
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
from dialogs.outcome import Keyboard, Outcome, Reply
from dialogs.people import ClientStep, InviteView, Person, Role
from dialogs.understand import parse_yes_no

__all__ = ["route"]

_SOON = {
    MenuItem.MESSAGE_COACH: "soon.message_coach",
    MenuItem.CHECKIN: "soon.checkin",
    MenuItem.NOODKNOP: "soon.noodknop",
}
_HELP_COMMANDS = frozenset({"help", "hulp"})
_NOODKNOP_COMMANDS = frozenset({"nood", "sos"})


def route(person: Person, event: Event, now: datetime, invite: InviteView | None = None) -> Outcome:
    """Decide what happens. ``invite`` is the invite a ``Start`` payload points to, if any."""
    if isinstance(event, Tap):
        return _tap(person, event.data, now)
    if isinstance(event, Start) and event.payload:
        return onboarding.open_link(person, invite, now)
    if person.role is Role.STRANGER:
        return Outcome(replies=(Reply("stranger.hello"),))
    if person.role is Role.COACH:
        if isinstance(event, EditedMessage):
            return Outcome(replies=(Reply("coach.edited"),))
        return coach_acts(person, event)
    return _client_acts(person, event, now)


def _tap(person: Person, data: str, now: datetime) -> Outcome:
    if data in (onboarding.CONSENT_YES, onboarding.CONSENT_NO):
        return onboarding.answer_consent(person, data == onboarding.CONSENT_YES, now)
    if data in (onboarding.VOICE_YES, onboarding.VOICE_NO):
        return onboarding.answer_read_aloud(person, data == onboarding.VOICE_YES, now)
    return Outcome(notice="common.button_unknown")


def _client_acts(person: Person, event: Event, now: datetime) -> Outcome:
    step = person.client_step
    if step is ClientStep.ENDED:
        return Outcome(replies=(Reply("client.stopped", keyboard=Keyboard.REMOVE),))
    if step in (ClientStep.CONSENT_PENDING, ClientStep.VOICE_PENDING):
        return _onboarding_answer(person, event, now)
    match event:
        case MenuPress(item=item) if item in _SOON:
            return Outcome(
                replies=(
                    Reply(_SOON[item], {"coach": person.coach_name}, keyboard=Keyboard.CLIENT_MENU),
                )
            )
        case Command(name=name) if name in _NOODKNOP_COMMANDS:
            return Outcome(
                replies=(
                    Reply(
                        "soon.noodknop", {"coach": person.coach_name}, keyboard=Keyboard.CLIENT_MENU
                    ),
                )
            )
        case Command(name=name) if name in _HELP_COMMANDS:
            return onboarding.client_menu(person, "client.help")
        case Start() | Command():
            return onboarding.client_menu(person, "client.already_joined")
        case EditedMessage():
            return Outcome(replies=(Reply("client.edited", keyboard=Keyboard.CLIENT_MENU),))
        case OtherMessage():
            return Outcome(replies=(Reply("client.unsupported", keyboard=Keyboard.CLIENT_MENU),))
    return Outcome(replies=(Reply("client.not_understood", keyboard=Keyboard.CLIENT_MENU),))


def _onboarding_answer(person: Person, event: Event, now: datetime) -> Outcome:
    """During consent or the read-aloud choice a typed yes/no counts as pressing the button."""
    answer = parse_yes_no(event.text) if isinstance(event, Text) else None
    if answer is None:
        return onboarding.ask_current_question(person)
    if person.client_step is ClientStep.CONSENT_PENDING:
        return onboarding.answer_consent(person, answer, now)
    return onboarding.answer_read_aloud(person, answer, now)
