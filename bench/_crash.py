"""Real bot processes to kill: ``waakvlam run`` as subprocesses, against a Telegram sandbox in
this process and a real database. Used by ``tests/integration/test_crash_recovery.py`` (which
asserts) and ``bench/crash_recovery.py`` (which prints figures).

The story each time: coach Anna and client Sam are in the database; Telegram answers every
message to Anna with 429 "retry after 30 s", so the instance that claimed Sam's noodknop alert
holds it while it waits in place; that instance is killed (SIGKILL). Then Telegram is well
again and we time how long until Anna has the alert, and count how often it reached her.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select
from telegram_sandbox import SimUser, TelegramSandbox

from storage import people
from storage.database import Database
from storage.models import ClientStatus, Instance, OutboxMessage
from storage.outbox import Priority

__all__ = [
    "ALERT",
    "BotProcess",
    "Killed",
    "add_anna_and_sam",
    "alerts_to",
    "kill_the_holder_of_two",
    "restart_after_kill",
    "start_bot",
]

WAAKVLAM = str(Path(sys.executable).with_name("waakvlam"))
ALERT = "🔴 NOODKNOP"
RETRY_AFTER = 30  # what Telegram tells the holder: it waits in place, holding the alert
SECRET = "crash-test-webhook-secret-0123456789abcdef"


def alerts_to(person: SimUser) -> int:
    return sum(1 for m in person.inbox if (m.text or "").startswith(ALERT))


async def wait_until(
    check: Callable[[], Any],
    timeout: float,  # noqa: ASYNC109
    what: str,
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.02)


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    async def kill(self) -> None:
        """SIGKILL: no clean stop, nothing handed back."""
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            await self.kill()


def _environment(
    sandbox: TelegramSandbox, database_url: str, data_dir: Path, webhook_port: int | None
) -> dict[str, str]:
    ours = ("TELEGRAM_", "DATABASE_URL", "WAAKVLAM_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env |= {
        "TELEGRAM_BOT_TOKEN": sandbox.bot_token,
        "TELEGRAM_API_URL": sandbox.api_root,
        "DATABASE_URL": database_url,
        "WAAKVLAM_DATA_DIR": str(data_dir),
        "WAAKVLAM_VOICE_ENGINE": "off",
        "WAAKVLAM_DIGEST_WEEKDAY": "0",  # only the alert goes to Anna: it is counted
        "WAAKVLAM_BOT_USERNAME": sandbox.bot_username,
    }
    if webhook_port is not None:
        env |= {
            "WAAKVLAM_WEBHOOK_URL": f"http://127.0.0.1:{webhook_port}",
            "WAAKVLAM_WEBHOOK_PORT": str(webhook_port),
            "WAAKVLAM_WEBHOOK_SECRET": SECRET,
        }
    return env


def _log_file(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir / f"bot-{time.monotonic_ns()}.log"


async def spawn_bot(
    sandbox: TelegramSandbox,
    database_url: str,
    data_dir: Path,
    *,
    webhook_port: int | None = None,
) -> BotProcess:
    log = _log_file(data_dir)
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            WAAKVLAM,
            "run",
            *(["--webhook"] if webhook_port is not None else []),
            env=_environment(sandbox, database_url, data_dir, webhook_port),
            cwd=data_dir,  # no .env of the repository
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )
    return BotProcess(process, log)


def _instance_of(database: Database, pid: int) -> str | None:
    with database.transaction() as session:
        return session.exec(select(Instance.id).where(Instance.pid == pid)).first()


async def start_bot(
    sandbox: TelegramSandbox,
    database: Database,
    data_dir: Path,
    *,
    webhook_port: int | None = None,
) -> BotProcess:
    """A bot process whose delivery worker runs (its instance is registered)."""
    webhooks = len(sandbox.calls_to("setWebhook"))
    bot = await spawn_bot(sandbox, database.url, data_dir, webhook_port=webhook_port)
    try:
        await wait_until(lambda: _instance_of(database, bot.pid), 60, "the bot to start")
        if webhook_port is not None:
            await wait_until(
                lambda: len(sandbox.calls_to("setWebhook")) > webhooks, 30, "its webhook"
            )
    except AssertionError:
        await bot.stop()
        raise AssertionError(bot.log.read_text(errors="replace")[-3000:]) from None
    return bot


def add_anna_and_sam(database: Database, sandbox: TelegramSandbox) -> tuple[SimUser, SimUser]:
    """Coach Anna and her client Sam, both joined (straight into the database)."""
    anna, sam = sandbox.user(first_name="Anna"), sandbox.user(first_name="Sam")
    for person in (anna, sam):
        sandbox.state.chats[person.id].started = True
    now = datetime.now(UTC)
    with database.transaction() as session:
        team = people.default_team(session, now=now, organisation_name="Waakvlam")
        coach = people.add_coach(session, team_id=team.id or 0, name="Anna", language="nl", now=now)
        people.activate_coach(session, coach, telegram_user_id=anna.id, now=now)
        client = people.add_client(
            session, coach_id=coach.id or 0, name="Sam", language="nl", now=now
        )
        client.telegram_user_id, client.read_aloud, client.consent_at = sam.id, False, now
        client.status = ClientStatus.ACTIVE
        people.activate_client(session, client, now=now)
    return anna, sam


def _alert_row(database: Database, chat_id: int) -> OutboxMessage | None:
    with database.transaction() as session:
        return session.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.priority == Priority.ALERT,
                col(OutboxMessage.text_key).is_not(None),
            )
        ).first()


def _attempts_to(sandbox: TelegramSandbox, chat_id: int) -> int:
    return sum(1 for c in sandbox.calls_to("sendMessage") if str(c.get("chat_id")) == str(chat_id))


async def _press_and_hold(
    sandbox: TelegramSandbox, database: Database, anna: SimUser, sam: SimUser
) -> str:
    """Sam presses the noodknop; Telegram keeps Anna's chat at 429. Returns the instance that
    holds the alert once it has tried to send it and is waiting in place."""
    sandbox.faults.fail(
        method="sendMessage", status=429, retry_after=RETRY_AFTER, times=None, chat_id=anna.id
    )
    await sam.send_text("/nood")

    def held() -> str | None:
        row = _alert_row(database, anna.id)
        if row is None or row.claimed_by is None or not _attempts_to(sandbox, anna.id):
            return None
        return row.claimed_by

    holder: str = await wait_until(held, 30, "an instance to hold the alert")
    return holder


@dataclass(frozen=True)
class Killed:
    """What followed the kill: seconds until Anna had the alert (from the restart, or from the
    kill when another instance was running), how many alerts she got, how many times the
    alert was sent after Telegram was well again, and whether the live holder kept it."""

    seconds: float
    alerts: int
    sends_after: int
    kept_while_alive: bool = True


async def _after_kill(
    sandbox: TelegramSandbox, database: Database, anna: SimUser, started: float, settle: float
) -> Killed:
    calls_before = _attempts_to(sandbox, anna.id)
    await anna.wait_for(lambda m: (m.text or "").startswith(ALERT), timeout=30)
    seconds = time.monotonic() - started
    await asyncio.sleep(settle)  # a second send would come now
    row = _alert_row(database, anna.id)
    assert row is not None and row.sent_at is not None and row.claimed_by is None
    return Killed(seconds, alerts_to(anna), _attempts_to(sandbox, anna.id) - calls_before)


async def restart_after_kill(
    sandbox: TelegramSandbox,
    database: Database,
    data_dir: Path,
    *,
    restart_in: Path | None = None,
    settle: float = 3.0,
) -> Killed:
    """One instance: killed while it holds the alert, then started again (in ``restart_in``,
    another data directory, when given: then only the heartbeats tell the old one is dead)."""
    anna, sam = add_anna_and_sam(database, sandbox)
    first = await start_bot(sandbox, database, data_dir)
    try:
        await _press_and_hold(sandbox, database, anna, sam)
    finally:
        await first.kill()
    sandbox.faults.clear()
    started = time.monotonic()
    second = await spawn_bot(sandbox, database.url, restart_in or data_dir)
    try:
        return await _after_kill(sandbox, database, anna, started, settle)
    finally:
        await second.stop()


async def kill_the_holder_of_two(
    sandbox: TelegramSandbox,
    database: Database,
    data_dirs: tuple[Path, Path],
    ports: tuple[int, int],
    *,
    hold: float = 8.0,
    settle: float = 3.0,
) -> Killed:
    """Two instances on one database (webhook mode: Telegram pushes updates to the one that
    registered last). The one holding the alert is watched for ``hold`` seconds (longer than
    a heartbeat takes to go stale: the other must leave it alone), then killed; the other must
    deliver it."""
    anna, sam = add_anna_and_sam(database, sandbox)
    bots = []
    try:
        for data_dir, port in zip(data_dirs, ports, strict=True):
            bots.append(await start_bot(sandbox, database, data_dir, webhook_port=port))
        holder = await _press_and_hold(sandbox, database, anna, sam)
        kept = True
        deadline = time.monotonic() + hold
        while time.monotonic() < deadline:
            row = _alert_row(database, anna.id)
            kept = kept and row is not None and row.claimed_by == holder and row.sent_at is None
            await asyncio.sleep(0.1)
        with database.transaction() as session:
            instance = session.get(Instance, holder)
            assert instance is not None
            pid = instance.pid
        victim = next(bot for bot in bots if bot.pid == pid)
        await victim.kill()
        started = time.monotonic()
        sandbox.faults.clear()
        killed = await _after_kill(sandbox, database, anna, started, settle)
        return Killed(killed.seconds, killed.alerts, killed.sends_after, kept)
    finally:
        for bot in bots:
            await bot.stop()
