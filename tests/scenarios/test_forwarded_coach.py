"""Forwarded messages around a coach, end to end on SQLite and PostgreSQL: a forward while the
bot asks a new client's name is never the name (the coach is asked to type it, the question
stays open), and a former client's forward reaches the former coach saying it was forwarded and
from whom, as an active client's does."""

from __future__ import annotations

from datetime import timedelta

from bot.texts import load_texts
from storage.models import Client, Invite
from tests.scenarios.conftest import World
from tests.scenarios.test_phases_and_ending import end_support

TYPE_IT = "Dat is een doorgestuurd bericht. Typ de naam van je nieuwe cliënt zelf."


async def test_a_forwarded_name_is_not_taken_and_the_question_stays_open(world: World) -> None:
    anna = await world.coach("Anna")
    before = world.row_counts()
    await anna.tap_keyboard("➕ Nieuwe cliënt")
    asked = await anna.next_message()
    assert asked.text == "Hoe heet je nieuwe cliënt? Stuur de voornaam of roepnaam."

    await anna.forward_text("Sam", "Kim")
    told = await anna.next_message()
    assert told.text == TYPE_IT
    await world.drain()
    assert anna.unread == []
    assert world.row_counts() == before, "no client, no invite"

    # Anna types the name herself: the question was still open.
    await anna.send_text("Sam")
    invite = await anna.next_message()
    assert invite.text.startswith("Uitnodiging voor Sam:")
    assert (await anna.next_message()).kind == "photo"
    assert world.count(Client) == 1 and world.count(Invite) == before["Invite"] + 1


async def test_a_former_clients_forward_says_it_was_forwarded_and_from_whom(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await end_support(world, anna)
    await sam.next_message()  # the goodbye
    ended_on = world.clock.now()

    world.clock.advance(timedelta(days=3))
    await sam.forward_text("Betaal voor vrijdag 200 euro.", "Incasso Bureau")
    said = await sam.next_message()
    assert said.text.startswith("Ik heb je bericht aan Anna doorgegeven.")
    header = await anna.next_message()
    params = {"client": "Sam", "ended": ended_on, "origin": "Incasso Bureau"}
    expected = load_texts().render("nl", "coach_former.forwarded_from_client", params)
    assert (
        header.text
        == expected
        == (
            "↪️ Sam (begeleiding beëindigd op 2 november) stuurt je een doorgestuurd bericht. "
            "Het komt van: Incasso Bureau"
        )
    )
    copy = await anna.next_message()
    assert copy.text == "Betaal voor vrijdag 200 euro." and copy.is_copy

    # Sam's own words: the former client's usual header, no origin.
    await sam.send_text("Wat moet ik doen?")
    await sam.next_message()
    own = await anna.next_message()
    assert own.text == "💬 Bericht van Sam (begeleiding beëindigd op 2 november):"
    assert (await anna.next_message()).text == "Wat moet ik doen?"
