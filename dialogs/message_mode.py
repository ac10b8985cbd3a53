"""Message mode: after "💬 Bericht aan coach" the client's next message goes to the coach.

The rules, so that nothing reaches the coach that was not meant for them::

    "💬 Bericht aan coach" ──▶ "Wat wil je aan Anna vertellen?"  [Toch niet]
        ├── a message ──▶ relayed, mode over                      (dialogs.relay.client_sends)
        ├── "Toch niet" (the button, or typed) ──▶ "Oké, ik stuur niets naar Anna." mode over
        ├── another menu button ──▶ mode over, the button does what it always does
        └── a new question (a check-in starts, from the menu or the schedule) ──▶ mode over:
            what the client types next answers that question

``Client.awaiting_message`` holds the mode; ``AwaitClientMessage(client, False)`` ends it.
Help words are heard before all of this (``dialogs.help_words``).
"""

from __future__ import annotations

from dialogs.outcome import Button, Keyboard, Outcome, Reply
from dialogs.people import Person, Role
from dialogs.relay import CANCEL_BUTTON as _CANCEL_KEY
from dialogs.relay import CANCEL_DATA, RelayContext
from dialogs.relay_effects import AwaitClientMessage
from dialogs.words import Words, normalise

__all__ = [
    "CANCEL_BUTTON",
    "CANCEL_DATA",
    "cancel",
    "ended",
    "is_cancel",
    "tap_cancel",
    "waiting",
]

# The whole data of "Toch niet" (``CANCEL_DATA``): it only ever ends the presser's own mode.
CANCEL_BUTTON = Button(_CANCEL_KEY, CANCEL_DATA)


def waiting(ctx: RelayContext | None) -> bool:
    """The bot waits for the client's message to the coach."""
    return ctx is not None and ctx.awaiting_message


def is_cancel(text: str, words: Words, ctx: RelayContext | None) -> bool:
    """A typed "toch niet" (the whole message) while the bot waits for a message."""
    return waiting(ctx) and normalise(text) in words.cancel


def ended(person: Person, ctx: RelayContext | None) -> Outcome:
    """Message mode ends without a word (another menu button was pressed); nothing when the
    bot was not waiting for a message."""
    if not waiting(ctx) or person.id is None:
        return Outcome()
    return Outcome(effects=(AwaitClientMessage(person.id, False),))


def cancel(person: Person, ctx: RelayContext | None) -> Outcome:
    """ "Toch niet": nothing is sent, and the client hears exactly that."""
    assert person.role is Role.CLIENT and person.id is not None
    told = Reply("relay.cancelled", {"coach": person.coach_name}, keyboard=Keyboard.CLIENT_MENU)
    return Outcome(replies=(told,), effects=(AwaitClientMessage(person.id, False),))


def tap_cancel(person: Person, ctx: RelayContext | None) -> Outcome:
    """The "Toch niet" button; pressed after the mode ended (the message went, or another
    button was pressed), it changes nothing."""
    if person.role is not Role.CLIENT or person.id is None or not waiting(ctx):
        return Outcome(notice="common.question_closed")
    return cancel(person, ctx) + Outcome(chosen=_CANCEL_KEY)
