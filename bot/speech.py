"""Reads bot texts aloud for clients who asked for it: the text goes first, the voice note
follows, and a failed synthesis or upload never holds up or loses the text."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.delivery import call_with_retries

if TYPE_CHECKING:
    from bot.voice import Voice

__all__ = ["Speaker"]

log = logging.getLogger(__name__)


class Speaker:
    def __init__(self, voice: Voice | None) -> None:
        self.voice = voice

    async def speak(
        self, bot: Bot, chat_id: int, language: str, text: str, *, keep: bool = True
    ) -> bool:
        """Send ``text`` as a voice note; False (and a log line) when there is none.

        ``keep=False``: nothing of it stays on disk or in the file_id list (a person's words).
        """
        if self.voice is None:
            return False
        clip = await self.voice.clip(language, text, keep=keep)
        if clip is None:
            log.info("no voice note this time (synthesis failed)")
            return False
        voice = self.voice
        remembered = voice.file_id(clip.key)
        try:
            try:
                sent = await call_with_retries(
                    lambda: bot.send_voice(
                        chat_id, remembered or clip.ogg, duration=round(clip.duration_seconds)
                    )
                )
            except BadRequest:
                if remembered is None:
                    raise
                voice.forget_file_id(clip.key)  # Telegram no longer knows that file
                sent = await call_with_retries(
                    lambda: bot.send_voice(chat_id, clip.ogg, duration=round(clip.duration_seconds))
                )
        except TelegramError as error:
            log.info("voice note not sent: %s", type(error).__name__)
            return False
        if sent.voice is not None and keep:
            voice.remember_file_id(clip.key, sent.voice.file_id)
        return True
