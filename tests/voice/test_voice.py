"""Voice notes end to end: real espeak-ng, real Opus encoding, Google played by a fixture."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import time
from pathlib import Path

import av
import pytest
import requests

from bot.voice import Voice, VoiceEngine, cache_key, speakable
from bot.voice._espeak import espeak_library
from bot.voice.cache import ClipStore
from bot.voice.engines import EspeakSynthesiser, GoogleSynthesiser
from tests.voice.conftest import GOOGLE_MP3, Broken, FakeGoogle, HandClock, Spy

TEXT = "Hoi Sam! Hoe gaat het vandaag? Bel 112 als er gevaar is."
PRIVATE_WORDS = ("Sam", "vandaag", "gevaar")


def decoded(ogg: bytes) -> tuple[str, int, int, float]:
    """What a player sees in a voice note: codec, channels, sample rate, seconds of sound."""
    with av.open(io.BytesIO(ogg), mode="r") as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(audio=0))
        return stream.codec_context.name, stream.channels, stream.rate, samples / stream.rate


def seconds_of(audio: bytes, container: str) -> float:
    with av.open(io.BytesIO(audio), mode="r", format=container) as source:
        stream = source.streams.audio[0]
        return sum(frame.samples for frame in source.decode(audio=0)) / stream.rate


def assert_no_text_in(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        message = record.getMessage()
        assert not any(word in message for word in PRIVATE_WORDS), message


async def test_espeak_makes_a_real_ogg_opus_voice_note(tmp_path: Path) -> None:
    voice = Voice(tmp_path, VoiceEngine.ESPEAK)

    clip = await voice.clip("nl", TEXT)

    assert clip is not None
    assert clip.engine_used == "espeak"
    assert clip.ogg.startswith(b"OggS")
    codec, channels, rate, seconds = decoded(clip.ogg)
    assert (codec, channels, rate) == ("opus", 1, 48_000)
    wav_seconds = seconds_of(espeak_library().wav("nl", speakable("nl", TEXT), 145), "wav")
    assert clip.duration_seconds == pytest.approx(wav_seconds, rel=0.2)
    assert seconds == pytest.approx(clip.duration_seconds, rel=0.2)
    assert 16_000 < len(clip.ogg) * 8 / clip.duration_seconds < 48_000  # about 32 kbit/s


async def test_english_has_an_offline_voice_too(tmp_path: Path) -> None:
    clip = await Voice(tmp_path, "espeak").clip("en", "Hello Sam. See you at 09:30.")

    assert clip is not None
    assert decoded(clip.ogg)[0] == "opus"


async def test_the_same_text_is_synthesised_once(tmp_path: Path) -> None:
    espeak = Spy(EspeakSynthesiser())
    voice = Voice(tmp_path, VoiceEngine.ESPEAK, espeak=espeak)

    first = await voice.clip("nl", TEXT)
    second = await voice.clip("nl", TEXT)
    after_restart = await Voice(tmp_path, VoiceEngine.ESPEAK, espeak=espeak).clip("nl", TEXT)

    assert len(espeak.calls) == 1
    assert first is not None
    assert first == second == after_restart
    assert (tmp_path / f"{first.key}.ogg").exists()


async def test_the_same_text_asked_at_once_is_synthesised_once(tmp_path: Path) -> None:
    espeak = Spy(EspeakSynthesiser())
    voice = Voice(tmp_path, VoiceEngine.ESPEAK, espeak=espeak)

    clips = await asyncio.gather(*(voice.clip("nl", TEXT) for _ in range(5)))

    assert len(espeak.calls) == 1
    assert len({clip.key for clip in clips if clip is not None}) == 1


async def test_the_voice_hears_the_speakable_text(tmp_path: Path) -> None:
    espeak = Spy(EspeakSynthesiser())

    await Voice(tmp_path, "espeak", espeak=espeak).clip("nl", "📋 Om 09:30")

    assert espeak.calls == [("nl", "Om half tien.")]


async def test_google_speaks_by_default(tmp_path: Path, google: FakeGoogle) -> None:
    clip = await Voice(tmp_path, gtts_timeout=3.0).clip("nl", TEXT)

    assert clip is not None
    assert clip.engine_used == "gtts"
    assert len(google.requests) == 1
    assert google.requests[0].url is not None
    assert google.requests[0].url.startswith("https://translate.google.com/")
    assert google.timeouts == [3.0]  # gTTS itself never waits forever
    assert clip.duration_seconds == pytest.approx(seconds_of(GOOGLE_MP3, "mp3"), rel=0.2)
    assert decoded(clip.ogg)[:3] == ("opus", 1, 48_000)


async def test_a_long_text_is_several_google_requests_in_one_note(
    tmp_path: Path, google: FakeGoogle
) -> None:
    long_text = " ".join(["Dit is een zin van een lang bericht."] * 8)  # > 100 characters

    clip = await Voice(tmp_path).clip("nl", long_text)

    assert clip is not None
    parts = len(google.requests)
    assert parts >= 3
    one_part = seconds_of(GOOGLE_MP3, "mp3")
    assert clip.duration_seconds == pytest.approx(parts * one_part, rel=0.2)


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 429},
        {"status": 500},
        {"error": requests.exceptions.ConnectTimeout()},
        {"error": requests.exceptions.ConnectionError()},
        {"body": b")]}'\n\n[]\n"},  # 200 without audio
        {"body": b'[["wrb.fr","jQ1olc","[\\"bm90IGFuIG1wMw==\\"]"]]\n'},  # audio that is no MP3
    ],
    ids=["429", "500", "timeout", "unreachable", "no-audio", "not-mp3"],
)
async def test_google_failing_falls_back_to_espeak(
    tmp_path: Path,
    google: FakeGoogle,
    caplog: pytest.LogCaptureFixture,
    failure: dict[str, object],
) -> None:
    for name, value in failure.items():
        setattr(google, name, value)
    caplog.set_level(logging.DEBUG)

    clip = await Voice(tmp_path).clip("nl", TEXT)

    assert clip is not None
    assert clip.engine_used == "espeak"
    assert decoded(clip.ogg)[0] == "opus"
    secret = ClipStore(tmp_path).secret()
    gtts_key = cache_key(VoiceEngine.GTTS, "nl", speakable("nl", TEXT), secret)
    assert any(gtts_key[:12] in record.getMessage() for record in caplog.records)
    assert_no_text_in(caplog)


async def test_google_too_slow_falls_back_to_espeak(tmp_path: Path, google: FakeGoogle) -> None:
    google.gate = gate = threading.Event()
    started = time.perf_counter()
    try:
        clip = await Voice(tmp_path, gtts_timeout=0.2).clip("nl", TEXT)
    finally:
        gate.set()

    assert clip is not None
    assert clip.engine_used == "espeak"
    assert time.perf_counter() - started < 2


async def test_after_a_failure_google_rests_then_is_tried_again(
    tmp_path: Path, google: FakeGoogle
) -> None:
    clock = HandClock()
    voice = Voice(tmp_path, google_pause=120, monotonic=clock)
    google.status = 503

    clips = [await voice.clip("nl", text) for text in (TEXT, "Tot morgen!", TEXT)]

    assert [clip.engine_used if clip else None for clip in clips] == ["espeak"] * 3
    assert len(google.requests) == 1  # resting: no request per message during an outage

    clock.now += 121
    google.status = 200
    upgraded = await voice.clip("nl", TEXT)

    assert upgraded is not None
    assert upgraded.engine_used == "gtts"
    assert len(google.requests) == 2
    assert voice.cached("nl", TEXT) == upgraded


async def test_no_voice_at_all_gives_none_and_a_log_line(
    tmp_path: Path, google: FakeGoogle, caplog: pytest.LogCaptureFixture
) -> None:
    google.status = 500
    espeak = Broken()
    caplog.set_level(logging.DEBUG)

    clip = await Voice(tmp_path, espeak=espeak).clip("nl", TEXT)

    assert clip is None
    assert espeak.calls == 1
    messages = [record.getMessage() for record in caplog.records]
    assert any("gtts:gTTSError, espeak:OSError" in message for message in messages), messages
    assert_no_text_in(caplog)


async def test_offline_engine_never_calls_google(tmp_path: Path, google: FakeGoogle) -> None:
    clip = await Voice(tmp_path, "espeak").clip("nl", TEXT)

    assert clip is not None
    assert clip.engine_used == "espeak"
    assert google.requests == []


async def test_nothing_to_say_is_no_clip(tmp_path: Path, google: FakeGoogle) -> None:
    assert await Voice(tmp_path).clip("nl", "💬 🔴 📋") is None
    assert google.requests == []


async def test_file_ids_survive_a_restart(tmp_path: Path) -> None:
    voice = Voice(tmp_path, "espeak")
    clip = await voice.clip("nl", TEXT)
    assert clip is not None
    assert voice.file_id(clip.key) is None

    voice.remember_file_id(clip.key, "AwACAgQAAxkBAAIB")

    assert Voice(tmp_path, "espeak").file_id(clip.key) == "AwACAgQAAxkBAAIB"
    voice.forget_file_id(clip.key)
    assert Voice(tmp_path, "espeak").file_id(clip.key) is None


def test_an_unreadable_file_id_store_starts_empty(tmp_path: Path) -> None:
    (tmp_path / "file_ids.json").write_text("{not json")

    assert Voice(tmp_path, "espeak").file_id("abc") is None


def test_cache_keys_tell_engine_language_and_text_apart() -> None:
    keys = {
        cache_key(VoiceEngine.GTTS, "nl", "Hoi.", b"secret"),
        cache_key(VoiceEngine.ESPEAK, "nl", "Hoi.", b"secret"),
        cache_key(VoiceEngine.GTTS, "en", "Hoi.", b"secret"),
        cache_key(VoiceEngine.GTTS, "nl", "Hoi!", b"secret"),
        cache_key(VoiceEngine.GTTS, "nl", "Hoi!", b"another directory"),
    }
    assert len(keys) == 5
    assert all(len(key) == 64 for key in keys)


def test_the_google_synthesiser_returns_the_mp3_google_sent(google: FakeGoogle) -> None:
    assert GoogleSynthesiser(timeout=1).synthesise("nl", "Hallo.") == GOOGLE_MP3


async def test_a_damaged_cached_clip_is_made_again(tmp_path: Path) -> None:
    espeak = Spy(EspeakSynthesiser())
    voice = Voice(tmp_path, "espeak", espeak=espeak)
    clip = await voice.clip("nl", TEXT)
    assert clip is not None
    (tmp_path / f"{clip.key}.ogg").write_bytes(clip.ogg[: len(clip.ogg) // 2])

    again = await voice.clip("nl", TEXT)

    assert again is not None
    assert again.key == clip.key
    assert again.duration_seconds == pytest.approx(clip.duration_seconds, rel=0.2)
    assert len(espeak.calls) == 2


async def test_a_full_disk_gives_no_clip_and_no_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    voice = Voice(tmp_path, "espeak")
    earlier = await voice.clip("nl", "Tot volgende week.")  # made before the disk filled up
    assert earlier is not None

    def disk_full(self: ClipStore, path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ClipStore, "_write_atomically", disk_full)

    clip = await voice.clip("nl", TEXT)
    voice.remember_file_id(earlier.key, "AwACAgQ")

    assert clip is None
    assert voice.file_id(earlier.key) == "AwACAgQ"  # kept in memory at least
    assert_no_text_in(caplog)


async def test_a_clip_not_to_keep_leaves_nothing_on_disk(tmp_path: Path) -> None:
    voice = Voice(cache_dir=tmp_path, engine=VoiceEngine.ESPEAK)
    clip = await voice.clip("nl", "Ik bel je morgen over die brief.", keep=False)
    assert clip is not None and clip.ogg.startswith(b"OggS")
    # Only the directory's secret, made at start: nothing of the text.
    assert [path.name for path in _files(tmp_path)] == ["words.key"]


def _files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]
