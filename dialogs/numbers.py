"""Understanding a typed grade: "8", "8!", "8/10", "acht", "een 8", "eight", "8️⃣".

A grade is a whole number from 1 to 10. ``read_grade`` also says why a text is not a grade,
so the dialog can answer kindly: a number outside 1-10, a half grade ("7,5", "zeven en een
half", "7+"), or no single number at all ("7 of 8", "goed").

The words ("acht", "eight", "ik geef het een", "van de 10") are the person's, from content
(``dialogs.words``); only digits and the symbols "/", "+", "-", "½" and "🔟" are known here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dialogs.words import Words, normalise

__all__ = ["GRADE_MAX", "GRADE_MIN", "GradeProblem", "GradeReading", "parse_grade", "read_grade"]

GRADE_MIN, GRADE_MAX = 1, 10

_TOKEN = re.compile(r"-?\d+(?:[.,]\d+)?|[a-z]+|[/+-]")


class GradeProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"  # no single number in the text
    OUT_OF_RANGE = "out_of_range"  # a whole number, but not 1 to 10
    NOT_WHOLE = "not_whole"  # a half grade or a decimal


@dataclass(frozen=True)
class GradeReading:
    """Either a ``grade`` (1-10) or the ``problem`` with the text.

    ``number`` is the single number read, when there was one (also when out of range).
    """

    grade: int | None = None
    problem: GradeProblem | None = None
    number: float | None = None


def _number(token: str, words: Words) -> float | None:
    if token in words.numbers:
        return float(words.numbers[token])
    if re.fullmatch(r"-?\d+(?:[.,]\d+)?", token):
        return float(token.replace(",", "."))
    return None


def _without_scale(tokens: list[str], words: Words) -> list[str]:
    """Drop a trailing "/10", "van de 10", "out of 10" after a number."""
    for end in range(1, len(tokens) - 1):
        tail = tokens[end:]
        if _number(tail[-1], words) == 10 and all(
            t == "/" or t in words.grade_scale for t in tail[:-1]
        ):
            return tokens[:end]
    return tokens


def read_grade(text: str, words: Words) -> GradeReading:
    """What a typed text says as a grade, with the person's ``words`` ("acht", "eight");
    see ``GradeProblem`` for the ways it can fail."""
    halved = "½" in text
    text = text.replace("½", " ").replace("🔟", " 10 ")
    tokens = [t for t in _TOKEN.findall(normalise(text)) if t not in words.grade_filler]
    tokens = _without_scale(tokens, words)
    if (
        halved
        or any(t in words.grade_half for t in tokens)
        or (tokens and tokens[-1] in ("+", "-") and _number(tokens[0], words) is not None)
    ):
        return GradeReading(problem=GradeProblem.NOT_WHOLE)
    # "een" is also the article: "een 8" is 8, "een" alone is 1.
    if (
        len(tokens) == 2
        and tokens[0] in words.number_article
        and _number(tokens[1], words) is not None
    ):
        tokens = tokens[1:]
    if len(tokens) != 1 or (number := _number(tokens[0], words)) is None:
        return GradeReading(problem=GradeProblem.NOT_A_NUMBER)
    if not GRADE_MIN <= number <= GRADE_MAX:  # also catches inf from a very long number
        return GradeReading(problem=GradeProblem.OUT_OF_RANGE, number=number)
    if number != int(number):
        return GradeReading(problem=GradeProblem.NOT_WHOLE, number=number)
    return GradeReading(grade=int(number), number=number)


def parse_grade(text: str, words: Words) -> int | None:
    """The grade 1-10 a typed text means, or None."""
    return read_grade(text, words).grade
