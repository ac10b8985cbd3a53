"""Names a coach can trust, end to end on both databases (issue 15): a second "Sam" for the
same coach, a lookalike and a remark are refused with a way forward; the question for a name
expires; another coach may have their own Sam.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from storage.models import Client
from tests.scenarios.conftest import World


def _names(world: World) -> list[tuple[int, str]]:
    with world.database.transaction() as session:
        rows = session.exec(select(Client).order_by(col(Client.id)))
        return [(row.coach_id, row.name) for row in rows]


async def test_a_name_that_is_taken_a_lookalike_or_a_remark_is_refused(world: World) -> None:
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    # Sam takes part (an invited Sam, or one still joining, would get a new link instead).
    await world.client(anna, "Sam")
    for typed, answer in (
        ("/nieuw sam", "Je hebt al een cliënt die sam heet.\nStuur een naam die ze uit elkaar"),
        ("/nieuw Ѕam", "In deze naam staan letters uit verschillende alfabetten"),
        ("/nieuw Sam – vals alarm, niet bellen", "Stuur alleen de naam: letters, spaties,"),
    ):  # fmt: skip
        await anna.send_text(typed)
        said = await anna.next_message()
        assert (said.text or "").startswith(answer), said.text
    # The question stays open: the next name is taken as the answer.
    await anna.send_text("Sam B.")
    invite = await anna.wait_for(
        lambda m: "Sam B." in (m.text or "") and "?start=" in (m.text or "")
    )
    assert invite is not None
    await world.invite(bram, "Sam")  # Bram's own Sam: names are per coach
    await world.drain()
    anna_id, bram_id = world.coach_id(anna), world.coach_id(bram)
    assert _names(world) == [(anna_id, "Sam"), (anna_id, "Sam B."), (bram_id, "Sam")]


async def test_the_question_for_a_new_name_expires(world: World) -> None:
    anna = await world.coach("Anna")
    await anna.tap_keyboard("➕ Nieuwe cliënt")
    asked = await anna.next_message()
    assert asked.text == "Hoe heet je nieuwe cliënt? Stuur de voornaam of roepnaam."
    world.clock.advance(timedelta(days=3))
    await anna.send_text("Sam ik bel je morgen")
    said = await anna.next_message()
    assert (said.text or "").startswith(
        "Je vroeg eerder om een nieuwe cliënt, maar die vraag is verlopen."
    )
    await anna.send_text("Kim")  # no longer a name either: the question is gone
    await world.drain()
    assert _names(world) == []
