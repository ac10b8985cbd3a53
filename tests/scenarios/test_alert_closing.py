"""An alert someone picked up but nobody closed: reminded once, then closed by the clock.

While a noodknop alert is open a client gets no check-ins. A coach who tapped "✅ Ik bel nu"
and then forgot to close the alert used to stop that client's check-ins silently and for good.
Now the coach is reminded once (with the close buttons), the alert closes itself a day after it
was picked up (``auto_closed`` in its timeline, the coach told once), and check-ins go on: the
one held back is sent if it is still fresh (the rules for a check-in missed while the bot was
down: the same day for a weekly rhythm, within a week for the rarer ones), else the next one
comes as scheduled. The real bot through the sandbox, a fixed clock, both databases.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.sandbox import SimUser
from storage import alerts as alert_store
from storage.models import Alert, Checkin, CheckinSchedule
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import FIRST_DUE, GRADE_Q, INTRO, question_of

CLOSE_BUTTONS = [["📞 Gesproken"], ["🏠 Langs geweest"], ["➡️ Doorverwezen"], ["🙈 Vals alarm"]]
PRESSED = FIRST_DUE - timedelta(minutes=30)  # Monday 9 November, 09:30 in Amsterdam
TAKEN = PRESSED + timedelta(minutes=2)
REMINDER = (
    "🔔 De melding van Sam van 09:30 staat nog open.\n"
    "Zolang hij open staat, krijgt Sam geen check-ins.\n"
    "Sluit hem af als het klaar is. Anders sluit ik hem over 20 uur zelf."
)
AUTO_CLOSED = (
    "🔕 De melding van Sam van 09:30 is nu vanzelf gesloten: niemand sloot hem af.\n"
    "De check-ins van Sam gaan weer door."
)


async def _picked_up_and_forgotten(world: World) -> tuple[SimUser, SimUser]:
    """Sam presses the noodknop at 09:30, Anna taps "✅ Ik bel nu" and never closes it."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    return anna, sam


async def _press_and_pick_up(world: World, anna: SimUser, sam: SimUser) -> None:
    world.clock.set(PRESSED)
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wat is er aan de hand?"))
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    world.clock.set(TAKEN)
    await anna.press("✅ Ik bel nu")
    await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft je melding gezien."))
    prompt = await anna.wait_for(lambda m: (m.text or "").startswith("Sluit de melding"))
    assert prompt.buttons == CLOSE_BUTTONS


async def _tick_at(world: World, moment: timedelta) -> None:
    world.clock.set(TAKEN + moment)
    await world.tick()


def _alert(world: World) -> Alert:
    with world.database.transaction() as session:
        return session.exec(select(Alert)).one()


def _steps(world: World) -> list[str]:
    """The alert's timeline, without the "delivered" after each message to a coach."""
    with world.database.transaction() as session:
        alert = session.exec(select(Alert)).one()
        events = alert_store.events_of(session, alert.id or 0)
        return [e.kind for e in events if e.kind != "delivered"]


def _checkins(world: World) -> list[Checkin]:
    with world.database.transaction() as session:
        return list(session.exec(select(Checkin).order_by(col(Checkin.id))))


def _questions(sam: SimUser) -> list[str]:
    return [m.text or "" for m in sam.inbox if (m.text or "").startswith(INTRO)]


def _texts(person: SimUser, start: str) -> list[str]:
    return [m.text or "" for m in person.inbox if (m.text or "").startswith(start)]


async def test_a_forgotten_alert_is_reminded_closes_itself_and_checkins_go_on(
    world: World,
) -> None:
    anna, sam = await _picked_up_and_forgotten(world)
    await _press_and_pick_up(world, anna, sam)

    # 10:00, Sam's weekly check-in is due: not while the alert is open.
    world.clock.set(FIRST_DUE)
    await world.tick()
    await world.drain()
    assert _questions(sam) == []

    await _tick_at(world, timedelta(hours=4) - timedelta(minutes=1))
    await world.drain()
    assert _texts(anna, "🔔") == [], "no reminder before four hours"
    await _tick_at(world, timedelta(hours=4))
    reminder = await anna.wait_for(lambda m: (m.text or "").startswith("🔔"))
    assert reminder.text == REMINDER
    assert reminder.buttons == CLOSE_BUTTONS
    assert _steps(world)[-1] == "close_reminded"
    await _tick_at(world, timedelta(hours=5))
    await world.drain()
    assert len(_texts(anna, "🔔")) == 1, "one reminder"

    await _tick_at(world, timedelta(hours=24) - timedelta(minutes=1))
    await world.drain()
    assert _alert(world).closed_at is None
    sam.mark_read()
    await _tick_at(world, timedelta(hours=24))
    told = await anna.wait_for(lambda m: (m.text or "").startswith("🔕"))
    assert told.text == AUTO_CLOSED
    alert = _alert(world)
    assert alert.closed_at == world.clock.now()
    assert (alert.outcome, alert.closed_by) == ("auto_closed", None)
    assert _steps(world) == ["pressed", "acknowledged", "close_reminded", "auto_closed"]
    await world.drain()
    # Monday's check-in was held back all Monday: on Tuesday it is past its day (weekly).
    assert _questions(sam) == []
    assert sam.unread == [], "the client hears nothing about the closing"

    # The reminder's buttons now say it is closed; nothing else changes.
    await anna.press("📞 Gesproken", reminder)
    await world.drain()
    assert _alert(world).outcome == "auto_closed"

    # Next Monday, 10:00: the check-ins are back.
    world.clock.set(FIRST_DUE + timedelta(days=7))
    await world.tick()
    question = await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
    assert question_of(question) == GRADE_Q
    await world.tick()
    await world.drain()
    assert len(_texts(anna, "🔕")) == 1, "the coach is told once"


async def test_a_rare_checkin_held_back_is_sent_when_the_alert_closes_itself(
    world: World,
) -> None:
    anna, sam = await _picked_up_and_forgotten(world)
    await anna.send_text("/ritme Sam elke 4 weken maandag 10:00")
    await anna.wait_for(lambda m: (m.text or "").startswith("Opgeslagen."))
    with world.database.transaction() as session:
        assert session.exec(select(CheckinSchedule)).one().next_due_at == FIRST_DUE
    await _press_and_pick_up(world, anna, sam)
    for hours in (1, 12, 23):  # the clock looks now and then; the check-in waits
        await _tick_at(world, timedelta(hours=hours))
    await world.drain()
    assert _questions(sam) == []

    # A day later the alert closes itself, and the held-back check-in (4-weekly: it may be
    # up to a week late) is sent at once.
    await _tick_at(world, timedelta(hours=24))
    await anna.wait_for(lambda m: (m.text or "").startswith("🔕"))
    question = await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
    assert question_of(question) == GRADE_Q
    [checkin] = _checkins(world)
    assert (checkin.origin, checkin.sent_at) == ("schedule", world.clock.now())


async def test_a_coach_who_closes_after_the_reminder_ends_it_and_checkins_resume_that_day(
    world: World,
) -> None:
    anna, sam = await _picked_up_and_forgotten(world)
    await _press_and_pick_up(world, anna, sam)
    world.clock.set(FIRST_DUE)
    await world.tick()
    await _tick_at(world, timedelta(hours=4))
    reminder = await anna.wait_for(lambda m: (m.text or "").startswith("🔔"))
    await anna.press("📞 Gesproken", reminder)
    await world.drain()
    alert = _alert(world)
    assert (alert.outcome, alert.closed_by) == ("talked", world.coach_id(anna))
    assert _steps(world)[-2:] == ["close_reminded", "closed:talked"]

    # Monday's check-in was held back; it is still Monday, so it comes within the hour.
    await _tick_at(world, timedelta(hours=5))
    question = await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
    assert question_of(question) == GRADE_Q
    await _tick_at(world, timedelta(hours=25))
    await world.drain()
    assert _texts(anna, "🔕") == [], "a closed alert is not closed again"
    assert len(_questions(sam)) == 1
