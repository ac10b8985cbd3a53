"""What a coach can do in this slice: invite a client (by command or menu), get help.

A new client's name follows ``dialogs.names`` (letters of one script, not a name this coach
already has for a client in care). "➕ Nieuwe cliënt" asks for the name and waits
``NAME_QUESTION_LIFETIME``: a text long after it ("Sam ik bel je morgen", three days later) is
not taken for a name; the coach is told the question expired.

The name of the coach's own client who is invited and never opened their link (``renewable``;
only a hash of a link is stored, so it cannot be shown again) makes a new link for that
client instead: their old links stop working, and the coach reads that above the new one.
So a lost or expired link, or one Telegram would not take, is never a dead end::

    /nieuw Tim
        ├─ the coach's own Tim, invited, link never opened ──▶ a new link (and QR) for that
        │                                                      Tim, "de oude werkt niet meer"
        ├─ the coach's own Tim, joining or active ──▶ "Je hebt al een cliënt die Tim heet"
        └─ no Tim in care (another coach's Tim is nobody here) ──▶ a new client Tim
"""

from __future__ import annotations

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
) -> Outcome:
    """Route a coach's message or command (``words``: the coach's, for a language named
    after a new client's name: ``/nieuw Sam English``; ``taken``: the names of the coach's
    clients in care, which a new one must differ from; ``renewable``: those of them who are
    invited and never opened their link, whose name makes a new link for them)."""
    assert person.id is not None
    if not person.coach_active:
        return Outcome(replies=(Reply("coach.inactive"),))
    match event:
        case Command(name=name, args=args) if name in NEW_CLIENT_COMMANDS:
            return _new_client(person, args, words, now, taken, renewable)
        case MenuPress(item=MenuItem.NEW_CLIENT):
            return _new_client(person, "", words, now, taken, renewable)
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
            return _client_name_given(person, text, words, now, taken, renewable)
        case OtherMessage():
            return Outcome(replies=(Reply("coach.unsupported"),))
    return Outcome(replies=(Reply("coach.not_understood", keyboard=Keyboard.COACH_MENU),))


def _help(person: Person) -> Outcome:
    assert person.id is not None
    clear = (AwaitInput(person.id, None),) if person.awaiting else ()
    return Outcome(effects=clear, replies=(Reply("coach.help", keyboard=Keyboard.COACH_MENU),))


def _new_client(
    person: Person,
    args: str,
    words: Words,
    now: datetime,
    taken: tuple[str, ...],
    renewable: tuple[ClientRef, ...],
) -> Outcome:
    if not args.strip():
        return Outcome(effects=(_asking(person, now),), replies=(Reply("coach.ask_client_name"),))
    return _client_name_given(person, args, words, now, taken, renewable)


def _client_name_given(
    person: Person,
    text: str,
    words: Words,
    now: datetime,
    taken: tuple[str, ...],
    renewable: tuple[ClientRef, ...],
) -> Outcome:
    """The new client's name, maybe with their language after it: they get every text in
    it from the welcome on (else in the coach's language; see ``dialogs.language``). The
    name of a client who never opened their link: a new link for them."""
    assert person.id is not None
    text, language = invite_language(text, words)
    name = names.clean(text)
    key = names.same_key(name)
    again = next((c for c in renewable if names.same_key(c.name) == key), None)
    if again is not None:
        return _new_link(person, again, language)
    problem = names.check_name(name, taken)
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


def _new_link(person: Person, client: ClientRef, language: str | None) -> Outcome:
    """A new link for the coach's client who never opened theirs (under the stored name,
    however it was typed); the old links stop working, and the coach reads that first."""
    assert person.id is not None
    return Outcome(
        effects=(
            AwaitInput(person.id, None),
            RenewClientInvite(coach_id=person.id, client_id=client.id, language=language),
        ),
        replies=_invite_replies(client.name, language, lead="coach.client_invite_renewed"),
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
