"""What a coach can do in this slice: invite a client (by command or menu), get help."""

from __future__ import annotations

from dialogs.events import Command, Event, MenuItem, MenuPress, OtherMessage, Start, Text
from dialogs.outcome import AwaitInput, InviteClient, Keyboard, Outcome, Reply
from dialogs.people import Person
from dialogs.understand import clean_name

__all__ = ["AWAITING_CLIENT_NAME", "NEW_CLIENT_COMMANDS", "coach_acts"]

AWAITING_CLIENT_NAME = "client_name"
NEW_CLIENT_COMMANDS = frozenset({"nieuw", "new"})


def coach_acts(person: Person, event: Event) -> Outcome:
    """Route a coach's message or command."""
    assert person.id is not None
    if not person.coach_active:
        return Outcome(replies=(Reply("coach.inactive"),))
    match event:
        case Command(name=name, args=args) if name in NEW_CLIENT_COMMANDS:
            return _new_client(person, args)
        case MenuPress(item=MenuItem.NEW_CLIENT):
            return _new_client(person, "")
        case Start() | Command(name="hulp" | "help"):
            return _help(person)
        case MenuPress(item=MenuItem.HELP):
            return _help(person)
        case Text(text=text) if person.awaiting == AWAITING_CLIENT_NAME:
            return _client_name_given(person, text)
        case OtherMessage():
            return Outcome(replies=(Reply("coach.unsupported"),))
    return Outcome(replies=(Reply("coach.not_understood", keyboard=Keyboard.COACH_MENU),))


def _help(person: Person) -> Outcome:
    assert person.id is not None
    clear = (AwaitInput(person.id, None),) if person.awaiting else ()
    return Outcome(effects=clear, replies=(Reply("coach.help", keyboard=Keyboard.COACH_MENU),))


def _new_client(person: Person, args: str) -> Outcome:
    assert person.id is not None
    if not args.strip():
        return Outcome(
            effects=(AwaitInput(person.id, AWAITING_CLIENT_NAME),),
            replies=(Reply("coach.ask_client_name"),),
        )
    return _client_name_given(person, args)


def _client_name_given(person: Person, text: str) -> Outcome:
    assert person.id is not None
    name = clean_name(text)
    if name is None:
        return Outcome(
            effects=(AwaitInput(person.id, AWAITING_CLIENT_NAME),),
            replies=(Reply("coach.client_name_invalid"),),
        )
    return Outcome(
        effects=(AwaitInput(person.id, None), InviteClient(coach_id=person.id, client_name=name)),
        replies=(
            Reply(
                "coach.client_invite",
                {"client": name},
                keyboard=Keyboard.COACH_MENU,
                unsent_key="coach.client_invite_unsent",
            ),
            Reply(
                "coach.client_invite_qr",
                {"client": name},
                picture_of="link",
                unsent_key="coach.client_invite_unsent",
            ),
        ),
    )
