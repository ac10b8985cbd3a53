"""Who an outcome's replies reach (``Scope``) and what carrying it out gave back (``Applied``):
shared by the shell's paths (a person acted, the clock ticked, a delivery failed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.state import Contact
from dialogs.outcome import Reply

__all__ = ["Applied", "Scope"]


@dataclass(frozen=True)
class Scope:
    """Who the recipients of an outcome's replies are."""

    sender: Contact | None = None  # None when the clock or a failed delivery acts
    coach: Contact | None = None  # the coach of the client concerned
    client: Contact | None = None  # the client concerned
    alert_id: int | None = None


@dataclass
class Applied:
    """An outcome after its effects were stored: the sender's replies, rendered later."""

    direct: list[tuple[Reply, dict[str, Any]]] = field(default_factory=list)
    urgent: bool = False
    queued: int = 0
