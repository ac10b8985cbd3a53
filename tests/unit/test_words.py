"""Typed-answer words: one file per language in content, one normaliser, the person's words."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.checkins import load_question_books
from bot.texts import load_texts
from bot.words import load_words, read_words
from content import CONTENT_DIR
from dialogs.checkin import CheckinContext, CheckinState, handle_text, saved_state, start_checkin
from dialogs.checkin_questions import QuestionKind, QuestionSetError, parse_question_book
from dialogs.clients import ClientRef
from dialogs.coach_checkin import CoachCheckinContext, CoachClient, coach_checkin_acts
from dialogs.events import Command, Text
from dialogs.numbers import parse_grade
from dialogs.outcome import GiveConsent, SetSchedule
from dialogs.people import ClientStep, Person
from dialogs.router import DialogContext, route
from dialogs.schedule import Rhythm
from dialogs.understand import parse_yes_no
from dialogs.words import Words, WordsError, normalise, parse_words
from tests.unit.people import ANNA, SAM

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LANGUAGES = load_texts("nl").languages
WORDS = load_words("nl")
OWN = read_words()


def consenting(language: str) -> Person:
    """Sam, asked for consent, speaking ``language``."""
    return replace(SAM, client_step=ClientStep.CONSENT_PENDING, language=language)


def _raw(language: str) -> dict[str, Any]:
    data = yaml.safe_load((CONTENT_DIR / language / "words.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _paths(node: object, prefix: str = "") -> set[str]:
    """The keys of a parsed file as dotted paths, down to the lists."""
    if not isinstance(node, dict):
        return {prefix}
    return {p for key, child in node.items() for p in _paths(child, f"{prefix}.{key}")}


def _lists(node: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(node, dict):
        return [item for key, child in node.items() for item in _lists(child, f"{prefix}.{key}")]
    return [(prefix, node)]


# -- the files ----------------------------------------------------------------------------------


def test_every_language_has_a_words_file() -> None:
    assert sorted(OWN) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_the_same_keys(language: str) -> None:
    assert _paths(_raw(language)) == _paths(_raw("nl"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_list_holds_words(language: str) -> None:
    for where, words in _lists(_raw(language)):
        assert isinstance(words, list) and words, f"{language}{where} is empty"
        assert all(isinstance(w, str) and normalise(w) for w in words), f"{language}{where}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_option_of_a_choice_question_has_typed_words(language: str) -> None:
    book = load_question_books()[language]
    options = {
        option.id
        for question_set in book.sets.values()
        for question in question_set.questions
        if question.kind is QuestionKind.CHOICE
        for option in question.options
    }
    assert set(_raw(language)["words"]["choices"]) == options
    assert set(OWN[language].choices.values()) == options


# -- one normaliser -----------------------------------------------------------------------------


def test_typed_text_is_normalised_one_way() -> None:
    assert normalise("  Oké!  ") == "oke"
    assert normalise("ÉÉN") == "een"
    assert normalise("Don’t   know?") == "don't know"
    assert normalise("liever  niet.") == "liever niet"
    assert normalise(" Zoë  de Vries, ", keep_punctuation=True) == "zoe de vries,"


def _strips_accents(node: ast.AST) -> str | None:
    """The name of a unicodedata function that takes a text apart into its accents."""
    wanted = {"normalize", "combining", "decomposition"}
    if isinstance(node, ast.ImportFrom) and node.module == "unicodedata":
        found = [alias.name for alias in node.names if alias.name in wanted]
        return found[0] if found else None
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "unicodedata"
        and node.attr in wanted
    ):
        return node.attr
    return None


def test_the_normaliser_is_the_only_one() -> None:
    """Accents are stripped in ``dialogs.words.normalise`` alone: every typed word, name and
    menu label goes through it, so they all compare alike."""
    found = []
    for folder in ("dialogs", "bot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "dialogs" / "words.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = _strips_accents(node)
                if name:
                    found.append(
                        f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}: unicodedata.{name}"
                    )
    assert found == []


def test_the_check_finds_a_second_normaliser() -> None:
    copied = "import unicodedata\ndef fold(t):\n    return unicodedata.normalize('NFKD', t)\n"
    assert any(_strips_accents(node) for node in ast.walk(ast.parse(copied)))
    assert _strips_accents(ast.parse("from unicodedata import combining").body[0])


# -- a person's words ---------------------------------------------------------------------------


def test_a_language_file_alone_knows_only_its_own_words() -> None:
    english = OWN["en"]
    assert parse_grade("eight", english) == 8 and parse_grade("acht", english) is None
    assert parse_yes_no("yes", english) is True and parse_yes_no("ja", english) is None
    dutch = OWN["nl"]
    assert parse_grade("acht", dutch) == 8 and parse_grade("eight", dutch) is None


def test_a_person_is_understood_in_every_language_their_own_first() -> None:
    for language in LANGUAGES:
        words = WORDS[language]
        assert parse_grade("acht", words) == parse_grade("eight", words) == 8
        assert parse_yes_no("ja", words) is parse_yes_no("yes", words) is True
        assert parse_yes_no("oké", words) is True and parse_yes_no("nee!", words) is False


def test_where_languages_disagree_the_persons_own_language_decides() -> None:
    polish = Words(yes=frozenset({"tak"}), no=frozenset({"nie"}), weekdays={"pon": 0})
    other = Words(no=frozenset({"tak", "nee"}), weekdays={"pon": 3, "ma": 0})
    merged = polish.then(other)
    assert parse_yes_no("tak", merged) is True  # not also a no
    assert parse_yes_no("nee", merged) is False  # the other language's words still count
    assert merged.weekdays == {"pon": 0, "ma": 0}


# -- an English client and coach ----------------------------------------------------------------


def _english_checkin() -> tuple[CheckinContext, CheckinState]:
    questions = load_question_books()["en"].current
    ctx = CheckinContext(client_id=7, coach="Anna", questions=questions, words=WORDS["en"])
    state = saved_state(start_checkin(41, NOW, ctx))
    assert state is not None
    return ctx, state


def test_an_english_client_answers_a_check_in_in_words() -> None:
    ctx, state = _english_checkin()
    for typed in ("Eight!", "yes", "Job", "no thanks"):
        state = saved_state(handle_text(state, typed, NOW, ctx)) or state
    assert state.answers == {"grade": "8", "help": "yes", "help_area": "work", "call": "no"}


@pytest.mark.parametrize("typed", ["okay", "fine", "maybe"])
def test_an_english_yes_no_question_wants_a_clear_yes_or_no(typed: str) -> None:
    ctx, opened = _english_checkin()
    state = saved_state(handle_text(opened, "eight", NOW, ctx))
    assert state is not None
    outcome = handle_text(state, typed, NOW, ctx)
    assert outcome.replies[0].lead == "checkin.retry_yes_no"


def test_an_english_client_consents_by_typing_yes() -> None:
    outcome = route(consenting("en"), Text("Yes!"), NOW, DialogContext(words=WORDS["en"]))
    assert isinstance(outcome.effects[0], GiveConsent)


def test_without_words_nothing_typed_is_understood() -> None:
    outcome = route(consenting("nl"), Text("ja"), NOW, DialogContext())
    assert outcome.effects == ()


def test_an_english_coach_types_a_rhythm() -> None:
    sam = CoachClient(ClientRef(7, "Sam"))
    ctx = CoachCheckinContext(clients=(sam,), words=WORDS["en"])
    outcome = coach_checkin_acts(
        ANNA, Command("rhythm", "Sam every 2 weeks on Tuesday at 9:30"), NOW, ctx
    )
    assert outcome is not None
    saved = outcome.effects[0]
    assert isinstance(saved, SetSchedule)
    assert (saved.rhythm, saved.weekday, saved.at) == (Rhythm.EVERY_2_WEEKS.value, 1, time(9, 30))


# -- a broken file says why ---------------------------------------------------------------------


def _broken(change: dict[str, Any]) -> dict[str, Any]:
    data = _raw("nl")
    data["words"] = {**data["words"], **change}
    return data


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"yes": None}, "words.yes: expected a non-empty list"),
        ({"skip": []}, "words.skip: expected a non-empty list"),
        ({"agree": [True]}, "put yes, no, on and off in quotes"),  # an unquoted yes
        ({"no": ["nee", "ja"]}, "'ja' is also in yes"),
        ({"weekdays": {"mon": ["ma"]}}, "words.weekdays: missing tue"),
        ({"rhythms": {"weekly": ["week"], "daily": ["dag"]}}, "missing every_2_weeks"),
        ({"numbers": {"een": ["1"]}}, "missing 1"),
        ({"numbers": {**{str(n): [f"n{n}"] for n in range(1, 11)}, "x": ["y"]}}, "are numbers"),
        ({True: ["ja"]}, 'write the keys "yes" and "no" in quotes'),
        ({"choices": {"work": ["werk"], "school": ["werk"]}}, "means something else too"),
        ({"choices": {"Work!": ["werk"]}}, "must be an option id"),
    ],
)
def test_a_broken_words_file_is_refused_with_a_reason(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(WordsError, match=problem):
        parse_words(_broken(change))


def test_typed_words_in_questions_yaml_point_to_words_yaml() -> None:
    data = {
        "questions": {
            "current": "1",
            "sets": [
                {
                    "version": "1",
                    "questions": [
                        {
                            "id": "area",
                            "kind": "choice",
                            "text": "questions.help_area",
                            "options": [{"id": "work", "label": "l", "words": ["werk"]}],
                        }
                    ],
                }
            ],
        }
    }
    with pytest.raises(QuestionSetError, match=r"words.yaml \(choices: work\)"):
        parse_question_book(data)
