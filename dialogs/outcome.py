"""What should happen after an event: replies as text keys, and effects as data.

The shell persists the effects in one transaction, then renders and sends the replies.
Values that only exist after the effects ran (an invite link) come from the effects' results,
which the shell merges into each reply's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "ActivateCoach",
    "AwaitInput",
    "Button",
    "ChooseReadAloud",
    "ClaimClientInvite",
    "DeclineConsent",
    "Effect",
    "GiveConsent",
    "InviteClient",
    "Keyboard",
    "Outcome",
    "Recipient",
    "Reply",
    "TextRef",
]


@dataclass(frozen=True)
class TextRef:
    """A parameter whose value is another text, rendered in the reader's language."""

    key: str


class Keyboard(StrEnum):
    CLIENT_MENU = "client_menu"
    COACH_MENU = "coach_menu"
    REMOVE = "remove"


class Recipient(StrEnum):
    SENDER = "sender"
    COACH = "coach"  # the coach of the client who acted, or of the invite they opened


@dataclass(frozen=True)
class Button:
    label_key: str
    data: str


@dataclass(frozen=True)
class Reply:
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    keyboard: Keyboard | None = None
    to: Recipient = Recipient.SENDER
    picture_of: str | None = None  # parameter whose value is shown as a QR code picture


@dataclass(frozen=True)
class ActivateCoach:
    invite_id: int
    coach_id: int


@dataclass(frozen=True)
class ClaimClientInvite:
    """The client opened their link: hold it for them while they decide about consent."""

    invite_id: int
    client_id: int


@dataclass(frozen=True)
class GiveConsent:
    client_id: int
    version: str


@dataclass(frozen=True)
class DeclineConsent:
    """Said no: forget the Telegram id and release the link so it can be opened again."""

    client_id: int


@dataclass(frozen=True)
class ChooseReadAloud:
    client_id: int
    read_aloud: bool


@dataclass(frozen=True)
class AwaitInput:
    """A coach's next plain text answers this question (None: answers nothing)."""

    coach_id: int
    awaiting: str | None


@dataclass(frozen=True)
class InviteClient:
    """Create a client and a single-use link; results: ``link``, ``expires``."""

    coach_id: int
    client_name: str


Effect = (
    ActivateCoach
    | ClaimClientInvite
    | GiveConsent
    | DeclineConsent
    | ChooseReadAloud
    | AwaitInput
    | InviteClient
)


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    notice: str | None = None  # key shown briefly on the phone after a button press
    chosen: str | None = None  # label key of the pressed button, shown on the closed question

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(
            replies=self.replies + other.replies,
            effects=self.effects + other.effects,
            notice=other.notice or self.notice,
            chosen=other.chosen or self.chosen,
        )
