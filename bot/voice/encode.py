"""Turns any speech audio (gTTS's MP3, espeak-ng's WAV) into a Telegram voice note.

A voice note is OGG/Opus, mono, 48 kHz, about 32 kbit/s. PyAV does the work in-process (its
wheel carries FFmpeg with libopus), so no ``ffmpeg`` binary is needed. ``ogg_duration`` reads
the length of a finished note from its last OGG page in microseconds, without decoding.
"""

from __future__ import annotations

import io

import av

__all__ = ["BIT_RATE", "SAMPLE_RATE", "ogg_duration", "to_voice_note"]

SAMPLE_RATE = 48_000  # Opus always runs at 48 kHz
BIT_RATE = 32_000


def to_voice_note(audio: bytes, container: str) -> bytes:
    """Encode ``audio`` (in ``container``: "mp3", "wav", ...) as OGG/Opus mono at 32 kbit/s.

    Raises ``ValueError`` when the input holds no audio, ``av.FFmpegError`` when it is not
    decodable.
    """
    out = io.BytesIO()
    samples = 0
    with (
        av.open(io.BytesIO(audio), mode="r", format=container) as source,
        av.open(out, mode="w", format="ogg") as target,
    ):
        if not source.streams.audio:
            raise ValueError("no audio stream")
        stream = target.add_stream("libopus", rate=SAMPLE_RATE, options={"application": "voip"})
        stream.bit_rate = BIT_RATE
        stream.layout = "mono"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        for frame in source.decode(audio=0):
            for converted in resampler.resample(frame):
                samples += converted.samples
                target.mux(stream.encode(converted))
        for converted in resampler.resample(None):
            samples += converted.samples
            target.mux(stream.encode(converted))
        if samples == 0:
            raise ValueError("the audio is empty")
        target.mux(stream.encode(None))
    return out.getvalue()


def ogg_duration(ogg: bytes) -> float:
    """Seconds of sound in an OGG/Opus file: last granule position minus the pre-skip."""
    head = ogg.find(b"OpusHead")
    if head < 0 or len(ogg) < head + 12:
        raise ValueError("not an OGG/Opus file")
    pre_skip = int.from_bytes(ogg[head + 10 : head + 12], "little")
    end = len(ogg)
    while (page := ogg.rfind(b"OggS", 0, end)) >= 0:
        # Accept only a real page: its header and segment table must end exactly at the end.
        if page + 27 <= len(ogg):
            segments = ogg[page + 26]
            table = ogg[page + 27 : page + 27 + segments]
            if len(table) == segments and page + 27 + segments + sum(table) == len(ogg):
                granule = int.from_bytes(ogg[page + 6 : page + 14], "little", signed=True)
                return max(granule - pre_skip, 0) / SAMPLE_RATE
        end = page
    raise ValueError("no final OGG page")
