"""Reads bot texts aloud for clients who asked for it: the text goes first, the voice note
follows, and a failed synthesis or upload never holds up or loses the text.

Synthesis and encoding run in a worker thread (``bot.voice.Voice``), never on the event loop.
A clip made for a tapped message ("🔊 Voorlezen" under a coach's words) is kept in memory only,
for that chat and message, and sent again at once (by Telegram's file_id) when tapped again;
the few most recent are kept, never on disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.delivery import call_with_retries

if TYPE_CHECKING:
    from bot.voice import Voice, VoiceClip

__all__ = ["READ_ALOUD_MAX_CHARACTERS", "HeardClips", "Speaker"]

log = logging.getLogger(__name__)

#: The longest text a tap on "🔊 Voorlezen" reads (about a minute of speech); a longer one
#: gets a kind answer instead: minutes of audio help nobody, and cost everyone CPU.
READ_ALOUD_MAX_CHARACTERS = 1000
_READ_WITH_MAX = 512


@dataclass
class _Heard:
    digest: bytes  # of the text, so an edited message is read anew
    clip: VoiceClip
    file_id: str | None = None


class HeardClips:
    """Clips made for tapped messages, by (chat, message): in memory, least recently used
    out, at most ``max_clips`` and ``max_bytes`` of audio."""

    def __init__(self, max_clips: int = 128, max_bytes: int = 16 * 2**20) -> None:
        self.max_clips = max_clips
        self.max_bytes = max_bytes
        self._clips: OrderedDict[tuple[int, int], _Heard] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._clips)

    @property
    def size(self) -> int:
        return self._bytes

    @staticmethod
    def digest(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def get(self, chat_id: int, message_id: int, text: str) -> _Heard | None:
        found = self._clips.get((chat_id, message_id))
        if found is None or found.digest != self.digest(text):
            return None
        self._clips.move_to_end((chat_id, message_id))
        return found

    def put(self, chat_id: int, message_id: int, text: str, clip: VoiceClip) -> _Heard:
        self._drop((chat_id, message_id))
        heard = self._clips[(chat_id, message_id)] = _Heard(self.digest(text), clip)
        self._bytes += len(clip.ogg)
        while self._clips and (len(self._clips) > self.max_clips or self._bytes > self.max_bytes):
            self._drop(next(iter(self._clips)))
        return heard

    def _drop(self, key: tuple[int, int]) -> None:
        old = self._clips.pop(key, None)
        if old is not None:
            self._bytes -= len(old.clip.ogg)


class Speaker:
    def __init__(self, voice: Voice | None, heard: HeardClips | None = None) -> None:
        self.voice = voice
        self.heard = heard or HeardClips()
        # A text that set a reply keyboard cannot carry "🔊 Voorlezen" (Telegram allows one
        # kind of buttons per message): its words are read with the nearest text's button.
        # In memory only, by (chat, message the button is under); the newest few.
        self._read_with: OrderedDict[tuple[int, int], tuple[str, str]] = OrderedDict()

    async def forget_clips_naming(self, names: list[str]) -> int:
        """Delete the cached clips that say any of these (erased clients') names, and their
        file ids, off the event loop; how many. Nothing when the voice is off."""
        voice = self.voice
        if voice is None:
            return 0
        return await asyncio.to_thread(voice.forget_clips_naming, names)

    def read_with(self, chat_id: int, message_id: int, before: str = "", after: str = "") -> None:
        """The button under this message also reads ``before`` (texts just above it, first)
        and ``after`` (texts just below it, last)."""
        self._read_with[(chat_id, message_id)] = (before, after)
        while len(self._read_with) > _READ_WITH_MAX:
            self._read_with.popitem(last=False)

    def read_together(self, chat_id: int, message_id: int, text: str) -> str:
        """``text`` (under this message's button) with what its button also reads."""
        before, after = self._read_with.get((chat_id, message_id), ("", ""))
        return "\n\n".join(part for part in (before, text, after) if part)

    async def speak(
        self,
        bot: Bot,
        chat_id: int,
        language: str,
        text: str,
        *,
        keep: bool = True,
        message_id: int | None = None,
        silent: bool = False,
    ) -> bool:
        """Send ``text`` as a voice note; False (and a log line) when there is none.

        ``keep=False``: nothing of it stays on disk or in the file_id list (a person's words).
        ``message_id``: the message the text was read from; its clip is kept in memory for a
        second tap. ``silent``: without a sound, as the routine text it reads (``bot.loudness``).
        """
        voice = self.voice
        if voice is None:
            return False
        heard = self.heard.get(chat_id, message_id, text) if message_id is not None else None
        if heard is not None:
            clip, remembered = heard.clip, heard.file_id
        else:
            made = await voice.clip(language, text, keep=keep)
            if made is None:
                log.info("no voice note this time (synthesis failed)")
                return False
            clip, remembered = made, voice.file_id(made.key)
            if message_id is not None:
                heard = self.heard.put(chat_id, message_id, text, clip)
        try:
            try:
                sent = await call_with_retries(
                    lambda: bot.send_voice(
                        chat_id,
                        remembered or clip.ogg,
                        duration=round(clip.duration_seconds),
                        disable_notification=silent,
                    )
                )
            except BadRequest:
                if remembered is None:
                    raise
                voice.forget_file_id(clip.key)  # Telegram no longer knows that file
                if heard is not None:
                    heard.file_id = None
                sent = await call_with_retries(
                    lambda: bot.send_voice(
                        chat_id,
                        clip.ogg,
                        duration=round(clip.duration_seconds),
                        disable_notification=silent,
                    )
                )
        except TelegramError as error:
            log.info("voice note not sent: %s", type(error).__name__)
            return False
        if sent.voice is not None:
            if keep:
                voice.remember_file_id(clip.key, sent.voice.file_id)
            if heard is not None:
                heard.file_id = sent.voice.file_id
        return True
