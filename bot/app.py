"""The bootstrap: one function shows every dependency the bot runs with."""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import chart
from bot.clock import Clock
from bot.guard import Guard
from bot.handlers import is_alert_update, make_update_handler
from bot.housekeeping import daily
from bot.lifeline import LOCK_FILE
from bot.ratelimit import PriorityRateLimiter
from bot.service import Waakvlam
from bot.settings import Settings
from bot.speech import Speaker
from bot.texts import Texts, load_texts
from bot.transport import telegram_request
from bot.updates import ChatOrderedProcessor
from dialogs.noodknop import EscalationPolicy
from storage.database import Database

__all__ = ["POLL_TIMEOUT", "build_application"]

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits for news
TICK_SECONDS = 10  # how often the clock looks at waiting alerts
# Updates handled at once (of different chats; one chat in order). 16, not 64: with fewer
# check-in openings sharing the loop and the interpreter, a noodknop press (which takes the
# next free slot) is done sooner: behind 400 openings on SQLite p50 139 -> 104 ms, worst
# 304 -> 264 ms, the same 28.5 first questions/s (bench/noodknop_under_load.py).
MAX_RUNNING_UPDATES = 16
SEND_RATE = 29  # messages/s overall: Telegram allows about 30, a little room for late bursts
PURGE_FIRST_SECONDS = 60  # the daily outbox purge first runs this long after the start


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Where it failed, never what it said: an exception's text can carry a person's words."""
    error = context.error
    frames = "".join(traceback.format_tb(error.__traceback__)) if error is not None else ""
    log.error("update failed: %s\n%s", type(error).__name__, frames)


def _voice(settings: Settings) -> Any:
    """The voice for read-aloud clients, or None when switched off."""
    if settings.voice_engine == "off":
        return None
    from bot.voice import Voice  # imports gTTS and PyAV: only when a voice is wanted

    return Voice(settings.voice_cache_dir, settings.voice_engine)


def build_application(
    settings: Settings,
    *,
    clock: Clock,
    database: Database,
    texts: Texts | None = None,
    guard: Guard | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    service = Waakvlam(
        settings=settings,
        clock=clock,
        database=database,
        texts=texts or load_texts(settings.default_language, settings.tz),
        guard=guard,
        speaker=Speaker(_voice(settings)),
        policy=EscalationPolicy(
            renotify_after=timedelta(minutes=settings.alert_renotify_minutes),
            emergency_after=timedelta(minutes=settings.alert_emergency_minutes),
            close_remind_after=timedelta(hours=settings.alert_close_remind_hours),
            autoclose_after=timedelta(hours=settings.alert_autoclose_hours),
        ),
    )

    # A restart in this data directory frees at once what the process before it held.
    service.worker.lifeline.lock_file = settings.data_dir / LOCK_FILE
    if not settings.huisartsenpost_number:
        log.warning(
            "WAAKVLAM_HUISARTSENPOST_NUMBER is not set: a client in an emergency is told to "
            "call their own GP to hear the number"
        )

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        service.bot_username = application.bot.username
        service.worker.start(application.bot)
        assert application.job_queue is not None
        # Separate jobs: alert escalation never waits behind a long check-in fan-out.
        for name, callback in (
            ("alert-tick", _tick_alerts),
            ("checkin-tick", _tick_checkins),
            ("digest-tick", _tick_digests),
        ):
            application.job_queue.run_repeating(
                callback,
                interval=TICK_SECONDS,
                first=1,
                name=name,
                # APScheduler's default grace of 1 s silently skips a late run on a busy loop.
                job_kwargs={"misfire_grace_time": 60, "coalesce": True, "max_instances": 1},
            )
        # Once a day, and a minute after the start: forget what is older than its setting.
        application.job_queue.run_repeating(
            _housekeeping,
            interval=timedelta(days=1),
            first=PURGE_FIRST_SECONDS,
            name="housekeeping",
            job_kwargs={"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1},
        )
        commands = [
            BotCommand(name, service.texts.render(settings.default_language, f"commands.{name}"))
            for name in ("start", "hulp", "nood")
        ]
        await application.bot.set_my_commands(commands)

    async def post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await service.worker.stop()
        await chart.DRAWER.stop()  # the card pictures' worker process

    async def _tick_alerts(context: ContextTypes.DEFAULT_TYPE) -> None:
        await service.tick_alerts(context.bot)

    async def _tick_checkins(context: ContextTypes.DEFAULT_TYPE) -> None:
        await service.checkin_tick(context.bot)

    async def _tick_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
        await service.digest_tick()

    async def _housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
        await daily(database, clock, settings)

    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        # 8 connections carry 29/s with room (bot/transport.py: why aiohttp under PTB).
        .request(telegram_request(settings.telegram_api_url, read_timeout=10, pool_size=8))
        .get_updates_request(
            telegram_request(settings.telegram_api_url, read_timeout=POLL_TIMEOUT + 10, pool_size=2)
        )
        # Different chats at once, one chat in order, alerts first (bot/updates.py).
        .concurrent_updates(
            ChatOrderedProcessor(
                MAX_RUNNING_UPDATES,
                urgent=lambda update: is_alert_update(
                    update, service.menus, service.checkins.words
                ),
            )
        )
        # 29/s, not 30: a little room, so a burst that reaches Telegram late is no 429. Alerts
        # take the next free token before every queued non-urgent call (bot/ratelimit.py).
        .rate_limiter(PriorityRateLimiter(SEND_RATE))
        .post_init(post_init)
        .post_stop(post_stop)
        .build()
    )
    application.bot_data["service"] = service
    application.add_handler(TypeHandler(Update, make_update_handler(service)))
    application.add_error_handler(_log_error)
    return application
