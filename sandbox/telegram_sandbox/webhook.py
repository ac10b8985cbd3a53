"""Webhook delivery: POST every pending update to the bot's URL until it answers 2xx.

Like Telegram, up to `max_connections` requests run at once, updates of one chat go one
after the other and in order (a chat's next update waits until the previous one was
accepted), a failed delivery is retried with growing pauses, and the last failure shows
in getWebhookInfo. Each request carries `X-Telegram-Bot-Api-Secret-Token` when
setWebhook got a secret_token. Method calls in the webhook's response body (a Telegram
feature PTB does not use) are not executed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp

from telegram_sandbox.state import PendingUpdate, SandboxState, WebhookConfig

__all__ = ["WebhookDelivery"]

logger = logging.getLogger(__name__)


class WebhookDelivery:
    """The delivery workers for one webhook configuration."""

    def __init__(
        self,
        state: SandboxState,
        config: WebhookConfig,
        *,
        retry_delay: float = 0.05,
        max_retry_delay: float = 2.0,
        timeout: float = 10.0,
        on_payload: Callable[[str, Any], None] | None = None,
    ) -> None:
        self._state = state
        self._config = config
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._timeout = timeout
        self._on_payload = on_payload
        self._queues: dict[Any, deque[int]] = {}
        self._ready: asyncio.Queue[Any] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Queue what is pending and start the workers."""
        connector = aiohttp.TCPConnector(limit=self._config.max_connections)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=self._timeout)
        )
        for pending in self._state.updates.values():
            self.push(pending)
        self._state.on_update = self.push
        self._tasks = [
            asyncio.create_task(self._worker(), name=f"sandbox-webhook-{n}")
            for n in range(self._config.max_connections)
        ]

    async def stop(self) -> None:
        """Stop delivering; undelivered updates stay pending for getUpdates."""
        if self._state.on_update == self.push:
            self._state.on_update = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._session is not None:
            await self._session.close()
            self._session = None

    def push(self, pending: PendingUpdate) -> None:
        """Queue one update behind the earlier ones of its chat."""
        key: Any = (
            pending.chat_key if pending.chat_key is not None else ("update", pending.update_id)
        )
        queue = self._queues.get(key)
        if queue is None:
            self._queues[key] = deque([pending.update_id])
            self._ready.put_nowait(key)
        else:
            queue.append(pending.update_id)

    async def _worker(self) -> None:
        while True:
            key = await self._ready.get()
            queue = self._queues[key]
            pending = self._state.updates.get(queue[0])
            if pending is not None:
                await self._deliver(pending)
            queue.popleft()
            if queue:
                self._ready.put_nowait(key)
            else:
                del self._queues[key]

    async def _deliver(self, pending: PendingUpdate) -> None:
        assert self._session is not None
        state, config = self._state, self._config
        body = json.dumps(pending.body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = config.secret_token
        if self._on_payload is not None:
            self._on_payload("Update", pending.body)
        delay = self._retry_delay
        while pending.update_id in state.updates:
            try:
                async with self._session.post(config.url, data=body, headers=headers) as response:
                    await response.read()
                    if 200 <= response.status < 300:
                        state.updates.pop(pending.update_id, None)
                        state.stats["webhook_deliveries"] += 1
                        return
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except TimeoutError:
                error = "Read timeout expired"
            except aiohttp.ClientConnectorError:
                error = "Connection refused"
            except aiohttp.ClientError as exc:
                error = f"Connection failed: {type(exc).__name__}"
            state.stats["webhook_failures"] += 1
            config.last_error_date = state.now()
            config.last_error_message = error
            logger.info("webhook delivery of update %s failed: %s", pending.update_id, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_retry_delay)
