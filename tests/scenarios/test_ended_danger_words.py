"""A former client's words of danger and help words: end to end, both databases.

Within the grace period after the coach ended the support, words of danger ("ik wil dood")
raise an alert as an active client's do: the former coach gets the alert text with the words
copied under it, first in every queue, and it escalates as usual; the alert says Sam is Anna's
former client and since when ("oud-cliënt van Anna, begeleiding gestopt op 2 november"), never
"cliënt van Anna", to Anna and to every backup asked; the client reads that Anna
gets an alert only because she does. After the grace period nothing is passed on: the client
gets 112 and 113 and reads that nobody gets an alert. Help words in the grace period go to the
former coach as any message then does, under the header that says the support ended.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SimUser

from storage.models import Alert, OutboxMessage, Relay
from storage.outbox import Priority
from tests.scenarios.conftest import World
from tests.scenarios.test_phases_and_ending import end_support

NUMBERS = (
    "Ben je nu in gevaar? Bel 112.\n"
    "Denk je aan zelfmoord? Bel 113.\n"
    "Of bel gratis 0800-0113.\n"
    "Daar is altijd iemand die met je praat."
)
NOBODY = "Daarom krijgt niemand nu een melding."


async def _ended(world: World) -> tuple[SimUser, SimUser]:
    """Anna ended Sam's support; Sam read the goodbye."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await end_support(world, anna)
    await sam.next_message()  # the goodbye
    await world.drain()
    anna.mark_read()
    sam.mark_read()
    return anna, sam


def _alerts(world: World) -> list[Alert]:
    with world.database.transaction() as session:
        return list(session.exec(select(Alert)))


async def test_words_of_danger_in_the_grace_period_raise_an_alert_for_the_former_coach(
    world: World,
) -> None:
    anna, sam = await _ended(world)
    ended_on = world.clock.now()
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.clock.advance(timedelta(days=3))
    at = world.clock.now().astimezone(world.settings.tz).strftime("%H:%M")
    about = (
        f"Sam (oud-cliënt van Anna, begeleiding gestopt op {ended_on.day} november) "
        f"stuurde om {at} woorden die op gevaar of zelfmoordgedachten kunnen wijzen (hieronder).\n"
    )

    await sam.send_text("ik wil dood")
    alert = await anna.next_message()
    assert alert.text == (f"🔴 NOODKNOP – Sam\n{about}Bel Sam zo snel mogelijk.\n📞 +31 6 12345678")
    assert alert.buttons == [["✅ Ik bel nu"], ["↪️ Ik kan niet, geef door"]]
    assert (await anna.next_message()).text == "ik wil dood"  # the copy, under the alert
    await world.drain()
    said = [m.text or "" for m in sam.inbox]
    assert NUMBERS in said
    assert any(t.startswith("Ik stuur Anna nu een melding.") for t in said)
    assert not any(NOBODY in t for t in said)  # an alert is sent: never "nobody gets one"
    [stored] = _alerts(world)
    assert stored.closed_at is None
    with world.database.transaction() as session:
        rows = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.alert_id) == stored.id)
        ).all()
        assert rows and all(row.priority == Priority.ALERT for row in rows)
        assert session.exec(select(Relay)).all() == []  # not an ordinary message

    # While it is open the noodknop is the noodknop again: never "nobody gets an alert".
    sam.mark_read()
    await sam.tap_keyboard("🔴 Noodknop")
    again = await sam.next_message()
    assert NOBODY not in (again.text or "") and "Anna" in (again.text or "")

    # Nobody reacts: escalated as usual, to the backup.
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    asked = await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    assert asked.text == (
        f"🔴 NOODKNOP – Sam\n{about}"
        "Anna heeft nog niet gereageerd. Kun jij Sam bellen?\n"
        "📞 +31 6 12345678"
    )

    # Anna picks it up: Sam reads it, because it is true now.
    sam.mark_read()
    await anna.press("✅ Ik bel nu", alert)
    seen = await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft je melding gezien"))
    assert seen.text == "Anna heeft je melding gezien.\nAnna belt je zo."


async def test_after_the_grace_period_words_of_danger_get_the_numbers_and_reach_nobody(
    world: World,
) -> None:
    anna, sam = await _ended(world)
    world.clock.advance(timedelta(days=31))
    before = len(sam.inbox)
    await sam.send_text("ik wil dood")
    assert (await sam.next_message()).text == NUMBERS
    lead = await sam.next_message()
    assert lead.text == (
        "Je begeleiding bij Waakvlam is gestopt.\n"
        f"{NOBODY}\n"
        "Heb je nu hulp nodig? Bel dan een van deze nummers."
    )
    await world.drain()
    assert sam.unread == []
    assert anna.unread == [] and _alerts(world) == [] and world.count(Relay) == 0
    assert not any("Anna" in (m.text or "") for m in sam.inbox[before:])  # nothing of Anna


async def test_help_words_in_the_grace_period_go_to_the_former_coach_then_not(
    world: World,
) -> None:
    anna, sam = await _ended(world)
    ended_on = world.clock.now()
    world.clock.advance(timedelta(days=3))
    await sam.send_text("hulp")
    said = (await sam.next_message()).text or ""
    assert said.startswith("Ik heb je bericht aan Anna doorgegeven.") and NOBODY not in said
    header = await anna.next_message()
    assert header.text == (
        f"💬 Bericht van Sam (begeleiding beëindigd op {ended_on.day} november):"
    )
    assert (await anna.next_message()).text == "hulp"
    numbers = [(await sam.next_message()).text for _ in range(3)]
    assert numbers[0] == "Is er gevaar? Bel 112."
    await world.drain()
    assert _alerts(world) == [] and world.count(Relay) == 1

    world.clock.advance(timedelta(days=28))
    sam.mark_read()
    await sam.send_text("hulp")
    assert (await sam.next_message()).text == "Is er gevaar? Bel dan 112."
    lead = (await sam.next_message()).text or ""
    assert lead.startswith("Je begeleiding bij Waakvlam is gestopt.") and NOBODY in lead
    await world.drain()
    assert world.count(Relay) == 1 and anna.unread == []


async def test_a_former_clients_alert_closed_leaves_no_noodknop_and_names_112(
    world: World,
) -> None:
    """When the alert a former client's words raised is closed, they read that it is, that
    their support has stopped and 112: never "press the noodknop", which no longer alerts
    anyone for them; their keys go."""
    anna, sam = await _ended(world)
    world.clock.advance(timedelta(days=3))
    await sam.send_text("ik wil dood")
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await anna.press("✅ Ik bel nu")
    await anna.wait_for(lambda m: (m.text or "").startswith("Sluit de melding"))
    await anna.press("📞 Gesproken")
    await world.drain()

    [stored] = _alerts(world)
    assert stored.closed_at is not None and stored.outcome == "talked"
    last = sam.last_message
    assert last is not None and last.text == (
        "Je melding is afgesloten.\n"
        "Je begeleiding bij Waakvlam is gestopt.\n"
        "Is er gevaar? Bel dan altijd 112."
    )
    assert sam.current_keyboard is None  # no noodknop key left that alerts nobody
    assert not any("Druk dan op 🔴 Noodknop" in (m.text or "") for m in sam.inbox)


async def test_a_former_clients_other_keys_during_the_alert_keep_the_noodknop(
    world: World,
) -> None:
    """While the alert a former client's words raised is open, "💬 Bericht aan coach" and
    "📋 Hoe gaat het?" never say "your support stopped" nor take the noodknop and the
    location key away: they say the alert is open, and what is typed next goes with it."""
    anna, sam = await _ended(world)
    world.clock.advance(timedelta(days=3))
    await sam.send_text("ik wil dood")
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await world.drain()
    alert_keys = sam.current_keyboard
    assert alert_keys is not None and ["🔴 Noodknop"] in alert_keys
    assert ["📍 Stuur waar ik ben"] in alert_keys
    sam.mark_read()

    for key in ("💬 Bericht aan coach", "📋 Hoe gaat het?"):
        await sam.tap_keyboard(key)
        told = await sam.next_message()
        assert (
            told.text
            == "Je melding staat nog open.\nTyp gerust wat je kwijt wilt. Ik stuur het mee."
        )
        assert sam.current_keyboard == alert_keys
    await sam.send_text("ik ben thuis")
    await anna.wait_for(lambda m: m.text == "ik ben thuis")
    await world.drain()
    assert not any(NOBODY in (m.text or "") for m in sam.inbox)
    assert not any("is gestopt" in (m.text or "") for m in sam.inbox[-3:])


async def test_a_backup_asked_after_a_pass_reads_that_sam_is_a_former_client(
    world: World,
) -> None:
    """Anna cannot take the alert of her former client Sam, who shared no phone number: Bram
    is asked to send a message, and reads whose client Sam was and since when."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    await end_support(world, anna)
    ended_on = world.clock.now()
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    await world.drain()
    world.clock.advance(timedelta(days=3))
    at = world.clock.now().astimezone(world.settings.tz).strftime("%H:%M")
    about = (
        f"Sam (oud-cliënt van Anna, begeleiding gestopt op {ended_on.day} november) "
        f"stuurde om {at} woorden die op gevaar of zelfmoordgedachten kunnen wijzen (hieronder).\n"
    )

    await sam.send_text("ik wil dood")
    alert = await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    assert alert.text == (
        f"🔴 NOODKNOP – Sam\n{about}"
        "Sam heeft geen telefoonnummer gedeeld. Stuur Sam zo snel mogelijk een bericht."
    )
    await anna.press("↪️ Ik kan niet, geef door", alert)
    asked = await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    assert asked.text == (
        f"🔴 NOODKNOP – Sam\n{about}"
        "Anna kan niet en geeft het door. Kun jij Sam een bericht sturen?\n"
        "Sam heeft geen telefoonnummer gedeeld."
    )
    await world.drain()
    assert not any("(cliënt van Anna)" in (m.text or "") for m in (*anna.inbox, *bram.inbox))
