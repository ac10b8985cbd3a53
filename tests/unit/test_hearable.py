"""Read-aloud switched by typing, in every state (dialogs/read_aloud.py through the router),
and what a voice note says for a text with buttons (bot/hearing.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.hearing import choice_labels, spoken_with_choices
from bot.render import InlineKeyboard
from bot.texts import load_texts
from bot.words import load_words
from dialogs.events import Text
from dialogs.outcome import ChooseReadAloud, Outcome, SetReadAloud
from dialogs.people import ClientStep, Person
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, SAM

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = load_texts("nl")
WORDS = load_words("nl")


def said(person: Person, typed: str, language: str = "nl") -> Outcome:
    return route(person, Text(typed), NOW, DialogContext(words=WORDS[language]))


def keys(outcome: Outcome) -> list[str]:
    for reply in outcome.replies:
        assert TEXTS.has(reply.key), reply.key
    return [reply.key for reply in outcome.replies]


@pytest.mark.parametrize(
    "typed, on",
    [
        ("voorlezen", True),
        ("Lees voor!", True),
        ("niet voorlezen", False),
        ("Niet meer voorlezen.", False),
        ("read aloud", True),  # the other language's words work too
        ("stop reading", False),
    ],
)
def test_typing_it_switches_read_aloud_at_the_menu(typed: str, on: bool) -> None:
    outcome = said(SAM, typed)
    assert outcome.effects == (SetReadAloud(7, on),)
    assert keys(outcome) == ["read_aloud.switched_on" if on else "read_aloud.switched_off"]


def test_during_consent_it_switches_and_the_consent_is_asked_again() -> None:
    pending = SAM.__class__(**{**SAM.__dict__, "client_step": ClientStep.CONSENT_PENDING})
    outcome = said(pending, "voorlezen")
    assert outcome.effects == (SetReadAloud(7, True),)
    assert keys(outcome)[0] == "read_aloud.switched_on"
    assert keys(outcome)[-1] == "onboarding.consent_question"


def test_while_the_read_aloud_question_is_open_it_answers_it() -> None:
    pending = SAM.__class__(**{**SAM.__dict__, "client_step": ClientStep.VOICE_PENDING})
    outcome = said(pending, "niet voorlezen")
    assert ChooseReadAloud(7, False) in outcome.effects
    assert not any(isinstance(e, SetReadAloud) for e in outcome.effects)


def test_help_words_go_first_and_coaches_are_not_switched() -> None:
    assert not any(isinstance(e, SetReadAloud) for e in said(SAM, "hulp").effects)
    assert not any(isinstance(e, SetReadAloud) for e in said(ANNA, "voorlezen").effects)
    ended = SAM.__class__(**{**SAM.__dict__, "client_step": ClientStep.ENDED})
    assert keys(said(ended, "voorlezen")) == ["ended.hello"]


def test_a_longer_sentence_with_the_word_is_no_switch() -> None:
    outcome = said(SAM, "kun je dit voorlezen aan mijn moeder")
    assert not any(isinstance(e, SetReadAloud) for e in outcome.effects)


def _markup(*rows: list[tuple[str, str]]) -> InlineKeyboard:
    return InlineKeyboard(tuple(tuple(row) for row in rows))


def test_the_choices_are_said_after_the_text_numbers_as_a_range() -> None:
    grade = _markup(
        [(str(n), f"ci:1:0:{n}") for n in range(1, 6)],
        [(str(n), f"ci:1:0:{n}") for n in range(6, 11)],
        [("Weet ik niet", "ci:1:0:dont_know"), ("Overslaan", "ci:1:0:skip")],
        [("🔊 Voorlezen", "ra")],
    )
    labels = choice_labels(grade)
    assert choice_labels(grade.as_telegram()) == labels  # a pressed message, as Telegram sends it
    assert "🔊 Voorlezen" not in labels
    spoken = spoken_with_choices(TEXTS, "nl", "Hoe gaat het?", labels)
    assert spoken == "Hoe gaat het?\nJe kunt kiezen: 1 tot en met 10, Weet ik niet of Overslaan."
    english = spoken_with_choices(TEXTS, "en", "How?", ["1", "2", "3", "Skip"])
    assert english == "How?\nYou can choose: 1 to 3 or Skip."


def test_two_numbers_stay_two_and_no_buttons_say_nothing_more() -> None:
    assert spoken_with_choices(TEXTS, "nl", "Welk?", ["7", "8"]) == (
        "Welk?\nJe kunt kiezen: 7 of 8."
    )
    assert spoken_with_choices(TEXTS, "nl", "Hoi", ["Ja"]) == "Hoi\nJe kunt kiezen: Ja."
    assert spoken_with_choices(TEXTS, "nl", "Hoi", []) == "Hoi"
    assert choice_labels(None) == ()
