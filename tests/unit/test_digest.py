"""The weekly digest's rules: when it is due, and what it says (or that it says nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from dialogs.caseload import CaseloadClient
from dialogs.digest import MOST_NAMED, DigestWeek, compose, is_due
from dialogs.outcome import Lines, TextRef
from dialogs.schedule import Rhythm

ZONE = "Europe/Amsterdam"
# Monday 30 November 2026, 08:30 in Amsterdam.
MONDAY_0830 = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
AT = time(8, 30)


def test_due_from_the_moment_on_the_day_and_once() -> None:
    assert not is_due(1, AT, None, MONDAY_0830 - timedelta(minutes=1), ZONE)
    assert is_due(1, AT, None, MONDAY_0830, ZONE)
    assert is_due(1, AT, None, MONDAY_0830 + timedelta(hours=23), ZONE)  # the bot was down
    assert not is_due(1, AT, None, MONDAY_0830 + timedelta(days=1), ZONE)  # too late: skipped
    sent = MONDAY_0830 + timedelta(minutes=2)
    assert not is_due(1, AT, sent, MONDAY_0830 + timedelta(hours=1), ZONE)
    assert is_due(1, AT, sent, MONDAY_0830 + timedelta(days=7), ZONE)  # next week again
    # The coach moved the day to Wednesday after Monday's: not twice in one week.
    assert not is_due(3, AT, sent, MONDAY_0830 + timedelta(days=2), ZONE)
    assert is_due(3, AT, sent, MONDAY_0830 + timedelta(days=9), ZONE)


def _client(n: int, **kw: object) -> CaseloadClient:
    base: dict[str, object] = {
        "id": n,
        "name": f"C{n}",
        "joined_at": MONDAY_0830 - timedelta(days=3),
        "last_contact": MONDAY_0830 - timedelta(days=1),
        "rhythm": Rhythm("weekly"),
    }
    return CaseloadClient(**(base | kw))  # type: ignore[arg-type]


def test_nothing_to_say_sends_nothing() -> None:
    calm = DigestWeek((_client(1), _client(2)), answered=0, missed=0, timezone=ZONE)
    assert compose(calm, MONDAY_0830) is None
    assert compose(DigestWeek((), 0, 0, ZONE), MONDAY_0830) is None


def test_a_calm_week_with_answers_says_so() -> None:
    reply = compose(DigestWeek((_client(1),), answered=3, missed=0, timezone=ZONE), MONDAY_0830)
    assert reply is not None
    assert reply.params["attention"] == TextRef("digest.nobody")
    assert (reply.params["answered"], reply.params["missed"]) == (3, 0)
    assert [b.data for row in reply.buttons for b in row] == ["cg:0"]


def test_who_needs_attention_in_the_order_of_the_list_and_the_counts() -> None:
    clients = (
        _client(1),
        _client(2, open_signals=2),
        _client(3, open_alert=True),
        _client(4, last_contact=MONDAY_0830 - timedelta(days=20)),  # overdue for weekly
        _client(5, missed_in_a_row=1),
    )
    reply = compose(DigestWeek(clients, answered=1, missed=2, timezone=ZONE), MONDAY_0830)
    assert reply is not None
    lines = reply.params["attention"]
    assert isinstance(lines, Lines)
    assert [line.params["client"] for line in lines.items] == ["C3", "C2", "C4", "C5"]
    assert (reply.params["alerts"], reply.params["signals"], reply.params["overdue"]) == (1, 2, 1)


def test_past_the_most_named_the_rest_are_counted() -> None:
    clients = tuple(_client(n, open_signals=1) for n in range(MOST_NAMED + 3))
    reply = compose(DigestWeek(clients, 0, 0, ZONE), MONDAY_0830)
    assert reply is not None
    lines = reply.params["attention"]
    assert isinstance(lines, Lines)
    assert len(lines.items) == MOST_NAMED + 1
    assert lines.items[-1] == TextRef("digest.more", {"count": 3})
