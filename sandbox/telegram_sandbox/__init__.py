"""A local Telegram Bot API server speaking real HTTP, with simulated people.

Used by the offline demo, the integration and scenario tests and the benchmarks: the
real python-telegram-bot client talks to it unchanged (`base_url=f"{root}/bot"`,
`base_file_url=f"{root}/file/bot"`), while tests act as people::

    async with TelegramSandbox() as sandbox:
        anna = sandbox.user("Anna")
        await anna.open_deep_link("TOKEN")
        welcome = await anna.next_message()
        await anna.press("Ja")

Modules: telegram_sandbox (the facade), server (HTTP), methods (Bot API methods), state
(chats, messages, updates), people (SimUser, SimGroup), faults (fault injection, rate
limits), webhook (delivery), validation + schema.json (the Bot API subset, made by
gen_schema), formatting (parse modes and entities), markup (keyboards), files (uploads
and downloads).
"""

from telegram_sandbox.errors import (
    ApiError,
    ButtonNotFoundError,
    NoMessageError,
    SandboxUsageError,
)
from telegram_sandbox.faults import Faults
from telegram_sandbox.people import SimGroup, SimUser
from telegram_sandbox.state import CallbackAnswer, SentMessage
from telegram_sandbox.telegram_sandbox import TelegramSandbox

__all__ = [
    "ApiError",
    "ButtonNotFoundError",
    "CallbackAnswer",
    "Faults",
    "NoMessageError",
    "SandboxUsageError",
    "SentMessage",
    "SimGroup",
    "SimUser",
    "TelegramSandbox",
]
