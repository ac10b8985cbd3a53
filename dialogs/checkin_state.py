"""A check-in as stored, and the effects a check-in asks the shell to carry out.

Kept apart from ``dialogs.checkin`` so ``dialogs.outcome`` can name these effects in its
``Effect`` union without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "CheckinEffect",
    "CheckinState",
    "CheckinStatus",
    "RaiseSignal",
    "RecordSignalAction",
    "SaveCheckin",
    "Signal",
    "SignalKind",
    "WithdrawSignal",
]


class CheckinStatus(StrEnum):
    OPEN = "open"
    DONE = "done"  # every question was passed: answered, "don't know" or skipped
    UNFINISHED = "unfinished"  # closed by time after some answers
    MISSED = "missed"  # closed by time without a single answer


@dataclass(frozen=True)
class CheckinState:
    """One check-in as stored. ``answers`` maps question id to answer value (see
    ``dialogs.checkin_questions``); ``position`` is the current question's index in the set
    (``len(set)`` once done). ``wake_at``: when the shell should call ``timer_fired``.
    ``raised``: the signal causes this check-in raised, so a correction can withdraw them."""

    checkin_id: int
    client_id: int
    version: str
    sent_at: datetime
    position: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    status: CheckinStatus = CheckinStatus.OPEN
    reminded_at: datetime | None = None
    wake_at: datetime | None = None
    finished_at: datetime | None = None
    raised: tuple[str, ...] = ()


class SignalKind(StrEnum):
    LOW_GRADE = "low_grade"
    GRADE_DROP = "grade_drop"
    HELP = "help"
    CALL_ME = "call_me"
    MISSED = "missed"


@dataclass(frozen=True)
class Signal:
    """Something the coach should know. ``key`` is a text in coach-checkin.yaml; the shell adds
    the client's name as ``{client}`` to ``params`` when it renders it."""

    kind: SignalKind
    cause: str  # unique per client for the same cause: use it as the dedupe key
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SaveCheckin:
    """Store this as the check-in's state (insert or update by ``state.checkin_id``)."""

    state: CheckinState


@dataclass(frozen=True)
class RaiseSignal:
    """Store the signal unless (client_id, cause) exists; if new, tell the coach via the outbox."""

    client_id: int
    checkin_id: int
    signal: Signal


@dataclass(frozen=True)
class WithdrawSignal:
    """The client corrected an answer: the signal with this cause no longer holds."""

    client_id: int
    checkin_id: int
    cause: str


@dataclass(frozen=True)
class RecordSignalAction:
    """A coach's one tap under a signal ("call", "message", "done": ``SignalAction``), kept in
    the audit trail about the client (see ``dialogs.signal_actions``)."""

    signal_id: int
    client_id: int
    coach_id: int
    action: str


CheckinEffect = SaveCheckin | RaiseSignal | WithdrawSignal
