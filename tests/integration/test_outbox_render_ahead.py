"""The outbox worker renders a batch's next row in the trip that marks the row before it sent
(``bot/outbox.py``, ``_mark_then_prepare``). What Sam reads must not show it: each message is
rendered from the state after the message before it was delivered (the keys his phone shows,
whether he wants texts read aloud, whether his alert is still the one that closed), a note no
longer true is dropped, the order holds, nothing arrives twice, and a row rendered ahead is
not lost when a send fails, an alert overtakes the batch, or the worker's process dies.

The real worker with the bot's own hooks (``Waakvlam``), a Telegram that records what each
chat sees, both databases, a fixed clock. Every negative assertion follows a drained outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.clock import FixedClock
from bot.outbox import Delivery
from bot.outbox_hooks import CLOSED_NOTE_DROPPED
from bot.service import Waakvlam
from bot.settings import Settings
from bot.texts import Texts
from dialogs.outcome import READ_ALOUD_DATA, Keyboard
from storage import outbox, people
from storage.database import Database
from storage.models import Alert, Client, OutboxMessage
from storage.outbox import Priority

SAM_CHAT, ANNA_CHAT = 500, 100
MENU = "menu"  # Sam's phone shows the menu keys under the message
READ_ALOUD = "🔊"  # the message has the "🔊 Voorlezen" button under it
CLOSED = "Je melding is afgesloten."


@dataclass
class Telegram:
    """What each chat received, in order. ``during``: what happens in the world while the
    n-th message (counted from 1) is on its way; ``fail``: the n-th call fails."""

    messages: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)
    during: dict[int, Callable[[], Awaitable[None]]] = field(default_factory=dict)
    fail: set[int] = field(default_factory=set)
    calls: int = 0

    async def do_api_request(self, endpoint: str, api_kwargs: dict[str, Any], **_: Any) -> Any:
        """A text goes out as the Bot API takes it (``bot.delivery.call_raw``)."""
        assert endpoint == "sendMessage"
        self.calls += 1
        if (happening := self.during.pop(self.calls, None)) is not None:
            await happening()
        if self.calls in self.fail:
            raise RuntimeError("the connection broke off mid-send")
        chat_id, text = api_kwargs["chat_id"], api_kwargs["text"]
        self.messages.setdefault(chat_id, []).append((text, _shows(api_kwargs.get("reply_markup"))))
        return {"message_id": self.calls}

    def texts(self, chat_id: int) -> list[str]:
        return [text for text, _ in self.messages.get(chat_id, [])]


def _shows(markup: dict[str, Any] | None) -> str | None:
    if markup is not None and "keyboard" in markup:
        return MENU
    if markup is not None and "inline_keyboard" in markup:
        data = [b["callback_data"] for line in markup["inline_keyboard"] for b in line]
        return READ_ALOUD if data == [READ_ALOUD_DATA] else ",".join(map(str, data))
    return None


class Heartbeat:
    """A worker process's heartbeat; ``beating = False`` as when the process is taken for dead."""

    def __init__(self, instance_id: str) -> None:
        self.instance_id = instance_id
        self.beating = True

    def may_send(self) -> bool:
        return self.beating

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Bot:
    """The bot's outbox side: its worker with the real hooks, and Sam, client of Anna."""

    database: Database
    clock: FixedClock
    service: Waakvlam
    telegram: Telegram
    heartbeat: Heartbeat
    sam_id: int
    anna_id: int

    async def drain(self) -> int:
        """Worker passes until one finds nothing due; how many rows they handled."""
        handled = 0
        while (done := await self.service.worker.drain(self.telegram)) > 0:  # type: ignore[arg-type]
            handled += done
        return handled

    def queue(
        self,
        key: str,
        *,
        chat_id: int = SAM_CHAT,
        params: dict[str, Any] | None = None,
        keyboard: Keyboard | None = None,
        alert_id: int | None = None,
        priority: Priority = Priority.NOTICE,
    ) -> None:
        with self.database.transaction() as session:
            outbox.enqueue(
                session,
                now=self.clock.now(),
                chat_id=chat_id,
                priority=priority,
                text_key=key,
                params=params,
                keyboard=keyboard.value if keyboard else None,
                alert_id=alert_id,
                client_id=self.sam_id,
            )

    def sam(self, **changes: Any) -> Callable[[], Awaitable[None]]:
        """Sam's settings change (as his own update would), on a database thread."""

        def change() -> None:
            with self.database.transaction() as session:
                client = session.get(Client, self.sam_id)
                assert client is not None
                for name, value in changes.items():
                    setattr(client, name, value)
                session.add(client)

        async def happening() -> None:
            await self.database.run(change)

        return happening

    def alert(self, *, closed: bool) -> int:
        """An alert of Sam's, closed already or open."""
        now = self.clock.now()
        with self.database.transaction() as session:
            alert = Alert(
                client_id=self.sam_id,
                coach_id=self.anna_id,
                pressed_at=now,
                closed_at=now if closed else None,
                closed_by=self.anna_id if closed else None,
            )
            session.add(alert)
            session.flush()
            assert alert.id is not None
            return alert.id

    def pressed_again(self) -> Callable[[], Awaitable[None]]:
        """Sam presses 🔴 Noodknop again: a new alert is open."""

        async def happening() -> None:
            await self.database.run(lambda: self.alert(closed=False))

        return happening

    def rows(self) -> list[OutboxMessage]:
        with self.database.transaction() as session:
            found = list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))
            for row in found:
                session.expunge(row)
            return found

    def process(self, instance_id: str) -> Waakvlam:
        """The bot as a process of its own (a restart after a crash), on the same database."""
        service = Waakvlam(
            settings=self.service.settings,
            clock=self.clock,
            database=self.database,
            texts=self.service.texts,
        )
        service.worker.lifeline = Heartbeat(instance_id)  # type: ignore[assignment]
        return service


@pytest.fixture
def bot(database: Database, clock: FixedClock, texts: Texts, tmp_path: Path) -> Bot:
    return make_bot(database, clock, texts, tmp_path)


def make_bot(database: Database, clock: FixedClock, texts: Texts, tmp_path: Path) -> Bot:
    """The worker with the bot's hooks, its heartbeat, Anna and her client Sam."""
    settings = Settings(data_dir=tmp_path, database_url=database.url)
    service = Waakvlam(settings=settings, clock=clock, database=database, texts=texts)
    heartbeat = Heartbeat("process-a")
    service.worker.lifeline = heartbeat  # type: ignore[assignment]
    now = clock.now()
    with database.transaction() as session:
        team = people.default_team(session, now=now, organisation_name="Gemeente")
        assert team.id is not None
        anna = people.add_coach(session, team_id=team.id, name="Anna", language="nl", now=now)
        people.activate_coach(session, anna, telegram_user_id=ANNA_CHAT, now=now)
        assert anna.id is not None
        sam = people.add_client(session, coach_id=anna.id, name="Sam", language="nl", now=now)
        sam.telegram_user_id = SAM_CHAT
        sam.read_aloud = False  # reads himself: a text gets "🔊 Voorlezen" under it
        people.activate_client(session, sam, now=now)
        session.flush()
        assert sam.id is not None
        sam_id, anna_id = sam.id, anna.id
    return Bot(database, clock, service, Telegram(), heartbeat, sam_id, anna_id)


def _seen(coach: str) -> str:
    return f"{coach} heeft je bericht gezien."


async def test_each_message_is_rendered_from_what_the_one_before_it_left(bot: Bot) -> None:
    """The first message brings Sam's menu keys; the next ones need not send them again and
    carry "🔊 Voorlezen" instead (the delivery of the first is noted before the second is
    rendered). While the second is on its way Sam switches reading aloud on: from the third
    on, no 🔊 button (he hears every text), so the menu keys come with it again."""
    for coach in ("Anna", "Bram", "Kim", "Noor"):
        bot.queue("relay.seen", params={"coach": coach}, keyboard=Keyboard.CLIENT_MENU)
    bot.telegram.during[2] = bot.sam(read_aloud=True)
    assert await bot.drain() == 4
    assert bot.telegram.messages[SAM_CHAT] == [
        (_seen("Anna"), MENU),
        (_seen("Bram"), READ_ALOUD),
        (_seen("Kim"), MENU),
        (_seen("Noor"), MENU),
    ]
    assert [r.telegram_message_id for r in bot.rows()] == [1, 2, 3, 4], "each sent once"


async def test_the_order_holds_and_nothing_is_sent_twice_across_batches(bot: Bot) -> None:
    """45 messages to two people, more than two batches: each person gets theirs in the order
    they were queued, each once, and every row is stored sent with its own message."""
    names = [f"Coach {n}" for n in range(45)]
    for n, name in enumerate(names):
        bot.queue("relay.seen", chat_id=(SAM_CHAT, ANNA_CHAT)[n % 2], params={"coach": name})
    assert await bot.drain() == 45
    assert bot.telegram.texts(SAM_CHAT) == [_seen(name) for name in names[0::2]]
    assert bot.telegram.texts(ANNA_CHAT) == [_seen(name) for name in names[1::2]]
    rows = bot.rows()
    assert all(r.sent_at is not None and r.failed_at is None for r in rows)
    assert sorted(r.telegram_message_id or 0 for r in rows) == list(range(1, 46))


async def test_a_closed_note_is_dropped_when_sam_pressed_again_while_the_message_before_it_went(
    bot: Bot,
) -> None:
    """ "Je melding is afgesloten" waits behind another message for Sam. While that one is on
    its way, Sam presses the noodknop again: the note is no longer true, so it never arrives;
    the message after it still does, in its place."""
    closed = bot.alert(closed=True)
    bot.queue("relay.seen", params={"coach": "Anna"})
    bot.queue("noodknop.closed", keyboard=Keyboard.CLIENT_MENU, alert_id=closed)
    bot.queue("relay.seen", params={"coach": "Bram"})
    bot.telegram.during[1] = bot.pressed_again()
    await bot.drain()
    assert bot.telegram.texts(SAM_CHAT) == [_seen("Anna"), _seen("Bram")]
    note = next(r for r in bot.rows() if r.text_key == "noodknop.closed")
    assert (note.sent_at, note.error) == (None, CLOSED_NOTE_DROPPED)
    assert note.failed_at is not None


async def test_a_closed_note_still_true_arrives_in_its_turn(bot: Bot) -> None:
    closed = bot.alert(closed=True)
    bot.queue("relay.seen", params={"coach": "Anna"}, keyboard=Keyboard.CLIENT_MENU)
    bot.queue("noodknop.closed", keyboard=Keyboard.CLIENT_MENU, alert_id=closed)
    bot.queue("relay.seen", params={"coach": "Bram"})
    await bot.drain()
    texts = bot.telegram.texts(SAM_CHAT)
    assert len(texts) == 3 and texts[1].startswith(CLOSED)
    assert bot.telegram.messages[SAM_CHAT][1][1] == READ_ALOUD, "the menu is there already"


async def test_a_message_whose_send_broke_off_comes_later_once_rendered_anew(bot: Bot) -> None:
    """The second message, rendered ahead, breaks off on its way; the third goes on. Before
    the second is tried again Sam switched reading aloud on: it comes once, as it is then."""
    for coach in ("Anna", "Bram", "Kim"):
        bot.queue("relay.seen", params={"coach": coach}, keyboard=Keyboard.CLIENT_MENU)
    bot.telegram.fail.add(2)
    await bot.drain()
    assert bot.telegram.messages[SAM_CHAT] == [(_seen("Anna"), MENU), (_seen("Kim"), READ_ALOUD)]
    retry = next(r for r in bot.rows() if r.sent_at is None)
    assert (retry.params, retry.error) == ({"coach": "Bram"}, "RuntimeError")
    await bot.sam(read_aloud=True)()
    bot.clock.advance(timedelta(minutes=5))
    assert await bot.drain() == 1
    assert bot.telegram.messages[SAM_CHAT][2:] == [(_seen("Bram"), MENU)]
    assert all(r.sent_at is not None for r in bot.rows())


async def test_a_failed_render_ahead_is_rendered_again_in_its_turn(bot: Bot) -> None:
    render = bot.service.worker.render
    failed: list[str] = []

    def render_once_failing(row: OutboxMessage) -> Any:
        if row.params == {"coach": "Bram"} and not failed:
            failed.append("Bram")
            raise RuntimeError("the database went away for a moment")
        return render(row)

    delivered: list[int | None] = []
    hook = bot.service.worker.on_sent
    assert hook is not None

    async def on_sent(delivery: Delivery) -> None:
        delivered.append(delivery.telegram_message_id)
        await hook(delivery)

    bot.service.worker.render = render_once_failing
    bot.service.worker.on_sent = on_sent
    for coach in ("Anna", "Bram", "Kim"):
        bot.queue("relay.seen", params={"coach": coach})
    await bot.drain()
    assert failed == ["Bram"], "it was rendered ahead, and that failed"
    assert bot.telegram.texts(SAM_CHAT) == [_seen("Anna"), _seen("Bram"), _seen("Kim")]
    # What follows a delivery (a voice note for who wants it) followed each one, Anna's too.
    assert delivered == [1, 2, 3]


async def test_an_alert_overtaking_the_batch_leaves_the_next_message_rendered_anew(
    bot: Bot,
) -> None:
    """While Sam's first message is on its way an alert for Anna comes in: the rest of the
    batch steps back, the alert goes first. While the alert goes Sam switches reading aloud
    on: his next message, rendered ahead before the alert came, comes once, as it is then."""
    for coach in ("Anna", "Bram"):
        bot.queue("relay.seen", params={"coach": coach}, keyboard=Keyboard.CLIENT_MENU)

    async def alert_comes_in() -> None:
        bot.queue("alert.already_closed", chat_id=ANNA_CHAT, priority=Priority.ALERT)
        bot.service.worker.wake(urgent=True)

    bot.telegram.during[1] = alert_comes_in
    bot.telegram.during[2] = bot.sam(read_aloud=True)
    await bot.drain()
    assert bot.telegram.calls == 3
    assert len(bot.telegram.texts(ANNA_CHAT)) == 1
    assert bot.telegram.messages[SAM_CHAT] == [(_seen("Anna"), MENU), (_seen("Bram"), MENU)]


async def test_a_message_rendered_ahead_by_a_process_that_died_is_sent_once_by_the_next(
    bot: Bot,
) -> None:
    """The process is taken for dead while Sam's first message is on its way, with the
    second rendered ahead in its memory. The next process sends the second, once, as things
    are then; the dead one, beating again, has nothing left to send."""
    for coach in ("Anna", "Bram"):
        bot.queue("relay.seen", params={"coach": coach}, keyboard=Keyboard.CLIENT_MENU)

    async def taken_for_dead() -> None:
        bot.heartbeat.beating = False
        await bot.sam(read_aloud=True)()

    bot.telegram.during[1] = taken_for_dead
    await bot.service.worker.drain(bot.telegram)  # type: ignore[arg-type]
    assert bot.telegram.texts(SAM_CHAT) == [_seen("Anna")]
    after_restart = bot.process("process-b")
    assert await after_restart.worker.drain(bot.telegram) == 1  # type: ignore[arg-type]
    bot.heartbeat.beating = True
    assert await bot.drain() == 0
    assert bot.telegram.messages[SAM_CHAT] == [(_seen("Anna"), MENU), (_seen("Bram"), MENU)]
    assert all(r.sent_at is not None for r in bot.rows())


async def test_a_worker_whose_heartbeat_came_back_renders_its_next_message_anew(bot: Bot) -> None:
    """The heartbeat lapses while Sam's first message is on its way, so the worker stops with
    the second rendered ahead. Sam switches reading aloud on; the heartbeat comes back and
    the same worker sends the second as things are now, not as it rendered it then."""
    for coach in ("Anna", "Bram"):
        bot.queue("relay.seen", params={"coach": coach}, keyboard=Keyboard.CLIENT_MENU)

    async def heartbeat_lapses() -> None:
        bot.heartbeat.beating = False

    bot.telegram.during[1] = heartbeat_lapses
    await bot.service.worker.drain(bot.telegram)  # type: ignore[arg-type]
    assert bot.telegram.texts(SAM_CHAT) == [_seen("Anna")]
    await bot.sam(read_aloud=True)()
    bot.heartbeat.beating = True
    assert await bot.drain() == 1
    assert bot.telegram.messages[SAM_CHAT] == [(_seen("Anna"), MENU), (_seen("Bram"), MENU)]
