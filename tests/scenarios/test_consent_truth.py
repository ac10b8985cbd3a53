"""The consent says what is true, a "Nee" can be taken back, and a client can really stop.

Through the sandbox on SQLite and PostgreSQL: what the client and the coach read, and what
is stored (the client row, phases, audit events, outbox rows), with each promise's branch
where it must not be said.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SimUser

from bot.leaving import erase_declined
from storage.models import AuditEvent, Client, Invite, OutboxMessage, SupportPhase
from tests.scenarios.conftest import World

LINK_DAYS = 14  # the default invite lifetime


async def _opened(world: World, anna: SimUser, name: str = "Sam") -> tuple[SimUser, str]:
    """A client who opened their link and read the welcome and the consent question."""
    token = await world.invite(anna, name)
    sam = world.sandbox.user(first_name=name)
    await sam.open_deep_link(token)
    await sam.next_message()
    consent = await sam.next_message()
    assert consent.text and consent.text.endswith("Is dat goed?")
    await world.drain()
    anna.mark_read()
    return sam, token


async def _joined(world: World, anna: SimUser, name: str = "Sam") -> SimUser:
    """A client who joined fully (no phone number), with everything read so far."""
    sam = await world.client(anna, name, phone=False)
    await world.drain()
    sam.mark_read()
    anna.mark_read()
    return sam


def _client(world: World, name: str = "Sam") -> Client | None:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == name)).first()


def _actions(world: World) -> list[str]:
    with world.database.transaction() as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]


# -- the consent says who sees what -------------------------------------------------------------


async def test_the_consent_names_everyone_who_may_see_and_how_to_stop(world: World) -> None:
    anna = await world.coach()
    token = await world.invite(anna, "Sam")
    sam = world.sandbox.user(first_name="Sam")
    await sam.open_deep_link(token)
    await sam.next_message()
    consent = await sam.next_message()
    text = consent.text or ""
    assert "Alleen" not in text and "Zeg het tegen Anna" not in text
    assert "Anna kan dat zien." in text
    assert "Bij de noodknop kan ook een andere coach van het team meekijken." in text
    assert "Die ziet dan je naam en waarom je drukte." in text
    assert "Stoppen kan altijd. Typ dan: stop." in text
    # One question only, the last sentence: nothing before it invites the wrong answer.
    assert [line for line in text.splitlines() if line.endswith("?")] == ["Is dat goed?"]


# -- a "Nee" can be taken back while the link is valid ------------------------------------------


async def test_after_a_mistaken_no_the_next_message_offers_yes_again(world: World) -> None:
    anna = await world.coach()
    sam, _ = await _opened(world, anna)
    await sam.press("Nee, liever niet")
    declined = await sam.next_message()
    assert declined.text.startswith("Oké, je doet niet mee.")
    assert "Dat kan tot 16 november." in declined.text
    assert "Ik bewaar niets" not in declined.text
    assert declined.buttons[0] == ["Toch meedoen"]
    told = await anna.next_message()
    assert told.text.startswith("Sam zei nee tegen meedoen.")
    assert "Tot 16 november kan Sam in deze chat nog ja zeggen." in told.text
    assert "Daarna wis ik alles van Sam, binnen een dag." in told.text
    assert "Er is niets van Sam bewaard" not in told.text

    await sam.send_text("sorry verkeerde knop")
    offer = await sam.next_message()
    assert offer.text.startswith("Je zei nee tegen meedoen.")
    assert "Deze chat is voor mensen met een coach" not in offer.text  # not the stranger answer
    await sam.press("Toch meedoen", offer)
    assert (await sam.next_message()).text.startswith("Wil je dat ik mijn berichten ook voorlees?")
    client = _client(world)
    assert client is not None
    assert (client.status, client.telegram_user_id, client.consent_version) == (
        "voice_pending",
        sam.id,
        "2",
    )
    assert _actions(world)[-2:] == ["client.declined", "client.consented"]


async def test_a_typed_yes_takes_the_no_back_too(world: World) -> None:
    anna = await world.coach()
    sam, _ = await _opened(world, anna)
    await sam.send_text("nee")
    assert (await sam.next_message()).text.startswith("Oké, je doet niet mee.")
    await sam.send_text("nee")  # a second no changes nothing: the offer stays
    assert (await sam.next_message()).text.startswith("Je zei nee tegen meedoen.")
    await sam.send_text("ja")
    assert (await sam.next_message()).text.startswith("Wil je dat ik mijn berichten ook voorlees?")
    assert (client := _client(world)) is not None and client.status == "voice_pending"


async def test_once_the_link_expired_the_no_is_final_and_everything_is_erased(
    world: World,
) -> None:
    anna = await world.coach()
    sam, token = await _opened(world, anna)
    await sam.press("Nee, liever niet")
    offer = await sam.next_message()
    await world.drain()

    # Before the link expires, the housekeeping keeps what the coach was told it keeps.
    world.clock.advance(timedelta(days=LINK_DAYS - 1))
    assert await erase_declined(world.database, world.clock) == 0
    assert _client(world) is not None

    world.clock.advance(timedelta(days=1, seconds=1))
    await sam.send_text("sorry verkeerde knop")
    stranger = await sam.next_message()
    assert stranger.text.startswith("Hoi! Deze chat is voor mensen met een coach.")
    await sam.press("Toch meedoen", offer)
    await world.drain()
    assert sam.callback_answers[-1].text == "Deze vraag is al klaar."
    assert (client := _client(world)) is not None and client.status == "declined"

    assert await erase_declined(world.database, world.clock) == 1
    with world.database.transaction() as session:
        assert session.exec(select(Client)).all() == []
        assert session.exec(select(Invite).where(col(Invite.client_id).is_not(None))).all() == []
        for row in session.exec(select(OutboxMessage)):
            assert "Sam" not in repr(row.params), row.text_key
            assert row.chat_id != sam.id
        events = session.exec(select(AuditEvent)).all()
        assert all(e.subject_id is None for e in events if e.subject_type == "client")
        assert not any(e.actor.startswith("client:") for e in events)
        assert events[-1].action == "client.erased"
    await sam.open_deep_link(token)
    assert (await sam.next_message()).text.startswith("Deze link werkt niet.")


# -- a client who wants to stop -----------------------------------------------------------------


async def test_stop_is_asked_once_and_no_changes_nothing(world: World) -> None:
    anna = await world.coach()
    sam = await _joined(world, anna)
    await sam.send_text("Stop")
    asked = await sam.next_message()
    assert asked.text.startswith("Wil je stoppen met Waakvlam?")
    assert asked.buttons[:2] == [["Ja, ik wil stoppen"], ["Nee, ik doe mee"]]
    await sam.press("Nee, ik doe mee")
    assert (await sam.next_message()).text == "Fijn. Je doet nog gewoon mee."
    await world.drain()
    assert anna.unread == []  # nothing was asked of the coach
    assert (client := _client(world)) is not None and client.status == "active"
    assert "client.asked_to_stop" not in _actions(world)


async def test_the_coach_ends_support_with_one_tap_and_the_client_hears_a_warm_goodbye(
    world: World,
) -> None:
    anna = await world.coach()
    sam = await _joined(world, anna)
    await sam.send_text("ik wil stoppen")
    await sam.next_message()
    await sam.press("Ja, ik wil stoppen")
    asked = await sam.next_message()
    assert asked.text.startswith("Goed. Ik heb Anna gevraagd om het stop te zetten.")
    assert "Tot dan blijft alles zoals het is." in asked.text
    request = await anna.next_message()
    assert request.text.startswith("Sam wil stoppen met Waakvlam en heeft dat bevestigd.")
    assert request.buttons == [["Beëindigen", "Niet nu"]]
    # Until the coach confirms, nothing has ended: no goodbye yet.
    await world.drain()
    assert sam.unread == []
    assert (client := _client(world)) is not None and client.status == "active"

    await anna.press("Beëindigen", request)
    ended = await anna.next_message()
    assert ended.text.startswith("De begeleiding van Sam is beëindigd.")
    goodbye = await sam.next_message()
    assert goodbye.text.startswith("Anna heeft Waakvlam voor jou stopgezet.")
    assert "De deur blijft open." in goodbye.text
    assert "Wil je later weer meedoen? Zeg het tegen Anna." in goodbye.text
    assert sam.current_keyboard is None

    with world.database.transaction() as session:
        client = session.exec(select(Client)).one()
        assert client.status == "ended" and client.telegram_user_id == sam.id
        phases = session.exec(select(SupportPhase).order_by(col(SupportPhase.id))).all()
        assert [(p.phase, p.ended_at, p.end_reason) for p in phases] == [
            ("start", world.clock.now(), None),
            ("ended", None, "client_asked"),
        ]
        ending = session.exec(select(AuditEvent).where(AuditEvent.action == "client.ended")).one()
        assert ending.actor.startswith("coach:") and ending.at == world.clock.now()
        assert ending.subject_id == client.id
    assert "client.asked_to_stop" in _actions(world)

    # A second tap on the old button ends nothing twice.
    await anna.press_data(request.message_id, f"sp:end:{client.id}")
    await world.drain()
    assert sam.unread == [] and anna.unread == []
    await sam.send_text("/start")
    assert (await sam.next_message()).text.startswith("Je begeleiding bij Waakvlam is gestopt.")


async def test_not_now_keeps_the_client_and_tells_them_the_coach_will_talk_first(
    world: World,
) -> None:
    anna = await world.coach()
    sam = await _joined(world, anna)
    await sam.send_text("stoppen")
    await sam.next_message()
    await sam.press("Ja, ik wil stoppen")
    await sam.next_message()
    request = await anna.next_message()
    await anna.press("Niet nu", request)
    assert (await anna.next_message()).text.startswith("Sam doet nog mee.")
    told = await sam.next_message()  # "Is het stopgezet? Dan stuur ik je een bericht."
    assert told.text == "Anna wil er eerst met je over praten.\nJe doet nog gewoon mee."
    await world.drain()
    assert sam.unread == []
    assert (client := _client(world)) is not None and client.status == "active"
    assert "client.ended" not in _actions(world)


async def test_another_coach_cannot_end_someone_elses_client(world: World) -> None:
    anna = await world.coach()
    bram = await world.coach("Bram")
    sam = await _joined(world, anna)
    client = _client(world)
    assert client is not None
    await bram.send_text("/start")
    await bram.next_message()
    await bram.press_data(bram.inbox[-1].message_id, f"sp:end:{client.id}")
    await world.drain()
    assert sam.unread == []
    assert (after := _client(world)) is not None and after.status == "active"


async def test_an_ended_client_can_come_back_with_a_new_link(world: World) -> None:
    anna = await world.coach()
    sam = await _joined(world, anna)
    await sam.send_text("stop")
    await sam.next_message()
    await sam.press("Ja, ik wil stoppen")
    await sam.next_message()
    await anna.press("Beëindigen", await anna.next_message())
    assert (await sam.next_message()).text.startswith("Anna heeft Waakvlam voor jou stopgezet.")
    await world.drain()
    anna.mark_read()

    token = await world.invite(anna, "Sam")
    await sam.open_deep_link(token)
    assert (await sam.next_message()).text.startswith("Hoi Sam! Welkom bij Waakvlam.")
    assert (await sam.next_message()).text.endswith("Is dat goed?")
    with world.database.transaction() as session:
        rows = session.exec(select(Client).order_by(col(Client.id))).all()
        assert [(c.status, c.telegram_user_id) for c in rows] == [
            ("ended", None),
            ("consent_pending", sam.id),
        ]


async def test_stop_during_a_check_in_asks_and_no_goes_back_to_the_question(world: World) -> None:
    anna = await world.coach()
    sam = await _joined(world, anna)
    await sam.tap_keyboard("📋 Hoe gaat het?")
    question = await sam.next_message()
    await sam.send_text("stop")
    assert (await sam.next_message()).text.startswith("Wil je stoppen met Waakvlam?")
    await sam.press("Nee, ik doe mee")
    assert (await sam.next_message()).text == "Fijn. Je doet nog gewoon mee."
    again = await sam.next_message()
    assert again.buttons[:2] == question.buttons[:2]  # the grade question, where it was
    await sam.press("7", again)
    await world.drain()
    assert "client.asked_to_stop" not in _actions(world)
