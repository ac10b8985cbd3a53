"""Who a noodknop alert goes to: the rule, without the database.

The client's own coach hears it when they can be reached (joined, active). When that coach is
off (outside their hours) or cannot be reached, the backups are told at once, in the order the
organisation set them, each once; when nobody at all can be told, the client must get the
emergency numbers straight away (the shell asks ``noodknop.delivery_failed`` for them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from dialogs.noodknop import is_available

__all__ = ["AlertRoute", "CoachHours", "Reachable", "backups_to_tell", "route_alert"]


@dataclass(frozen=True)
class Reachable:
    """Someone an alert can be sent to: a coach (``coach_id``) or a team chat (None)."""

    chat_id: int
    coach_id: int | None
    role: str  # "coach", "backup" or "group"
    language: str


@dataclass(frozen=True)
class CoachHours:
    """When a coach works: ISO weekdays ("12345") and a local "HH:MM" window."""

    days: str
    start: str
    end: str

    def cover(self, local: datetime) -> bool:
        return is_available(self.days, self.start, self.end, local)


@dataclass(frozen=True)
class AlertRoute:
    told: tuple[Reachable, ...]  # in order: the coach first, then backups
    off_hours: bool  # the backups were told at once (the coach is off or unreachable)

    @property
    def nobody(self) -> bool:
        return not self.told


def route_alert(
    coach: Reachable | None,
    hours: CoachHours | None,
    backups: Sequence[Reachable],
    local_now: datetime,
) -> AlertRoute:
    """Who hears a new alert pressed at ``local_now`` (the organisation's local time).

    ``coach``: the client's coach if reachable, else None; ``backups``: the reachable
    backups of that coach in order.
    """
    told = [coach] if coach is not None else []
    available = hours is not None and hours.cover(local_now)
    if coach is not None and available:
        return AlertRoute(tuple(told), off_hours=False)
    return AlertRoute((*told, *backups_to_tell(backups, told)), off_hours=True)


def backups_to_tell(backups: Iterable[Reachable], told: Iterable[Reachable]) -> list[Reachable]:
    """The backups not told yet, each chat once, in order (escalating, passing on)."""
    seen = {person.chat_id for person in told}
    fresh = []
    for backup in backups:
        if backup.chat_id not in seen:
            seen.add(backup.chat_id)
            fresh.append(backup)
    return fresh
