"""Benchmark: how long a voice note takes, made fresh and from the cache.

Prints the time per text for ``speakable``, a fresh clip from espeak-ng (real library, real
Opus encoding), a fresh clip on the Google path (gTTS's MP3 from the test fixture instead of
the network, so decoding and encoding only; Google itself adds its own round trips), and a
cached clip. Uses every Dutch client text in content/easy-language. Run with ``make bench`` or
``.venv/bin/python -m bench.voice``. Figures only; never part of the test run's pass/fail.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.texts import load_texts
from bot.voice import Voice, VoiceEngine, speakable

GOOGLE_MP3 = Path(__file__).parents[1] / "tests" / "fixtures" / "voice" / "google.mp3"


class FixtureGoogle:
    """Google's side replaced by a recorded MP3: what is left is our own work."""

    container = "mp3"

    def __init__(self) -> None:
        self.mp3 = GOOGLE_MP3.read_bytes()

    def synthesise(self, language: str, text: str) -> bytes:
        return self.mp3


def client_texts() -> list[str]:
    texts = load_texts("nl")
    return [
        entry.value
        for entry in texts.entries["nl"].values()
        if entry.client_facing and isinstance(entry.value, str) and speakable("nl", entry.value)
    ]


async def per_text(texts: list[str], make: Callable[[str], Awaitable[object]]) -> list[float]:
    seconds = []
    for text in texts:
        started = time.perf_counter()
        await make(text)
        seconds.append(time.perf_counter() - started)
    return seconds


def line(label: str, seconds: list[float]) -> str:
    median = statistics.median(seconds) * 1000
    worst = max(seconds) * 1000
    return f"  {label:<34}: median {median:8.3f} ms, max {worst:8.3f} ms  ({len(seconds)} texts)"


async def main() -> None:
    logging.disable(logging.WARNING)
    texts = client_texts()
    started = time.perf_counter()
    for text in texts:
        speakable("nl", text)
    speakable_us = (time.perf_counter() - started) / len(texts) * 1e6
    with tempfile.TemporaryDirectory() as espeak_dir, tempfile.TemporaryDirectory() as google_dir:
        espeak = Voice(Path(espeak_dir), VoiceEngine.ESPEAK)
        google = Voice(Path(google_dir), VoiceEngine.GTTS, google=FixtureGoogle())
        await espeak.clip("nl", "Opwarmen.")  # loads libespeak-ng once
        fresh_espeak = await per_text(texts, lambda t: espeak.clip("nl", t))
        fresh_google = await per_text(texts, lambda t: google.clip("nl", t))
        cached = await per_text(texts * 20, lambda t: google.clip("nl", t))
        clips = [await espeak.clip("nl", text) for text in texts]
    audio = sum(clip.duration_seconds for clip in clips if clip)
    size = sum(len(clip.ogg) for clip in clips if clip)
    print("voice benchmark (Dutch client texts, one process, 2 cores)")
    print(f"  speakable()                       : {speakable_us:8.1f} µs per text")
    print(line("fresh clip, espeak-ng", fresh_espeak))
    print(line("fresh clip, gTTS path (fixture)", fresh_google))
    print(line("cached clip (disk)", cached))
    print(f"  audio made by espeak-ng           : {audio:.1f} s in {size / 1024:.0f} KiB")
    print(f"  bit rate                          : {size * 8 / audio / 1000:.1f} kbit/s")


if __name__ == "__main__":
    asyncio.run(main())
