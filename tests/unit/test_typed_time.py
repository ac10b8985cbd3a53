"""A time as a coach types it (dialogs/typed_time.py): the words around the hour are content."""

from __future__ import annotations

from datetime import time

import pytest

from bot.words import load_words
from dialogs.typed_time import typed_time
from dialogs.words import Words

NL = load_words("nl")["nl"]  # Dutch words, English behind them
EN = load_words("en")["en"]


@pytest.mark.parametrize(
    ("typed", "at", "taken"),
    [
        ("9 uur", time(9), 2),
        ("9u", time(9), 1),
        ("9uur", time(9), 1),
        ("9.00", time(9), 1),
        ("09:00", time(9), 1),
        ("9.00.", time(9), 1),  # the end of a sentence
        ("21 uur", time(21), 2),
        ("9u30", time(9, 30), 1),
        ("9.30 uur", time(9, 30), 2),
        ("9 uur 's avonds", time(21), 4),
        ("9 uur ’s avonds", time(21), 4),  # a phone's curly apostrophe
        ("8 uur 's ochtends", time(8), 4),
        ("2pm", time(14), 1),
        ("2.30 pm", time(14, 30), 2),
        ("11 a.m.", time(11), 2),
        ("9 o'clock", time(9), 2),
        ("9 uur zaterdag", time(9), 2),  # what follows is not the time's
    ],
)
def test_a_time_and_how_many_words_it_takes(typed: str, at: time, taken: int) -> None:
    tokens = typed.lower().replace("’", "'").split()
    assert typed_time(tokens, 0, NL) == (at, taken)


@pytest.mark.parametrize(
    "typed",
    [
        "9",
        "14",
        "uur",
        "9 uur uur",
        "9 am pm",
        "14 pm",
        "0 am",
        # Noon or midnight? "12 pm" is noon, "12 uur 's avonds" midnight: "12:00" says it.
        "12 am",
        "12 pm",
        "12 uur 's middags",
        "12 uur 's avonds",
        "25 uur",
        "24:00",
        "9x30",
        "930",
        "9:60",
        "half 10",
        "9 weken",
    ],
)
def test_no_time(typed: str) -> None:
    assert typed_time(typed.split(), 0, NL) is None


def test_the_words_come_from_content() -> None:
    assert typed_time(["9", "uur"], 0, Words()) is None  # no words: only "9:00" is a time
    assert typed_time(["9:00"], 0, Words()) == (time(9), 1)
    assert typed_time(["2pm"], 0, EN) == (time(14), 1)
    assert "uur" in NL.clock_hour and "o'clock" in EN.clock_hour
