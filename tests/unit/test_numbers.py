"""Typed grades: digits with noise around them, number words, and kind refusals."""

from __future__ import annotations

import pytest

from bot.words import load_words
from dialogs.numbers import GradeProblem, parse_grade, read_grade

# A Dutch client's words: Dutch first, English behind them ("eight" counts too).
WORDS = load_words("nl")["nl"]


@pytest.mark.parametrize(
    "text, grade",
    [
        ("8", 8),
        ("8!", 8),
        (" 8 ", 8),
        ("8.", 8),
        ("8,0", 8),
        ("8/10", 8),
        ("8 / 10", 8),
        ("10/10", 10),
        ("8 van de 10", 8),
        ("8 uit 10!!", 8),
        ("8 out of 10", 8),
        ("een 8", 8),
        ("een twee", 2),  # "a two", as Dutch people say a grade
        ("Een 8", 8),
        ("ik geef het een 8", 8),
        ("cijfer: 7", 7),
        ("I'd give it a 6", 6),
        ("acht", 8),
        ("Acht!", 8),
        ("tien", 10),
        ("één", 1),
        ("een", 1),
        ("eén", 1),
        ("zeven", 7),
        ("eight", 8),
        ("Ten", 10),
        ("one", 1),
        ("8️⃣", 8),
        ("🔟", 10),
        ("👍 9", 9),
        ("６", 6),  # a full-width digit from some keyboards
        ("1", 1),
    ],
)
def test_a_typed_grade_counts_as_pressing_it(text: str, grade: int) -> None:
    assert parse_grade(text, WORDS) == grade
    assert read_grade(text, WORDS).problem is None


@pytest.mark.parametrize(
    "text",
    ["zeven en een half", "7,5", "7.5", "7½", "8-", "7+", "een half", "seven and a half"],
)
def test_half_grades_are_refused_as_not_whole(text: str) -> None:
    reading = read_grade(text, WORDS)
    assert reading.grade is None
    assert reading.problem is GradeProblem.NOT_WHOLE


@pytest.mark.parametrize(
    "text, number",
    [("0", 0), ("11", 11), ("100", 100), ("-3", -3), ("nul", 0), ("elf", 11), ("twelve", 12)],
)
def test_numbers_outside_one_to_ten_are_out_of_range(text: str, number: float) -> None:
    reading = read_grade(text, WORDS)
    assert reading.grade is None
    assert reading.problem is GradeProblem.OUT_OF_RANGE
    assert reading.number == number


@pytest.mark.parametrize(
    "text", ["", "goed", "?", "7 of 8", "7-8", "ja", "het gaat wel", "8 8", "/10", "een twee drie"]
)
def test_text_without_one_number_is_not_a_grade(text: str) -> None:
    reading = read_grade(text, WORDS)
    assert reading.grade is None
    assert reading.problem is GradeProblem.NOT_A_NUMBER


def test_a_huge_number_is_out_of_range_not_a_crash() -> None:
    assert read_grade("9" * 5000, WORDS).problem is GradeProblem.OUT_OF_RANGE
