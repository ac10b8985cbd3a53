"""A world for scenario tests: the sandbox, a real database, the real bot polling over HTTP,
and a fixed clock. Helpers walk a coach and a client through onboarding as people would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select
from telegram_sandbox import SentMessage, SimUser, TelegramSandbox

from bot import admin
from bot.app import build_application
from bot.clock import FixedClock
from bot.guard import Guard
from bot.runner import polling
from bot.settings import Settings
from bot.texts import load_texts
from storage.database import Database
from storage.models import (
    AuditEvent,
    Client,
    Coach,
    CoachAssignment,
    Invite,
    OutboxMessage,
    SupportPhase,
)
from storage.outbox import Priority, enqueue


@dataclass
class World:
    sandbox: TelegramSandbox
    database: Database
    clock: FixedClock
    settings: Settings
    guard: Guard = field(default_factory=Guard)
    #: the "/start <token>" message each person sent to open their link, by Telegram id
    link_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    _running: Any = None
    application: Any = None

    @property
    def service(self) -> Any:
        return self.application.bot_data["service"]

    async def tick(self) -> None:
        """What the scheduler's tick does, now, at the fixed clock's time."""
        await self.service.tick(self.application.bot)

    async def settle(self) -> None:
        """Wait until the bot handled everything sent so far. The probe's answer shows every
        earlier update was taken in (the bot gets them in order); different chats are handled
        at once, so then wait until no update is in flight."""
        probe = self.sandbox.user(first_name="Probe")
        await probe.send_text("/start")
        await probe.next_message()
        await self.application.update_processor.wait_idle()

    async def drain(self, patience: float = 10.0) -> None:
        """Wait until every update sent so far is handled and every outbox row is sent or
        failed. Call it before every negative assertion ("Sam did not get ..."): without it
        a message still queued would make the assertion pass.

        An alert an update sends in hand (``OutboxWorker.send_in_hand``) is waited for too:
        refused (403), its row is failed before its failure hook queues what follows (the
        escalation, the emergency numbers), and in between the outbox shows nothing pending.

        A row that waits for a later time (a retry, with the clock fixed) fails the test:
        move the clock on and drain again, so nothing pending is ever mistaken for nothing."""
        await self.settle()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while True:
            await self._in_hand_done(deadline - loop.time())
            await self._worker_pass(deadline - loop.time())
            pending = self.pending_outbox()
            if not pending and not self.service.worker.in_hand_tasks:
                return
            if not pending:
                continue  # an in-hand task started meanwhile: wait for it too
            if all(due > self.clock.now() for due in pending):
                raise AssertionError(
                    f"{len(pending)} outbox row(s) wait for a later time; move the clock on"
                )
            if loop.time() > deadline:
                raise AssertionError(f"{len(pending)} outbox row(s) still unsent")

    async def rest(self, patience: float = 10.0) -> None:
        """Wait until every update sent so far is handled and the outbox worker made a pass
        that found nothing due (rows waiting for a later time may be left)."""
        await self.settle()
        await self._worker_pass(patience)

    async def _in_hand_done(self, patience: float) -> None:
        """Wait until every in-hand send task (``OutboxWorker.send_in_hand``) has ended, its
        hooks included: what they queue is in the outbox then."""
        tasks = set(self.service.worker.in_hand_tasks)
        if not tasks:
            return
        _, running = await asyncio.wait(tasks, timeout=max(patience, 0.0))
        if running:
            raise AssertionError(f"{len(running)} in-hand alert send(s) still running")

    async def _worker_pass(self, patience: float) -> None:
        worker = self.service.worker
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        passes = worker.idle_passes
        worker.wake()
        while worker.idle_passes == passes:
            if loop.time() > deadline:
                raise AssertionError("the outbox worker did not come to rest")
            await asyncio.sleep(0.01)

    def fan_out(self, size: int) -> list[SimUser]:
        """``size`` people who started the bot, each with a check-in-priority message queued
        in the outbox (not yet woken): a fan-out for an alert to overtake."""
        crowd = [self.sandbox.user(first_name=f"C{n}") for n in range(size)]
        with self.database.transaction() as session:
            for person in crowd:
                self.sandbox.state.chats[person.id].started = True
                enqueue(
                    session,
                    now=self.clock.now(),
                    chat_id=person.id,
                    priority=Priority.CHECKIN,
                    text_key="common.question_closed",
                )
        return crowd

    def pending_outbox(self) -> list[datetime]:
        """When each unsent, unfailed outbox row is due."""
        with self.database.transaction() as session:
            due = session.exec(
                select(OutboxMessage.next_attempt_at).where(
                    col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed_at).is_(None)
                )
            )
            return list(due)

    def add_backup(self, coach: SimUser, backup: SimUser) -> None:
        """``backup`` stands in for ``coach`` when an alert is not picked up."""
        admin.add_backup(
            self.database,
            coach_id=self.coach_id(coach),
            backup_coach_id=self.coach_id(backup),
            now=self.clock.now(),
        )

    def set_hours(
        self, coach: SimUser, days: str, start: str = "09:00", end: str = "17:00"
    ) -> None:
        """The coach's alert hours: ISO weekdays ("2345": Tuesday to Friday), from, until."""
        admin.set_availability(
            self.database,
            coach_id=self.coach_id(coach),
            days=days,
            start=start,
            end=end,
            now=self.clock.now(),
        )

    def coach_id(self, person: SimUser) -> int:
        with self.database.transaction() as session:
            coach = session.exec(select(Coach).where(Coach.telegram_user_id == person.id)).one()
            assert coach.id is not None
            return coach.id

    async def start(self) -> None:
        application = build_application(
            self.settings, clock=self.clock, database=self.database, guard=self.guard
        )
        self.application = application
        self._running = polling(application)
        await self._running.__aenter__()

    async def stop(self) -> None:
        if self._running is not None:
            await self._running.__aexit__(None, None, None)
            self._running = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def coach_link(self, name: str = "Anna") -> str:
        issued = admin.invite_coach(
            self.database,
            self.settings,
            name=name,
            bot_username=self.sandbox.bot_username,
            now=self.clock.now(),
        )
        return issued.link

    async def coach(self, name: str = "Anna") -> SimUser:
        """A coach who opened their link and read the welcome."""
        person = self.sandbox.user(first_name=name)
        await person.open_deep_link(token_of(self.coach_link(name)))
        welcome = await person.next_message()
        assert welcome.text and welcome.text.startswith(f"Welkom {name}")
        return person

    async def invite(self, coach: SimUser, name: str = "Sam") -> str:
        """The coach invites a client; returns the token of the client's link."""
        await coach.send_text(f"/nieuw {name}")
        text = await coach.next_message()
        picture = await coach.next_message()
        assert picture.kind == "photo"
        return token_of(link_in(text))

    async def link_opened(self, coach: SimUser, name: str = "Sam") -> SimUser:
        """A client who opened their invite link and read the welcome and consent question;
        the coach read which Telegram account opened it."""
        person = self.sandbox.user(first_name=name, phone_number=CLIENT_PHONE)
        self.link_messages[person.id] = await person.open_deep_link(await self.invite(coach, name))
        await person.next_message()
        await person.next_message()
        opened = await coach.next_message()
        assert opened.text and opened.text.startswith(f"De link voor {name} is geopend door")
        return person

    async def client(self, coach: SimUser, name: str = "Sam", *, phone: bool = True) -> SimUser:
        """A client who joined fully: consent yes, read aloud no, shared their phone number
        (``phone``; else "Liever niet"), sees the menu. The coach read what they were told."""
        person = await self.link_opened(coach, name)
        await person.press("Ja, dat is goed")
        await person.next_message()
        await person.press("Nee, alleen tekst")
        for _ in range(3):  # "Goed, dat onthoud ik.", the offer to share the number (2)
            await person.next_message()
        joined = await coach.next_message()
        assert joined.text and joined.text.startswith(f"{name} doet mee: {name} gaf toestemming.")
        await person.tap_keyboard("📱 Deel mijn nummer" if phone else "Liever niet")
        for _ in range(3):  # saved (or not), "Klaar!", the menu explained
            await person.next_message()
        if phone:
            shared = await coach.next_message()
            assert shared.text and shared.text.startswith(f"📞 {name} deelde een telefoonnummer")
        return person

    def count(self, model: type) -> int:
        with self.database.transaction() as session:
            return int(session.exec(select(func.count()).select_from(model)).one())

    def row_counts(self) -> dict[str, int]:
        models = (Coach, Client, Invite, AuditEvent, SupportPhase, CoachAssignment)
        return {model.__name__: self.count(model) for model in models}


# Every client's own number in Telegram (what "📱 Deel mijn nummer" shares), and as it is shown.
CLIENT_PHONE = "+31612345678"
CLIENT_PHONE_SHOWN = "+31 6 12345678"


def link_in(message: SentMessage) -> str:
    return next(word for word in (message.text or "").split() if "?start=" in word)


def token_of(link: str) -> str:
    return link.split("?start=", 1)[1]


@pytest.fixture
async def world(database: Database, clock: FixedClock, tmp_path: Path) -> AsyncIterator[World]:
    async with TelegramSandbox(bot_username="waakvlam_test_bot") as sandbox:
        settings = Settings(
            telegram_bot_token=sandbox.bot_token,
            telegram_api_url=sandbox.api_root,
            data_dir=tmp_path,
            database_url=database.url,
            bot_username=None,
            voice_engine="espeak",  # offline: the tests never reach for Google
            digest_weekday=0,  # no weekly digest among the messages (see test_digest.py)
        )
        world = World(sandbox=sandbox, database=database, clock=clock, settings=settings)
        await world.start()
        try:
            yield world
        finally:
            await world.stop()
        _only_shown_values_stored(database)


def _only_shown_values_stored(database: Database) -> None:
    """After every scenario: an outbox row keeps only the values its text shows (a client's
    name in "Sam pressed the noodknop"), nothing else the outcome had (a link, a flag)."""
    texts = load_texts()
    with database.transaction() as session:
        for row in session.exec(select(OutboxMessage)):
            if row.text_key is None:
                assert not row.params, "a copied message stores no values"
                continue
            shown = texts.placeholders(row.text_key)
            if row.lead_key is not None:
                shown |= texts.placeholders(row.lead_key)
            assert set(row.params) <= shown, (row.text_key, sorted(row.params))
