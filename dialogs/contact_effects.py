"""The effects of a coach logging a contact on a client's card (``dialogs.client_card``).

Kept apart from ``dialogs.client_card`` so ``dialogs.outcome`` can name them in its ``Effect``
union without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LogContact", "SetContactNote"]


@dataclass(frozen=True)
class LogContact:
    """A coach logged a contact with their client ("call", "visit", "elsewhere") at the
    moment it is handled; with ``ask_note`` the coach's next plain text is its note (the
    coach's ``awaiting`` becomes ``note:<contact id>``)."""

    client_id: int
    coach_id: int
    kind: str
    ask_note: bool = True


@dataclass(frozen=True)
class SetContactNote:
    """The coach's short note on a contact they logged (for the coach only)."""

    contact_id: int
    coach_id: int
    note: str
