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
from telegram_sandbox import SimUser

from storage import alerts as alert_store
from storage.models import Alert, Checkin, CheckinSchedule, Client, ClientStatus
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import FIRST_DUE, GRADE_Q, INTRO, question_of

CLOSE_BUTTONS = [["📞 Gesproken"], ["🏠 Langs geweest"], ["➡️ Doorverwezen"], ["🙈 Vals alarm"]]
PRESSED = FIRST_DUE - timedelta(minutes=30)  # Monday 9 November, 09:30 in Amsterdam
TAKEN = PRESSED + timedelta(minutes=2)
REMINDER = (
    "🔔 De melding van Sam van 09:30 staat nog open.\n"
    "Zolang hij open staat, krijgt Sam geen check-ins.\n"
    "Sluit hem af als het klaar is. Anders sluit ik hem morgen om 09:32 zelf."
)
AUTO_CLOSED = (  # the next day: the press shows its day
    "🔕 De melding van Sam van maandag 09:30 is nu vanzelf gesloten: niemand sloot hem af.\n"
    "De check-ins van Sam gaan weer door."
)


async def _picked_up_and_forgotten(world: World) -> tuple[SimUser, SimUser]:
    """Sam presses the noodknop at 09:30, Anna taps "✅ Ik bel nu" and never closes it."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    return anna, sam


async def _press_and_pick_up(
    world: World, anna: SimUser, sam: SimUser, later: timedelta = timedelta(0)
) -> None:
    world.clock.set(PRESSED + later)
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wat is er aan de hand?"))
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    world.clock.set(TAKEN + later)
    await anna.press("✅ Ik bel nu")
    await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft je melding gezien."))
    prompt = await anna.wait_for(lambda m: (m.text or "").startswith("Sluit de melding"))
    assert prompt.buttons == CLOSE_BUTTONS


async def _tick_at(world: World, moment: timedelta, later: timedelta = timedelta(0)) -> None:
    world.clock.set(TAKEN + later + moment)
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
    # The client hears once that it is closed, and gets the menu without the location key.
    assert [m.text for m in sam.unread] == [
        "Je melding is afgesloten.",
        "Heb je hulp nodig? Druk dan op 🔴 Noodknop.",
    ]
    assert sam.current_keyboard == [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]

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
    # The first one is four weeks after the change (dialogs/schedule.py): Monday 30 November.
    later = timedelta(weeks=3)
    with world.database.transaction() as session:
        assert session.exec(select(CheckinSchedule)).one().next_due_at == FIRST_DUE + later
    await _press_and_pick_up(world, anna, sam, later)
    for hours in (1, 12, 23):  # the clock looks now and then; the check-in waits
        await _tick_at(world, timedelta(hours=hours), later)
    await world.drain()
    assert _questions(sam) == []

    # A day later the alert closes itself, and the held-back check-in (4-weekly: it may be
    # up to a week late) is sent at once.
    await _tick_at(world, timedelta(hours=24), later)
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


def _alerts(world: World) -> list[Alert]:
    with world.database.transaction() as session:
        return list(session.exec(select(Alert).order_by(col(Alert.id))))


def _steps_of(world: World, alert_id: int | None) -> list[str]:
    with world.database.transaction() as session:
        events = alert_store.events_of(session, alert_id or 0)
        return [e.kind for e in events if e.kind != "delivered"]


async def test_a_new_alert_closes_the_old_picked_up_one_which_never_closes_itself_later(
    world: World,
) -> None:
    """Sam presses again more than half an hour after Anna picked the alert up: that is a new
    alert. The old one is closed then (superseded), so a client has one open alert at most,
    and no note ever says the check-ins go on while the new one holds them back."""
    anna, sam = await _picked_up_and_forgotten(world)
    await _press_and_pick_up(world, anna, sam)
    anna.mark_read()

    # 10:30: Sam presses again (an hour after the pick-up): a new alert, and Anna takes it.
    again = TAKEN + timedelta(hours=1)
    world.clock.set(again - timedelta(minutes=2))
    await sam.tap_keyboard("🔴 Noodknop")
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    old, new = _alerts(world)
    assert (old.outcome, old.closed_at, old.closed_by) == (
        "superseded",
        world.clock.now(),
        None,
    )
    assert _steps_of(world, old.id) == ["pressed", "acknowledged", "superseded"]
    assert new.closed_at is None
    world.clock.set(again)
    await anna.press("✅ Ik bel nu")
    await anna.wait_for(lambda m: (m.text or "").startswith("Sluit de melding"))

    # Four hours after each pick-up, and a day after the first: the old alert is closed
    # already, nothing is said of it, and the new one still holds Sam's check-ins back.
    sam.mark_read()
    for hours in (4, 5, 24):
        await _tick_at(world, timedelta(hours=hours))
    await world.drain()
    assert _texts(anna, "🔕") == []
    assert [m.text for m in anna.inbox if (m.text or "").startswith("🔔")] == [
        "🔔 De melding van Sam van 10:30 staat nog open.\n"
        "Zolang hij open staat, krijgt Sam geen check-ins.\n"
        "Sluit hem af als het klaar is. Anders sluit ik hem morgen om 10:32 zelf."
    ], "one reminder, about the open alert"
    assert _questions(sam) == []

    # A day after the second pick-up that one closes itself, and says so with its day.
    world.clock.set(again + timedelta(hours=24))
    await world.tick()
    told = await anna.wait_for(lambda m: (m.text or "").startswith("🔕"))
    assert told.text == (
        "🔕 De melding van Sam van maandag 10:30 is nu vanzelf gesloten: niemand sloot hem af.\n"
        "De check-ins van Sam gaan weer door."
    )
    assert [a.outcome for a in _alerts(world)] == ["superseded", "auto_closed"]


async def test_only_the_coach_who_picked_it_up_is_reminded_and_told_without_a_false_promise(
    world: World,
) -> None:
    """Bram (Anna's backup) picked the alert up; Anna paused Sam's check-ins meanwhile. The
    reminder and the closing note go to Bram alone, and say nothing about check-ins: paused,
    they neither wait for the alert nor go on after it."""
    anna, sam = await _picked_up_and_forgotten(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.clock.set(PRESSED)
    await sam.tap_keyboard("🔴 Noodknop")
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    world.clock.set(PRESSED + timedelta(minutes=5))
    await world.tick()
    escalated = await bram.wait_for(lambda m: "Kun jij Sam bellen?" in (m.text or ""))
    taken = PRESSED + timedelta(minutes=6)
    world.clock.set(taken)
    await bram.press("✅ Ik bel nu", escalated)
    await bram.wait_for(lambda m: (m.text or "").startswith("Sluit de melding"))
    await anna.wait_for(lambda m: (m.text or "").startswith("✅ Bram belt Sam."))
    await anna.send_text("/pauze Sam")
    await anna.wait_for(lambda m: (m.text or "").startswith("De check-ins van Sam staan op"))

    world.clock.set(taken + timedelta(hours=4))
    await world.tick()
    reminder = await bram.wait_for(lambda m: (m.text or "").startswith("🔔"))
    assert reminder.text == (
        "🔔 De melding van Sam van 09:30 staat nog open.\n"
        "Sluit hem af als het klaar is. Anders sluit ik hem morgen om 09:36 zelf."
    )
    assert reminder.buttons == CLOSE_BUTTONS
    world.clock.set(taken + timedelta(hours=24))
    await world.tick()
    told = await bram.wait_for(lambda m: (m.text or "").startswith("🔕"))
    assert told.text == (
        "🔕 De melding van Sam van maandag 09:30 is nu vanzelf gesloten: niemand sloot hem af."
    )
    await world.drain()
    assert _texts(anna, "🔔") == [] and _texts(anna, "🔕") == [], "Anna did not pick it up"
    assert _alert(world).outcome == "auto_closed"


async def test_an_alert_called_off_by_accident_reminds_the_clients_own_coach_only(
    world: World,
) -> None:
    anna, sam = await _picked_up_and_forgotten(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.clock.set(PRESSED)
    await sam.tap_keyboard("🔴 Noodknop")
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    world.clock.set(PRESSED + timedelta(minutes=5))
    await world.tick()
    await bram.wait_for(lambda m: "Kun jij Sam bellen?" in (m.text or ""))
    world.clock.set(PRESSED + timedelta(minutes=7))
    await sam.press("↩️ Per ongeluk gedrukt")
    await sam.wait_for(lambda m: (m.text or "").startswith("Is alles goed?"))
    await sam.press("✅ Ja, per ongeluk")  # "by accident" is asked once more before it counts
    await bram.wait_for(lambda m: (m.text or "").startswith("↩️ Sam zegt: per ongeluk"))

    world.clock.set(PRESSED + timedelta(minutes=7, hours=4))
    await world.tick()
    reminder = await anna.wait_for(lambda m: (m.text or "").startswith("🔔"))
    assert "Zolang hij open staat, krijgt Sam geen check-ins." in (reminder.text or "")
    await world.drain()
    assert _texts(bram, "🔔") == []


async def test_the_closing_note_promises_no_check_ins_to_a_client_who_stopped(
    world: World,
) -> None:
    anna, sam = await _picked_up_and_forgotten(world)
    await _press_and_pick_up(world, anna, sam)
    with world.database.transaction() as session:
        client = session.exec(select(Client)).one()
        client.status = ClientStatus.ENDED
        session.add(client)
    await _tick_at(world, timedelta(hours=24))
    told = await anna.wait_for(lambda m: (m.text or "").startswith("🔕"))
    assert told.text == (
        "🔕 De melding van Sam van maandag 09:30 is nu vanzelf gesloten: niemand sloot hem af."
    )
