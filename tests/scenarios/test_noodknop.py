"""The noodknop end to end: the real bot through the sandbox, a fixed clock, both databases.

A press alerts the coach at once; the client is told honestly what happens; an acknowledgement
is passed back; no acknowledgement re-notifies, escalates and finally gives the client the
emergency numbers. Telegram failures and restarts never make an alert go quiet.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot import admin
from storage import alerts as alert_store
from storage.database import Database
from storage.models import Alert, OutboxMessage
from tests.scenarios.conftest import World

MENU_WITH_LOCATION = [
    ["💬 Bericht aan coach"],
    ["📋 Hoe gaat het?"],
    ["🔴 Noodknop"],
    ["📍 Stuur waar ik ben"],
]


async def _coach_and_client(world: World) -> tuple:  # type: ignore[type-arg]
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    return anna, sam


async def _press(sam) -> None:  # type: ignore[no-untyped-def]
    await sam.tap_keyboard("🔴 Noodknop")
    sent = await sam.next_message()
    assert sent.text == (
        "Ik stuur Anna nu een melding.\n"
        "Ik laat het je weten als Anna het heeft gezien.\n"
        "Is er nu gevaar? Bel dan 112."
    )
    what = await sam.next_message()
    assert what.text.startswith("Wat is er aan de hand?")


def _alert(world: World) -> Alert:
    with world.database.transaction() as session:
        return session.exec(select(Alert)).one()


def _events(world: World) -> list[str]:
    with world.database.transaction() as session:
        alert = session.exec(select(Alert)).one()
        return [e.kind for e in alert_store.events_of(session, alert.id or 0)]


async def test_press_alerts_the_coach_at_once_and_tells_the_client_honestly(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    await _press(sam)
    assert sam.current_keyboard == MENU_WITH_LOCATION
    assert sam.inbox[-1].buttons == [
        ["😟 Ik voel me slecht"],
        ["💥 Ik heb ruzie"],
        ["🧭 Ik ben de weg kwijt"],
        ["✉️ Brief of geld"],
        ["❓ Iets anders"],
        ["↩️ Per ongeluk gedrukt"],
        ["🔊 Voorlezen"],
    ]
    alert = await anna.next_message()
    assert alert.text == (
        "🔴 NOODKNOP – Sam\n"
        "Sam (cliënt van Anna) drukte om 10:00 op de noodknop.\n"
        "Bel Sam zo snel mogelijk.\n"
        "📞 +31 6 12345678"  # Sam shared his number when he joined: Telegram makes it a link
    )
    assert alert.buttons == [["✅ Ik bel nu"], ["↪️ Ik kan niet, geef door"]]
    await world.drain()  # the delivery is noted once Telegram answered the send
    stored = _alert(world)
    assert stored.pressed_at == world.clock.now() and stored.first_delivered_at == world.clock.now()
    assert _events(world) == ["pressed", "delivered"]
    assert not any("belt je" in (m.text or "") for m in sam.inbox), "no promise before a person"


async def test_acknowledge_tells_the_client_who_saw_it_and_close_records_the_outcome(
    world: World,
) -> None:
    anna, sam = await _coach_and_client(world)
    await _press(sam)
    await anna.next_message()
    await world.drain()  # the delivery is noted once Telegram answered the send
    world.clock.advance(timedelta(minutes=2))
    await anna.press("✅ Ik bel nu")
    seen = await sam.next_message()
    assert seen.text == "Anna heeft je melding gezien.\nAnna belt je zo."
    # It can be heard; "📍 Stuur waar ik ben" stays while the alert is open (still useful).
    assert seen.buttons == [["🔊 Voorlezen"]]
    assert sam.current_keyboard == MENU_WITH_LOCATION
    prompt = await anna.next_message()
    assert prompt.text.startswith("Sluit de melding van Sam als het klaar is.")
    await anna.press("📞 Gesproken")
    await world.settle()
    stored = _alert(world)
    assert stored.acknowledged_at == world.clock.now()
    assert stored.outcome == "talked" and stored.closed_at == world.clock.now()
    assert _events(world) == ["pressed", "delivered", "acknowledged", "closed:talked"]
    world.clock.advance(timedelta(minutes=30))
    await world.tick()
    await world.drain()
    assert not any("noodnummers" in (m.text or "") or "113" in (m.text or "") for m in sam.inbox)


async def test_no_answer_renotifies_escalates_and_then_gives_the_emergency_numbers(
    world: World,
) -> None:
    anna, sam = await _coach_and_client(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    await _press(sam)
    await anna.next_message()

    world.clock.advance(timedelta(minutes=4, seconds=59))
    await world.tick()
    world.clock.advance(timedelta(seconds=1))
    await world.tick()
    reminder = await anna.next_message()
    assert reminder.text.startswith("⏰ Nog niet opgepakt: Sam drukte om 10:00 op de noodknop.")
    escalated = await bram.next_message()
    assert "Anna heeft nog niet gereageerd. Kun jij Sam bellen?" in escalated.text
    assert escalated.buttons == [["✅ Ik bel nu"], ["↪️ Ik kan niet, geef door"]]
    # Sam hears it when Bram is asked too, not only after a quarter of an hour.
    assert (await sam.next_message()).text == (
        "Anna reageert nog niet.\nIk vraag nu ook een andere coach.\nIs er gevaar? Bel 112."
    )

    world.clock.advance(timedelta(minutes=10))
    await world.tick()
    # The numbers one per message, each with what it is for (issue 14, point 3).
    assert [(await sam.next_message()).text for _ in range(4)] == [
        "Nog niemand heeft je melding opgepakt.\nJe melding blijft aan.\nJe kunt ook zelf bellen.",
        "Is er gevaar? Bel 112.",
        "Denk je aan zelfmoord? Bel 0800-0113.\nDat is gratis, dag en nacht.",
        "Dokter nodig in de avond of het weekend?\n"
        "Bel de huisartsenpost: het nummer hoor je bij je eigen huisarts.",
    ]
    assert (await anna.next_message()).text.startswith("⚠️ Nog niemand pakte de melding op")
    assert (await bram.next_message()).text.startswith("⚠️ Nog niemand pakte de melding op")
    world.clock.advance(timedelta(minutes=30))
    await world.tick()
    await world.drain()
    assert sum("113" in (m.text or "") for m in sam.inbox) == 1, "the numbers are sent once"

    await bram.press("✅ Ik bel nu")
    assert (await sam.next_message()).text == "Bram heeft je melding gezien.\nBram belt je zo."
    assert (await anna.next_message()).text == "✅ Bram belt Sam. Jij hoeft niets te doen."
    await world.drain()
    assert _alert(world).closed_at is None
    events = _events(world)
    assert events.index("emergency_numbers_sent") < events.index("acknowledged")


async def test_outside_availability_the_backup_is_told_at_once(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    # Monday 10:00 in Amsterdam; Anna works Tuesday to Friday.
    world.set_hours(anna, "2345")
    await sam.tap_keyboard("🔴 Noodknop")
    # Was "Ik laat het je weten als Anna het heeft gezien": Anna is off, Bram is asked too.
    assert (await sam.next_message()).text == (
        "Anna werkt nu niet.\n"
        "Ik stuur Anna en een andere coach een melding.\n"
        "Ik laat het je weten als iemand het heeft gezien.\n"
        "Is er nu gevaar? Bel dan 112."
    )
    assert (await anna.next_message()).text.startswith("🔴 NOODKNOP – Sam")
    assert (await bram.next_message()).text.startswith("🔴 NOODKNOP – Sam")
    assert "escalated_off_hours" in _events(world)


async def test_a_coach_who_blocked_the_bot_is_escalated_past_at_once(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    anna.block()
    await _press(sam)
    escalated = await bram.next_message()
    assert "Kun jij Sam bellen?" in escalated.text
    assert "undeliverable" in _events(world)


async def test_nobody_reachable_means_the_emergency_numbers_at_once(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    anna.block()
    await _press(sam)
    assert (await sam.next_message()).text == "Ik kan nu geen coach bereiken.\nJe kunt zelf bellen."
    assert (await sam.next_message()).text == "Is er gevaar? Bel 112."
    assert "0800-0113" in (await sam.next_message()).text
    assert "huisartsenpost" in (await sam.next_message()).text
    assert _alert(world).emergency_sent_at == world.clock.now()


async def test_telegram_429_and_500_do_not_stop_the_alert(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    world.sandbox.faults.fail(
        method="sendMessage", status=429, retry_after=1, times=1, chat_id=anna.id
    )
    world.sandbox.faults.fail(method="sendMessage", status=500, times=1, chat_id=anna.id)
    await _press(sam)
    alert = await anna.next_message(timeout=10)
    assert alert.text.startswith("🔴 NOODKNOP – Sam")
    await world.drain()
    assert sum(1 for m in anna.inbox if (m.text or "").startswith("🔴 NOODKNOP")) == 1


async def test_an_alert_survives_a_crash_before_delivery(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    await world.service.worker.stop()  # the delivery side dies right after the press is stored
    await _press(sam)
    await world.settle()  # no drain: the worker is down, so nothing can be sent
    assert not any((m.text or "").startswith("🔴") for m in anna.inbox)
    assert world.pending_outbox(), "the alert waits in the outbox"
    await world.stop()
    world.clock.advance(timedelta(minutes=6))  # the bot was down for six minutes
    await world.start()
    assert (await anna.next_message()).text.startswith("🔴 NOODKNOP – Sam")
    await world.tick()  # the escalation clock ran from the press, not from the restart
    assert (await anna.next_message()).text.startswith("⏰ Nog niet opgepakt")


async def test_pressed_by_accident_tells_the_coach_and_stops_escalation(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    await _press(sam)
    await anna.next_message()
    await sam.press("↩️ Per ongeluk gedrukt")
    assert (await sam.next_message()).text.startswith("Is alles goed?")  # asked once more
    await sam.press("✅ Ja, per ongeluk")
    assert (await sam.next_message()).text.startswith(
        "Oké. Ik zeg tegen Anna dat het per ongeluk was."
    )
    told = await anna.next_message()
    assert told.text.startswith("↩️ Sam zegt: per ongeluk gedrukt.")
    assert told.buttons[0] == ["📞 Gesproken"]
    world.clock.advance(timedelta(minutes=20))
    await world.tick()
    await world.drain()
    assert not any("113" in (m.text or "") for m in sam.inbox)
    stored = _alert(world)
    assert stored.accidental and stored.closed_at is None, "the record is kept"
    await anna.press("🙈 Vals alarm")
    await world.settle()
    assert _alert(world).outcome == "false_alarm"


async def test_pressing_again_after_by_accident_starts_the_clock_again(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    await _press(sam)
    await anna.next_message()
    await sam.press("↩️ Per ongeluk gedrukt")
    await sam.next_message()
    await sam.press("✅ Ja, per ongeluk")
    await sam.next_message()
    await anna.next_message()
    world.clock.advance(timedelta(minutes=1))
    await sam.tap_keyboard("🔴 Noodknop")  # it was not an accident after all
    assert (await sam.next_message()).text.startswith("Je melding staat nog aan.")
    assert (await anna.next_message()).text.startswith("🔴 NOODKNOP – Sam drukte nog een keer")
    await world.drain()
    assert not _alert(world).accidental
    world.clock.advance(timedelta(minutes=15))
    await world.tick()
    assert (await anna.next_message()).text.startswith("⏰ Nog niet opgepakt")
    assert "Bel 112." in (await sam.next_message()).text


async def test_pressing_again_adds_to_the_open_alert(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    await _press(sam)
    await anna.next_message()
    world.clock.advance(timedelta(seconds=40))
    await sam.tap_keyboard("🔴 Noodknop")
    assert (await sam.next_message()).text.startswith("Je melding staat nog aan.")
    again = await anna.next_message()
    assert again.text == "🔴 NOODKNOP – Sam drukte nog een keer (2e keer, 10:00)."
    await sam.send_text("/nood")
    await sam.next_message()
    await anna.next_message()
    await world.drain()
    with world.database.transaction() as session:
        assert len(list(session.exec(select(Alert)))) == 1
    assert _alert(world).presses == 3


async def test_reason_and_location_reach_the_coach(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    await _press(sam)
    await anna.next_message()
    await sam.press("😟 Ik voel me slecht")
    assert (await sam.next_message()).text == "Dank je. Ik heb het aan Anna doorgegeven."
    assert (await anna.next_message()).text == "ℹ️ Sam zegt: ik voel me slecht."
    await sam.tap_keyboard("📍 Stuur waar ik ben", latitude=51.81, longitude=4.66)
    assert (await sam.next_message()).text == "Ik heb Anna laten zien waar je bent."
    assert (await anna.next_message()).text.startswith("📍 Sam stuurt waar die nu is")
    location = await anna.next_message()
    assert location.kind == "location" and location.copied_from is not None
    with world.database.transaction() as session:
        assert "latitude" not in str(list(session.exec(select(OutboxMessage))))
    assert _alert(world).reason == "bad"


async def test_forged_and_stale_acknowledgements_change_nothing(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    bram = await world.coach("Bram")  # not Sam's coach and not a backup
    await _press(sam)
    alert_message = await anna.next_message()
    alert_id = _alert(world).id
    await bram.press_data(1, f"al:{alert_id}:ack")
    await sam.press_data(1, f"al:{alert_id}:ack")
    await sam.press_data(1, f"al:{alert_id}:close:talked")
    await bram.press_data(1, f"nk:{alert_id}:accident")
    await bram.press_data(1, "al:99999999:ack")
    await bram.press_data(1, "al:1:ack:extra:parts")
    await world.settle()
    stored = _alert(world)
    assert (stored.acknowledged_at, stored.closed_at, stored.accidental) == (None, None, False)
    assert [a.text for a in bram.callback_answers] == ["Deze knop werkt niet meer."] * 4
    assert [a.text for a in sam.callback_answers[-2:]] == ["Deze knop werkt niet meer."] * 2
    await world.drain()
    assert not any("belt je" in (m.text or "") for m in sam.inbox)

    await anna.press("✅ Ik bel nu", message=alert_message)
    await sam.next_message()
    await anna.next_message()
    await anna.press("📞 Gesproken")
    await anna.press_data(alert_message.message_id, f"al:{alert_id}:ack")
    await world.settle()
    assert anna.callback_answers[-1].text == "Deze melding is al gesloten."


async def test_an_alert_goes_before_a_large_fan_out(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    crowd = world.fan_out(300)
    world.service.worker.wake()
    await crowd[5].next_message(timeout=10)  # the fan-out is under way
    await _press(sam)
    await anna.next_message(timeout=10)
    still_waiting = sum(1 for person in crowd if not person.inbox)
    assert still_waiting > 100, f"the alert waited for the fan-out ({still_waiting} left)"


async def test_a_team_group_chat_can_pick_up_an_escalated_alert(world: World) -> None:
    anna, sam = await _coach_and_client(world)
    bram = await world.coach("Bram")
    outsider = world.sandbox.user(first_name="Buitenstaander")
    team = world.sandbox.group("Team Noord", members=[bram, outsider])
    admin.add_backup(
        world.database, coach_id=world.coach_id(anna), group_chat_id=team.id, now=world.clock.now()
    )
    await _press(sam)
    await anna.next_message()
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    in_group = await team.next_message()
    assert "Kun jij Sam bellen?" in in_group.text
    assert (await sam.next_message()).text.startswith("Anna reageert nog niet.")

    await team.press("✅ Ik bel nu", sender=outsider)  # not a coach: changes nothing
    await world.drain()
    assert _alert(world).acknowledged_at is None
    await team.press("✅ Ik bel nu", sender=bram)
    assert (await sam.next_message()).text == "Bram heeft je melding gezien.\nBram belt je zo."
    assert _alert(world).acknowledged_by == world.coach_id(bram)


async def test_two_instances_never_escalate_the_same_alert_twice(world: World) -> None:
    if not world.database.is_postgresql:
        pytest.skip("row locks between instances are PostgreSQL's; SQLite runs one instance")
    anna, sam = await _coach_and_client(world)
    await _press(sam)
    await anna.next_message()
    await world.drain()  # the delivery is noted before the other instance takes the alert
    world.clock.advance(timedelta(minutes=6))
    other_instance = Database(world.database.url)
    try:
        with other_instance.transaction() as session:
            held = alert_store.lock_alert(session, _alert(world).id or 0)
            assert held is not None
            await world.tick()  # this instance skips what the other one is handling
            await world.drain()
            assert not any((m.text or "").startswith("⏰") for m in anna.inbox)
    finally:
        other_instance.dispose()
    await world.tick()
    assert (await anna.next_message()).text.startswith("⏰ Nog niet opgepakt")
    await world.tick()
    await world.drain()
    assert sum((m.text or "").startswith("⏰") for m in anna.inbox) == 1
