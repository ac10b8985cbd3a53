"""The language the bot speaks with a client: their own, and theirs to change.

* It comes with the invite: the coach may name it (``/nieuw Sam English``), otherwise it is
  the coach's. The client's Telegram app language is never used for a client: the invite
  decides from the welcome on, so the language cannot switch halfway through joining.
* The client changes it at any time (joining included) by typing a language's name as the
  whole message ("English", "Nederlands", "in het Engels"; ``words.languages``), or with
  ``/taal`` (``/language``) and a button per language (data ``lg:<code>``, untrusted: only a
  code the words know counts).
* The answer comes in the new language, with the menu in it (the shell renders the replies of
  an outcome that sets the language in that language, ``SetClientLanguage``).
"""

from __future__ import annotations

from dialogs.events import Event, Text
from dialogs.outcome import Button, Keyboard, Outcome, Reply, SetClientLanguage, TextRef
from dialogs.people import ClientStep, Person, Role
from dialogs.words import Words, normalise

__all__ = ["COMMANDS", "PREFIX", "choose", "invite_language", "offer", "tap", "wanted"]

COMMANDS = frozenset({"taal", "language"})
PREFIX = "lg:"
_SPEAKING = (ClientStep.ACTIVE, ClientStep.CONSENT_PENDING, ClientStep.VOICE_PENDING)


def _known(words: Words) -> list[str]:
    return sorted(set(words.languages.values()))


def wanted(event: Event, words: Words) -> str | None:
    """The language a typed message asks for (a language's name as the whole message)."""
    if not isinstance(event, Text):
        return None
    return words.languages.get(normalise(event.text))


def invite_language(name: str, words: Words) -> tuple[str, str | None]:
    """``/nieuw Sam English``: the name, and the language its last word names (if any, and
    only after a name: "/nieuw English" invites someone called English)."""
    parts = name.split()
    if len(parts) > 1 and (code := words.languages.get(normalise(parts[-1]))) is not None:
        return " ".join(parts[:-1]), code
    return name, None


def offer(person: Person, words: Words) -> Outcome:
    """``/taal``: a button for each language, each named in its own language."""
    buttons = tuple((Button(f"language.name.{code}", f"{PREFIX}{code}"),) for code in _known(words))
    current = TextRef(f"language.called.{person.language}")
    return Outcome(replies=(Reply("language.ask", {"language": current}, buttons=buttons),))


def tap(person: Person, data: str, words: Words) -> Outcome:
    """A language button; anything but a known language changes nothing."""
    code = data.removeprefix(PREFIX)
    if not data.startswith(PREFIX) or code not in _known(words) or person.role is not Role.CLIENT:
        return Outcome(notice="common.button_unknown")
    if person.client_step not in _SPEAKING:
        return Outcome(notice="common.question_closed")
    return choose(person, code) + Outcome(chosen=f"language.name.{code}")


def choose(person: Person, code: str) -> Outcome:
    """Speak ``code`` with this client from now on (the answer is said in it)."""
    assert person.role is Role.CLIENT and person.id is not None
    menu = Keyboard.CLIENT_MENU if person.client_step is ClientStep.ACTIVE else None
    if code == person.language:
        return Outcome(replies=(Reply("language.already", keyboard=menu),))
    return Outcome(
        replies=(Reply("language.switched", keyboard=menu),),
        effects=(SetClientLanguage(person.id, code),),
    )
