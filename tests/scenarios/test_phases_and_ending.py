"""Phases, the end of support by the coach, a former client, and reopening: end to end.

The real bot through the sandbox, both databases. A coach sets a phase with one tap (or
/fase Sam waakvlam) and reads the rhythm that fits it; every phase is kept with its date and
who set it. Ending with a reason gives the client a warm goodbye and stops the check-ins; the
noodknop then answers kindly with the emergency numbers, messages reach the former coach for a
grace period, then get a kind answer. /heropen brings the client back with their history.
Another coach's client, a forged id, a stale button: nothing changes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

from bot.texts import load_texts
from storage.models import Alert, AuditEvent, CheckinSchedule, Client, ClientStatus, SupportPhase
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import FIRST_DUE, GRADE_Q, question_of

NOT_YOURS = "Deze cliënt staat niet (meer) in jouw lijst. Stuur /clienten voor de lijst van nu."
GOODBYE = "Anna heeft Waakvlam voor jou stopgezet."


def phases_of(world: World) -> list[tuple[str, bool, str | None]]:
    """(phase, still open, end reason), oldest first."""
    with world.database.transaction() as session:
        rows = session.exec(select(SupportPhase).order_by(col(SupportPhase.id))).all()
        return [(str(p.phase), p.ended_at is None, p.end_reason) for p in rows]


def client_row(world: World, name: str = "Sam") -> Client:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == name)).one()


def actions(world: World) -> list[tuple[str, str]]:
    with world.database.transaction() as session:
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [(e.actor, e.action) for e in rows]


async def end_support(world: World, anna: SimUser, reason: str = "Verhuisd") -> SentMessage:
    """Anna ends Sam's support with /afsluiten and a reason; returns what Anna read."""
    await anna.send_text("/afsluiten Sam")
    asked = await anna.next_message()
    assert asked.text.startswith("Waarom stopt de begeleiding van Sam?")
    await anna.press(reason, asked)
    return await anna.next_message()


async def test_a_phase_is_set_with_one_tap_and_kept_with_its_date_and_who(world: World) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    await anna.send_text("/fase Sam")
    view = await anna.next_message()
    assert view.text.startswith("🧭 Fase van Sam: startfase")
    assert view.buttons == [["Regulier", "Waakvlam"], ["Beëindigen…"]]

    await anna.press("Waakvlam", view)
    told = await anna.next_message()
    assert told.text.startswith("Sam is nu in de waakvlamfase.")
    assert "Passend ritme: elke 3 maanden (13 weken)." in told.text
    assert told.buttons == [["Elke 3 maanden"]]
    assert told.button_data == [[f"rt:{client_row(world).id}:m3"]]
    await anna.press("Elke 3 maanden", told)
    await anna.next_message()
    with world.database.transaction() as session:
        assert session.exec(select(CheckinSchedule)).one().rhythm == "every_3_months"

    world.clock.advance(timedelta(days=20))
    await anna.send_text("/fase Sam regulier")
    again = await anna.next_message()
    assert again.text.startswith("Sam is nu in de reguliere fase.")
    assert again.buttons == [["Elke 2 weken"]]  # the coach decides: nothing changed yet
    await anna.send_text("/fase Sam")
    history = (await anna.next_message()).text
    assert history.splitlines() == [
        "🧭 Fase van Sam: reguliere fase",
        "22 november · reguliere fase (door Anna)",
        "2 november · waakvlamfase (door Anna)",
        "2 november · startfase",
    ]
    assert phases_of(world) == [
        ("start", False, None),
        ("waakvlam", False, None),
        ("regular", True, None),
    ]
    coach = f"coach:{world.coach_id(anna)}"
    assert actions(world).count((coach, "client.phase_set")) == 2
    await world.drain()


async def test_ending_says_goodbye_stops_checkins_and_the_noodknop_names_the_numbers(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await anna.send_text("/client Sam")
    card = await anna.wait_for(lambda m: m.kind == "photo", timeout=30)
    await anna.press("🧭 Fase", card)
    view = await anna.next_message()
    await anna.press("Beëindigen…", view)
    reasons = await anna.next_message()
    assert reasons.buttons == [
        ["Doel bereikt"],
        ["Verhuisd"],
        ["Andere hulp"],
        ["Wil niet meer"],
        ["Geen contact meer"],
        ["Anders"],
    ]
    await anna.press("Doel bereikt", reasons)
    ended = await anna.next_message()
    assert ended.text.startswith("De begeleiding van Sam is beëindigd (Doel bereikt).")
    assert "nog 30 dagen bij jou" in ended.text
    goodbye = await sam.next_message()
    assert goodbye.text.startswith(GOODBYE) and "De deur blijft open." in goodbye.text
    assert sam.current_keyboard is None
    assert client_row(world).status == ClientStatus.ENDED
    assert phases_of(world) == [("start", False, None), ("ended", True, "goal")]
    assert (f"coach:{world.coach_id(anna)}", "client.ended") in actions(world)

    # Check-ins stop: the schedule's time comes and goes, Sam hears nothing.
    world.clock.set(FIRST_DUE)
    await world.tick()
    await world.drain()
    assert sam.unread == []

    # The noodknop, in every form: nobody is alerted, the numbers one per message. The help
    # word "nood" within the grace period goes to Anna as any message then does.
    for press in ("🔴 Noodknop", "/nood", "nood"):
        await sam.send_text(press)
        said = await sam.next_message()
        if press == "nood":
            assert said.text.startswith("Ik heb je bericht aan Anna doorgegeven.")
        else:
            assert said.text.startswith("Je begeleiding bij Waakvlam is gestopt."), press
            assert "Daarom krijgt niemand nu een melding." in said.text
        numbers = [(await sam.next_message()).text for _ in range(3)]
        assert numbers[0] == "Is er gevaar? Bel 112."
        assert numbers[1].startswith("Denk je aan zelfmoord? Bel 0800-0113.")
        assert "Bel de huisartsenpost" in numbers[2]
    await world.drain()
    assert [m.text for m in anna.unread][1:] == ["nood"] and world.count(Alert) == 0
    assert (anna.unread[0].text or "").startswith("💬 Bericht van Sam (begeleiding beëindigd op")

    # Opening the old link again, or /start: no "Je doet al mee", no menu.
    await sam.send_text("/start")
    hello = await sam.next_message()
    assert hello.text.startswith("Je begeleiding bij Waakvlam is gestopt.")
    assert "Vraag Anna om een nieuwe link." in hello.text and hello.removes_keyboard


async def test_messages_reach_the_former_coach_for_the_grace_period_then_a_kind_answer(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await end_support(world, anna)
    await sam.next_message()  # the goodbye
    ended_on = world.clock.now()

    world.clock.advance(timedelta(days=29))
    await sam.send_text("Ik heb een nieuwe baan!")
    said = await sam.next_message()
    assert said.text.startswith("Ik heb je bericht aan Anna doorgegeven.")
    header = await anna.next_message()
    params = {"client": "Sam", "ended": ended_on}
    expected = load_texts().render("nl", "coach_former.from_client", params)
    assert header.text == expected == "💬 Bericht van Sam (begeleiding beëindigd op 2 november):"
    copy = await anna.next_message()
    assert copy.text == "Ik heb een nieuwe baan!" and copy.is_copy

    world.clock.advance(timedelta(days=2))
    await sam.send_text("Hallo?")
    later = await sam.next_message()
    assert later.text.startswith("Je begeleiding bij Waakvlam is gestopt.")
    assert "Daarom geef ik je bericht niet meer door." in later.text and "112" in later.text
    await world.drain()
    assert anna.unread == []


async def test_reopening_brings_the_client_back_with_their_history(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    notice = await end_support(world, anna, "Geen contact meer")
    assert notice.buttons == [["↩️ Heropenen"]]  # one tap takes it back
    await sam.next_message()
    world.clock.set(FIRST_DUE + timedelta(days=1))
    await world.tick()
    await world.drain()
    assert sam.unread == []

    await anna.send_text("/fase Sam")
    view = await anna.next_message()
    assert view.text.startswith("🧭 Fase van Sam: beëindigd")
    assert "beëindigd: Geen contact meer (door Anna)" in view.text
    assert view.buttons == [["↩️ Heropenen"]]
    await anna.press("↩️ Heropenen", view)
    reopened = await anna.next_message()
    assert reopened.text.startswith("Sam doet weer mee, in de reguliere fase.")
    back = await sam.next_message()
    assert back.text.startswith("Welkom terug, Sam!") and "Anna begeleidt je weer." in back.text
    assert sam.current_keyboard is not None and "🔴 Noodknop" in str(sam.current_keyboard)
    assert client_row(world).status == ClientStatus.ACTIVE
    assert phases_of(world) == [
        ("start", False, None),
        ("ended", False, "no_contact"),
        ("regular", True, None),
    ]
    assert (f"coach:{world.coach_id(anna)}", "client.reopened") in actions(world)

    # Check-ins start again at the next time of the schedule.
    world.clock.set(FIRST_DUE + timedelta(days=7))
    await world.tick()
    sent = await sam.next_message()
    assert question_of(sent) == GRADE_Q
    # A second tap on the old button reopens nothing twice.
    await anna.press_data(view.message_id, f"fa:{client_row(world).id}:o")
    await world.drain()
    assert anna.unread == [] and len(phases_of(world)) == 3


async def test_other_coaches_forged_ids_and_stale_buttons_change_nothing(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bert = await world.coach("Bert")
    await world.client(bert, "Kim")
    sam_id = client_row(world).id
    await bert.send_text("/fase Sam")
    assert (await bert.next_message()).text.startswith("Van wie?")
    await bert.send_text("/afsluiten Sam")
    assert (await bert.next_message()).text.startswith("Wie?")
    kims_view = await _phase_view(bert, "Kim")
    for data in (f"fa:{sam_id}:x:moved", f"fa:{sam_id}:s:waakvlam", f"fa:{sam_id}", "fa:99999:e"):
        await bert.press_data(kims_view, data)
        await world.settle()
        assert bert.callback_answers[-1].text == NOT_YOURS, data

    view = await _phase_view(anna, "Sam")
    await end_support(world, anna)
    await sam.next_message()
    before = phases_of(world)
    # Stale: a phase for an ended client, ending twice; /afsluiten finds no former client.
    await anna.press("Waakvlam", view)
    await anna.press_data(view, f"fa:{sam_id}:x:other")
    await world.settle()
    assert [a.text for a in anna.callback_answers[-2:]] == ["Deze vraag is al klaar."] * 2
    await anna.send_text("/afsluiten Sam")
    assert (await anna.next_message()).text.startswith("Je hebt nog geen cliënten hiervoor.")
    # Bert cannot reopen Anna's former client, nor find her by name.
    await bert.send_text("/heropen Sam")
    assert (await bert.next_message()).text.startswith("Je hebt nog geen cliënten hiervoor.")
    await bert.press_data(kims_view, f"fa:{sam_id}:o")
    await world.settle()
    assert bert.callback_answers[-1].text == NOT_YOURS
    await world.drain()
    assert phases_of(world) == before and sam.unread == []
    assert client_row(world).status == ClientStatus.ENDED

    # No Telegram account linked any more: not reopened; a new link is the way back.
    with world.database.transaction() as session:
        row = session.exec(select(Client).where(Client.name == "Sam")).one()
        row.telegram_user_id = None
        session.add(row)
    await anna.send_text("/heropen Sam")
    told = await anna.next_message()
    assert "Stuur Sam een nieuwe link met /nieuw Sam." in told.text
    assert client_row(world).status == ClientStatus.ENDED and phases_of(world) == before


async def _phase_view(coach: SimUser, name: str) -> SentMessage:
    await coach.send_text(f"/fase {name}")
    view = await coach.next_message()
    assert view.text.startswith(f"🧭 Fase van {name}")
    return view
