"""A coach's one tap under a check-in signal: 📞 Ik bel, 💬 Ik stuur een bericht, ✅ Afgehandeld.

::

    signal raised ──▶ note with [📞 Ik bel] [💬 Ik stuur een bericht] [✅ Afgehandeld]
        │                   (📞 only when the client's phone number is stored)
        ├─ Ik bel ──────────▶ recorded; client: "Anna belt je zo." ─────┐
        ├─ Ik stuur bericht ─▶ recorded; client: "Anna stuurt je zo een │ coach: [✅ Afgehandeld]
        │                      bericht."; Anna's next message goes to ──┘
        │                      the client (as after /bericht)
        └─ Afgehandeld ─────▶ recorded; nothing to the client; every later tap is stale;
                               a message awaited for this client is no longer awaited

Button data ``sg:<signal id>:<action>`` is untrusted. A tap counts only when it names a
signal of the tapping coach's own active client that still stands (no correction withdrew it),
is not handled yet ("done" since it was raised) and an action not chosen before. Anything else
(a forged id, another coach's client, a stale note) gets a short notice and changes nothing.

"📞 Ik bel" is offered only when the bot knows the client's phone number (``phone``): the
coach may have it elsewhere, but the bot cannot know that, and "Anna belt je zo" must be true
when said. A tap on it while no number is stored (forged data, or the number removed since the
note) tells the client nothing and records nothing: the coach hears there is no number, with
the taps that still count under it (the pressed note closes, as after any refused tap).

"✅ Afgehandeld" says the client gets no message about it, so it also ends the wait for the
coach's message to this client (after "💬", ``/bericht Sam`` or the card): what the coach types
next no longer goes to them. A wait for another client's message stays. When the client was
told a message is coming and this coach has not sent one since (``SignalView.promised``, with
or without a wait), the coach reads that promise instead of "gets no message", with
``/bericht Sam`` to keep it (while Sam's chat refuses messages: a call,
``dialogs.promise_reminder``).

What the client hears is true when said: it is stored in the same transaction as the action
that makes it so (``RecordSignalAction``), and only for the action the coach chose.

While the client's chat refuses the bot's messages (``unreachable_since``,
``dialogs.reachability``) "📞 Ik bel" and "💬 Ik stuur een bericht" are still recorded, but the
client is told nothing in advance (it could not arrive), and the coach never reads "Ik laat Sam
weten ...". After "📞 Ik bel" the coach reads what they chose and the card's 📵 line, which
names the number ("Bel Sam: +31 6 12345678": "📞 Ik bel" counts only with one). After
"💬 Ik stuur een bericht" the message is tried as after ``/bericht Sam`` (the block may be
lifted): the coach reads that it may not arrive (the 📵 line of ``relay.ask_message``), and
their next message goes to the client; one that Telegram accepts clears the mark
(``reachability.delivered_again``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from dialogs.buttons import ID, row_id
from dialogs.checkin_state import RecordSignalAction
from dialogs.outcome import AwaitInput, Button, Outcome, Recipient, Reply
from dialogs.people import Person, Role
from dialogs.phone import shown as shown_phone
from dialogs.promise_reminder import Promised, told_reminder
from dialogs.relay import ask_message, awaiting_message, awaiting_message_for
from dialogs.relay_effects import PromiseMessage

__all__ = [
    "PREFIX",
    "SignalAction",
    "SignalView",
    "action_buttons",
    "coach_taps",
    "current",
    "parse_data",
]

PREFIX = "sg"
NOT_CURRENT = "coach_checkin.signal_not_current"
NO_PHONE = "coach_checkin.call_no_phone"
NO_PHONE_SHORT = "coach_checkin.call_no_phone_short"
# The card's 📵 line (``dialogs.card_view.unreachable_line``: that module cannot be imported
# here, as ``dialogs.reachability`` imports this one through ``dialogs.coach_notes``).
UNREACHABLE = "client_card.unreachable"
NOTED_CALL = "coach_checkin.noted_call"  # above it, after "📞 Ik bel"


class SignalAction(StrEnum):
    CALL = "call"  # 📞 Ik bel
    MESSAGE = "message"  # 💬 Ik stuur een bericht
    DONE = "done"  # ✅ Afgehandeld


_DATA = re.compile(rf"sg:({ID}):(call|message|done)")
_LABELS = {
    SignalAction.CALL: "coach_checkin.button.call",
    SignalAction.MESSAGE: "coach_checkin.button.message",
    SignalAction.DONE: "coach_checkin.button.done",
}


@dataclass(frozen=True)
class SignalView:
    """A stored signal as the tap needs it; the shell loads it only for the client's coach."""

    signal_id: int
    client_id: int
    client_name: str
    coach_id: int  # the client's coach now
    coach_name: str
    client_active: bool
    standing: bool  # not withdrawn by a corrected answer
    chosen: frozenset[SignalAction] = frozenset()  # recorded since the signal was raised
    unreachable_since: datetime | None = None  # their chat refuses messages (403) since then
    # The client's stored phone number (E.164), if any: "📞 Ik bel" counts only with one.
    phone: str | None = None
    # This coach told the client a message is coming and has not sent one since
    # (``client.message_promised_by``): a ✅ reminds them of it.
    promised: bool = False


def _button(signal_id: int, action: SignalAction) -> Button:
    return Button(_LABELS[action], f"{PREFIX}:{signal_id}:{action.value}")


def action_buttons(signal_id: int, *, phone_known: bool) -> tuple[tuple[Button, ...], ...]:
    """The taps under a signal's note: "📞 Ik bel" only when the client's number is stored."""
    call = (_button(signal_id, SignalAction.CALL),) if phone_known else ()
    return (
        (*call, _button(signal_id, SignalAction.MESSAGE)),
        (_button(signal_id, SignalAction.DONE),),
    )


def parse_data(data: str) -> tuple[int, SignalAction] | None:
    """(signal id, action) from ``sg:<id>:<action>``; None when it is not well formed."""
    match = _DATA.fullmatch(data)
    signal_id = row_id(match[1]) if match else None
    if match is None or signal_id is None:
        return None
    return signal_id, SignalAction(match[2])


def current(view: SignalView) -> bool:
    """Whether the signal still asks for something: standing, client active, not handled."""
    return view.standing and view.client_active and SignalAction.DONE not in view.chosen


def _no_phone(view: SignalView) -> Outcome:
    """ "📞 Ik bel" while the bot has no number of the client: nothing recorded or told to the
    client; the coach hears why, under it the taps not chosen yet (never 📞)."""
    left = [a for a in (SignalAction.MESSAGE, SignalAction.DONE) if a not in view.chosen]
    return Outcome(
        replies=(
            Reply(
                NO_PHONE,
                {"client": view.client_name},
                buttons=tuple((_button(view.signal_id, a),) for a in left),
            ),
        ),
        notice=NO_PHONE_SHORT,
    )


def coach_taps(person: Person, view: SignalView | None, data: str) -> Outcome:
    """A coach tapped one of a signal's buttons."""
    parsed = parse_data(data)
    if (
        parsed is None
        or view is None
        or person.role is not Role.COACH
        or not person.coach_active
        or person.id != view.coach_id
        or parsed[0] != view.signal_id
        or not current(view)
        or parsed[1] in view.chosen
    ):
        return Outcome(notice=NOT_CURRENT)
    action = parsed[1]
    if action is SignalAction.CALL and view.phone is None:
        return _no_phone(view)  # the client is never told "Anna belt je zo"
    record = RecordSignalAction(view.signal_id, view.client_id, view.coach_id, action.value)
    names = {"client": view.client_name, "coach": view.coach_name}
    done = ((_button(view.signal_id, SignalAction.DONE),),)
    chosen = _LABELS[action]
    if action is SignalAction.CALL:
        if view.unreachable_since is not None:
            # Nothing to the client: "Anna belt je zo" could not arrive. The card's line, with
            # "Bel Sam: <number>" as the everyday 📵 notice shows it.
            assert view.phone is not None  # a call without a number returned above
            since = {**names, "since": view.unreachable_since, "phone": shown_phone(view.phone)}
            noted = Reply(UNREACHABLE, since, lead=NOTED_CALL, buttons=done)
            return Outcome(effects=(record,), replies=(noted,), chosen=chosen)
        return Outcome(
            effects=(record,),
            replies=(
                Reply("coach_checkin.calling", names, buttons=done),
                Reply("checkin.coach_calls", {"coach": view.coach_name}, to=Recipient.CLIENT),
            ),
            chosen=chosen,
        )
    if action is SignalAction.MESSAGE:
        # The client hears "Anna stuurt je zo een bericht" only when reachable: that promise
        # is stored with it, so a cancel or a ✅ reminds Anna of it.
        awaiting = AwaitInput(view.coach_id, awaiting_message(view.client_id))
        if view.unreachable_since is not None:
            # As after /bericht: the 📵 warning, then the coach's words are tried. Nothing to
            # the client in advance ("Anna stuurt je zo een bericht" could not arrive).
            ask = replace(ask_message(view.client_name, view.unreachable_since), buttons=done)
            return Outcome(effects=(record, awaiting), replies=(ask,), chosen=chosen)
        return Outcome(
            effects=(record, awaiting, PromiseMessage(view.client_id, view.coach_id)),
            replies=(
                Reply(
                    "coach_relay.ask_message", names, lead="coach_checkin.messaging", buttons=done
                ),
                Reply("checkin.coach_writes", {"coach": view.coach_name}, to=Recipient.CLIENT),
            ),
            chosen=chosen,
        )
    # "✅" under "Wat wil je naar Sam sturen?": no message for Sam is awaited any more. When
    # Sam was told one is coming (also before an earlier cancel), "Sam krijgt hier geen
    # bericht over" would deny that promise, so Anna reads it instead, with the way to keep it.
    awaited = awaiting_message_for(person.awaiting)
    stop_waiting = (AwaitInput(view.coach_id, None),) if awaited == view.client_id else ()
    if view.promised:
        # Only ever the client's own coach here; while Sam's chat refuses messages, a call.
        promise = Promised(
            view.client_id,
            view.client_name,
            unreachable=view.unreachable_since is not None,
            phone=view.phone,
        )
        handled = told_reminder(promise, lead="coach_checkin.handled_told")
    else:
        handled = Reply("coach_checkin.handled", names)
    return Outcome(effects=(record, *stop_waiting), replies=(handled,), chosen=chosen)
