"""A coach's way out of a message they no longer want to send, the real bot through the
sandbox on both databases: "✅ Afgehandeld" after "💬 Ik stuur een bericht" under a signal,
and ``/annuleer`` (or "laat maar") after ``/bericht Sam``. Sam gets nothing from Anna, and
Anna reads the truth, never "Verstuurd"."""

from __future__ import annotations

from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import Coach, Relay
from tests.scenarios.conftest import World
from tests.scenarios.test_quiet_routine import WRITES, _anna_and_sam, _checkin

HANDLED = "Genoteerd als afgehandeld. Sam krijgt hier geen bericht over."
CANCELLED = "Oké, ik stuur niets."
SENT = "Verstuurd naar Sam."


def _from_anna(sam: SimUser) -> list[str]:
    return [m.text or "" for m in sam.inbox if (m.text or "").startswith("💬 Bericht van Anna")]


def _awaiting(world: World) -> str | None:
    with world.database.transaction() as session:
        return session.exec(select(Coach)).one().awaiting


async def test_handled_after_i_will_send_a_message_sends_the_next_words_nowhere(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await _checkin(sam, "2", area=None, call="Nee")
    note = await anna.wait_for(lambda m: m.text == "Sam gaf een 2 voor hoe het gaat.")
    await anna.press("💬 Ik stuur een bericht", note)
    asked = await anna.next_message()
    assert asked.buttons == [["✅ Afgehandeld"]]
    await sam.wait_for(lambda m: m.text == WRITES)

    await anna.press("✅ Afgehandeld", asked)
    assert (await anna.next_message()).text == HANDLED
    await anna.send_text("Dit hoort niet bij Sam")
    await world.drain()

    assert not any("Dit hoort niet bij Sam" in (m.text or "") for m in sam.inbox)
    assert _from_anna(sam) == []
    assert world.count(Relay) == 0
    assert _awaiting(world) is None
    assert not any(m.text in (SENT, "Ik probeer het naar Sam te sturen.") for m in anna.inbox)


async def test_cancel_after_bericht_sends_nothing_and_says_so(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await anna.send_text("/bericht Sam")
    assert (await anna.next_message()).text.startswith("Wat wil je naar Sam sturen?")
    await anna.send_text("/annuleer")
    assert (await anna.next_message()).text == CANCELLED
    await anna.send_text("hallo")
    assert (await anna.next_message()).text == "Dat begrijp ik niet. Stuur /hulp voor wat ik kan."

    # "laat maar" typed as the whole message is the same way out.
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.send_text("laat maar")
    assert (await anna.next_message()).text == CANCELLED
    await world.drain()

    assert _from_anna(sam) == [] and sam.unread == []
    assert world.count(Relay) == 0
    assert _awaiting(world) is None
    assert SENT not in [m.text for m in anna.inbox]
