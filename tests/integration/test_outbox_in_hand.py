"""Alerts an update claims in its own transaction (``OutboxWorker.claim_in``) and sends in a
task of its own (``send_in_hand``): they go at once, each once, and whatever stops that task
(no fresh heartbeat, a send that breaks off unexpectedly) hands them back to the worker, never
leaving them held by a live instance that no longer sends them.

The worker with the bot's own hooks and a Telegram that records each chat, as in
``test_outbox_render_ahead``; both databases, a fixed clock.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from bot.clock import FixedClock
from bot.texts import Texts
from storage import instances, outbox
from storage.database import Database
from storage.outbox import Priority
from tests.integration.test_outbox_render_ahead import ANNA_CHAT, Bot, make_bot

ALERT_TEXT = "Sam heeft je bericht gezien."  # any text will do: what matters is the row's way


@pytest.fixture
def bot(database: Database, clock: FixedClock, texts: Texts, tmp_path: Path) -> Bot:
    return make_bot(database, clock, texts, tmp_path)


def _queue_and_claim(bot: Bot, count: int = 1) -> tuple[str | None, list[Any]]:
    """As an update raising an alert does: queue the alert rows, claim them in the same
    transaction, read them once it is committed."""
    worker = bot.service.worker
    with bot.database.transaction() as session:
        for _ in range(count):
            _enqueue_alert(bot, session)
        rows = outbox.queued_in(session, Priority.ALERT)
        owner = worker.claim_in(session, rows)
    return owner, worker.prepare_in_hand(rows) if owner else []


def _enqueue_alert(bot: Bot, session: Session, priority: Priority = Priority.ALERT) -> None:
    outbox.enqueue(
        session,
        now=bot.clock.now(),
        chat_id=ANNA_CHAT,
        priority=priority,
        text_key="relay.seen",
        params={"coach": "Sam"},
    )


async def _send_in_hand(bot: Bot, owner: str | None, rows: list[Any]) -> None:
    assert owner is not None
    bot.service.worker.send_in_hand(bot.telegram, owner, rows)  # type: ignore[arg-type]
    await bot.service.worker.stop()  # waits for the in-hand sends


async def test_claimed_alerts_go_at_once_each_once(bot: Bot) -> None:
    owner, rows = _queue_and_claim(bot, count=2)
    assert owner == "process-a"
    assert all(r.claimed_by == "process-a" for r in bot.rows()), "claimed with their commit"
    await _send_in_hand(bot, owner, rows)
    assert bot.telegram.texts(ANNA_CHAT) == [ALERT_TEXT, ALERT_TEXT]
    assert all(r.sent_at is not None for r in bot.rows())
    assert await bot.drain() == 0
    assert len(bot.telegram.texts(ANNA_CHAT)) == 2, "and never again by the worker"


async def test_without_a_fresh_heartbeat_nothing_is_claimed(bot: Bot) -> None:
    bot.heartbeat.beating = False
    owner, rows = _queue_and_claim(bot)
    assert (owner, rows) == (None, [])
    assert all(r.claimed_by is None for r in bot.rows()), "left for the worker"


async def test_a_heartbeat_lost_after_the_claim_hands_the_alerts_back(bot: Bot) -> None:
    """Claimed while the heartbeat was fresh; by the time they are sent it is not: another
    instance may be taking them over, so this one sends none and hands them back. The other
    instance sends each once."""
    owner, rows = _queue_and_claim(bot, count=2)
    bot.heartbeat.beating = False
    await _send_in_hand(bot, owner, rows)
    assert bot.telegram.texts(ANNA_CHAT) == []
    assert all(r.claimed_by is None and r.sent_at is None for r in bot.rows())
    other = bot.process("process-b")
    while await other.worker.drain(bot.telegram) > 0:  # type: ignore[arg-type]
        pass
    assert bot.telegram.texts(ANNA_CHAT) == [ALERT_TEXT, ALERT_TEXT]


async def test_a_send_that_breaks_off_unexpectedly_hands_the_alerts_back(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first send breaks off and even storing its retry fails (the database away for a
    moment): the alerts are handed back, not left held by this live instance, and the
    worker sends them."""
    owner, rows = _queue_and_claim(bot, count=2)
    bot.telegram.fail.add(1)

    async def database_away(*_: Any, **__: Any) -> None:
        raise RuntimeError("database away")

    monkeypatch.setattr(bot.service.worker, "_retry_later", database_away)
    await _send_in_hand(bot, owner, rows)
    assert bot.telegram.texts(ANNA_CHAT) == []
    assert all(r.claimed_by is None for r in bot.rows()), "handed back"
    monkeypatch.undo()
    assert await bot.drain() == 2
    assert bot.telegram.texts(ANNA_CHAT) == [ALERT_TEXT, ALERT_TEXT]


async def test_alerts_left_held_when_handing_back_fails_are_sent_by_the_worker(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The send breaks off and handing the alerts back fails too (the database away): they
    stay held under this live instance's id. The worker's next pass takes them back and
    sends each once, without waiting for a restart."""
    with bot.database.transaction() as session:  # its heartbeat in the database: alive
        instances.register(session, "process-a", host="test", pid=1)
    owner, rows = _queue_and_claim(bot, count=2)
    assert await bot.drain() == 0, "in hand: not the worker's to send"
    bot.telegram.fail.add(1)

    async def database_away(*_: Any, **__: Any) -> None:
        raise RuntimeError("database away")

    monkeypatch.setattr(bot.service.worker, "_retry_later", database_away)

    def release_fails(*_: Any, **__: Any) -> None:
        raise RuntimeError("database away")

    monkeypatch.setattr(outbox, "release", release_fails)
    await _send_in_hand(bot, owner, rows)
    assert bot.telegram.texts(ANNA_CHAT) == []
    assert all(r.claimed_by == "process-a" for r in bot.rows()), "still held"
    monkeypatch.undo()
    assert await bot.drain() == 2
    assert bot.telegram.texts(ANNA_CHAT) == [ALERT_TEXT, ALERT_TEXT]
    assert await bot.drain() == 0


async def test_rows_a_pass_left_held_when_it_broke_off_go_in_the_next_pass(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass breaks off (a send fails and storing its retry fails too, the database away):
    its batch stays held under this live instance's id. The next pass takes it back and sends
    each row once, without waiting for a restart."""
    with bot.database.transaction() as session:
        instances.register(session, "process-a", host="test", pid=1)
    for _ in range(2):
        _enqueue_alert_in_its_own_transaction(bot)
    bot.telegram.fail.add(1)

    async def database_away(*_: Any, **__: Any) -> None:
        raise RuntimeError("database away")

    monkeypatch.setattr(bot.service.worker, "_retry_later", database_away)
    with pytest.raises(RuntimeError):
        await bot.service.worker.drain(bot.telegram)  # type: ignore[arg-type]
    assert all(r.claimed_by == "process-a" for r in bot.rows()), "still held"
    monkeypatch.undo()
    assert await bot.drain() == 2
    assert bot.telegram.texts(ANNA_CHAT) == [ALERT_TEXT, ALERT_TEXT]


async def test_two_passes_at_once_never_send_a_row_twice(bot: Bot) -> None:
    """Taking back its own rows never takes a row this instance is sending: a second pass
    running beside the first leaves the first one's batch alone."""
    with bot.database.transaction() as session:
        instances.register(session, "process-a", host="test", pid=1)
    for _ in range(3):
        _enqueue_alert_in_its_own_transaction(bot)
    worker = bot.service.worker
    handled = await asyncio.gather(worker.drain(bot.telegram), worker.drain(bot.telegram))  # type: ignore[arg-type]
    assert sorted(handled) == [0, 3]
    assert bot.telegram.texts(ANNA_CHAT) == [ALERT_TEXT] * 3


def _enqueue_alert_in_its_own_transaction(bot: Bot) -> None:
    with bot.database.transaction() as session:
        _enqueue_alert(bot, session)


async def test_only_rows_still_to_send_are_claimed(bot: Bot) -> None:
    """A row rolled back with a savepoint, or failed already in the same transaction, is not
    the update's to send; nor is the row of another priority that took a rolled-back alert's
    id (SQLite gives the next row the highest id plus one)."""
    with bot.database.transaction() as session:
        with pytest.raises(RuntimeError), session.begin_nested():
            _enqueue_alert(bot, session)
            session.flush()
            raise RuntimeError("rolled back")
        _enqueue_alert(bot, session, Priority.RELAY)
        _enqueue_alert(bot, session)
        _enqueue_alert(bot, session)
        session.flush()
        kept, failed = outbox.queued_in(session, Priority.ALERT)
        failed.failed_at = bot.clock.now()
        session.add(failed)
        assert outbox.queued_in(session, Priority.ALERT) == [kept]
