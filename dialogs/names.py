"""Names a coach can trust: what a client's (or a coach's) name may be, and when two are the same.

A name lands in alert headers read by backups and team chats ("🔴 NOODKNOP – Sam"), so it must
be a name and nothing else:

* letters (any script), with the marks, spaces, hyphens, apostrophes and full stops names
  have ("Anne-Marie", "D'Souza", "J. de Vries"); no digits, brackets, dashes, colons or
  emoji, so "Sam – vals alarm, niet bellen" and "Kim (cliënt van Bram)" are refused;
* one script: every letter Latin, or every letter Cyrillic, ...; a lookalike "Ѕam" with a
  Cyrillic S is refused (it would pass for "Sam" in an alert);
* at most ``MAX_LENGTH`` characters and ``MAX_WORDS`` words, at least one letter.

Two names are the same for a coach when they match without case, accents or extra spaces
(``same_key``): "sam", "Sam " and "Säm" are one name, and a coach gets a warning and a choice
of a name that tells them apart ("Sam B."). The CLI uses the same rules for coaches' names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import StrEnum

from dialogs.words import normalise

__all__ = ["MAX_LENGTH", "MAX_WORDS", "NameProblem", "check_name", "clean", "same_key"]

MAX_LENGTH = 40
MAX_WORDS = 5
_JOINERS = frozenset(" -'’.")


class NameProblem(StrEnum):
    """Why a name was refused (a text key suffix: ``names.problem.<value>``)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_NAME = "not_a_name"  # a character no name has
    MIXED_SCRIPTS = "mixed_scripts"
    TAKEN = "taken"  # this coach already has a client by that name


def clean(text: str) -> str:
    """The name as it will be stored: spaces collapsed."""
    return " ".join(text.split())


def same_key(name: str) -> str:
    """What two names must share to be the same name: no case, accents or extra spaces."""
    return normalise(name, keep_punctuation=True)


def check_name(name: str, taken: Iterable[str] = ()) -> NameProblem | None:
    """None when ``name`` (already ``clean``) may be used; else the first problem.
    ``taken``: the names it must differ from (the coach's other clients)."""
    if not any(c.isalpha() for c in name):
        return NameProblem.EMPTY
    for char in name:
        if not (char.isalpha() or char in _JOINERS or unicodedata.category(char).startswith("M")):
            return NameProblem.NOT_A_NAME
    if len(name) > MAX_LENGTH or len(name.split()) > MAX_WORDS:
        return NameProblem.TOO_LONG
    if len({_script(c) for c in name if c.isalpha()}) > 1:
        return NameProblem.MIXED_SCRIPTS
    key = same_key(name)
    if any(same_key(other) == key for other in taken):
        return NameProblem.TAKEN
    return None


def _script(char: str) -> str:
    """The script of a letter, as the first word of its Unicode name (LATIN, CYRILLIC, ...).
    CJK ideographs, hiragana and katakana count as one: Japanese names mix them."""
    word = unicodedata.name(char, "UNKNOWN").split()[0]
    return "CJK" if word in {"CJK", "HIRAGANA", "KATAKANA"} else word
