"""``Voice``: a bot text in, a cached Telegram voice note out, never an exception.

The shell sends the text first and the voice afterwards, so a slow or failed synthesis never
holds up the words::

    await bot.send_message(chat_id, text)
    clip = await voice.clip(language, text)          # None: nothing to say, or no voice
    if clip is not None:
        sent = await bot.send_voice(
            chat_id, voice.file_id(clip.key) or clip.ogg, duration=round(clip.duration_seconds)
        )
        voice.remember_file_id(clip.key, sent.voice.file_id)

(If Telegram refuses a remembered file_id, ``forget_file_id`` and upload ``clip.ogg``.)

Engines: ``gtts`` tries Google first and falls back to espeak-ng when Google fails or is slower
than ``gtts_timeout``; after a failure Google rests for ``google_pause`` seconds, so an outage
costs one timeout, not one per message. ``espeak`` never leaves the machine. A clip is cached
per (engine, language, spoken text); a text already spoken by espeak-ng is spoken again by
Google once Google answers. Logs carry the cache key's first 12 hex digits and error types,
never the text.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.voice.cache import ClipStore
from bot.voice.encode import ogg_duration, to_voice_note
from bot.voice.engines import EspeakSynthesiser, GoogleSynthesiser, Synthesiser
from bot.voice.speakable import speakable

__all__ = ["Voice", "VoiceClip", "VoiceEngine", "cache_key"]

log = logging.getLogger(__name__)

# Part of every cache key: change it when the audio format or the voices' settings change.
_CACHE_VERSION = "opus-mono-32k/1"


class VoiceEngine(StrEnum):
    """Which voice to use: Google with an offline fallback, or offline only."""

    GTTS = "gtts"
    ESPEAK = "espeak"


@dataclass(frozen=True)
class VoiceClip:
    """A voice note ready for ``sendVoice``: OGG/Opus, mono, about 32 kbit/s."""

    key: str
    ogg: bytes
    engine_used: VoiceEngine
    duration_seconds: float


def cache_key(engine: VoiceEngine, language: str, spoken: str, secret: bytes) -> str:
    """HMAC-SHA-256 of (cache version, engine, language, spoken text) with the cache
    directory's secret, as 64 hex digits: without the secret a file name cannot be tried
    against a guess ("Hoi Sam!") to learn that Sam was spoken to."""
    material = "\n".join((_CACHE_VERSION, engine.value, language, spoken))
    return hmac.new(secret, material.encode("utf-8"), hashlib.sha256).hexdigest()


class Voice:
    """Speaks bot texts as Telegram voice notes, cached in ``cache_dir``."""

    def __init__(
        self,
        cache_dir: Path,
        engine: VoiceEngine | str = VoiceEngine.GTTS,
        gtts_timeout: float = 10.0,
        *,
        google: Synthesiser | None = None,
        espeak: Synthesiser | None = None,
        google_pause: float = 120.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = VoiceEngine(engine)
        self._engines = (
            (VoiceEngine.GTTS, VoiceEngine.ESPEAK)
            if self.engine is VoiceEngine.GTTS
            else (VoiceEngine.ESPEAK,)
        )
        self._synthesisers: dict[VoiceEngine, Synthesiser] = {
            VoiceEngine.GTTS: google or GoogleSynthesiser(timeout=gtts_timeout),
            VoiceEngine.ESPEAK: espeak or EspeakSynthesiser(),
        }
        self._gtts_timeout = gtts_timeout
        self._google_pause = google_pause
        self._google_resumes_at = float("-inf")
        self._monotonic = monotonic
        self._store = ClipStore(cache_dir)
        self._in_flight: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def clip(self, language: str, text: str, *, keep: bool = True) -> VoiceClip | None:
        """``text`` (as rendered for the person) as a voice note in ``language``.

        Cached clips come back at once. None when there is nothing to say (only emoji or a
        link) or when every engine failed; that is logged and never raised. ``keep=False``
        makes a clip that is never written to disk and never leaves the machine (no Google):
        for words a person wrote (a coach's message read aloud), which the bot must not store.
        """
        language = language.lower().split("-")[0]
        spoken = speakable(language, text)
        if not spoken:
            return None
        found = self._best_cached(language, spoken)
        if found is not None and self._good_enough(found):
            return found
        lock = self._in_flight.setdefault((language, spoken), asyncio.Lock())
        async with lock:  # the same text asked twice at once is synthesised once
            found = self._best_cached(language, spoken)
            if found is not None and self._good_enough(found):
                return found
            return await self._synthesise_first_working(language, spoken, found, keep)

    def cached(self, language: str, text: str) -> VoiceClip | None:
        """The best clip already made for ``text``, without synthesising anything."""
        language = language.lower().split("-")[0]
        spoken = speakable(language, text)
        return self._best_cached(language, spoken) if spoken else None

    def file_id(self, key: str) -> str | None:
        """Telegram's file_id for the clip with this key, if it was uploaded before."""
        return self._store.file_id(key)

    def remember_file_id(self, key: str, file_id: str) -> None:
        """Keep the file_id Telegram gave the uploaded clip (in memory and on disk)."""
        self._store.remember_file_id(key, file_id)

    def forget_file_id(self, key: str) -> None:
        """Drop a file_id Telegram no longer accepts (e.g. after a change of bot token)."""
        self._store.forget_file_id(key)

    def forget_clips_naming(self, names: list[str]) -> int:
        """Delete the clips that say any of these names, with their file ids (blocking: a
        scan of the cache); how many."""
        return sum(self._store.forget_clips_naming(name) for name in names)

    def _google_resting(self) -> bool:
        return self._monotonic() < self._google_resumes_at

    def _good_enough(self, clip: VoiceClip) -> bool:
        """A cached clip from the preferred engine, or a fallback's while Google rests."""
        return clip.engine_used is self._engines[0] or self._google_resting()

    def _best_cached(self, language: str, spoken: str) -> VoiceClip | None:
        for engine in self._engines:
            key = cache_key(engine, language, spoken, self._store.secret())
            ogg = self._store.read(key)
            if ogg is None:
                continue
            try:
                duration = ogg_duration(ogg)
            except ValueError:
                log.warning("voice %s: cached clip unreadable, making it again", key[:12])
                continue
            return VoiceClip(key, ogg, engine, duration)
        return None

    async def _synthesise_first_working(
        self, language: str, spoken: str, cached_fallback: VoiceClip | None, keep: bool = True
    ) -> VoiceClip | None:
        failures: list[str] = []
        key = ""
        for engine in self._engines:
            if not keep and engine is VoiceEngine.GTTS:
                continue  # a person's own words never go to Google: the offline voice reads them
            if cached_fallback is not None and cached_fallback.engine_used is engine:
                return cached_fallback
            if engine is VoiceEngine.GTTS and self._google_resting():
                continue
            key = cache_key(engine, language, spoken, self._store.secret())
            try:
                return await self._synthesise(engine, key, language, spoken, keep)
            except Exception as error:  # any failure means: try the next engine
                failures.append(f"{engine.value}:{type(error).__name__}")
                log.warning(
                    "voice %s: %s failed (%s)", key[:12], engine.value, type(error).__name__
                )
                if engine is VoiceEngine.GTTS:
                    self._google_resumes_at = self._monotonic() + self._google_pause
        log.warning("voice %s: no voice note (%s)", key[:12], ", ".join(failures))
        return None

    async def _synthesise(
        self, engine: VoiceEngine, key: str, language: str, spoken: str, keep: bool = True
    ) -> VoiceClip:
        synthesiser = self._synthesisers[engine]

        def make() -> bytes:
            ogg = to_voice_note(synthesiser.synthesise(language, spoken), synthesiser.container)
            if keep:
                self._store.write(key, ogg, spoken)
            return ogg

        started = time.perf_counter()
        work = asyncio.to_thread(make)
        ogg = await (
            asyncio.wait_for(work, self._gtts_timeout) if engine is VoiceEngine.GTTS else work
        )
        log.debug(
            "voice %s: made by %s in %.0f ms",
            key[:12],
            engine.value,
            (time.perf_counter() - started) * 1000,
        )
        return VoiceClip(key, ogg, engine, ogg_duration(ogg))
