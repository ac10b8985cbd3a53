"""The check-in: a few short questions, one per message, and what the coach hears about it.

::

    start_checkin ──▶ OPEN ──answer──▶ next question ──answer──▶ ... ──▶ DONE (thank you)
                       │  ▲  ◀──"← Vorige vraag"──┘                        │
                       │  └───────────────"← Oeps, ander antwoord"─────────┘ (within an hour)
                       ├── timer_fired (4 h, waking hours) ──▶ reminder, once
                       └── timer_fired (24 h after the reminder) ──▶ MISSED or UNFINISHED

Every function takes the check-in's ``CheckinState`` plus a ``CheckinContext`` (question set,
coach name, earlier check-ins, rules) and returns an ``Outcome``. The next state is inside it
as a ``SaveCheckin`` effect (``saved_state(outcome)``); the shell stores it in the same
transaction as the other effects, then sends the replies.

Button data is ``ci:<checkin id>:<position>:<answer>`` (at most 51 bytes) and untrusted: a tap
only counts when it names this check-in, its current question, and an answer that question
has. Anything else changes nothing and gets a short notice.

Signals to the coach are computed when a check-in ends (``dialogs.checkin_signals``, so a
corrected wrong press never alerts anyone) and carry a ``cause`` that is unique per client:
the shell stores it with a unique constraint and sends only what it had not sent before.

Longer than our ~400 lines on purpose: it is one state machine (the diagram above), kept
whole so every transition can be read against it; its signals live in ``checkin_signals``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from dialogs.buttons import ID, row_id
from dialogs.checkin_questions import (
    BACK,
    DONT_KNOW,
    MAX_ID_LENGTH,
    NO,
    SKIP,
    YES,
    QuestionKind,
    QuestionSet,
)
from dialogs.checkin_signals import CheckinRules, PastCheckin, grade_of, signals
from dialogs.checkin_state import (
    CheckinEffect,
    CheckinState,
    CheckinStatus,
    RaiseSignal,
    SaveCheckin,
    Signal,
    SignalKind,
    WithdrawSignal,
)
from dialogs.grade_words import GRADE_BANDS, band_of
from dialogs.numbers import GradeProblem, read_grade
from dialogs.outcome import Button, Outcome, Recipient, Reply
from dialogs.schedule import reminder_due
from dialogs.words import Words, normalise

__all__ = [
    "CALLBACK_PREFIX",
    "NOT_UNDERSTOOD",
    "CheckinContext",
    "CheckinEffect",
    "CheckinRules",
    "CheckinState",
    "CheckinStatus",
    "CheckinTap",
    "Past",
    "PastCheckin",
    "RaiseSignal",
    "SaveCheckin",
    "Signal",
    "SignalKind",
    "WithdrawSignal",
    "ask_again",
    "callback_data",
    "close_missed",
    "go_back",
    "grade_of",
    "handle_tap",
    "handle_text",
    "not_understood",
    "parse_callback",
    "remind",
    "saved_state",
    "signals",
    "start_checkin",
    "timer_fired",
]

CALLBACK_PREFIX = "ci"
_CALLBACK = re.compile(rf"ci:({ID}):([0-9]{{1,2}}):([a-z0-9_]{{1,{MAX_ID_LENGTH}}})")


@dataclass(frozen=True)
class Past:
    """What a check-in's signals weigh besides the check-in itself: the client's earlier
    check-ins, oldest first, without this one (the last 10 are plenty), and the coach's latest
    logged contact (it ends a missed run), when a missed run may need it."""

    history: tuple[PastCheckin, ...] = ()
    contacted_at: datetime | None = None


@dataclass(frozen=True)
class CheckinContext:
    """What a check-in dialog needs besides its state; the shell loads it per event.

    ``questions`` is the set of the check-in's version in the client's language
    (``book.get(state.version)``, or ``book.current`` for a new check-in); ``words`` what the
    client may type instead of pressing (their language's ``words.yaml``). ``past`` gives the
    check-in's ``Past``, asked for only when the check-in ends: most updates of an open
    check-in do not, so the shell reads it from the database only when asked (in the same
    transaction), and a test passes what it needs (``lambda: Past(...)``).
    """

    client_id: int
    coach: str
    questions: QuestionSet
    words: Words
    timezone: str = "Europe/Amsterdam"
    rules: CheckinRules = field(default_factory=CheckinRules)
    past: Callable[[], Past] = Past


@dataclass(frozen=True)
class CheckinTap:
    checkin_id: int | None  # None: an id no check-in can have (as unknown as one none has)
    position: int
    token: str  # an answer value or ``BACK``


def callback_data(checkin_id: int, position: int, token: str) -> str:
    """The data of a check-in button: ``ci:<checkin id>:<position>:<answer>``."""
    return f"{CALLBACK_PREFIX}:{checkin_id}:{position}:{token}"


def parse_callback(data: str) -> CheckinTap | None:
    """The parts of a check-in button's data, or None when it is not well formed."""
    match = _CALLBACK.fullmatch(data)
    if match is None:
        return None
    return CheckinTap(row_id(match[1]), int(match[2]), match[3])


def saved_state(outcome: Outcome) -> CheckinState | None:
    """The next state an outcome stores, if it changes the check-in."""
    states = [e.state for e in outcome.effects if isinstance(e, SaveCheckin)]
    return states[-1] if states else None


def _outcome(
    replies: Sequence[Reply] = (),
    effects: Sequence[CheckinEffect] = (),
    notice: str | None = None,
    chosen: str | None = None,
) -> Outcome:
    return Outcome(replies=tuple(replies), effects=tuple(effects), notice=notice, chosen=chosen)


_CLOSED = _outcome(notice="common.question_closed")
_UNKNOWN = _outcome(notice="common.button_unknown")


# -- asking -----------------------------------------------------------------------------------


def _question_reply(
    state: CheckinState, ctx: CheckinContext, to: Recipient, lead: str | None = None
) -> Reply:
    """The current question with its buttons; "← Vorige vraag" when there is one before.
    ``lead``: a line above the question in the same message (one message, one thing to do)."""
    question = ctx.questions[state.position]

    def button(label: str, token: str) -> Button:
        return Button(label, callback_data(state.checkin_id, state.position, token))

    options = [button(o.label, o.id) for o in question.options]
    if question.kind is QuestionKind.GRADE:
        rows = [tuple(options[:5]), tuple(options[5:])]
    elif question.kind is QuestionKind.YES_NO:
        rows = [tuple(options)]
    else:
        rows = [(b,) for b in options]
    rows.append((button("checkin.dont_know", DONT_KNOW), button("checkin.skip", SKIP)))
    if ctx.questions.previous_position(state.position, state.answers) is not None:
        rows.append((button("checkin.back", BACK),))
    return Reply(question.text, {"coach": ctx.coach}, buttons=tuple(rows), to=to, lead=lead)


def _wake_after_activity(state: CheckinState, now: datetime, ctx: CheckinContext) -> datetime:
    rules = ctx.rules
    if state.reminded_at is None:
        return reminder_due(now, rules.remind_after, rules.quiet, ctx.timezone)
    return now + rules.close_after


def start_checkin(checkin_id: int, now: datetime, ctx: CheckinContext) -> Outcome:
    """Open a new check-in (the shell made its row and id): a short lead, then question one.

    Used for a scheduled check-in and when the client asks for one from the menu. The
    replies go to the client (``Recipient.CLIENT``), as the clock may be the one acting.
    """
    questions = ctx.questions
    state = CheckinState(
        checkin_id=checkin_id,
        client_id=ctx.client_id,
        version=questions.version,
        sent_at=now,
        position=questions.next_position(-1, {}),
    )
    state = replace(state, wake_at=_wake_after_activity(state, now, ctx))
    return _outcome(
        replies=(_question_reply(state, ctx, Recipient.CLIENT, lead="checkin.intro"),),
        effects=(SaveCheckin(state),),
    )


def ask_again(state: CheckinState, ctx: CheckinContext) -> Outcome:
    """The client came back (menu button) while a check-in is open: the current question."""
    if not _usable(state, ctx) or state.status is not CheckinStatus.OPEN:
        return _outcome()
    return _outcome(
        replies=(_question_reply(state, ctx, Recipient.SENDER, lead="checkin.continue"),)
    )


# -- answering --------------------------------------------------------------------------------


def _usable(state: CheckinState | None, ctx: CheckinContext) -> bool:
    return (
        state is not None
        and state.client_id == ctx.client_id
        and state.version == ctx.questions.version
    )


def handle_tap(
    state: CheckinState | None, data: str, now: datetime, ctx: CheckinContext
) -> Outcome:
    """A check-in button was pressed.

    ``state`` is the client's open check-in or, when none is open, their latest one (None if
    they never had one). Load it by the client who pressed, never by the id in ``data``.
    """
    tap = parse_callback(data)
    if tap is None:
        return _UNKNOWN
    if state is None or not _usable(state, ctx) or tap.checkin_id != state.checkin_id:
        return _CLOSED
    if state.status is CheckinStatus.DONE and tap.token == BACK:
        # Only "← Oeps, ander antwoord" under the thank-you names the position past the end.
        reopened = _reopen(state, now, ctx) if tap.position == len(ctx.questions) else None
        return _CLOSED if reopened is None else reopened
    if state.status is not CheckinStatus.OPEN or tap.position != state.position:
        return _CLOSED
    question = ctx.questions[state.position]
    if tap.token == BACK:
        if ctx.questions.previous_position(state.position, state.answers) is None:
            return _UNKNOWN  # the first question has no such button
        return go_back(state, now, ctx)
    if tap.token in (DONT_KNOW, SKIP):
        label = "checkin.dont_know" if tap.token == DONT_KNOW else "checkin.skip"
        return _answer(state, tap.token, now, ctx, chosen=label)
    option = question.option(tap.token)
    if option is None:
        return _UNKNOWN
    return _answer(state, option.id, now, ctx, chosen=option.label)


_RETRY = {
    GradeProblem.NOT_A_NUMBER: "checkin.retry_grade",
    GradeProblem.OUT_OF_RANGE: "checkin.grade_out_of_range",
    GradeProblem.NOT_WHOLE: "checkin.grade_not_whole",
}
# The retries that begin "Dat begrijp ik niet." (``not_understood``).
_NOT_UNDERSTOOD_RETRIES = frozenset(
    {"checkin.retry_grade", "checkin.retry_yes_no", "checkin.retry_choice"}
)
NOT_UNDERSTOOD = "checkin.not_understood"  # "Dat begrijp ik niet."


def not_understood(outcome: Outcome) -> bool:
    """Whether ``handle_text`` did not understand the text at all ("Dat begrijp ik niet." and
    the question again): the router then offers to send the words to the coach, above its
    own ``NOT_UNDERSTOOD``. False for any other outcome (an answer, a number out of range or
    not whole: understood as a try at a grade)."""
    if outcome.effects or len(outcome.replies) != 1:
        return False
    return outcome.replies[0].lead in _NOT_UNDERSTOOD_RETRIES


def handle_text(state: CheckinState, text: str, now: datetime, ctx: CheckinContext) -> Outcome:
    """The client typed while the check-in is open: "8", "acht", "ja", "werk", "overslaan".

    Text that does not answer the question gets a kind explanation and the question again.
    After the thank-you a typed back word ("oeps", "terug") is the "← Oeps, ander antwoord"
    button under it, as long as that button works (``_reopen``). Anything else typed to a
    check-in that is not open: an empty outcome (the text is no answer; it goes its own way).
    """
    if not _usable(state, ctx):
        return _outcome()
    words = ctx.words
    word = normalise(text)
    if state.status is CheckinStatus.DONE and word in words.back:
        reopened = _reopen(state, now, ctx)
        return _outcome() if reopened is None else reopened
    if state.status is not CheckinStatus.OPEN:
        return _outcome()
    question = ctx.questions[state.position]
    if word in words.back:
        return go_back(state, now, ctx)
    if word in words.dont_know:
        return _answer(state, DONT_KNOW, now, ctx, chosen="checkin.dont_know")
    if word in words.skip:
        return _answer(state, SKIP, now, ctx, chosen="checkin.skip")
    retry: str
    if question.kind is QuestionKind.GRADE:
        reading = read_grade(text, words)
        if reading.grade is not None:
            return _answer(state, str(reading.grade), now, ctx, chosen=None)
        band = band_of(text, words)
        if band is not None:
            return _narrow(state, band, now, ctx)
        retry = _RETRY[reading.problem or GradeProblem.NOT_A_NUMBER]
    elif question.kind is QuestionKind.YES_NO:
        # Only a clear yes or no: "goed" or "oké" (words.agree) does not say whether you
        # need help.
        if word in words.yes or word in words.no:
            return _answer(state, YES if word in words.yes else NO, now, ctx, chosen=None)
        retry = "checkin.retry_yes_no"
    else:
        option = question.option(words.choices.get(word, ""))
        if option is not None:
            return _answer(state, option.id, now, ctx, chosen=None)
        retry = "checkin.retry_choice"
    return _outcome(replies=(_question_reply(state, ctx, Recipient.SENDER, lead=retry),))


def _narrow(state: CheckinState, band: str, now: datetime, ctx: CheckinContext) -> Outcome:
    """A grade in words ("slecht"): a kind word, and only the numbers it may mean as
    buttons; any number may still be typed. The question stays open (the clock restarts)."""
    question = ctx.questions[state.position]

    def button(label: str, token: str) -> Button:
        return Button(label, callback_data(state.checkin_id, state.position, token))

    numbers = tuple(
        button(option.label, option.id)
        for grade in GRADE_BANDS[band]
        if (option := question.option(str(grade))) is not None
    )
    rows = (numbers, (button("checkin.dont_know", DONT_KNOW), button("checkin.skip", SKIP)))
    waiting = replace(state, wake_at=_wake_after_activity(state, now, ctx))
    return _outcome(
        replies=(Reply(f"checkin.narrow.{band}", {"coach": ctx.coach}, buttons=rows),),
        effects=(SaveCheckin(waiting),),
    )


def _answer(
    state: CheckinState, value: str, now: datetime, ctx: CheckinContext, chosen: str | None
) -> Outcome:
    answers = {**state.answers, ctx.questions[state.position].id: value}
    following = ctx.questions.next_position(state.position, answers)
    if following >= len(ctx.questions):
        return _finish(state, answers, now, ctx, chosen)
    moved = replace(
        state,
        position=following,
        answers=answers,
        wake_at=_wake_after_activity(state, now, ctx),
    )
    return _outcome(
        replies=(_question_reply(moved, ctx, Recipient.SENDER),),
        effects=(SaveCheckin(moved),),
        chosen=chosen,
    )


def go_back(state: CheckinState, now: datetime, ctx: CheckinContext) -> Outcome:
    """Back one question ("← Vorige vraag", or typed "terug"); its answer may be changed.

    At the first question the question is simply asked again.
    """
    if not _usable(state, ctx) or state.status is not CheckinStatus.OPEN:
        return _CLOSED
    previous = ctx.questions.previous_position(state.position, state.answers)
    if previous is None:
        return _outcome(replies=(_question_reply(state, ctx, Recipient.SENDER),))
    moved = replace(state, position=previous, wake_at=_wake_after_activity(state, now, ctx))
    return _outcome(
        replies=(_question_reply(moved, ctx, Recipient.SENDER),),
        effects=(SaveCheckin(moved),),
        chosen="checkin.back",
    )


def _reopen(state: CheckinState, now: datetime, ctx: CheckinContext) -> Outcome | None:
    """ "← Oeps, ander antwoord" under the thank-you (pressed, or a back word typed): back to
    the last question, for a while. None when that is over: the button is closed."""
    last = ctx.questions.previous_position(len(ctx.questions), state.answers)
    if (
        state.status is not CheckinStatus.DONE
        or last is None
        or state.finished_at is None
        or now - state.finished_at > ctx.rules.correction_window
    ):
        return None
    reopened = replace(state, status=CheckinStatus.OPEN, position=last, finished_at=None)
    reopened = replace(reopened, wake_at=_wake_after_activity(reopened, now, ctx))
    return _outcome(
        replies=(_question_reply(reopened, ctx, Recipient.SENDER, lead="checkin.try_again"),),
        effects=(SaveCheckin(reopened),),
        chosen="checkin.change",
    )


# -- ending -----------------------------------------------------------------------------------


def _signal_effects(
    state: CheckinState, ctx: CheckinContext
) -> tuple[CheckinState, list[CheckinEffect], list[Signal]]:
    """Raise what is new for this check-in, withdraw what no longer holds; and all signals."""
    past = ctx.past()
    found = signals(state, ctx.questions, past.history, ctx.rules, past.contacted_at)
    causes = tuple(s.cause for s in found)
    effects: list[CheckinEffect] = [
        RaiseSignal(state.client_id, state.checkin_id, s)
        for s in found
        if s.cause not in state.raised
    ]
    effects += [
        WithdrawSignal(state.client_id, state.checkin_id, cause)
        for cause in state.raised
        if cause not in causes
    ]
    return replace(state, raised=causes), effects, found


def _thanks_key(found: list[Signal], answers: dict[str, str]) -> str:
    kinds = {s.kind for s in found}
    if SignalKind.CALL_ME in kinds:
        return "checkin.thanks_call"
    if SignalKind.HELP in kinds:
        return "checkin.thanks_help"
    if SignalKind.LOW_GRADE in kinds:
        return "checkin.thanks_low"
    if all(value in (DONT_KNOW, SKIP) for value in answers.values()):
        return "checkin.thanks_skipped"
    return "checkin.thanks"


def _finish(
    state: CheckinState,
    answers: dict[str, str],
    now: datetime,
    ctx: CheckinContext,
    chosen: str | None,
) -> Outcome:
    done = replace(
        state,
        position=len(ctx.questions),
        answers=answers,
        status=CheckinStatus.DONE,
        finished_at=now,
        wake_at=None,
    )
    done, effects, found = _signal_effects(done, ctx)
    change = Button("checkin.change", callback_data(done.checkin_id, len(ctx.questions), BACK))
    thanks = Reply(
        _thanks_key(found, ctx.questions.effective(answers)),
        {"coach": ctx.coach},
        buttons=((change,),),
    )
    return _outcome(replies=(thanks,), effects=(SaveCheckin(done), *effects), chosen=chosen)


def _complete(questions: QuestionSet, answers: dict[str, str]) -> bool:
    position = questions.next_position(-1, answers)
    while position < len(questions):
        if questions[position].id not in answers:
            return False
        position = questions.next_position(position, answers)
    return True


def close_missed(state: CheckinState, now: datetime, ctx: CheckinContext) -> Outcome:
    """Time is up: close the check-in without a word to the client.

    MISSED without any answer, DONE when every question was passed (after an "oops" that
    was left), else UNFINISHED; what was answered still counts for the signals.
    """
    if state.client_id != ctx.client_id or state.status is not CheckinStatus.OPEN:
        return _outcome()
    if not state.answers:
        status = CheckinStatus.MISSED
    elif state.version == ctx.questions.version and _complete(ctx.questions, state.answers):
        status = CheckinStatus.DONE
    else:
        status = CheckinStatus.UNFINISHED
    closed = replace(state, status=status, finished_at=now, wake_at=None)
    if state.version != ctx.questions.version and status is not CheckinStatus.MISSED:
        return _outcome(effects=(SaveCheckin(closed),))  # its questions are gone: no signals
    closed, effects, _ = _signal_effects(closed, ctx)
    return _outcome(effects=(SaveCheckin(closed), *effects))


def remind(state: CheckinState, now: datetime, ctx: CheckinContext) -> Outcome:
    """The one gentle reminder: a short line and the open question again."""
    if (
        not _usable(state, ctx)
        or state.status is not CheckinStatus.OPEN
        or state.reminded_at is not None
    ):
        return _outcome()
    reminded = replace(state, reminded_at=now, wake_at=now + ctx.rules.close_after)
    return _outcome(
        replies=(_question_reply(reminded, ctx, Recipient.CLIENT, lead="checkin.reminder"),),
        effects=(SaveCheckin(reminded),),
    )


def timer_fired(state: CheckinState, now: datetime, ctx: CheckinContext) -> Outcome:
    """The scheduler tick found ``state.wake_at`` has come: remind once, later close.

    A reminder never goes out in quiet hours (it waits for the morning), and one that is
    overdue by more than ``close_after`` (the bot was down) is dropped: the check-in closes.
    """
    if (
        state.client_id != ctx.client_id
        or state.status is not CheckinStatus.OPEN
        or state.wake_at is None
        or now < state.wake_at
    ):
        return _outcome()
    rules = ctx.rules
    if state.reminded_at is not None or state.version != ctx.questions.version:
        return close_missed(state, now, ctx)
    if now - state.wake_at > rules.close_after:
        return close_missed(state, now, ctx)
    if rules.quiet.is_quiet(now, ctx.timezone):
        later = replace(state, wake_at=rules.quiet.next_waking(now, ctx.timezone))
        return _outcome(effects=(SaveCheckin(later),))
    return remind(state, now, ctx)
