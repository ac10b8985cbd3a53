"""Benchmark: ``kill -9`` of the bot while it holds a noodknop alert (Telegram answering 429, so
it waits in place), then the time until the coach has it, and how often she got it.

Real ``waakvlam run`` subprocesses against the sandbox in this process (see ``bench/_crash.py``):
- restart: the killed bot is started again in the same data directory (SQLite, PostgreSQL);
- restart elsewhere: started in another data directory, so only the heartbeats tell that the
  old instance is dead (as a new container on another host would);
- two instances on PostgreSQL: the one holding the alert is killed, the other delivers it.
Goal (issue 13): within 10 s, exactly once. Figures only; not part of the tests.

    .venv/bin/python -m bench.crash_recovery [rounds]
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram_sandbox import TelegramSandbox

from bench._crash import Killed, kill_the_holder_of_two, restart_after_kill
from bench._harness import temporary_database
from storage.database import Database
from storage.migrate import upgrade


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _round(
    kind: str, scenario: Callable[[TelegramSandbox, Database, Path], Awaitable[Killed]]
) -> Killed:
    with temporary_database(kind) as url, tempfile.TemporaryDirectory() as tmp:
        database = Database(url or f"sqlite:///{tmp}/waakvlam.db")
        upgrade(database.engine)
        try:
            async with TelegramSandbox(bot_username="bench_bot") as sandbox:
                return await scenario(sandbox, database, Path(tmp))
        finally:
            database.dispose()


async def _restart(sandbox: TelegramSandbox, database: Database, tmp: Path) -> Killed:
    return await restart_after_kill(sandbox, database, tmp / "data")


async def _restart_elsewhere(sandbox: TelegramSandbox, database: Database, tmp: Path) -> Killed:
    return await restart_after_kill(sandbox, database, tmp / "data", restart_in=tmp / "other")


async def _two(sandbox: TelegramSandbox, database: Database, tmp: Path) -> Killed:
    return await kill_the_holder_of_two(
        sandbox, database, (tmp / "one", tmp / "two"), (_free_port(), _free_port())
    )


async def main(rounds: int) -> None:
    cases = (
        ("sqlite", "restart in the same data directory", _restart),
        ("postgresql", "restart in the same data directory", _restart),
        ("postgresql", "restart in another data directory", _restart_elsewhere),
        ("postgresql", "two instances, the holder killed", _two),
    )
    for kind, name, scenario in cases:
        results = [await _round(kind, scenario) for _ in range(rounds)]
        seconds = [r.seconds for r in results]
        print(
            f"{kind}, {name}: coach has the alert after "
            f"median {statistics.median(seconds):.1f} s, worst {max(seconds):.1f} s "
            f"(n={rounds}); alerts received {sorted({r.alerts for r in results})}, "
            f"sends after the kill {sorted({r.sends_after for r in results})}, "
            f"live holder kept it: {all(r.kept_while_alive for r in results)}",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
