"""Help words: "hulp", "SOS", "ik wil dood" are always understood.

A client who types a help word gets a calm answer, in any state, before anything else the text
could mean (it is never taken as an answer to a check-in question)::

    help word ("Hulp!", "ik heb hulp nodig", "SOS")
        ├── an alert is open ──▶ the words are copied to everyone told about it
        ├── the client's messages go straight on (said yes once, or after "💬 Bericht aan
        │   coach") ──▶ the words go to the coach, with a header that says they are help words
        └── otherwise ──▶ the noodknop as a button, and "Send this to Anna?" [Ja] [Nee]
    words of danger ("ik wil dood", "zelfmoord", "112")
        ├── an alert is open ──▶ the words are added to it (as alert traffic), 112 and 113 named
        └── otherwise ──▶ the noodknop offered at once, 112 and 113 named, and the words go to
            the coach at once, as an alert does (first in every queue)

Before consent and after a client stopped, nothing is stored or passed on: the bot only names
112 (and 113 for words of danger), then asks its question again.

What counts (``recognise``, in ``dialogs.help_match``): a help or emergency word as the whole
message with fillers and names around it ("ik heb hulp nodig", "anna ik ben bang"), a danger
phrase anywhere; "echt" and the like may stand inside a phrase, "niet" never ("ik ben echt
niet bang" is an ordinary message).

The words travel as relays (``RelayToCoach``): the bot stores who, when and the message ids,
never the content. Button data is untrusted: ``hn`` presses the noodknop (as the menu's button
does; the shell marks it urgent), ``hw:<y|n>:<message id>:<seal>`` sends (or not) the words
the bot asked about; the seal, an HMAC of chat and message under the shell's key (apart from
the relay's own), proves the bot asked about exactly that message in this chat, so a forged
or stale press sends nothing the client did not type as help words.
"""

from __future__ import annotations

from datetime import datetime

from dialogs.events import OtherMessage, Text
from dialogs.help_match import Heard, recognise
from dialogs.noodknop import (
    AlertView,
    numbers_again,
    raise_for_words,
    seen_so_far,
    taken_back_by_words,
)
from dialogs.outcome import Button, CopyToAlertTeam, Keyboard, Outcome, Recipient, Reply
from dialogs.people import ClientStep, Person, Role
from dialogs.relay import (
    CONFIRM_NO,
    CONFIRM_YES,
    UNSUPPORTED_KINDS,
    RelayContext,
    parse_sealed_answer,
    sealed_answer,
    sent_reply,
)
from dialogs.relay_effects import AwaitClientMessage, RelayEffect, RelayToCoach

__all__ = [
    "NOODKNOP_DATA",
    "SEND_PREFIX",
    "Heard",
    "answer",
    "outside",
    "parse_send_data",
    "recognise",
    "send_data",
    "tap",
]

NOODKNOP_DATA = "hn"  # the noodknop button under the answer: pressed as the menu's is
SEND_PREFIX = "hw:"
_PURPOSE = "help:"  # keeps these seals apart from the relay's: one never passes for the other

# Header texts the coach reads just before the copy of the words.
HELP_HEADER = "coach_help.from_client"


# -- button data --------------------------------------------------------------------------------


def send_data(answer: bool, message_id: int, ctx: RelayContext) -> str:
    """The data of "Ja, stuur het" / "Nee" under the offer to send help words to the coach."""
    return sealed_answer(SEND_PREFIX, answer, message_id, ctx, _PURPOSE)


def parse_send_data(data: str, ctx: RelayContext) -> tuple[bool, int] | None:
    """``hw:y:<message id>:<seal>`` -> (True, id); None when not well formed or not sealed by
    the bot for this message in this chat."""
    return parse_sealed_answer(SEND_PREFIX, data, ctx, _PURPOSE)


# -- answering ----------------------------------------------------------------------------------


def _noodknop_offer(key: str, person: Person) -> Reply:
    return Reply(
        key,
        {"coach": person.coach_name},
        buttons=((Button("menu.noodknop", NOODKNOP_DATA),),),
    )


def _numbers() -> Reply:
    return Reply("help_words.numbers", keyboard=Keyboard.CLIENT_MENU)


def outside(heard: Heard | None) -> Outcome:
    """Help words before consent or after the client stopped: nothing is stored or passed on,
    the emergency numbers are named (the caller asks its own question after this)."""
    if heard is None:
        return Outcome()
    if heard is Heard.DANGER:
        return Outcome(replies=(Reply("help_words.numbers"),))
    return Outcome(replies=(Reply("help_words.outside"),))


def answer(
    person: Person,
    event: Text,
    heard: Heard,
    now: datetime,
    open_alert: AlertView | None,
    ctx: RelayContext | None,
) -> Outcome:
    """An active client typed help words (``heard``): the calm answer and what it does."""
    assert person.role is Role.CLIENT and person.id is not None
    chat_id = ctx.chat_id if ctx is not None else event.chat_id
    message_id = event.message_id if chat_id is not None else None
    if open_alert is not None and not open_alert.closed:
        return _add_to_alert(person, heard, open_alert, chat_id, message_id, ctx)
    if ctx is None or message_id is None:  # nothing the bot could pass on
        extra = (_numbers(),) if heard is Heard.DANGER else ()
        key = "help_words.danger_offer" if heard is Heard.DANGER else "help_words.offer"
        return Outcome(replies=(_noodknop_offer(key, person), *extra))
    done: tuple[RelayEffect, ...] = (
        (AwaitClientMessage(person.id, False),) if ctx.awaiting_message else ()
    )
    if heard is Heard.DANGER:
        # An alert of its own: routed (the backups outside the coach's hours), escalated and
        # answered as a press is; the numbers at once.
        raised = raise_for_words(person, now, ctx.chat_id, message_id)
        return raised + Outcome(replies=(_numbers(),), effects=done)
    offer = _noodknop_offer("help_words.offer", person)
    if ctx.relay_direct or ctx.awaiting_message:
        relay = RelayToCoach(person.id, ctx.chat_id, message_id, "text", HELP_HEADER)
        return Outcome(replies=(offer, sent_reply(person, now, ctx)), effects=(relay, *done))
    question = Reply(
        "relay.confirm",
        {"coach": person.coach_name},
        buttons=(
            (
                Button(CONFIRM_YES, send_data(True, message_id, ctx)),
                Button(CONFIRM_NO, send_data(False, message_id, ctx)),
            ),
        ),
    )
    return Outcome(replies=(offer, question))


def adds_to_alert(event: Text | OtherMessage, alert: AlertView | None) -> bool:
    """Whether a client's message belongs with their open alert: it is on (not called off as
    an accident) and the message can be copied."""
    return (
        alert is not None
        and not alert.closed
        and not alert.accidental
        and event.message_id is not None
        and (isinstance(event, Text) or event.kind not in UNSUPPORTED_KINDS)
    )


def add_to_alert(
    person: Person, event: Text | OtherMessage, alert: AlertView, ctx: RelayContext | None
) -> Outcome:
    """During an open alert whatever the client sends (words, a voice note, a photo) goes to
    everyone asked about it, at once, as help words and a location do: the consent says they
    see "wat je dan schrijft"."""
    chat_id = ctx.chat_id if ctx is not None else event.chat_id
    return _add_to_alert(person, None, alert, chat_id, event.message_id, ctx)


def _add_to_alert(
    person: Person,
    heard: Heard | None,
    alert: AlertView,
    chat_id: int | None,
    message_id: int | None,
    ctx: RelayContext | None,
) -> Outcome:
    """During an open alert the words go to everyone told about it, as a location does
    (``heard`` None: an ordinary message, not help words)."""
    assert person.id is not None
    # Called off as an accident: help words say it was not. The alert is on again.
    back_on = (
        taken_back_by_words(alert, person.name or "")
        if alert.accidental and heard is not None
        else Outcome()
    )
    # Numbers refused before (the client had blocked the bot): all of them again, now that the
    # client is back; that covers the danger words' numbers too.
    again = numbers_again(alert)
    last = (_numbers(),) if heard is Heard.DANGER and not again else ()
    if chat_id is None or message_id is None:  # nothing the bot could copy
        return Outcome(replies=(_noodknop_offer("help_words.offer", person), *last, *again))
    header = {
        Heard.DANGER: "coach_help.danger_added_to_alert",
        Heard.HELP: "coach_help.added_to_alert",
        None: "coach_help.message_added_to_alert",
    }[heard]
    team = Reply(header, {"client": person.name}, to=Recipient.ALERT_TEAM, urgent=True)
    # "Ik stuur dit mee met je melding" only while someone is asked (or will be, again).
    nobody = not alert.accidental and not (alert.coach_asked or alert.others_asked())
    added = Reply(
        "noodknop.still_open_nobody" if nobody else "help_words.added_to_alert",
        {"coach": person.coach_name, "client": person.name},
        keyboard=Keyboard.CLIENT_MENU,
    )
    effects: list[CopyToAlertTeam | AwaitClientMessage] = [
        CopyToAlertTeam(
            alert.id, chat_id, message_id, event="help_words" if heard else "client_message"
        )
    ]
    if ctx is not None and ctx.awaiting_message:
        effects.append(AwaitClientMessage(person.id, False))
    # Picked up: who saw it and what they promised, again (the seen notice may not have arrived).
    seen = seen_so_far(alert)
    replies = (added, *last, team) if seen is None else (seen, added, *last, team)
    replies = (*replies, *again)
    return back_on + Outcome(replies=replies, effects=tuple(effects))


def tap(person: Person, data: str, now: datetime, ctx: RelayContext | None) -> Outcome:
    """The client answered the offer to send their help words (``hw:<y|n>:<id>:<seal>``)."""
    parsed = parse_send_data(data, ctx) if ctx is not None else None
    if (
        parsed is None
        or ctx is None
        or person.role is not Role.CLIENT
        or person.id is None
        or person.client_step is not ClientStep.ACTIVE
    ):
        return Outcome(notice="common.button_unknown")
    yes, message_id = parsed
    if not yes:
        not_sent = Reply("relay.not_sent", keyboard=Keyboard.CLIENT_MENU)
        return Outcome(replies=(not_sent,), chosen=CONFIRM_NO)
    # Only ever a message from the presser's own chat: the data names no chat.
    relay = RelayToCoach(person.id, ctx.chat_id, message_id, "text", HELP_HEADER)
    return Outcome(replies=(sent_reply(person, now, ctx),), effects=(relay,), chosen=CONFIRM_YES)
