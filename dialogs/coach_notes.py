"""What the coach is told about a check-in: a signal raised, a signal withdrawn, and what a
pause does to a check-in still open.

Pure rules the shell applies once it has stored the change (a signal is told once per cause,
which only the database knows).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from dialogs.checkin_state import CheckinState, CheckinStatus, Signal
from dialogs.outcome import Recipient, Reply, TextRef

__all__ = ["closed_for_pause", "signal_note", "withdrawn_note"]


def signal_note(signal: Signal, client_name: str) -> Reply:
    """The note for the client's coach about a new signal ("Sam gave a 2")."""
    return Reply(signal.key, {**signal.params, "client": client_name}, to=Recipient.COACH)


def withdrawn_note(kind: str, client_name: str) -> Reply:
    """The client corrected the answer behind a signal: the coach hears it no longer holds."""
    return Reply(
        "coach_checkin.withdrawn",
        {"client": client_name, "what": TextRef(f"coach_checkin.what.{kind}")},
        to=Recipient.COACH,
    )


def closed_for_pause(state: CheckinState, now: datetime) -> CheckinState:
    """A check-in still open when the coach pauses (a holiday) closes without a reminder,
    and it counts as unfinished, never as missed: a holiday is no silence."""
    return replace(state, status=CheckinStatus.UNFINISHED, finished_at=now, wake_at=None)
