"""Messages between a client and their coach, relayed by the bot as copies.

Client -> coach::

    "💬 Bericht aan coach" ──▶ ask_for_message ──▶ (next message goes straight on)
    a message outside any question ──▶ client_sends
        ├── poll, game, dice, contact ──▶ "cannot send this on"
        ├── too big ──▶ "too big: a shorter video, or a photo"
        ├── not asked before and not awaited ──▶ "Send this to Anna?" [Ja, stuur het] [Nee]
        │        (a second one before an answer: "Send these 2 messages to Anna?")
        │        └── client_confirms: yes ──▶ relay them all, oldest first, and from now on
        │            without asking; no ──▶ none of them
        └── relay ──▶ "Sent to Anna." (off hours: when Anna is back, the noodknop, 112)
    coach taps "✓ Gezien" under the copy ──▶ seen ──▶ the client hears "Anna saw your message"
    an emoji reaction (👍) on a message in their chat ──▶ client_reacts
        ├── under Anna's message relayed to them ──▶ a silent notice to Anna
        │        "Sam reageerde met 👍 op je bericht van 14:05." (reaction_notice)
        ├── anywhere else, while a check-in question is open ──▶ the client hears how to answer
        └── otherwise, and a removal ──▶ nothing

Coach -> client: a reply (Telegram's "reply") to a client's relayed message, or ``/bericht Sam``
and then any message, goes to that client (``coach_sends``, ``start_message``). While that
message is awaited, ``/annuleer`` or a cancel word as the whole message ("laat maar", the
client's ``Words.cancel``) sends nothing and ends the wait (``coach_cancels``).

A forwarded message (a letter someone sent the client) is marked as such both ways: a copy
does not carry Telegram's "forwarded from", so the header says it was forwarded and from whom
(``forwarded_header``). A client who forwards a message to this chat chose the chat on purpose,
so it goes on without the "send this?" question.

The relays themselves are effects (``RelayToCoach``, ``RelayToClient``): the shell stores the
relay, sends the receiver a header line (``COACH_HEADER`` / ``CLIENT_HEADER``, see
``relayed_header``) and then a copy of the message, with a "✓ Gezien" button for a coach
(``copy_buttons``). Button data is untrusted: ``rl:<y|n>:<message id>:<seal>`` for the client's
question (the message is always taken from the presser's own chat, and the seal, an HMAC of
chat and message under the shell's key, proves the bot asked about exactly that message) and
``rs:<relay id>`` for the coach's "seen"; anything not well formed changes nothing.

Longer than our ~400 lines on purpose: both directions of one conversation (client to
coach, coach to client) share their buttons, seals and texts; split, each half would import
the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dialogs.buttons import ID, row_id
from dialogs.clients import ClientRef
from dialogs.events import Command, OtherMessage, Reaction, Text
from dialogs.outcome import At, AwaitInput, Button, Keyboard, Outcome, Recipient, Reply, TextRef
from dialogs.people import ClientStep, Person, Role
from dialogs.promise_reminder import REMINDER_KEYS, Promised, told_reminder
from dialogs.relay_effects import (
    AwaitClientMessage,
    MarkRelaySeen,
    RelayEffect,
    RelayToClient,
    RelayToCoach,
    SetRelayAsked,
    SetRelayDirect,
)
from dialogs.words import Words, normalise

__all__ = [
    "AWAITING_MESSAGE_PREFIX",
    "CANCEL_COMMANDS",
    "CLIENT_HEADER",
    "COACH_HEADER",
    "CONFIRM_NO",
    "CONFIRM_PREFIX",
    "CONFIRM_YES",
    "MAX_RELAY_BYTES",
    "MESSAGE_COMMANDS",
    "SEEN_BUTTON",
    "SEEN_PREFIX",
    "TEXT_KIND",
    "UNSUPPORTED_KINDS",
    "WORDS_KEY",
    "AwaitClientMessage",
    "ClientRef",
    "CoachRelayContext",
    "Direction",
    "MarkRelaySeen",
    "Promised",
    "RelayContext",
    "RelayEffect",
    "RelayToClient",
    "RelayToCoach",
    "RelayView",
    "SetRelayAsked",
    "SetRelayDirect",
    "alert_ends_wait",
    "ask_for_message",
    "ask_message",
    "ask_to_send",
    "asks_first",
    "awaiting_message",
    "awaiting_message_for",
    "client_confirms",
    "client_reacts",
    "client_sends",
    "coach_cancels",
    "coach_sends",
    "confirm_data",
    "copy_buttons",
    "forwarded_header",
    "parse_confirm_data",
    "parse_seen_data",
    "reaction_notice",
    "relay_failed",
    "relayed_header",
    "seen",
    "seen_data",
    "sent_reply",
    "start_message",
    "told_reminder",
    "wait_replaced",
]

MAX_RELAY_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram
# Kinds a copy cannot carry sensibly (a poll or game is not the client's own message).
UNSUPPORTED_KINDS = frozenset({"poll", "game", "dice", "contact", "other"})
TEXT_KIND = "text"

CONFIRM_PREFIX = "rl:"
_SEAL_LENGTH = 12  # 72 bits: guessing one by pressing buttons is hopeless
SEEN_PREFIX = "rs:"
AWAITING_MESSAGE_PREFIX = "message:"
MESSAGE_COMMANDS = frozenset({"bericht", "message"})  # /bericht Sam: a message to Sam
CANCEL_COMMANDS = frozenset({"annuleer", "cancel"})  # /annuleer: that message is not sent
_UNSEALED_CONFIRM = re.compile(r"rl:y:[1-9][0-9]{0,11}")  # the form before seals: ask to resend
_SEALED_ANSWER = re.compile(
    rf"([a-z]{{2}}:)(y|n):([0-9]{{1,12}}):([A-Za-z0-9_-]{{{_SEAL_LENGTH}}})"
)
_SEEN_DATA = re.compile(rf"rs:({ID})")
# ":told" marked a promise in the wait before the promise was kept on the client (migration
# 0013 carried such waits over): still read, never written.
_AWAITING_MESSAGE = re.compile(r"message:([0-9]{1,12})(?::told)?")

# Texts the shell uses around a relayed copy.
COACH_HEADER = "coach_relay.from_client"  # "💬 Bericht van {client}:"
CLIENT_HEADER = "relay.from_coach"  # "💬 Bericht van {coach}:"
WORDS_KEY = "relay.words"  # a coach's own words under the header, in the same message
COACH_FORWARDED_HEADER = "coach_forwarded.from_client"  # "↪️ {client} stuurt door, van {origin}:"
CLIENT_FORWARDED_HEADER = "forwarded.from_coach"  # "↪️ {coach} stuurt je dit door ..."
SEEN_BUTTON = "coach_relay.seen_button"  # "✓ Gezien"
CONFIRM_YES = "relay.confirm_yes"
CONFIRM_NO = "relay.confirm_no"
CANCEL_BUTTON = "relay.cancel_button"  # "Toch niet" under "relay.ask" (dialogs.message_mode)
CANCEL_DATA = "mx"
REACTION_HINT = "checkin.reaction_hint"  # an emoji under a check-in question: how to answer

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_NAME_SHOWN = 40
_UNKNOWN = "common.button_unknown"
MAX_ASKED = 10  # messages waiting for one "Ja, stuur het": the oldest beyond keep their own

Direction = Literal["to_coach", "to_client"]


# -- what the shell passes in -----------------------------------------------------------------


@dataclass(frozen=True)
class RelayView:
    """One stored relay, as the dialogs need it."""

    relay_id: int
    client_id: int
    coach_id: int
    client_name: str
    coach_name: str
    direction: Direction
    seen: bool = False  # the coach tapped "✓ Gezien" (or answered it)
    # The client still takes part, with the relay's coach as their coach now.
    client_active: bool = True
    sent_at: datetime | None = None  # when it was relayed


@dataclass(frozen=True)
class RelayContext:
    """What the shell looked up for a client's message or tap.

    ``chat_id``: the client's own private chat (where a confirmed message is copied from).
    ``relay_direct``: the client said yes once, so messages go without asking.
    ``awaiting_message``: the client pressed "💬 Bericht aan coach" and has not sent yet.
    ``coach_available``: now is inside the coach's availability hours; if not, ``coach_back``
    is when they start again (None: not known). ``timezone``: the organisation's, the same the
    texts render clock times in.
    """

    chat_id: int
    relay_direct: bool = False
    awaiting_message: bool = False
    coach_available: bool = True
    coach_back: datetime | None = None
    max_bytes: int = MAX_RELAY_BYTES
    timezone: str = "Europe/Amsterdam"
    button_key: bytes = b""  # the shell's secret for sealing "send this?" buttons
    # The client's messages asked about ("send this?") and not answered yet, oldest first.
    asked: tuple[int, ...] = ()


@dataclass(frozen=True)
class CoachRelayContext:
    """What the shell looked up for a coach's message.

    ``reply_target``: the relay whose copy (or header) in the coach's chat the message replies
    to, None when it replies to something else or nothing. ``awaiting_client``: the client
    ``person.awaiting == "message:<id>"`` names, when that is still an active client of this
    coach (None otherwise). ``alert_client``: the client whose message, copied with their
    open alert, the message replies to, when this coach may write them (their own coach, or
    the backup who picked the alert up). ``unreachable_since``: that client (of any of the
    three) is marked as one whose chat refuses messages (``dialogs.reachability``).
    """

    reply_target: RelayView | None = None
    awaiting_client: ClientRef | None = None
    max_bytes: int = MAX_RELAY_BYTES
    alert_client: ClientRef | None = None
    # The client the message would go to: their chat refuses messages (403) since then.
    unreachable_since: datetime | None = None
    # The clients this coach had told "Anna stuurt je zo een bericht" and has not written
    # since, while the coach may still write them: the promise outlives any wait. Each a
    # ``Promised`` when the shell knows more than the name (how the promise can be kept:
    # ``dialogs.promise_reminder``); a plain ``ClientRef`` is the client's own coach's.
    promised: tuple[ClientRef, ...] = ()


def _outcome(
    replies: Sequence[Reply] = (),
    effects: Sequence[RelayEffect | AwaitInput] = (),
    notice: str | None = None,
    chosen: str | None = None,
) -> Outcome:
    return Outcome(replies=tuple(replies), effects=tuple(effects), notice=notice, chosen=chosen)


# -- button data ------------------------------------------------------------------------------


def confirm_data(answer: bool, message_id: int, ctx: RelayContext) -> str:
    """The data of "Ja, stuur het" / "Nee" under the question about one message."""
    return sealed_answer(CONFIRM_PREFIX, answer, message_id, ctx)


def parse_confirm_data(data: str, ctx: RelayContext) -> tuple[bool, int] | None:
    """``rl:y:<message id>:<seal>`` -> (True, id); None when the data is not well formed or
    the seal is not the one the bot made for this message in this chat."""
    return parse_sealed_answer(CONFIRM_PREFIX, data, ctx)


def sealed_answer(
    prefix: str, answer: bool, message_id: int, ctx: RelayContext, purpose: str = ""
) -> str:
    """``<prefix><y|n>:<message id>:<seal>``: a yes/no about one of the client's messages,
    sealed (an HMAC of ``purpose``, the chat and the message under the shell's key) so that
    only a button the bot made for this message in this chat, for this purpose, passes."""
    seal = _seal(purpose, message_id, ctx)
    return f"{prefix}{'y' if answer else 'n'}:{message_id}:{seal}"


def parse_sealed_answer(
    prefix: str, data: str, ctx: RelayContext, purpose: str = ""
) -> tuple[bool, int] | None:
    """(yes, message id) from ``sealed_answer`` data; None when not well formed or not sealed
    by the bot for this message in this chat."""
    match = _SEALED_ANSWER.fullmatch(data)
    if match is None or match[1] != prefix or int(match[3]) == 0 or not ctx.button_key:
        return None  # no key: nothing passes
    if not hmac.compare_digest(match[4], _seal(purpose, int(match[3]), ctx)):
        return None
    return match[2] == "y", int(match[3])


def _seal(purpose: str, message_id: int, ctx: RelayContext) -> str:
    signed = f"{purpose}{ctx.chat_id}:{message_id}".encode()
    digest = hmac.new(ctx.button_key, signed, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_SEAL_LENGTH]


def seen_data(relay_id: int) -> str:
    """The data of the "✓ Gezien" button under a relayed copy: ``rs:<relay id>``."""
    return f"{SEEN_PREFIX}{relay_id}"


def parse_seen_data(data: str) -> int | None:
    """The relay id in ``rs:<relay id>``; None when the data is not well formed."""
    match = _SEEN_DATA.fullmatch(data)
    return row_id(match[1]) if match else None


def awaiting_message(client_id: int) -> str:
    """A coach's awaiting while their next message goes to this client: ``message:<id>``. A
    promise that a message is coming ("Anna stuurt je zo een bericht") is not kept in the wait
    but on the client (``PromiseMessage``, read as ``CoachRelayContext.promised``): it outlives
    the wait, so a cancel, another question or a ✅ reminds the coach of it until their
    message to the client is relayed."""
    return f"{AWAITING_MESSAGE_PREFIX}{client_id}"


def awaiting_message_for(awaiting: str | None) -> int | None:
    """The client id in a coach's ``message:<client id>`` awaiting, if that is it."""
    match = _AWAITING_MESSAGE.fullmatch(awaiting or "")
    return int(match[1]) if match else None


# -- around a relayed copy --------------------------------------------------------------------


def relayed_header(relay: RelayView) -> Reply:
    """The line the receiver gets just before the copy, saying who it is from."""
    if relay.direction == "to_coach":
        return Reply(COACH_HEADER, {"client": relay.client_name}, to=Recipient.COACH)
    return Reply(
        CLIENT_HEADER,
        {"coach": relay.coach_name},
        to=Recipient.CLIENT,
        keyboard=Keyboard.CLIENT_MENU,
    )


def forwarded_header(relay: RelayView, origin: str) -> Reply:
    """The header for a forwarded message: who forwards it, and whom it came from."""
    header = relayed_header(relay)
    key = COACH_FORWARDED_HEADER if relay.direction == "to_coach" else CLIENT_FORWARDED_HEADER
    return Reply(key, {**header.params, "origin": origin}, to=header.to, keyboard=header.keyboard)


def copy_buttons(relay: RelayView) -> tuple[tuple[Button, ...], ...]:
    """The buttons under the copy: "✓ Gezien" for a coach, none for a client."""
    if relay.direction == "to_coach":
        return ((Button(SEEN_BUTTON, seen_data(relay.relay_id)),),)
    return ()


# -- client -> coach --------------------------------------------------------------------------


def ask_for_message(person: Person, ctx: RelayContext) -> Outcome:
    """The client pressed "💬 Bericht aan coach": their next message goes straight on, unless
    they take it back with "Toch niet" (``dialogs.message_mode``). The menu they pressed stays
    (a text carries either buttons or a keyboard)."""
    assert person.role is Role.CLIENT and person.id is not None
    cancel = Button(CANCEL_BUTTON, CANCEL_DATA)
    return _outcome(
        replies=(Reply("relay.ask", {"coach": person.coach_name}, buttons=((cancel,),)),),
        effects=(AwaitClientMessage(person.id, True),),
    )


def client_sends(
    person: Person, event: Text | OtherMessage, now: datetime, ctx: RelayContext
) -> Outcome:
    """A client's message outside any question: relay it, or ask once whether to."""
    assert person.role is Role.CLIENT and person.id is not None
    kind = TEXT_KIND if isinstance(event, Text) else event.kind
    if kind in UNSUPPORTED_KINDS or event.message_id is None:
        return _client_reply("relay.unsupported")
    size = event.file_size if isinstance(event, OtherMessage) else None
    if size is not None and size > ctx.max_bytes:
        return _client_reply("relay.too_big")
    forwarded = event.forwarded_from
    if not (ctx.relay_direct or ctx.awaiting_message or forwarded is not None):
        asked = (*(i for i in ctx.asked if i != event.message_id), event.message_id)
        asked = asked[-MAX_ASKED:]
        question = ask_to_send(person, event.message_id, ctx, count=len(asked))
        return question + _outcome(effects=(SetRelayAsked(person.id, asked),))
    effects: list[RelayEffect] = [
        RelayToCoach(person.id, ctx.chat_id, event.message_id, kind, forwarded_from=forwarded)
    ]
    if ctx.awaiting_message:
        effects.append(AwaitClientMessage(person.id, False))
    return _outcome(replies=(_sent_reply(person, now, ctx),), effects=effects)


def ask_to_send(
    person: Person, message_id: int, ctx: RelayContext, lead: str | None = None, count: int = 1
) -> Outcome:
    """ "Wil je dit naar Anna sturen?" [Ja, stuur het] [Nee] about one of the client's
    messages (``client_confirms`` hears the answer); ``lead``: a line above it, in the same
    message (the router's "Dat begrijp ik niet." during a check-in). ``count``: the messages
    the answer is about, this one the newest ("Wil je deze 2 berichten naar Anna sturen?")."""
    names: dict[str, Any] = {"coach": person.coach_name}
    question = Reply(
        "relay.confirm" if count <= 1 else "relay.confirm_many",
        names if count <= 1 else {**names, "count": count},
        buttons=(
            (
                Button(CONFIRM_YES, confirm_data(True, message_id, ctx)),
                Button(CONFIRM_NO, confirm_data(False, message_id, ctx)),
            ),
        ),
        lead=lead,
    )
    return _outcome(replies=(question,))


def asks_first(outcome: Outcome) -> bool:
    """Whether ``outcome`` asks the client whether to send their message (``ask_to_send``)."""
    return any(reply.key in _CONFIRM_KEYS for reply in outcome.replies)


_CONFIRM_KEYS = frozenset({"relay.confirm", "relay.confirm_many"})


def client_confirms(person: Person, data: str, now: datetime, ctx: RelayContext) -> Outcome:
    """The client tapped "Ja, stuur het" or "Nee" (data ``rl:<y|n>:<message id>:<seal>``)."""
    parsed = parse_confirm_data(data, ctx)
    if (
        parsed is None
        or person.role is not Role.CLIENT
        or person.id is None
        or person.client_step is not ClientStep.ACTIVE
    ):
        if person.client_step is ClientStep.ACTIVE and _UNSEALED_CONFIRM.fullmatch(data):
            return _client_reply("relay.send_again")  # a button from before an upgrade
        return _outcome(notice=_UNKNOWN)
    answer, message_id = parsed
    # The question under a message still asked about was about it and every one asked about
    # before it (its text said how many); any other button (asked before this version, or
    # during a check-in, or answered already: no second copy) is about its own message.
    covered = (
        tuple(i for i in ctx.asked if i <= message_id) if message_id in ctx.asked else (message_id,)
    )
    return _confirmed(person, answer, covered, now, ctx)


def _confirmed(
    person: Person, answer: bool, covered: tuple[int, ...], now: datetime, ctx: RelayContext
) -> Outcome:
    """Yes: the ``covered`` messages go to the coach, oldest first; no: none of them."""
    assert person.id is not None
    left = tuple(i for i in ctx.asked if i not in covered)
    effects: list[RelayEffect] = [SetRelayAsked(person.id, left)] if left != ctx.asked else []
    if not answer:
        key = "relay.not_sent" if len(covered) == 1 else "relay.not_sent_many"
        not_sent = Reply(key, keyboard=Keyboard.CLIENT_MENU)
        return _outcome(replies=(not_sent,), effects=effects, chosen=CONFIRM_NO)
    # Only ever messages from the presser's own chat (the data names no chat), oldest first.
    effects[:0] = [RelayToCoach(person.id, ctx.chat_id, i, None) for i in covered]
    if not ctx.relay_direct:
        effects.append(SetRelayDirect(person.id, True))
    return _outcome(replies=(_sent_reply(person, now, ctx),), effects=effects, chosen=CONFIRM_YES)


def client_reacts(
    person: Person,
    event: Reaction,
    now: datetime,
    reacted: RelayView | None = None,
    checkin_open: bool = False,
) -> Outcome:
    """An emoji reaction in a client's chat with the bot (many answer a message with 👍
    instead of typing, or a check-in question instead of pressing a button). ``reacted``: the
    relay whose header or copy the reaction is under, when there is one; ``checkin_open``: a
    check-in question of theirs waits for an answer.

    Each emoji added under a message of their coach's goes to that coach as a silent notice
    (``reaction_notice``); the client gets no answer. Under any other message while a check-in
    question is open, the client hears, in one line, how to answer it, when they react to a
    message that had no reaction of theirs (swapping 👍 for ❤ says nothing again); nothing is
    stored and the coach hears nothing. Otherwise, and for a reaction taken away: nothing.
    From anyone but an active client (a stranger, a coach, a client whose support ended or
    who is still joining): nothing at all, nothing stored."""
    if (
        person.role is not Role.CLIENT
        or person.id is None
        or person.client_step is not ClientStep.ACTIVE
    ):
        return _outcome()
    added = tuple(dict.fromkeys(e for e in event.new if e not in event.old))
    if not added:
        return _outcome()
    notice = reaction_notice(person.id, added, reacted, now)
    if notice is not None:
        return _outcome(replies=(notice,))
    if checkin_open and not event.old:
        return _outcome(replies=(Reply(REACTION_HINT),))
    return _outcome()


def reaction_notice(
    client_id: int, emoji: tuple[str, ...], reacted: RelayView | None, now: datetime
) -> Reply | None:
    """What the coach reads about their client's reaction (``client_reacts``). Only a message
    the client's coach (now) wrote to them is "je bericht"; a reaction on any other message (a
    check-in question, the client's own message, a reply the bot did not keep, a message of a
    coach they had before) is none of the coach's business, and a 👍 without what it was
    about is noise: None, nothing is told."""
    if (
        reacted is None
        or reacted.direction != "to_client"
        or reacted.client_id != client_id
        or not reacted.client_active
        or reacted.sent_at is None
    ):
        return None
    names: dict[str, Any] = {
        "client": reacted.client_name,
        "emoji": " ".join(emoji),
        "sent": At(reacted.sent_at, now),
    }
    return Reply("coach_relay.reacted", names, to=Recipient.COACH)


def _client_reply(key: str) -> Outcome:
    return _outcome(replies=(Reply(key, keyboard=Keyboard.CLIENT_MENU),))


def sent_reply(person: Person, now: datetime, ctx: RelayContext) -> Reply:
    """ "Verstuurd naar Anna.", and when Anna is not working, when she is back (help words
    say it too)."""
    return _sent_reply(person, now, ctx)


def _sent_reply(person: Person, now: datetime, ctx: RelayContext) -> Reply:
    names: dict[str, Any] = {"coach": person.coach_name}
    if ctx.coach_available:
        return Reply("relay.sent", names, keyboard=Keyboard.CLIENT_MENU)
    if ctx.coach_back is None:
        return Reply("relay.sent_off_hours_later", names, keyboard=Keyboard.CLIENT_MENU)
    params = {**names, "back": At(ctx.coach_back), "day": _day(ctx.coach_back, now, ctx.timezone)}
    return Reply("relay.sent_off_hours", params, keyboard=Keyboard.CLIENT_MENU)


def _day(back: datetime, now: datetime, timezone: str) -> TextRef | datetime:
    """ "vandaag", "morgen", a weekday within the week, else the date itself."""
    zone = ZoneInfo(timezone)
    local = back.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    if days <= 0:
        return TextRef("relay.day.today")
    if days == 1:
        return TextRef("relay.day.tomorrow")
    if days < 7:
        return TextRef(f"relay.day.{_WEEKDAYS[local.weekday()]}")
    return back  # rendered as a date: "14 december"


def relay_failed(view: RelayView, now: datetime) -> Outcome:
    """A relay could not be delivered for good (the bot was blocked, the chat is gone).

    To a coach: the client hears it did not arrive and where to get help now. To a client:
    the coach hears it. Never silence.
    """
    if view.direction == "to_coach":
        if not view.client_active:
            return _outcome()
        return _outcome(
            replies=(
                Reply(
                    "relay.failed",
                    {"coach": view.coach_name},
                    keyboard=Keyboard.CLIENT_MENU,
                    to=Recipient.CLIENT,
                ),
            )
        )
    return _outcome(
        replies=(Reply("coach_relay.failed", {"client": view.client_name}, to=Recipient.COACH),)
    )


def seen(person: Person, relay: RelayView | None, now: datetime) -> Outcome:
    """A coach tapped "✓ Gezien" under a client's relayed message (data ``rs:<relay id>``)."""
    if (
        relay is None
        or person.role is not Role.COACH
        or not person.coach_active
        or person.id != relay.coach_id
        or relay.direction != "to_coach"
    ):
        return _outcome(notice=_UNKNOWN)
    return _mark_seen(relay, relay.coach_id) + _outcome(notice="coach_relay.marked_seen")


def _mark_seen(relay: RelayView, coach_id: int) -> Outcome:
    """Record that the coach saw a client's message; the client hears it the first time."""
    if relay.direction != "to_coach" or relay.seen:
        return _outcome()
    told = (
        (
            Reply(
                "relay.seen",
                {"coach": relay.coach_name},
                keyboard=Keyboard.CLIENT_MENU,
                to=Recipient.CLIENT,
            ),
        )
        if relay.client_active
        else ()
    )
    return _outcome(replies=told, effects=(MarkRelaySeen(relay.relay_id, coach_id),))


# -- coach -> client --------------------------------------------------------------------------


def coach_sends(
    person: Person, event: Text | OtherMessage, now: datetime, ctx: CoachRelayContext
) -> Outcome | None:
    """A coach's message: a reply to a client's message or the message after ``/bericht``.

    None when the message is not about relaying (the router goes on as before).
    """
    if (
        person.role is not Role.COACH
        or person.id is None
        or not person.coach_active
        or event.message_id is None
        or event.chat_id is None
        or event.chat_id < 0  # never relay from a group chat
    ):
        return None
    coach_id = person.id
    target = ctx.reply_target
    if target is not None:
        if target.coach_id != coach_id or not target.client_active:
            return _outcome(replies=(Reply("coach_relay.not_your_client"),))
        return _relay_to_client(
            coach_id, event, ctx, ClientRef(target.client_id, target.client_name), target
        )
    if event.reply_to is not None and ctx.alert_client is not None:
        return _relay_to_client(coach_id, event, ctx, ctx.alert_client, None)
    sending_to = awaiting_message_for(person.awaiting)
    if event.reply_to is not None and (person.awaiting is None or sending_to is not None):
        # A reply names its client; a reply to something else must never go to the client
        # of a pending /bericht ("Jan, ..." must not reach Sam). /bericht stays pending.
        return _outcome(replies=(Reply("coach_relay.reply_unknown"),))
    if ctx.awaiting_client is not None:
        return _relay_to_client(coach_id, event, ctx, ctx.awaiting_client, None)
    if sending_to is not None:
        # /bericht named a client who no longer takes part (or is no longer this coach's).
        return _outcome(
            replies=(Reply("coach_relay.client_gone", keyboard=Keyboard.COACH_MENU),),
            effects=(AwaitInput(coach_id, None),),
        )
    return None


def coach_cancels(
    person: Person,
    event: Command | Text,
    words: Words,
    awaited_client: ClientRef | None = None,
    not_done: Reply | None = None,
    promised: tuple[ClientRef, ...] = (),
) -> Outcome | None:
    """``/annuleer``, or a cancel word as the whole message ("laat maar"), while the coach's
    answer to any question is awaited: the one cancel rule. For a message (``/bericht Sam``,
    the card, a signal's "💬") nothing is sent; for another wait the dialog that owns it says
    what is not done (``not_done``: no note for a contact, no new client; the router asks it).
    The wait ends and the coach hears so. None otherwise: a reply names its client and a
    forward is someone else's words, so both go on as messages; without a wait the words are
    no cancel either. ``/annuleer`` with nothing awaited at all says there is nothing to stop
    (the question names the command: it is never "not understood"), with the reminder of each
    promise still open.

    When the awaited client was promised a message by this coach (``promised``, the record
    the shell loads: also after an earlier cancel and a new ``/bericht``) the coach reads that
    too, and how to send it after all (``told_reminder``): a cancel is the coach's to make
    (they may call instead), even during an open alert, which stays as it is. A client who no
    longer takes part (``awaited_client``, the shell's lookup, None) gets no reminder."""
    if person.role is not Role.COACH or person.id is None:
        return None
    if isinstance(event, Command):
        cancels = event.name in CANCEL_COMMANDS
    else:
        own = event.reply_to is None and event.forwarded_from is None
        cancels = own and normalise(event.text) in words.cancel
    if not cancels:
        return None
    if not person.awaiting:
        if not isinstance(event, Command):
            return None
        # Nothing waits, but a client told a message is coming still is: said, so the coach
        # who cancels to be sure does not think that promise is gone.
        nothing = "coach_relay.nothing_to_cancel"
        reminders = tuple(
            told_reminder(c, lead=None if n else nothing) for n, c in enumerate(promised)
        )
        return _outcome(replies=reminders or (Reply(nothing),))
    awaited = awaiting_message_for(person.awaiting)
    if awaited is None:
        said = not_done or Reply("coach_relay.nothing_to_cancel")  # a wait from an older version
    elif (owed := _owed(awaited, awaited_client, promised)) is not None:
        said = told_reminder(owed, lead="coach_relay.cancelled")
    else:
        said = Reply("coach_relay.cancelled")
    said = replace(said, keyboard=Keyboard.COACH_MENU)
    return _outcome(replies=(said,), effects=(AwaitInput(person.id, None),))


def alert_ends_wait(
    person: Person,
    alert_client_id: int,
    awaited_client: ClientRef | None,
    promised: tuple[ClientRef, ...] = (),
) -> Outcome:
    """A coach acted on an alert (picked it up, passed it on, closed it) of another client
    than the one their next message is awaited for: that wait ends, so what they type next
    about the alert ("Kim, ik bel je zo") never goes to the other client. The coach reads
    it in one line, with the way to write that client after all; when that client was
    promised a message (``promised``), the reminder of that promise (``told_reminder``).
    Nothing for a wait for the alert's own client, or no message wait. A client who no
    longer takes part (``awaited_client`` None): the wait ends without a word (a message
    could not go)."""
    awaited = awaiting_message_for(person.awaiting)
    if person.id is None or awaited is None or awaited == alert_client_id:
        return Outcome()
    ends = (AwaitInput(person.id, None),)
    if awaited_client is None or awaited_client.id != awaited:
        return _outcome(effects=ends)
    name = {"client": awaited_client.name}
    if (owed := _owed(awaited, awaited_client, promised)) is not None:
        said = told_reminder(owed, lead="coach_relay.alert_ends_wait_told")
    else:
        said = Reply("coach_relay.alert_ends_wait", name)
    # In the coach's own chat: tapped in a team group, a line naming another client must not
    # show there.
    return _outcome(replies=(replace(said, to=Recipient.ACTOR),), effects=ends)


def wait_replaced(person: Person, outcome: Outcome, promised: tuple[ClientRef, ...]) -> Outcome:
    """What a coach did set a new question while their message was awaited for a client they
    promised one (``/bericht Jan``, ``/nieuw``, a contact's note): that wait ends, and the
    coach reads first that the client was told a message is coming ("Je bericht aan Sam
    stuur ik niet." and ``told_reminder``), as after a cancel. Nothing when the new wait is
    for the same client, when the outcome relays to them or already reminds, or when no wait
    is set (a cancel, an alert and a ✅ say it in their own words; a relay keeps it)."""
    awaited = awaiting_message_for(person.awaiting)
    owed = next((c for c in promised if c.id == awaited), None)
    if person.id is None or owed is None:
        return outcome
    new = [e.awaiting for e in outcome.effects if isinstance(e, AwaitInput)]
    if not new or new[-1] is None or awaiting_message_for(new[-1]) == owed.id:
        return outcome
    relayed = any(isinstance(e, RelayToClient) and e.client_id == owed.id for e in outcome.effects)
    if relayed or any(r.key in REMINDER_KEYS for r in outcome.replies):
        return outcome
    said = told_reminder(owed, lead="coach_relay.alert_ends_wait_told")
    return replace(outcome, replies=(said, *outcome.replies))


def _owed(
    awaited_id: int, awaited_client: ClientRef | None, promised: tuple[ClientRef, ...]
) -> ClientRef | None:
    """The promise to the awaited client, when they still take part and were promised a
    message by this coach (None otherwise)."""
    if awaited_client is None or awaited_client.id != awaited_id:
        return None
    return next((c for c in promised if c.id == awaited_id), None)


def _relay_to_client(
    coach_id: int,
    event: Text | OtherMessage,
    ctx: CoachRelayContext,
    client: ClientRef,
    answers: RelayView | None,
) -> Outcome:
    assert event.message_id is not None and event.chat_id is not None
    kind = TEXT_KIND if isinstance(event, Text) else event.kind
    if kind in UNSUPPORTED_KINDS:
        return _outcome(replies=(Reply("coach_relay.unsupported"),))
    size = event.file_size if isinstance(event, OtherMessage) else None
    if size is not None and size > ctx.max_bytes:
        max_mb = ctx.max_bytes // (1024 * 1024)
        return _outcome(replies=(Reply("coach_relay.too_big", {"max_mb": max_mb}),))
    relay = RelayToClient(
        coach_id=coach_id,
        client_id=client.id,
        from_chat_id=event.chat_id,
        message_id=event.message_id,
        kind=kind,
        answers_relay_id=answers.relay_id if answers else None,
        forwarded_from=event.forwarded_from,
        words=event.text if isinstance(event, Text) else event.caption,
    )
    effects: list[RelayEffect | AwaitInput] = [relay]
    if answers is None:
        effects.append(AwaitInput(coach_id, None))  # the /bericht message is sent
    # Still tried while the client is marked (the block may be lifted without the bot
    # hearing of it), but never "Verstuurd": a refusal tells the coach (``relay_failed``).
    names: dict[str, Any] = {"client": client.name}
    if ctx.unreachable_since is None:
        done = Reply("coach_relay.sent", names, keyboard=Keyboard.COACH_MENU)
    else:
        done = Reply("coach_relay.sent_unreachable", names, keyboard=Keyboard.COACH_MENU)
    sent = _outcome(replies=(done,), effects=effects)
    return (sent + _mark_seen(answers, coach_id)) if answers else sent


def start_message(
    person: Person,
    args: str,
    clients: tuple[ClientRef, ...],
    unreachable: Mapping[int, datetime] | None = None,
) -> Outcome:
    """``/bericht Sam``: the coach's next message goes to Sam.

    ``clients`` are this coach's active clients; ``unreachable``: since when those of them
    whose chat refuses messages do (by client id). Names match without case or accents, the
    whole name first, else the first name ("Sam" finds "Sam de Vries").
    """
    assert person.role is Role.COACH and person.id is not None
    coach_id = person.id
    # A failed /bericht must not leave an earlier one pointing at someone else.
    clear: tuple[AwaitInput, ...] = (
        (AwaitInput(coach_id, None),) if person.awaiting is not None else ()
    )
    names = ", ".join(sorted((c.name for c in clients), key=_plain))
    if not clients:
        return _outcome(replies=(Reply("coach_relay.no_clients"),), effects=clear)
    wanted = _plain(args)
    if not wanted:
        example = min((c.name for c in clients), key=_plain)
        return _outcome(
            replies=(Reply("coach_relay.ask_which", {"clients": names, "example": example}),),
            effects=clear,
        )
    found = [c for c in clients if _plain(c.name) == wanted] or [
        c for c in clients if _plain(c.name).split(" ")[0] == wanted
    ]
    shown = " ".join(args.split())[:_MAX_NAME_SHOWN]
    if not found:
        return _outcome(
            replies=(Reply("coach_relay.not_found", {"name": shown, "clients": names}),),
            effects=clear,
        )
    if len(found) > 1:
        same = ", ".join(sorted((c.name for c in found), key=_plain))
        return _outcome(
            replies=(Reply("coach_relay.ambiguous", {"name": shown, "clients": same}),),
            effects=clear,
        )
    client = found[0]
    return _outcome(
        replies=(ask_message(client.name, (unreachable or {}).get(client.id)),),
        effects=(AwaitInput(coach_id, awaiting_message(client.id)),),
    )


def ask_message(client_name: str, unreachable_since: datetime | None) -> Reply:
    """ "Wat wil je naar Sam sturen?" (after ``/bericht Sam`` or the card's "✉️ Bericht"). While
    Sam's chat refuses messages the coach may still write (the block may be lifted), but reads
    first that it may not arrive: the card's 📵 in short."""
    names: dict[str, Any] = {"client": client_name}
    if unreachable_since is None:
        return Reply("coach_relay.ask_message", names)
    since = {**names, "since": unreachable_since}
    return Reply("coach_relay.ask_message", since, lead="coach_relay.may_not_arrive")


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: "  Zoë " and "zoe" are the same name."""
    return normalise(text, keep_punctuation=True)
