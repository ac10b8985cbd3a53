"""The two voices: Google's (through gTTS, needs the internet) and espeak-ng's (offline).

Each synthesiser is blocking and returns audio bytes in its own container (gTTS: MP3,
espeak-ng: WAV); ``bot.voice.Voice`` runs them in a thread and encodes the result as a voice
note. Tests and benchmarks can call them directly or replace them with fakes that follow
``Synthesiser``.
"""

from __future__ import annotations

import io
import logging
from typing import Protocol

from gtts import gTTS

from bot.voice._espeak import espeak_library

__all__ = ["ESPEAK_WORDS_PER_MINUTE", "EspeakSynthesiser", "GoogleSynthesiser", "Synthesiser"]

# gTTS logs the text it sends at DEBUG level; texts hold names, so keep its logger quiet.
logging.getLogger("gtts").setLevel(logging.WARNING)

# espeak-ng's default is 175; slower is easier to follow for people who listen instead of read.
ESPEAK_WORDS_PER_MINUTE = 145
_ESPEAK_VOICES = {"nl": "nl", "en": "en"}


class Synthesiser(Protocol):
    """Blocking text-to-speech: ``container`` names the format ``synthesise`` returns."""

    @property
    def container(self) -> str: ...

    def synthesise(self, language: str, text: str) -> bytes: ...


class GoogleSynthesiser:
    """Google Translate's voice via gTTS: MP3, one HTTP request per 100 characters.

    ``timeout`` bounds every connect and read; the caller still bounds the whole call.
    """

    container = "mp3"

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def synthesise(self, language: str, text: str) -> bytes:
        out = io.BytesIO()
        gTTS(text, lang=language, lang_check=False, timeout=self.timeout).write_to_fp(out)
        if not out.getbuffer().nbytes:
            raise ValueError("Google returned no audio")
        return out.getvalue()


class EspeakSynthesiser:
    """espeak-ng through its library (from the espeakng-loader wheel): WAV, offline, ~100 ms."""

    container = "wav"

    def __init__(self, words_per_minute: int = ESPEAK_WORDS_PER_MINUTE) -> None:
        self.words_per_minute = words_per_minute

    def synthesise(self, language: str, text: str) -> bytes:
        voice = _ESPEAK_VOICES.get(language, language)
        return espeak_library().wav(voice, text, self.words_per_minute)
