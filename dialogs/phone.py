"""A client's phone number: so whoever is asked during an alert can call them.

Client::

    read-aloud chosen ──▶ offer: [📱 Deel mijn nummer] (Telegram sends their own contact)
                                 [Liever niet]
        ├── own contact ──▶ stored ──▶ the menu (their coach hears the number)
        ├── someone else's contact ──▶ "only your own number" (the offer stays)
        └── "Liever niet" (or a typed no) ──▶ nothing stored ──▶ the menu

A contact is the client's own only when Telegram says it is (``contact_user_id`` is the
sender): a number typed or forwarded by the client is never taken as theirs. A client may send
their own contact later too (the attachment menu); it replaces the stored number.

Coach: ``/telefoon Sam 06 12345678`` stores or changes the number of one of their own clients
(the shell passes only those), ``/telefoon Sam weg`` removes it, ``/telefoon Sam`` shows it.

Numbers are checked and stored as E.164 ("+31612345678") and shown in the international
format ("+31 6 12345678"), which Telegram makes tap-to-call in a message's text. The checking is
``phonenumbers`` (the maintained port of Google's libphonenumber, already a dependency): any
common way of writing a number is read ("06-12345678", "06 123 456 78", "(06) 12345678",
"+31 (0)6 12345678", "0031 6 ...", "0470/12.34.56"), and a number that is written well but
does not exist ("06-98765432": no 06-9 numbers are given out) gets its own answer, so the
coach knows it is the digits and not the way they were written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import phonenumbers

from dialogs.clients import ClientRef, find_client
from dialogs.events import OtherMessage, Text
from dialogs.outcome import Keyboard, Outcome, Recipient, Reply, SetClientPhone, TextRef
from dialogs.people import Person, Role
from dialogs.understand import parse_yes_no
from dialogs.words import Words, normalise

__all__ = [
    "PHONE_COMMANDS",
    "After",
    "coach_command",
    "contact_shared",
    "normalise_number",
    "offer",
    "offer_answered",
    "shown",
    "written_well",
]

PHONE_COMMANDS = frozenset({"telefoon", "phone"})
_REGION = "NL"  # a number without a country code is Dutch ("06 12345678")
_MAX_TYPED = 32  # longer is no phone number
_DIGITS_ONLY = re.compile(r"[1-9][0-9]{7,14}")  # Telegram sends its own contact as "31612345678"
# Digits, a leading "+", and what people write between them: spaces, hyphens (also the dashes
# a phone's keyboard makes of them), dots, slashes, parentheses. Anything else is no number.
_WRITTEN = re.compile(r"[+0-9 ().\-/\u2010\u2011\u2013\u2014]+")


def _parsed(raw: str, *, shared: bool = False) -> phonenumbers.PhoneNumber | None:
    """What was typed, read as a phone number, whether or not it exists. ``shared``: a
    contact Telegram sent, whose bare digits start with the country code; a coach's bare
    digits ("612345678", a 0 forgotten) are read as Dutch, never as another country's."""
    typed = " ".join(raw.split())  # a non-breaking space (a pasted number) is a space too
    if not typed or len(typed) > _MAX_TYPED or not _WRITTEN.fullmatch(typed):
        return None
    if shared and _DIGITS_ONLY.fullmatch(typed):
        typed = f"+{typed}"
    try:
        number = phonenumbers.parse(typed, _REGION)
    except phonenumbers.NumberParseException:
        return None
    return number


def normalise_number(raw: str, *, shared: bool = False) -> str | None:
    """A valid phone number as E.164 ("+31612345678"), or None.

    Dutch numbers may be typed without a country code ("06-12345678", "020 123 4567");
    "0031 6 ..." and "+32 ..." work too. Telegram sends a shared contact's number with or
    without its "+" (``shared``)."""
    number = _parsed(raw, shared=shared)
    if number is None or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def written_well(raw: str) -> bool:
    """Written as a phone number, with as many digits as a person's number has there, even
    when no such number is in use ("06-98765432"): the coach should look at the digits, not
    at how they wrote them. "12345" or a digit too many is not written well."""
    number = _parsed(raw)
    return number is not None and phonenumbers.is_possible_number_for_type(
        number, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    )


def shown(e164: str) -> str:
    """A stored number as people read it, international: "+31 6 12345678"."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# -- the client ---------------------------------------------------------------------------------


def offer(person: Person) -> tuple[Reply, Reply]:
    """A short lead with the share button and "Liever niet" as the keyboard, then the
    question explained. As with the menu: a Telegram message carries either a reply keyboard
    or inline buttons, and the explanation is the one that must keep its "🔊 Voorlezen"."""
    return (
        Reply("phone.offer_lead", keyboard=Keyboard.SHARE_PHONE),
        Reply(
            "phone.offer",
            {
                "coach": person.coach_name,
                "share_button": TextRef("phone.share_button"),
                "no_button": TextRef("phone.no_button"),
            },
        ),
    )


@dataclass(frozen=True)
class After:
    """What follows an answer to the offer: ``menu`` (the menu explained, right after joining)
    while the offer shows, else only ``keyboard`` (the client's menu) back under the answer."""

    menu: Outcome
    keyboard: Keyboard


def _then(person: Person, lead: Reply, after: After) -> Outcome:
    if person.phone_offer_open:
        return Outcome(replies=(lead,)) + after.menu
    return Outcome(replies=(replace(lead, keyboard=after.keyboard),))


def contact_shared(person: Person, event: OtherMessage, after: After) -> Outcome | None:
    """A client sent a contact: their own is stored; someone else's never is. None: someone
    else's contact while no offer shows (a card for the coach: the router says it cannot be
    sent on, as before)."""
    assert person.role is Role.CLIENT and person.id is not None
    names = {"coach": person.coach_name}
    if event.contact_user_id != person.telegram_user_id:
        if not person.phone_offer_open:
            return None
        return Outcome(replies=(Reply("phone.not_own", names), *offer(person)))
    number = normalise_number(event.contact_phone or "", shared=True)
    if number is None:
        return _then(person, Reply("phone.unreadable", names), after)
    saved = _then(person, Reply("phone.saved", names), after)
    told = Reply(
        "coach_phone.client_shared",
        {"client": person.name, "phone": shown(number)},
        to=Recipient.COACH,
    )
    return Outcome(effects=(SetClientPhone(person.id, number),)) + saved + Outcome(replies=(told,))


def offer_answered(person: Person, own: Text | None, words: Words, after: After) -> Outcome | None:
    """What the client typed (or tapped: "Liever niet") while the offer shows; None when it
    is no answer to it (the router goes on as before, and the menu comes back with that).
    ``own``: a text of the client's own, never a forward (a friend's "Nee" answers nothing:
    it goes to the coach as any forward does)."""
    if not person.phone_offer_open or own is None:
        return None
    answer = parse_yes_no(own.text, words)
    if answer is None:
        return None
    if answer:
        # "ja": the number comes only from the button (Telegram asks them once more).
        return Outcome(replies=offer(person))
    return _then(person, Reply("phone.skipped", {"coach": person.coach_name}), after)


# -- the coach ----------------------------------------------------------------------------------


def coach_command(
    person: Person, args: str, clients: tuple[ClientRef, ...], phones: dict[int, str], words: Words
) -> Outcome:
    """``/telefoon Sam 0612345678`` (store or change), ``/telefoon Sam weg`` (remove),
    ``/telefoon Sam`` (show). ``clients``: the coach's own active clients; ``phones``: the
    numbers stored for them, by client id."""
    assert person.role is Role.COACH and person.id is not None
    if not clients:
        return Outcome(replies=(Reply("coach_phone.no_clients"),))
    names = ", ".join(sorted(c.name for c in clients))
    if not args.strip():
        return Outcome(replies=(Reply("coach_phone.usage", {"clients": names}),))
    match = find_client(args, clients)
    if match.client is None:
        shown_name = " ".join(args.split())[:40]
        ambiguous = len(match.candidates) > 1 and all(
            _named(args, c.name) for c in match.candidates
        )
        key = "coach_phone.ambiguous" if ambiguous else "coach_phone.not_found"
        candidates = ", ".join(sorted(c.name for c in match.candidates))
        return Outcome(replies=(Reply(key, {"name": shown_name, "clients": candidates}),))
    client, rest = match.client, match.rest.strip()
    stored = phones.get(client.id)
    if not rest:
        if stored is None:
            return Outcome(replies=(Reply("coach_phone.none", {"client": client.name}),))
        current = {"client": client.name, "phone": shown(stored)}
        return Outcome(replies=(Reply("coach_phone.current", current),))
    if normalise(rest) in words.phone_remove:
        if stored is None:
            return Outcome(replies=(Reply("coach_phone.none", {"client": client.name}),))
        return Outcome(
            effects=(SetClientPhone(client.id, None, by_coach_id=person.id),),
            replies=(Reply("coach_phone.removed", {"client": client.name}),),
        )
    number = normalise_number(rest)
    if number is None:
        key = "coach_phone.not_in_use" if written_well(rest) else "coach_phone.invalid"
        return Outcome(replies=(Reply(key, {"typed": rest[:_MAX_TYPED]}),))
    if number == stored:  # the same number again: nothing changes, nothing is stored
        current = {"client": client.name, "phone": shown(stored)}
        return Outcome(replies=(Reply("coach_phone.current", current),))
    key = "coach_phone.changed" if stored is not None else "coach_phone.saved"
    return Outcome(
        effects=(SetClientPhone(client.id, number, by_coach_id=person.id),),
        replies=(Reply(key, {"client": client.name, "phone": shown(number)}),),
    )


def _named(args: str, name: str) -> bool:
    """``args`` start with the whole ``name`` (case and accents ignored)."""
    typed, wanted = (
        normalise(args, keep_punctuation=True).split(),
        normalise(name, keep_punctuation=True).split(),
    )
    return bool(wanted) and typed[: len(wanted)] == wanted
