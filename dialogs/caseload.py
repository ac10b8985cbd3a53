"""A coach's list of clients ("👥 Mijn cliënten", ``/clienten``): who needs attention first.

Every active client of the coach in one message, one line each: name, last contact in words
("3 dagen geleden"), last grade with a trend arrow against the grade before, rhythm, paused.
Past ``PAGE_SIZE`` clients the list is paged with ◀ ▶ buttons. The order (``sort_key``):

1. an open noodknop alert,
   then a client whose chat refuses the bot's messages (blocked, or the chat stopped:
   ``dialogs.reachability``): the line says so, since when, instead of the rhythm,
2. open signals (a low grade, help asked, "call me", missed check-ins: not withdrawn),
3. no contact for longer than the rhythm (``contact_overdue``; not while paused),
4. the last check-in(s) missed,
5. the rest.

Within the first four groups whoever has waited longest since the last contact comes first;
the rest are in alphabetical order, so a coach finds a name. "Contact" is anything between
the client and the coach the bot saw: a message either way, a finished check-in, a call, visit
or talk the coach logged on the client's card. Days count on the organisation's local calendar.

Each client is a button (``cl:<client id>``) that opens their card (``dialogs.client_card``,
which checks it is one of the coach's own active clients); a page number is clamped.
Pure: the shell loads the rows (``CaseloadClient``) and passes the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from zoneinfo import ZoneInfo

from dialogs.events import Command, Event, MenuItem, MenuPress
from dialogs.outcome import Button, Lines, Outcome, Reply, TextRef
from dialogs.schedule import Rhythm
from dialogs.words import normalise

__all__ = [
    "COMMANDS",
    "PAGE_SIZE",
    "Attention",
    "CaseloadClient",
    "CaseloadContext",
    "attention",
    "contact_overdue",
    "days_between",
    "show",
    "sort_clients",
    "sort_key",
    "tap",
    "time_ago",
    "trend",
    "wants_list",
]

COMMANDS = frozenset({"clienten", "cliënten", "clients"})
PAGE_SIZE = 20
_BUTTONS_PER_ROW = 2
_PAGE = re.compile(r"cg:([0-9]{1,4})")


class Attention(IntEnum):
    """Why a client is high in the list; lower comes first."""

    ALERT = 0
    UNREACHABLE = 1
    SIGNALS = 2
    NO_CONTACT = 3
    MISSED = 4
    CALM = 5


@dataclass(frozen=True)
class CaseloadClient:
    """One active client of the coach, as plain data loaded by the shell."""

    id: int
    name: str
    joined_at: datetime  # when support started (consent), for "no contact since"
    last_contact: datetime | None = None  # the latest message either way or finished check-in
    rhythm: Rhythm | None = None  # None: no check-in schedule
    paused: bool = False
    grade: int | None = None  # the last answered grade
    previous_grade: int | None = None  # the answered grade before it
    open_alert: bool = False
    open_signals: int = 0
    missed_in_a_row: int = 0  # the latest closed check-ins that were missed
    unreachable_since: datetime | None = None  # their chat refuses messages (403) since then


@dataclass(frozen=True)
class CaseloadContext:
    clients: tuple[CaseloadClient, ...] = ()
    timezone: str = "Europe/Amsterdam"


def days_between(earlier: datetime, later: datetime, timezone: str) -> int:
    """Calendar days from ``earlier`` to ``later`` on the local clock (0: the same day)."""
    zone = ZoneInfo(timezone)
    return (later.astimezone(zone).date() - earlier.astimezone(zone).date()).days


def contact_overdue(client: CaseloadClient, now: datetime, timezone: str) -> bool:
    """No contact for longer than the rhythm: more days than the rhythm has since the last
    contact (or since joining). Not while paused (a holiday), nor without a rhythm."""
    if client.rhythm is None or client.paused:
        return False
    since = client.last_contact or client.joined_at
    return days_between(since, now, timezone) > client.rhythm.weeks * 7


def attention(client: CaseloadClient, now: datetime, timezone: str) -> Attention:
    if client.open_alert:
        return Attention.ALERT
    if client.unreachable_since is not None:
        return Attention.UNREACHABLE
    if client.open_signals:
        return Attention.SIGNALS
    if contact_overdue(client, now, timezone):
        return Attention.NO_CONTACT
    if client.missed_in_a_row:
        return Attention.MISSED
    return Attention.CALM


def sort_key(client: CaseloadClient, now: datetime, timezone: str) -> tuple[int, float, str, int]:
    """Attention first; within a group needing attention the longest without contact first;
    the calm ones by name."""
    rank = attention(client, now, timezone)
    waited = 0.0
    if rank is not Attention.CALM:
        waited = (client.last_contact or client.joined_at).timestamp()
    return (rank, waited, normalise(client.name), client.id)


def sort_clients(
    clients: tuple[CaseloadClient, ...] | list[CaseloadClient], now: datetime, timezone: str
) -> list[CaseloadClient]:
    return sorted(clients, key=lambda client: sort_key(client, now, timezone))


def time_ago(moment: datetime | None, now: datetime, timezone: str) -> TextRef:
    """The last contact in words: "vandaag", "gisteren", "3 dagen geleden", "2 weken
    geleden", "4 maanden geleden", or "nog geen contact"."""
    if moment is None:
        return TextRef("caseload.contact.never")
    days = max(0, days_between(moment, now, timezone))
    if days == 0:
        return TextRef("caseload.contact.today")
    if days == 1:
        return TextRef("caseload.contact.yesterday")
    if days < 14:
        return TextRef("caseload.contact.days", {"count": days})
    if days < 60:
        return TextRef("caseload.contact.weeks", {"count": days // 7})
    return TextRef("caseload.contact.months", {"count": days // 30})


def trend(grade: int | None, previous: int | None) -> TextRef:
    """↑ ↓ → against the grade before; nothing without two grades."""
    if grade is None or previous is None:
        return TextRef("caseload.trend.none")
    if grade > previous:
        return TextRef("caseload.trend.up")
    if grade < previous:
        return TextRef("caseload.trend.down")
    return TextRef("caseload.trend.same")


def wants_list(event: Event) -> bool:
    """``/clienten`` or the menu's "👥 Mijn cliënten" (a page button is a tap)."""
    if isinstance(event, Command):
        return event.name in COMMANDS
    return isinstance(event, MenuPress) and event.item is MenuItem.MY_CLIENTS


def show(ctx: CaseloadContext, now: datetime, page: int = 0) -> Outcome:
    """One page of the list (the first by default; a page past the end shows the last)."""
    if not ctx.clients:
        return Outcome(replies=(Reply("caseload.empty"),))
    ordered = sort_clients(ctx.clients, now, ctx.timezone)
    pages = -(-len(ordered) // PAGE_SIZE)
    page = max(0, min(page, pages - 1))
    first = page * PAGE_SIZE
    shown = ordered[first : first + PAGE_SIZE]
    lines = tuple(
        _line(first + index + 1, client, now, ctx.timezone) for index, client in enumerate(shown)
    )
    params: dict[str, object] = {"count": len(ordered), "lines": Lines(lines)}
    key = "caseload.list"
    if pages > 1:
        key = "caseload.list_paged"
        params |= {"page": page + 1, "pages": pages}
    buttons = [
        Button(
            "caseload.button.client",
            f"cl:{client.id}",
            {"number": str(number), "client": client.name},
        )
        for number, client in enumerate(shown, start=first + 1)
    ]
    rows = [
        tuple(buttons[i : i + _BUTTONS_PER_ROW]) for i in range(0, len(buttons), _BUTTONS_PER_ROW)
    ]
    paging = []
    if page > 0:
        paging.append(Button("caseload.button.previous", f"cg:{page - 1}"))
    if page < pages - 1:
        paging.append(Button("caseload.button.next", f"cg:{page + 1}"))
    if paging:
        rows.append(tuple(paging))
    return Outcome(replies=(Reply(key, params, buttons=tuple(rows)),))


def _line(number: int, client: CaseloadClient, now: datetime, timezone: str) -> TextRef:
    mark = attention(client, now, timezone).name.lower()
    if client.grade is None:
        grade = TextRef("caseload.no_grade")
    else:
        grade = TextRef(
            "caseload.grade",
            {"grade": client.grade, "trend": trend(client.grade, client.previous_grade)},
        )
    rhythm: TextRef = TextRef("caseload.no_rhythm")
    if client.rhythm is not None:
        rhythm = TextRef(f"coach_checkin.rhythm.{client.rhythm.value}")
        if client.paused:
            rhythm = TextRef("caseload.paused", {"rhythm": rhythm})
    if client.unreachable_since is not None:  # no check-ins go out: the rhythm would mislead
        rhythm = TextRef("caseload.unreachable", {"since": client.unreachable_since})
    return TextRef(
        "caseload.line",
        {
            "number": number,
            "mark": TextRef(f"caseload.mark.{mark}"),
            "client": client.name,
            "contact": time_ago(client.last_contact, now, timezone),
            "grade": grade,
            "rhythm": rhythm,
        },
    )


def tap(data: str, now: datetime, ctx: CaseloadContext | None) -> Outcome:
    """A page button (``cg:<page>``) under the list (a client's name opens their card:
    ``dialogs.client_card``)."""
    if (page := _PAGE.fullmatch(data)) is not None and ctx is not None:
        return show(ctx, now, int(page[1]))
    return Outcome(notice="common.button_unknown")
