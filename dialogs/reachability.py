"""Whether the bot can reach a client, and what their coach hears about it.

Telegram answers 403 Forbidden to every message for a client who blocked the bot or stopped
(deleted) the chat. That is all that is known: not why, not how Sam is. A client who cannot
get messages cannot send any either (no message, no noodknop, no check-in answer), so a coach
who only saw "no answer" would wait for nothing.

::

    a message to Sam's chat refused (403), or Telegram says Sam blocked the bot
    (``my_chat_member`` "kicked": ``chat_change``) ──▶ refused(): the first time only
        ├─ Sam is marked unreachable since now (the shell stores ``unreachable_since``)
        ├─ a check-in still open closes as unfinished, never as missed: it could not arrive
        ├─ Sam's coach, once: "Sam kan geen berichten van mij krijgen ... Bel Sam: +31 6 …"
        │  (without a stored number of Sam's: that the bot has none, reach Sam another way)
        └─ with a noodknop alert of Sam's open, instead: everyone told about the alert, and
           Sam's coach if not among them, each once, as alert traffic: "Sam kan geen
           berichten van mij krijgen (melding van 22:14): wat ik Sam stuur, komt niet aan ..."
    while marked, a message to Sam refused again (403) ──▶ refused(): with the alert open, only
        those told about it since the notice (a backup asked later) read it; else nothing
    while marked ──▶ no scheduled check-in is opened (``checkins_wait``): the schedule moves on
    Sam writes again (any message or tap), or unblocks the bot (``my_chat_member`` "member")
        ──▶ heard_again(): the mark is cleared, and the coach hears once that Sam can be
        reached again and that the check-ins go on (or stay paused)
    Telegram accepts a message to Sam's chat (a coach's message, a notice) that it was handed
    after the mark was set ──▶ delivered_again(): the mark is cleared, and the coach hears once
    that messages reach Sam again (not that Sam responded: only that one arrived)
        └─ both, with the alert still open: everyone who read its 📵 line of this mark hears,
           once, as alert traffic: "✅ Berichten komen weer aan bij Sam (melding van 22:14)."
           (and, when numbers sent to Sam were refused, that they, or not all of them, did
           not arrive: ``numbers_refused``); the numbers themselves go to Sam again when
           Sam writes or presses while nobody picked the alert up (``noodknop.numbers_again``);
           the coach, when one of them, only that (not the everyday notice as well)
    a late 403 for a message handed to Telegram before Sam came back ──▶ refused(): nothing
        (Sam's return cleared the mark after that message left: the refusal is older)
    a late acceptance of a message handed to Telegram before the mark ──▶ delivered_again():
        nothing (it left before Sam's chat refused messages: it says nothing of now)

Only an active client is marked: a former client's coach is not bothered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from dialogs.checkin_state import CheckinState, CheckinStatus
from dialogs.coach_notes import closed_for_pause
from dialogs.outcome import At, Outcome, Recipient, Reply, SaveCheckin
from dialogs.phone import shown as shown_phone

__all__ = [
    "REACHABLE_ALERT",
    "REACHABLE_ALERT_NUMBERS",
    "REACHABLE_ALERT_SOME_NUMBERS",
    "UNREACHABLE",
    "UNREACHABLE_ALERT",
    "UNREACHABLE_ALERT_KEYS",
    "UNREACHABLE_ALERT_NO_PHONE",
    "UNREACHABLE_NO_PHONE",
    "AlertLineRead",
    "AlertReach",
    "ChatChange",
    "NumbersRefused",
    "Reach",
    "Reachability",
    "chat_change",
    "checkins_wait",
    "delivered_again",
    "heard_again",
    "numbers_refused",
    "phone_variant",
    "refused",
    "unreachable_alert_key",
]


class ChatChange(Enum):
    """What Telegram's ``my_chat_member`` update says of a person's private chat with the bot."""

    REFUSES = "refuses"  # blocked (or stopped): as a refused message (403)
    WORKS = "works"  # unblocked (or started again): as the client writing


#: The everyday 📵 notice to the client's coach (no alert open), naming the number to call.
UNREACHABLE = "coach_reach.unreachable"
#: The same for a client without a stored phone number: no "Bel Sam", but how it stands.
UNREACHABLE_NO_PHONE = "coach_reach.unreachable_no_phone"
#: The 📵 notice as part of an open alert (here, and with an escalated alert: ``dialogs.noodknop``).
UNREACHABLE_ALERT = "coach_reach.unreachable_alert"
#: The same for a client without a stored phone number: no "Bel Sam", but how it stands.
UNREACHABLE_ALERT_NO_PHONE = "coach_reach.unreachable_alert_no_phone"
#: Either of them: the shell reads who was given the line by these keys.
UNREACHABLE_ALERT_KEYS = (UNREACHABLE_ALERT, UNREACHABLE_ALERT_NO_PHONE)
#: Its end, for those who read it: messages reach the client again (``_back``).
REACHABLE_ALERT = "coach_reach.reachable_alert"
#: The same, and the emergency numbers sent to the client did not arrive.
REACHABLE_ALERT_NUMBERS = "coach_reach.reachable_alert_numbers"
#: The same, and some of the emergency numbers sent to the client did not arrive.
REACHABLE_ALERT_SOME_NUMBERS = "coach_reach.reachable_alert_some_numbers"


class NumbersRefused(Enum):
    """Which of the emergency numbers sent to the client for the alert Telegram refused."""

    NONE = "none"  # none (or none sent): the line says nothing of them
    SOME = "some"  # some; the others arrived or are still on their way
    ALL = "all"


def numbers_refused(queued: int, refused: int) -> NumbersRefused:
    """The numbers' state from their outbox rows to the client's chat for the alert:
    ``queued`` rows (arrived, still on their way, or refused), ``refused`` of them refused."""
    if refused == 0:
        return NumbersRefused.NONE
    return NumbersRefused.ALL if refused >= queued else NumbersRefused.SOME


@dataclass(frozen=True)
class AlertReach:
    """The client's open noodknop alert, as these rules need it: loaded only for a refusal."""

    pressed_at: datetime
    coach_told: bool  # the client's own coach is among those told about the alert
    # Someone picked it up ("Ik bel"): only they need the line at once; the client's coach,
    # when that is someone else, hears it as on any day (``coach_is_helper``: it is them).
    picked_up: bool = False
    coach_is_helper: bool = False
    # Someone told about the alert has not read the 📵 notice of the current mark (asked
    # after it was set: a backup at the escalation, a pass on). Only read while marked.
    untold: bool = True
    # A phone number of the client is stored: the line may say "Bel Sam".
    phone_known: bool = False


@dataclass(frozen=True)
class AlertLineRead:
    """The client's alert, still open when their mark is cleared, whose 📵 line someone read
    during this mark (``UNREACHABLE_ALERT``): loaded only then, and only when someone did."""

    pressed_at: datetime
    coach_read: bool  # the client's coach is one of those who read it
    # Of the emergency numbers sent to the client for this alert, those Telegram refused.
    numbers: NumbersRefused = NumbersRefused.NONE


@dataclass(frozen=True)
class Reach:
    """A client as these rules need them, loaded by the shell."""

    client_id: int
    name: str
    active: bool
    unreachable_since: datetime | None = None
    paused: bool = False  # the coach paused the check-ins
    open_checkin: CheckinState | None = None
    # When the mark was last cleared (the client came back); loaded only for a refused
    # message, to tell a late refusal from a new one.
    heard_again_at: datetime | None = None
    # Their noodknop alert that is open; loaded only for a refused message.
    open_alert: AlertReach | None = None
    # Their open alert whose 📵 line someone read during this mark; loaded only to clear it.
    alert_line_read: AlertLineRead | None = None
    # Their stored phone number (E.164), if any: the everyday notice names it ("Bel Sam: …").
    phone: str | None = None


@dataclass(frozen=True)
class Reachability:
    """What to store (``unreachable_since``: the new value) and what the outcome does."""

    unreachable_since: datetime | None
    outcome: Outcome


def chat_change(chat_type: str, status: str) -> ChatChange | None:
    """The bot's new status in a chat (``my_chat_member``'s ``new_chat_member.status``). In a
    private chat Telegram sends it only when the person blocks the bot ("kicked") or unblocks
    or restarts it ("member"). None: anything else, or not a private chat (a team group)."""
    if chat_type != "private":
        return None
    if status == "kicked":
        return ChatChange.REFUSES
    if status == "member":
        return ChatChange.WORKS
    return None


def refused(reach: Reach, now: datetime, sent_from: datetime | None = None) -> Reachability | None:
    """The client's chat refuses messages for good: a message was refused (403), handed to
    Telegram no earlier than ``sent_from``, or (``sent_from`` None) Telegram said the client
    blocked the bot. None: nothing changes (not an active client, a late refusal: the client
    came back at or after that message left, so it says nothing of now, or already marked and
    no one handling an open alert of theirs still has to hear it).

    With a noodknop alert of the client's open, whoever handles it must know that the client
    reads nothing ("Anna belt je", the emergency numbers): the notice goes to everyone told
    about the alert, as alert traffic, and to the client's coach when not among them. When
    someone had picked it up before the first refusal: to them, and the coach hears it as on
    any day. While marked, those asked about the alert since hear it."""
    if not reach.active:
        return None
    alert = reach.open_alert
    if reach.unreachable_since is not None:
        if alert is None or not alert.untold:
            return None
        # Those asked since the mark (the one who picked it up read it where they were asked).
        notice = _alert_notice(reach, alert, now, Recipient.ALERT_TEAM)
        return Reachability(reach.unreachable_since, Outcome(replies=(notice,)))
    came_back = reach.heard_again_at
    if sent_from is not None and came_back is not None and came_back >= sent_from:
        return None
    effects: tuple[SaveCheckin, ...] = ()
    state = reach.open_checkin
    if state is not None and state.status is CheckinStatus.OPEN:
        effects = (SaveCheckin(closed_for_pause(state, now)),)  # no reminder, never "missed"
    everyday = _everyday_notice(reach)
    notices: tuple[Reply, ...]
    if alert is None:
        notices = (everyday,)
    elif alert.picked_up:
        # The one who picked it up calls: they must know "Ik bel je" cannot arrive. A ringing
        # line for everyone else told about it at night would only say nobody calls.
        notices = (_alert_notice(reach, alert, now, Recipient.ALERT_HELPER),)
        if not alert.coach_is_helper:
            notices += (everyday,)
    else:
        notices = (_alert_notice(reach, alert, now, Recipient.ALERT_TEAM),)
        if not alert.coach_told:
            notices += (_alert_notice(reach, alert, now, Recipient.COACH),)
    return Reachability(now, Outcome(replies=notices, effects=effects))


def _alert_notice(reach: Reach, alert: AlertReach, now: datetime, to: Recipient) -> Reply:
    """The 📵 notice as part of the open alert: at alert priority (``urgent``), never queued
    behind other work."""
    params = {"client": reach.name, "time": At(alert.pressed_at, said_at=now)}
    return Reply(unreachable_alert_key(phone_known=alert.phone_known), params, to=to, urgent=True)


def _everyday_notice(reach: Reach) -> Reply:
    """The coach's 📵 notice on any day: "Bel Sam: +31 6 12345678" (the number as the alert
    shows it) only when a phone number of the client is stored; else that the bot has none."""
    params: dict[str, object] = {"client": reach.name}
    if reach.phone is not None:
        params["phone"] = shown_phone(reach.phone)
    key = phone_variant(UNREACHABLE, phone_known=reach.phone is not None)
    return Reply(key, params, to=Recipient.COACH)


def unreachable_alert_key(*, phone_known: bool) -> str:
    """The 📵 line's key: "Bel Sam" only when a phone number of the client is stored (also
    for the line given with an escalated alert, ``dialogs.noodknop``)."""
    return phone_variant(UNREACHABLE_ALERT, phone_known=phone_known)


def phone_variant(key: str, *, phone_known: bool) -> str:
    """A 📵 text's key (``UNREACHABLE``, ``UNREACHABLE_ALERT``): ``key`` itself, which says
    "Bel Sam", only when a phone number of the client is stored; else its ``_no_phone``
    variant, which says none is and to reach the client another way."""
    return key if phone_known else _NO_PHONE[key]


_NO_PHONE = {
    UNREACHABLE: UNREACHABLE_NO_PHONE,
    UNREACHABLE_ALERT: UNREACHABLE_ALERT_NO_PHONE,
    # The card's 📵 line (also after /checkin Sam or "📞 Ik bel"), ``dialogs.card_view``.
    "client_card.unreachable": "client_card.unreachable_no_phone",
    # Under a new rhythm, pause or resume the client is not told of (``dialogs.coach_checkin``).
    "coach_checkin.not_told": "coach_checkin.not_told_no_phone",
}


def heard_again(reach: Reach, now: datetime) -> Reachability | None:
    """The client wrote to the bot (any message or tap) or unblocked it: their chat works
    again. None when they were not marked."""
    if reach.unreachable_since is None:
        return None
    return _back(reach, ("coach_reach.reachable", "coach_reach.reachable_paused"), now)


def delivered_again(
    reach: Reach, handed_from: datetime | None, now: datetime
) -> Reachability | None:
    """Telegram accepted a message to the client's chat, handed to it no earlier than
    ``handed_from``: their chat works again. None: nothing changes (not marked, or the message
    may have left before the mark was set: a late acceptance says nothing of now)."""
    marked = reach.unreachable_since
    if marked is None or handed_from is None or handed_from <= marked:
        return None
    return _back(reach, ("coach_reach.delivered", "coach_reach.delivered_paused"), now)


def _back(reach: Reach, keys: tuple[str, str], now: datetime) -> Reachability:
    """The mark cleared. The coach hears it (``keys``: the check-ins go on, or stay paused).
    With the alert still open, everyone who read its 📵 line of this mark hears the end of it
    the same way, as alert traffic (``ALERT_TEAM`` here: those readers, whose chats the shell
    has); the coach, when one of them, only that. It says which numbers sent to the client
    were refused (all, or not all), never that they are sent again. A former client: nobody."""
    if not reach.active:
        return Reachability(None, Outcome())
    key = keys[1] if reach.paused else keys[0]
    everyday = Reply(key, {"client": reach.name}, to=Recipient.COACH)
    read = reach.alert_line_read
    if read is None:
        return Reachability(None, Outcome(replies=(everyday,)))
    params = {"client": reach.name, "time": At(read.pressed_at, said_at=now)}
    line_key = _LINE_KEYS[read.numbers]
    line = Reply(line_key, params, to=Recipient.ALERT_TEAM, urgent=True)
    return Reachability(None, Outcome(replies=(line,) if read.coach_read else (line, everyday)))


_LINE_KEYS = {
    NumbersRefused.NONE: REACHABLE_ALERT,
    NumbersRefused.SOME: REACHABLE_ALERT_SOME_NUMBERS,
    NumbersRefused.ALL: REACHABLE_ALERT_NUMBERS,
}


def checkins_wait(unreachable_since: datetime | None) -> bool:
    """No scheduled check-in while the client's chat refuses messages: it could not arrive,
    and a check-in that cannot arrive is no silence of the client's."""
    return unreachable_since is not None
