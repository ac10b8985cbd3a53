"""What the coach should hear about a check-in: the signals, and the rules they follow.

A low grade or a drop below the recent average, help asked for (with its area), "call me",
and a second missed check-in in a row (with no contact the coach logged since the first).
Each signal has a ``cause`` that is unique per client, so the shell stores and sends it once;
computed when a check-in ends, so a corrected wrong press never alerts anyone.
``CheckinRules`` holds the organisation's settings for check-ins and their signals,
``PastCheckin`` an earlier check-in as the signals see it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dialogs.checkin_questions import YES, QuestionSet, SignalRole
from dialogs.checkin_state import CheckinState, CheckinStatus, Signal, SignalKind
from dialogs.outcome import TextRef
from dialogs.schedule import DEFAULT_QUIET, QuietHours

__all__ = ["CheckinRules", "PastCheckin", "grade_of", "signals"]


@dataclass(frozen=True)
class CheckinRules:
    """The organisation's settings for check-ins and signals (defaults from the issue)."""

    low_grade: int = 4  # a grade at or below this is a signal
    drop: int = 3  # a grade this much below the recent average is a signal
    drop_window: int = 3  # how many earlier answered grades make the recent average
    drop_min_history: int = 2  # fewer earlier grades than this: no drop signal yet
    missed_in_a_row: int = 2
    remind_after: timedelta = timedelta(hours=4)
    close_after: timedelta = timedelta(hours=24)  # after the reminder (or the last activity)
    correction_window: timedelta = timedelta(hours=1)  # "oops" still works after the thanks
    quiet: QuietHours = DEFAULT_QUIET


@dataclass(frozen=True)
class PastCheckin:
    """An earlier check-in of the same client, as plain data for the signals."""

    checkin_id: int
    status: CheckinStatus
    sent_at: datetime
    grade: int | None = None  # the answer to the question with ``signal: grade``, if any


def _grade_signal(
    state: CheckinState, grade: int, history: Sequence[PastCheckin], rules: CheckinRules
) -> Signal | None:
    earlier = [p.grade for p in history if p.grade is not None][-rules.drop_window :]
    dropped = (
        len(earlier) >= max(1, rules.drop_min_history)
        and sum(earlier) / len(earlier) - grade >= rules.drop
    )
    cause = f"checkin:{state.checkin_id}:grade"
    shown = ", ".join(str(g) for g in earlier)
    if grade <= rules.low_grade:
        if dropped:
            return Signal(
                SignalKind.LOW_GRADE,
                cause,
                "coach_checkin.grade_low_drop",
                {"grade": grade, "earlier": shown},
            )
        return Signal(SignalKind.LOW_GRADE, cause, "coach_checkin.grade_low", {"grade": grade})
    if dropped:
        return Signal(
            SignalKind.GRADE_DROP,
            cause,
            "coach_checkin.grade_drop",
            {"grade": grade, "earlier": shown},
        )
    return None


def _missed_signal(
    state: CheckinState,
    history: Sequence[PastCheckin],
    rules: CheckinRules,
    contacted_at: datetime | None,
) -> Signal | None:
    if contacted_at is not None and contacted_at >= state.sent_at:
        return None  # the coach spoke to the client while this check-in was open
    streak = [state.checkin_id]
    since = state.sent_at
    for past in reversed(history):
        if past.status is not CheckinStatus.MISSED:
            break
        if contacted_at is not None and contacted_at >= past.sent_at:
            break  # the coach spoke to the client since: the streak starts after that
        streak.append(past.checkin_id)
        since = past.sent_at
    if len(streak) != rules.missed_in_a_row:
        return None  # only when the streak reaches the threshold: once per streak
    return Signal(
        SignalKind.MISSED,
        f"missed:{streak[-1]}",
        "coach_checkin.missed",
        {"count": len(streak), "since": since},
    )


def signals(
    state: CheckinState,
    questions: QuestionSet,
    history: Sequence[PastCheckin] = (),
    rules: CheckinRules | None = None,
    contacted_at: datetime | None = None,
) -> list[Signal]:
    """What the coach should hear about this check-in, each with a distinct dedupe ``cause``.

    * a grade at or below ``low_grade``, or ``drop`` below the average of the last
      ``drop_window`` earlier grades: one signal per check-in (``checkin:<id>:grade``);
    * help needed, with the area when given (``checkin:<id>:help[:<area>]``);
    * "shall your coach call you": yes (``checkin:<id>:call``);
    * a MISSED check-in that makes ``missed_in_a_row`` in a row (``missed:<first id>``): once
      per streak, not again at the third. A contact the coach logged (a call, a visit, a talk
      elsewhere; ``contacted_at``, the latest) ends a streak: only check-ins sent after it
      count, as the coach already knows how the client is.

    ``history`` holds the earlier check-ins, oldest first, without this one.
    """
    rules = rules or CheckinRules()
    if state.status is CheckinStatus.MISSED:
        missed = _missed_signal(state, history, rules, contacted_at)
        return [missed] if missed else []
    answers = questions.effective(state.answers)
    found: list[Signal] = []
    prefix = f"checkin:{state.checkin_id}"

    def answer(role: SignalRole) -> tuple[str | None, str | None]:
        question = questions.with_role(role)
        if question is None:
            return None, None
        value = answers.get(question.id)
        option = question.option(value) if value else None
        return value, option.label if option else None

    grade = _as_grade(answer(SignalRole.GRADE)[0])
    if grade is not None:
        low = _grade_signal(state, grade, history, rules)
        if low:
            found.append(low)
    help_wanted, _ = answer(SignalRole.HELP)
    area, area_label = answer(SignalRole.HELP_AREA)
    if area is not None and area_label is not None:
        found.append(
            Signal(
                SignalKind.HELP,
                f"{prefix}:help:{area}",
                "coach_checkin.help_area",
                {"area": TextRef(area_label)},
            )
        )
    elif help_wanted == YES:
        found.append(Signal(SignalKind.HELP, f"{prefix}:help", "coach_checkin.help", {}))
    call, _ = answer(SignalRole.CALL_ME)
    if call == YES:
        found.append(Signal(SignalKind.CALL_ME, f"{prefix}:call", "coach_checkin.call_me", {}))
    return found


def grade_of(state: CheckinState, questions: QuestionSet) -> int | None:
    """The answered grade of a check-in (for ``PastCheckin.grade``), if any."""
    question = questions.with_role(SignalRole.GRADE)
    return _as_grade(questions.effective(state.answers).get(question.id) if question else None)


def _as_grade(value: str | None) -> int | None:
    return int(value) if value is not None and re.fullmatch(r"[0-9]{1,2}", value) else None
