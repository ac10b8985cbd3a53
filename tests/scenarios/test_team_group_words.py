"""Words for the bot in a team group (a reply to its alert, a command) get one line there that
names no client and says where such words go; nothing reaches the client. The group's own talk
is never answered."""

from __future__ import annotations

from datetime import timedelta

from bot import admin
from tests.scenarios.conftest import World

ONLY_PRIVATE = "Hier doe ik niets mee. Stuur berichten en opdrachten in je eigen chat met mij."


async def test_a_reply_or_a_command_in_the_team_group_is_told_where_it_goes(world: World) -> None:
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    sam = await world.client(anna, "Sam")
    # Without privacy mode the bot sees every group message: the chatter must stay unanswered.
    team = world.sandbox.group("Team Noord", members=[bram, anna], privacy_mode=False)
    admin.add_backup(
        world.database, coach_id=world.coach_id(anna), group_chat_id=team.id, now=world.clock.now()
    )
    await sam.tap_keyboard("🔴 Noodknop")
    await world.drain()
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    alert = await team.next_message()
    assert "Kun jij Sam bellen?" in alert.text
    await world.drain()
    for person in (anna, bram, sam, team):
        person.mark_read()

    await team.send_text("Sam, ik bel je nu", sender=bram, reply_to=alert)
    said = await team.next_message()
    assert said.text == ONLY_PRIVATE  # one line, no client's name in the group
    await team.send_text("/bericht Sam", sender=bram)
    assert (await team.next_message()).text == ONLY_PRIVATE
    await team.send_text(f"/bericht@{world.sandbox.bot_username} Sam", sender=anna)
    assert (await team.next_message()).text == ONLY_PRIVATE

    await team.send_text("/help@AndereBot", sender=anna)  # for another bot in the group
    await team.send_text("Wie belt Sam?", sender=anna)  # the team's own talk
    await world.drain()
    assert team.unread == []
    assert sam.unread == []  # nothing of Bram's words reached Sam
    assert bram.unread == [] and anna.unread == []  # their private chats: nothing either
