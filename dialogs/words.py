"""What people type instead of pressing a button, and the one normaliser for typed text.

The words live in content, one file per language (``content/easy-language/<lang>/words.yaml``),
so a new language is a new folder, not new code. The shell reads each file
(``yaml.safe_load``), passes the data to ``parse_words`` and gives a dialog the ``Words`` of
the person's language in its context; this module never touches the file system.

File format (under the top-level key ``words``; every list non-empty, every language the same
keys; write them plain, they pass through ``normalise`` like what is typed)::

    "yes": [ja, ja hoor, ...]    # a clear yes (quote "yes", "no", "on", "off": YAML reads
    "no": [nee, ...]             # them as true/false otherwise)
    agree: [ok, goed, ...]       # a yes to an offer (consent, read aloud); not an answer to
                                 # "do you need help?" ("goed" may mean "I am fine")
    back: [terug, ...]           # check-in: the previous question
    dont_know: [...]             # check-in: "Weet ik niet"
    skip: [...]                  # check-in: "Overslaan"
    choices: {work: [werk, baan], ...}   # per option id of a choice question (questions.yaml)
    numbers: {"1": [een], ..., "10": [tien], "100": [honderd]}   # number words in a grade
    number_article: [een]        # before a number it is the article: "een 8" is 8
    grade_filler: [ik, geef, ...]        # words around a grade: "ik geef het een 8"
    grade_half: [half, komma, ...]       # a half grade: "zeven en een half"
    grade_scale: [van, de, uit, op]      # the scale after a grade: "8 van de 10" ("/" always)
    weekdays: {mon: [ma, maandag], ..., sun: [...]}
    rhythms: {weekly: [elke week, ...], every_2_weeks: [...], ...}   # a coach's /ritme
    schedule_filler: [elke, op, om, de]  # words around a rhythm, weekday and time
    clock_hour: [uur, u, h]      # after an hour, a time: "9 uur", "9u", "9.30 uur" ("9" alone
                                 # is none: it may be "2 weken")
    clock_am: ["'s ochtends"]    # after a time: before noon ("9 am"; "12 am" is no time)
    clock_pm: ["'s middags"]     # after a time: after noon ("2 pm" is 14:00; "12 pm" and
                                 # "12 uur 's avonds" are no time: noon or midnight?)
    help: [hulp, nood, sos, ik weet het niet meer, ...]  # help words (dialogs.help_words):
                                 # the whole message, with help_filler around them
    help_short: [hulp, help, sos]  # help words that count anywhere in a short message
    help_filler: [ik, heb, nodig, ...]   # words around a help word: "ik heb hulp nodig"
    help_between: [echt, heel, een beetje, ...]   # words inside a help, emergency or danger
                                 # phrase: "ik ben echt bang" is "ik ben bang"; never a word
                                 # of a "no" answer ("niet"), so "ik ben niet bang" stays no help
    danger_between: [morgen, vanavond, ...]   # words that may stand between the words of a
                                 # danger phrase only, as help_between does: "ik wil morgen
                                 # dood"; never around a phrase or inside a help or emergency
                                 # one ("morgen kun je me helpen?", "ik kan morgen niet meer"
                                 # stay messages); never a word of a "no" answer either
    emergency: ["112"]           # like help, but acute danger: the whole message
    danger: [ik wil dood, zelfmoord, ...]   # acute danger or suicidal thoughts, anywhere in
                                 # a message, as whole words ("zelfmoord" is not in
                                 # "zelfmoordpreventie": write that one too if it is meant)
    danger_not: [slaat me over, ...]   # phrases that begin inside a danger phrase and go on
                                 # past its end, meaning something else: "hij slaat me over"
                                 # (skips me), "hij slaat me niet meer" are no danger
    help_not_a_name: [morgen, wanneer, ...]   # first words that are never a name the bot
                                 # does not know: "morgen kun je me helpen?" is a question
    phone_remove: [weg, geen]    # a coach's "/telefoon Sam weg": remove the phone number
    phases: {start: [start, startfase], regular: [regulier], waakvlam: [waakvlam]}   # what a
                                 # coach types after "/fase Sam": the phase to set
    stop: [stop, ik wil stoppen, ...]   # a client wants to stop with the bot: the whole
                                 # message; never an answer or a help word
    data_request: [wat weet je van mij, ...]   # a client asks what the bot keeps about
                                 # them (dialogs.data_request): the whole message
    cancel: [toch niet, laat maar, ...]   # a client takes back "💬 Bericht aan coach": the
                                 # whole message, only while the bot waits for that message
    languages: {nl: [nederlands, dutch], en: [english, engels]}   # a client picks the
                                 # language the bot speaks: the whole message, by language code
    read_aloud_on: [voorlezen, lees voor, ...]    # the whole message: texts come as voice too
    read_aloud_off: [niet voorlezen, ...]         # the whole message: texts only
    grade_words: {bad: [slecht], so_so: [gaat wel], good: [goed], great: [super]}   # a grade
                                 # said in words: the check-in asks which number it is

A person's ``Words`` are their own language's with every other language's behind them
(``Words.then``): people mix languages ("oké", "yes"), and the bot understood the words of
every language before they moved here. Where two languages disagree about a word, the
person's own language decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from dialogs.schedule import Rhythm

__all__ = ["PHASE_KEYS", "WEEKDAY_KEYS", "Words", "WordsError", "normalise", "parse_words"]

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PHASE_KEYS = ("start", "regular", "waakvlam")  # the support phases a coach sets ("ended": ending)


def normalise(text: str, *, keep_punctuation: bool = False) -> str:
    """Typed text as it is compared: case folded, accents off, single spaces, and no . ! ? ,
    at either end, a curly apostrophe straight ("  Oké! " -> "oke", "Don’t know" ->
    "don't know").

    ``keep_punctuation``: only case, accents and spaces are folded (names and commands:
    "Zoë" and "zoe" are the same name, "Sam," is not "Sam").
    """
    folded = text.casefold()
    if not folded.isascii():  # plain ASCII has no accents to take off (most typed text)
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = " ".join(folded.split())
    if keep_punctuation:
        return plain
    return plain.strip(" .!?,").replace("’", "'")


class WordsError(ValueError):
    """A words.yaml is not usable; the message says where and why."""


def _words(kind: str = "") -> Any:
    """A vocabulary field. ``kind`` groups words whose meanings exclude each other (a word is
    either a yes or a no); ``Words.then`` lets a later language add only words unknown in
    the group."""
    return field(default_factory=frozenset, metadata={"group": kind})


def _meanings(kind: str) -> Any:
    return field(default_factory=dict, metadata={"group": kind})


@dataclass(frozen=True)
class Words:
    """The typed-answer words of a person's language, normalised (see ``normalise``).

    Sets hold words; mappings go from a word to what it means. ``Words()`` understands
    nothing typed.
    """

    yes: frozenset[str] = _words("answer")
    no: frozenset[str] = _words("answer")
    agree: frozenset[str] = _words("answer")
    back: frozenset[str] = _words("answer")
    dont_know: frozenset[str] = _words("answer")
    skip: frozenset[str] = _words("answer")
    choices: Mapping[str, str] = _meanings("answer")  # word -> option id
    numbers: Mapping[str, int] = _meanings("grade")  # word -> number
    number_article: frozenset[str] = _words("grade")
    grade_filler: frozenset[str] = _words("grade")
    grade_half: frozenset[str] = _words("grade")
    grade_scale: frozenset[str] = _words("grade")
    weekdays: Mapping[str, int] = _meanings("schedule")  # word -> 0 (Monday) to 6 (Sunday)
    rhythms: Mapping[str, Rhythm] = _meanings("schedule")  # phrase -> rhythm
    schedule_filler: frozenset[str] = _words("schedule")
    clock_hour: frozenset[str] = _words("schedule")  # "9 uur"
    clock_am: frozenset[str] = _words("schedule")  # "9 am"
    clock_pm: frozenset[str] = _words("schedule")  # "2 pm"
    help: frozenset[str] = _words("help")
    help_short: frozenset[str] = _words("help")
    help_filler: frozenset[str] = _words("help")
    emergency: frozenset[str] = _words("help")
    danger: frozenset[str] = _words("help")
    danger_not: frozenset[str] = _words("danger_not")  # "hij slaat me *over*"
    help_not_a_name: frozenset[str] = _words("help_not_a_name")  # "*morgen* kun je me helpen"
    help_between: frozenset[str] = _words("help_between")  # "ik ben *echt* bang"
    danger_between: frozenset[str] = _words("danger_between")  # "ik wil *morgen* dood"
    phone_remove: frozenset[str] = _words("phone")  # a coach's "/telefoon Sam weg"
    phases: Mapping[str, str] = _meanings("phase")  # word -> phase (PHASE_KEYS)
    stop: frozenset[str] = _words("stop")
    data_request: frozenset[str] = _words("data_request")  # "wat weet je van mij?"
    cancel: frozenset[str] = _words("cancel")
    languages: Mapping[str, str] = _meanings("language")  # word -> language code
    read_aloud_on: frozenset[str] = _words("read_aloud")
    read_aloud_off: frozenset[str] = _words("read_aloud")
    grade_words: Mapping[str, str] = _meanings("grade_words")  # word -> band (GRADE_BANDS)

    def then(self, other: Words) -> Words:
        """These words, and behind them those of ``other`` that these do not know.

        A word one of these gives a meaning keeps it: ``other`` only adds words unknown in
        the same group (answers, grades, schedule), so a word that is a yes here can never
        become a no from another language.
        """
        known: dict[str, set[str]] = {}
        for f in fields(self):
            known.setdefault(f.metadata["group"], set()).update(getattr(self, f.name))
        merged: dict[str, Any] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            unknown = known[f.metadata["group"]]
            if isinstance(mine, frozenset):
                merged[f.name] = mine | {w for w in theirs if w not in unknown}
            else:
                merged[f.name] = {**{w: v for w, v in theirs.items() if w not in unknown}, **mine}
        return Words(**merged)


# -- reading words.yaml -------------------------------------------------------------------------

_ANSWER_LISTS = ("yes", "no", "agree", "back", "dont_know", "skip")
_GRADE_LISTS = ("number_article", "grade_filler", "grade_half", "grade_scale")
_HELP_LISTS = ("help", "help_short", "help_filler", "emergency", "danger")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")  # as the folders of content/easy-language
# A grade said in words, by how good it is (dialogs.grade_words has their numbers).
_BANDS = {band: band for band in ("bad", "so_so", "good", "great")}
_PHASES = {phase: phase for phase in PHASE_KEYS}
_OPTION_ID = re.compile(r"[a-z][a-z0-9_]{0,23}")  # as in questions.yaml


def _fail(where: str, why: str) -> WordsError:
    return WordsError(f"words.{where}: {why}")


def _mapping(node: object, where: str) -> Mapping[str, object]:
    if not isinstance(node, Mapping) or not node:
        raise _fail(where, "expected a non-empty mapping")
    return node


def _list(node: Mapping[str, object], name: str, where: str = "") -> frozenset[str]:
    where = where or name
    value = node.get(name)
    if not isinstance(value, list) or not value:
        raise _fail(where, "expected a non-empty list of words")
    words = set()
    for item in value:
        if not isinstance(item, str) or not normalise(item):
            raise _fail(where, f"{item!r} is not a word (put yes, no, on and off in quotes)")
        words.add(normalise(item))
    return frozenset(words)


def _by_word(
    node: Mapping[str, object], name: str, meaning: Callable[[str], Any], required: Iterable[str]
) -> dict[str, Any]:
    """``{key: [words]}`` turned around: word -> ``meaning(key)``; a word means one thing."""
    entries = {str(key): words for key, words in _mapping(node.get(name), name).items()}
    missing = [key for key in required if key not in entries]
    if missing:
        raise _fail(name, f"missing {', '.join(missing)}")
    found: dict[str, Any] = {}
    for key in entries:
        value = meaning(key)
        for word in _list(entries, key, f"{name}.{key}"):
            if found.setdefault(word, value) != value:
                raise _fail(f"{name}.{key}", f"{word!r} means something else too")
    return found


def _option_id(key: str) -> str:
    if not _OPTION_ID.fullmatch(key):
        raise _fail(f"choices.{key}", "must be an option id from questions.yaml")
    return key


def _number(key: str) -> int:
    if not key.isdigit():
        raise _fail(f"numbers.{key}", "the keys are numbers: 1, 2, ... 10")
    return int(key)


def _named(names: Mapping[str, Any], where: str) -> Callable[[str], Any]:
    def meaning(key: str) -> Any:
        if key not in names:
            raise _fail(f"{where}.{key}", f"unknown; use one of {', '.join(names)}")
        return names[key]

    return meaning


def parse_words(data: object) -> Words:
    """Check and read a parsed ``words.yaml``; raises ``WordsError`` when unusable."""
    root = _mapping(_mapping(data, "yaml").get("words"), "words")
    if any(isinstance(key, bool) for key in root):
        raise _fail("yes", 'write the keys "yes" and "no" in quotes')
    answers = {name: _list(root, name) for name in _ANSWER_LISTS}
    seen: dict[str, str] = {}
    for name, words in answers.items():
        for word in words:
            if seen.setdefault(word, name) != name:
                raise _fail(name, f"{word!r} is also in {seen[word]}")
    choices = _by_word(root, "choices", _option_id, ())
    helps = _help_lists(root, {*seen, *choices})
    weekdays = {key: day for day, key in enumerate(WEEKDAY_KEYS)}
    rhythms = {r.value: r for r in Rhythm}
    return Words(
        **answers,
        choices=choices,
        numbers=_by_word(root, "numbers", _number, (str(n) for n in range(1, 11))),
        **{name: _list(root, name) for name in _GRADE_LISTS},
        weekdays=_by_word(root, "weekdays", _named(weekdays, "weekdays"), weekdays),
        rhythms=_by_word(root, "rhythms", _named(rhythms, "rhythms"), rhythms),
        schedule_filler=_list(root, "schedule_filler"),
        **{name: _list(root, name) for name in ("clock_hour", "clock_am", "clock_pm")},
        **helps,
        help_between=_between_list(root, "help_between", answers["no"]),
        danger_between=_between_list(root, "danger_between", answers["no"]),
        danger_not=_list(root, "danger_not"),
        help_not_a_name=_list(root, "help_not_a_name"),
        phone_remove=_list(root, "phone_remove"),
        phases=_by_word(root, "phases", _named(_PHASES, "phases"), _PHASES),
        stop=_stop_list(root, {*seen, *choices, *(w for ws in helps.values() for w in ws)}),
        cancel=_list(root, "cancel"),
        data_request=_list(root, "data_request"),
        languages=_by_word(root, "languages", _language_code, ()),
        **_read_aloud_lists(root),
        grade_words=_by_word(root, "grade_words", _named(_BANDS, "grade_words"), _BANDS),
    )


def _read_aloud_lists(root: Mapping[str, object]) -> dict[str, frozenset[str]]:
    """Switching read-aloud on and off: a word means one of the two."""
    on, off = _list(root, "read_aloud_on"), _list(root, "read_aloud_off")
    for word in sorted(on & off):
        raise _fail("read_aloud_off", f"{word!r} is in read_aloud_on too")
    return {"read_aloud_on": on, "read_aloud_off": off}


def _language_code(key: str) -> str:
    if not _LANGUAGE_CODE.fullmatch(key):
        raise _fail(f"languages.{key}", "the keys are language codes: nl, en, ...")
    return key


def _stop_list(root: Mapping[str, object], taken: set[str]) -> frozenset[str]:
    """The words of wanting to stop: never an answer or a help word too (those are heard
    first, so a stop word among them would never be one)."""
    words = _list(root, "stop")
    for word in sorted(words & taken):
        raise _fail("stop", f"{word!r} is an answer or a help word too")
    return words


def _between_list(root: Mapping[str, object], name: str, no: frozenset[str]) -> frozenset[str]:
    """The words that may stand between the words of a phrase (``help_between``,
    ``danger_between``): never a word of a "no" answer, or "ik ben niet bang" would be read as
    "ik ben bang" and "ik wil niet dood" as "ik wil dood"."""
    words = _list(root, name)
    negations = {token for answer in no for token in answer.split()}
    for word in sorted(words):
        for token in sorted(set(word.split()) & negations):
            raise _fail(name, f"{word!r}: {token!r} is a word of a no answer")
    return words


def _help_lists(root: Mapping[str, object], answers: set[str]) -> dict[str, frozenset[str]]:
    """The help words: a word in one list only, and never an answer to a question (help
    words are heard before any answer, so an answer among them would never be one)."""
    lists = {name: _list(root, name) for name in _HELP_LISTS}
    seen: dict[str, str] = {}
    for name, words in lists.items():
        for word in words:
            if seen.setdefault(word, name) != name:
                raise _fail(name, f"{word!r} is also in {seen[word]}")
            if name != "help_filler" and word in answers:
                raise _fail(name, f"{word!r} is an answer to a question too")
    return lists
