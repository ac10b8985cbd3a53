"""Two clients of one coach who are both "Sam" (one moved from another coach), end to end on
both databases: every notice about one of them carries that client's id, so each Sam's export
holds only their own "Sam gaf een ..." and an erasure takes only theirs, sent or not."""

from __future__ import annotations

from sqlmodel import col, select

from bot import client_admin
from storage import data_rights
from storage.models import Client, OutboxMessage
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import full_checkin, start_by_menu


async def test_each_sams_notices_carry_their_own_id(world: World) -> None:
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    first = await world.client(anna, "Sam")
    second = await world.client(bram, "Sam")
    with world.database.transaction() as session:
        ids = [c.id for c in session.exec(select(Client).order_by(col(Client.id)))]
    assert len(ids) == 2 and None not in ids
    first_id, second_id = ids[0] or 0, ids[1] or 0
    assert (
        client_admin.move_client(
            world.database,
            client_id=second_id,
            to_coach_id=world.coach_id(anna),
            now=world.clock.now(),
        )
        is None
    )
    await world.drain()
    told = await second.next_message()
    assert told.text.startswith("Je hebt een nieuwe coach: Anna.")
    for sam, grade in ((first, "3"), (second, "2")):
        await start_by_menu(sam)
        await full_checkin(sam, grade)
        note = await anna.wait_for(lambda m: "gaf een" in (m.text or ""))
        assert note.text == f"Sam gaf een {grade} voor hoe het gaat."
    await world.drain()

    with world.database.transaction() as session:
        notes = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.text_key).like("%grade%"))
        ).all()
        about = {row.params.get("grade"): row.client_id for row in notes}
        assert about == {3: first_id, 2: second_id}
        moved = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.text_key).like("move.coach_%"))
        ).all()
        assert {row.client_id for row in moved} == {second_id}
        for sam_id in (first_id, second_id):
            records = data_rights.collect(session, sam_id)
            assert records is not None
            exported = {row["id"] for row in records.tables["outbox"]}
            assert {n.id for n in notes if n.client_id == sam_id} <= exported
            assert not {n.id for n in notes if n.client_id != sam_id} & exported
