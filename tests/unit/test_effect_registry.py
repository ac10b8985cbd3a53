"""Every effect a dialog can produce has exactly one handler; anything else fails loudly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from bot.effect_registry import EffectRegistry, UnhandledEffect, effect_types
from bot.service import Waakvlam
from bot.settings import Settings
from bot.texts import load_texts
from storage.database import Database


@pytest.fixture
def service(tmp_path) -> Waakvlam:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path)
    return Waakvlam(
        settings=settings,
        clock=FixedClock(datetime(2026, 11, 30, 10, tzinfo=UTC)),
        database=Database(settings.resolved_database_url),
        texts=load_texts(),
    )


def test_every_effect_type_has_a_handler(service: Waakvlam) -> None:
    assert set(effect_types()) == service.registry.types
    assert len(effect_types()) > 20  # the union was read, not an empty tuple


def test_an_unknown_effect_fails_loudly(service: Waakvlam) -> None:
    @dataclass(frozen=True)
    class MadeUp:
        client_id: int

    with pytest.raises(UnhandledEffect, match="MadeUp"):
        service.registry.store(None, MadeUp(1), None)  # type: ignore[arg-type]


def test_two_handlers_for_one_type_are_refused() -> None:
    def handler(session, effect, env):  # type: ignore[no-untyped-def]
        raise AssertionError("never called")

    with pytest.raises(ValueError, match="two handlers for int"):
        EffectRegistry({int: handler}, {int: handler})
