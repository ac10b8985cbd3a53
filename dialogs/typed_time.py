"""A time as a coach types it: ``/ritme Sam elke week zaterdag 9 uur`` (``dialogs.coach_checkin``).

An hour with minutes ("10:00", "9.30", "09:00") is a time; an hour alone is one only with the
coach's words after it, attached or not ("9 uur", "9u", "9u30", "21 uur", "2pm", "9 uur 's
avonds"): "14" alone is no time, it may be "2 weken". Those words are content
(``words.yaml``: ``clock_hour``, ``clock_am``, ``clock_pm``), never code. "half 10" is not
read: it means 9:30 in Dutch and is easily misread.
"""

from __future__ import annotations

import re
from datetime import time

from dialogs.words import Words, normalise

__all__ = ["typed_time"]

# An hour, perhaps minutes after ":", "." or a word ("9u30"), perhaps a word attached ("2pm").
_CLOCK = re.compile(r"(2[0-3]|[01]?[0-9])(?:([:.]|\D+?)([0-5][0-9]))?(\D*)")
_LONGEST_CLOCK_WORD = 2  # tokens: "'s avonds"


def _clock_word(tokens: list[str], start: int, words: Words) -> tuple[str, int] | None:
    """The coach's word around a time at ``tokens[start]`` ("uur", "'s avonds", "pm") and how
    many tokens it takes, or None."""
    for length in range(_LONGEST_CLOCK_WORD, 0, -1):
        if start + length <= len(tokens):
            word = normalise(" ".join(tokens[start : start + length]))
            if word in words.clock_hour | words.clock_am | words.clock_pm:
                return word, length
    return None


def typed_time(tokens: list[str], start: int, words: Words) -> tuple[time, int] | None:
    """The time that starts at ``tokens[start]``, and how many tokens it takes; None when it
    is no time ("9" alone, "9 uur uur", "14 pm")."""
    found = _CLOCK.fullmatch(tokens[start])
    if found is None:
        return None
    hour, between, minute, attached = int(found[1]), found[2], found[3], normalise(found[4])
    if between not in (None, ":", ".") and normalise(between) not in words.clock_hour:
        return None
    marks: list[str] = []
    if attached:  # "9u", "2pm" ("9.00." at the end of a sentence: no word)
        if attached not in words.clock_hour | words.clock_am | words.clock_pm:
            return None
        marks.append(attached)
    taken = 1
    while len(marks) < 2 and (word := _clock_word(tokens, start + taken, words)) is not None:
        marks.append(word[0])
        taken += word[1]
    if not marks and minute is None:
        return None
    hours = [m for m in marks if m in words.clock_hour]
    halves = [m for m in marks if m not in words.clock_hour]
    if len(hours) > 1 or len(halves) > 1:
        return None
    if halves:
        # 12 with a part of the day is no time here: "12 pm" is noon, "12 uur 's avonds" is
        # midnight, and one list of words cannot tell them apart ("12:00" and "0:00" can).
        if not 1 <= hour <= 11:
            return None
        afternoon = halves[0] in words.clock_pm
        hour = hour % 12 + (12 if afternoon else 0)
    return time(hour, int(minute or 0)), taken
