"""What a client whose support ended hears, whatever they do.

::

    noodknop (old menu button, /nood, /sos) ──▶ support ended, nobody gets an alert; the
                                               emergency numbers, one per message
    help words ("nood", "help") ──▶ as before joining (help_words.outside), then the same
    a message, within the grace period ──▶ to the former coach, under a header that says
                                            the support ended; the client hears it went on
    a message after it (or no coach to reach) ──▶ not passed on; how to come back; 112
    a link, /start, anything else ──▶ support ended; how to come back; 112; no menu

The grace period is the organisation's setting (``WAAKVLAM_ENDED_GRACE_DAYS``), counted from
the day support ended; the shell passes what it found in ``EndedView``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dialogs.events import Command, Event, MenuItem, MenuPress, OtherMessage, Text
from dialogs.help_words import Heard, outside
from dialogs.noodknop import emergency_numbers
from dialogs.outcome import Keyboard, Outcome, Recipient, Reply
from dialogs.people import Person, Role
from dialogs.relay import TEXT_KIND, UNSUPPORTED_KINDS
from dialogs.relay_effects import RelayToCoach

__all__ = [
    "FORMER_CLIENT_HEADER",
    "NOODKNOP_COMMANDS",
    "EndedView",
    "answer",
    "hello",
]

FORMER_CLIENT_HEADER = "coach_former.from_client"
NOODKNOP_COMMANDS = frozenset({"nood", "sos"})


@dataclass(frozen=True)
class EndedView:
    """When the support ended, and whether a message still reaches the former coach now."""

    ended_at: datetime | None = None
    passes_on: bool = False  # within the grace period, and the coach can be reached
    chat_id: int | None = None  # the client's own chat (a message is copied from it)


def hello(person: Person) -> Outcome:
    """Support ended: how to come back, and 112. No menu: its buttons do nothing now."""
    return Outcome(
        replies=(Reply("ended.hello", {"coach": person.coach_name}, keyboard=Keyboard.REMOVE),)
    )


def _noodknop(numbers: bool) -> Outcome:
    """Nobody gets an alert; the numbers to call instead."""
    lead = Reply("ended.noodknop", keyboard=Keyboard.REMOVE, urgent=True)
    extra = emergency_numbers(Recipient.SENDER) if numbers else ()
    return Outcome(replies=(lead, *extra))


def answer(
    person: Person, event: Event, heard: Heard | None, now: datetime, view: EndedView | None
) -> Outcome:
    """Whatever a client whose support ended does."""
    assert person.role is Role.CLIENT and person.id is not None
    view = view or EndedView()
    if heard is not None:
        # Words of danger already bring the numbers with them.
        return outside(heard) + _noodknop(numbers=heard is not Heard.DANGER)
    match event:
        case MenuPress(item=MenuItem.NOODKNOP):
            return _noodknop(numbers=True)
        case Command(name=name) if name in NOODKNOP_COMMANDS:
            return _noodknop(numbers=True)
        case Text() | OtherMessage():
            return _message(person, event, view)
    return hello(person)


def _message(person: Person, event: Text | OtherMessage, view: EndedView) -> Outcome:
    assert person.id is not None
    kind = TEXT_KIND if isinstance(event, Text) else event.kind
    names = {"coach": person.coach_name}
    if kind in UNSUPPORTED_KINDS or event.message_id is None or view.chat_id is None:
        return hello(person)
    if not view.passes_on:
        return Outcome(replies=(Reply("ended.not_passed_on", names, keyboard=Keyboard.REMOVE),))
    relayed = RelayToCoach(
        person.id,
        view.chat_id,
        event.message_id,
        kind,
        header=FORMER_CLIENT_HEADER,
        ended_on=view.ended_at,
    )
    return Outcome(
        effects=(relayed,),
        replies=(Reply("ended.passed_on", names, keyboard=Keyboard.REMOVE),),
    )
