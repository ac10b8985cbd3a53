"""Understanding a typed grade: "8", "8!", "8/10", "acht", "een 8", "eight", "8️⃣".

A grade is a whole number from 1 to 10. ``read_grade`` also says why a text is not a grade,
so the dialog can answer kindly: a number outside 1-10, a half grade ("7,5", "zeven en een
half", "7+"), or no single number at all ("7 of 8", "goed").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["GRADE_MAX", "GRADE_MIN", "GradeProblem", "GradeReading", "parse_grade", "read_grade"]

GRADE_MIN, GRADE_MAX = 1, 10

_WORDS = {
    # Dutch (accents are removed first: "één" -> "een")
    "nul": 0,
    "een": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "honderd": 100,
    # English
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "hundred": 100,
}
# Words that may stand around a grade: "ik geef het een 8", "cijfer: 7", "I'd give it a 6".
_FILLER = {
    "ik",
    "geef",
    "het",
    "cijfer",
    "mijn",
    "is",
    "dan",
    "maar",
    "i",
    "d",
    "give",
    "it",
    "a",
    "an",
    "my",
    "grade",
    "mark",
    "score",
}
_HALF = {"half", "halve", "halfje", "komma", "point"}
# "8 van de 10", "8 uit 10", "8 op 10", "8 out of 10", "8/10": the scale, not a second number.
_SCALE = {"/", "van", "de", "uit", "op", "out", "of"}
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


def _normalise(text: str) -> str:
    text = text.replace("½", " en een half ").replace("🔟", " 10 ")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _number(token: str) -> float | None:
    if token in _WORDS:
        return float(_WORDS[token])
    if re.fullmatch(r"-?\d+(?:[.,]\d+)?", token):
        return float(token.replace(",", "."))
    return None


def _without_scale(tokens: list[str]) -> list[str]:
    """Drop a trailing "/10", "van de 10", "out of 10" after a number."""
    for end in range(1, len(tokens) - 1):
        tail = tokens[end:]
        if _number(tail[-1]) == 10 and all(t in _SCALE for t in tail[:-1]):
            return tokens[:end]
    return tokens


def read_grade(text: str) -> GradeReading:
    """What a typed text says as a grade; see ``GradeProblem`` for the ways it can fail."""
    tokens = [t for t in _TOKEN.findall(_normalise(text)) if t not in _FILLER]
    tokens = _without_scale(tokens)
    if any(t in _HALF for t in tokens) or (
        tokens and tokens[-1] in ("+", "-") and _number(tokens[0]) is not None
    ):
        return GradeReading(problem=GradeProblem.NOT_WHOLE)
    # "een" is also the article: "een 8" is 8, "een" alone is 1.
    if len(tokens) == 2 and tokens[0] == "een" and _number(tokens[1]) is not None:
        tokens = tokens[1:]
    if len(tokens) != 1 or (number := _number(tokens[0])) is None:
        return GradeReading(problem=GradeProblem.NOT_A_NUMBER)
    if not GRADE_MIN <= number <= GRADE_MAX:  # also catches inf from a very long number
        return GradeReading(problem=GradeProblem.OUT_OF_RANGE, number=number)
    if number != int(number):
        return GradeReading(problem=GradeProblem.NOT_WHOLE, number=number)
    return GradeReading(grade=int(number), number=number)


def parse_grade(text: str) -> int | None:
    """The grade 1-10 a typed text means, or None."""
    return read_grade(text).grade
