"""How python-telegram-bot reaches the Bot API: over aiohttp instead of its default httpx.

python-telegram-bot lets a bot bring its own HTTP client (``telegram.request.BaseRequest``);
everything above it (the Bot methods, retries, the rate limiter, errors) stays python-telegram-
bot's. Why aiohttp: measured in ``bench/cpu_per_update.py`` on the same sandbox in the same run,
a Bot API call through httpx costs about twice the CPU of the same call through aiohttp (a bare
echo bot 2.3 -> 1.2 ms per update; Waakvlam's grade press, three calls, 17.6 -> 10.5 ms), and
Waakvlam makes two to three calls per update. The python-telegram-bot team keeps an aiohttp
request of its own in ptbcontrib, which is not published on PyPI; this is the same idea, small.

It behaves as ``HTTPXRequest`` does: a timeout becomes ``TimedOut`` (the call may have reached
Telegram), any other failure to talk ``NetworkError``; a status and the body are returned as they
came, for python-telegram-bot to read (429 -> ``RetryAfter``, 5xx -> ``NetworkError``).

Timeouts, as aiohttp names them: ``pool_timeout`` plus ``connect_timeout`` for getting a
connection (a free one from the pool, or a new one), ``connect_timeout`` for opening it,
``read_timeout`` between two reads of the answer. aiohttp has no write timeout: ``write_timeout``
(longer for uploads) is part of the cap on the whole call, the sum of all of them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput  # the type BaseRequest.do_request is declared with

__all__ = ["AiohttpRequest", "telegram_request"]

MEDIA_WRITE_TIMEOUT = 20.0  # seconds to upload a voice note or a picture (httpx's default too)


def telegram_request(api_url: str, *, read_timeout: float, pool_size: int) -> AiohttpRequest:
    """The request for the Bot API at ``api_url`` (Telegram, a self-hosted server, the sandbox)."""
    local = urlparse(api_url).hostname in {"127.0.0.1", "localhost", "::1"}
    # Proxy variables must never hijack a local Bot API server (sandbox or self-hosted).
    return AiohttpRequest(pool_size=pool_size, read_timeout=read_timeout, trust_env=not local)


class AiohttpRequest(BaseRequest):
    """A python-telegram-bot request over one aiohttp session with ``pool_size`` connections."""

    __slots__ = (
        "_connect_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_trust_env",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        pool_size: int,
        read_timeout: float,
        connect_timeout: float = 5.0,
        write_timeout: float = 10.0,
        pool_timeout: float = 10.0,
        trust_env: bool = False,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._write_timeout = write_timeout
        self._pool_timeout = pool_timeout
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    @property
    def trusts_proxy_variables(self) -> bool:
        """Whether HTTP(S)_PROXY and the like are followed (never for a local Bot API server)."""
        return self._trust_env

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Made here, not in __init__: a session belongs to the running event loop.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                trust_env=self._trust_env,
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if uploads else self._write_timeout)
        timeout = aiohttp.ClientTimeout(
            total=_sum(pool, connect, write, read),
            connect=_sum(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # The class name only: an error's text may hold the URL, and with it the token.
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error


def _given(value: ODVInput[float], default: float) -> float | None:
    """A timeout passed for this call (None: no limit), or the request's own."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return value  # type: ignore[return-value]


def _sum(*parts: float | None) -> float | None:
    """Phases added up; no limit when one of them has none."""
    if any(part is None for part in parts):
        return None
    return sum(part for part in parts if part is not None)


def _body(request_data: RequestData | None) -> aiohttp.FormData | aiohttp.BytesPayload | None:
    """The call's parameters: one JSON object, which the Bot API takes as it takes a form
    ("application/json (except for uploading files)"), at about a fifth of the CPU of
    URL-encoding texts and keyboards (``bench/cpu_per_update.py --profile``); multipart when
    files go with it."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        return aiohttp.BytesPayload(body, content_type="application/json")
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
