"""`TelegramSandbox`: a local Telegram for one bot, with simulated people.

It wires the parts together (state, HTTP server, faults, rate limits, webhook delivery)
and is
what tests, the offline demo and benchmarks use::

    async with TelegramSandbox() as sandbox: anna = sandbox.user("Anna") app =
    ApplicationBuilder().token(sandbox.bot_token).base_url(sandbox.base_url)... await
    anna.send_text("/start") reply = await anna.next_message()
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import aiohttp

from telegram_sandbox.errors import NoMessageError, SandboxUsageError, bad_request
from telegram_sandbox.faults import Faults, RateLimiter
from telegram_sandbox.methods import HANDLERS, MethodContext, commands_key
from telegram_sandbox.people import SimGroup, SimUser
from telegram_sandbox.server import BotApiServer, check_result
from telegram_sandbox.state import SandboxState, WebhookConfig, wait_until
from telegram_sandbox.validation import load_schema
from telegram_sandbox.webhook import WebhookDelivery

__all__ = ["TelegramSandbox"]

logger = logging.getLogger(__name__)

FIRST_USER_ID = 7_100_000_001  # above 2**32, as new Telegram accounts are: catches INTEGER ids
FIRST_GROUP_ID = -4_200_000_001


class TelegramSandbox:
    """A Bot API server on 127.0.0.1 plus the people and groups who talk to the bot."""

    def __init__(
        self,
        bot_token: str = "123456:TEST-token",
        bot_username: str = "waakvlam_test_bot",
        bot_first_name: str = "Waakvlam",
        *,
        clock: Callable[[], float] = time.time,
        record_calls: bool = True,
        check_responses: bool = False,
        first_update_id: int = 1,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        """Create a sandbox; `start()` (or `async with`) makes it listen.

        `record_calls=False` keeps memory flat in long benchmarks;
        `check_responses=True` checks every answer against the Bot API types and
        collects what differs in `response_problems`.
        """
        self.state = SandboxState(
            bot_token=bot_token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            clock=clock,
            first_update_id=first_update_id,
        )
        self.faults = Faults()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.response_problems: list[str] = []
        self._record_calls = record_calls
        self._check_responses = check_responses
        self._webhook_retry_delay = webhook_retry_delay
        self._limiter = RateLimiter()
        self._schema = load_schema()
        self._method_names = {name.lower(): name for name in HANDLERS}
        self._server: BotApiServer | None = None
        self._delivery: WebhookDelivery | None = None
        self._http: aiohttp.ClientSession | None = None
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._group_ids = itertools.count(-FIRST_GROUP_ID)

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        """Start serving; port 0 picks a free port (see `api_root`)."""
        if self._server is not None:
            raise SandboxUsageError("the sandbox is running already")
        self.state.closing = False
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        context = MethodContext(self.state, self._apply_webhook, self._fetch_url)
        server = BotApiServer(
            token=self.state.bot_token,
            schema=self._schema,
            context=context,
            faults=self.faults,
            limiter=self._limiter,
            calls=self.calls if self._record_calls else None,
            on_payload=self._check if self._check_responses else None,
        )
        await server.start(host, port)
        self._server = server
        return self

    async def stop(self) -> None:
        """Stop serving: waiting getUpdates calls return, webhook delivery ends."""
        self.state.closing = True
        self.state.wake_pollers()
        if self._delivery is not None:
            await self._delivery.stop()
            self._delivery = None
        if self._server is not None:
            await self._server.stop()
            self._server = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- where the bot connects -----------------------------------------------------------

    @property
    def api_root(self) -> str:
        """`http://127.0.0.1:PORT`, the value for TELEGRAM_API_URL."""
        if self._server is None:
            raise SandboxUsageError("start the sandbox first")
        return self._server.root

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)` / `Bot(base_url=...)`."""
        return f"{self.api_root}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)` / `Bot(base_file_url=...)`."""
        return f"{self.api_root}/file/bot"

    @property
    def bot_token(self) -> str:
        return self.state.bot_token

    @property
    def bot_username(self) -> str:
        return str(self.state.bot_user["username"])

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's User object."""
        return dict(self.state.bot_user)

    # --- people ---------------------------------------------------------------------------

    def user(
        self,
        first_name: str = "Anna",
        user_id: int | None = None,
        language_code: str | None = "nl",
        username: str | None = None,
        *,
        last_name: str | None = None,
        phone_number: str | None = None,
    ) -> SimUser:
        """A new person with a private chat with the bot (chat id == user id)."""
        uid = user_id if user_id is not None else next(self._user_ids)
        while user_id is None and uid in self.state.chats:
            uid = next(self._user_ids)
        user: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        chat = self.state.add_private_chat(user)
        # A real Dutch mobile number by default (06-1xxxxxxx): a bot may check it as Telegram's.
        person = SimUser(self.state, chat, user, phone_number or f"+3161{uid % 10_000_000:07d}")
        self._users[uid] = person
        return person

    def get_user(self, user_id: int) -> SimUser:
        """The simulated person with this id."""
        try:
            return self._users[user_id]
        except KeyError:
            raise SandboxUsageError(f"no simulated user {user_id}") from None

    @property
    def users(self) -> dict[int, SimUser]:
        """All simulated people by id."""
        return dict(self._users)

    def group(
        self,
        title: str = "Team",
        members: list[SimUser] | tuple[SimUser, ...] = (),
        *,
        privacy_mode: bool = True,
    ) -> SimGroup:
        """A new group with the bot in it (negative chat id) and these members."""
        chat_id = -next(self._group_ids)
        chat = self.state.add_group(chat_id, title, privacy_mode)
        for person in members:
            chat.members[person.id] = person.user
        group = SimGroup(self.state, chat)
        self._groups[chat_id] = group
        return group

    # --- observing and steering -----------------------------------------------------------

    @property
    def stats(self) -> Counter[str]:
        """Counters: "requests", answers by status ("200", "429"...), "updates"..."""
        return self.state.stats

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet."""
        return len(self.state.updates)

    @property
    def webhook_url(self) -> str | None:
        """The webhook URL set by the bot, or None in getUpdates mode."""
        return self.state.webhook.url if self.state.webhook else None

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The command list the bot set with setMyCommands for a scope and language."""
        return list(self.state.commands.get(commands_key(scope, language_code), []))

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of `method` (case-insensitive), in order."""
        wanted = method.lower()
        return [params for name, params in self.calls if name.lower() == wanted]

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (a waiting deadline, part of the test API)
    ) -> None:
        """Wait until the bot has called `method` at least `count` times in all.

        Counts calls that arrived, whatever their answer (a waiting getUpdates counts at
        once).
        """
        name = self._method_names.get(method.lower(), method)
        key = f"calls:{name}"
        reached = await wait_until(
            self.state.call_signal,
            lambda: True if self.stats[key] >= count else None,
            timeout,
        )
        if reached is None:
            raise NoMessageError(
                f"the bot called {name} {self.stats[key]} time(s), not {count}, within {timeout} s"
            )

    def rate_limits(
        self,
        per_chat_per_second: float | None = None,
        global_per_second: float | None = None,
    ) -> None:
        """Answer 429 with retry_after when the bot sends faster (None: no limit)."""
        self._limiter.configure(per_chat_per_second, global_per_second)

    # --- internals ------------------------------------------------------------------------

    async def _apply_webhook(self, config: WebhookConfig | None) -> None:
        if self._delivery is not None:
            await self._delivery.stop()
            self._delivery = None
        self.state.webhook = config
        if config is not None:
            self._delivery = WebhookDelivery(
                self.state,
                config,
                retry_delay=self._webhook_retry_delay,
                on_payload=self._check if self._check_responses else None,
            )
            await self._delivery.start()
        self.state.wake_pollers()

    async def _fetch_url(self, url: str) -> tuple[bytes, str | None]:
        if self._http is None:
            raise bad_request("failed to get HTTP URL content")
        try:
            async with self._http.get(url) as response:
                if response.status != 200:
                    raise bad_request("failed to get HTTP URL content")
                return await response.read(), response.content_type
        except (aiohttp.ClientError, TimeoutError):
            raise bad_request("failed to get HTTP URL content") from None

    def _check(self, type_spec: str, value: Any) -> None:
        problems = check_result(type_spec, value, self._schema)
        if problems:
            logger.warning("sandbox answer does not match the Bot API: %s", problems[:3])
            self.response_problems.extend(problems)
