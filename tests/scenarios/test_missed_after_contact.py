"""A call the coach logged between two missed check-ins: no "two missed in a row" signal (the
coach knows how the client is); without the call, the signal. The real bot through the
sandbox, a fixed clock, both databases (issue 15: a logged contact counts for that signal)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import CheckinSignal, ContactLog
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import FIRST_DUE, checkins_of
from tests.scenarios.test_client_card import open_card

WEEK = timedelta(days=7)


async def a_missed_checkin(world: World, week: int) -> None:
    """The week's check-in goes out, is reminded once, and closes unanswered."""
    world.clock.set(FIRST_DUE + week * WEEK)
    await world.tick()
    world.clock.advance(timedelta(hours=4))
    await world.tick()
    world.clock.advance(timedelta(hours=24))
    await world.tick()
    await world.settle()


def no_answer_notes(coach: SimUser) -> list[str]:
    return [m.text for m in coach.inbox if m.text and m.text.startswith("Geen antwoord")]


def missed_signals(world: World) -> list[str]:
    with world.database.transaction() as session:
        rows = session.exec(select(CheckinSignal).where(CheckinSignal.kind == "missed"))
        return [row.cause for row in rows]


@pytest.mark.parametrize("called", [True, False], ids=["call between", "no call"])
async def test_a_call_between_two_missed_checkins_means_no_signal(
    world: World, called: bool
) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    await a_missed_checkin(world, 0)
    if called:  # Wednesday after the first: Anna calls Sam and logs it on the card
        world.clock.set(FIRST_DUE + timedelta(days=2))
        card = await open_card(anna, "Sam")
        await anna.press("📞 Gebeld", card)
        await anna.press("Geen notitie", await anna.next_message())
        assert (await anna.next_message()).text == "Opgeslagen zonder notitie."
        with world.database.transaction() as session:
            assert len(session.exec(select(ContactLog)).all()) == 1
    await a_missed_checkin(world, 1)
    await world.drain()
    assert [c.status for c in checkins_of(world)] == ["missed", "missed"]
    if called:
        assert no_answer_notes(anna) == [] and missed_signals(world) == []
        # Two more missed after the call are a new run: the coach hears of it.
        await a_missed_checkin(world, 2)
        await world.drain()
        assert no_answer_notes(anna) == [
            "Geen antwoord van Sam op de laatste 2 check-ins (sinds 16 november)."
        ]
    else:
        assert no_answer_notes(anna) == [
            "Geen antwoord van Sam op de laatste 2 check-ins (sinds 9 november)."
        ]
    assert len(missed_signals(world)) == 1
