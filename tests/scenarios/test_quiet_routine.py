"""Routine does not drown out alerts: the real bot through the sandbox, both databases.

Routine notices arrive without a sound (``disable_notification``, recorded by the sandbox as
``silent``); a noodknop and words of danger always ring; one check-in rings the coach once at
most, its signals in one note with one-tap actions. A client who was told "Ik heb Anna
gevraagd om je te bellen" hears "Anna belt je zo" only once Anna tapped "📞 Ik bel"; a forged,
foreign or stale tap changes nothing; "📞 Ik bel" only when the bot has Sam's phone number.
The coach's welcome says how to keep alerts loud.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

from storage.models import AuditEvent, CheckinSchedule, CheckinSignal
from tests.scenarios.conftest import World, token_of

CALLS = "Anna belt je zo."
WRITES = "Anna stuurt je zo een bericht."
NOT_CURRENT = "Deze melding is niet meer actueel. Er is niets veranderd."
ACTIONS = [["📞 Ik bel", "💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]


async def _anna_and_sam(world: World) -> tuple[SimUser, SimUser]:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    anna.mark_read()
    sam.mark_read()
    return anna, sam


async def _checkin(sam: SimUser, grade: str, *, area: str | None, call: str) -> SentMessage:
    """Sam answers a check-in from the menu; returns the thank-you."""
    await sam.tap_keyboard("📋 Hoe gaat het?")
    await sam.wait_for(lambda m: ["1", "2", "3", "4", "5"] in m.buttons)
    await sam.press(grade)
    await sam.wait_for(lambda m: (m.text or "").startswith("Heb je ergens hulp bij nodig?"))
    await sam.press("Ja" if area else "Nee")
    if area:
        await sam.wait_for(lambda m: (m.text or "").startswith("Waarbij wil je hulp?"))
        await sam.press(area)
    await sam.wait_for(lambda m: (m.text or "").startswith("Wil je dat Anna je belt?"))
    await sam.press(call)
    return await sam.wait_for(lambda m: (m.text or "").startswith("Dank je wel"))


def _actions_stored(world: World) -> list[tuple[str, str, int | None]]:
    with world.database.transaction() as session:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).startswith("signal."))
            .order_by(col(AuditEvent.id))
        )
        return [(e.actor, e.action, e.subject_id) for e in events]


def _client_id(world: World) -> int:
    with world.database.transaction() as session:
        return session.exec(select(CheckinSignal.client_id)).first() or 0


async def test_the_welcome_tells_the_coach_how_to_keep_alerts_loud(world: World) -> None:
    anna = world.sandbox.user(first_name="Anna")
    await anna.open_deep_link(token_of(world.coach_link("Anna")))
    welcome = await anna.next_message()
    assert welcome.text is not None and welcome.text.startswith("Welkom Anna.")
    assert (
        "Zet deze chat niet op stil: dan hoor je ook een noodknop niet. Gewone meldingen "
        "stuur ik al zonder geluid, alleen wat aandacht vraagt maakt geluid."
    ) in welcome.text


async def test_routine_notices_arrive_silently(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")  # Anna reads who joined on the way
    await world.drain()
    opened, joined, shared = anna.inbox[-3:]
    assert (opened.text or "").startswith("De link voor Sam is geopend door")
    assert not opened.silent, "a wrong account opening the link must be noticed"
    assert (joined.text or "").startswith("Sam doet mee: Sam gaf toestemming.")
    assert (shared.text or "").startswith("📞 Sam deelde een telefoonnummer")
    assert joined.silent and shared.silent, "the rest of joining is routine: one push"
    await world.drain()
    sam.mark_read()
    await anna.send_text("/pauze Sam")
    await anna.next_message()
    await world.drain()
    [paused] = sam.unread
    assert paused.text is not None and paused.text.startswith("De vragen staan even op pauze.")
    assert paused.silent, "a paused rhythm is routine"


async def test_a_relayed_message_rings_once_and_seen_is_silent(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("Ik heb een brief gekregen")
    await sam.wait_for(lambda m: m.text == "Wil je dit naar Anna sturen?")
    await sam.press("Ja, stuur het")
    header = await anna.wait_for(lambda m: m.text == "💬 Bericht van Sam:")
    copy = await anna.next_message()
    assert copy.is_copy
    assert (header.silent, copy.silent) == (False, True), "one push per message"
    await world.drain()
    await anna.press("✓ Gezien", copy)
    seen = await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft je bericht gezien"))
    assert seen.silent, "seen is routine"


async def test_a_normal_checkin_tells_the_coach_nothing(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    thanks = await _checkin(sam, "8", area=None, call="Nee")
    assert thanks.text == "Dank je wel voor je antwoorden!\nAnna kan ze nu zien."
    await world.drain()
    assert anna.unread == [], "an ordinary check-in is no push for the coach"


async def test_the_noodknop_and_words_of_danger_always_ring(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("Ik wil dood")
    header = await anna.next_message()
    words = await anna.next_message()
    assert words.text == "Ik wil dood"
    assert not header.silent and not words.silent
    await sam.tap_keyboard("🔴 Noodknop")
    alert = await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    assert not alert.silent


async def test_one_checkin_rings_the_coach_once(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    thanks = await _checkin(sam, "3", area="Werk", call="Ja")
    assert thanks.text == "Dank je wel voor je antwoorden!\nIk heb Anna gevraagd om je te bellen."
    await world.drain()
    [note] = anna.unread  # three signals, one message
    assert note.text == (
        "Check-in van Sam:\n"
        "Sam gaf een 3 voor hoe het gaat.\n"
        "Sam wil hulp bij: Werk.\n"
        "Sam wil graag dat je belt."
    )
    assert not note.silent and note.buttons == ACTIONS
    assert world.count(CheckinSignal) == 3, "each signal is still stored on its own"


async def test_i_will_call_is_told_to_the_client_only_after_the_tap(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await _checkin(sam, "7", area=None, call="Ja")
    note = await anna.wait_for(lambda m: m.text == "Sam wil graag dat je belt.")
    assert note.buttons == ACTIONS and not note.silent
    [[call, message], [done]] = note.button_data
    await world.drain()
    assert not any(m.text == CALLS for m in sam.inbox), "not before Anna said so"
    assert _actions_stored(world) == []

    await anna.press("📞 Ik bel", note)
    told = await anna.next_message()
    assert told.text == "Genoteerd: jij belt Sam. Ik laat Sam weten dat je zo belt."
    assert told.buttons == [["✅ Afgehandeld"]]
    assert (await sam.wait_for(lambda m: m.text == CALLS)).text == CALLS
    client_id = _client_id(world)
    assert _actions_stored(world) == [("coach:1", "signal.call", client_id)]
    await world.drain()
    assert note.edited and note.buttons == [], "the note shows what Anna chose"

    # Handled: recorded, and the client hears nothing about it.
    sam.mark_read()
    world.clock.advance(timedelta(minutes=20))
    await anna.press("✅ Afgehandeld", told)
    assert (await anna.next_message()).text == (
        "Genoteerd als afgehandeld. Sam krijgt hier geen bericht over."
    )
    await world.drain()
    assert sam.unread == []
    assert [a for _, a, _ in _actions_stored(world)] == ["signal.call", "signal.done"]

    # Stale: the same taps again change nothing and tell nobody anything.
    for data in (call, message, done):
        await anna.press_data(note, data)
        await world.settle()
        assert anna.callback_answers[-1].text == NOT_CURRENT
    await world.drain()
    assert sam.unread == [] and anna.unread == []
    assert len(_actions_stored(world)) == 2


async def test_i_will_send_a_message_tells_the_client_and_the_next_words_go_to_them(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await _checkin(sam, "2", area=None, call="Nee")
    note = await anna.wait_for(lambda m: m.text == "Sam gaf een 2 voor hoe het gaat.")
    await anna.press("💬 Ik stuur een bericht", note)
    asked = await anna.next_message()
    assert asked.text is not None and asked.text.startswith(
        "Genoteerd: jij stuurt Sam een bericht. Ik laat Sam weten dat het eraan komt.\n\n"
        "Wat wil je naar Sam sturen?"
    )
    assert asked.buttons == [["✅ Afgehandeld"]]
    assert (await sam.wait_for(lambda m: m.text == WRITES)).text == WRITES
    await anna.send_text("Hoi Sam, ik bel je morgen even.")
    await sam.wait_for(lambda m: "Hoi Sam, ik bel je morgen even." in (m.text or ""))
    assert not any(m.text == CALLS for m in sam.inbox), "only what Anna chose"
    assert [a for _, a, _ in _actions_stored(world)] == ["signal.message"]


async def test_forged_and_foreign_signal_taps_change_nothing(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bert = await world.coach("Bert")
    await world.client(bert, "Kim")
    await world.drain()
    bert.mark_read()
    await _checkin(sam, "7", area=None, call="Ja")
    note = await anna.wait_for(lambda m: m.text == "Sam wil graag dat je belt.")
    call = note.button_data[0][0]
    signal_id = int(call.split(":")[1])
    own = bert.inbox[-1]  # any message in Bert's own chat carries the forged press
    for data in (call, f"sg:{signal_id}:done"):  # Sam is not Bert's client
        await bert.press_data(own, data)
        await world.settle()
        assert bert.callback_answers[-1].text == NOT_CURRENT
    elsewhere = anna.inbox[0]  # a forged press on the note itself would close its buttons
    for data in (f"sg:{signal_id + 1000}:call", "sg:0:call", f"sg:{signal_id}:dance", "sg:x"):
        await anna.press_data(elsewhere, data)
        await world.settle()
        assert anna.callback_answers[-1].text == NOT_CURRENT, data
    # A client forging a coach's button gets nothing either.
    await sam.press_data(sam.inbox[-1], call)
    await world.drain()
    assert not any(m.text == CALLS for m in sam.inbox)
    assert _actions_stored(world) == []
    assert bert.unread == [] and anna.unread == []
    # Anna's own tap still works after all that.
    await anna.press("📞 Ik bel", note)
    assert (await sam.wait_for(lambda m: m.text == CALLS)).text == CALLS


NO_PHONE = (
    "Van Sam is geen telefoonnummer bewaard. Daarom zeg ik Sam niet dat je belt. "
    "Bewaren: /telefoon Sam en dan het nummer."
)
NO_PHONE_SHORT = "Geen telefoonnummer bewaard. Er is niets veranderd."


async def test_without_a_phone_number_the_coach_is_not_offered_i_will_call(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)  # "Liever niet"
    await world.drain()
    anna.mark_read()
    sam.mark_read()
    thanks = await _checkin(sam, "7", area=None, call="Ja")
    assert thanks.text == "Dank je wel voor je antwoorden!\nIk heb Anna gevraagd om je te bellen."
    note = await anna.wait_for(lambda m: (m.text or "").startswith("Sam wil graag dat je belt."))
    assert note.text == (  # why there is no 📞 Ik bel (test_coach_dead_ends.py)
        "Sam wil graag dat je belt.\n"
        "Geen 📞 Ik bel: van Sam is geen telefoonnummer bewaard. "
        "Bewaren: /telefoon Sam en dan het nummer."
    )
    assert note.buttons == [["💬 Ik stuur een bericht"], ["✅ Afgehandeld"]], "no 📞 Ik bel"
    [[message], _] = note.button_data
    signal_id = int(message.split(":")[1])
    # A forged "📞 Ik bel" for this signal: Sam is not told Anna will call, nothing is stored;
    # Anna hears why, with the taps that still count.
    await anna.press_data(note, f"sg:{signal_id}:call")
    why = await anna.next_message()
    assert why.text == NO_PHONE
    assert why.buttons == [["💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]
    await world.drain()
    assert anna.callback_answers[-1].text == NO_PHONE_SHORT
    assert not any(m.text == CALLS for m in sam.inbox)
    assert _actions_stored(world) == [] and anna.unread == []
    # The taps she was offered still work.
    await anna.press("💬 Ik stuur een bericht", why)
    assert (await sam.wait_for(lambda m: m.text == WRITES)).text == WRITES
    assert [a for _, a, _ in _actions_stored(world)] == ["signal.message"]


async def test_i_will_call_under_an_old_note_after_the_number_was_removed_tells_nobody(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)  # Sam shared a number
    await _checkin(sam, "7", area=None, call="Ja")
    note = await anna.wait_for(lambda m: m.text == "Sam wil graag dat je belt.")
    assert note.buttons == ACTIONS
    await anna.send_text("/telefoon Sam weg")
    removed = await anna.next_message()
    assert (removed.text or "").startswith("Het telefoonnummer van Sam is weggehaald.")
    await anna.press("📞 Ik bel", note)
    why = await anna.next_message()
    assert why.text == NO_PHONE
    assert why.buttons == [["💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]
    await world.drain()
    assert not any(m.text == CALLS for m in sam.inbox)
    assert _actions_stored(world) == []
    await anna.press("✅ Afgehandeld", why)
    assert (await anna.next_message()).text == (
        "Genoteerd als afgehandeld. Sam krijgt hier geen bericht over."
    )
    await world.drain()
    assert not any(m.text == CALLS for m in sam.inbox)
    assert [a for _, a, _ in _actions_stored(world)] == ["signal.done"]


async def test_two_missed_checkins_ring_once_with_the_same_taps(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    for _ in range(2):
        with world.database.transaction() as session:
            due = session.exec(select(CheckinSchedule.next_due_at)).one()
        assert due is not None
        world.clock.set(due)
        await world.tick()  # the check-in is sent
        world.clock.advance(timedelta(hours=4))
        await world.tick()  # the reminder
        world.clock.advance(timedelta(hours=24))
        await world.tick()  # closed as missed
    await world.drain()
    [note] = [m for m in anna.unread if (m.text or "").startswith("Geen antwoord van Sam")]
    assert not note.silent and note.buttons == ACTIONS
    assert [m for m in anna.unread if m is not note] == [], "nothing else for Anna"
    await anna.press("📞 Ik bel", note)
    assert (await sam.wait_for(lambda m: m.text == CALLS)).text == CALLS
