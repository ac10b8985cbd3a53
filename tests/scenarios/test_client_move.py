"""Moving a client to another coach, end to end on both databases (issue 15): the client reads
one calm message naming the new coach, the new coach gets the history, the old coach loses
access at once; a coach with clients is only deactivated once they are moved.
"""

from __future__ import annotations

from sqlmodel import col, select
from telegram_sandbox import SimUser

from bot import admin, client_admin
from bot.client_admin import MoveRefused
from storage.models import Alert, Client, Coach, CoachAssignment, CoachStatus
from tests.scenarios.conftest import World
from tests.scenarios.test_caseload import client_list, data_of, labels


async def _press_noodknop(sam: SimUser) -> None:
    await sam.tap_keyboard("🔴 Noodknop")


def _client_id(world: World, name: str) -> int:
    with world.database.transaction() as session:
        client = session.exec(select(Client).where(col(Client.name) == name)).one()
        assert client.id is not None
        return client.id


async def test_a_moved_client_hears_the_new_coach_and_the_old_coach_loses_access(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    sam = await world.client(anna, "Sam")
    before = await client_list(anna)
    stale_card = data_of(before, next(b for row in labels(before) for b in row if "Sam" in b))
    sam_id = _client_id(world, "Sam")

    refused = client_admin.move_client(
        world.database, client_id=sam_id, to_coach_id=world.coach_id(bram), now=world.clock.now()
    )
    assert refused is None
    await world.drain()

    told = sam.inbox[-1].text or ""
    assert told == (
        "Je hebt een nieuwe coach: Bram.\n"
        "Bram helpt je vanaf nu.\n"
        "Je kunt hier alles blijven sturen, zoals altijd."
    )
    assert (bram.inbox[-1].text or "").startswith("Sam is nu jouw cliënt (overgenomen van Anna)")
    assert (anna.inbox[-1].text or "").startswith("Sam is overgedragen aan Bram.")

    # The history stays: two assignments, Anna's ended at the move.
    with world.database.transaction() as session:
        rows = list(
            session.exec(
                select(CoachAssignment)
                .where(col(CoachAssignment.client_id) == sam_id)
                .order_by(col(CoachAssignment.id))
            )
        )
        assert [(r.coach_id, r.ended_at is None) for r in rows] == [
            (world.coach_id(anna), False),
            (world.coach_id(bram), True),
        ]

    # Sam's message and noodknop go to Bram now, never to Anna.
    anna_seen = len(anna.inbox)
    await sam.tap_keyboard("💬 Bericht aan coach")
    await sam.next_message()
    await sam.send_text("Ik heb een vraag over mijn brief")
    await bram.wait_for(lambda m: m.text == "Ik heb een vraag over mijn brief")
    await _press_noodknop(sam)
    await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    with world.database.transaction() as session:
        alert = session.exec(select(Alert)).one()
        assert alert.coach_id == world.coach_id(bram)

    # Anna's list no longer has Sam, and her old button for Sam opens nothing.
    await anna.send_text("/clienten")
    await anna.wait_for(lambda m: (m.text or "").startswith("Je hebt nog geen actieve cliënten"))
    await anna.press_data(before, stale_card)
    await world.drain()
    assert all("Sam" not in (m.text or "") for m in anna.inbox[anna_seen:])
    assert not any("NOODKNOP" in (m.text or "") for m in anna.inbox[anna_seen:])


async def test_a_move_is_refused_while_an_alert_is_open_and_nothing_changes(world: World) -> None:
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    sam = await world.client(anna, "Sam")
    await _press_noodknop(sam)
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    sam_id = _client_id(world, "Sam")
    sam_seen = len(sam.inbox)

    refused = client_admin.move_client(
        world.database, client_id=sam_id, to_coach_id=world.coach_id(bram), now=world.clock.now()
    )

    assert refused is MoveRefused.OPEN_ALERT
    await world.drain()
    assert not any("nieuwe coach" in (m.text or "") for m in sam.inbox[sam_seen:])
    with world.database.transaction() as session:
        client = session.get(Client, sam_id)
        assert client is not None and client.coach_id == world.coach_id(anna)


async def test_a_coach_with_clients_is_deactivated_only_once_they_are_moved(world: World) -> None:
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    sam = await world.client(anna, "Sam")
    await world.client(anna, "Kim")
    anna_id, bram_id = world.coach_id(anna), world.coach_id(bram)

    assert client_admin.clients_in_care(world.database, anna_id) == 2
    moved, refused = client_admin.move_all_clients(
        world.database, from_coach_id=anna_id, to_coach_id=bram_id, now=world.clock.now()
    )
    assert refused == {} and len(moved) == 2
    assert client_admin.clients_in_care(world.database, anna_id) == 0
    assert admin.deactivate_coach(world.database, coach_id=anna_id, now=world.clock.now())
    await world.drain()

    await sam.tap_keyboard("🔴 Noodknop")
    await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    with world.database.transaction() as session:
        anna_row = session.get(Coach, anna_id)
        assert anna_row is not None and anna_row.status == CoachStatus.INACTIVE
        listing = client_admin.list_clients(world.database, coach_id=bram_id)
    assert sorted(row.name for row in listing) == ["Kim", "Sam"]
    assert {row.phase for row in listing} == {"start"}
