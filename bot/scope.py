"""Who an outcome's replies reach (``Scope``), an outcome still to carry out (``FollowUp``) and
what carrying it out gave back (``Applied``): shared by the shell's paths (a person acted, the
clock ticked, a delivery failed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.state import Contact
from dialogs.outcome import Effect, Outcome, Reply
from storage.outbox import Priority

__all__ = ["Applied", "FollowUp", "Scope"]


@dataclass(frozen=True)
class Scope:
    """Who the recipients of an outcome's replies are."""

    sender: Contact | None = None  # None when the clock or a failed delivery acts
    # The person who acted, in their own chat with the bot (``Recipient.ACTOR``): the sender's
    # chat, unless they acted in a team group.
    actor: Contact | None = None
    coach: Contact | None = None  # the coach of the client concerned
    client: Contact | None = None  # the client concerned
    alert_id: int | None = None
    # The client concerned by id (also before they joined): stored with the outbox rows queued
    # about them, so their export and erasure find those rows (``storage.data_rights``).
    client_id: int | None = None


@dataclass(frozen=True)
class FollowUp:
    """An outcome that storing another one called for (a check-in opened, a relay nobody can
    receive, an alert nobody could be told about), carried out right after it, in the same
    transaction."""

    outcome: Outcome
    scope: Scope
    priority: Priority = Priority.NOTICE


@dataclass
class Applied:
    """An outcome after its effects were stored: the sender's replies, rendered later."""

    direct: list[tuple[Reply, dict[str, Any]]] = field(default_factory=list)
    urgent: bool = False
    queued: int = 0
    # Clients erased on the way (``EffectResult.erased_names``): their clips go after the commit.
    erased_names: list[str] = field(default_factory=list)
    # The effects stored as decided: not one a handler refused (``EffectResult.instead``), as
    # a link withdrawn by another instance meanwhile, nor one after it that was never stored.
    stored: list[Effect] = field(default_factory=list)
