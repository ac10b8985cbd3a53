"""Two quick messages before the first "send this?" is answered, end to end: the real bot
through the sandbox, a fixed clock, both databases.

The second question asks about both ("Wil je deze 2 berichten naar Anna sturen?"): one yes
sends both to Anna, oldest first, one no sends neither. Only their message ids wait on the
client's row, never what they say.
"""

from __future__ import annotations

from sqlmodel import select
from telegram_sandbox import SentMessage, SimUser

from storage.models import Client
from tests.scenarios.conftest import World
from tests.scenarios.test_relay import _anna_and_sam, relays_of

FIRST = "Ik heb een brief gekregen"
SECOND = "Kun je bellen?"


def _sam(world: World) -> Client:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == "Sam")).one()


async def _two_quick_messages(world: World, sam: SimUser) -> tuple[SentMessage, SentMessage]:
    await sam.send_text(FIRST)
    one = await sam.next_message()
    assert one.text == "Wil je dit naar Anna sturen?"
    await sam.send_text(SECOND)
    both = await sam.next_message()
    assert both.text == "Wil je deze 2 berichten naar Anna sturen?"
    assert both.buttons == [["Ja, stuur het", "Nee"], ["🔊 Voorlezen"]]
    asked = _sam(world).relay_asked
    assert asked is not None and len(asked) == 2 and asked == sorted(asked)
    assert "brief" not in repr(_sam(world))  # ids only, never what Sam wrote
    return one, both


async def test_one_yes_sends_both_messages_oldest_first(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    one, both = await _two_quick_messages(world, sam)
    await world.drain()
    assert relays_of(world) == [] and not any(m.is_copy for m in anna.inbox)  # not yet
    await sam.press("Ja, stuur het", both)
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    for text in (FIRST, SECOND):
        assert (await anna.next_message()).text == "💬 Bericht van Sam:"
        copy = await anna.next_message()
        assert copy.is_copy and copy.text == text
    assert [r.direction for r in relays_of(world)] == ["to_coach", "to_coach"]
    stored = _sam(world)
    assert stored.relay_asked is None and stored.relay_direct
    # The first question pressed after all: no second copy.
    await sam.press("Ja, stuur het", one)
    await world.drain()
    assert [m.text for m in anna.inbox if m.is_copy] == [FIRST, SECOND]
    assert len(relays_of(world)) == 2


async def test_one_no_sends_neither(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    _one, both = await _two_quick_messages(world, sam)
    await sam.press("Nee", both)
    assert (await sam.next_message()).text == "Oké, ik stuur ze niet."
    await world.drain()
    assert relays_of(world) == [] and not any(m.is_copy for m in anna.inbox)
    stored = _sam(world)
    assert stored.relay_asked is None and not stored.relay_direct
