"""The bot's HTTP transport (bot/transport.py) as python-telegram-bot and the sandbox see it:
answers, Telegram's errors, timeouts, uploads and downloads arrive as they do over httpx."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram_sandbox import SimUser, TelegramSandbox
from telegram_sandbox.people import fake_ogg, tiny_png

from bot.transport import AiohttpRequest, telegram_request

pytestmark = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations: reading `retry_after` then warns not."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    async with TelegramSandbox(check_responses=True) as running:
        yield running
        assert running.response_problems == []


def bot_for(sandbox: TelegramSandbox, request: AiohttpRequest) -> Bot:
    return Bot(
        sandbox.bot_token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=request,
        get_updates_request=telegram_request(sandbox.base_url, read_timeout=20, pool_size=1),
    )


@pytest_asyncio.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[Bot]:
    """The bot's transport with fewer connections than some tests make calls at once."""
    client = bot_for(sandbox, telegram_request(sandbox.base_url, read_timeout=10, pool_size=2))
    async with client:
        yield client


async def started(sandbox: TelegramSandbox, name: str = "Anna") -> SimUser:
    person = sandbox.user(name)
    await person.send_text("/start")
    return person


async def test_a_message_with_buttons_arrives_and_its_answer_is_read(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = await started(sandbox)

    sent = await bot.send_message(anna.id, "Hoe gaat het? ✨", reply_markup=None)

    assert sent.text == "Hoe gaat het? ✨" and sent.chat.id == anna.id
    assert [m.text for m in anna.inbox] == ["Hoe gaat het? ✨"]


async def test_characters_json_or_a_form_escape_arrive_exactly(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    """Parameters go as one JSON object (bot/transport.py ``_body``): what JSON or a form would
    escape, emoji, and buttons inside the markup arrive as they were written."""
    anna = await started(sandbox)
    text = "Zorg & steun = 100% 👍\nCafé? a+b #1"
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Ja ✅", callback_data="ci:1:0:yes")]])

    await bot.send_message(anna.id, text, reply_markup=buttons, disable_notification=True)

    message = anna.inbox[-1]
    assert message.text == text
    assert message.buttons == [["Ja ✅"]]
    assert sandbox.calls[-1][1]["disable_notification"] is True


async def test_telegram_errors_become_what_python_telegram_bot_raises(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = await started(sandbox)
    sandbox.faults.fail(method="sendMessage", status=429, retry_after=2, times=1)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "een")
    assert caught.value.retry_after == dtm.timedelta(seconds=2)

    sandbox.faults.fail(method="sendMessage", status=502, times=1)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(anna.id, "twee")

    sandbox.faults.drop(method="sendMessage")
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(anna.id, "drie")
    assert not isinstance(dropped.value, TimedOut)
    assert sandbox.base_url not in str(dropped.value)  # the URL holds the token

    await bot.send_message(anna.id, "vier")
    assert [m.text for m in anna.inbox] == ["vier"]


async def test_a_slow_answer_is_a_timeout_and_the_message_may_still_arrive(
    sandbox: TelegramSandbox,
) -> None:
    anna = await started(sandbox)
    sandbox.faults.delay(method="sendMessage", seconds=0.5)
    impatient = bot_for(sandbox, telegram_request(sandbox.base_url, read_timeout=0.05, pool_size=1))

    async with impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(anna.id, "toch aangekomen")
        # A timeout given for one call wins over the request's own.
        sandbox.faults.delay(method="sendMessage", seconds=0.2)
        patient = await impatient.send_message(anna.id, "op tijd", read_timeout=5)

    assert patient.text == "op tijd"
    await anna.wait_until(lambda: len(anna.inbox) == 2, timeout=5)
    assert sorted(m.text or "" for m in anna.inbox) == ["op tijd", "toch aangekomen"]


async def test_a_voice_note_and_a_picture_upload_and_a_voice_message_downloads(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    anna = await started(sandbox)
    audio, picture = fake_ogg(4), tiny_png(320, 200)

    voice = await bot.send_voice(anna.id, voice=audio, caption="Luister maar")
    photo = await bot.send_photo(anna.id, photo=picture, filename="cijfers.png")

    assert voice.voice is not None and voice.caption == "Luister maar"
    assert [(p.width, p.height) for p in photo.photo] == [(320, 200)]
    assert [(m.kind, m.file_bytes) for m in anna.inbox] == [("voice", audio), ("photo", picture)]
    spoken = await anna.send_voice(duration=2)
    telegram_file = await bot.get_file(spoken["voice"]["file_id"])
    assert bytes(await telegram_file.download_as_bytearray()) == fake_ogg(2)


async def test_more_calls_at_once_than_connections_all_arrive(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    people = [await started(sandbox, f"P{n}") for n in range(20)]

    await asyncio.gather(*(bot.send_message(p.id, f"hoi {p.first_name}") for p in people))

    assert [[m.text for m in p.inbox] for p in people] == [[f"hoi P{n}"] for n in range(20)]


async def test_a_long_poll_may_take_longer_than_the_read_timeout(
    sandbox: TelegramSandbox,
) -> None:
    """getUpdates adds its long-poll timeout to the read timeout (python-telegram-bot): an
    empty poll of one second is an answer, not a timeout of 0.2 s."""
    poller = Bot(
        sandbox.bot_token,
        base_url=sandbox.base_url,
        request=telegram_request(sandbox.base_url, read_timeout=10, pool_size=1),
        get_updates_request=telegram_request(sandbox.base_url, read_timeout=0.2, pool_size=1),
    )
    async with poller:
        assert await poller.get_updates(timeout=1) == ()


async def test_proxy_variables_are_used_for_telegram_and_never_for_a_local_server() -> None:
    remote = telegram_request("https://api.telegram.org", read_timeout=10, pool_size=1)
    local = telegram_request("http://127.0.0.1:8081", read_timeout=10, pool_size=1)
    await remote.initialize()
    await local.initialize()
    try:
        assert remote.trusts_proxy_variables and not local.trusts_proxy_variables
    finally:
        await remote.shutdown()
        await local.shutdown()


async def test_a_request_not_initialized_says_so() -> None:
    request = telegram_request("http://127.0.0.1:8081", read_timeout=10, pool_size=1)
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:8081/botX/getMe", "POST")
