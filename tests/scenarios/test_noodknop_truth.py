"""Every noodknop sentence is true when it is said (issue 14, points 2, 3 and 4): the real bot
through the sandbox, a fixed clock, both databases.

For each promise about another person ("Anna weet het al", "Je melding blijft aan", "Ik laat
het je weten als Anna het heeft gezien") the branch where it is true and the branch where it
must not be said; the client hears an honest update whenever something changes, and the
emergency numbers one per message; "by accident" is asked once more, can be taken back, and a
reason can be changed. Every negative assertion comes after ``world.drain()``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SimUser

from storage import alerts as alert_store
from storage.models import Alert, OutboxMessage
from storage.outbox import Priority
from tests.scenarios.conftest import World

SENT = (
    "Ik stuur Anna nu een melding.\n"
    "Ik laat het je weten als Anna het heeft gezien.\n"
    "Is er nu gevaar? Bel dan 112."
)
WHAT = "Wat is er aan de hand?\nKies als je wilt. Het hoeft niet."
READ_ALOUD = [["🔊 Voorlezen"]]
NUMBERS = [
    "Is er gevaar? Bel 112.",
    "Denk je aan zelfmoord? Bel 0800-0113.\nDat is gratis, dag en nacht.",
    "Dokter nodig in de avond of het weekend?\n"
    "Bel de huisartsenpost: het nummer hoor je bij je eigen huisarts.",
]


# How many messages each client had read when they joined: a promise is looked for in what
# came after (the consent itself says, truly, that another coach may see an alert).
_JOINED: dict[int, int] = {}


async def _anna_and_sam(world: World) -> tuple[SimUser, SimUser]:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    _JOINED[sam.id] = len(sam.inbox)
    return anna, sam


async def _press(sam: SimUser) -> str:
    """Sam presses the noodknop; returns what Sam reads first (the reasons question follows)."""
    await sam.tap_keyboard("🔴 Noodknop")
    first = (await sam.next_message()).text or ""
    assert (await sam.next_message()).text == WHAT
    return first


async def _read(person: SimUser, count: int) -> list[str]:
    return [(await person.next_message()).text or "" for _ in range(count)]


def _all_texts(person: SimUser) -> str:
    """Everything the person read since joining."""
    return "\n".join(m.text or "" for m in person.inbox[_JOINED.get(person.id, 0) :])


def _off_on_mondays(world: World, coach: SimUser) -> None:
    """The fixed clock says Monday 10:00 in Amsterdam; this coach works Tuesday to Friday."""
    world.set_hours(coach, "2345")


def _alert(world: World) -> Alert:
    with world.database.transaction() as session:
        return session.exec(select(Alert)).one()


def _events(world: World) -> list[str]:
    with world.database.transaction() as session:
        return [e.kind for e in alert_store.events_of(session, _alert(world).id or 0)]


# -- point 2: who is asked, said only when it is so ------------------------------------------


async def test_the_sixth_press_never_says_anna_knows_while_nobody_picked_it_up(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    assert await _press(sam) == SENT
    for press in range(2, 7):
        await sam.tap_keyboard("🔴 Noodknop")
        said = (await sam.next_message()).text or ""
        if press <= 5:
            assert said.startswith("Je melding staat nog aan.\nIk heb Anna nog een keer")
    # The sixth press: the team is not told again, and nobody acknowledged.
    assert said == (
        "Je melding staat nog aan.\n"
        "Ik heb Anna al een melding gestuurd.\n"
        "Anna heeft nog niet gereageerd.\n"
        "Is er nu gevaar? Bel dan 112."
    )
    await world.drain()
    assert "weet het al" not in _all_texts(sam)
    assert sum((m.text or "").startswith("🔴 NOODKNOP – Sam drukte") for m in anna.inbox) == 4

    # Once Anna picked it up, that she has seen it is recorded, and may be said.
    await anna.press("✅ Ik bel nu")
    assert (await sam.next_message()).text == "Anna heeft je melding gezien.\nAnna belt je zo."
    await sam.tap_keyboard("🔴 Noodknop")
    assert (await sam.next_message()).text == (
        "Anna heeft je melding al gezien.\nAnna belt je zo.\n\nIs er nu gevaar? Bel dan 112."
    )


async def test_outside_annas_hours_the_client_is_told_who_is_asked_instead(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    _off_on_mondays(world, anna)
    assert await _press(sam) == (
        "Anna werkt nu niet.\n"
        "Ik stuur Anna en een andere coach een melding.\n"
        "Ik laat het je weten als iemand het heeft gezien.\n"
        "Is er nu gevaar? Bel dan 112."
    )
    assert (await bram.next_message()).text.startswith("🔴 NOODKNOP – Sam")
    await world.drain()
    assert "als Anna het heeft gezien" not in _all_texts(sam)
    await bram.press("✅ Ik bel nu")
    assert (await sam.next_message()).text == "Bram heeft je melding gezien.\nBram belt je zo."


async def test_outside_annas_hours_without_a_backup_nobody_else_is_promised(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    _off_on_mondays(world, anna)
    assert await _press(sam) == (
        "Anna werkt nu niet.\n"
        "Ik stuur Anna toch een melding.\n"
        "Misschien ziet Anna het pas later.\n"
        "Ik laat het je weten als Anna het heeft gezien.\n"
        "Is er nu gevaar? Bel dan 112."
    )
    await world.drain()
    assert "andere coach" not in _all_texts(sam) and "iemand" not in _all_texts(sam)


async def test_in_annas_hours_she_is_not_said_to_be_off(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    assert await _press(sam) == SENT
    await world.drain()
    assert "werkt nu niet" not in _all_texts(sam) and bram.unread == []


async def test_i_cannot_with_no_backup_never_says_the_alert_stays_on(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await _press(sam)
    await anna.next_message()
    await anna.press("↪️ Ik kan niet, geef door")
    assert (await anna.next_message()).text == (
        "Er is niemand anders meer om te vragen. Ik stuur Sam nu de noodnummers."
    )
    assert await _read(sam, 4) == [
        "Anna kan nu niet.\nIk kan nu geen andere coach vragen.",
        *NUMBERS,
    ]
    await world.drain()
    assert "blijft aan" not in _all_texts(sam)
    assert "passed_on" in _events(world) and _alert(world).emergency_sent_at == world.clock.now()
    # Anna said she cannot: the clock does not remind her, nor say anything new to Sam.
    world.clock.advance(timedelta(minutes=20))
    await world.tick()
    await world.drain()
    assert anna.unread == [] and sam.unread == []


async def test_i_cannot_while_a_backup_has_it_stays_on_for_them(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    _off_on_mondays(world, anna)  # Bram was told at once
    await _press(sam)
    await anna.next_message()
    await bram.next_message()
    await anna.press("↪️ Ik kan niet, geef door")
    assert (await sam.next_message()).text == (
        "Anna kan nu niet.\n"
        "Je melding blijft aan voor een andere coach.\n"
        "Ik laat het je weten als iemand het heeft gezien.\n"
        "Is er gevaar? Bel 112."
    )
    await world.drain()
    assert "0800-0113" not in _all_texts(sam), "Bram is still asked: the numbers wait"
    # Bram cannot either: now nobody is left, and that is what Sam hears.
    await bram.press("↪️ Ik kan niet, geef door")
    assert await _read(sam, 4) == [
        "Bram kan nu niet.\nIk kan nu geen andere coach vragen.",
        *NUMBERS,
    ]
    await world.drain()
    assert sum("blijft aan" in (m.text or "") for m in sam.inbox) == 1


async def test_the_huisartsenpost_number_is_the_organisations_setting(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    world.settings.huisartsenpost_number = "0900-1515"
    anna.block()  # nobody can be reached: the numbers come at once
    await _press(sam)
    said = await _read(sam, 4)
    assert said[0] == "Ik kan nu geen coach bereiken.\nJe kunt zelf bellen."
    assert said[3] == "Dokter nodig in de avond of het weekend?\nBel de huisartsenpost: 0900-1515."
    await world.drain()
    assert "eigen huisarts" not in _all_texts(sam) and "blijft aan" not in _all_texts(sam)


# -- point 3: an honest update when something changes; the numbers one by one ------------------


async def test_the_client_hears_when_a_backup_is_asked_and_not_before(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    await _press(sam)
    await anna.next_message()
    world.clock.advance(timedelta(minutes=4, seconds=59))
    await world.tick()
    await world.drain()
    assert sam.unread == [], "nothing changed yet"

    world.clock.advance(timedelta(seconds=1))
    await world.tick()
    update = await sam.next_message()
    assert update.text == (
        "Anna reageert nog niet.\nIk vraag nu ook een andere coach.\nIs er gevaar? Bel 112."
    )
    assert update.buttons == READ_ALOUD
    assert "Kun jij Sam bellen?" in ((await bram.next_message()).text or "")

    world.clock.advance(timedelta(minutes=10))
    await world.tick()
    lead = await sam.next_message()
    assert lead.text == (
        "Nog niemand heeft je melding opgepakt.\nJe melding blijft aan.\nJe kunt ook zelf bellen."
    )
    for expected in NUMBERS:
        number = await sam.next_message()
        assert number.text == expected
        assert number.buttons == READ_ALOUD, "each number can be heard on its own"
    with world.database.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == sam.id, col(OutboxMessage.text_key).like("%number%"))
            .order_by(col(OutboxMessage.id))
        ).all()
        assert [r.priority for r in rows] == [Priority.ALERT] * 3


async def test_without_a_backup_the_update_names_nobody_else(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await _press(sam)
    await anna.next_message()
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    assert (await sam.next_message()).text == (
        "Anna reageert nog niet.\nIk stuur Anna nog een melding.\nIs er gevaar? Bel 112."
    )
    assert (await anna.next_message()).text.startswith("⏰ Nog niet opgepakt")
    await world.drain()
    assert "andere coach" not in _all_texts(sam) and sam.unread == []


async def test_a_blocked_coach_is_named_as_unreachable_and_the_backup_as_asked(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    anna.block()
    assert await _press(sam) == SENT  # true when said: the alert was on its way to Anna
    assert (await sam.next_message()).text == (
        "Ik kan Anna nu niet bereiken.\nIk vraag nu een andere coach.\nIs er gevaar? Bel 112."
    )
    assert "Kun jij Sam bellen?" in ((await bram.next_message()).text or "")
    await world.drain()
    assert "0800-0113" not in _all_texts(sam)


# -- point 4: one slip does not silence the escalation ---------------------------------------


async def test_by_accident_is_asked_once_more_and_no_keeps_the_escalation(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await _press(sam)
    await anna.next_message()
    await sam.press("↩️ Per ongeluk gedrukt")
    check = await sam.next_message()
    assert check.text == "Is alles goed?\nWas het per ongeluk?"
    assert check.buttons == [
        ["✅ Ja, per ongeluk"],
        ["🔴 Nee, ik heb hulp nodig"],
        ["🔊 Voorlezen"],
    ]
    await world.drain()
    assert anna.unread == [], "nothing counts before the client is sure"
    assert not _alert(world).accidental

    await sam.press("🔴 Nee, ik heb hulp nodig")
    assert (await sam.next_message()).text == (
        "Oké. Je melding staat nog aan.\n"
        "Ik laat het je weten als iemand het heeft gezien.\n"
        "Is er nu gevaar? Bel dan 112."
    )
    assert (await sam.next_message()).text == WHAT
    world.clock.advance(timedelta(minutes=15))
    await world.tick()
    assert (await anna.next_message()).text.startswith("⏰ Nog niet opgepakt")
    said = await _read(sam, 5)  # the escalation went on: the update, then the numbers
    assert said[0].startswith("Anna reageert nog niet.") and said[2:] == NUMBERS
    await world.drain()
    assert not any("per ongeluk" in (m.text or "") for m in anna.inbox)


async def test_by_accident_can_be_taken_back_and_the_clock_runs_again(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await _press(sam)
    await anna.next_message()
    await sam.press("↩️ Per ongeluk gedrukt")
    await sam.next_message()
    await sam.press("✅ Ja, per ongeluk")
    called_off = await sam.next_message()
    assert called_off.text == (
        "Oké. Ik zeg tegen Anna dat het per ongeluk was.\n"
        "Heb je Anna toch nodig? Druk dan op de knop hieronder."
    )
    assert called_off.buttons == [["🔴 Toch hulp nodig"], ["🔊 Voorlezen"]]
    assert (await anna.next_message()).text.startswith("↩️ Sam zegt: per ongeluk gedrukt.")
    await world.drain()
    assert _alert(world).accidental

    world.clock.advance(timedelta(minutes=2))
    await sam.press("🔴 Toch hulp nodig")
    assert (await sam.next_message()).text.startswith("Oké. Je melding staat weer aan.")
    assert (await sam.next_message()).text == WHAT
    back = await anna.next_message()
    assert back.text == (
        "🔴 NOODKNOP – Sam zegt nu: toch niet per ongeluk, ik heb hulp nodig.\n"
        "Bel Sam zo snel mogelijk.\n"
        "📞 +31 6 12345678"
    )
    assert back.buttons == [["✅ Ik bel nu"], ["↪️ Ik kan niet, geef door"]]
    await world.drain()
    stored = _alert(world)
    assert (stored.accidental, stored.reason) == (False, None)
    assert "accident_taken_back" in _events(world)
    world.clock.advance(timedelta(minutes=3))
    await world.tick()
    assert (await anna.next_message()).text.startswith("⏰ Nog niet opgepakt")
    assert (await sam.next_message()).text.startswith("Anna reageert nog niet.")


async def test_still_needing_help_after_the_alert_was_closed_raises_a_new_one(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await _press(sam)
    await anna.next_message()
    await sam.press("↩️ Per ongeluk gedrukt")
    await sam.next_message()
    await sam.press("✅ Ja, per ongeluk")
    called_off = await sam.next_message()
    await anna.wait_for(lambda m: (m.text or "").startswith("↩️ Sam zegt: per ongeluk"))
    await anna.press("🙈 Vals alarm")
    await world.drain()
    assert _alert(world).closed_at is not None
    assert ((await sam.next_message()).text or "").startswith("Je melding is afgesloten.")
    assert (await sam.next_message()).text == "Heb je hulp nodig? Druk dan op 🔴 Noodknop."
    world.clock.advance(timedelta(minutes=30))

    await sam.press("🔴 Toch hulp nodig", called_off)  # the old button, under a closed alert

    assert (await sam.next_message()).text == SENT
    new = await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    assert "drukte om 10:30 op de noodknop" in (new.text or "")
    await world.drain()
    with world.database.transaction() as session:
        alerts = session.exec(select(Alert).order_by(col(Alert.id))).all()
        assert [a.closed_at is None for a in alerts] == [False, True]


async def test_a_chosen_reason_can_be_changed(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await _press(sam)
    await anna.next_message()
    await sam.press("😟 Ik voel me slecht")
    thanks = await sam.next_message()
    assert thanks.text == "Dank je. Ik heb het aan Anna doorgegeven."
    assert thanks.buttons == [["✏️ Ander antwoord kiezen"], ["🔊 Voorlezen"]]
    assert (await anna.next_message()).text == "ℹ️ Sam zegt: ik voel me slecht."
    await sam.press("✏️ Ander antwoord kiezen")
    assert (await sam.next_message()).text == WHAT
    await sam.press("🧭 Ik ben de weg kwijt")
    assert (await sam.next_message()).text == "Dank je. Ik heb het aan Anna doorgegeven."
    assert (await anna.next_message()).text == (
        "ℹ️ Sam kiest een ander antwoord: ik ben de weg kwijt."
    )
    await world.drain()
    assert _alert(world).reason == "lost"
    assert [e for e in _events(world) if e.startswith("reason:")] == ["reason:bad", "reason:lost"]
