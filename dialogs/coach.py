"""What a coach can do in this slice: invite a client (by command or menu), get help.

A new client's name follows ``dialogs.names`` (letters of one script, not a name this coach
already has for a client in care). "➕ Nieuwe cliënt" asks for the name and waits
``NAME_QUESTION_LIFETIME``: a text long after it ("Sam ik bel je morgen", three days later) is
not taken for a name; the coach is told the question expired. A forwarded text is someone
else's words, never the name: the coach is asked to type it, and the question stays open.

The name of the coach's own client who is invited (``renewable``; only a hash of a link is
stored, so it cannot be shown again) makes a new link for that client instead: their old links
stop working, and the coach reads that above the new one. So a lost or expired link, or one
Telegram would not take, is never a dead end. Nor is a client who opened the link and got
stuck while joining (``joining``: on a lost phone, or someone else opened it). Their name asks
first: the coach reads at which step that client is since when, and may mean another client of
the same first name ("Tim B"), or the client may be joining right now. Only "Stop aanmelding,
nieuwe link" stops that joining: the account that opened the link is let go and reads that it
stopped (nothing else), and the coach gets a new link. Nothing of a joining client is kept yet
but their consent and choices, which are forgotten (the new joining asks again); the shell
checks that under the client's lock::

    /nieuw Tim
        ├─ the coach's own Tim, invited ──▶ a new link (and QR) for that Tim,
        │                                   "de oude werkt niet meer"
        ├─ the coach's own Tim, joining ──▶ "Tim opende de link op 2 november ..." and
        │     ├─ "Stop aanmelding, nieuwe link" ──▶ the joining stops (the old chat is told),
        │     │                                     and a new link for that Tim
        │     └─ "Nee, laat maar" ──▶ nothing changes
        ├─ the coach's own Tim, active ──▶ "Je hebt al een cliënt die Tim heet"
        └─ no Tim in care (another coach's Tim is nobody here) ──▶ a new client Tim

The buttons' data ("sj:<client id>:y[:<language>]", "sj:<client id>:n") is untrusted: the
shell loads the client it names only when the coach's own (``bot.client_card``), and a tap
for a client who is no longer joining (done meanwhile, stopped already) or not the coach's
changes nothing and says so. A Tim who changed between this decision and its store (another
instance of the bot: the link opened just then) keeps what they have; the coach is told that
instead (``bot.effects``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dialogs import names
from dialogs.buttons import ID, row_id
from dialogs.card_view import CardContext, NotActive, NotActiveClient
from dialogs.clients import ClientRef
from dialogs.events import Command, Event, MenuItem, MenuPress, OtherMessage, Start, Text
from dialogs.language import invite_language
from dialogs.outcome import (
    AwaitInput,
    Button,
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
    "STOP_JOINING_PREFIX",
    "awaits_name",
    "coach_acts",
    "stop_joining_client_id",
    "stop_joining_tap",
]

AWAITING_CLIENT_NAME = "client_name"
NAME_QUESTION_LIFETIME = timedelta(minutes=30)
NEW_CLIENT_COMMANDS = frozenset({"nieuw", "new"})
_ASKED_AT = "%Y%m%dT%H%M"
STOP_JOINING_PREFIX = "sj:"
_STOP_JOINING = re.compile(rf"sj:({ID}):(y|n)(?::([a-z]{{2,3}}))?")


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
    joining: tuple[NotActiveClient, ...] = (),
) -> Outcome:
    """Route a coach's message or command (``words``: the coach's, for a language named
    after a new client's name: ``/nieuw Sam English``; ``taken``: the names of the coach's
    clients in care, which a new one must differ from; ``renewable``: those of them who are
    invited, whose name makes a new link for them; ``joining``: those who opened a link and
    are still joining, whose name asks whether to stop that joining with a new link)."""
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
            if event.forwarded_from is not None:
                # Someone else's words (a forwarded "Sam"): never the name; asked again.
                return Outcome(
                    effects=(_asking(person, now),), replies=(Reply("coach.name_forwarded"),)
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
    (``renewable``) and those still joining (``joining``: at which step since when)."""

    taken: tuple[str, ...]
    renewable: tuple[ClientRef, ...]
    joining: tuple[NotActiveClient, ...]


def _new_client(person: Person, args: str, words: Words, now: datetime, known: _Known) -> Outcome:
    if not args.strip():
        return Outcome(effects=(_asking(person, now),), replies=(Reply("coach.ask_client_name"),))
    return _client_name_given(person, args, words, now, known)


def _client_name_given(
    person: Person, text: str, words: Words, now: datetime, known: _Known
) -> Outcome:
    """The new client's name, maybe with their language after it: they get every text in
    it from the welcome on (else in the coach's language; see ``dialogs.language``). The
    name of a client who is invited: a new link for them; still joining: the question
    whether to stop that joining with a new link."""
    assert person.id is not None
    text, language = invite_language(text, words)
    name = names.clean(text)
    key = names.same_key(name)
    again = next((c for c in known.renewable if names.same_key(c.name) == key), None)
    if again is not None:
        return _new_link(person, again, language)
    stuck = next((c for c in known.joining if names.same_key(c.client.name) == key), None)
    if stuck is not None:
        return _ask_stop_joining(person, stuck, language)
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


def _ask_stop_joining(person: Person, stuck: NotActiveClient, language: str | None) -> Outcome:
    """At which step the coach's client is, since when, and whether to stop that joining with
    a new link: the coach may mean another client of the same first name, or the client may
    be joining right now. The language named with the name goes with the "yes"."""
    assert person.id is not None
    params: dict[str, object] = {"client": stuck.client.name}
    if stuck.since is None:
        step = "coach.stop_joining.joining"  # joined before the moment was kept
    else:
        params["since"] = stuck.since
        step = "coach.stop_joining.consented" if stuck.consented else "coach.stop_joining.opened"
    data = f"{STOP_JOINING_PREFIX}{stuck.client.id}"
    buttons = (
        (Button("coach.stop_joining.yes_button", f"{data}:y{f':{language}' if language else ''}"),),
        (Button("coach.stop_joining.no_button", f"{data}:n"),),
    )
    return Outcome(
        effects=(AwaitInput(person.id, None),),
        replies=(Reply("coach.stop_joining.ask", params, buttons=buttons, lead=step),),
    )


def _parse_stop_joining(data: str, words: Words) -> tuple[int | None, bool, str | None] | None:
    """ "sj:12:y", "sj:12:y:en" or "sj:12:n": the client, stop or not, the language named.
    Untrusted: anything else (a language the words do not know) is None; an id no client can
    have is a None client, as unknown as an id no client has."""
    found = _STOP_JOINING.fullmatch(data)
    if found is None:
        return None
    if found[3] is not None and (found[2] == "n" or found[3] not in words.languages.values()):
        return None
    return row_id(found[1]), found[2] == "y", found[3]


def stop_joining_client_id(data: str) -> int | None:
    """The client a stop-joining button names (for the shell to load), if it names one."""
    found = _STOP_JOINING.fullmatch(data)
    return row_id(found[1]) if found is not None else None


def stop_joining_tap(person: Person, data: str, words: Words, ctx: CardContext | None) -> Outcome:
    """ "Stop aanmelding, nieuwe link" or "Nee, laat maar" under the question. ``ctx``: the
    client the data names, loaded only when the coach's own: still joining (``not_active``),
    active (``clients``), or otherwise not active. Only a "yes" for a client still joining
    stops anything (checked again under the client's lock when stored)."""
    parsed = _parse_stop_joining(data, words)
    if parsed is None or person.id is None:
        return Outcome(notice="common.button_unknown")
    client_id, stop, language = parsed
    if not stop:
        return Outcome(
            replies=(Reply("coach.stop_joining.kept", keyboard=Keyboard.COACH_MENU),),
            chosen="coach.stop_joining.no_button",
        )
    ctx = ctx or CardContext()
    other = next((c for c in ctx.not_active if c.client.id == client_id), None)
    if other is not None and other.status is NotActive.JOINING:
        done = Outcome(chosen="coach.stop_joining.yes_button")
        return _new_link(person, other.client, language, joining=True) + done
    active = next((c for c in ctx.clients if c.id == client_id), None)
    if active is not None:
        return Outcome(replies=(Reply("coach.stop_joining.joined", {"client": active.name}),))
    if other is not None:
        who = {"client": other.client.name}
        return Outcome(replies=(Reply("coach.stop_joining.not_joining", who),))
    return Outcome(notice="coach.stop_joining.unknown")  # not the coach's, or gone


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
