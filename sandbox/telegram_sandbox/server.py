"""The HTTP layer: an aiohttp server that answers like api.telegram.org.

Routes, as a self-hosted telegram-bot-api server has them:

* `GET|POST /bot<token>/<method>`: parameters from the query string and a JSON,
  URL-encoded or multipart body; method names are case-insensitive; the answer is
  `{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description":
  ...}` with the same HTTP status.
* `GET /file/bot<token>/<file_path>`: the bytes of a file (percent-encoded paths are
  decoded).

A wrong token answers 401 Unauthorized (404 if it is not even shaped like a token), an
unknown method 404 Not Found. Each call passes, in order: parameter validation, injected
faults, rate limits, the method handler. The server never logs message texts, only
method names and statuses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
from collections.abc import Callable
from typing import Any, NoReturn

from aiohttp import web

from telegram_sandbox.errors import ApiError, bad_request
from telegram_sandbox.faults import RATE_LIMITED, Faults, RateLimiter, error_for_status
from telegram_sandbox.methods import HANDLERS, Described, MethodContext
from telegram_sandbox.validation import (
    MethodSpec,
    Schema,
    UploadedFile,
    check_object,
    coerce_params,
    fewest_problems,
)

__all__ = ["BotApiServer"]

logger = logging.getLogger(__name__)

_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_MAX_BODY = 60 * 1024 * 1024
_NOT_FOUND = ApiError(404, "Not Found")
_UNAUTHORIZED = ApiError(401, "Unauthorized")


def _json_response(payload: dict[str, Any], status: int = 200) -> web.Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return web.Response(body=body, status=status, content_type="application/json")


def _error_response(error: ApiError) -> web.Response:
    return _json_response(error.payload(), error.status)


async def _read_params(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.body_exists:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                data = json.loads(raw)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(data, dict):
                raise bad_request("JSON object expected")
            params.update(data)
    elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                upload = UploadedFile(value.file.read(), value.filename, value.content_type)
                files[key] = upload
                params[key] = upload
            else:
                params[key] = value
    return params, files


class BotApiServer:
    """Serves the Bot API for one bot token over HTTP."""

    def __init__(
        self,
        *,
        token: str,
        schema: Schema,
        context: MethodContext,
        faults: Faults,
        limiter: RateLimiter,
        calls: list[tuple[str, dict[str, Any]]] | None,
        on_payload: Callable[[str, Any], None] | None = None,
    ) -> None:
        self._token = token
        self._schema = schema
        self._context = context
        self._state = context.state
        self._faults = faults
        self._limiter = limiter
        self._calls = calls
        self._on_payload = on_payload
        self._methods = {name.lower(): name for name in HANDLERS}
        self._runner: web.AppRunner | None = None
        self.root = ""

    async def start(self, host: str, port: int) -> str:
        """Listen on host:port (0 picks a free port) and return the API root URL."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        site = web.SockSite(runner, sock, backlog=1024)
        await site.start()
        self._runner = runner
        bound_port = sock.getsockname()[1]
        shown_host = f"[{host}]" if family == socket.AF_INET6 else host
        self.root = f"http://{shown_host}:{bound_port}"
        logger.info("Telegram sandbox listening on %s", self.root)
        return self.root

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- routing --------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            token, _, file_path = path[len("/file/bot") :].partition("/")
            return self._download(token, file_path)
        if path.startswith("/bot"):
            token, _, method = path[len("/bot") :].partition("/")
            if method and "/" not in method:
                return await self._call(request, token, method)
        return _error_response(_NOT_FOUND)

    def _token_error(self, token: str) -> ApiError | None:
        if token == self._token:
            return None
        return _UNAUTHORIZED if _TOKEN_SHAPE.match(token) else _NOT_FOUND

    def _download(self, token: str, file_path: str) -> web.StreamResponse:
        error = self._token_error(token)
        if error is not None:
            return _error_response(error)
        stored = self._state.files.by_path(file_path)
        if stored is None:
            return _error_response(_NOT_FOUND)
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
        )

    async def _call(self, request: web.Request, token: str, method: str) -> web.StreamResponse:
        self._state.stats["requests"] += 1
        name = self._methods.get(method.lower())
        error = self._token_error(token) or (_NOT_FOUND if name is None else None)
        if error is not None or name is None:
            return self._answer_error(error or _NOT_FOUND, method)
        spec = self._schema.methods[name]
        try:
            result = await self._run(request, spec)
        except ApiError as exc:
            return self._answer_error(exc, name)
        except Exception:
            logger.exception("sandbox method %s failed", name)
            return self._answer_error(error_for_status(500), name)
        self._state.stats["200"] += 1
        payload: dict[str, Any] = {"ok": True, "result": result}
        if isinstance(result, Described):
            payload = {"ok": True, "result": result.result, "description": result.description}
        if self._on_payload is not None:
            self._on_payload("|".join(spec.returns), payload["result"])
        return _json_response(payload)

    async def _run(self, request: web.Request, spec: MethodSpec) -> Any:
        """Validate, apply faults and rate limits, then run the method's handler."""
        name = spec.name
        raw, files = await _read_params(request)
        try:
            params = coerce_params(spec, raw, files)
        except ApiError:
            self._log_call(name, raw)
            raise
        self._log_call(name, params)
        decision = self._faults.decide(name, params.get("chat_id"))
        if decision.delay:
            await asyncio.sleep(decision.delay)
        if decision.drop:
            self._drop(request, name)
        if decision.error is not None:
            self._state.stats["faults"] += 1
            raise decision.error
        if self._limiter.enabled and name in RATE_LIMITED:
            now = asyncio.get_running_loop().time()
            retry_after = self._limiter.check(params.get("chat_id"), now)
            if retry_after is not None:
                raise error_for_status(429, retry_after)
        return await HANDLERS[name](self._context, params)

    def _log_call(self, name: str, params: dict[str, Any]) -> None:
        if self._calls is not None:
            self._calls.append((name, params))
        self._state.stats[f"calls:{name}"] += 1
        self._state.call_signal.notify()

    def _answer_error(self, error: ApiError, method: str) -> web.Response:
        self._state.stats[str(error.status)] += 1
        logger.debug("sandbox %s -> %s", method, error.status)
        return _error_response(error)

    def _drop(self, request: web.Request, method: str) -> NoReturn:
        """Close the connection without an answer (the call is not applied)."""
        self._state.stats["dropped"] += 1
        logger.debug("sandbox %s -> connection dropped", method)
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise asyncio.CancelledError


def check_result(type_spec: str, value: Any, schema: Schema) -> list[str]:
    """Problems of a result against a return type ("Message", "Message|Boolean")."""
    attempts = [check_object(t, value, schema) for t in type_spec.split("|")]
    return [] if any(not a for a in attempts) else fewest_problems(attempts)
