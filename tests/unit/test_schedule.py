"""Check-in timing: rhythms, both clock changes, quiet hours, reminders, downtime, pausing."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from dialogs.schedule import (
    DEFAULT_QUIET,
    DuePlan,
    QuietHours,
    Rhythm,
    Schedule,
    changed_schedule,
    first_day_after_change,
    hold_back,
    last_due,
    next_due,
    paused_or_resumed,
    plan_due,
    reminder_due,
)

AMS = ZoneInfo("Europe/Amsterdam")
NO_QUIET = QuietHours(time(0), time(0))


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment given on the Amsterdam wall clock, as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


def weekly(weekday: int, at: time, **changes: object) -> Schedule:
    return Schedule(rhythm=Rhythm.WEEKLY, weekday=weekday, at=at, **changes)  # type: ignore[arg-type]


# -- the clock changes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before, after",
    [
        # spring forward: last Sunday of March (02:00 -> 03:00)
        (date(2026, 3, 22), date(2026, 3, 29)),
        (date(2027, 3, 21), date(2027, 3, 28)),
        # fall back: last Sunday of October (03:00 -> 02:00)
        (date(2026, 10, 18), date(2026, 10, 25)),
        (date(2027, 10, 24), date(2027, 10, 31)),
    ],
)
def test_nine_stays_nine_across_the_clock_change(before: date, after: date) -> None:
    schedule = weekly(6, time(9))  # Sundays at 09:00
    due = next_due(schedule, local(before.year, before.month, before.day, 9))
    assert due == local(after.year, after.month, after.day, 9)
    assert due is not None and due.astimezone(AMS).hour == 9
    assert due - local(before.year, before.month, before.day, 9) != timedelta(weeks=1)


def test_the_utc_moment_moves_an_hour_with_the_clock_change() -> None:
    schedule = weekly(0, time(10))  # Mondays at 10:00
    assert next_due(schedule, local(2026, 3, 24, 12)) == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert next_due(schedule, local(2026, 3, 20, 12)) == datetime(2026, 3, 23, 9, tzinfo=UTC)
    assert next_due(schedule, local(2026, 10, 27, 12)) == datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_a_time_inside_the_spring_gap_lands_an_hour_later() -> None:
    schedule = weekly(6, time(2, 30))
    due = next_due(schedule, local(2026, 3, 28, 12), NO_QUIET)
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 summer time


def test_a_time_that_happens_twice_in_autumn_is_the_first() -> None:
    schedule = weekly(6, time(2, 30))
    due = next_due(schedule, local(2026, 10, 24, 12), NO_QUIET)
    assert due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time
    assert next_due(schedule, due, NO_QUIET) == local(2026, 11, 1, 2, 30)


# -- rhythms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rhythm, weeks",
    [
        (Rhythm.WEEKLY, 1),
        (Rhythm.EVERY_2_WEEKS, 2),
        (Rhythm.EVERY_4_WEEKS, 4),
        (Rhythm.EVERY_6_WEEKS, 6),
        (Rhythm.EVERY_3_MONTHS, 13),
    ],
)
def test_each_rhythm_repeats_on_its_weekday_and_local_time(rhythm: Rhythm, weeks: int) -> None:
    schedule = Schedule(rhythm=rhythm, weekday=1, at=time(10, 30), starts=date(2026, 1, 1))
    moment = local(2026, 1, 1, 0)
    seen = []
    for _ in range(12):  # more than two years for the longest rhythm, both clock changes
        due = next_due(schedule, moment)
        assert due is not None
        seen.append(due.astimezone(AMS))
        moment = due
    assert seen[0].date() == date(2026, 1, 6)  # the first Tuesday on or after the start
    assert all(s.weekday() == 1 and (s.hour, s.minute) == (10, 30) for s in seen)
    gaps = {(b.date() - a.date()).days for a, b in pairwise(seen)}
    assert gaps == {7 * weeks}


def test_every_three_months_is_thirteen_weeks_on_the_same_weekday() -> None:
    schedule = Schedule(
        rhythm=Rhythm.EVERY_3_MONTHS, weekday=3, at=time(9), starts=date(2026, 1, 1)
    )
    first = next_due(schedule, local(2025, 12, 31, 12))
    assert first == local(2026, 1, 1, 9)
    assert next_due(schedule, first) == local(2026, 4, 2, 9)  # a Thursday again


def test_between_two_due_times_the_next_is_the_one_after() -> None:
    schedule = Schedule(
        rhythm=Rhythm.EVERY_2_WEEKS, weekday=0, at=time(10), starts=date(2026, 11, 2)
    )
    assert next_due(schedule, local(2026, 11, 2, 9, 59)) == local(2026, 11, 2, 10)
    assert next_due(schedule, local(2026, 11, 2, 10)) == local(2026, 11, 16, 10)  # strictly after
    assert next_due(schedule, local(2026, 11, 9, 10)) == local(2026, 11, 16, 10)  # off week


def test_a_new_schedule_starts_at_the_first_matching_moment_after_now() -> None:
    now = local(2026, 11, 2, 10)  # Monday 10:00
    later_today = Schedule.starting_after(now, rhythm=Rhythm.EVERY_6_WEEKS, weekday=0, at=time(11))
    assert next_due(later_today, now) == local(2026, 11, 2, 11)
    passed = Schedule.starting_after(now, rhythm=Rhythm.EVERY_6_WEEKS, weekday=0, at=time(9))
    assert next_due(passed, now) == local(2026, 11, 9, 9)
    friday = Schedule.starting_after(now, rhythm=Rhythm.EVERY_6_WEEKS, weekday=4, at=time(9))
    assert next_due(friday, now) == local(2026, 11, 6, 9)
    assert next_due(friday, local(2026, 11, 6, 9)) == local(2026, 12, 18, 9)


def test_a_paused_schedule_is_never_due() -> None:
    schedule = weekly(0, time(10), paused=True)
    assert next_due(schedule, local(2026, 11, 2, 9)) is None
    assert plan_due(schedule, local(2026, 11, 2, 10), local(2026, 11, 2, 10)) == DuePlan(
        send=False, next_due_at=None
    )


@pytest.mark.parametrize(
    "changes",
    [{"weekday": 7}, {"weekday": -1}, {"at": time(9, tzinfo=UTC)}, {"timezone": "Mars/Base"}],
)
def test_an_impossible_schedule_is_refused(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {"rhythm": Rhythm.WEEKLY, "weekday": 0, "at": time(9)}
    with pytest.raises(ValueError):
        Schedule(**{**fields, **changes})  # type: ignore[arg-type]


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError):
        next_due(weekly(0, time(9)), datetime(2026, 11, 2, 9))  # noqa: DTZ001


# -- quiet hours --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hour, minute, quiet",
    [(20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True), (7, 59, True), (8, 0, False)],
)
def test_quiet_hours_run_from_nine_in_the_evening_to_eight(
    hour: int, minute: int, quiet: bool
) -> None:
    assert DEFAULT_QUIET.is_quiet(local(2026, 11, 2, hour, minute), "Europe/Amsterdam") is quiet


def test_next_waking_is_the_morning_after_quiet_hours() -> None:
    tz = "Europe/Amsterdam"
    assert DEFAULT_QUIET.next_waking(local(2026, 11, 2, 23), tz) == local(2026, 11, 3, 8)
    assert DEFAULT_QUIET.next_waking(local(2026, 11, 3, 2), tz) == local(2026, 11, 3, 8)
    assert DEFAULT_QUIET.next_waking(local(2026, 11, 3, 12), tz) == local(2026, 11, 3, 12)
    # the night of the spring clock change is an hour shorter, but 08:00 is still 08:00
    assert DEFAULT_QUIET.next_waking(local(2026, 3, 28, 22), tz) == local(2026, 3, 29, 8)


def test_quiet_hours_within_one_day_and_none_at_all() -> None:
    siesta = QuietHours(time(13), time(15))
    assert siesta.is_quiet(local(2026, 11, 2, 14), AMS)
    assert not siesta.is_quiet(local(2026, 11, 2, 15), AMS)
    assert siesta.next_waking(local(2026, 11, 2, 14), AMS) == local(2026, 11, 2, 15)
    assert not NO_QUIET.is_quiet(local(2026, 11, 2, 3), AMS)


def test_a_chosen_time_in_quiet_hours_moves_to_the_next_morning() -> None:
    schedule = weekly(0, time(22))  # Monday 22:00 is quiet
    due = next_due(schedule, local(2026, 11, 1, 12))
    assert due == local(2026, 11, 3, 8)
    assert next_due(schedule, due) == local(2026, 11, 10, 8)  # and the series goes on


# -- reminders ----------------------------------------------------------------------------------


def test_the_reminder_comes_after_four_hours_in_waking_hours() -> None:
    assert reminder_due(local(2026, 11, 2, 10)) == local(2026, 11, 2, 14)
    assert reminder_due(local(2026, 11, 2, 18, 30)) == local(2026, 11, 3, 8)
    assert reminder_due(local(2026, 11, 2, 10), timedelta(hours=2)) == local(2026, 11, 2, 12)
    # four real hours, also across the clock change
    reminder = reminder_due(local(2026, 10, 24, 23), timedelta(hours=4), NO_QUIET)
    assert reminder == datetime(2026, 10, 25, 1, tzinfo=UTC)  # 02:00 winter time


# -- late after downtime ------------------------------------------------------------------------


def test_on_time_the_check_in_is_sent_and_the_next_one_planned() -> None:
    schedule = weekly(0, time(10))
    due = local(2026, 11, 2, 10)
    assert plan_due(schedule, due, due) == DuePlan(send=True, next_due_at=local(2026, 11, 9, 10))


def test_before_its_time_nothing_happens() -> None:
    due = local(2026, 11, 2, 10)
    assert plan_due(weekly(0, time(10)), due, due - timedelta(minutes=1)) == DuePlan(False, due)


def test_late_on_the_same_day_it_is_still_sent() -> None:
    plan = plan_due(weekly(0, time(10)), local(2026, 11, 2, 10), local(2026, 11, 2, 17))
    assert plan == DuePlan(send=True, next_due_at=local(2026, 11, 9, 10))


@pytest.mark.parametrize("back", [local(2026, 11, 2, 21, 30), local(2026, 11, 3, 9)])
def test_a_weekly_check_in_missed_by_downtime_is_skipped(back: datetime) -> None:
    plan = plan_due(weekly(0, time(10)), local(2026, 11, 2, 10), back)
    assert plan == DuePlan(send=False, next_due_at=local(2026, 11, 9, 10))


def test_a_three_monthly_check_in_is_still_sent_a_few_days_late() -> None:
    schedule = Schedule(
        rhythm=Rhythm.EVERY_3_MONTHS, weekday=0, at=time(10), starts=date(2026, 11, 2)
    )
    due = local(2026, 11, 2, 10)
    plan = plan_due(schedule, due, local(2026, 11, 5, 12))
    assert plan == DuePlan(send=True, next_due_at=local(2027, 2, 1, 10))
    # back in the night: wait for the morning, then send
    waiting = plan_due(schedule, due, local(2026, 11, 5, 23))
    assert waiting == DuePlan(send=False, next_due_at=local(2026, 11, 6, 8))
    assert waiting.next_due_at is not None
    assert plan_due(schedule, waiting.next_due_at, waiting.next_due_at).send
    # more than a week late: skipped to the next one
    stale = plan_due(schedule, due, local(2026, 11, 12, 12))
    assert stale == DuePlan(send=False, next_due_at=local(2027, 2, 1, 10))


# -- held back while a noodknop alert is open ---------------------------------------------------


def _every(rhythm: Rhythm) -> Schedule:
    return Schedule(rhythm=rhythm, weekday=0, at=time(10), starts=date(2026, 11, 2))


def test_the_moment_a_check_in_belongs_to() -> None:
    schedule = weekly(0, time(10), starts=date(2026, 11, 2))
    assert last_due(schedule, local(2026, 11, 2, 10)) == local(2026, 11, 2, 10)
    assert last_due(schedule, local(2026, 11, 8, 23)) == local(2026, 11, 2, 10)
    assert last_due(schedule, local(2026, 11, 2, 9, 59)) is None  # the series starts later
    assert last_due(replace(schedule, paused=True), local(2026, 11, 9, 10)) is None
    late_night = weekly(0, time(22), starts=date(2026, 11, 2))  # quiet: moved to 08:00
    assert last_due(late_night, local(2026, 11, 3, 9)) == local(2026, 11, 3, 8)
    # across the clock change, still 10:00 on the wall clock
    spring = weekly(0, time(10), starts=date(2027, 3, 1))
    assert last_due(spring, local(2027, 3, 29, 12)) == local(2027, 3, 29, 10)


def test_a_held_back_check_in_is_looked_at_again_in_an_hour() -> None:
    assert hold_back(_every(Rhythm.WEEKLY), local(2026, 11, 2, 10)) == local(2026, 11, 2, 11)
    assert hold_back(
        _every(Rhythm.WEEKLY), local(2026, 11, 2, 15, 30), wait=timedelta(hours=2)
    ) == (local(2026, 11, 2, 17, 30))


def test_a_weekly_check_in_held_back_until_the_evening_is_skipped() -> None:
    # 21:30 is quiet; by the morning it is another day: next week's comes as scheduled.
    assert hold_back(_every(Rhythm.WEEKLY), local(2026, 11, 2, 20, 30)) == local(2026, 11, 9, 10)


def test_a_rare_check_in_waits_through_the_night_but_not_past_a_week() -> None:
    schedule = _every(Rhythm.EVERY_4_WEEKS)
    assert hold_back(schedule, local(2026, 11, 2, 20, 30)) == local(2026, 11, 3, 8)
    assert hold_back(schedule, local(2026, 11, 9, 10)) == local(2026, 11, 9, 11)  # a week late
    assert hold_back(schedule, local(2026, 11, 9, 20, 30)) == local(2026, 11, 30, 10)


@pytest.mark.parametrize("rhythm", list(Rhythm))
def test_an_alert_that_stays_open_lets_the_held_back_check_in_go_stale(rhythm: Rhythm) -> None:
    """The clock looks again every hour. Each look counts from the moment the check-in was
    due, not from the last look, so it ends at the next one of the series (it used to roll
    on by the hour for as long as the alert stayed open)."""
    schedule = _every(rhythm)
    due = local(2026, 11, 2, 10)
    now, looks = due, 0
    while (later := hold_back(schedule, now)) != next_due(schedule, due):
        assert later is not None and later > now
        assert plan_due(schedule, later, later).send  # a look that is not quiet
        assert (later - due).days <= rhythm.grace_days
        now, looks = later, looks + 1
    # the last look: 20:00 on the last day it may be sent (the one after that is quiet)
    assert now == local(2026, 11, 2 + rhythm.grace_days, 20)
    assert looks == 10 + 13 * rhythm.grace_days  # 11:00-20:00, then 08:00-20:00 each day
    assert hold_back(replace(schedule, paused=True), due) is None


# -- properties (seeded, thousands of cases) ----------------------------------------------------


def _random_schedule(rng: random.Random, waking_only: bool) -> Schedule:
    hours = range(8, 21) if waking_only else range(24)
    return Schedule(
        rhythm=rng.choice(list(Rhythm)),
        weekday=rng.randrange(7),
        at=time(rng.choice(hours), rng.choice([0, 15, 30, 45, 59])),
        timezone=rng.choice(["Europe/Amsterdam", "Europe/London", "America/New_York"]),
        starts=date(2025, 1, 1) + timedelta(days=rng.randrange(800)),
    )


def _random_moment(rng: random.Random) -> datetime:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    return start + timedelta(minutes=rng.randrange(60 * 24 * 365 * 3))


def test_next_due_is_after_on_its_weekday_and_time_and_never_quiet() -> None:
    rng = random.Random(20261102)
    for _ in range(3000):
        schedule = _random_schedule(rng, waking_only=True)
        after = _random_moment(rng)
        due = next_due(schedule, after)
        assert due is not None and due > after, (schedule, after)
        seen = due.astimezone(ZoneInfo(schedule.timezone))
        assert seen.weekday() == schedule.weekday, (schedule, after)
        assert (seen.hour, seen.minute) == (schedule.at.hour, schedule.at.minute)
        assert not DEFAULT_QUIET.is_quiet(due, schedule.timezone)
        if after >= schedule.moment_on(schedule.first_day):
            assert due - after <= timedelta(weeks=schedule.rhythm.weeks, hours=1)


def test_next_due_is_never_quiet_even_for_a_quiet_chosen_time() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        schedule = _random_schedule(rng, waking_only=False)
        after = _random_moment(rng)
        due = next_due(schedule, after)
        assert due is not None and due > after
        assert not DEFAULT_QUIET.is_quiet(due, schedule.timezone)
        assert next_due(schedule, due) != due


def test_plan_due_never_sends_in_quiet_hours_or_before_its_time() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        schedule = _random_schedule(rng, waking_only=False)
        due = next_due(schedule, _random_moment(rng))
        assert due is not None
        now = due + timedelta(minutes=rng.randrange(-600, 60 * 24 * 10))
        plan = plan_due(schedule, due, now)
        if plan.send:
            assert now >= due and not DEFAULT_QUIET.is_quiet(now, schedule.timezone)
        assert plan.next_due_at is not None
        assert plan.next_due_at > now


# -- the next check-in after a change (the rules in dialogs/schedule.py) -------------------------

# Monday 30 November 2026, 09:00 in Amsterdam: before a Monday 10:00 check-in.
MONDAY_MORNING = local(2026, 11, 30, 9)
LAST_MONDAY = local(2026, 11, 23, 10)  # the last check-in the client got


def first(rhythm: Rhythm, weekday: int = 0, last: datetime | None = LAST_MONDAY) -> date:
    return first_day_after_change(MONDAY_MORNING, rhythm=rhythm, weekday=weekday, last_checkin=last)


def test_every_two_weeks_counts_from_the_last_check_in_never_today() -> None:
    # Chosen on Monday 30 November before 10:00: not today, but two weeks after the last one.
    assert first(Rhythm.EVERY_2_WEEKS) == date(2026, 12, 7)
    schedule = changed_schedule(
        MONDAY_MORNING,
        rhythm=Rhythm.EVERY_2_WEEKS,
        weekday=0,
        at=time(10),
        last_checkin=LAST_MONDAY,
    )
    assert next_due(schedule, MONDAY_MORNING) == local(2026, 12, 7, 10)
    assert next_due(schedule, local(2026, 12, 7, 10)) == local(2026, 12, 21, 10)


def test_every_three_months_is_about_thirteen_weeks_after_the_last_one() -> None:
    day = first(Rhythm.EVERY_3_MONTHS)
    assert day == date(2027, 2, 22)  # 13 weeks after 23 November, a Monday
    assert (day - MONDAY_MORNING.date()).days > 80  # never next week


@pytest.mark.parametrize("rhythm", list(Rhythm))
@pytest.mark.parametrize("weekday", range(7))
def test_without_a_check_in_yet_the_interval_counts_from_today(
    rhythm: Rhythm, weekday: int
) -> None:
    day = first(rhythm, weekday, last=None)
    assert day.weekday() == weekday
    assert abs((day - MONDAY_MORNING.date()).days - 7 * rhythm.weeks) <= 3  # the nearest one


@pytest.mark.parametrize("rhythm", list(Rhythm))
@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize("days_ago", [0, 1, 6, 13, 20, 60, 200])
def test_never_today_never_in_the_past_and_on_the_chosen_weekday(
    rhythm: Rhythm, weekday: int, days_ago: int
) -> None:
    last = MONDAY_MORNING - timedelta(days=days_ago)
    day = first(rhythm, weekday, last=last)
    today = MONDAY_MORNING.date()
    assert day > today and day.weekday() == weekday
    target = last.date() + timedelta(weeks=rhythm.weeks)
    if target - timedelta(days=3) > today:
        assert abs((day - target).days) <= 3  # about the rhythm after the last one
    else:
        assert (day - today).days <= 7  # overdue: the first chosen weekday after today


def test_an_overdue_client_gets_the_next_chosen_weekday() -> None:
    # Weekly, but the last check-in was three weeks ago: Thursday this week, not today.
    assert first(Rhythm.WEEKLY, 3, last=local(2026, 11, 9, 10)) == date(2026, 12, 3)
    # The same weekday as today: next week's, not today's.
    assert first(Rhythm.WEEKLY, 0, last=local(2026, 11, 9, 10)) == date(2026, 12, 7)


def test_resuming_counts_from_the_last_check_in_without_catching_up() -> None:
    paused = replace(weekly(0, time(10)), paused=True)
    assert paused_or_resumed(paused, False, MONDAY_MORNING, LAST_MONDAY).starts == date(2026, 12, 7)
    rare = Schedule(rhythm=Rhythm.EVERY_3_MONTHS, weekday=0, at=time(10), paused=True)
    resumed = paused_or_resumed(rare, False, MONDAY_MORNING, LAST_MONDAY)
    assert not resumed.paused and resumed.starts == date(2027, 2, 22)  # a pause is no restart


def test_a_late_evening_change_is_not_due_in_quiet_hours_or_today() -> None:
    late = local(2026, 11, 30, 23, 30)
    schedule = changed_schedule(late, rhythm=Rhythm.WEEKLY, weekday=1, at=time(7))
    due = next_due(schedule, late)
    assert due is not None and due.astimezone(AMS).date() > late.astimezone(AMS).date()
    assert not DEFAULT_QUIET.is_quiet(due, "Europe/Amsterdam")
