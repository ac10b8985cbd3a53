"""What a client's card shows, as plain data the shell loads (``bot.client_card``) and the
card's dialog reads (``dialogs.client_card``): one of the coach's own active clients.

Also the card's 📵 line (``unreachable_line``), which ``/checkin Sam`` answers too
(``dialogs.coach_checkin``), and how a 📵 text names the number to call (``called``): "Bel
Sam: +31 6 12345678" only when a phone number of the client is stored, else that the bot has
none (the ``_no_phone`` variant, ``dialogs.reachability.phone_variant``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dialogs.checkin_questions import Question
from dialogs.checkin_state import CheckinStatus
from dialogs.clients import ClientRef
from dialogs.outcome import TextRef
from dialogs.phone import shown as shown_phone
from dialogs.reachability import phone_variant
from dialogs.schedule import Rhythm

__all__ = [
    "UNREACHABLE",
    "CardAlert",
    "CardCheckin",
    "CardContext",
    "CardView",
    "CoachStep",
    "ContactKind",
    "LoggedContact",
    "NotActive",
    "NotActiveClient",
    "PhaseStep",
    "RhythmChange",
    "called",
    "unreachable_line",
]

#: The card's 📵 line: "Sinds 9 november kan Sam geen berichten van mij krijgen ... Bel Sam: …"
UNREACHABLE = "client_card.unreachable"


class ContactKind(StrEnum):
    """How the coach was in touch (the values of ``storage.models.ContactKind``)."""

    CALL = "call"
    VISIT = "visit"
    ELSEWHERE = "elsewhere"


class NotActive(StrEnum):
    """Why one of the coach's own clients has no card (``storage.models.ClientStatus``)."""

    INVITED = "invited"  # the link was not opened yet
    JOINING = "joining"  # opened, consent or the read-aloud choice still to come
    DECLINED = "declined"  # said no to taking part
    ENDED = "ended"  # support ended: ``/fase`` shows it


@dataclass(frozen=True)
class NotActiveClient:
    """One of the coach's own clients who is not active, for ``/client Naam``."""

    client: ClientRef
    status: NotActive
    link_until: datetime | None = None  # INVITED: until when their unused link works
    # JOINING: since when at this step: the link opened, or (``consented``) consent given
    since: datetime | None = None
    consented: bool = False  # JOINING: consent given, the read-aloud choice still to come


@dataclass(frozen=True)
class LoggedContact:
    id: int
    client_id: int
    coach_id: int  # who logged it: only they see its note
    at: datetime
    kind: ContactKind
    note: str | None = None
    client_name: str = ""


@dataclass(frozen=True)
class CardCheckin:
    """A closed check-in: when it was sent, how it ended, the grade when one was given."""

    sent_at: datetime
    status: CheckinStatus
    grade: int | None = None


@dataclass(frozen=True)
class CardAlert:
    pressed_at: datetime
    outcome: str | None = None  # None: still open


@dataclass(frozen=True)
class RhythmChange:
    at: datetime
    rhythm: Rhythm
    paused: bool


@dataclass(frozen=True)
class PhaseStep:
    at: datetime
    phase: str  # start, regular, waakvlam, ended


@dataclass(frozen=True)
class CoachStep:
    at: datetime
    coach: str  # the coach's name from then on


@dataclass(frozen=True)
class CardView:
    """One of the coach's own active clients, as plain data loaded by the shell."""

    client: ClientRef
    coach_id: int
    joined_at: datetime
    phase: str | None = None
    rhythm: Rhythm | None = None  # None: no check-in schedule
    paused: bool = False
    last_contact: datetime | None = None  # a message either way, a check-in, a logged contact
    checkins: tuple[CardCheckin, ...] = ()  # closed ones in the picture's period, oldest first
    alerts: tuple[CardAlert, ...] = ()  # oldest first
    contacts: tuple[LoggedContact, ...] = ()  # newest first
    last_answers: tuple[tuple[Question, str], ...] = ()  # of the last answered check-in
    last_answered_at: datetime | None = None
    signals: tuple[TextRef, ...] = ()  # standing signals, newest first, as the coach read them
    rhythm_changes: tuple[RhythmChange, ...] = ()
    phases: tuple[PhaseStep, ...] = ()
    coaches: tuple[CoachStep, ...] = ()
    low_grade: int | None = None
    unreachable_since: datetime | None = None  # their chat refuses messages (403) since then
    # Their stored phone number (E.164), if any: the 📵 line names it ("Bel Sam: …").
    phone: str | None = None


@dataclass(frozen=True)
class CardContext:
    """What the shell loaded for a coach's card command or button.

    ``card``: the client the event names, only when one of the coach's own active clients.
    ``clients``: the coach's own active clients (for ``/client Naam``); ``not_active``: the
    coach's own other clients (invited, joining, declined, ended), loaded for a name none of
    ``clients`` has, and (invited and joining only) for a name the coach gives a new client
    (``/nieuw Naam``: a new link for such a client, ``dialogs.coach``). ``noting``: the
    contact the coach's pending note is for, only when the coach logged it about such a
    client."""

    card: CardView | None = None
    clients: tuple[ClientRef, ...] = ()
    not_active: tuple[NotActiveClient, ...] = ()
    noting: LoggedContact | None = None
    timezone: str = "Europe/Amsterdam"


def called(key: str, params: Mapping[str, object], phone: str | None) -> TextRef:
    """A 📵 text that ends "Bel Sam: +31 6 12345678" (``key``, the number as the everyday 📵
    notice shows it) only when the client's ``phone`` number is stored; else its ``_no_phone``
    variant, which says the bot has none and to reach the client another way."""
    if phone is None:
        return TextRef(phone_variant(key, phone_known=False), dict(params))
    return TextRef(phone_variant(key, phone_known=True), {**params, "phone": shown_phone(phone)})


def unreachable_line(client: str, since: datetime, phone: str | None) -> TextRef:
    """The card's 📵 line: since when the client's chat refuses messages, and who to call."""
    return called(UNREACHABLE, {"client": client, "since": since}, phone)
