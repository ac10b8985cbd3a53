"""Webhook mode: Telegram (the sandbox) pushes updates to the bot, with the secret token."""

from __future__ import annotations

import socket
from pathlib import Path

from bot.app import build_application
from bot.clock import FixedClock
from bot.runner import WEBHOOK_PATH, webhook
from bot.sandbox import TelegramSandbox
from bot.settings import Settings
from storage.database import Database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_updates_arrive_by_webhook(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    async with TelegramSandbox() as sandbox:
        settings = Settings(
            telegram_bot_token=sandbox.bot_token,
            telegram_api_url=sandbox.api_root,
            data_dir=tmp_path,
        )
        application = build_application(settings, clock=clock, database=database)
        port = _free_port()
        url = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
        async with webhook(
            application, listen="127.0.0.1", port=port, url=url, secret="s3cret-Token"
        ):
            stranger = sandbox.user(first_name="Onbekend")
            await stranger.send_text("hallo")
            hello = await stranger.next_message()
            assert hello.text.startswith("Hoi! Deze chat is voor mensen met een lifecoach.")
        set_webhook = [params for method, params in sandbox.calls if method == "setWebhook"]
        assert set_webhook and set_webhook[0]["url"] == url
        assert set_webhook[0]["secret_token"] == "s3cret-Token"
