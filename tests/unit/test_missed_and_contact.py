"""A contact the coach logged ends a run of missed check-ins: "two missed in a row" is for a
coach who has not heard from the client, not for one who just called or visited them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from dialogs.checkin import close_missed
from dialogs.checkin_signals import PastCheckin, signals
from dialogs.checkin_state import CheckinStatus, SignalKind
from tests.unit.test_checkin_dialog import NOW, QUESTIONS, Chat, context, raised

WEEK = timedelta(weeks=1)
ANSWERED = PastCheckin(20, CheckinStatus.DONE, NOW - 2 * WEEK, grade=7)
FIRST = PastCheckin(30, CheckinStatus.MISSED, NOW - WEEK)  # sent a week before this one


def missed_now(
    contacted_at: datetime | None = None, history: tuple[PastCheckin, ...] = ()
) -> list[str]:
    """The causes of the signals when this check-in (41, sent NOW) closes unanswered."""
    chat = Chat(ctx=context(history=history or (ANSWERED, FIRST), contacted_at=contacted_at))
    assert chat.state is not None
    return [s.cause for s in raised(close_missed(chat.state, NOW + timedelta(days=1), chat.ctx))]


def test_two_missed_without_contact_is_a_signal() -> None:
    assert missed_now() == ["missed:30"]
    assert missed_now(contacted_at=NOW - WEEK - timedelta(hours=1)) == ["missed:30"]  # before


def test_a_contact_after_the_first_missed_check_in_ends_the_run() -> None:
    assert missed_now(contacted_at=NOW - timedelta(days=3)) == []  # between the two
    assert missed_now(contacted_at=NOW - WEEK) == []  # the moment the first went out
    assert missed_now(contacted_at=NOW + timedelta(hours=5)) == []  # while this one was open


def test_after_a_contact_two_new_missed_check_ins_are_a_signal_again() -> None:
    second = PastCheckin(35, CheckinStatus.MISSED, NOW - timedelta(days=3))
    history = (ANSWERED, FIRST, second)
    call = NOW - timedelta(days=5)  # after 30, before 35: 35 and this one are a new run
    assert missed_now(contacted_at=call, history=history) == ["missed:35"]


def test_the_pure_rule_takes_the_contact_as_data() -> None:
    opened = Chat().state
    assert opened is not None
    state = replace(opened, status=CheckinStatus.MISSED)
    assert [s.kind for s in signals(state, QUESTIONS, (ANSWERED, FIRST))] == [SignalKind.MISSED]
    assert signals(state, QUESTIONS, (ANSWERED, FIRST), contacted_at=NOW - WEEK / 2) == []
