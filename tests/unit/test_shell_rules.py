"""The rules that moved out of the shell into the dialogs: who an alert goes to, what pausing
does, when a check-in may start, what the coach is told about a signal, and which dialog a
button belongs to. Pure functions, a fixed clock, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogs import language, message_mode
from dialogs.alert_routing import CoachHours, Reachable, backups_to_tell, route_alert
from dialogs.buttons import ButtonKind, kind_of
from dialogs.checkin import callback_data
from dialogs.checkin_state import CheckinState, CheckinStatus, Signal, SignalKind
from dialogs.coach import STOP_JOINING_PREFIX
from dialogs.coach_notes import closed_for_pause, signal_note, withdrawn_note
from dialogs.noodknop import _alert_buttons
from dialogs.onboarding import CONSENT_YES, VOICE_NO
from dialogs.outcome import READ_ALOUD_DATA, Recipient, TextRef
from dialogs.relay import seen_data
from dialogs.schedule import (
    DEFAULT_QUIET,
    Rhythm,
    Schedule,
    hold_back,
    paused_or_resumed,
    plan_due,
    plan_due_with_alert,
)

AMS = ZoneInfo("Europe/Amsterdam")
ANNA = Reachable(101, 1, "coach", "nl")
BRAM = Reachable(102, 2, "backup", "nl")
TEAM = Reachable(-500, None, "group", "nl")
OFFICE_HOURS = CoachHours("12345", "09:00", "17:00")
MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=AMS)
MONDAY_NIGHT = datetime(2026, 11, 30, 23, 0, tzinfo=AMS)


# -- who an alert goes to ----------------------------------------------------------------------


def test_in_her_hours_only_the_coach_hears_the_alert() -> None:
    route = route_alert(ANNA, OFFICE_HOURS, [BRAM, TEAM], MONDAY_NOON)
    assert route.told == (ANNA,)
    assert not route.off_hours and not route.nobody


def test_off_hours_the_coach_and_every_backup_hear_it_at_once() -> None:
    route = route_alert(ANNA, OFFICE_HOURS, [BRAM, TEAM], MONDAY_NIGHT)
    assert route.told == (ANNA, BRAM, TEAM)
    assert route.off_hours


def test_a_coach_who_cannot_be_reached_sends_it_to_the_backups() -> None:
    route = route_alert(None, OFFICE_HOURS, [BRAM], MONDAY_NOON)
    assert route.told == (BRAM,)
    assert route.off_hours and not route.nobody


def test_nobody_reachable_means_nobody_told() -> None:
    route = route_alert(None, None, [], MONDAY_NOON)
    assert route.told == () and route.nobody


def test_backups_already_told_are_not_told_twice() -> None:
    assert backups_to_tell([BRAM, TEAM, BRAM], [ANNA, TEAM]) == [BRAM]


# -- pausing, and when a check-in may start ------------------------------------------------------


def _weekly(**changes: object) -> Schedule:
    return Schedule(
        rhythm=Rhythm.WEEKLY, weekday=0, at=time(10), timezone="Europe/Amsterdam", **changes
    )  # type: ignore[arg-type]


def test_pausing_keeps_the_series_and_resuming_counts_from_now() -> None:
    schedule = _weekly()
    now = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # Monday, after this week's 10:00
    paused = paused_or_resumed(schedule, True, now)
    assert paused.paused and paused.starts == schedule.starts
    resumed = paused_or_resumed(paused, False, now)
    assert not resumed.paused
    assert resumed.starts == date(2026, 12, 7)  # next Monday, no catching up


def test_a_check_in_due_while_an_alert_is_open_is_held_back() -> None:
    schedule = _weekly()
    due = datetime(2026, 11, 30, 10, 0, tzinfo=AMS).astimezone(UTC)
    now = due + timedelta(minutes=1)
    assert plan_due(schedule, due, now, DEFAULT_QUIET).send
    held = plan_due_with_alert(schedule, due, now, DEFAULT_QUIET, alert_open=True)
    assert not held.send
    assert held.next_due_at == hold_back(schedule, now, DEFAULT_QUIET)
    assert held.next_due_at is not None and held.next_due_at > now
    free = plan_due_with_alert(schedule, due, now, DEFAULT_QUIET, alert_open=False)
    assert free.send


def test_a_pause_closes_an_open_check_in_as_unfinished_never_missed() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    state = CheckinState(
        checkin_id=7,
        client_id=3,
        version="1",
        sent_at=now - timedelta(hours=2),
        wake_at=now + timedelta(hours=1),
    )
    closed = closed_for_pause(state, now)
    assert closed.status is CheckinStatus.UNFINISHED
    assert closed.finished_at == now and closed.wake_at is None
    assert closed.checkin_id == 7 and closed.answers == state.answers


# -- what the coach is told --------------------------------------------------------------------


def test_a_signal_note_names_the_client_for_their_coach() -> None:
    signal = Signal(SignalKind.LOW_GRADE, "low:7", "coach_checkin.signal.low_grade", {"grade": 2})
    note = signal_note(signal, "Sam", 31, phone_known=True)
    assert note.to is Recipient.COACH
    assert note.key == "coach_checkin.signal.low_grade"
    assert note.params == {"grade": 2, "client": "Sam"}
    assert [b.data for row in note.buttons for b in row] == [
        "sg:31:call",
        "sg:31:message",
        "sg:31:done",
    ]
    no_number = signal_note(signal, "Sam", 31, phone_known=False)  # no "📞 Ik bel"
    assert [b.data for row in no_number.buttons for b in row] == ["sg:31:message", "sg:31:done"]


def test_a_withdrawn_note_says_what_no_longer_holds() -> None:
    note = withdrawn_note("low_grade", "Sam")
    assert note.to is Recipient.COACH and note.key == "coach_checkin.withdrawn"
    assert note.params == {"client": "Sam", "what": TextRef("coach_checkin.what.low_grade")}


# -- one codec for button data -----------------------------------------------------------------


def test_every_button_the_dialogs_make_is_routed_by_its_prefix() -> None:
    made = {
        READ_ALOUD_DATA: ButtonKind.READ_ALOUD,
        callback_data(12, 0, "ab"): ButtonKind.CHECKIN,
        _alert_buttons(None)[0][0].data.replace("{alert_id}", "4"): ButtonKind.ALERT,
        "nk:4:accident": ButtonKind.ALERT_REASON,
        seen_data(9): ButtonKind.RELAY_SEEN,
        "rl:y:5:seal": ButtonKind.RELAY_CONFIRM,
        "rt:3:weekly": ButtonKind.SCHEDULE,
        CONSENT_YES: ButtonKind.ONBOARDING,
        VOICE_NO: ButtonKind.ONBOARDING,
        message_mode.CANCEL_DATA: ButtonKind.MESSAGE_CANCEL,
        f"{language.PREFIX}en": ButtonKind.LANGUAGE,
        f"{STOP_JOINING_PREFIX}9:y:en": ButtonKind.STOP_JOINING,
    }
    assert {data: kind_of(data) for data in made} == made


def test_forged_or_unknown_button_data_is_unknown() -> None:
    for data in ("", "x", "zz:1", ":ci:1", "CI:1:0:ab", "ra2", "ra:1", "ci", "rt", "hn:1"):
        assert kind_of(data) is ButtonKind.UNKNOWN, data
