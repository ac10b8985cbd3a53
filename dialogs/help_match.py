"""What counts as help words ("hulp", "ik ben bang", "ik wil dood"): ``recognise``.

From the person's ``Words`` (``words.yaml``): a help or emergency word counts when it is the
whole message, with only filler words around it ("ik heb hulp nodig", "ben bang"), so "de
thuishulp komt morgen" or a long message that mentions help is an ordinary message; a danger
phrase counts anywhere in a message, as whole words, unless a ``danger_not`` phrase begins
inside it and goes on past its end ("hij slaat me over", "hij slaat me niet meer").
Between the words of a phrase (help, emergency or danger) ``help_between`` words and emoji
may stand: "ik ben echt bang", "ik voel me helemaal niet veilig", "ik wil 😭 dood"; around a
phrase they are fillers ("echt bang"). Between the words of a danger phrase (and of a
``danger_not`` phrase that may undo it) ``danger_between`` words may stand too, time words
that are no fillers: "ik wil morgen dood", "soms wil ik vannacht dood", "hij slaat me vandaag
niet"; never inside a help or emergency phrase ("ik kan morgen niet meer" is about an
appointment) nor around one ("morgen kun je me helpen?" is a question). Only those: neither
list holds a word of a "no" answer (``words.yaml`` is refused otherwise), so "ik ben (echt)
niet bang" stays no help words.

Words are compared as typed by someone in a hurry: case, accents, punctuation and a letter
typed twice or more do not count ("HELPPP", "huulp", "nood!!" are "help", "hulp", "nood").

A name may stand around the words. The person's own names (their coach's, their own) count as
fillers, wherever they stand: "anna ik kan niet meer" is as urgent as "ik kan niet meer". One
other word may be a name the bot does not know: the first word, before a phrase of more than
one word ("mam, ik ben bang"), or a capitalised last word after one ("ik ben bang Bram", not
after a full stop: "Ik ben bang. Morgen" is a sentence). A ``help_not_a_name`` word
("morgen", "wanneer") is no name before help words ("wanneer kun je me helpen?" is a question),
though it is before emergency words ("vandaag, ik kan niet meer" is help). Such a message
is heard as help, never as danger: the unknown word may be "haha" ("haha ik ga dood"). A
lone word ("geen nood", "kamer 112") and a lower-case word after the phrase ("ik ben niet
veilig gefietst", "ik kan niet meer lopen") stay ordinary messages.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from dialogs.words import Words, normalise

__all__ = ["Heard", "recognise"]

_MOST_WORDS = 12  # longer than this, a message is never "just" help words
_SHORT = 6  # in a message this short, a ``help_short`` word counts wherever it stands
_PUNCTUATION = string.punctuation + "…¡¿“”‘’«»"
_SENTENCE_END = ".!?…"
_PAUSE = _SENTENCE_END + ",;:-–—"
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1+")  # "helppp", "huulp"; never digits ("112")


class Heard(IntEnum):
    """What typed text is, as help words; the larger the more urgent."""

    HELP = 1
    DANGER = 2


def _tokens(text: str) -> tuple[str, ...]:
    """Words as compared: normalised (``dialogs.words.normalise``), punctuation off each word,
    dots inside a word gone ("a.u.b." is "aub"), a letter typed twice or more once ("helppp"
    is "help"), and every emoji or other symbol a word of its own ("dood😢" is "dood", "😢")."""
    squeezed = _REPEATED_LETTER.sub(r"\1", normalise(text))
    found = (piece.strip(_PUNCTUATION).replace(".", "") for piece in _spaced(squeezed).split())
    return tuple(word for word in found if word)


def _spaced(text: str) -> str:
    return "".join(
        f" {c} " if unicodedata.category(c)[0] == "S" else c
        for c in text
        if c != "\u200d"  # the joiner inside composed emoji
    )


def _name_after(text: str, count: int) -> int | None:
    """Where a name may stand after the words in ``text`` of ``count`` words: its last word
    when that is capitalised ("Bram", not "bram" or "BRAM") and no full stop, "!" or "?" stands
    before it ("Ik ben bang. Morgen" is a sentence); None otherwise."""
    pieces = _spaced(text).split()
    typed = [piece.strip(_PUNCTUATION).replace(".", "") for piece in pieces]
    words = [(piece, word) for piece, word in zip(pieces, typed, strict=True) if word]
    if len(words) != count or count < 2:
        return None  # read otherwise than normalised (rare): no guess
    before, (_, last) = words[-2][0], words[-1]
    after_sentence = any(c in _SENTENCE_END for c in before[len(before.rstrip(_PUNCTUATION)) :])
    return count - 1 if last[0].isupper() and not last.isupper() and not after_sentence else None


def _symbol(token: str) -> bool:
    """Whether a token is no word: only emoji, symbols, punctuation ("—") or marks (the
    variation selector after "❤" or "‼"). It may stand around a phrase and in its gaps."""
    return all(unicodedata.category(c)[0] in "SPM" for c in token)


def recognise(text: str, words: Words, names: Iterable[str | None] = ()) -> Heard | None:
    """DANGER, HELP, or None when ``text`` is no help words (see the module's docstring).
    ``names``: the person's own names (their coach's, their own), fillers wherever they stand."""
    said = _tokens(text)
    if not said:
        return None
    vocabulary = _vocabulary(
        words.help,
        words.help_short,
        words.help_filler,
        words.emergency,
        words.danger,
        words.help_between,
        words.danger_not,
        words.help_not_a_name,
        words.danger_between,
    )
    between, present = vocabulary.danger_between, frozenset(said)
    for i, token in enumerate(said):
        for phrase in vocabulary.danger.get(token, ()):
            if not present.issuperset(phrase):
                continue
            if any(
                not _meant_otherwise(said, i, end, vocabulary, text)
                for end in _ends(said, i, phrase, between)
            ):
                return Heard.DANGER
    if len(said) > _MOST_WORDS:
        return None
    whole = _whole(said, vocabulary, _names(tuple(names)), text)
    if whole is None and len(said) <= _SHORT and any(t in vocabulary.short for t in said):
        return Heard.HELP  # "Anna, hulp!", "hulp bram", "ik heb echt hulp nodig"
    return whole


@functools.lru_cache(maxsize=256)
def _names(names: tuple[str | None, ...]) -> _ByFirst:
    """The names as typed in full, and their first words ("Anna" of "Anna de Vries")."""
    keys = [_tokens(name or "") for name in names]
    return _by_first([*keys, *(key[:1] for key in keys)])


_Phrases = dict[str, tuple[tuple[tuple[str, ...], int], ...]]
_ByFirst = dict[str, tuple[tuple[str, ...], ...]]  # token sequences by their first token


@dataclass(frozen=True)
class _Vocabulary:
    """A language's help words as ``recognise`` compares them, worked out once (on every
    text it took milliseconds: it is asked of every text, in every language), each phrase
    under its first token."""

    danger: _ByFirst  # phrases of danger, as tokens, by first token
    short: frozenset[str]  # every token of the ``help_short`` words
    phrases: _Phrases  # whole-message phrases (fillers, help, emergency) and their rank
    between: _ByFirst  # what may stand between a phrase's words ("echt", "een beetje")
    danger_between: _ByFirst  # and between a danger phrase's words ("echt", "morgen")
    danger_not: _ByFirst  # what a danger phrase may go on into, meant otherwise ("slaat me over")
    not_a_name: frozenset[str]  # first words that are no name before help words ("morgen")
    fillers: frozenset[str]  # the one-word fillers ("ik", "hoi", "echt")


@functools.lru_cache(maxsize=16)
def _vocabulary(
    help_: frozenset[str],
    help_short: frozenset[str],
    help_filler: frozenset[str],
    emergency: frozenset[str],
    danger: frozenset[str],
    help_between: frozenset[str],
    danger_not: frozenset[str],
    not_a_name: frozenset[str],
    danger_between: frozenset[str],
) -> _Vocabulary:
    ranks: dict[tuple[str, ...], int] = {}
    groups = ((help_filler, 0), (help_between, 0), (help_, Heard.HELP), (help_short, Heard.HELP))
    for group, rank in (*groups, (emergency, Heard.DANGER)):
        for written in group:
            key = _tokens(written)
            if key:
                ranks[key] = max(rank, ranks.get(key, 0))
    phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for key, rank in ranks.items():
        phrases.setdefault(key[0], []).append((key, rank))
    return _Vocabulary(
        danger=_by_first(_tokens(phrase) for phrase in danger),
        short=frozenset(t for phrase in help_short for t in _tokens(phrase)),
        phrases={first: tuple(keys) for first, keys in phrases.items()},
        between=_by_first(_tokens(written) for written in help_between),
        danger_between=_by_first(_tokens(written) for written in help_between | danger_between),
        danger_not=_by_first(_tokens(written) for written in danger_not),
        not_a_name=frozenset(t for written in not_a_name for t in _tokens(written)[:1]),
        fillers=frozenset(key[0] for key, rank in ranks.items() if rank == 0 and len(key) == 1),
    )


def _by_first(keys: Iterable[tuple[str, ...]]) -> _ByFirst:
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for key in sorted(set(keys) - {()}):
        grouped.setdefault(key[0], []).append(key)
    return {first: tuple(group) for first, group in grouped.items()}


def _meant_otherwise(
    said: tuple[str, ...], start: int, end: int, vocabulary: _Vocabulary, text: str
) -> bool:
    """Whether the danger phrase at ``said[start:end]`` goes on into a ``danger_not`` phrase
    that begins inside it and ends after it, with no pause (",", ".") in between: "hij slaat
    me over", "hij slaat me echt niet", "hij slaat me vandaag niet" (the same words may stand
    in its gaps as in a danger phrase's); not "hij slaat me, niet normaal"."""
    between = vocabulary.danger_between
    for i in range(start, end):
        for phrase in vocabulary.danger_not.get(said[i], ()):
            stops = [stop for stop in _ends(said, i, phrase, between) if stop > end]
            pauses = _pauses(text) if stops else frozenset()
            if any(not pauses.intersection(range(i, stop - 1)) for stop in stops):
                return True
    return False


def _pauses(text: str) -> frozenset[int]:
    """Which of the words of ``text`` (as ``_tokens`` has them) a pause follows: a comma, a
    full stop, a dash ("slaat me, niet" or "slaat me — niet")."""
    squeezed = _REPEATED_LETTER.sub(r"\1", normalise(text))
    pauses, count = set(), 0
    for piece in _spaced(squeezed).split():
        if not piece.strip(_PUNCTUATION).replace(".", ""):  # on its own: "slaat me - niet"
            if any(c in _PAUSE for c in piece):
                pauses.add(count - 1)
            continue
        if any(c in _PAUSE for c in piece[len(piece.rstrip(_PUNCTUATION)) :]):
            pauses.add(count)
        count += 1
    return frozenset(pauses)


def _ends(
    said: tuple[str, ...], start: int, phrase: tuple[str, ...], between: _ByFirst
) -> set[int]:
    """Where ``phrase`` ends in ``said`` when it starts at ``start``, with only ``between``
    words and emoji in its gaps ("ik ben echt 😭 bang" holds "ik ben bang"); empty when it does
    not stand there. Every reading is kept: a between word may be a phrase's word too."""
    if said[start] != phrase[0]:
        return set()
    at = {start + 1}
    for token in phrase[1:]:
        at = {i + 1 for i in _past_between(said, at, between) if said[i : i + 1] == (token,)}
        if not at:
            break
    return at


def _past_between(said: tuple[str, ...], at: set[int], between: _ByFirst) -> set[int]:
    """``at`` and every place reached from it over between words and emoji only."""
    reached, todo = set(at), list(at)
    while todo:
        i = todo.pop()
        if i < len(said) and _symbol(said[i]) and i + 1 not in reached:
            reached.add(i + 1)  # "ik wil 😭 dood"
            todo.append(i + 1)
        for words in between.get(said[i], ()) if i < len(said) else ():
            end = i + len(words)
            if said[i:end] == words and end not in reached:
                reached.add(end)
                todo.append(end)
    return reached


def _readings(
    said: tuple[str, ...], vocabulary: _Vocabulary, names: _ByFirst
) -> tuple[list[int], list[int]]:
    """For every ``i``, the strongest reading of ``said[i:]`` as help or emergency words with
    fillers around them (0: fillers only, -1: it cannot be read), and the strongest of those
    that hold a phrase of more than one word ("ik ben bang", not "nood"); from the end."""
    best, longer = [-1] * len(said) + [0], [-1] * (len(said) + 1)
    present = frozenset(said)
    for start in range(len(said) - 1, -1, -1):
        own = [(name, 0) for name in names.get(said[start], ())]
        for tokens, rank in (*vocabulary.phrases.get(said[start], ()), *own):
            if not present.issuperset(tokens):
                continue  # a word of it was not typed at all
            for end in _ends(said, start, tokens, vocabulary.between):
                if best[end] >= 0:
                    best[start] = max(best[start], rank, best[end])
                    if rank and len(tokens) > 1:
                        longer[start] = max(longer[start], rank, best[end])
                if longer[end] >= 0:
                    longer[start] = max(longer[start], rank, longer[end])
        if _symbol(said[start]):  # an emoji around the words is like a filler
            best[start] = max(best[start], best[start + 1])
            longer[start] = max(longer[start], longer[start + 1])
    return best, longer


def _whole(
    said: tuple[str, ...], vocabulary: _Vocabulary, names: _ByFirst, text: str
) -> Heard | None:
    """The strongest reading of the whole message as help or emergency words with fillers
    and names around them (and between words inside them); None when a word is neither, or
    only fillers were typed. One word the bot does not know as a name makes it help at most."""
    best, longer = _readings(said, vocabulary, names)
    if best[0] > 0:
        return Heard(best[0])
    plain = [
        i
        for i, token in enumerate(said)
        if not (_symbol(token) or token in vocabulary.fillers or (token,) in names.get(token, ()))
    ]
    if not plain:
        return None
    after_first = longer[plain[0] + 1]  # "mam, ik ben bang": the first word a name
    if after_first > (Heard.HELP if said[plain[0]] in vocabulary.not_a_name else 0):
        return Heard.HELP  # not "morgen kun je me helpen?"; "vandaag, ik kan niet meer" is
    last = plain[-1]
    if last == _name_after(text, len(said)) and _readings(said[:last], vocabulary, names)[1][0] > 0:
        return Heard.HELP  # "ik ben bang Bram"
    return None
