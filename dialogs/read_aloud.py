"""Switching read-aloud on and off by typing it, in any state: "voorlezen", "lees voor",
"niet voorlezen", "niet meer voorlezen" (the words are in ``words.yaml``).

A client who cannot read may never find the button again, and one who chose voice may want
quiet: the whole message switches it, heard after the help words and before any answer. While
the read-aloud question itself is open, the words answer it (and joining goes on); otherwise
the choice is stored at once (``SetReadAloud``), said, and the open question is asked again by
the caller, so it is heard (or no longer heard) straight away.
"""

from __future__ import annotations

from datetime import datetime

from dialogs import onboarding
from dialogs.outcome import Outcome, Reply, SetReadAloud
from dialogs.people import ClientStep, Person, Role
from dialogs.words import Words, normalise

__all__ = ["switch", "wanted"]


def wanted(text: str, words: Words) -> bool | None:
    """True for a typed "voorlezen", False for "niet voorlezen", None for anything else.
    The router passes only the client's own words (``router._own_text``): someone else's
    (a forwarded message) never switch it."""
    said = normalise(text)
    if said in words.read_aloud_off:
        return False
    if said in words.read_aloud_on:
        return True
    return None


def switch(person: Person, on: bool, now: datetime) -> Outcome | None:
    """The client asked for read-aloud on (``on``) or off. None for someone it does not
    concern (a coach, a client who stopped): their words go their usual way."""
    if person.role is not Role.CLIENT or person.id is None:
        return None
    step = person.client_step
    if step is ClientStep.VOICE_PENDING:
        return onboarding.answer_read_aloud(person, on, now)
    if step not in (ClientStep.CONSENT_PENDING, ClientStep.ACTIVE):
        return None
    key = "read_aloud.switched_on" if on else "read_aloud.switched_off"
    return Outcome(replies=(Reply(key),), effects=(SetReadAloud(person.id, on),))
