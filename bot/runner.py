"""Runs the bot: long polling (default) or webhook, with the database upgraded first.

Pending updates are never dropped: what people sent while the bot was down is handled when
it is back.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import POLL_TIMEOUT, build_application
from bot.chart import DRAWER
from bot.clock import Clock, SystemClock
from bot.settings import Settings
from bot.webhook_secret import webhook_endpoint
from storage.database import Database
from storage.migrate import bring_up_to_date

__all__ = ["polling", "run_polling", "run_webhook", "settle_heap", "webhook"]

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


async def _start(application: AnyApplication) -> None:
    """What ``run_polling`` does before it polls: initialize, post_init, start."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()


async def _stop(application: AnyApplication) -> None:
    """What ``run_polling`` does when it ends, with post_stop (the outbox worker finishes the
    rows in hand) before ``stop`` rather than after it: stop updates, post_stop, stop, shut
    down. An alert an update still raises meanwhile is sent still, or kept for the next start."""
    assert application.updater is not None
    await application.updater.stop()
    if application.post_stop is not None:
        await application.post_stop(application)
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


@asynccontextmanager
async def polling(application: AnyApplication) -> AsyncIterator[AnyApplication]:
    """Start polling inside a running event loop (demo, tests); stop cleanly on exit."""
    await _start(application)
    assert application.updater is not None
    await application.updater.start_polling(
        timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
    )
    try:
        yield application
    finally:
        await _stop(application)


@asynccontextmanager
async def webhook(application: AnyApplication, settings: Settings) -> AsyncIterator[AnyApplication]:
    """Receive updates by webhook inside a running event loop (tests); stop cleanly on exit.

    Only requests to the secret path that carry the secret token are accepted."""
    endpoint = webhook_endpoint(settings)
    await _start(application)
    assert application.updater is not None
    await application.updater.start_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=endpoint.path,
        webhook_url=endpoint.url,
        secret_token=endpoint.secret,
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
    )
    try:
        yield application
    finally:
        await _stop(application)


def _prepare(settings: Settings, clock: Clock | None) -> tuple[AnyApplication, Database]:
    database = Database(settings.resolved_database_url)
    bring_up_to_date(database.engine)
    application = build_application(settings, clock=clock or SystemClock(), database=database)
    DRAWER.start()  # the card pictures' worker loads matplotlib now, in its own process
    settle_heap()
    return application, database


def settle_heap() -> None:
    """Move everything made while starting (modules, the ORM's tables, texts, question sets,
    which live as long as the process) out of the garbage collector's way: a full collection
    then walks only what came after and never stalls the event loop for long (the stalls over
    100 ms in bench/checkin_fanout.py were full collections)."""
    gc.collect()
    gc.freeze()


def run_polling(settings: Settings, clock: Clock | None = None) -> None:
    application, database = _prepare(settings, clock)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    finally:
        database.dispose()


def run_webhook(settings: Settings, clock: Clock | None = None) -> None:
    """Serve the webhook until stopped; only the secret path with the secret token is accepted."""
    endpoint = webhook_endpoint(settings)
    application, database = _prepare(settings, clock)
    try:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=endpoint.path,
            webhook_url=endpoint.url,
            secret_token=endpoint.secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
    finally:
        database.dispose()
