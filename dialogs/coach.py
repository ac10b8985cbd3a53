"""What a coach can do in this slice: invite a client (by command or menu), get help.

A new client's name follows ``dialogs.names`` (letters of one script, not a name this coach
already has for a client in care). "➕ Nieuwe cliënt" asks for the name and waits
``NAME_QUESTION_LIFETIME``: a text long after it ("Sam ik bel je morgen", three days later) is
not taken for a name; the coach is told the question expired.

The name of the coach's own client who is invited (``renewable``; only a hash of a link is
stored, so it cannot be shown again) makes a new link for that client instead: their old links
stop working, and the coach reads that above the new one. So a lost or expired link, or one
Telegram would not take, is never a dead end. Nor is a client who opened the link and got
stuck while joining (``joining``: on a lost phone, or someone else opened it): their joining
stops, the account that opened it is let go and reads that it stopped (nothing else), and the
coach gets a new link. Nothing of a joining client is kept yet but their consent and choices,
which are forgotten (the new joining asks again); the shell checks that under the client's lock::

    /nieuw Tim
        ├─ the coach's own Tim, invited ──▶ a new link (and QR) for that Tim,
        │                                   "de oude werkt niet meer"
        ├─ the coach's own Tim, joining ──▶ the joining stops (the old chat is told), and a
        │                                   new link for that Tim
        ├─ the coach's own Tim, active ──▶ "Je hebt al een cliënt die Tim heet"
        └─ no Tim in care (another coach's Tim is nobody here) ──▶ a new client Tim

A Tim who changed between this decision and its store (another instance of the bot: the link
opened just then) keeps what they have; the coach is told that instead (``bot.effects``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dialogs import names
from dialogs.clients import ClientRef
from dialogs.events import Command, Event, MenuItem, MenuPress, OtherMessage, Start, Text
from dialogs.language import invite_language
from dialogs.outcome import (
    AwaitInput,
    InviteClient,
    Keyboard,
    Outcome,
    Recipient,
    RenewClientInvite,
    Reply,
    TextRef,
)
from dialogs.people import Person
from dialogs.words import Words

__all__ = [
    "AWAITING_CLIENT_NAME",
    "NAME_QUESTION_LIFETIME",
    "NEW_CLIENT_COMMANDS",
    "awaits_name",
    "coach_acts",
]

AWAITING_CLIENT_NAME = "client_name"
NAME_QUESTION_LIFETIME = timedelta(minutes=30)
NEW_CLIENT_COMMANDS = frozenset({"nieuw", "new"})
_ASKED_AT = "%Y%m%dT%H%M"


def awaits_name(awaiting: str | None) -> bool:
    """Whether a coach's ``awaiting`` is the question for a new client's name (asked when)."""
    return (awaiting or "").partition("@")[0] == AWAITING_CLIENT_NAME


def _asking(person: Person, now: datetime) -> AwaitInput:
    assert person.id is not None
    return AwaitInput(person.id, f"{AWAITING_CLIENT_NAME}@{now.astimezone(UTC):{_ASKED_AT}}")


def _still_asked(awaiting: str | None, now: datetime) -> bool:
    _, _, asked = (awaiting or "").partition("@")
    try:
        at = datetime.strptime(asked, _ASKED_AT).replace(tzinfo=UTC)
    except ValueError:
        return False  # asked before questions had a time: long ago
    return now - at <= NAME_QUESTION_LIFETIME


def coach_acts(
    person: Person,
    event: Event,
    words: Words,
    now: datetime,
    taken: tuple[str, ...] = (),
    renewable: tuple[ClientRef, ...] = (),
    joining: tuple[ClientRef, ...] = (),
) -> Outcome:
    """Route a coach's message or command (``words``: the coach's, for a language named
    after a new client's name: ``/nieuw Sam English``; ``taken``: the names of the coach's
    clients in care, which a new one must differ from; ``renewable``: those of them who are
    invited, whose name makes a new link for them; ``joining``: those who opened a link and
    are still joining, whose name stops that joining and makes a new link)."""
    known = _Known(taken, renewable, joining)
    assert person.id is not None
    if not person.coach_active:
        return Outcome(replies=(Reply("coach.inactive"),))
    match event:
        case Command(name=name, args=args) if name in NEW_CLIENT_COMMANDS:
            return _new_client(person, args, words, now, known)
        case MenuPress(item=MenuItem.NEW_CLIENT):
            return _new_client(person, "", words, now, known)
        case Start() | Command(name="hulp" | "help"):
            return _help(person)
        case MenuPress(item=MenuItem.HELP):
            return _help(person)
        case Text(text=text) if awaits_name(person.awaiting):
            if not _still_asked(person.awaiting, now):
                return Outcome(
                    effects=(AwaitInput(person.id, None),),
                    replies=(Reply("coach.client_name_expired", keyboard=Keyboard.COACH_MENU),),
                )
            return _client_name_given(person, text, words, now, known)
        case OtherMessage():
            return Outcome(replies=(Reply("coach.unsupported"),))
    return Outcome(replies=(Reply("coach.not_understood", keyboard=Keyboard.COACH_MENU),))


def _help(person: Person) -> Outcome:
    assert person.id is not None
    clear = (AwaitInput(person.id, None),) if person.awaiting else ()
    return Outcome(effects=clear, replies=(Reply("coach.help", keyboard=Keyboard.COACH_MENU),))


@dataclass(frozen=True)
class _Known:
    """The coach's clients in care a name may be: all (``taken``), the invited ones
    (``renewable``) and those still joining (``joining``)."""

    taken: tuple[str, ...]
    renewable: tuple[ClientRef, ...]
    joining: tuple[ClientRef, ...]


def _new_client(person: Person, args: str, words: Words, now: datetime, known: _Known) -> Outcome:
    if not args.strip():
        return Outcome(effects=(_asking(person, now),), replies=(Reply("coach.ask_client_name"),))
    return _client_name_given(person, args, words, now, known)


def _client_name_given(
    person: Person, text: str, words: Words, now: datetime, known: _Known
) -> Outcome:
    """The new client's name, maybe with their language after it: they get every text in
    it from the welcome on (else in the coach's language; see ``dialogs.language``). The
    name of a client who is invited, or still joining: a new link for them."""
    assert person.id is not None
    text, language = invite_language(text, words)
    name = names.clean(text)
    key = names.same_key(name)
    again = next((c for c in known.renewable if names.same_key(c.name) == key), None)
    if again is not None:
        return _new_link(person, again, language)
    stuck = next((c for c in known.joining if names.same_key(c.name) == key), None)
    if stuck is not None:
        return _new_link(person, stuck, language, joining=True)
    problem = names.check_name(name, known.taken)
    if problem is not None:
        return Outcome(
            effects=(_asking(person, now),),
            replies=(Reply(f"coach.name_problem.{problem.value}", {"client": name}),),
        )
    return Outcome(
        effects=(
            AwaitInput(person.id, None),
            InviteClient(coach_id=person.id, client_name=name, language=language),
        ),
        replies=_invite_replies(name, language),
    )


def _new_link(
    person: Person, client: ClientRef, language: str | None, joining: bool = False
) -> Outcome:
    """A new link for the coach's invited client (under the stored name, however it was
    typed); the old links stop working, and the coach reads that first. For a client still
    joining, that joining stops too: the account that opened the link reads that (in the
    language it read so far), and the coach reads it above the new link."""
    assert person.id is not None
    renew = RenewClientInvite(
        coach_id=person.id,
        client_id=client.id,
        language=language,
        joining=joining,
        client_name=client.name,
    )
    lead = "coach.client_invite_restarted" if joining else "coach.client_invite_renewed"
    told = (Reply("onboarding.joining_stopped", to=Recipient.CLIENT),) if joining else ()
    return Outcome(
        effects=(AwaitInput(person.id, None), renew),
        replies=_invite_replies(client.name, language, lead=lead) + told,
    )


def _invite_replies(name: str, language: str | None, lead: str | None = None) -> tuple[Reply, ...]:
    """The link (a secret: never stored; when Telegram will not take it, the coach is told to
    send /nieuw again), its QR code, and the client's language when the coach named one."""
    return (
        Reply(
            "coach.client_invite",
            {"client": name},
            keyboard=Keyboard.COACH_MENU,
            lead=lead,
            unsent_key="coach.client_invite_unsent",
        ),
        Reply(
            "coach.client_invite_qr",
            {"client": name},
            picture_of="link",
            unsent_key="coach.client_invite_unsent",
        ),
        *(
            (
                Reply(
                    "coach.client_language",
                    {"client": name, "language": TextRef(f"language.called.{language}")},
                ),
            )
            if language
            else ()
        ),
    )
