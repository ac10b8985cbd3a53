"""The delivery worker: sends what the outbox holds, alerts first, and never loses a row.

Rows are claimed in priority order; an alert arriving while a batch of check-ins is being
sent makes the worker hand the rest of the batch back and start over, so a noodknop never
waits behind a fan-out. An alert a person's update raised does not even wait for the row in
hand: that update claims it in its own transaction and a task of its own sends it at once
(``claim_in``, ``send_in_hand``), the same way the worker does. Transient errors are retried
in place (429 as told); a row that still fails is retried later; a 403 or 400 is final and
reported, so an alert can be escalated.
A row whose words are no longer true just before it is sent (``moot``) is dropped, not sent.

Longer than our ~400 lines on purpose: a row's whole way (claim, render, send, mark sent,
retry, drop, hand back) in one file, so whoever checks that no row is lost or sent twice while
its holder lives reads it whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import TypeVar

from sqlmodel import Session
from telegram import Bot, ReplyKeyboardMarkup, ReplyKeyboardRemove, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.clock import Clock
from bot.delivery import call_with_retries, send_rendered_or_raise, telegram_markup
from bot.lifeline import Lifeline
from bot.loudness import is_silent
from bot.render import RenderedReply
from bot.urgency import limit_kwargs
from storage import outbox
from storage.database import Database
from storage.models import OutboxMessage
from storage.outbox import Priority

__all__ = [
    "Delivery",
    "InHand",
    "OutboxWorker",
]

log = logging.getLogger(__name__)

ReplyMarkups = (ReplyKeyboardMarkup, ReplyKeyboardRemove)
T = TypeVar("T")


class _NotYet(Exception):
    """A relayed copy whose header line is not sent yet (or a row the ``moot`` hook says must
    wait for an earlier one, ``WAIT_FOR_EARLIER``): it waits a moment."""


# What the ``moot`` hook says of a row written to go under an earlier one not sent yet.
WAIT_FOR_EARLIER = "wait: an earlier row first"


class _Moot(Exception):
    """A row that is no longer true: dropped, never sent (``reason`` holds no content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _as_timedelta(value: int | float | timedelta) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


@dataclass(frozen=True)
class InHand:
    """A row claimed by the update that queued it, and how it reads (None: render it in its
    turn; ``_Moot``: drop it)."""

    row: OutboxMessage
    ahead: RenderedReply | _Moot | None


@dataclass(frozen=True)
class Delivery:
    """What happened to a row, for the hooks that keep alert timelines."""

    row_id: int
    chat_id: int
    alert_id: int | None
    telegram_message_id: int | None
    error: str | None = None
    language: str = "nl"
    text: str | None = None  # what was sent, for reading it aloud; never stored
    relay_id: int | None = None
    keyboard: str | None = None  # the reply keyboard the message set, if any
    read_aloud: bool = False  # the reader wants it read aloud (``note_sent`` said so)
    silent: bool = False  # it went without a sound (``bot.loudness``): so does its voice note


class OutboxWorker:
    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        render: Callable[[OutboxMessage], RenderedReply],
        on_sent: Callable[[Delivery], Awaitable[None]] | None = None,
        on_failed: Callable[[Delivery], Awaitable[None]] | None = None,
        note_sent: Callable[[Session, Delivery], bool] | None = None,
        moot: Callable[[OutboxMessage], str | None] | None = None,
        batch_size: int = 20,
        idle_poll_seconds: float = 1.0,
        lifeline: Lifeline | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.render = render
        self.on_sent = on_sent
        self.on_failed = on_failed
        # What a delivery changes in the database, in the transaction that marks it sent: one
        # trip to the database thread per sent row, not two (it may wait behind a tick batch).
        # True: the reader wants it read aloud.
        self.note_sent = note_sent
        # Why a row's words are no longer true, asked just before it is rendered and sent, in
        # the same trip to the database thread (blocking; a copied message only when it has
        # words or buttons of ours); None: send it. A reason (a fixed code, no content) drops
        # the row: marked failed with it by its holder, never sent, no failure hook.
        self.moot = moot
        self.batch_size = batch_size
        # The next row of the batch, rendered (or found moot) in the trip that marked the row
        # before it sent: one trip to the database thread per message instead of two, so the
        # sends keep their rate while the check-in tick holds that thread one transaction at a
        # time (10,000 check-ins on PostgreSQL: 90% of the rate with two trips).
        self._prepared: dict[int, RenderedReply | _Moot] = {}
        # This process's heartbeat: the rows it claims stay its own while it lives.
        self.lifeline = lifeline or Lifeline(database)
        self.idle_poll_seconds = idle_poll_seconds
        self._wakeup = asyncio.Event()
        self._urgent = False
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._in_hand: set[asyncio.Task[None]] = set()  # ``send_in_hand``'s tasks
        # Rows this instance claimed and stopped sending without ending them (a pass that
        # broke off, a hand-back that failed): still held under its id, so no other instance
        # takes them while it lives. Its next pass takes these back; an id goes in only once
        # nothing here sends that row any more, so taking it back never sends a row twice.
        self._left_behind: set[int] = set()
        self._left_behind_by: str | None = None  # the instance id they are held under
        self.bot: Bot | None = None
        #: passes that found nothing to send; tests wait for one more to know the worker is idle
        self.idle_passes = 0

    def wake(self, *, urgent: bool = False) -> None:
        self._urgent = self._urgent or urgent
        self._wakeup.set()

    def start(self, bot: Bot) -> None:
        self.bot = bot
        if self._task is None:
            self.lifeline.start()
            self._task = asyncio.create_task(self._run(bot), name="outbox-worker")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Finish the message being sent (so it is marked sent, not sent again after the
        restart), hand back the rest of the batch, then stop; cancel after the grace time."""
        if self._in_hand:
            await asyncio.wait(set(self._in_hand), timeout=grace_seconds)
        if self._task is None:
            return
        self._stopping = True
        self._wakeup.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace_seconds)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        self._stopping = False
        self.lifeline.stop()

    async def _run(self, bot: Bot) -> None:
        while not self._stopping:
            try:
                handled = await self.drain(bot)
            except Exception:
                log.exception("outbox pass failed; trying again")
                handled = 0
            if handled == 0 and not self._stopping:
                self.idle_passes += 1
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.idle_poll_seconds)

    async def drain(self, bot: Bot) -> int:
        """One pass: claim a batch of due rows and send them. Returns how many were handled."""
        self._urgent = False
        if not self.lifeline.may_send():
            return 0  # no fresh heartbeat: what we would claim might not stay ours
        owner = self.lifeline.instance_id
        self._prepared.clear()
        rows = await self._store(partial(self._claim, owner=owner))
        unfinished = {row.id for row in rows if row.id is not None}
        self._left_behind.difference_update(unfinished)  # in hand again, once claimed
        try:
            return await self._send_batch(bot, rows, owner, unfinished)
        finally:
            self._leave_behind(owner, unfinished)

    def _leave_behind(self, owner: str, row_ids: set[int]) -> None:
        """Rows held under ``owner`` that nothing here sends any more: the next pass takes
        them back. Not under an id taken for dead: any instance takes those over already."""
        if not row_ids or owner != self.lifeline.instance_id:
            return
        if owner != self._left_behind_by:
            self._left_behind, self._left_behind_by = set(), owner
        self._left_behind.update(row_ids)

    def _claim(self, session: Session, owner: str) -> list[OutboxMessage]:
        """A pass's batch: due rows nobody (alive) holds, and this instance's rows left
        behind."""
        return outbox.claim_due(
            session,
            now=self.clock.now(),
            limit=self.batch_size,
            owner=owner,
            left_behind=frozenset(self._left_behind if owner == self._left_behind_by else ()),
        )

    async def _send_batch(
        self, bot: Bot, rows: list[OutboxMessage], owner: str, unfinished: set[int]
    ) -> int:
        """Send a claimed batch in order; ``unfinished`` keeps the ids of rows still held
        when it stops (left behind, unless the heartbeat was lost)."""
        for index, row in enumerate(rows):
            if self.lifeline.instance_id != owner or not self.lifeline.may_send():
                # Taken for dead, or about to be: another instance may send these now.
                log.warning("outbox: heartbeat lost; %d claimed rows left", len(rows) - index)
                return index or 1
            if self._stopping or (self._urgent and row.priority > Priority.ALERT):
                left = [r.id for r in rows[index:] if r.id is not None]
                await self._store(partial(outbox.release, row_ids=left, owner=owner))
                unfinished.difference_update(left)
                return index or 1
            following = rows[index + 1] if index + 1 < len(rows) else None
            await self._send(bot, row, owner, following)  # sent, failed or due again
            unfinished.discard(row.id or 0)
        return len(rows)

    def claim_in(self, session: Session, rows: list[OutboxMessage]) -> str | None:
        """Claim rows an update is queuing, in that update's transaction (its alerts): they
        are this instance's to send in a task started by the update (``send_in_hand``), never
        after the worker's row in hand. The instance id they are held under; None (nothing
        claimed, the worker sends them) without a fresh heartbeat."""
        if not rows or not self.lifeline.may_send():
            return None
        owner = self.lifeline.instance_id
        for row in rows:
            row.claimed_by = owner  # stored with the row, at its commit
        return owner

    def prepare_in_hand(self, rows: list[OutboxMessage]) -> list[InHand]:
        """Rows claimed by ``claim_in``, rendered (or found moot) once that transaction is
        committed, still on the database thread (blocking)."""
        prepared = []
        for row in rows:
            try:
                ahead: RenderedReply | _Moot | None = self._render_unless_moot(row)
            except _Moot as moot:
                ahead = moot
            except _NotYet:
                ahead = None  # rendered in its turn, which waits
            except Exception:
                log.exception("outbox row %s not rendered ahead", row.id)
                ahead = None  # rendered again in its turn, where a failure is handled
            prepared.append(InHand(row, ahead))
        return prepared

    @property
    def in_hand_tasks(self) -> frozenset[asyncio.Task[None]]:
        """The ``send_in_hand`` tasks still running (their failure hooks included)."""
        return frozenset(self._in_hand)

    def send_in_hand(self, bot: Bot, owner: str, rows: list[InHand]) -> None:
        """Start sending rows claimed by ``claim_in``, in a task of their own: at once, and
        without the update that raised them waiting (its person's replies go meanwhile; an
        alert waiting out Telegram's 429s never holds up that person's chat). ``stop`` waits
        for these tasks as for the worker's row in hand."""
        task = asyncio.create_task(self._send_in_hand(bot, owner, rows), name="outbox-in-hand")
        self._in_hand.add(task)
        task.add_done_callback(self._in_hand.discard)

    async def _send_in_hand(self, bot: Bot, owner: str, rows: list[InHand]) -> None:
        """Send in-hand rows in order, as the worker sends its own: each ends sent, failed
        (its hooks run), or due again. Without a fresh heartbeat under the same id (another
        instance may take them over), or when a send breaks off unexpectedly, the rest are
        handed back to the worker."""
        for index, in_hand in enumerate(rows):
            if self.lifeline.instance_id != owner or not self.lifeline.may_send():
                log.warning("outbox: no fresh heartbeat; %d claimed alerts handed back", len(rows))
                await self._hand_back(rows[index:], owner)
                return
            try:
                await self._send(bot, in_hand.row, owner, ahead=in_hand.ahead)
            except Exception:
                # Its state is unknown (it may even have gone out): sent again rather than lost.
                log.exception("outbox: an in-hand alert broke off; handed back to the worker")
                await self._hand_back(rows[index:], owner)
                return

    async def _hand_back(self, rows: list[InHand], owner: str) -> None:
        """Give in-hand rows back unsent, for the worker (or another instance) to send now."""
        row_ids = [r.row.id for r in rows if r.row.id is not None]
        try:
            await self._store(partial(outbox.release, row_ids=row_ids, owner=owner))
        except Exception:
            # Still held under this instance's id: left behind, for the worker's next pass.
            log.exception("outbox: in-hand rows could not be handed back")
            self._leave_behind(owner, set(row_ids))
        self.wake(urgent=True)

    async def _send(
        self,
        bot: Bot,
        row: OutboxMessage,
        owner: str,
        following: OutboxMessage | None = None,
        *,
        ahead: RenderedReply | _Moot | None = None,
    ) -> None:
        """Send one row held under ``owner``; whatever happens, the row ends sent, failed, or
        due again later. ``following``: the batch's next row, rendered ahead once this one is
        marked sent; ``ahead``: this row rendered already."""
        assert row.id is not None
        try:
            await self._send_row(bot, row, owner, following, ahead)
        except Exception as error:
            log.exception("outbox row %s hit %s; it will be retried", row.id, type(error).__name__)
            await self._retry_later(row, owner, type(error).__name__, None)

    async def _store(self, change: Callable[[Session], T]) -> T:
        """One transaction of the worker's, on a database thread (never on the event loop),
        ahead of queued update work: the worker sends one row at a time, and an alert waits
        for the row in hand."""
        return await self.database.run(self._in_transaction, change, urgent=True)

    def _in_transaction(self, change: Callable[[Session], T]) -> T:
        with self.database.transaction() as session:
            return change(session)

    async def _retry_later(
        self, row: OutboxMessage, owner: str, error: str, after: timedelta | None
    ) -> None:
        row_id = row.id
        assert row_id is not None
        wait = after or timedelta(seconds=min(300, 5 * 2 ** min(row.attempts, 6)))
        held = await self._store(
            lambda session: outbox.mark_retry(
                session, row_id, owner=owner, retry_at=self.clock.now() + wait, error=error
            )
        )
        if not held:
            log.warning("outbox row %s was taken over; not marked for a retry", row.id)

    async def _hook(self, hook: Callable[[Delivery], Awaitable[None]] | None, d: Delivery) -> None:
        if hook is None:
            return
        try:
            await hook(d)
        except Exception:
            log.exception("outbox hook failed for row %s", d.row_id)

    def _sent_header(self, row: OutboxMessage) -> ReplyParameters | None:
        """A relayed copy answers its header line ("💬 Bericht van Sam:"), so it can never
        look like part of someone else's message. Raises _NotYet while the header waits."""
        with self.database.transaction() as session:
            header = outbox.header_of(session, row)
        if header is None or header.failed_at is not None:
            return None
        if header.telegram_message_id is None:
            raise _NotYet
        return ReplyParameters(header.telegram_message_id, allow_sending_without_reply=True)

    async def _send_row(
        self,
        bot: Bot,
        row: OutboxMessage,
        owner: str,
        following: OutboxMessage | None,
        ahead: RenderedReply | _Moot | None,
    ) -> None:
        row_id = row.id
        assert row_id is not None
        try:
            message_id, text, keyboard, silent = await self._call(bot, row, ahead)
        except _NotYet:
            await self._retry_later(row, owner, "HeaderFirst", timedelta(seconds=1))
            return
        except _Moot as moot:
            await self._drop(row, owner, moot.reason)
            return
        except RetryAfter as error:
            # Only an alert waits in place; anything else steps aside and comes back later.
            await self._retry_later(row, owner, "RetryAfter", _as_timedelta(error.retry_after))
            return
        except (Forbidden, BadRequest) as error:
            log.warning("outbox row %s failed for good: %s", row.id, type(error).__name__)
            failure = type(error).__name__
            held = await self._store(
                lambda session: outbox.mark_failed(
                    session, row_id, owner=owner, now=self.clock.now(), error=failure
                )
            )
            if not held:
                log.warning("outbox row %s was taken over; not marked failed", row.id)
                return
            delivery = Delivery(
                row_id,
                row.chat_id,
                row.alert_id,
                None,
                type(error).__name__,
                row.language,
                relay_id=row.relay_id,
            )
            await self._hook(self.on_failed, delivery)
            return
        except NetworkError as error:
            log.info("outbox row %s will be retried", row.id)
            await self._retry_later(row, owner, type(error).__name__, None)
            return
        sent = Delivery(
            row_id,
            row.chat_id,
            row.alert_id,
            message_id,
            None,
            row.language,
            text,
            row.relay_id,
            keyboard=keyboard,
            silent=silent,
        )

        def mark_sent(session: Session) -> tuple[bool, bool]:
            held = outbox.mark_sent(
                session,
                row_id,
                owner=owner,
                now=self.clock.now(),
                telegram_message_id=message_id,
            )
            return held, held and self._note(session, sent)

        held, read_aloud = await self.database.run(
            self._mark_then_prepare, mark_sent, following, urgent=True
        )
        if not held:  # its hooks are the new holder's to run
            log.warning("outbox row %s was taken over; not marked sent", row.id)
            return
        sent = replace(sent, read_aloud=read_aloud)
        await self._hook(self.on_sent, sent)

    async def _drop(self, row: OutboxMessage, owner: str, reason: str) -> None:
        """A row no longer true: done with, never sent (by its holder only)."""
        row_id = row.id
        assert row_id is not None
        held = await self._store(
            lambda session: outbox.mark_failed(
                session, row_id, owner=owner, now=self.clock.now(), error=reason
            )
        )
        if held:
            log.info("outbox row %s dropped: %s", row_id, reason)
        else:
            log.warning("outbox row %s was taken over; not marked dropped", row_id)

    def _mark_then_prepare(
        self, mark_sent: Callable[[Session], tuple[bool, bool]], following: OutboxMessage | None
    ) -> tuple[bool, bool]:
        """Mark a row sent (its own transaction), then render the batch's next row ahead, in
        the same trip to the database thread. A copied message is rendered in its turn."""
        marked = self._in_transaction(mark_sent)
        if following is None or following.id is None or following.copy_message_id is not None:
            return marked
        try:
            self._prepared[following.id] = self._render_unless_moot(following)
        except _Moot as moot:
            self._prepared[following.id] = moot
        except _NotYet:
            pass  # rendered in its turn, which waits
        except Exception:
            # Rendered again in its turn, where a failure is handled as it always was.
            log.exception("outbox row %s not rendered ahead", following.id)
        return marked

    async def _rendered(
        self, row: OutboxMessage, ahead: RenderedReply | _Moot | None
    ) -> RenderedReply:
        """The row rendered ahead (``prepare_in_hand``, ``_mark_then_prepare``), else now."""
        assert row.id is not None
        ahead = self._prepared.pop(row.id, None) if ahead is None else ahead
        if isinstance(ahead, _Moot):
            raise ahead
        if ahead is not None:
            return ahead
        return await self.database.run(self._render_unless_moot, row, urgent=True)

    def _render_unless_moot(self, row: OutboxMessage) -> RenderedReply:
        """The row as it is sent, unless it is no longer true (raises ``_Moot``): one trip to
        the database thread, right before the call to Telegram."""
        reason = self.moot(row) if self.moot is not None else None
        if reason == WAIT_FOR_EARLIER:
            raise _NotYet
        if reason is not None:
            raise _Moot(reason)
        return self.render(row)

    def _note(self, session: Session, sent: Delivery) -> bool:
        """``note_sent`` in a savepoint: whatever goes wrong there, the row stays marked sent
        (a failure here must never make Telegram get the message again)."""
        if self.note_sent is None:
            return False
        try:
            with session.begin_nested():
                return self.note_sent(session, sent)
        except Exception:
            log.exception("outbox row %s sent; noting its delivery failed", sent.row_id)
            return False

    async def _call(
        self, bot: Bot, row: OutboxMessage, ahead: RenderedReply | _Moot | None = None
    ) -> tuple[int, str | None, str | None, bool]:
        """Send a row; the Telegram message id, the text sent, the reply keyboard set, and
        whether it went without a sound (``bot.loudness``).

        An alert goes before every queued non-urgent call in the rate limiter. Rendering reads
        the database (on a database thread) before queued update work, for every row: the
        worker sends one row at a time, and an alert waits for the row in hand."""
        urgent = row.priority == Priority.ALERT
        if row.copy_message_id is not None and row.copy_from_chat_id is not None:
            from_chat, message = row.copy_from_chat_id, row.copy_message_id
            markup, caption = None, None
            if row.buttons or row.text_key is not None:
                rendered = await self.database.run(self._render_unless_moot, row, urgent=True)
                markup = telegram_markup(rendered.markup)
                # A copy with a text key carries who it is from as its caption: one message.
                caption = rendered.text if row.text_key is not None else None
            header = await self.database.run(self._sent_header, row, urgent=True)
            quiet = is_silent(
                priority=row.priority, text_key=row.text_key, under_header=header is not None
            )
            limit = limit_kwargs(bot, urgent)
            copied = await call_with_retries(
                lambda: bot.copy_message(
                    row.chat_id,
                    from_chat,
                    message,
                    caption=caption,
                    reply_markup=markup,
                    reply_parameters=header,
                    disable_notification=quiet,
                    **limit,
                ),
                wait_on_rate_limit=urgent,
            )
            keyboard = row.keyboard if isinstance(markup, ReplyMarkups) else None
            return copied.message_id, caption, keyboard, quiet
        rendered = await self._rendered(row, ahead)
        quiet = is_silent(priority=row.priority, text_key=row.text_key)
        message_id = await send_rendered_or_raise(
            bot, row.chat_id, rendered, wait_on_rate_limit=urgent, urgent=urgent, silent=quiet
        )
        keyboard = row.keyboard if isinstance(rendered.markup, ReplyMarkups) else None
        return message_id, rendered.text, keyboard, quiet
