"""The update processor: one chat in order, different chats at once, a bounded number running,
urgent updates (and the update ahead of one in its chat) first, nothing kept for idle chats.

Updates are real PTB objects; each handler waits on an event the test sets, so nothing here
depends on timing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.updates import ChatOrderedProcessor, chat_key
from bot.urgency import is_urgent

WHEN = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _text(update_id: int, chat_id: int, text: str = "hoi") -> Update:
    user = User(chat_id, "Sam", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, WHEN, chat, from_user=user, text=text))


def _press(update_id: int, user_id: int, group_id: int, data: str = "al:1:ack") -> Update:
    user = User(user_id, "Anna", is_bot=False)
    message = Message(7, WHEN, Chat(group_id, Chat.SUPERGROUP), text="🔴 NOODKNOP")
    query = CallbackQuery(str(update_id), user, "instance", message=message, data=data)
    return Update(update_id, callback_query=query)


class Recorder:
    """Handlers that note when they start and finish, and finish when told to."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.finished: list[int] = []
        self.urgent: dict[int, bool] = {}
        self._release: dict[int, asyncio.Event] = {}

    def release(self, update_id: int) -> None:
        self._release.setdefault(update_id, asyncio.Event()).set()

    async def handler(self, update: Update) -> None:
        self.started.append(update.update_id)
        self.urgent[update.update_id] = is_urgent()
        await self._release.setdefault(update.update_id, asyncio.Event()).wait()
        self.finished.append(update.update_id)


async def _spin() -> None:
    """Let every task that can run, run (a few loop turns; no wall-clock wait)."""
    for _ in range(20):
        await asyncio.sleep(0)


def _submit(
    processor: ChatOrderedProcessor, recorder: Recorder, update: Update
) -> asyncio.Task[None]:
    return asyncio.create_task(processor.process_update(update, recorder.handler(update)))


async def test_one_chat_in_order_other_chats_meanwhile() -> None:
    processor, recorder = ChatOrderedProcessor(8), Recorder()
    tasks = [
        _submit(processor, recorder, _text(1, 100)),
        _submit(processor, recorder, _text(2, 100)),
        _submit(processor, recorder, _text(3, 200)),
    ]
    await _spin()
    assert recorder.started == [1, 3], "chat 100's second update waits; chat 200's runs"
    recorder.release(3)
    await _spin()
    assert recorder.finished == [3], "another chat is done while chat 100 is still busy"
    assert 2 not in recorder.started
    recorder.release(1)
    await _spin()
    assert recorder.started == [1, 3, 2]
    recorder.release(2)
    await asyncio.gather(*tasks)
    assert recorder.finished == [3, 1, 2]


async def test_a_flood_in_one_chat_queues_behind_itself_only() -> None:
    processor, recorder = ChatOrderedProcessor(4), Recorder()
    flood = [_submit(processor, recorder, _text(n, 100)) for n in range(1, 201)]
    other = _submit(processor, recorder, _text(1000, 200))
    await _spin()
    assert recorder.started == [1, 1000], "one slot for the flooding chat, one for the other"
    assert processor.running == 2
    recorder.release(1000)
    await other
    for n in range(1, 201):
        recorder.release(n)
    await asyncio.gather(*flood)
    assert recorder.finished == [1000, *range(1, 201)]


async def test_at_most_max_running_and_urgent_first() -> None:
    processor = ChatOrderedProcessor(1, urgent=lambda u: u.message.text == "/nood")
    recorder = Recorder()
    tasks = [
        _submit(processor, recorder, _text(1, 100)),
        _submit(processor, recorder, _text(2, 200)),
        _submit(processor, recorder, _text(3, 300)),
        _submit(processor, recorder, _text(4, 400, "/nood")),
    ]
    await _spin()
    assert recorder.started == [1]
    recorder.release(1)
    await _spin()
    assert recorder.started == [1, 4], "the noodknop goes before the updates waiting longer"
    assert recorder.urgent == {1: False, 4: True}
    for n in (4, 2, 3):
        recorder.release(n)
    await asyncio.gather(*tasks)
    assert recorder.started == [1, 4, 2, 3]
    assert recorder.urgent[2] is False


async def test_the_update_ahead_of_an_urgent_one_in_its_chat_goes_first_too() -> None:
    processor = ChatOrderedProcessor(1, urgent=lambda u: u.message.text == "/nood")
    recorder = Recorder()
    tasks = [
        _submit(processor, recorder, _text(1, 100)),  # running
        _submit(processor, recorder, _text(2, 200)),  # waiting for a slot
        _submit(processor, recorder, _text(3, 300)),  # waiting for a slot
        _submit(processor, recorder, _text(4, 300, "/nood")),  # waiting for chat 300's turn
    ]
    await _spin()
    recorder.release(1)
    await _spin()
    assert recorder.started == [1, 3], "chat 300 must get on to reach its noodknop"
    recorder.release(3)
    await _spin()
    assert recorder.started == [1, 3, 4]
    for n in (4, 2):
        recorder.release(n)
    await asyncio.gather(*tasks)
    assert recorder.started == [1, 3, 4, 2]


async def test_nothing_is_kept_for_chats_that_went_quiet() -> None:
    processor, recorder = ChatOrderedProcessor(64), Recorder()
    tasks = [_submit(processor, recorder, _text(n, 1000 + n % 50)) for n in range(500)]
    await _spin()
    assert processor.chats_in_flight == 50
    assert processor.in_flight == 500
    for n in range(500):
        recorder.release(n)
    await asyncio.gather(*tasks)
    await asyncio.wait_for(processor.wait_idle(), 5)
    assert processor.chats_in_flight == 0 and processor.in_flight == 0 and processor.running == 0


async def test_an_update_cancelled_while_waiting_is_never_started_and_leaves_nothing() -> None:
    processor, recorder = ChatOrderedProcessor(1), Recorder()
    first = _submit(processor, recorder, _text(1, 100))
    waiting = _submit(processor, recorder, _text(2, 200))
    await _spin()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    recorder.release(1)
    await first
    assert recorder.started == [1]
    assert processor.chats_in_flight == 0 and processor.running == 0


async def test_a_failing_urgency_check_only_means_not_urgent() -> None:
    def broken(update: object) -> bool:
        raise RuntimeError("boom")

    processor, recorder = ChatOrderedProcessor(2, urgent=broken), Recorder()
    task = _submit(processor, recorder, _text(1, 100))
    await _spin()
    recorder.release(1)
    await task
    assert recorder.urgent == {1: False}


def test_whose_order_an_update_keeps() -> None:
    assert chat_key(_text(1, 4242)) == 4242
    # A coach's press in a team group is ordered with that coach's other updates.
    assert chat_key(_press(2, user_id=77, group_id=-1001)) == 77
    assert chat_key(Update(3)) is None
    assert chat_key(object()) is None


async def test_a_slot_left_for_an_urgent_update_that_gave_up_is_freed() -> None:
    processor = ChatOrderedProcessor(1, urgent=lambda u: u.message.text == "/nood")
    recorder = Recorder()
    first = _submit(processor, recorder, _text(1, 100))
    urgent = _submit(processor, recorder, _text(2, 100, "/nood"))
    await _spin()
    recorder.release(1)
    urgent.cancel()  # gives up just as the slot is handed to it
    await first
    with pytest.raises(asyncio.CancelledError):
        await urgent
    assert processor.running == 0 and processor.chats_in_flight == 0
    later = _submit(processor, recorder, _text(3, 300))
    await _spin()
    assert recorder.started == [1, 3]
    recorder.release(3)
    await later
