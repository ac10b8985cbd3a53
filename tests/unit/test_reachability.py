"""The rules of ``dialogs.reachability``: a client whose chat refuses messages (403) is marked
once and their coach told once; an open check-in closes as unfinished, never missed; the
client writing again clears it and tells the coach once; scheduled check-ins wait meanwhile.
The clock is passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialogs.caseload import Attention, CaseloadClient, attention
from dialogs.checkin_state import CheckinState, CheckinStatus
from dialogs.outcome import Recipient, SaveCheckin
from dialogs.reachability import Reach, checkins_wait, heard_again, refused

NOW = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
SAM = Reach(client_id=7, name="Sam", active=True)


def test_the_first_refused_message_marks_the_client_and_tells_the_coach() -> None:
    decided = refused(SAM, NOW)
    assert decided is not None
    assert decided.unreachable_since == NOW
    [notice] = decided.outcome.replies
    assert (notice.key, notice.params, notice.to) == (
        "coach_reach.unreachable",
        {"client": "Sam"},
        Recipient.COACH,
    )
    assert decided.outcome.effects == ()


def test_a_second_refused_message_or_a_former_client_changes_nothing() -> None:
    assert refused(Reach(7, "Sam", True, unreachable_since=NOW), NOW + timedelta(days=7)) is None
    assert refused(Reach(7, "Sam", active=False), NOW) is None


def test_an_open_checkin_closes_as_unfinished_never_missed() -> None:
    state = CheckinState(
        checkin_id=3, client_id=7, version="1", sent_at=NOW, wake_at=NOW + timedelta(hours=4)
    )
    decided = refused(Reach(7, "Sam", True, open_checkin=state), NOW)
    assert decided is not None
    [saved] = decided.outcome.effects
    assert isinstance(saved, SaveCheckin)
    assert (saved.state.status, saved.state.finished_at, saved.state.wake_at) == (
        CheckinStatus.UNFINISHED,
        NOW,
        None,
    )


def test_writing_again_clears_the_mark_and_says_whether_checkins_go_on() -> None:
    assert heard_again(SAM) is None  # never marked: nothing to say
    marked = Reach(7, "Sam", True, unreachable_since=NOW)
    going_on = heard_again(marked)
    assert going_on is not None and going_on.unreachable_since is None
    assert [r.key for r in going_on.outcome.replies] == ["coach_reach.reachable"]
    paused = heard_again(Reach(7, "Sam", True, unreachable_since=NOW, paused=True))
    assert paused is not None
    assert [r.key for r in paused.outcome.replies] == ["coach_reach.reachable_paused"]
    former = heard_again(Reach(7, "Sam", False, unreachable_since=NOW))
    assert former is not None and former.unreachable_since is None
    assert former.outcome.replies == ()  # cleared, without bothering a former coach


def test_scheduled_checkins_wait_only_while_marked() -> None:
    assert checkins_wait(NOW) and not checkins_wait(None)


def test_the_list_puts_an_unreachable_client_right_after_an_open_alert() -> None:
    joined = NOW - timedelta(days=30)
    sam = CaseloadClient(7, "Sam", joined, unreachable_since=NOW, missed_in_a_row=1)
    assert attention(sam, NOW, "Europe/Amsterdam") is Attention.UNREACHABLE
    alert = CaseloadClient(8, "Bo", joined, unreachable_since=NOW, open_alert=True)
    assert attention(alert, NOW, "Europe/Amsterdam") is Attention.ALERT
