"""Fixtures for the sandbox tests: a running sandbox and PTB clients for it.

Every sandbox here checks its own answers against the Bot API types
(`check_responses=True`); a test fails at teardown if the sandbox sent anything the real
Telegram would not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from telegram import Bot
from telegram.request import HTTPXRequest
from telegram_sandbox import TelegramSandbox

BotFactory = Callable[..., Awaitable[Bot]]


def make_request() -> HTTPXRequest:
    """An HTTPX request object that ignores proxy variables (127.0.0.1 stays local)."""
    return HTTPXRequest(httpx_kwargs={"trust_env": False})


def make_bot(sandbox: TelegramSandbox, token: str | None = None) -> Bot:
    """A real PTB Bot pointed at the sandbox."""
    return Bot(
        token or sandbox.bot_token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=make_request(),
        get_updates_request=make_request(),
    )


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations: reading `retry_after` then warns not."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    """A started sandbox that checks its answers against the Bot API types."""
    async with TelegramSandbox(check_responses=True) as running:
        yield running
        assert running.response_problems == []


@pytest_asyncio.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[Bot]:
    """An initialised PTB Bot talking to the sandbox."""
    client = make_bot(sandbox)
    async with client:
        yield client


@pytest_asyncio.fixture
async def bot_factory(sandbox: TelegramSandbox) -> AsyncIterator[BotFactory]:
    """More Bots (a second instance, a reconnect, a wrong token), closed after.

    `await bot_factory()` returns an initialised Bot; `bot_factory(token=...,
    initialize=False)` one that has not called getMe yet.
    """
    made: list[Bot] = []

    async def factory(token: str | None = None, initialize: bool = True) -> Bot:
        client = make_bot(sandbox, token)
        made.append(client)
        if initialize:
            await client.initialize()
        return client

    yield factory
    for client in made:
        await client.shutdown()
