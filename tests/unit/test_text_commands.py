"""Every command a text names ("Send /new Sam") is one the bot understands, in every language:
a coach's text for a coach, any other text for a client. A coach who types what the bot told
them must never hear "I do not understand that"."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.texts import TextEntry, load_texts
from dialogs.coach_checkin import CoachCheckinContext
from dialogs.events import Command
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, SAM
from tests.unit.test_coach_settings import VIEW as SETTINGS

ALL = load_texts("nl")
NOW = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)
# "/new" in a sentence; not "and/or", "t.me/bot" or "https://...".
COMMAND = re.compile(r"(?<![\w/:.])/([a-zà-ÿ]+)", re.IGNORECASE)
# What the bot answers a command it does not know.
NOT_UNDERSTOOD = {"coach.not_understood", "client.already_joined", "client.not_understood"}
# What the shell gives the dialogs for a coach's command (bot/context.py loads each when the
# command asks for it).
COACH_CONTEXT = DialogContext(
    coach_checkin=CoachCheckinContext(),
    coach_settings=replace(SETTINGS, colleagues=()),
)


def _values(entry: TextEntry) -> list[str]:
    shown = [entry.value] if isinstance(entry.value, str) else entry.value
    return [value for value in shown if isinstance(value, str)]


def _named(language: str) -> list[tuple[str, str, bool]]:
    """(key, command, said to a client) for every command a text in ``language`` names."""
    return [
        (entry.key, name.lower(), entry.client_facing)
        for entry in ALL.entries[language].values()
        for value in _values(entry)
        for name in COMMAND.findall(value)
    ]


def _answer(language: str, name: str, to_client: bool) -> list[str]:
    """The text keys the bot answers when the person a text is for types ``/name``."""
    if name == "start":  # bot/handlers.py makes "/start" a Start, never a Command
        return ["start"]
    person = replace(SAM if to_client else ANNA, language=language)
    context = DialogContext() if to_client else COACH_CONTEXT
    outcome = route(person, Command(name), NOW, context)
    return [reply.key for reply in outcome.replies] + ([outcome.notice] if outcome.notice else [])


@pytest.mark.parametrize("language", ALL.languages)
def test_every_command_a_text_names_is_understood(language: str) -> None:
    named = _named(language)
    assert named, "the texts name commands: the pattern must find them"
    not_understood = [
        (key, f"/{name}")
        for key, name, to_client in named
        if NOT_UNDERSTOOD & set(_answer(language, name, to_client))
    ]
    assert not_understood == []


def test_a_command_the_bot_does_not_know_is_caught() -> None:
    assert COMMAND.findall("Send /nieuwe Sam, or /new Sam. Not and/or, nor https://t.me/x") == [
        "nieuwe",
        "new",
    ]
    assert "coach.not_understood" in _answer("en", "nieuwe", to_client=False)
    assert "client.already_joined" in _answer("en", "new", to_client=True), "a coach's command"
    assert not NOT_UNDERSTOOD & set(_answer("en", "new", to_client=False))


# Commands with one name in both languages; every other name a Dutch text uses is Dutch.
SAME_IN_BOTH = {"client", "checkin"}


def test_english_texts_name_the_english_commands() -> None:
    """Both names work for everyone; an English text shows the English one (/new, not
    /nieuw)."""
    dutch = {name for _, name, _ in _named("nl")}
    dutch_in_english = [
        (key, f"/{name}")
        for key, name, _ in _named("en")
        if name in dutch and name not in SAME_IN_BOTH
    ]
    assert dutch_in_english == []
