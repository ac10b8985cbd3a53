"""A short text that answers nothing during a check-in, end to end: the real bot through the
sandbox, a fixed clock, both databases.

"ik ben moe" typed to the grade question is never lost: Sam reads "Dat begrijp ik niet." with
the offer to send it to Anna, and nothing more (one question at a time). "Ja, stuur het"
copies it to Anna and the check-in goes on where it was, its question again; "Nee" sends
nothing and brings the question back too. Sam who sends
without asking is asked too (a short text is mostly a try at an answer); a lone "?" has
nothing to pass on.
"""

from __future__ import annotations

from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import Client
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import (
    GRADE_Q,
    GRADE_ROWS,
    HELP_Q,
    _anna_and_sam,
    checkins_of,
    labels,
    start_by_menu,
)
from tests.scenarios.test_relay import first_message, relays_of

OFFER = "Dat begrijp ik niet.\n\nWil je dit naar Anna sturen?"
RETRY_GRADE = (
    "Dat begrijp ik niet.\nKies een cijfer van 1 tot 10.\nDruk op een knop, of typ het cijfer.\n\n"
)
GOES_ON = "We gaan verder waar je was.\n\n"


def _sends_directly(world: World) -> bool:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == "Sam")).one().relay_direct


async def _offered(sam: SimUser, text: str):  # type: ignore[no-untyped-def]
    """Sam types ``text`` to the open grade question: the offer, and only that."""
    await sam.send_text(text)
    offer = await sam.next_message()
    assert offer.text == OFFER
    assert offer.buttons == [["Ja, stuur het", "Nee"], ["🔊 Voorlezen"]]
    return offer


async def test_yes_sends_a_short_text_to_the_coach_and_the_check_in_goes_on(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    offer = await _offered(sam, "ik ben moe")
    await world.drain()
    assert sam.last_message is not None and sam.last_message.text == OFFER  # one question
    assert relays_of(world) == [] and not any(m.is_copy for m in anna.inbox)  # not yet
    await sam.press("Ja, stuur het", offer)
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    again = await sam.next_message()
    assert again.text == GOES_ON + GRADE_Q and labels(again) == GRADE_ROWS
    assert (await anna.next_message()).text == "💬 Bericht van Sam:"
    copy = await anna.next_message()
    assert copy.is_copy and copy.text == "ik ben moe"
    [relay] = relays_of(world)
    assert relay.direction == "to_coach" and "moe" not in repr(relay)
    assert _sends_directly(world)  # as any confirmed message
    # The check-in is where it was: a grade still answers it.
    await sam.press("8")
    assert (await sam.next_message()).text == HELP_Q
    [row] = checkins_of(world)
    assert (row.status, row.answers) == ("open", {"grade": "8"})


async def test_a_client_who_sends_directly_is_asked_too_and_no_sends_nothing(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await first_message(world, sam, anna)
    assert _sends_directly(world)
    await start_by_menu(sam)
    offer = await _offered(sam, "moe")
    await sam.press("Nee", offer)
    assert (await sam.next_message()).text == "Oké, ik stuur het niet."
    assert (await sam.next_message()).text == GOES_ON + GRADE_Q
    await world.drain()
    assert len(relays_of(world)) == 1  # only the first message, before the check-in
    assert [m.text for m in anna.inbox if m.is_copy] == ["Ik heb een brief gekregen"]
    [row] = checkins_of(world)
    assert (row.status, row.answers) == ("open", {})


async def test_a_lone_question_mark_gets_only_the_question_again(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    await sam.send_text("?")
    again = await sam.next_message()
    assert again.text == RETRY_GRADE + GRADE_Q
    await world.drain()
    assert sam.unread == [] and not any("sturen?" in (m.text or "") for m in sam.inbox)
    assert relays_of(world) == [] and not any(m.is_copy for m in anna.inbox)


async def test_a_voice_note_during_a_check_in_asks_one_question_at_a_time(world: World) -> None:
    """A first voice note during a check-in: "Wil je dit naar Anna sturen?" alone, not next to
    the check-in's question (two yes/no questions at once); the answer brings it back."""
    anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    await sam.send_voice()
    asked = await sam.next_message()
    assert asked.text == "Wil je dit naar Anna sturen?"
    await world.drain()
    assert sam.last_message is not None and sam.last_message.text == asked.text
    await sam.press("Ja, stuur het", asked)
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    again = await sam.next_message()
    assert again.text == GOES_ON + GRADE_Q and labels(again) == GRADE_ROWS
    await anna.wait_for(lambda m: m.kind == "voice")
