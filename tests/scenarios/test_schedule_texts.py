"""Schedule texts (issue 14, point 11): after a coach changes a rhythm the next check-in is
what the client would expect (the rules in dialogs/schedule.py), it is said as people say it
("morgen om 10 uur", "maandag 23 november om 10 uur"), and the client hears what changed:
how often, or only the day or time; never "your questions changed"."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select
from telegram_sandbox import SimUser

from storage.models import Checkin, CheckinSchedule
from tests.scenarios.conftest import World

INTRO = "Anna wil graag weten hoe het met je gaat."
# Monday 9 November 2026, 10:00 in Amsterdam: Sam's first check-in (a week after joining).
FIRST_DUE = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)


def checkins_of(world: World) -> list[Checkin]:
    with world.database.transaction() as session:
        return list(session.exec(select(Checkin).order_by(col(Checkin.id))))


def next_due_at(world: World) -> datetime | None:
    with world.database.transaction() as session:
        return session.exec(select(CheckinSchedule)).one().next_due_at


async def _after_a_first_check_in(world: World) -> tuple[SimUser, SimUser]:
    """Anna and Sam; Sam got his first check-in on Monday 9 November at 10:00."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    world.clock.set(FIRST_DUE)
    await world.tick()
    await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
    return anna, sam


async def test_every_two_weeks_counts_from_the_last_check_in_not_today(world: World) -> None:
    anna, sam = await _after_a_first_check_in(world)
    # Monday 16 November, 09:00: before this Monday's 10:00.
    world.clock.set(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    await anna.send_text("/ritme Sam")
    await anna.wait_for(lambda m: (m.text or "").startswith("Sam krijgt elke week"))
    await anna.press("Elke 2 weken")
    changed = await anna.wait_for(lambda m: (m.text or "").startswith("Opgeslagen."))
    assert changed.text.endswith("De volgende is maandag 23 november om 10 uur.")
    told = await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft"))
    assert told.text == (
        "Anna heeft veranderd hoe vaak je de vragen krijgt.\n"
        "Je krijgt ze nu elke 2 weken, op maandag.\n"
        "De volgende keer is maandag 23 november om 10 uur."
    )
    assert "vragen veranderd" not in told.text
    assert next_due_at(world) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    # Today at 10:00 no check-in comes: the old weekly one is gone.
    world.clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    await world.tick()
    await world.drain()
    assert len(checkins_of(world)) == 1


async def test_every_three_months_is_about_three_months_away(world: World) -> None:
    anna, sam = await _after_a_first_check_in(world)
    world.clock.set(datetime(2026, 11, 10, 12, 0, tzinfo=UTC))
    await anna.send_text("/ritme Sam elke 3 maanden")
    await anna.wait_for(lambda m: (m.text or "").startswith("Opgeslagen."))
    told = await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft"))
    # 13 weeks after Monday 9 November, on its weekday.
    assert told.text.endswith("De volgende keer is maandag 8 februari om 10 uur.")
    assert next_due_at(world) == datetime(2027, 2, 8, 9, 0, tzinfo=UTC)


async def test_a_new_day_for_an_overdue_client_is_tomorrow_and_told_as_a_new_day(
    world: World,
) -> None:
    anna, sam = await _after_a_first_check_in(world)
    # Monday 30 November: three weeks after the last check-in (no tick ran since).
    world.clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=UTC))
    await anna.send_text("/ritme Sam dinsdag")
    await anna.wait_for(lambda m: (m.text or "").startswith("Opgeslagen."))
    told = await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft"))
    assert told.text == (
        "Anna heeft de dag of de tijd van je vragen veranderd.\n"
        "Je krijgt ze nu elke week, op dinsdag.\n"
        "De volgende keer is morgen om 10 uur."
    )
    assert next_due_at(world) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_the_same_rhythm_again_changes_nothing_and_tells_the_client_nothing(
    world: World,
) -> None:
    anna, sam = await _after_a_first_check_in(world)
    due = next_due_at(world)
    await world.drain()
    before = len(sam.inbox)
    await anna.send_text("/ritme Sam elke week")
    same = await anna.wait_for(lambda m: (m.text or "").startswith("Sam krijgt al"))
    assert "Er verandert niets." in same.text
    await world.drain()
    assert len(sam.inbox) == before
    assert next_due_at(world) == due


async def test_an_english_client_hears_the_date_in_english(world: World) -> None:
    anna, sam = await _after_a_first_check_in(world)
    await sam.send_text("English")
    await sam.wait_for(lambda m: (m.text or "").startswith("Okay, from now on"))
    world.clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=UTC))
    await anna.send_text("/ritme Sam elke 2 weken dinsdag")
    told = await sam.wait_for(lambda m: (m.text or "").startswith("Anna changed"))
    assert told.text == (
        "Anna changed how often you get the questions.\n"
        "You now get them every 2 weeks, on Tuesday.\n"
        "The next time is tomorrow at 10:00."
    )


def schedule_of(world: World) -> tuple[str, int, str]:
    with world.database.transaction() as session:
        row = session.exec(select(CheckinSchedule)).one()
        return row.rhythm, row.weekday, row.at


async def test_a_time_typed_as_people_write_it_is_understood(world: World) -> None:
    """ "9 uur", "9u", "09:00", "9 uur 's avonds": the words after the hour are the coach's
    (words.yaml); an hour in the quiet hours is understood and refused."""
    anna, sam = await _after_a_first_check_in(world)
    world.clock.set(datetime(2026, 11, 10, 12, 0, tzinfo=UTC))  # Tuesday 10 November

    await anna.send_text("/ritme Sam elke week zaterdag 9 uur")
    changed = await anna.wait_for(lambda m: (m.text or "").startswith("Opgeslagen."))
    assert changed.text == (
        "Opgeslagen. Sam krijgt elke week een check-in, op zaterdag om 09:00. "
        "De volgende is zaterdag om 9 uur."
    )
    told = await sam.wait_for(lambda m: (m.text or "").startswith("Anna heeft"))
    assert (told.text or "").endswith("De volgende keer is zaterdag om 9 uur.")
    assert schedule_of(world) == ("weekly", 5, "09:00")
    assert next_due_at(world) == datetime(2026, 11, 14, 8, 0, tzinfo=UTC)

    await anna.send_text("/ritme Sam 14u30")
    moved = await anna.wait_for(lambda m: (m.text or "").startswith("Opgeslagen."))
    assert "op zaterdag om 14:30." in (moved.text or "")
    assert schedule_of(world) == ("weekly", 5, "14:30")

    for typed in ("21 uur", "9 uur 's avonds"):
        await anna.send_text(f"/ritme Sam zaterdag {typed}")
        refused = await anna.wait_for(lambda m: (m.text or "").startswith("Dat tijdstip"))
        assert refused.text == (
            "Dat tijdstip valt in de rusttijd (21:00–08:00). Kies voor Sam een tijd tussen "
            "08:00 en 21:00."
        )
    await anna.send_text("/ritme Sam zaterdag 9")  # an hour alone is no time
    await anna.wait_for(lambda m: (m.text or "").startswith("Dat ritme begrijp ik niet."))
    await world.drain()
    assert schedule_of(world) == ("weekly", 5, "14:30")
    assert anna.unread == []
