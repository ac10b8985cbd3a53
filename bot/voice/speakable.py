"""Prepares a rendered bot text for a voice: what a person should hear, not what they read.

Times are said as people say them ("09:30" -> "half tien", "half past nine"), emergency and
phone numbers digit by digit ("112" -> "één één twee"), ranges with a word ("1-10" ->
"1 tot 10"); emoji and arrows are dropped, a link becomes a short word, and every line ends
in punctuation so the voice pauses there. Dates such as "7 december" stay as they are.
Languages other than Dutch and English only get the language-neutral clean-up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["speakable"]


@dataclass(frozen=True)
class _Words:
    numbers: tuple[str, ...]  # 0..29 as words
    range_word: str
    link_word: str
    o_clock: str  # "{hour} uur"
    half: str  # "half {next_hour}"
    quarter_past: str
    quarter_to: str
    past: str  # "{minutes} over {hour}"
    to: str
    before_half: str | None  # Dutch counts from the half hour: "tien voor half tien"
    after_half: str | None
    odd_minutes: str  # "{minutes}": English says "ten past" but "seven minutes past"
    day_parts: tuple[tuple[range, str], ...]
    trailing_hour_word: str  # "09:00 uur": the "uur" already said by the clock words


# fmt: off
_DUTCH_NUMBERS = (
    "nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf",
    "twaalf", "dertien", "veertien",
)
_ENGLISH_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "twenty-one", "twenty-two", "twenty-three", "twenty-four",
    "twenty-five", "twenty-six", "twenty-seven", "twenty-eight", "twenty-nine",
)
# fmt: on

_DUTCH = _Words(
    numbers=_DUTCH_NUMBERS,
    range_word="tot",
    link_word="de link",
    o_clock="{hour} uur",
    half="half {next}",
    quarter_past="kwart over {hour}",
    quarter_to="kwart voor {next}",
    past="{minutes} over {hour}",
    to="{minutes} voor {next}",
    before_half="{minutes} voor half {next}",
    after_half="{minutes} over half {next}",
    odd_minutes="{minutes}",
    day_parts=(
        (range(0, 6), "'s nachts"),
        (range(13, 18), "'s middags"),
        (range(18, 24), "'s avonds"),
    ),
    trailing_hour_word="uur",
)

_ENGLISH = _Words(
    numbers=_ENGLISH_NUMBERS,
    range_word="to",
    link_word="the link",
    o_clock="{hour} o'clock",
    half="half past {hour}",
    quarter_past="quarter past {hour}",
    quarter_to="quarter to {next}",
    past="{minutes} past {hour}",
    to="{minutes} to {next}",
    before_half=None,
    after_half=None,
    odd_minutes="{minutes} minutes",
    day_parts=(
        (range(0, 6), "at night"),
        (range(13, 18), "in the afternoon"),
        (range(18, 24), "in the evening"),
    ),
    trailing_hour_word="",
)

_LANGUAGES = {"nl": _DUTCH, "en": _ENGLISH}

# Short numbers that are dialled, so said digit by digit: emergency, suicide prevention.
_SERVICE_NUMBERS = re.compile(r"(?<![\w-])(112|113|911|999)(?![\w-])")
# Dutch phone numbers: 0 + area/mobile code + subscriber number, maybe split by a dash or space.
_PHONE = re.compile(r"(?<![\w-])(0\d{1,3})[- ]?(\d{4,8})(?![\w-])")
_TIME_RANGE = re.compile(
    r"(?<![\w:.-])(\d{1,2}(?::\d{2})?)\s*[-–]\s*(\d{1,3}(?::\d{2})?)(?![\w:-])"
)
_TIME = re.compile(r"(?<![\w:.])([01]?\d|2[0-3]):([0-5]\d)(?![\w:])")
_URL = re.compile(r"(?:https?://|www\.|t\.me/)\S+?(?=[.,;:!?)\]]*(?:\s|$))", re.IGNORECASE)
_SPACED_DASH = re.compile(r"\s+[–—-]\s+")
_SPACES = re.compile(r"[ \t]+")
_DANGLING_COLON = re.compile(r"\s*:\s*(?=[.,;!?]|$)")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+(?=[.,;:!?])")
_SPOKEN_END = re.compile(r"[.!?:;,…]$")
_INVISIBLE = frozenset("\ufe0e\ufe0f\u200d\u20e3•·")
_KEEP_SYMBOLS = frozenset("°")


def _is_decoration(char: str) -> bool:
    """Emoji, pictographs, arrows, skin tones, variation selectors: seen, never said."""
    if char in _KEEP_SYMBOLS:
        return False
    if char in _INVISIBLE:
        return True
    code = ord(char)
    if 0x2190 <= code <= 0x21FF or 0x1F3FB <= code <= 0x1F3FF:
        return True
    return unicodedata.category(char) == "So"


def _digits(number: str, words: _Words) -> str:
    return " ".join(words.numbers[int(digit)] for digit in number)


def _clock(hour: int, minute: int, words: _Words) -> str:
    """A time as people say it: 12-hour words, plus a day part in the afternoon and night."""
    fill = {"hour": _hour_word(hour, words), "next": _hour_word(hour + 1, words)}
    if minute == 0:
        phrase = words.o_clock.format(**fill)
    elif minute == 30:
        phrase = words.half.format(**fill)
    elif minute == 15:
        phrase = words.quarter_past.format(**fill)
    elif minute == 45:
        phrase = words.quarter_to.format(**fill)
    elif words.before_half and 15 < minute < 30:
        phrase = words.before_half.format(minutes=words.numbers[30 - minute], **fill)
    elif words.after_half and 30 < minute < 45:
        phrase = words.after_half.format(minutes=words.numbers[minute - 30], **fill)
    elif minute < 30:
        phrase = words.past.format(minutes=_minutes(minute, words), **fill)
    else:
        phrase = words.to.format(minutes=_minutes(60 - minute, words), **fill)
    for hours, part in words.day_parts:
        if hour in hours:
            return f"{phrase} {part}"
    return phrase


def _hour_word(hour: int, words: _Words) -> str:
    return words.numbers[hour % 12 or 12]


def _minutes(minutes: int, words: _Words) -> str:
    said = words.numbers[minutes]
    return said if minutes % 5 == 0 else words.odd_minutes.format(minutes=said)


def _times(text: str, words: _Words) -> str:
    def say(match: re.Match[str]) -> str:
        return _clock(int(match[1]), int(match[2]), words)

    if words.trailing_hour_word:
        # "om 09:00 uur": the clock words already end in "uur" or say it another way.
        text = re.sub(rf"{_TIME.pattern}\s+{words.trailing_hour_word}\b", say, text)
    return _TIME.sub(say, text)


def _links(text: str, words: _Words | None) -> str:
    def replace(match: re.Match[str]) -> str:
        before = text[: match.start()].rstrip(" :\t\r\n").lower()
        if words is None or before.endswith("link"):
            return ""
        return words.link_word

    return _URL.sub(replace, text)


def _lines(text: str) -> str:
    lines = []
    for raw in text.splitlines():
        line = _DANGLING_COLON.sub("", _SPACES.sub(" ", raw))
        line = _SPACE_BEFORE_PUNCTUATION.sub("", line).strip(" ,")
        if not any(char.isalnum() for char in line):
            continue
        if not _SPOKEN_END.search(line):
            line += "."
        lines.append(line)
    return "\n".join(lines)


def speakable(language: str, text: str) -> str:
    """``text`` as it should be spoken in ``language`` ("nl", "en", "nl-BE", ...).

    Returns an empty string when nothing is left to say (a text of only emoji or a link).
    """
    words = _LANGUAGES.get(language.lower().split("-")[0])
    text = _links(text, words)
    text = "".join(char for char in text if not _is_decoration(char))
    if words is not None:
        text = _SERVICE_NUMBERS.sub(lambda m: _digits(m[1], words), text)
        text = _PHONE.sub(lambda m: f"{_digits(m[1], words)}, {_digits(m[2], words)}", text)
        text = _TIME_RANGE.sub(rf"\1 {words.range_word} \2", text)
        text = _times(text, words)
    text = _SPACED_DASH.sub(", ", text)
    return _lines(text)
