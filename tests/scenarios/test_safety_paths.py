"""The safety paths, held to what they promise (issue 12): the real bot through the sandbox,
a fixed clock, both databases.

Every backup is asked when an alert escalates; only a 403 means a coach cannot be reached (a
400 or a run of 502s does not); an alert goes before a batch of check-ins the worker already
holds; a check-in passed with "Overslaan" and "Weet ik niet" is answered, never missed; and a
client cannot touch another client's alert. Each test says what every person sees and what is
stored, and drains the outbox before saying that someone got nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

from storage import alerts as alert_store
from storage.models import Alert, AlertRecipient, Checkin, CheckinSignal, Client, OutboxMessage
from tests.scenarios.conftest import World

PRESSED = (
    "Ik stuur Anna nu een melding.\n"
    "Ik laat het je weten als Anna het heeft gezien.\n"
    "Is er nu gevaar? Bel dan 112."
)
ALERT_TO_ANNA = (
    "🔴 NOODKNOP – Sam\n"
    "Sam (cliënt van Anna) drukte om 10:00 op de noodknop.\n"
    "Bel Sam zo snel mogelijk.\n"
    "📞 +31 6 12345678"  # the number Sam shared when he joined
)
ESCALATED = (
    "🔴 NOODKNOP – Sam\n"
    "Sam (cliënt van Anna) drukte om 10:00 op de noodknop.\n"
    "Anna heeft nog niet gereageerd. Kun jij Sam bellen?\n"
    "📞 +31 6 12345678"
)
REMINDER = "⏰ Nog niet opgepakt: Sam drukte om 10:00 op de noodknop."
# What Sam hears when the backups are asked (issue 14: an honest update when something changes).
BACKUP_ASKED = "Anna reageert nog niet.\nIk vraag nu ook een andere coach.\nIs er gevaar? Bel 112."
ALERT_BUTTONS = [["✅ Ik bel nu"], ["↪️ Ik kan niet, geef door"]]
BUTTON_GONE = "Deze knop werkt niet meer."

INTRO = "Anna wil graag weten hoe het met je gaat."
GRADE_Q = "Hoe gaat het met je?\nGeef een cijfer van 1 tot 10.\n1 is heel slecht, 10 is heel goed."
HELP_Q = "Heb je ergens hulp bij nodig?"
CALL_Q = "Wil je dat Anna je belt?"
THANKS_SKIPPED = "Oké, dat is goed.\nTot de volgende keer!"
STILL_A_QUESTION = "Ik heb nog een vraag voor je."
# Monday 9 November 2026, 10:00 in Amsterdam: the first check-in of Sam's weekly rhythm.
FIRST_DUE = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)


# -- people and what they read ----------------------------------------------------------------


async def _anna_and_sam(world: World) -> tuple[SimUser, SimUser]:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    return anna, sam


async def _press(sam: SimUser) -> None:
    """Sam presses the noodknop and reads the two answers."""
    await sam.tap_keyboard("🔴 Noodknop")
    assert await _read(sam) == PRESSED
    assert (await _read(sam)).startswith("Wat is er aan de hand?")


async def _read(person: SimUser, timeout: float = 5.0) -> str:  # noqa: ASYNC109
    """The text of the next message the bot sends this person."""
    return (await person.next_message(timeout)).text or ""


def _texts(messages: list[SentMessage]) -> list[str]:
    return [m.text or "" for m in messages]


def _got_the_numbers(person: SimUser) -> bool:
    return any("113" in text for text in _texts(person.inbox))


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait for something the bot does in the background (not for time to pass)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within 15 s")
        await asyncio.sleep(0.02)


# -- what is stored -----------------------------------------------------------------------------


def _alert_of(world: World, client: str = "Sam") -> Alert:
    with world.database.transaction() as session:
        return session.exec(
            select(Alert)
            .join(Client, col(Client.id) == col(Alert.client_id))
            .where(Client.name == client)
        ).one()


def _events(world: World, client: str = "Sam") -> list[str]:
    alert_id = _alert_of(world, client).id or 0
    with world.database.transaction() as session:
        return [e.kind for e in alert_store.events_of(session, alert_id)]


def _told(world: World) -> list[tuple[int, str]]:
    """Who was told about Sam's alert: (chat id, role), in order."""
    alert_id = _alert_of(world).id
    with world.database.transaction() as session:
        rows = session.exec(
            select(AlertRecipient)
            .where(AlertRecipient.alert_id == alert_id)
            .order_by(col(AlertRecipient.id))
        )
        return [(r.chat_id, r.role) for r in rows]


def _alert_rows_to(world: World, person: SimUser) -> list[OutboxMessage]:
    with world.database.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == person.id, col(OutboxMessage.alert_id).is_not(None))
            .order_by(col(OutboxMessage.id))
        )
        return list(rows)


def _checkins(world: World) -> list[Checkin]:
    with world.database.transaction() as session:
        return list(session.exec(select(Checkin).order_by(col(Checkin.id))))


def _signal_kinds(world: World) -> list[str]:
    with world.database.transaction() as session:
        return [s.kind for s in session.exec(select(CheckinSignal).order_by(col(CheckinSignal.id)))]


# -- 1. every backup is asked -----------------------------------------------------------------


async def test_an_unanswered_alert_is_escalated_to_every_backup(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    carla = await world.coach("Carla")
    world.add_backup(anna, bram)
    world.add_backup(anna, carla)
    await _press(sam)
    assert await _read(anna) == ALERT_TO_ANNA
    await world.drain()
    assert bram.unread == [] and carla.unread == [], "within the coach's hours: the coach first"

    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    assert (await _read(anna)).startswith(REMINDER)
    for backup in (bram, carla):
        escalated = await backup.next_message()
        assert escalated.text == ESCALATED
        assert escalated.buttons == ALERT_BUTTONS
    assert _told(world) == [(anna.id, "coach"), (bram.id, "backup"), (carla.id, "backup")]
    await world.drain()
    assert _events(world) == [
        "pressed",
        "delivered",
        "escalated",
        "delivered",
        "delivered",
        "delivered",
    ]

    assert await _read(sam) == BACKUP_ASKED
    await carla.press("✅ Ik bel nu")  # the second backup was told, so may pick it up
    assert await _read(sam) == "Carla heeft je melding gezien.\nCarla belt je zo."
    assert _alert_of(world).acknowledged_by == world.coach_id(carla)
    await world.drain()
    assert sam.unread == [] and not _got_the_numbers(sam)


async def test_a_coach_who_passes_an_alert_on_reaches_every_backup(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    carla = await world.coach("Carla")
    world.add_backup(anna, bram)
    world.add_backup(anna, carla)
    await _press(sam)
    await anna.next_message()
    await anna.press("↪️ Ik kan niet, geef door")
    assert await _read(anna) == "Ik geef de melding van Sam door aan de vervanging."
    # Was ESCALATED ("Anna heeft nog niet gereageerd"): Anna did react, she cannot come.
    passed = ESCALATED.replace(
        "Anna heeft nog niet gereageerd.", "Anna kan niet en geeft het door."
    )
    assert await _read(bram) == passed
    assert await _read(carla) == passed
    assert _told(world) == [(anna.id, "coach"), (bram.id, "backup"), (carla.id, "backup")]
    assert "passed_on" in _events(world)
    assert (
        await _read(sam)
        == "Anna kan nu niet.\nIk vraag nu een andere coach.\nIs er gevaar? Bel 112."
    )
    await world.drain()
    assert sam.unread == [] and not _got_the_numbers(sam)


# -- 2. a 400 is not "unreachable" ------------------------------------------------------------


async def test_a_400_on_the_alert_does_not_skip_the_coach_for_the_backups(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.sandbox.faults.fail(method="sendMessage", status=400, times=1, chat_id=anna.id)
    await _press(sam)
    await world.drain()
    [row] = _alert_rows_to(world, anna)
    assert (row.error, row.failed_at) == ("BadRequest", world.clock.now())
    assert anna.unread == []  # Telegram refused that one message
    assert bram.unread == [], "a 400 says nothing about whether Anna can be reached"
    assert sam.unread == [] and not _got_the_numbers(sam)
    stored = _alert_of(world)
    assert (stored.escalated_at, stored.emergency_sent_at) == (None, None)
    assert _events(world) == ["pressed"]
    assert _told(world) == [(anna.id, "coach")]

    # The clock still watches the alert: Anna is reminded and Bram asked, as for any silence.
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    assert (await _read(anna)).startswith(REMINDER)
    assert await _read(bram) == ESCALATED
    assert await _read(sam) == BACKUP_ASKED
    await world.drain()
    assert sam.unread == []
    assert _events(world) == ["pressed", "escalated", "delivered", "delivered"]


async def test_a_400_for_the_coach_and_a_blocked_backup_do_not_mean_nobody_is_reachable(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    bram.block()
    world.sandbox.faults.fail(method="sendMessage", status=400, times=1, chat_id=anna.id)
    await _press(sam)
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    assert (await _read(anna)).startswith(REMINDER)
    await world.drain()
    assert bram.unread == []
    # Only Bram blocked the bot (a 403); Anna's one 400 leaves her reachable, and she was just
    # reminded. The numbers wait for the quarter of an hour.
    assert await _read(sam) == BACKUP_ASKED
    assert sam.unread == [] and not _got_the_numbers(sam)
    assert _alert_of(world).emergency_sent_at is None
    assert sorted(_events(world)) == sorted(["pressed", "escalated", "delivered", "undeliverable"])
    assert [r.error for r in _alert_rows_to(world, anna)] == ["BadRequest", None]
    assert [r.error for r in _alert_rows_to(world, bram)] == ["Forbidden"]

    world.clock.advance(timedelta(minutes=10))
    await world.tick()
    # Anna is still asked: the alert stays on for her. Then the numbers, one per message.
    assert await _read(sam) == (
        "Nog niemand heeft je melding opgepakt.\nJe melding blijft aan.\nJe kunt ook zelf bellen."
    )
    assert await _read(sam) == "Is er gevaar? Bel 112."
    assert "Bel 0800-0113." in await _read(sam)
    assert _alert_of(world).emergency_sent_at == world.clock.now()


# -- 3. an alert goes before a batch already claimed -------------------------------------------


async def test_an_alert_goes_before_the_rest_of_a_batch_already_being_sent(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    batch = world.service.worker.batch_size
    crowd = world.fan_out(batch)
    for person in crowd:
        # Telegram is slow today: each of these messages takes a while.
        world.sandbox.faults.delay(method="sendMessage", seconds=0.25, times=1, chat_id=person.id)
    world.service.worker.wake()
    await crowd[1].next_message(timeout=10)  # the worker holds the whole batch and is sending it
    with world.database.transaction() as session:
        claimed = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.claimed_by).is_not(None))
        ).all()
    assert len(claimed) >= batch - 2

    await _press(sam)
    assert await _read(anna, timeout=10) == ALERT_TO_ANNA
    sends = [
        (str(call["chat_id"]), str(call.get("text", "")))
        for call in world.sandbox.calls_to("sendMessage")
    ]
    alert_call = sends.index((str(anna.id), ALERT_TO_ANNA))
    crowd_ids = {str(person.id) for person in crowd}
    before_alert = sum(1 for chat, _ in sends[:alert_call] if chat in crowd_ids)
    assert before_alert < batch // 2, f"the alert waited for {before_alert} of {batch} rows"

    await world.drain(20)
    assert [len(person.inbox) for person in crowd] == [1] * batch, "handed back, not lost"
    assert {person.inbox[0].text for person in crowd} == {"Deze vraag is al klaar."}


# -- 4. 5xx that outlast the in-place retries are retried later --------------------------------


async def test_an_alert_that_meets_repeated_502s_is_sent_later_and_not_escalated(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.sandbox.faults.fail(method="sendMessage", status=502, times=None, chat_id=anna.id)
    await _press(sam)

    def tried() -> bool:
        rows = _alert_rows_to(world, anna)
        return bool(rows) and (rows[0].attempts > 0 or rows[0].failed_at is not None)

    await _until(tried, "the worker gave up on sending in place")
    [row] = _alert_rows_to(world, anna)
    assert (row.failed_at, row.sent_at) == (None, None), "a 502 is no reason to give up"
    assert row.error == "NetworkError" and row.next_attempt_at > world.clock.now()
    assert not any(text.startswith("🔴") for text in _texts(anna.inbox))
    tries = [c for c in world.sandbox.calls_to("sendMessage") if c.get("text") == ALERT_TO_ANNA]
    assert len(tries) > 1, "the 502s were first retried in place"

    world.sandbox.faults.clear()  # Telegram is back
    world.clock.advance(timedelta(seconds=30))
    await world.drain()
    assert await _read(anna) == ALERT_TO_ANNA
    [row] = _alert_rows_to(world, anna)
    assert (row.sent_at, row.failed_at) == (world.clock.now(), None)
    assert anna.unread == []
    assert bram.unread == [], "Anna was never unreachable: Bram is not asked"
    assert sam.unread == [] and not _got_the_numbers(sam)
    stored = _alert_of(world)
    assert stored.first_delivered_at == world.clock.now()
    assert (stored.escalated_at, stored.emergency_sent_at) == (None, None)
    assert _events(world) == ["pressed", "delivered"]


# -- 5. skipping is answering ----------------------------------------------------------------


async def _scheduled_checkin(world: World, sam: SimUser, week: int) -> None:
    world.clock.set(FIRST_DUE + timedelta(days=7 * week))
    await world.tick()
    sent = await _read(sam)
    assert sent.startswith(INTRO) and sent.endswith(GRADE_Q)


async def _left_unanswered(world: World, sam: SimUser) -> None:
    """The check-in open now gets its one reminder, and then its time runs out."""
    world.clock.advance(timedelta(hours=4))
    await world.tick()
    assert (await _read(sam)).startswith(STILL_A_QUESTION)
    world.clock.advance(timedelta(hours=24))
    await world.tick()


async def _skip_all(sam: SimUser) -> None:
    await sam.press("Weet ik niet")
    assert await _read(sam) == HELP_Q
    await sam.press("Overslaan")
    assert await _read(sam) == CALL_Q
    await sam.press("Overslaan")
    assert await _read(sam) == THANKS_SKIPPED


def _missed_notes(anna: SimUser) -> list[str]:
    return [text for text in _texts(anna.inbox) if text.startswith("Geen antwoord")]


async def test_a_checkin_passed_with_skips_is_done_and_never_counts_as_missed(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await _scheduled_checkin(world, sam, week=0)
    await _skip_all(sam)
    await world.drain()
    assert anna.unread == []
    [skipped] = _checkins(world)
    assert skipped.status == "done"
    assert skipped.answers == {"grade": "dont_know", "help": "skip", "call": "skip"}

    for week in (1, 2):  # then two check-ins in a row get no answer at all
        await _scheduled_checkin(world, sam, week)
        await _left_unanswered(world, sam)
        await world.drain()
        assert sam.unread == []  # closing says nothing to the client
    assert [c.status for c in _checkins(world)] == ["done", "missed", "missed"]
    # The streak starts after the skipped check-in: Sam did answer on 9 November.
    assert _missed_notes(anna) == [
        "Geen antwoord van Sam op de laatste 2 check-ins (sinds 16 november)."
    ]
    assert _signal_kinds(world) == ["missed"]


async def test_a_checkin_left_after_a_skip_closes_unfinished_not_missed(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await _scheduled_checkin(world, sam, week=0)
    await sam.press("Overslaan")
    assert await _read(sam) == HELP_Q
    await _left_unanswered(world, sam)
    await world.drain()
    assert sam.unread == []
    [left] = _checkins(world)
    assert (left.status, left.answers) == ("unfinished", {"grade": "skip"})

    await _scheduled_checkin(world, sam, week=1)
    await _left_unanswered(world, sam)
    await world.drain()
    assert [c.status for c in _checkins(world)] == ["unfinished", "missed"]
    assert _missed_notes(anna) == [], "one missed check-in is no streak"
    assert _signal_kinds(world) == []


async def test_a_skipped_checkin_reopened_with_oops_and_left_closes_as_done(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await _scheduled_checkin(world, sam, week=0)
    await _skip_all(sam)
    await sam.press("← Oeps, ander antwoord")
    assert await _read(sam) == "Geen probleem. Kies opnieuw.\n\n" + CALL_Q
    await _left_unanswered(world, sam)  # Sam let it be: every question was still passed
    await world.drain()
    assert sam.unread == []
    [row] = _checkins(world)
    assert row.status == "done"
    assert row.answers == {"grade": "dont_know", "help": "skip", "call": "skip"}

    await _scheduled_checkin(world, sam, week=1)
    await _left_unanswered(world, sam)
    await world.drain()
    assert [c.status for c in _checkins(world)] == ["done", "missed"]
    assert _missed_notes(anna) == [] and anna.unread == []
    assert _signal_kinds(world) == []


# -- 6. one client cannot touch another client's alert -----------------------------------------


async def test_a_forged_reason_button_from_another_client_changes_nothing(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bert = await world.coach("Bert")
    lee = await world.client(bert, "Lee")
    await _press(sam)
    assert await _read(anna) == ALERT_TO_ANNA
    await lee.tap_keyboard("🔴 Noodknop")
    await lee.next_message()
    lee_question = await lee.next_message()
    assert (lee_question.text or "").startswith("Wat is er aan de hand?")
    assert (await _read(bert)).startswith("🔴 NOODKNOP – Lee")
    sam_alert = _alert_of(world, "Sam").id

    # Lee edits the alert id in her own reason buttons to Sam's.
    await lee.press_data(lee_question, f"nk:{sam_alert}:accident")
    await lee.press_data(lee_question, f"nk:{sam_alert}:bad")
    await world.drain()
    for name in ("Sam", "Lee"):
        stored = _alert_of(world, name)
        assert (stored.reason, stored.accidental, stored.closed_at) == (None, False, None), name
        assert _events(world, name) == ["pressed", "delivered"]
    assert anna.unread == [], "Anna hears nothing from Lee about Sam"
    assert sam.unread == [] and bert.unread == []
    assert lee.unread == []
    assert [a.text for a in lee.callback_answers[-2:]] == [BUTTON_GONE] * 2

    # Sam's alert is still watched: "by accident" from a stranger did not stop the clock.
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    assert (await _read(anna)).startswith(REMINDER)
