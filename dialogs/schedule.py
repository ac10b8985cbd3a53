"""When a client gets a check-in: the coach's rhythm, quiet hours, reminders, catching up.

Pure date arithmetic with ``zoneinfo``: no clock, no scheduler library. Every moment going in
and out is an aware datetime (the shell stores UTC); the local wall clock only matters inside.

* A rhythm is a series of local dates, ``weeks`` apart, on one weekday, at one local time.
  Dates are counted in the client's timezone and only then turned into a moment, so 09:00
  stays 09:00 across both clock changes.
* "Every 3 months" is every 13 weeks (91 days): the check-in keeps its weekday, which the
  client can get used to; the series drifts by about a day a year against the calendar month.
* A series moment inside quiet hours is moved to the end of the quiet hours (08:00).
* A check-in that became due while the bot was down is still sent if that can happen in
  waking hours soon enough (``Rhythm.grace_days``), otherwise it is skipped to the next due
  time (see ``plan_due``).
* A check-in held back while the client's noodknop alert is open follows the same rule,
  counted from the moment it was due (see ``hold_back``).

After a change (the coach picks a rhythm, a weekday or a time, or resumes after a pause) the
next check-in is what a client would expect (``changed_schedule``, ``first_day_after_change``):

1. The new rhythm counts from the last check-in the client got (answered or not: that is
   the last time they were asked), or from today when they never got one.
2. The next check-in is on the chosen weekday nearest to that day plus the rhythm: "every
   2 weeks" after a check-in last Monday is Monday in two weeks; "every 3 months" is about
   13 weeks after the last one, never next week.
3. It is never today (the client just heard about the change; "now" is the coach's own
   button, "📋 Nu een check-in") and never in the past: when that day has passed already
   (the client is overdue), it is the first chosen weekday after today.
4. The series then repeats every rhythm from that first day; quiet hours apply as always.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_QUIET",
    "DuePlan",
    "QuietHours",
    "Rhythm",
    "Schedule",
    "changed_schedule",
    "first_day_after_change",
    "hold_back",
    "last_due",
    "next_due",
    "paused_or_resumed",
    "plan_due",
    "plan_due_with_alert",
    "reminder_due",
]

_EPOCH = date(2024, 1, 1)  # a Monday: where a series counts from when no start date is given


class Rhythm(StrEnum):
    """How often a client gets a check-in."""

    WEEKLY = "weekly"
    EVERY_2_WEEKS = "every_2_weeks"
    EVERY_4_WEEKS = "every_4_weeks"
    EVERY_6_WEEKS = "every_6_weeks"
    EVERY_3_MONTHS = "every_3_months"  # the waakvlam phase; 13 weeks, keeps the weekday

    @property
    def weeks(self) -> int:
        return _WEEKS[self]

    @property
    def grace_days(self) -> int:
        """How many local days late a check-in missed by downtime may still be sent.

        0 (only on its own day) for the frequent rhythms: the next one is near. 7 for the
        rare ones, so a client in the waakvlam phase never waits three more months because
        the bot was down for a night.
        """
        return 0 if self.weeks <= 2 else 7


_WEEKS = {
    Rhythm.WEEKLY: 1,
    Rhythm.EVERY_2_WEEKS: 2,
    Rhythm.EVERY_4_WEEKS: 4,
    Rhythm.EVERY_6_WEEKS: 6,
    Rhythm.EVERY_3_MONTHS: 13,
}


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _clock(moment: datetime) -> time:
    """The wall-clock time of a (local) datetime."""
    return time(moment.hour, moment.minute, moment.second, moment.microsecond)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class QuietHours:
    """Local hours without check-ins or reminders; ``start`` > ``end`` wraps past midnight.

    ``start == end`` means no quiet hours at all.
    """

    start: time = time(21)
    end: time = time(8)

    def contains(self, clock: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def is_quiet(self, moment: datetime, tz: str | ZoneInfo) -> bool:
        """Whether ``moment`` falls in quiet hours on the local clock of ``tz``."""
        _require_aware(moment, "moment")
        return self.contains(_clock(moment.astimezone(_zone(tz))))

    def next_waking(self, moment: datetime, tz: str | ZoneInfo) -> datetime:
        """``moment`` itself when it is not quiet, else the end of these quiet hours (UTC)."""
        if not self.is_quiet(moment, tz):
            return moment.astimezone(UTC)
        zone = _zone(tz)
        local = moment.astimezone(zone)
        day = local.date()
        if self.start > self.end and _clock(local) >= self.start:
            day += timedelta(days=1)  # quiet since this evening: wake up tomorrow
        return datetime.combine(day, self.end, tzinfo=zone).astimezone(UTC)


DEFAULT_QUIET = QuietHours()


@dataclass(frozen=True)
class Schedule:
    """A client's check-in rhythm as the coach set it.

    ``at`` is a naive local time in ``timezone``; ``weekday`` is 0 (Monday) to 6 (Sunday).
    The series starts on the first ``weekday`` on or after ``starts`` (a local date) and
    repeats every ``rhythm.weeks`` weeks. Use ``Schedule.starting_after`` to make a new
    schedule whose first check-in is the first matching moment after now.
    """

    rhythm: Rhythm
    weekday: int
    at: time
    timezone: str = "Europe/Amsterdam"
    paused: bool = False
    starts: date = field(default=_EPOCH)

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.at.tzinfo is not None:
            raise ValueError("at is a local wall-clock time without tzinfo")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {self.timezone!r}") from error

    @classmethod
    def starting_after(
        cls,
        now: datetime,
        *,
        rhythm: Rhythm,
        weekday: int,
        at: time,
        timezone: str = "Europe/Amsterdam",
    ) -> Schedule:
        """A schedule whose first check-in is the first ``weekday`` at ``at`` after ``now``."""
        _require_aware(now, "now")
        local = now.astimezone(ZoneInfo(timezone))
        day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
        if day == local.date() and _clock(local) >= at:
            day += timedelta(days=7)
        return cls(rhythm=rhythm, weekday=weekday, at=at, timezone=timezone, starts=day)

    @property
    def first_day(self) -> date:
        """The local date of the first check-in of the series."""
        return self.starts + timedelta(days=(self.weekday - self.starts.weekday()) % 7)

    def moment_on(self, day: date) -> datetime:
        """``at`` on a local ``day``, as an aware UTC moment.

        A time that does not exist that day (inside the spring clock change) lands an hour
        later; a time that exists twice (autumn) is the first of the two.
        """
        local = datetime.combine(day, self.at, tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(UTC)


def next_due(
    schedule: Schedule, after: datetime, quiet: QuietHours = DEFAULT_QUIET
) -> datetime | None:
    """The next check-in moment strictly after ``after`` (aware UTC), or None when paused.

    Moments of the series that fall in quiet hours move to the end of the quiet hours.
    Pass the previous due time (or now) as ``after``: the answer only depends on the
    schedule, so a restart or a missed tick never shifts the series.
    """
    _require_aware(after, "after")
    if schedule.paused:
        return None
    period = 7 * schedule.rhythm.weeks
    first = schedule.first_day
    after_day = after.astimezone(ZoneInfo(schedule.timezone)).date()
    k = max(0, (after_day - first).days // period - 1)
    while True:
        moment = quiet.next_waking(
            schedule.moment_on(first + timedelta(days=k * period)), schedule.timezone
        )
        if moment > after:
            return moment
        k += 1


def reminder_due(
    sent_at: datetime,
    delay: timedelta = timedelta(hours=4),
    quiet: QuietHours = DEFAULT_QUIET,
    tz: str | ZoneInfo = "Europe/Amsterdam",
) -> datetime:
    """When to send the one gentle reminder: ``delay`` after sending, in waking hours (UTC)."""
    _require_aware(sent_at, "sent_at")
    return quiet.next_waking(sent_at + delay, tz)


@dataclass(frozen=True)
class DuePlan:
    """What the scheduler tick does with a client whose ``next_due_at`` has come.

    ``send``: start a check-in now. ``next_due_at``: store this as the client's new due time
    in every case (None: nothing due, the schedule is paused).
    """

    send: bool
    next_due_at: datetime | None


def plan_due(
    schedule: Schedule, due_at: datetime, now: datetime, quiet: QuietHours = DEFAULT_QUIET
) -> DuePlan:
    """Decide about a stored due time at ``now`` (on time, late after downtime, or paused).

    * paused: nothing is sent and nothing is due;
    * not due yet: wait for ``due_at``;
    * due, and ``now`` is in waking hours no more than ``rhythm.grace_days`` local days after
      the due day: send now;
    * due, ``now`` is quiet, and the next waking moment is still within that grace: wait for it;
    * otherwise the check-in is too stale: skip it, the next one is the next due time.
    """
    _require_aware(due_at, "due_at")
    _require_aware(now, "now")
    if schedule.paused:
        return DuePlan(send=False, next_due_at=None)
    if now < due_at:
        return DuePlan(send=False, next_due_at=due_at.astimezone(UTC))
    zone = ZoneInfo(schedule.timezone)
    send_at = quiet.next_waking(now, zone)
    late_days = (send_at.astimezone(zone).date() - due_at.astimezone(zone).date()).days
    if late_days <= schedule.rhythm.grace_days:
        if send_at == now.astimezone(UTC):
            return DuePlan(send=True, next_due_at=next_due(schedule, now, quiet))
        return DuePlan(send=False, next_due_at=send_at)
    return DuePlan(send=False, next_due_at=next_due(schedule, now, quiet))


def last_due(
    schedule: Schedule, at: datetime, quiet: QuietHours = DEFAULT_QUIET
) -> datetime | None:
    """The latest check-in moment of the series at or before ``at`` (UTC, quiet hours applied),
    or None when paused or when the series starts later."""
    _require_aware(at, "at")
    if schedule.paused:
        return None
    # Moments are a period apart (an hour more or less across a clock change, at most a night
    # later for quiet hours): a period and two days back always holds the one sought.
    moment = next_due(schedule, at - timedelta(weeks=schedule.rhythm.weeks, days=2), quiet)
    found = None
    while moment is not None and moment <= at:
        found = moment
        moment = next_due(schedule, moment, quiet)
    return found


def hold_back(
    schedule: Schedule,
    now: datetime,
    quiet: QuietHours = DEFAULT_QUIET,
    wait: timedelta = timedelta(hours=1),
) -> datetime | None:
    """A check-in is due at ``now`` but may not start (the client's noodknop alert is open):
    the due time to store instead.

    It stays due, looked at again after ``wait`` (in waking hours), as long as it could then
    still be sent by ``plan_due``'s rule for a check-in missed while the bot was down, counted
    from the moment it was due and not from the last look: a weekly one the same day, a rare
    one within a week. After that it is skipped and the next one of the series is due.
    None when paused.
    """
    _require_aware(now, "now")
    if schedule.paused:
        return None
    due = last_due(schedule, now, quiet)
    look = quiet.next_waking(now + wait, schedule.timezone)
    if due is not None and plan_due(schedule, due, look, quiet).send:
        return look
    return next_due(schedule, now, quiet)


def plan_due_with_alert(
    schedule: Schedule,
    due_at: datetime,
    now: datetime,
    quiet: QuietHours = DEFAULT_QUIET,
    *,
    alert_open: bool,
) -> DuePlan:
    """``plan_due``, and the rule that no "how are you doing?" starts while the client's
    noodknop alert is open: the check-in is held back (``hold_back``) instead of sent."""
    plan = plan_due(schedule, due_at, now, quiet)
    if plan.send and alert_open:
        return DuePlan(send=False, next_due_at=hold_back(schedule, now, quiet))
    return plan


def first_day_after_change(
    now: datetime,
    *,
    rhythm: Rhythm,
    weekday: int,
    timezone: str = "Europe/Amsterdam",
    last_checkin: datetime | None = None,
) -> date:
    """The local date of the first check-in after a change at ``now`` (rules 1-3 above).

    ``last_checkin``: when the client last got a check-in (None: never)."""
    _require_aware(now, "now")
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    anchor = today
    if last_checkin is not None and last_checkin <= now:
        anchor = last_checkin.astimezone(zone).date()
    target = anchor + timedelta(weeks=rhythm.weeks)
    offset = (weekday - target.weekday()) % 7
    day = target + timedelta(days=offset - 7 if offset > 3 else offset)  # the nearest one
    if day <= today:
        day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return day


def changed_schedule(
    now: datetime,
    *,
    rhythm: Rhythm,
    weekday: int,
    at: time,
    timezone: str = "Europe/Amsterdam",
    last_checkin: datetime | None = None,
    paused: bool = False,
) -> Schedule:
    """A schedule a coach set at ``now``: its series starts on ``first_day_after_change``."""
    first = first_day_after_change(
        now, rhythm=rhythm, weekday=weekday, timezone=timezone, last_checkin=last_checkin
    )
    return Schedule(
        rhythm=rhythm, weekday=weekday, at=at, timezone=timezone, paused=paused, starts=first
    )


def paused_or_resumed(
    schedule: Schedule, paused: bool, now: datetime, last_checkin: datetime | None = None
) -> Schedule:
    """A coach pauses (a holiday) or resumes a client's check-ins at ``now``. Resuming is a
    change like any other (``changed_schedule``): counted from the last check-in, not today,
    and no catching up on the holiday."""
    if paused:
        return replace(schedule, paused=True)
    return changed_schedule(
        now,
        rhythm=schedule.rhythm,
        weekday=schedule.weekday,
        at=schedule.at,
        timezone=schedule.timezone,
        last_checkin=last_checkin,
    )
