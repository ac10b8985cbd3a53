"""Webhook mode: Telegram (the sandbox) pushes updates to the bot, and nobody else can.

Started without ``WAAKVLAM_WEBHOOK_SECRET`` (the default), the bot makes a secret token, keeps
it in the data directory, registers it and an unguessable path with setWebhook, and refuses
every request that lacks either: a forged button press can no longer acknowledge a noodknop.
"""

from __future__ import annotations

import logging
import re
import socket
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from telegram_sandbox import SimUser, TelegramSandbox
from telegram_sandbox.markup import inline_keyboard

from bot.app import build_application
from bot.clock import FixedClock
from bot.runner import webhook
from bot.settings import Settings
from bot.webhook_secret import SECRET_FILE
from storage.database import Database
from storage.models import Alert
from tests.scenarios.conftest import World

BELT_JE_ZO = "Anna belt je zo."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebhookWorld(World):
    """The scenario world, with the bot receiving updates by webhook instead of polling."""

    async def start(self) -> None:
        application = build_application(
            self.settings, clock=self.clock, database=self.database, guard=self.guard
        )
        self.application = application
        self._running = webhook(application, self.settings)
        await self._running.__aenter__()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.webhook_port}"

    def registrations(self) -> list[dict[str, Any]]:
        return [params for method, params in self.sandbox.calls if method == "setWebhook"]


@asynccontextmanager
async def _webhook_world(
    database: Database, clock: FixedClock, data_dir: Path, secret: str | None = None
) -> AsyncIterator[WebhookWorld]:
    port = _free_port()
    async with TelegramSandbox(bot_username="waakvlam_test_bot") as sandbox:
        settings = Settings(
            telegram_bot_token=sandbox.bot_token,
            telegram_api_url=sandbox.api_root,
            data_dir=data_dir,
            database_url=database.url,
            bot_username=None,
            voice_engine="espeak",
            webhook_url=f"http://127.0.0.1:{port}",
            webhook_listen="127.0.0.1",
            webhook_port=port,
            webhook_secret=secret,
        )
        world = WebhookWorld(sandbox=sandbox, database=database, clock=clock, settings=settings)
        await world.start()
        try:
            yield world
        finally:
            await world.stop()


@pytest.fixture
async def hooked(
    database: Database, clock: FixedClock, tmp_path: Path
) -> AsyncIterator[WebhookWorld]:
    """Webhook mode as the README starts it: no WAAKVLAM_WEBHOOK_SECRET."""
    async with _webhook_world(database, clock, tmp_path / "data") as world:
        yield world


async def _alert_pressed(world: WebhookWorld) -> tuple[SimUser, SimUser, Any]:
    """Anna's client Sam pressed the noodknop; returns Anna, Sam and Anna's alert message."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.next_message()
    await sam.next_message()
    alert = await anna.next_message()
    assert alert.text and alert.text.startswith("🔴 NOODKNOP – Sam")
    return anna, sam, alert


def _forged_acknowledgement(anna: SimUser, alert: Any) -> dict[str, Any]:
    """What Telegram would send if Anna pressed "✅ Ik bel nu": her id, the alert's data."""
    button = next(
        button
        for row in inline_keyboard(alert.reply_markup)
        for button in row
        if button["text"] == "✅ Ik bel nu"
    )
    return {
        "update_id": 900_000,
        "callback_query": {
            "id": "4242",
            "from": anna.user,
            "message": alert.raw,
            "chat_instance": "1",
            "data": button["callback_data"],
        },
    }


def _acknowledged(world: World) -> bool:
    with world.database.transaction() as session:
        return session.exec(select(Alert)).one().acknowledged_at is not None


async def test_updates_arrive_by_webhook_with_a_kept_secret_and_an_unguessable_path(
    hooked: WebhookWorld,
) -> None:
    stranger = hooked.sandbox.user(first_name="Onbekend")
    await stranger.send_text("hallo")
    hello = await stranger.next_message()
    assert hello.text and hello.text.startswith("Hoi! Deze chat is voor mensen met een coach.")

    [registered] = hooked.registrations()
    kept = hooked.settings.data_dir / SECRET_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    secret = kept.read_text().strip()
    assert registered["secret_token"] == secret
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)
    assert re.fullmatch(rf"{re.escape(hooked.base)}/[0-9a-f]{{64}}", registered["url"])
    assert secret not in registered["url"]


async def test_a_forged_button_press_cannot_acknowledge_a_noodknop(hooked: WebhookWorld) -> None:
    anna, sam, alert = await _alert_pressed(hooked)
    forged = _forged_acknowledgement(anna, alert)
    real_url = hooked.registrations()[0]["url"]
    wrong_token = {"X-Telegram-Bot-Api-Secret-Token": "wrong-" + "x" * 40}

    async with httpx.AsyncClient() as attacker:
        answers = {
            "the old fixed path": await attacker.post(f"{hooked.base}/telegram", json=forged),
            "the real path, no token": await attacker.post(real_url, json=forged),
            "the real path, a wrong token": await attacker.post(
                real_url, json=forged, headers=wrong_token
            ),
            "the root": await attacker.post(f"{hooked.base}/", json=forged),
            "below the real path": await attacker.post(f"{real_url}/x", json=forged),
            "a GET of the real path": await attacker.get(real_url),
        }
    await hooked.drain()
    assert [m.text for m in sam.inbox if BELT_JE_ZO in (m.text or "")] == []
    assert not _acknowledged(hooked)
    assert {what: answer.status_code for what, answer in answers.items()} == {
        "the old fixed path": 404,
        "the real path, no token": 403,
        "the real path, a wrong token": 403,
        "the root": 404,
        "below the real path": 404,
        "a GET of the real path": 405,
    }

    await anna.press("✅ Ik bel nu")
    seen = await sam.next_message()
    assert seen.text == f"Anna heeft je melding gezien.\n{BELT_JE_ZO}"
    assert _acknowledged(hooked)


async def test_the_secret_and_path_stay_the_same_across_restarts_and_are_never_logged(
    hooked: WebhookWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await hooked.restart()
    await hooked.restart()
    first, *again = hooked.registrations()
    assert len(again) == 2
    assert all(r["url"] == first["url"] for r in again)
    assert all(r["secret_token"] == first["secret_token"] for r in again)

    stranger = hooked.sandbox.user(first_name="Onbekend")
    await stranger.send_text("hallo")
    assert (await stranger.next_message()).text

    segment = first["url"].rsplit("/", 1)[1]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert first["secret_token"] not in logged
    assert segment not in logged


async def test_a_configured_secret_is_used_and_nothing_is_written(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    configured = "Configured_secret-" + "k" * 30
    async with _webhook_world(database, clock, tmp_path / "data", secret=configured) as world:
        stranger = world.sandbox.user(first_name="Onbekend")
        await stranger.send_text("hallo")
        assert (await stranger.next_message()).text
        assert world.registrations()[0]["secret_token"] == configured
        assert not (tmp_path / "data" / SECRET_FILE).exists()
