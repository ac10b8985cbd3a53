"""A minimal ctypes binding to libespeak-ng: text in, 16-bit mono WAV bytes out.

The library comes from the ``espeakng-loader`` wheel (libespeak-ng with its voice data, Dutch
and English included), so a fresh machine needs no system package; a system
``libespeak-ng.so.1`` with its own data is used when the wheel is absent. libespeak-ng keeps
global state and is not thread-safe: every call holds one process-wide lock.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import threading
import wave
from typing import Any

__all__ = ["EspeakError", "EspeakLibrary", "espeak_library"]

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # report errors instead of calling exit()
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAMETER_RATE = 1
_EE_OK = 0

_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class EspeakError(RuntimeError):
    """libespeak-ng is missing, could not start, or refused a voice or a text."""


def _locate() -> tuple[str, bytes | None]:
    """The library file and its data directory (None: the library's built-in default)."""
    try:
        import espeakng_loader
    except ImportError:
        found = ctypes.util.find_library("espeak-ng")
        if found is None:
            raise EspeakError("libespeak-ng not found (install espeakng-loader)") from None
        return found, None
    return espeakng_loader.get_library_path(), espeakng_loader.get_data_path().encode()


class EspeakLibrary:
    """libespeak-ng, loaded and initialised once per process; ``wav()`` is thread-safe."""

    def __init__(self, lib: ctypes.CDLL, sample_rate: int) -> None:
        self._lib = lib
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._chunks: list[bytes] = []
        self._callback = _Callback(self._collect)  # keep a reference: C holds the pointer
        lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def load(cls) -> EspeakLibrary:
        path, data = _locate()
        try:
            lib = ctypes.CDLL(path)
        except OSError as error:
            raise EspeakError("libespeak-ng could not be loaded") from error
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_Callback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        sample_rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data, _INITIALIZE_DONT_EXIT
        )
        if sample_rate <= 0:
            raise EspeakError("libespeak-ng could not initialise its data")
        return cls(lib, sample_rate)

    def _collect(self, wav: Any, samples: int, _events: int | None) -> int:
        if wav and samples > 0:
            self._chunks.append(ctypes.string_at(wav, samples * 2))
        return 0

    def wav(self, voice: str, text: str, words_per_minute: int) -> bytes:
        """Speak ``text`` with an espeak-ng voice name ("nl", "en"): a mono 16-bit WAV file."""
        encoded = text.encode("utf-8")
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                raise EspeakError("espeak-ng has no such voice")
            self._lib.espeak_SetParameter(_PARAMETER_RATE, words_per_minute, 0)
            self._chunks.clear()
            status = self._lib.espeak_Synth(
                encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            pcm = b"".join(self._chunks)
            self._chunks.clear()
        if status != _EE_OK:
            raise EspeakError("espeak-ng could not speak the text")
        if not pcm:
            raise EspeakError("espeak-ng produced no audio")
        out = io.BytesIO()
        with wave.open(out, "wb") as file:
            file.setnchannels(1)
            file.setsampwidth(2)
            file.setframerate(self.sample_rate)
            file.writeframes(pcm)
        return out.getvalue()


_loaded: EspeakLibrary | None = None
_load_lock = threading.Lock()


def espeak_library() -> EspeakLibrary:
    """The process's one initialised libespeak-ng (loaded on first use)."""
    global _loaded
    with _load_lock:
        if _loaded is None:
            _loaded = EspeakLibrary.load()
        return _loaded
