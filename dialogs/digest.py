"""A coach's weekly digest: who needs attention, and how the week's check-ins went.

Once a week, at the coach's moment (``is_due``), one quiet message: the clients who need
attention in the order of the list of clients (``dialogs.caseload``: an open alert, open
signals, no contact for longer than their rhythm, missed check-ins), the week's check-ins
answered and missed, and how many alerts and signals are open, with a button to the full list.
Nothing is sent when there is nothing to say: nobody needs attention and no check-in was
answered or missed this week (``compose`` returns None). A check-in counts in the week it
closed (answered, or missed a day after it was sent).

When the bot was down at the moment, the digest still goes later that day; a day later that
week's digest is skipped rather than sent out of season.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogs.caseload import (
    Attention,
    CaseloadClient,
    attention,
    contact_overdue,
    sort_clients,
    time_ago,
)
from dialogs.outcome import Button, Lines, Reply, TextRef

__all__ = ["MOST_NAMED", "DigestWeek", "compose", "is_due", "last_moment"]

MOST_NAMED = 10  # clients named in the message; the list has the rest
_LATE_BY_AT_MOST = timedelta(days=1)
_AT_LEAST_APART = timedelta(days=6)


@dataclass(frozen=True)
class DigestWeek:
    """What the shell loaded for one coach: their active clients and the week's check-ins."""

    clients: tuple[CaseloadClient, ...]
    answered: int  # check-ins sent in the last seven days and answered
    missed: int  # ... and missed
    timezone: str = "Europe/Amsterdam"


def last_moment(weekday: int, at: time, now: datetime, timezone: str) -> datetime:
    """The latest digest moment at or before ``now``: ISO ``weekday`` (1 is Monday) at the
    local time ``at``."""
    local = now.astimezone(ZoneInfo(timezone))
    day = local.date() - timedelta(days=(local.isoweekday() - weekday) % 7)
    moment = datetime.combine(day, at, tzinfo=ZoneInfo(timezone))
    if moment > local:
        moment -= timedelta(days=7)
    return moment


def is_due(
    weekday: int, at: time, last_sent: datetime | None, now: datetime, timezone: str
) -> bool:
    """Whether this week's digest should go now: its moment has come (less than a day ago),
    none went since, and none in the last six days (a coach who moves their day to later in
    the week gets no second one that week)."""
    moment = last_moment(weekday, at, now, timezone)
    if now - moment >= _LATE_BY_AT_MOST:
        return False
    return last_sent is None or (last_sent < moment and now - last_sent > _AT_LEAST_APART)


def compose(week: DigestWeek, now: datetime) -> Reply | None:
    """The digest as one reply, or None when there is nothing to say."""
    ordered = sort_clients(week.clients, now, week.timezone)
    needing = [c for c in ordered if attention(c, now, week.timezone) is not Attention.CALM]
    if not needing and week.answered == 0 and week.missed == 0:
        return None
    lines = tuple(_line(client, now, week.timezone) for client in needing[:MOST_NAMED])
    if len(needing) > MOST_NAMED:
        lines += (TextRef("digest.more", {"count": len(needing) - MOST_NAMED}),)
    params: dict[str, object] = {
        "attention": Lines(lines) if lines else TextRef("digest.nobody"),
        "answered": week.answered,
        "missed": week.missed,
        "alerts": sum(1 for c in week.clients if c.open_alert),
        "signals": sum(c.open_signals for c in week.clients),
        "overdue": sum(1 for c in week.clients if contact_overdue(c, now, week.timezone)),
    }
    return Reply("digest.weekly", params, buttons=((Button("digest.open_list", "cg:0"),),))


def _line(client: CaseloadClient, now: datetime, timezone: str) -> TextRef:
    mark = attention(client, now, timezone).name.lower()
    return TextRef(
        "digest.line",
        {
            "mark": TextRef(f"caseload.mark.{mark}"),
            "client": client.name,
            "contact": time_ago(client.last_contact, now, timezone),
        },
    )
