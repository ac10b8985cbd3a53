"""What the dialogs know about the person who acted, and about an invite link they opened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["ClientStep", "InviteView", "Person", "Role"]


class Role(StrEnum):
    STRANGER = "stranger"
    COACH = "coach"
    CLIENT = "client"


class ClientStep(StrEnum):
    """Where a client stands (mirrors the stored client status)."""

    CONSENT_PENDING = "consent_pending"
    VOICE_PENDING = "voice_pending"
    ACTIVE = "active"
    ENDED = "ended"
    DECLINED = "declined"  # said no; may still say yes while ``Person.take_back_until``


@dataclass(frozen=True)
class Person:
    role: Role
    telegram_user_id: int
    language: str
    id: int | None = None  # coach id or client id
    name: str | None = None
    coach_name: str | None = None  # for a client: their coach
    client_step: ClientStep | None = None
    coach_active: bool = True  # for a coach: not deactivated
    awaiting: str | None = None  # for a coach: what the next plain text answers
    read_aloud: bool = False  # for a client: bot texts also come as voice notes
    phone: str | None = None  # for a client: their phone number (E.164), when known
    phone_offer_open: bool = False  # for a client: the "share your number?" keyboard shows
    # For a client: when "Wil je stoppen?" was asked, while it is their last open question.
    stop_asked_at: datetime | None = None
    # For a client who said no to consent: until when their link lets them say yes after all.
    take_back_until: datetime | None = None

    @property
    def stop_asked(self) -> bool:
        return self.stop_asked_at is not None

    def may_take_back(self, now: datetime) -> bool:
        """A client who said no may still say yes (their link is still valid)."""
        return (
            self.client_step is ClientStep.DECLINED
            and self.take_back_until is not None
            and now < self.take_back_until
        )

    @classmethod
    def stranger(cls, telegram_user_id: int, language: str) -> Person:
        return cls(role=Role.STRANGER, telegram_user_id=telegram_user_id, language=language)


@dataclass(frozen=True)
class InviteView:
    """An invite as the shell found it for a deep-link token."""

    id: int
    kind: str  # "coach" or "client"
    expires_at: datetime
    used: bool
    revoked: bool
    claimed_by: int | None  # Telegram user id holding the link during consent
    coach_id: int | None
    coach_name: str | None
    client_id: int | None = None
    client_name: str | None = None
    # The client opened a link already (any status but invited): an old link opened now is
    # then held by someone else, or is a second try of theirs.
    client_opened: bool = False

    def usable_by(self, telegram_user_id: int, now: datetime) -> bool:
        if self.used or self.revoked or now >= self.expires_at:
            return False
        return self.claimed_by in (None, telegram_user_id)
