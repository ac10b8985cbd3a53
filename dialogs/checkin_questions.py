"""The check-in question set: which questions, in which order, with which answers.

The set lives in content (``content/easy-language/<lang>/questions.yaml``) so an organisation
can change questions without code. The shell reads that file (``yaml.safe_load``) and passes
the data to ``parse_question_book``; this module never touches the file system.

File format (under the top-level key ``questions``)::

    current: "1"                 # the version new check-ins use
    sets:                        # every version still referenced by an open check-in
      - version: "1"
        questions:
          - id: grade            # [a-z][a-z0-9_]*, at most 24 characters, unique in the set
            kind: grade          # grade (1-10) | yes_no | choice
            text: questions.grade        # text key of the question
            signal: grade        # optional: grade | help | help_area | call_me
          - id: help_area
            kind: choice
            text: questions.help_area
            only_if: {help: "yes"}       # ask only when these earlier answers were given
            options:             # choice only; grade and yes_no have their own buttons
              - {id: work, label: questions.area.work}

What a client may type instead of pressing an option lives with the other typed words in
``words.yaml`` (``choices``, by option id; see ``dialogs.words``). Answer values are strings:
"1".."10" for a grade, "yes"/"no", an option id, or ``DONT_KNOW`` / ``SKIP``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dialogs.numbers import GRADE_MAX, GRADE_MIN

__all__ = [
    "BACK",
    "DONT_KNOW",
    "MAX_ID_LENGTH",
    "MAX_QUESTIONS",
    "NO",
    "RESERVED_ANSWERS",
    "SKIP",
    "YES",
    "Option",
    "Question",
    "QuestionBook",
    "QuestionKind",
    "QuestionSet",
    "QuestionSetError",
    "SignalRole",
    "parse_question_book",
]

YES, NO = "yes", "no"
DONT_KNOW, SKIP = "dont_know", "skip"
BACK = "back"  # not an answer: the "previous question" button
RESERVED_ANSWERS = frozenset({DONT_KNOW, SKIP, BACK})
MAX_ID_LENGTH = 24
MAX_QUESTIONS = 30
_ID = re.compile(rf"[a-z][a-z0-9_]{{0,{MAX_ID_LENGTH - 1}}}")


class QuestionKind(StrEnum):
    GRADE = "grade"
    YES_NO = "yes_no"
    CHOICE = "choice"


class SignalRole(StrEnum):
    """What an answer to a question tells the coach about (see ``checkin.signals``)."""

    GRADE = "grade"  # how it goes, 1-10: a low grade or a drop
    HELP = "help"  # yes_no: yes = needs help
    HELP_AREA = "help_area"  # choice: with what
    CALL_ME = "call_me"  # yes_no: yes = wants the coach to call


_ROLE_KIND = {
    SignalRole.GRADE: QuestionKind.GRADE,
    SignalRole.HELP: QuestionKind.YES_NO,
    SignalRole.HELP_AREA: QuestionKind.CHOICE,
    SignalRole.CALL_ME: QuestionKind.YES_NO,
}


class QuestionSetError(ValueError):
    """The question set in content is not usable; the message says where and why."""


@dataclass(frozen=True)
class Option:
    id: str
    label: str  # text key of the button


_GRADE_OPTIONS = tuple(
    Option(str(n), f"checkin.grade.{n}") for n in range(GRADE_MIN, GRADE_MAX + 1)
)
_YES_NO_OPTIONS = (Option(YES, "checkin.yes"), Option(NO, "checkin.no"))


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str  # text key
    options: tuple[Option, ...] = ()  # for grade and yes_no filled in by the parser
    only_if: tuple[tuple[str, str], ...] = ()  # (question id, answer) pairs that must all hold
    signal: SignalRole | None = None

    def option(self, answer: str) -> Option | None:
        return next((o for o in self.options if o.id == answer), None)

    def applies(self, answers: Mapping[str, str]) -> bool:
        """Whether this question is asked, given the answers before it."""
        return all(answers.get(qid) == value for qid, value in self.only_if)


@dataclass(frozen=True)
class QuestionSet:
    version: str
    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def __getitem__(self, position: int) -> Question:
        return self.questions[position]

    def with_role(self, role: SignalRole) -> Question | None:
        return next((q for q in self.questions if q.signal is role), None)

    def effective(self, answers: Mapping[str, str]) -> dict[str, str]:
        """The answers that count, in question order: those of questions that apply."""
        result: dict[str, str] = {}
        for question in self.questions:
            if question.applies(result) and question.id in answers:
                result[question.id] = answers[question.id]
        return result

    def next_position(self, after: int, answers: Mapping[str, str]) -> int:
        """The first position after ``after`` that applies; ``len(self)`` when none is left."""
        counted = self.effective(answers)
        for position in range(after + 1, len(self.questions)):
            if self.questions[position].applies(counted):
                return position
        return len(self.questions)

    def previous_position(self, before: int, answers: Mapping[str, str]) -> int | None:
        """The last position before ``before`` that applies; None at the first question."""
        counted = self.effective(answers)
        for position in range(min(before, len(self.questions)) - 1, -1, -1):
            if self.questions[position].applies(counted):
                return position
        return None


@dataclass(frozen=True)
class QuestionBook:
    """Every version of the question set in one language; ``current`` is used for new ones."""

    current: QuestionSet
    sets: Mapping[str, QuestionSet]

    def get(self, version: str) -> QuestionSet | None:
        return self.sets.get(version)


def _fail(where: str, why: str) -> QuestionSetError:
    return QuestionSetError(f"{where}: {why}")


def _text(node: Mapping[str, object], name: str, where: str) -> str:
    value = node.get(name)
    if not isinstance(value, str) or not value:
        raise _fail(where, f"{name} must be a text (put yes/no and numbers in quotes)")
    return value


def _identifier(node: Mapping[str, object], where: str) -> str:
    value = _text(node, "id", where)
    if not _ID.fullmatch(value):
        raise _fail(where, f"id {value!r} must be a-z, 0-9 or _, at most {MAX_ID_LENGTH} long")
    return value


def _mapping(node: object, where: str) -> Mapping[str, object]:
    if not isinstance(node, Mapping):
        raise _fail(where, "expected a mapping")
    return node


def _list(node: object, where: str) -> list[object]:
    if not isinstance(node, list) or not node:
        raise _fail(where, "expected a non-empty list")
    return node


def _options(node: Mapping[str, object], kind: QuestionKind, where: str) -> tuple[Option, ...]:
    if kind is QuestionKind.GRADE:
        given, implied = node.get("options"), _GRADE_OPTIONS
    elif kind is QuestionKind.YES_NO:
        given, implied = node.get("options"), _YES_NO_OPTIONS
    else:
        options = []
        for i, raw in enumerate(_list(node.get("options"), f"{where}.options")):
            spot = f"{where}.options[{i}]"
            item = _mapping(raw, spot)
            option_id = _identifier(item, spot)
            if option_id in RESERVED_ANSWERS:
                raise _fail(spot, f"{option_id!r} is reserved")
            if "words" in item:
                raise _fail(spot, f"typed words live in words.yaml (choices: {option_id})")
            options.append(Option(option_id, _text(item, "label", spot)))
        if len({o.id for o in options}) != len(options):
            raise _fail(where, "option ids must be unique")
        return tuple(options)
    if given is not None:
        raise _fail(where, f"a {kind} question has fixed answers; remove its options")
    return implied


def _question(raw: object, earlier: dict[str, Question], where: str) -> Question:
    node = _mapping(raw, where)
    question_id = _identifier(node, where)
    if question_id in earlier:
        raise _fail(where, f"question id {question_id!r} is used twice")
    try:
        kind = QuestionKind(_text(node, "kind", where))
    except ValueError as error:
        raise _fail(where, f"kind must be one of {[k.value for k in QuestionKind]}") from error
    conditions = []
    for qid, value in _mapping(node.get("only_if", {}), f"{where}.only_if").items():
        before = earlier.get(qid)
        if before is None:
            raise _fail(where, f"only_if refers to {qid!r}, which is not an earlier question")
        if not isinstance(value, str) or before.option(value) is None:
            raise _fail(where, f"only_if {qid}: {value!r} is not an answer of {qid!r}")
        conditions.append((qid, value))
    if not earlier and conditions:
        raise _fail(where, "the first question is always asked; it cannot have only_if")
    role = None
    if "signal" in node:
        try:
            role = SignalRole(_text(node, "signal", where))
        except ValueError as error:
            raise _fail(where, f"signal must be one of {[r.value for r in SignalRole]}") from error
        if _ROLE_KIND[role] is not kind:
            raise _fail(where, f"signal {role} needs a {_ROLE_KIND[role]} question")
    return Question(
        id=question_id,
        kind=kind,
        text=_text(node, "text", where),
        options=_options(node, kind, where),
        only_if=tuple(conditions),
        signal=role,
    )


def _question_set(raw: object, where: str) -> QuestionSet:
    node = _mapping(raw, where)
    version = _text(node, "version", where)
    where = f"{where} (version {version})"
    earlier: dict[str, Question] = {}
    for i, item in enumerate(_list(node.get("questions"), f"{where}.questions")):
        question = _question(item, earlier, f"{where}.questions[{i}]")
        earlier[question.id] = question
    if len(earlier) > MAX_QUESTIONS:
        raise _fail(where, f"at most {MAX_QUESTIONS} questions")
    roles = [q.signal for q in earlier.values() if q.signal is not None]
    if len(roles) != len(set(roles)):
        raise _fail(where, "each signal may be used by one question only")
    return QuestionSet(version=version, questions=tuple(earlier.values()))


def parse_question_book(data: object) -> QuestionBook:
    """Check and read a parsed ``questions.yaml``; raises ``QuestionSetError`` when unusable."""
    root = _mapping(_mapping(data, "questions.yaml").get("questions"), "questions")
    sets: dict[str, QuestionSet] = {}
    for i, raw in enumerate(_list(root.get("sets"), "questions.sets")):
        question_set = _question_set(raw, f"questions.sets[{i}]")
        if question_set.version in sets:
            raise _fail("questions.sets", f"version {question_set.version!r} is used twice")
        sets[question_set.version] = question_set
    current = _text(root, "current", "questions")
    if current not in sets:
        raise _fail("questions.current", f"there is no set with version {current!r}")
    return QuestionBook(current=sets[current], sets=sets)
