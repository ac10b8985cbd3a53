"""Emergency numbers that could not arrive are sent again when the client is back.

Sam presses the noodknop and then blocks the bot by mistake. Nobody picks the alert up, so
after 15 minutes the bot sends Sam the emergency numbers: Telegram refuses them (403). When
Sam unblocks and writes, or presses again, while still nobody picked it up, Sam reads what is
so and gets the numbers once more; numbers that arrived are not repeated at every message.
The real bot through the sandbox, a fixed clock, both databases.
"""

from __future__ import annotations

from datetime import timedelta

from telegram_sandbox import SimUser

from tests.scenarios.conftest import World

WAITING = "Nog niemand heeft je melding opgepakt.\nJe melding blijft aan.\nJe kunt ook zelf bellen."


async def _later(world: World, minutes: int) -> None:
    world.clock.advance(timedelta(minutes=minutes))
    await world.tick()
    await world.drain()


def _numbers_read(sam: SimUser) -> int:
    """How often Sam read the emergency numbers (counted by the 113 line, said only there)."""
    return sum("Bel 0800-0113" in (m.text or "") for m in sam.inbox)


async def _pressed_then_blocked(world: World) -> SimUser:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    await sam.tap_keyboard("🔴 Noodknop")
    await world.drain()
    sam.block()
    await _later(world, 6)
    await _later(world, 10)  # the numbers are due now: refused
    assert _numbers_read(sam) == 0
    sam.unblock()
    return sam


async def test_a_client_back_from_a_block_gets_the_refused_numbers_again(world: World) -> None:
    sam = await _pressed_then_blocked(world)
    await sam.send_text("hallo")
    await world.drain()
    texts = [m.text or "" for m in sam.inbox]
    assert WAITING in texts
    assert "Is er gevaar? Bel 112." in texts
    assert any(t.startswith("Dokter nodig in de avond") for t in texts)
    assert _numbers_read(sam) == 1

    await sam.send_text("ben je er")  # the numbers arrived now: not again at every message
    await world.drain()
    assert _numbers_read(sam) == 1


async def test_a_press_again_after_a_block_gets_them_too(world: World) -> None:
    sam = await _pressed_then_blocked(world)
    await sam.tap_keyboard("🔴 Noodknop")
    await world.drain()
    assert _numbers_read(sam) == 1
    assert WAITING in [m.text for m in sam.inbox]
