"""Alerts first, everywhere: which work is urgent, known to every layer it passes through.

An update that raises or answers an alert (the noodknop, an alert button) is marked urgent by
the update processor before its handler runs; the mark travels with the task (a context
variable, copied into worker threads too), so its database work runs before other queued
work (``Database.run``) and its sends go before other queued sends (``PriorityRateLimiter``).
The outbox marks its alert rows itself (``rate_limit_args={"urgent": True}``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from telegram.ext import ExtBot

from dialogs.buttons import ButtonKind, kind_of
from dialogs.events import Command, Event, MenuItem, MenuPress, Tap
from dialogs.help_words import NOODKNOP_DATA
from dialogs.noodknop import parse_alert_data

__all__ = [
    "NOODKNOP_COMMANDS",
    "URGENT_ARGS",
    "is_alert_event",
    "is_urgent",
    "limit_kwargs",
    "urgent_args",
    "urgent_work",
]

_URGENT: ContextVar[bool] = ContextVar("waakvlam_urgent", default=False)

#: ``rate_limit_args`` for a Bot API call that must go before queued non-urgent calls
URGENT_ARGS = {"urgent": True}

# The commands that press the noodknop (dialogs/router.py ``_NOODKNOP_COMMANDS``; a test
# checks they agree).
NOODKNOP_COMMANDS = frozenset({"nood", "sos"})


_ALERT_BUTTONS = (ButtonKind.ALERT, ButtonKind.ALERT_REASON)


def is_alert_event(event: Event) -> bool:
    """A noodknop press (menu button, command, or the one offered after help words) or a tap
    on an alert's button."""
    if isinstance(event, MenuPress):
        return event.item is MenuItem.NOODKNOP
    if isinstance(event, Command):
        return event.name in NOODKNOP_COMMANDS
    if isinstance(event, Tap):
        kind = kind_of(event.data)
        if kind is ButtonKind.HELP_NOODKNOP:
            return event.data == NOODKNOP_DATA
        # Only well-formed alert data jumps the queues; odd or forged data waits its turn.
        return kind in _ALERT_BUTTONS and parse_alert_data(event.data) is not None
    return False


def is_urgent() -> bool:
    """Whether the running task works for an alert."""
    return _URGENT.get()


def urgent_args(urgent: bool | None = None) -> dict[str, bool] | None:
    """``rate_limit_args`` for a send: urgent when asked, or when the task is urgent."""
    return URGENT_ARGS if (is_urgent() if urgent is None else urgent) else None


def limit_kwargs(bot: object, urgent: bool) -> dict[str, Any]:
    """Keyword arguments that mark a Bot API call urgent for the rate limiter (PTB's ExtBot
    takes ``rate_limit_args``; a plain Bot has no rate limiter)."""
    return {"rate_limit_args": URGENT_ARGS} if urgent and isinstance(bot, ExtBot) else {}


@contextmanager
def urgent_work(urgent: bool = True) -> Iterator[None]:
    """Mark the work done inside (in this task) as urgent."""
    token = _URGENT.set(urgent)
    try:
        yield
    finally:
        _URGENT.reset(token)
