"""The Telegram sandbox in a process of its own, so a benchmark can tell the bot's memory and
CPU from the sandbox's (which keeps every simulated person and every message sent).

The child process serves the sandbox on 127.0.0.1; the benchmark's process runs the bot
against it over HTTP, as against Telegram. The benchmark steers the sandbox by sending it
functions to run there: ``await sandbox.call(function, *args)`` runs
``function(TelegramSandbox, *args)`` in the child (a coroutine function is awaited) and
returns its result. The function must be importable (defined at the top of a module), its
arguments and result picklable. A call waits in a thread of its own, never on the bot's
event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Self

__all__ = ["SandboxProcess", "cpu_seconds", "rss_mib"]


def rss_mib(pid: str | int = "self") -> tuple[float, float]:
    """(resident now, highest resident so far) of a process, MiB (Linux /proc)."""
    values: dict[str, float] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount, _unit = line.split()
                values[key] = int(amount) / 1024
    return values["VmRSS:"], values["VmHWM:"]


class SandboxProcess:
    """A ``TelegramSandbox(**options)`` serving in a child process."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._lock = threading.Lock()
        self.api_root = ""
        self.bot_token = ""

    @property
    def pid(self) -> int:
        assert self._process is not None and self._process.pid is not None
        return self._process.pid

    async def start(self) -> Self:
        context = multiprocessing.get_context("spawn")  # nothing of the bot's heap copied
        mine, theirs = context.Pipe()
        process = context.Process(target=_child, args=(theirs, self._options), daemon=True)
        process.start()
        theirs.close()
        self._process, self._connection = process, mine
        self.api_root, self.bot_token = await self.call(_address)
        return self

    async def stop(self) -> None:
        if self._connection is not None:
            await asyncio.to_thread(self._send, None)
            self._connection.close()
            self._connection = None
        if self._process is not None:
            await asyncio.to_thread(self._process.join, 10)
            if self._process.is_alive():
                self._process.kill()
            self._process = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(sandbox, *args)`` in the child; its result (or its exception) here."""
        ok, result = await asyncio.to_thread(self._send, (function, args))
        if not ok:
            raise result
        return result

    def _send(self, message: tuple[Callable[..., Any], tuple[Any, ...]] | None) -> Any:
        assert self._connection is not None
        with self._lock:
            self._connection.send(message)
            return None if message is None else self._connection.recv()

    def memory(self) -> tuple[float, float]:
        """The child's (resident now, highest so far), MiB."""
        return rss_mib(self.pid)


def _address(sandbox: Any) -> tuple[str, str]:
    return sandbox.api_root, sandbox.bot_token


def _child(connection: Connection, options: dict[str, Any]) -> None:
    asyncio.run(_serve(connection, options))


async def _serve(connection: Connection, options: dict[str, Any]) -> None:
    from telegram_sandbox import TelegramSandbox

    async with TelegramSandbox(**options) as sandbox:
        while True:
            message = await asyncio.to_thread(connection.recv)
            if message is None:
                return
            function, args = message
            try:
                result = function(sandbox, *args)
                if inspect.isawaitable(result):
                    result = await result
                reply: tuple[bool, Any] = (True, result)
            except Exception as error:  # handed to the caller, who raises it
                reply = (False, error)
            connection.send(reply)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
