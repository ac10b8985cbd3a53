"""What a client whose support ended hears, whatever they do.

::

    noodknop (old menu button, /nood, /sos) ──▶ support ended, nobody gets an alert; the
                                               emergency numbers, one per message
    help words ("nood", "help") ──▶ as before joining (help_words.outside), then the same
        └── within the grace period ──▶ to the former coach as a message then goes, the
                                         client hears it went on; then the numbers
    words of danger ("ik wil dood"), within the grace period ──▶ an alert, as an active
        client's words raise (noodknop.raise_for_words): the former coach gets it first in
        every queue with the words under it, it escalates as usual; 112 and 113 named
    while that alert is open ──▶ the noodknop and whatever is sent belong to it, as they do
                                 for an active client (never "nobody gets an alert")
    a message, within the grace period ──▶ to the former coach, under a header that says
                                            the support ended (and for a forward, that it
                                            was forwarded and from whom, as for an active
                                            client); the client hears it went on
    a message after it (or no coach to reach) ──▶ not passed on; how to come back; 112
    a link, /start, anything else ──▶ support ended; how to come back; 112; no menu

The grace period is the organisation's setting (``WAAKVLAM_ENDED_GRACE_DAYS``), counted from
the day support ended; the shell passes what it found in ``EndedView``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dialogs import help_words
from dialogs.events import Command, Event, MenuItem, MenuPress, OtherMessage, Start, Text
from dialogs.help_words import Heard, outside
from dialogs.noodknop import AlertView, emergency_numbers, press, raise_for_words
from dialogs.outcome import Keyboard, Outcome, Recipient, Reply
from dialogs.people import Person, Role
from dialogs.relay import TEXT_KIND, UNSUPPORTED_KINDS, RelayContext
from dialogs.relay_effects import RelayToCoach

__all__ = [
    "FORMER_CLIENT_FORWARDED_HEADER",
    "FORMER_CLIENT_HEADER",
    "NOODKNOP_COMMANDS",
    "EndedView",
    "answer",
    "hello",
]

FORMER_CLIENT_HEADER = "coach_former.from_client"
# A forward: whom it came from too (``RelayToCoach.forwarded_from``: the copy does not show it).
FORMER_CLIENT_FORWARDED_HEADER = "coach_former.forwarded_from_client"
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
    person: Person,
    event: Event,
    heard: Heard | None,
    now: datetime,
    view: EndedView | None,
    open_alert: AlertView | None = None,
    ctx: RelayContext | None = None,
) -> Outcome:
    """Whatever a client whose support ended does (``open_alert``: the alert their words of
    danger raised in the grace period, while it is open)."""
    assert person.role is Role.CLIENT and person.id is not None
    view = view or EndedView()
    if open_alert is not None and not open_alert.closed:
        during = _during_alert(person, event, heard, now, open_alert, ctx)
        if during is not None:
            return during
    if heard is not None and isinstance(event, Text) and _passes_on(event, view):
        return _help_in_grace(person, event, heard, now, view)
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


def _passes_on(event: Text, view: EndedView) -> bool:
    return view.passes_on and view.chat_id is not None and event.message_id is not None


def _help_in_grace(
    person: Person, event: Text, heard: Heard, now: datetime, view: EndedView
) -> Outcome:
    """Help words within the grace period. Words of danger: an alert, raised, routed and
    escalated as an active client's words raise one; the client reads who is asked once it
    is stored (``noodknop.raised``), so "Ik stuur Anna nu een melding" only when she is.
    Other help words: to the former coach as any message then goes, then the numbers."""
    assert person.id is not None and view.chat_id is not None and event.message_id is not None
    if heard is Heard.DANGER:
        # The alert says whose client they were, and since when no longer.
        raised = raise_for_words(person, now, view.chat_id, event.message_id, view.ended_at)
        return raised + Outcome(replies=(Reply("help_words.numbers"),))
    relayed = _message(person, event, view)
    told = Reply("ended.help_passed_on", {"coach": person.coach_name}, keyboard=Keyboard.REMOVE)
    return Outcome(effects=relayed.effects, replies=(told, *emergency_numbers(Recipient.SENDER)))


def _during_alert(
    person: Person,
    event: Event,
    heard: Heard | None,
    now: datetime,
    alert: AlertView,
    ctx: RelayContext | None,
) -> Outcome | None:
    """While the alert is open, the noodknop and what the client sends belong to it, as for
    an active client; the other keys and commands say so and keep the alert's keys (the
    noodknop and "📍 Stuur waar ik ben"), never "your support stopped" in the middle of it.
    None: nothing to do with the alert."""
    if heard is not None and isinstance(event, Text):
        return help_words.answer(person, event, heard, now, alert, ctx)
    match event:
        case MenuPress(item=MenuItem.NOODKNOP):
            return press(person, alert, now)
        case Command(name=name) if name in NOODKNOP_COMMANDS:
            return press(person, alert, now)
        case Text() | OtherMessage() if help_words.adds_to_alert(event, alert):
            return help_words.add_to_alert(person, event, alert, ctx)
        case MenuPress() | Start() | Command():
            still_open = Reply("ended.during_alert", keyboard=Keyboard.CLIENT_ALERT_MENU)
            return Outcome(replies=(still_open,))
    return None


def _message(person: Person, event: Text | OtherMessage, view: EndedView) -> Outcome:
    assert person.id is not None
    kind = TEXT_KIND if isinstance(event, Text) else event.kind
    names = {"coach": person.coach_name}
    if kind in UNSUPPORTED_KINDS or event.message_id is None or view.chat_id is None:
        return hello(person)
    if not view.passes_on:
        return Outcome(replies=(Reply("ended.not_passed_on", names, keyboard=Keyboard.REMOVE),))
    forwarded = event.forwarded_from
    relayed = RelayToCoach(
        person.id,
        view.chat_id,
        event.message_id,
        kind,
        header=FORMER_CLIENT_HEADER if forwarded is None else FORMER_CLIENT_FORWARDED_HEADER,
        forwarded_from=forwarded,
        ended_on=view.ended_at,
    )
    return Outcome(
        effects=(relayed,),
        replies=(Reply("ended.passed_on", names, keyboard=Keyboard.REMOVE),),
    )
