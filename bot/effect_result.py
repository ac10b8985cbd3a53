"""What storing one effect gave back: values a reply may show, and what the shell must do next.

Typed, so a handler cannot hand the shell a misspelt key, and so nothing meant for the shell
(who to tell, whether nobody could be told) can end up in a stored message's parameters:
only ``reply_values`` reaches a reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.scope import FollowUp
from bot.state import Contact
from dialogs.outcome import Outcome, Reply
from dialogs.relay import RelayView

__all__ = ["EffectResult"]


@dataclass(frozen=True)
class EffectResult:
    # Values a reply may show ({link}, {expires}, {next}).
    link: str | None = None
    expires: datetime | None = None
    next: datetime | None = None
    # Ids the shell fills into buttons and outbox rows.
    alert_id: int | None = None
    relay_id: int | None = None
    # What the shell does next.
    new_recipients: tuple[Contact, ...] = ()  # people this effect just told about an alert
    nobody_told: bool = False  # an alert nobody at all could be told about
    coach_notes: tuple[Reply, ...] = ()  # notes for the coach of the client concerned
    client: Contact | None = None  # the client an effect concerns (a coach changed a rhythm)
    client_id: int | None = None  # the client it concerns, by id (someone opened their link)
    queued: int = 0  # outbox rows the effect wrote itself
    urgent: bool = False  # and they are alert traffic
    undeliverable: RelayView | None = None  # a relay whose receiver cannot be reached
    follow_up: FollowUp | None = None  # an outcome to carry out next (a check-in opened)
    # Names of clients this effect erased: their read-aloud clips go once it is committed
    # (in memory only, never logged).
    erased_names: tuple[str, ...] = ()
    # The state changed between the dialog's decision and this store (another instance of
    # the bot stored something first): the effect changed nothing, and this outcome is carried
    # out instead of the rest of the outcome (its replies would not be true).
    instead: Outcome | None = None

    def reply_values(self) -> dict[str, Any]:
        """The values replies may show, only those this effect set."""
        values = {"link": self.link, "expires": self.expires, "next": self.next}
        return {name: value for name, value in values.items() if value is not None}


NOTHING = EffectResult()
