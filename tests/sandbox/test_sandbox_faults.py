"""Injected faults and rate limits, as the PTB client experiences them."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest
from telegram_sandbox import TelegramSandbox

pytestmark = pytest.mark.asyncio


async def started(sandbox: TelegramSandbox, name: str = "Anna") -> int:
    person = sandbox.user(name)
    await person.send_text("/start")
    return person.id


async def test_429_becomes_retry_after(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = await started(sandbox)
    sandbox.faults.fail(method="sendMessage", status=429, retry_after=2, times=1)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna, "Hallo")

    assert caught.value.retry_after == dtm.timedelta(seconds=2)
    assert (await bot.send_message(anna, "Hallo")).text == "Hallo"  # only once
    assert sandbox.stats["429"] == 1
    assert [p["text"] for p in sandbox.calls_to("sendMessage")] == ["Hallo", "Hallo"]
    assert len(sandbox.get_user(anna).inbox) == 1


async def test_500_and_502_become_network_errors(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = await started(sandbox)
    sandbox.faults.fail(method="sendMessage", status=500)
    sandbox.faults.fail(method="sendMessage", status=502)

    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(anna, "een")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(anna, "twee")
    await bot.send_message(anna, "drie")
    assert [m.text for m in sandbox.get_user(anna).inbox] == ["drie"]


async def test_faults_can_target_one_chat(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna, bram = await started(sandbox, "Anna"), await started(sandbox, "Bram")
    sandbox.faults.fail(method="*", status=500, times=None, chat_id=bram)

    await bot.send_message(anna, "voor Anna")
    with pytest.raises(NetworkError):
        await bot.send_message(bram, "voor Bram")
    with pytest.raises(NetworkError):
        await bot.send_chat_action(bram, "typing")
    sandbox.faults.clear()
    await bot.send_message(bram, "voor Bram")


async def test_a_dropped_call_is_not_applied(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = await started(sandbox)
    sandbox.faults.drop(method="sendMessage")

    with pytest.raises(NetworkError):
        await bot.send_message(anna, "kwijt")

    assert sandbox.get_user(anna).inbox == []
    assert sandbox.stats["dropped"] == 1
    await bot.send_message(anna, "wel")
    assert [m.text for m in sandbox.get_user(anna).inbox] == ["wel"]


async def test_a_delayed_call_is_applied_even_when_the_client_gave_up(
    sandbox: TelegramSandbox,
) -> None:
    anna = sandbox.user("Anna")
    await anna.send_text("/start")
    sandbox.faults.delay(method="sendMessage", seconds=0.3)
    impatient = Bot(
        sandbox.bot_token,
        base_url=sandbox.base_url,
        request=HTTPXRequest(read_timeout=0.05, httpx_kwargs={"trust_env": False}),
    )
    async with impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(anna.id, "toch aangekomen")

    late = await anna.next_message(timeout=2)
    assert late.text == "toch aangekomen"


async def test_a_test_can_wait_until_a_held_call_came_in(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna, bram = await started(sandbox, "Anna"), await started(sandbox, "Bram")
    sandbox.faults.delay(method="sendMessage", seconds=0.5, chat_id=anna)
    with pytest.raises(TimeoutError, match="0 of 1 calls"):
        await sandbox.faults.wait_matched(timeout=0.05)  # nothing sent yet
    await bot.send_message(bram, "niet vastgehouden")  # no rule for Bram: not counted

    sending = asyncio.create_task(bot.send_message(anna, "vastgehouden"))
    await sandbox.faults.wait_matched(timeout=5)

    assert sandbox.faults.matched == 1
    assert sandbox.get_user(anna).inbox == [], "the call came in and is still being held"
    assert (await sending).text == "vastgehouden"
    sandbox.faults.clear()
    assert sandbox.faults.matched == 0


async def test_rate_limits_answer_429_like_telegram(sandbox: TelegramSandbox, bot: Bot) -> None:
    anna = await started(sandbox)
    sandbox.rate_limits(per_chat_per_second=1)

    await bot.send_message(anna, "een")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna, "twee")

    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert sandbox.stats["429"] == 1
    sandbox.rate_limits()
    await bot.send_message(anna, "drie")


async def test_concurrent_sends_are_all_answered(sandbox: TelegramSandbox, bot: Bot) -> None:
    people = [sandbox.user(f"P{n}") for n in range(20)]
    for person in people:
        await person.send_text("/start")

    await asyncio.gather(*(bot.send_message(p.id, f"hoi {p.first_name}") for p in people))

    assert all(p.inbox[0].text == f"hoi {p.first_name}" for p in people)
