"""One table from effect type to the handler that stores it.

Each part of the shell offers the handlers of its own effects (onboarding in ``bot.effects``,
alerts in ``bot.alerts``, check-ins in ``bot.checkins``, relays in ``bot.relays``, opening a
check-in in ``bot.checkin_clock``); the registry joins them once at start-up and refuses two
handlers for one type. An effect without a handler raises ``UnhandledEffect``: a dialog asking
for something the shell cannot store must fail loudly, never pass as done (a test checks that
every type of the ``Effect`` union has a handler).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.effect_result import EffectResult
from dialogs.outcome import Effect
from storage.outbox import Priority

__all__ = ["EffectEnv", "EffectRegistry", "Handler", "UnhandledEffect", "effect_types"]


@dataclass(frozen=True)
class EffectEnv:
    """What every handler may need besides the session and the effect."""

    now: datetime
    telegram_user_id: int  # who acted (0 when the clock or a delivery acts)
    bot_username: str
    invite_ttl: timedelta
    default_language: str
    timezone: ZoneInfo
    priority: Priority = Priority.NOTICE  # for the outbox rows an effect writes itself


Handler = Callable[[Session, Any, EffectEnv], EffectResult]


class UnhandledEffect(TypeError):
    """A dialog produced an effect no part of the shell stores."""


def effect_types() -> tuple[type, ...]:
    """Every effect type a dialog may produce (the members of ``dialogs.outcome.Effect``)."""
    return tuple(get_args(Effect))


class EffectRegistry:
    def __init__(self, *parts: Mapping[type, Handler]) -> None:
        self._handlers: dict[type, Handler] = {}
        for part in parts:
            for effect_type, handler in part.items():
                if effect_type in self._handlers:
                    raise ValueError(f"two handlers for {effect_type.__name__}")
                self._handlers[effect_type] = handler

    @property
    def types(self) -> frozenset[type]:
        return frozenset(self._handlers)

    def store(self, session: Session, effect: object, env: EffectEnv) -> EffectResult:
        handler = self._handlers.get(type(effect))
        if handler is None:
            raise UnhandledEffect(f"no handler stores {type(effect).__name__}")
        return handler(session, effect, env)
