"""Simulated people: what tests use to act as a client, a coach or a group.

A `SimUser` is one Telegram account with its private chat with the bot. It sends what a
person can send (text, commands, deep links, voice, photos, locations...), presses
inline buttons and reply-keyboard buttons, edits, moves a live location, replies, reacts
with an emoji (`react`), blocks the bot; and it sees what the bot sent, in order, with
later edits and deletions.
`next_message` hands out the bot's messages one by one (each person keeps a read cursor)
and waits, event-driven, for the next one.

Every `send_*` takes `reply_to=` (a bot message, a message id or a message dict the
person sent) to send it as a swipe-reply, and the file-carrying ones take `file_size=`
so a big file (a 30 MB video) is simulated without holding its bytes.

Longer than our ~400 lines on purpose: one simulated person with every way a person
acts in Telegram, so a test reads like what a person does.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from typing import Any

from telegram_sandbox.errors import ButtonNotFoundError, NoMessageError, SandboxUsageError
from telegram_sandbox.files import image_size
from telegram_sandbox.formatting import build_text
from telegram_sandbox.markup import button_texts, inline_keyboard, reply_keyboard
from telegram_sandbox.origins import message_origin
from telegram_sandbox.state import (
    CallbackAnswer,
    ChatState,
    SandboxState,
    SentMessage,
    wait_until,
)

__all__ = ["ReplyTarget", "SimGroup", "SimUser"]

_DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_LOCATION = (52.3676, 4.9041)


def fake_ogg(duration: int) -> bytes:
    """A small Ogg Opus-looking file whose last page says `duration` seconds."""
    head = b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
    first = b"OggS\x00\x02" + struct.pack("<q", 0) + b"\x01\x00\x00\x00" * 3 + head
    last = b"OggS\x00\x04" + struct.pack("<q", duration * 48000) + b"\x01\x00\x00\x00" * 3
    return first + b"\x00" * 64 + last + b"\x00" * 16


def tiny_png(width: int = 64, height: int = 64) -> bytes:
    """A valid grey PNG picture of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


#: A message to reply to: a bot message from the inbox, a message id, or a message dict
#: a person's send_* returned.
ReplyTarget = SentMessage | int | dict[str, Any]
#: The largest file a person can send (4 GB with Telegram Premium).
MAX_PERSON_FILE = 4000 * 1024 * 1024


def _message_id(message: ReplyTarget) -> int:
    if isinstance(message, SentMessage):
        return message.message_id
    if isinstance(message, dict):
        return int(message["message_id"])
    return int(message)


def _short(text: str | None, limit: int = 60) -> str:
    if text is None:
        return "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _ChatView:
    """What the bot sent to one chat, and waiting for it (for people and groups)."""

    def __init__(self, state: SandboxState, chat: ChatState, label: str) -> None:
        self._state = state
        self._chat = chat
        self._label = label
        self._cursor = 0

    @property
    def chat_id(self) -> int:
        """The chat's id (for a person, their user id)."""
        return self._chat.id

    @property
    def inbox(self) -> list[SentMessage]:
        """Every bot message to this chat, in order, with edits and deletions."""
        return list(self._chat.inbox)

    @property
    def unread(self) -> list[SentMessage]:
        """Bot messages `next_message` has not handed out yet."""
        return self._chat.inbox[self._cursor :]

    @property
    def last_message(self) -> SentMessage | None:
        """The newest bot message, if any."""
        return self._chat.inbox[-1] if self._chat.inbox else None

    @property
    def current_keyboard(self) -> list[list[str]] | None:
        """The reply keyboard shown now (the last one set; None once removed)."""
        rows = reply_keyboard(self._chat.keyboard_markup)
        return button_texts(rows) if rows is not None else None

    @property
    def chat_actions(self) -> list[str]:
        """Chat actions the bot showed here ("typing", "record_voice", ...)."""
        return list(self._chat.chat_actions)

    def mark_read(self) -> None:
        """Consider everything received so far as read."""
        self._cursor = len(self._chat.inbox)

    async def next_message(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 (a waiting deadline, part of the test API)
    ) -> SentMessage:
        """The next bot message not yet handed out; waits up to `timeout` seconds."""

        def take() -> SentMessage | None:
            if self._cursor < len(self._chat.inbox):
                self._cursor += 1
                return self._chat.inbox[self._cursor - 1]
            return None

        found = await wait_until(self._chat.signal, take, timeout)
        if found is None:
            raise NoMessageError(self._timeout_report("no new message from the bot", timeout))
        return found

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The first unread bot message matching `predicate`; skipped ones count as read.

        Edits count: an unread message edited into a match is found too.
        """

        def match() -> SentMessage | None:
            for index in range(self._cursor, len(self._chat.inbox)):
                message = self._chat.inbox[index]
                if predicate(message):
                    self._cursor = index + 1
                    return message
            return None

        found = await wait_until(self._chat.signal, match, timeout)
        if found is None:
            raise NoMessageError(self._timeout_report("no bot message matching", timeout))
        return found

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until `condition()` is true; re-checked on every change in this chat."""
        done = await wait_until(self._chat.signal, lambda: True if condition() else None, timeout)
        if done is None:
            raise NoMessageError(self._timeout_report("condition still false", timeout))

    def _timeout_report(self, what: str, timeout: float) -> str:
        inbox = self._chat.inbox
        recent = ", ".join(f"{m.kind}:{_short(m.text)!r}" for m in inbox[-3:]) or "nothing"
        pending = len(self._state.updates)
        hint = f"; {pending} update(s) wait for the bot to fetch them" if pending else ""
        return (
            f"{self._label} (chat {self._chat.id}): {what} within {timeout} s. "
            f"Bot messages: {len(inbox)}, read: {self._cursor}, newest: {recent}{hint}"
        )

    def _find_button(
        self, text: str, message: SentMessage | int | None
    ) -> tuple[SentMessage, dict[str, Any]]:
        if message is not None:
            sent = self._chat.sent.get(_message_id(message))
            candidates = [sent] if sent is not None else []
        else:
            candidates = list(reversed(self._chat.inbox))
        for sent in candidates:
            if sent.deleted:
                continue
            for row in inline_keyboard(sent.reply_markup):
                for button in row:
                    if button.get("text") == text:
                        return sent, button
        shown = [(m.message_id, m.buttons) for m in self._chat.inbox if m.buttons and not m.deleted]
        where = f"message {_message_id(message)}" if message is not None else "any bot message"
        raise ButtonNotFoundError(
            f"{self._label}: no inline button {text!r} on {where}; buttons shown: {shown[-3:]}"
        )

    def _press(self, presser: dict[str, Any], text: str, message: SentMessage | int | None) -> str:
        sent, button = self._find_button(text, message)
        if "callback_data" not in button:
            kinds = sorted(k for k in button if k != "text")
            raise SandboxUsageError(
                f"button {text!r} is a {', '.join(kinds)} button; it sends no callback query"
            )
        return self._state.press(self._chat, presser, sent.message_id, button["callback_data"])


class SimUser(_ChatView):
    """A person with a Telegram account and a private chat with the bot."""

    def __init__(
        self,
        state: SandboxState,
        chat: ChatState,
        user: dict[str, Any],
        phone_number: str,
    ) -> None:
        super().__init__(state, chat, user["first_name"])
        self.user = user
        self.phone_number = phone_number

    def __repr__(self) -> str:
        return f"<SimUser {self.first_name} {self.id}>"

    @property
    def id(self) -> int:
        """The user id (also the private chat id)."""
        return int(self.user["id"])

    @property
    def first_name(self) -> str:
        return str(self.user["first_name"])

    @property
    def username(self) -> str | None:
        return self.user.get("username")

    @property
    def language_code(self) -> str | None:
        return self.user.get("language_code")

    @property
    def blocked(self) -> bool:
        """Whether this person has blocked the bot."""
        return self._chat.blocked

    @property
    def started(self) -> bool:
        """Whether this person ever wrote to the bot (so it may write to them)."""
        return self._chat.started

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """The bot's answerCallbackQuery calls for this person's presses, in order."""
        return list(self._state.callback_answers.get(self.id, []))

    # --- sending --------------------------------------------------------------------------

    def _send(self, content: dict[str, Any], reply_to: ReplyTarget | None = None) -> dict[str, Any]:
        reply_id = _message_id(reply_to) if reply_to is not None else None
        return self._state.person_message(
            self._chat, self.user, content, reply_to_message_id=reply_id
        )

    @staticmethod
    def _text_content(text: str, key: str = "text") -> dict[str, Any]:
        clean, entities = build_text(text)
        if not clean and key == "text":
            raise SandboxUsageError("a person cannot send an empty message")
        content: dict[str, Any] = {key: clean} if clean else {}
        if entities:
            content["entities" if key == "text" else "caption_entities"] = entities
        return content

    @staticmethod
    def _check_size(file_size: int | None) -> None:
        if file_size is not None and not 0 < file_size <= MAX_PERSON_FILE:
            raise SandboxUsageError(
                f"file_size {file_size} is not what a person can send (1 byte to 4000 MB)"
            )

    def _file_content(
        self,
        kind: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        file_name: str | None = None,
        meta: dict[str, Any] | None = None,
        caption: str | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        self._check_size(file_size)
        stored = self._state.files.add(
            kind, data, mime_type=mime_type, file_name=file_name, meta=meta, size=file_size
        )
        content = stored.content()
        if caption:
            content.update(self._text_content(caption, "caption"))
        return content

    def _photo_content(
        self,
        data: bytes | None,
        *,
        width: int | None = None,
        height: int | None = None,
        caption: str | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        if data is None:
            # A real small picture, or, for a big one, a stub standing in for its bytes.
            small = (width or 64) * (height or 64) <= 1280 * 1280
            data = tiny_png(width or 64, height or 64) if small else tiny_png()
        found = image_size(data) or (800, 600)
        w, h = width or found[0], height or found[1]
        self._check_size(file_size)
        stored = self._state.files.add_photo(data, w, h, size=file_size)
        content = stored.content()
        if caption:
            content.update(self._text_content(caption, "caption"))
        return content

    async def send_text(self, text: str, *, reply_to: ReplyTarget | None = None) -> dict[str, Any]:
        """Type and send a text; "/start x" gets its bot_command entity.

        `reply_to` (here and in every send_*) sends it as a reply to that message: the
        bot gets it with `reply_to_message`.
        """
        return self._send(self._text_content(text), reply_to)

    async def forward_text(
        self, text: str, origin: SimUser | dict[str, Any] | str, *, sent_ago: int = 3600
    ) -> dict[str, Any]:
        """Forward a text someone else wrote: the bot gets it with `forward_origin`.

        `origin`: a `SimUser` (a known user), a name (a user whose privacy hides their
        account: `hidden_user`), or an origin dict (`origins.chat_origin`,
        `origins.channel_origin`). `sent_ago`: seconds since the original was sent.
        """
        content = self._text_content(text)
        content["forward_origin"] = self._origin(origin, sent_ago)
        return self._send(content)

    async def forward_photo(
        self,
        origin: SimUser | dict[str, Any] | str,
        caption: str | None = None,
        *,
        sent_ago: int = 3600,
    ) -> dict[str, Any]:
        """Forward a picture someone else sent (see `forward_text` for `origin`)."""
        content = self._photo_content(None, caption=caption)
        content["forward_origin"] = self._origin(origin, sent_ago)
        return self._send(content)

    def _origin(self, origin: SimUser | dict[str, Any] | str, sent_ago: int) -> dict[str, Any]:
        if sent_ago < 0:
            raise SandboxUsageError("a forwarded message was sent before it is forwarded")
        source = origin.user if isinstance(origin, SimUser) else origin
        return message_origin(source, self._state.now() - sent_ago)

    async def open_deep_link(self, payload: str) -> dict[str, Any]:
        """Tap t.me/<bot>?start=<payload>: the app sends "/start <payload>".

        Telegram passes only 1-64 characters of A-Z a-z 0-9 _ -; anything else is a bug
        in the bot's link, so it raises instead of silently sending a bare /start.
        """
        if not _DEEP_LINK_PAYLOAD.match(payload):
            raise SandboxUsageError(
                f"invalid deep-link payload {payload!r}: Telegram allows 1-64 of A-Z a-z 0-9 _ -"
            )
        return await self.send_text(f"/start {payload}")

    async def press(self, text: str, message: SentMessage | int | None = None) -> str:
        """Press the inline button `text` on the newest message showing it; returns the query id.

        With `message`, press it on that message instead.
        """
        return self._press(self.user, text, message)

    async def press_data(self, message: SentMessage | int, data: str) -> str:
        """Send a callback query with arbitrary (stale or forged) data for a message."""
        return self._state.press(self._chat, self.user, _message_id(message), data)

    async def tap_keyboard(
        self,
        text: str,
        *,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> dict[str, Any]:
        """Tap a reply-keyboard button: sends its text (or location, contact if it asks)."""
        rows = reply_keyboard(self._chat.keyboard_markup)
        if rows is None:
            raise ButtonNotFoundError(f"{self._label} has no reply keyboard; wanted {text!r}")
        for row in rows:
            for button in row:
                if button.get("text") != text:
                    continue
                if button.get("request_location"):
                    lat, lon = DEFAULT_LOCATION
                    return await self.send_location(
                        lat if latitude is None else latitude,
                        lon if longitude is None else longitude,
                    )
                if button.get("request_contact"):
                    return await self.send_contact()
                return await self.send_text(text)
        raise ButtonNotFoundError(
            f"{self._label}: no reply-keyboard button {text!r}; keyboard: {button_texts(rows)}"
        )

    async def send_voice(
        self,
        duration: int = 3,
        data: bytes | None = None,
        caption: str | None = None,
        *,
        file_size: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Record and send a voice message (OGG/Opus as Telegram apps do)."""
        content = self._file_content(
            "voice",
            data if data is not None else fake_ogg(duration),
            mime_type="audio/ogg",
            meta={"duration": duration},
            caption=caption,
            file_size=file_size,
        )
        return self._send(content, reply_to)

    async def send_audio(
        self,
        data: bytes = b"ID3\x04\x00\x00\x00\x00\x00\x00",
        duration: int = 30,
        file_name: str = "audio.mp3",
        title: str | None = None,
        *,
        performer: str | None = None,
        caption: str | None = None,
        file_size: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Send a music/audio file."""
        meta: dict[str, Any] = {"duration": duration}
        if performer:
            meta["performer"] = performer
        if title:
            meta["title"] = title
        content = self._file_content(
            "audio",
            data,
            mime_type="audio/mpeg",
            file_name=file_name,
            meta=meta,
            caption=caption,
            file_size=file_size,
        )
        return self._send(content, reply_to)

    async def send_photo(
        self,
        data: bytes | None = None,
        caption: str | None = None,
        *,
        width: int | None = None,
        height: int | None = None,
        file_size: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Send a picture (a small PNG if no bytes are given).

        The message carries every size Telegram keeps, smallest first (see
        `files.photo_sizes`). `width`/`height` give the picture's size without the
        bytes; `file_size` the size of the largest one (smaller ones in proportion).
        """
        content = self._photo_content(
            data, width=width, height=height, caption=caption, file_size=file_size
        )
        return self._send(content, reply_to)

    async def send_document(
        self,
        data: bytes = b"%PDF-1.4\n",
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        *,
        file_size: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Send a file as a document; `file_size` makes it big without the bytes."""
        content = self._file_content(
            "document",
            data,
            mime_type=mime_type,
            file_name=file_name,
            caption=caption,
            file_size=file_size,
        )
        return self._send(content, reply_to)

    async def send_video(
        self,
        data: bytes = b"\x00\x00\x00\x18ftypmp42",
        duration: int = 5,
        width: int = 640,
        height: int = 360,
        caption: str | None = None,
        *,
        file_size: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Send a video; `file_size` makes it big without the bytes."""
        content = self._file_content(
            "video",
            data,
            mime_type="video/mp4",
            file_name="video.mp4",
            meta={"width": width, "height": height, "duration": duration},
            caption=caption,
            file_size=file_size,
        )
        return self._send(content, reply_to)

    async def send_video_note(
        self,
        duration: int = 5,
        length: int = 384,
        data: bytes = b"\x00\x00\x00\x18ftypmp42",
        *,
        file_size: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Record and send a round video message (no caption, as in the apps)."""
        content = self._file_content(
            "video_note",
            data,
            meta={"length": length, "duration": duration},
            file_size=file_size,
        )
        return self._send(content, reply_to)

    async def send_animation(
        self,
        data: bytes = b"\x00\x00\x00\x18ftypmp42",
        duration: int = 2,
        width: int = 320,
        height: int = 240,
        file_name: str = "animation.mp4",
        caption: str | None = None,
        *,
        file_size: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Send a GIF animation; like Telegram it fills `animation` and `document`."""
        content = self._file_content(
            "animation",
            data,
            mime_type="video/mp4",
            file_name=file_name,
            meta={"width": width, "height": height, "duration": duration},
            caption=caption,
            file_size=file_size,
        )
        return self._send(content, reply_to)

    async def send_sticker(
        self,
        emoji: str = "🙂",
        *,
        file_size: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Send a (static) sticker."""
        meta = {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        content = self._file_content(
            "sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", meta=meta, file_size=file_size
        )
        return self._send(content, reply_to)

    async def send_location(
        self,
        latitude: float = DEFAULT_LOCATION[0],
        longitude: float = DEFAULT_LOCATION[1],
        *,
        live_period: int | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Share a location (a live one for `live_period` seconds)."""
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return self._send({"location": location}, reply_to)

    async def move_live_location(
        self, message: int | dict[str, Any], latitude: float, longitude: float
    ) -> dict[str, Any]:
        """Walk on while sharing a live location (sent with `send_location(live_period=...)`):
        the bot gets an edited_message with the same message id and the new position."""
        mid = message["message_id"] if isinstance(message, dict) else message
        return self._state.person_moves(self._chat, self.user, mid, latitude, longitude)

    async def send_venue(
        self,
        title: str = "Centraal Station",
        address: str = "Stationsplein, Amsterdam",
        latitude: float = DEFAULT_LOCATION[0],
        longitude: float = DEFAULT_LOCATION[1],
        *,
        foursquare_id: str | None = None,
        google_place_id: str | None = None,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Share a place; like Telegram the message has `venue` and `location`."""
        location = {"latitude": latitude, "longitude": longitude}
        venue: dict[str, Any] = {"location": location, "title": title, "address": address}
        if foursquare_id:
            venue["foursquare_id"] = foursquare_id
        if google_place_id:
            venue["google_place_id"] = google_place_id
        return self._send({"venue": venue, "location": dict(location)}, reply_to)

    async def send_contact(
        self,
        phone_number: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
        *,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Share a contact; without arguments this person's own, as request_contact does."""
        own = phone_number is None
        contact: dict[str, Any] = {
            "phone_number": self.phone_number if own else phone_number,
            "first_name": first_name or self.first_name,
        }
        if last_name or (own and self.user.get("last_name")):
            contact["last_name"] = last_name or self.user["last_name"]
        if user_id is not None or own:
            contact["user_id"] = self.id if user_id is None else user_id
        return self._send({"contact": contact}, reply_to)

    async def send_dice(
        self, emoji: str = "🎲", value: int = 6, *, reply_to: ReplyTarget | None = None
    ) -> dict[str, Any]:
        """Throw a dice (the value is chosen by the test)."""
        return self._send({"dice": {"emoji": emoji, "value": value}}, reply_to)

    async def send_poll(
        self,
        question: str,
        options: list[str] | tuple[str, ...],
        *,
        correct_option: int | None = None,
        is_anonymous: bool = True,
        allows_multiple_answers: bool = False,
        reply_to: ReplyTarget | None = None,
    ) -> dict[str, Any]:
        """Send a poll; with `correct_option` a quiz (whose answer the bot sees, as it
        does for a quiz sent to it in a private chat)."""
        if not 2 <= len(options) <= 12:
            raise SandboxUsageError("a poll has 2-12 options")
        if correct_option is not None and not 0 <= correct_option < len(options):
            raise SandboxUsageError(f"no option {correct_option} to be the right answer")
        poll: dict[str, Any] = {
            "id": self._state.new_poll_id(),
            "question": question,
            "options": [
                {"persistent_id": str(index), "text": text, "voter_count": 0}
                for index, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": is_anonymous,
            "type": "regular" if correct_option is None else "quiz",
            "allows_multiple_answers": allows_multiple_answers,
            "allows_revoting": correct_option is None,
            "members_only": False,
        }
        if correct_option is not None:
            poll["correct_option_ids"] = [correct_option]
        return self._send({"poll": poll}, reply_to)

    async def edit_message(self, message_id: int | dict[str, Any], text: str) -> dict[str, Any]:
        """Edit one of this person's text messages; the bot gets an edited_message."""
        mid = message_id["message_id"] if isinstance(message_id, dict) else message_id
        clean, entities = build_text(text)
        if not clean:
            raise SandboxUsageError("a message cannot be edited to nothing")
        return self._state.person_edits(self._chat, self.user, mid, clean, entities)

    async def reply_to(
        self,
        message: ReplyTarget,
        text: str | None = None,
        *,
        voice: bool = False,
        photo: bytes | None = None,
    ) -> dict[str, Any]:
        """Reply to a message (swipe-to-reply) with text, a voice note or a photo.

        Every send_* takes `reply_to=` too, for any other kind of reply.
        """
        if voice:
            return await self.send_voice(caption=text, reply_to=message)
        if photo is not None:
            return await self.send_photo(photo, caption=text, reply_to=message)
        if text is not None:
            return await self.send_text(text, reply_to=message)
        raise SandboxUsageError("reply_to needs text, voice=True or photo=...")

    async def react(
        self, message: ReplyTarget, emoji: str | list[str] | tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """Set this person's reaction on a message in their chat with the bot
        (``react(msg, "👍")``, or up to three as a list); ``react(msg, [])`` takes it away.
        The bot hears of it (``message_reaction``) only when it asked for that kind in
        ``allowed_updates``. Returns the reaction now set (``ReactionTypeEmoji`` dicts)."""
        chosen = [emoji] if isinstance(emoji, str) else list(emoji)
        return self._state.person_reacts(self._chat, self.user, _message_id(message), chosen)

    def reactions_on(self, message: ReplyTarget) -> list[str]:
        """The emoji this person has set on a message now."""
        reactions = self._chat.reactions.get(_message_id(message), [])
        return [r["emoji"] for r in reactions]

    def block(self) -> None:
        """Block the bot: its sends fail with 403; it gets a my_chat_member update."""
        self._state.set_blocked(self._chat, True)

    def unblock(self) -> None:
        """Unblock the bot (sends work again if the person had started it)."""
        self._state.set_blocked(self._chat, False)


class SimGroup(_ChatView):
    """A basic group the bot is a member of (privacy mode on unless told otherwise)."""

    def __init__(self, state: SandboxState, chat: ChatState) -> None:
        super().__init__(state, chat, str(chat.info["title"]))

    def __repr__(self) -> str:
        return f"<SimGroup {self._label} {self.chat_id}>"

    @property
    def id(self) -> int:
        return self._chat.id

    @property
    def title(self) -> str:
        return self._label

    def add_member(self, person: SimUser) -> dict[str, Any]:
        """`person` joins; the bot sees the new_chat_members service message."""
        self._chat.members[person.id] = person.user
        message = self._state.new_message(
            self._chat, person.user, {"new_chat_members": [person.user]}
        )
        self._state.enqueue("message", message, self._chat.id)
        return message

    def _member(self, sender: SimUser) -> dict[str, Any]:
        if sender.id not in self._chat.members:
            raise SandboxUsageError(f"{sender.first_name} is not a member of {self._label}")
        return sender.user

    async def send_text(
        self, text: str, *, sender: SimUser, reply_to: ReplyTarget | None = None
    ) -> dict[str, Any]:
        """A member writes in the group.

        In privacy mode the bot sees only commands, mentions of it and replies to it.
        """
        clean, entities = build_text(text)
        content: dict[str, Any] = {"text": clean}
        if entities:
            content["entities"] = entities
        reply_id = _message_id(reply_to) if reply_to is not None else None
        return self._state.person_message(
            self._chat, self._member(sender), content, reply_to_message_id=reply_id
        )

    async def press(
        self, text: str, *, sender: SimUser, message: SentMessage | int | None = None
    ) -> str:
        """A member presses an inline button in the group; returns the query id."""
        return self._press(self._member(sender), text, message)

    def remove_bot(self) -> None:
        """The bot is removed from the group: sends fail with 403 from now on."""
        self._chat.bot_removed = True
        self._state.enqueue(
            "my_chat_member",
            {
                "chat": self._chat.info,
                "from": next(iter(self._chat.members.values()), self._state.bot_user),
                "date": self._state.now(),
                "old_chat_member": {"status": "member", "user": self._state.bot_user},
                "new_chat_member": {"status": "left", "user": self._state.bot_user},
            },
            self._chat.id,
        )
