"""The sandbox's world: chats, their messages, callback queries and the update queue.

Nothing here speaks HTTP. The Bot API methods (methods.py) and the simulated people
(people.py) both change this state; every lookup is a dict access by chat id, message
id, update id or query id, so the cost of a request does not grow with the number of
people. Waiting is event-driven: each chat has a `Signal` that wakes coroutines waiting
for the bot's next message, and a long-polling getUpdates is woken by the update that
ends its wait.

Longer than our ~400 lines on purpose: Telegram's server-side state (chats, messages,
files, updates) is one object whose parts change together.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram_sandbox.errors import ApiError, SandboxUsageError, bad_request, forbidden
from telegram_sandbox.files import FileStore, StoredFile
from telegram_sandbox.markup import button_texts, inline_keyboard, reply_keyboard

__all__ = [
    "CallbackAnswer",
    "CallbackQueryRecord",
    "ChatState",
    "PendingUpdate",
    "SandboxState",
    "SentMessage",
    "Signal",
    "WebhookConfig",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Update types a bot receives when it never said which ones it wants.
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
#: The emoji a person can react with (``ReactionTypeEmoji``), as Telegram writes them:
#: without the variation selector U+FE0F ("❤", not "❤️").
REACTION_EMOJI = frozenset(
    (  # noqa: SIM905 (a list literal of 73 emoji would be 73 lines)
        "❤ 👍 👎 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤\u200d🔥 🌚 🌭 💯 "
        "🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨\u200d💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 "
        "🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷\u200d♂ 🤷 🤷\u200d♀ 😡"
    ).split()
)
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
#: What a message can carry, in the order `message_kind` checks: an animation also fills
#: `document`, a venue `location` and a live photo `photo` (see `KIND_FIELDS`).
MESSAGE_KINDS = (
    "text",
    "animation",
    "voice",
    "live_photo",
    "photo",
    "audio",
    "document",
    "video",
    "video_note",
    "sticker",
    "venue",
    "location",
    "contact",
    "dice",
    "poll",
    "checklist",
    "game",
    "story",
    "paid_media",
    "invoice",
    "giveaway",
    "giveaway_winners",
)
#: The Message fields that carry one kind of content, where that is more than the kind's
#: own field ("for backward compatibility, when this field is set, the document field
#: will also be set").
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "animation": ("animation", "document"),
    "venue": ("venue", "location"),
    "live_photo": ("live_photo", "photo"),
}
#: Kinds whose messages have a caption.
CAPTION_KINDS = frozenset(
    {"animation", "audio", "document", "live_photo", "paid_media", "photo", "video", "voice"}
)
#: Kinds carrying a file, with the Message field that describes the file.
FILE_FIELDS = (
    "voice",
    "audio",
    "photo",
    "document",
    "video",
    "video_note",
    "animation",
    "sticker",
)


class Signal:
    """Wakes the coroutines waiting for a change; costs nothing while nobody waits."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        """Wake everyone waiting now."""
        if self._event is not None:
            self._event.set()
            self._event = None

    def waiter(self) -> asyncio.Event:
        """An event the next `notify` sets; take it *before* checking the condition."""
        if self._event is None:
            self._event = asyncio.Event()
        return self._event


async def wait_until(signal: Signal, check: Callable[[], T | None], seconds: float) -> T | None:
    """Re-run `check` on every `signal` until it returns non-None or time runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        result = check()
        if result is not None:
            return result
        remaining = deadline - loop.time()
        if remaining <= 0:
            return None
        event = signal.waiter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), remaining)


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, as the person sees it now (edits, deletion)."""

    message_id: int
    chat_id: int
    raw: dict[str, Any]
    method: str
    reply_markup: dict[str, Any] | None = None
    file: StoredFile | None = field(default=None, repr=False)
    copied_from: tuple[int, int] | None = None
    forwarded_from: tuple[int, int] | None = None
    edited: bool = False
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list, repr=False)
    # Sent with ``disable_notification``: the person's phone shows it without a sound.
    # Telegram keeps this out of the Message object; the sandbox records it for tests.
    silent: bool = False

    @property
    def kind(self) -> str:
        """ "text", "voice", "photo", ... : which content the message carries."""
        return message_kind(self.raw)

    @property
    def text(self) -> str | None:
        """The text, or the caption of a media message, or None."""
        value = self.raw.get("text", self.raw.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def caption(self) -> str | None:
        """The caption of a media message (None for text and uncaptioned media)."""
        value = self.raw.get("caption")
        return value if isinstance(value, str) else None

    @property
    def media(self) -> dict[str, Any] | None:
        """The object describing the content (Voice, Location, ...; for a photo its
        largest size), or None for text."""
        value = self.raw.get(self.kind)
        if isinstance(value, list):
            value = value[-1] if value else None
        return value if isinstance(value, dict) else None

    @property
    def file_id(self) -> str | None:
        """The file_id of the file this message carries (largest photo size), if any."""
        media = self.media if self.kind in FILE_FIELDS else None
        return media.get("file_id") if media else None

    @property
    def file_size(self) -> int | None:
        """The file_size Telegram reports for the file this message carries, if any."""
        media = self.media if self.kind in FILE_FIELDS else None
        size = media.get("file_size") if media else None
        return size if isinstance(size, int) else None

    @property
    def reply_to_message_id(self) -> int | None:
        """The id of the message this one replies to (in the same chat), if any."""
        replied = self.raw.get("reply_to_message")
        return replied.get("message_id") if isinstance(replied, dict) else None

    @property
    def is_copy(self) -> bool:
        """Whether the bot sent this with copyMessage (see `copied_from`)."""
        return self.copied_from is not None

    @property
    def entities(self) -> list[dict[str, Any]]:
        """Entities of the text or caption."""
        found = self.raw.get("entities") or self.raw.get("caption_entities") or []
        return list(found)

    @property
    def buttons(self) -> list[list[str]]:
        """Texts of the inline buttons, by row."""
        return button_texts(inline_keyboard(self.reply_markup))

    @property
    def button_data(self) -> list[list[str]]:
        """callback_data of the inline buttons, by row ("" for buttons without one)."""
        return button_texts(inline_keyboard(self.reply_markup), "callback_data")

    @property
    def keyboard(self) -> list[list[str]]:
        """Texts of the reply keyboard this message set ([] if it set none)."""
        rows = reply_keyboard(self.reply_markup)
        return button_texts(rows) if rows else []

    @property
    def removes_keyboard(self) -> bool:
        """Whether this message removed the reply keyboard."""
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))

    @property
    def file_bytes(self) -> bytes | None:
        """The bytes of the file this message carries, if any."""
        return self.file.data if self.file else None

    def __repr__(self) -> str:
        flags = "".join(
            name for name, on in ((" edited", self.edited), (" deleted", self.deleted)) if on
        )
        return f"<SentMessage {self.chat_id}/{self.message_id} {self.kind}{flags}>"


def message_kind(message: dict[str, Any]) -> str:
    """Which content a Message dict carries ("text", "voice", ..., or "service")."""
    for kind in MESSAGE_KINDS:
        if kind in message:
            return kind
    return "service"


@dataclass(eq=False)
class ChatState:
    """One chat between the bot and a person (private) or a group."""

    id: int
    type: str
    info: dict[str, Any]
    user: dict[str, Any] | None = None
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    privacy_mode: bool = True
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    sent: dict[int, SentMessage] = field(default_factory=dict)
    inbox: list[SentMessage] = field(default_factory=list)
    started: bool = False
    blocked: bool = False
    bot_removed: bool = False
    keyboard_markup: dict[str, Any] | None = None
    chat_actions: list[str] = field(default_factory=list)
    # The person's own reactions, by message id (``ReactionType`` dicts, as Telegram sends).
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    signal: Signal = field(default_factory=Signal)


@dataclass(frozen=True)
class CallbackAnswer:
    """One answerCallbackQuery call, as the person saw it."""

    query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int = 0


@dataclass(eq=False)
class CallbackQueryRecord:
    """A button press waiting for the bot's answerCallbackQuery."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    created: float
    answered: bool = False


@dataclass(frozen=True)
class PendingUpdate:
    """An update not yet confirmed by the bot."""

    update_id: int
    kind: str
    body: dict[str, Any]
    chat_key: int | None


@dataclass
class WebhookConfig:
    """What setWebhook set."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class _LongPoll:
    """The one getUpdates request allowed to wait at a time."""

    __slots__ = ("terminated", "wake")

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.terminated = False


class SandboxState:
    """Everything the sandbox knows; see the module docstring."""

    def __init__(
        self,
        *,
        bot_token: str,
        bot_username: str,
        bot_first_name: str,
        clock: Callable[[], float],
        first_update_id: int = 1,
    ) -> None:
        bot_id = int(bot_token.split(":", 1)[0]) if bot_token.split(":", 1)[0].isdigit() else 1
        self.bot_token = bot_token
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.clock = clock
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.files = FileStore()
        self.updates: OrderedDict[int, PendingUpdate] = OrderedDict()
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.allowed_updates_set: list[str] | None = None
        self.webhook: WebhookConfig | None = None
        self.on_update: Callable[[PendingUpdate], None] | None = None
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.callback_answers: dict[int, list[CallbackAnswer]] = {}
        self.callback_timeout = 15.0
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.stats: Counter[str] = Counter()
        self.call_signal = Signal()
        self.closing = False
        self._next_update_id = first_update_id
        self._query_ids = itertools.count(4_600_000_000_000_000_001)
        self._poll_ids = itertools.count(5_300_000_000_000_000_001)
        self._poll: _LongPoll | None = None

    def now(self) -> int:
        """Unix time as Telegram puts it in `date` fields."""
        return int(self.clock())

    def new_poll_id(self) -> str:
        """A fresh Poll.id."""
        return str(next(self._poll_ids))

    # --- chats ----------------------------------------------------------------------------

    def add_private_chat(self, user: dict[str, Any]) -> ChatState:
        """Create the private chat between the bot and `user` (chat id == user id)."""
        info = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if user.get(key):
                info[key] = user[key]
        chat = ChatState(id=user["id"], type="private", info=info, user=user)
        self._add_chat(chat)
        self.users[user["id"]] = user
        return chat

    def add_group(self, chat_id: int, title: str, privacy_mode: bool) -> ChatState:
        """Create a basic group the bot is a member of."""
        chat = ChatState(
            id=chat_id,
            type="group",
            info={"id": chat_id, "type": "group", "title": title},
            privacy_mode=privacy_mode,
        )
        self._add_chat(chat)
        return chat

    def _add_chat(self, chat: ChatState) -> None:
        if chat.id in self.chats:
            raise SandboxUsageError(f"chat {chat.id} exists already")
        self.chats[chat.id] = chat

    def find_chat(self, chat_id: int | str) -> ChatState:
        """The chat for a chat_id parameter; 400 "chat not found" if there is none."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: int | str) -> ChatState:
        """The chat for a send method; 403 if the bot may not write there."""
        chat = self.find_chat(chat_id)
        if chat.type == "private":
            if chat.blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif chat.bot_removed:
            raise forbidden("bot was kicked from the group chat")
        return chat

    # --- messages -------------------------------------------------------------------------

    def new_message(
        self,
        chat: ChatState,
        sender: dict[str, Any],
        content: dict[str, Any],
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a new message in `chat` with the next message id and return it."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": sender,
            "chat": chat.info,
            "date": self.now(),
        }
        if reply_to is not None:
            message["reply_to_message"] = {
                k: v for k, v in reply_to.items() if k != "reply_to_message"
            }
        message.update(content)
        chat.messages[message_id] = message
        return message

    def record_bot_message(
        self,
        chat: ChatState,
        message: dict[str, Any],
        *,
        method: str,
        reply_markup: dict[str, Any] | None,
        file: StoredFile | None = None,
        copied_from: tuple[int, int] | None = None,
        forwarded_from: tuple[int, int] | None = None,
        silent: bool = False,
    ) -> SentMessage:
        """Add a bot message to the chat's inbox and update the reply keyboard."""
        sent = SentMessage(
            message_id=message["message_id"],
            chat_id=chat.id,
            raw=message,
            method=method,
            reply_markup=reply_markup,
            file=file,
            copied_from=copied_from,
            forwarded_from=forwarded_from,
            silent=silent,
        )
        chat.sent[sent.message_id] = sent
        chat.inbox.append(sent)
        if reply_markup is not None:
            if reply_keyboard(reply_markup) is not None:
                chat.keyboard_markup = reply_markup
            elif reply_markup.get("remove_keyboard"):
                chat.keyboard_markup = None
        self.stats["bot_messages"] += 1
        chat.signal.notify()
        return sent

    def replace_message(
        self,
        chat: ChatState,
        message: dict[str, Any],
        reply_markup: dict[str, Any] | None,
    ) -> None:
        """Store an edited version of a bot message (the old dict stays as it was)."""
        message_id = message["message_id"]
        sent = chat.sent[message_id]
        sent.history.append(sent.raw)
        chat.messages[message_id] = message
        sent.raw = message
        sent.reply_markup = reply_markup
        sent.edited = True
        chat.signal.notify()

    def delete_message(self, chat: ChatState, message_id: int) -> bool:
        """Delete a message of the chat; False if there is no such message."""
        if chat.messages.pop(message_id, None) is None:
            return False
        sent = chat.sent.get(message_id)
        if sent is not None:
            sent.deleted = True
            chat.signal.notify()
        return True

    # --- people's actions -----------------------------------------------------------------

    def person_message(
        self,
        chat: ChatState,
        sender: dict[str, Any],
        content: dict[str, Any],
        *,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """A person sends a message; the bot gets it as an update if it may see it."""
        if chat.type == "private" and chat.blocked:
            raise SandboxUsageError(
                f"user {chat.id} blocked the bot; call unblock() before sending to it"
            )
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.messages.get(reply_to_message_id)
            if reply_to is None:
                raise SandboxUsageError(
                    f"chat {chat.id} has no message {reply_to_message_id} to reply to"
                )
        message = self.new_message(chat, sender, content, reply_to)
        if chat.type == "private":
            chat.started = True
        if self._bot_sees(chat, message):
            self.enqueue("message", message, chat.id)
        return message

    def _bot_sees(self, chat: ChatState, message: dict[str, Any]) -> bool:
        if chat.type == "private":
            return True
        if chat.bot_removed:
            return False
        if not chat.privacy_mode:
            return True
        text = message.get("text") or message.get("caption") or ""
        username = f"@{self.bot_user['username']}"
        command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
        replied = message.get("reply_to_message", {}).get("from", {}).get("id")
        return (
            (bool(command) and ("@" not in command or command.endswith(username)))
            or username in text
            or replied == self.bot_user["id"]
        )

    def person_edits(
        self,
        chat: ChatState,
        sender: dict[str, Any],
        message_id: int,
        text: str,
        entities: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """A person edits their own text message; the bot gets an edited_message."""
        old = chat.messages.get(message_id)
        if old is None or old.get("from", {}).get("id") != sender["id"] or "text" not in old:
            raise SandboxUsageError(f"no own text message {message_id} to edit in chat {chat.id}")
        message = {k: v for k, v in old.items() if k != "entities"}
        message["text"] = text
        if entities:
            message["entities"] = entities
        message["edit_date"] = self.now()
        chat.messages[message_id] = message
        self.enqueue("edited_message", message, chat.id)
        return message

    def person_moves(
        self,
        chat: ChatState,
        sender: dict[str, Any],
        message_id: int,
        latitude: float,
        longitude: float,
    ) -> dict[str, Any]:
        """A person's live location moves: as on Telegram, the bot gets an edited_message
        with the same message id and the new `location`, while its `live_period` lasts."""
        old = chat.messages.get(message_id)
        own = old is not None and old.get("from", {}).get("id") == sender["id"]
        location = old.get("location") if old is not None and own else None
        if old is None or location is None or "live_period" not in location:
            raise SandboxUsageError(f"no own live location {message_id} to move in chat {chat.id}")
        if self.now() > old["date"] + location["live_period"]:
            raise SandboxUsageError(f"live location {message_id} ended with its live_period")
        moved = {**location, "latitude": latitude, "longitude": longitude}
        message = {**old, "location": moved, "edit_date": self.now()}
        chat.messages[message_id] = message
        self.enqueue("edited_message", message, chat.id)
        return message

    def press(
        self, chat: ChatState, user: dict[str, Any], message_id: int, data: str | None
    ) -> str:
        """A person presses a callback button; returns the callback query id."""
        message = chat.messages.get(message_id)
        if message is None:
            raise SandboxUsageError(f"chat {chat.id} has no message {message_id} to press on")
        query_id = str(next(self._query_ids))
        query: dict[str, Any] = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(-((abs(chat.id) * 2_654_435_761) % (1 << 62))),
        }
        if data is not None:
            query["data"] = data
        loop_time = asyncio.get_running_loop().time()
        self.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user["id"], chat.id, message_id, data, loop_time
        )
        self.enqueue("callback_query", query, chat.id)
        return query_id

    def person_reacts(
        self, chat: ChatState, user: dict[str, Any], message_id: int, emoji: list[str]
    ) -> list[dict[str, Any]]:
        """A person sets their reaction on a message of their private chat ([]: takes it
        away). The bot gets a ``message_reaction`` update only when it asked for that kind in
        ``allowed_updates`` (Telegram leaves it out of the default set), and only for a change.
        Returns the reaction now set."""
        if chat.type != "private" or chat.user is None:
            raise SandboxUsageError("only a person in their private chat reacts here")
        if message_id not in chat.messages:
            raise SandboxUsageError(f"chat {chat.id} has no message {message_id} to react to")
        plain = [e.replace("\ufe0f", "") for e in emoji]
        unknown = [e for e in plain if e not in REACTION_EMOJI]
        if unknown:
            raise SandboxUsageError(f"{unknown} is no reaction Telegram offers")
        if len(plain) > 3 or len(set(plain)) != len(plain):
            raise SandboxUsageError("a person sets at most 3 different reactions")
        old = chat.reactions.get(message_id, [])
        new = [{"type": "emoji", "emoji": e} for e in plain]
        if new == old:
            return new
        if new:
            chat.reactions[message_id] = new
        else:
            chat.reactions.pop(message_id, None)
        self.enqueue(
            "message_reaction",
            {
                "chat": chat.info,
                "message_id": message_id,
                "user": user,
                "date": self.now(),
                "old_reaction": old,
                "new_reaction": new,
            },
            chat.id,
        )
        return new

    def set_blocked(self, chat: ChatState, blocked: bool) -> None:
        """A person (un)blocks the bot; the bot hears of it through my_chat_member."""
        if chat.type != "private" or chat.user is None:
            raise SandboxUsageError("only a person in a private chat can block the bot")
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        statuses = ("member", "kicked") if blocked else ("kicked", "member")
        members = [
            {"status": status, "user": self.bot_user}
            | ({"until_date": 0} if status == "kicked" else {})
            for status in statuses
        ]
        self.enqueue(
            "my_chat_member",
            {
                "chat": chat.info,
                "from": chat.user,
                "date": self.now(),
                "old_chat_member": members[0],
                "new_chat_member": members[1],
            },
            chat.id,
        )

    # --- updates --------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any], chat_key: int | None) -> int | None:
        """Queue an update for the bot; None if the bot's allowed_updates exclude it."""
        if kind not in self.allowed_updates:
            self.stats["updates_filtered"] += 1
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        pending = PendingUpdate(update_id, kind, {"update_id": update_id, kind: payload}, chat_key)
        self.updates[update_id] = pending
        self.stats["updates"] += 1
        if self._poll is not None:
            self._poll.wake.set()
        if self.on_update is not None:
            self.on_update(pending)
        return update_id

    def set_allowed_updates(self, kinds: list[str] | None) -> None:
        """Remember allowed_updates as Telegram does ([] means the default set)."""
        if kinds is None:
            return
        self.allowed_updates_set = list(kinds)
        self.allowed_updates = frozenset(kinds) if kinds else DEFAULT_UPDATE_TYPES

    def confirm(self, offset: int | None) -> None:
        """Forget updates below `offset`; a negative offset keeps the last -offset."""
        if not offset:
            return
        if offset > 0:
            while self.updates and next(iter(self.updates)) < offset:
                self.updates.popitem(last=False)
        else:
            while len(self.updates) > -offset:
                self.updates.popitem(last=False)

    def drop_pending(self) -> None:
        """drop_pending_updates=True: forget everything not yet delivered."""
        self.stats["updates_dropped"] += len(self.updates)
        self.updates.clear()

    async def get_updates(
        self, *, offset: int | None, limit: int, wait: float
    ) -> list[dict[str, Any]]:
        """getUpdates: confirm, then answer at once or when the first update arrives.

        A second getUpdates while one is waiting ends the first with 409 Conflict, as
        Telegram does when two bot instances poll.
        """
        if self.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        self.confirm(offset)
        if self._poll is not None:
            self._poll.terminated = True
            self._poll.wake.set()
        poll = _LongPoll()
        self._poll = poll
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(wait, 0)
        try:
            while True:
                if poll.terminated:
                    raise ApiError(409, CONFLICT_OTHER_POLL)
                if self.webhook is not None:
                    raise ApiError(409, CONFLICT_WEBHOOK)
                if self.updates or self.closing:
                    break
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                poll.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poll.wake.wait(), remaining)
        finally:
            if self._poll is poll:
                self._poll = None
        return [p.body for p in itertools.islice(self.updates.values(), max(1, min(limit, 100)))]

    def wake_pollers(self) -> None:
        """Make a waiting getUpdates re-check (on shutdown or a webhook change)."""
        if self._poll is not None:
            self._poll.wake.set()
