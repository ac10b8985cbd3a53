"""Fakes for the voice tests: a Google that answers from a fixture, spies, a hand-set clock.

``google`` is autouse: gTTS's HTTP requests are answered by a ``requests`` transport adapter
that plays Google's batchexecute endpoint with ``tests/fixtures/voice/google.mp3``, so no
voice test can reach the network. A test makes it fail or hang by setting its fields.
"""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from bot.voice.engines import Synthesiser

FIXTURES = Path(__file__).parents[1] / "fixtures" / "voice"
GOOGLE_MP3 = (FIXTURES / "google.mp3").read_bytes()


def google_body(mp3: bytes) -> bytes:
    """A batchexecute answer as Google sends it: the MP3 base64'd inside JSON inside JSON."""
    inner = json.dumps([base64.b64encode(mp3).decode("ascii")], separators=(",", ":"))
    envelope = json.dumps(
        [["wrb.fr", "jQ1olc", inner, None, None, None, "generic"]], separators=(",", ":")
    )
    return f")]}}'\n\n{len(envelope)}\n{envelope}\n".encode()


class FakeGoogle(BaseAdapter):
    """A requests adapter standing in for translate.google.com.

    ``status``: the HTTP status to answer; ``error``: an exception to raise instead;
    ``body``: the answer on 200; ``gate``: when set, each request waits for it first.
    """

    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.error: Exception | None = None
        self.body = google_body(GOOGLE_MP3)
        self.gate: threading.Event | None = None
        self.requests: list[requests.PreparedRequest] = []
        self.timeouts: list[Any] = []

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        self.requests.append(request)
        self.timeouts.append(timeout)
        if self.gate is not None:
            self.gate.wait(timeout=10)  # bounded: a forgotten gate cannot hang the run
        if self.error is not None:
            raise self.error
        response = requests.Response()
        response.status_code = self.status
        response.reason = "OK" if self.status == 200 else "Error"
        response.request = request
        response.url = request.url or ""
        response.raw = io.BytesIO(self.body if self.status == 200 else b"")
        return response

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    """Every requests.Session (gTTS makes one per request) talks to the fake Google."""
    fake = FakeGoogle()
    monkeypatch.setattr(requests.Session, "get_adapter", lambda self, url: fake)
    yield fake
    if fake.gate is not None:
        fake.gate.set()


@dataclass
class Spy:
    """Wraps a synthesiser and counts what it was asked to say."""

    inner: Synthesiser
    calls: list[tuple[str, str]] = field(default_factory=list)

    @property
    def container(self) -> str:
        return self.inner.container

    def synthesise(self, language: str, text: str) -> bytes:
        self.calls.append((language, text))
        return self.inner.synthesise(language, text)


class Broken:
    """A synthesiser that always fails, like an espeak-ng that cannot start."""

    container = "wav"

    def __init__(self) -> None:
        self.calls = 0

    def synthesise(self, language: str, text: str) -> bytes:
        self.calls += 1
        raise OSError("no voice here")


@dataclass
class HandClock:
    """A monotonic clock that moves only when the test says so."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now
