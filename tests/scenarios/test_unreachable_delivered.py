"""A client marked 📵 (their chat refused a message) whose block was lifted without the bot
hearing of it: the next message Telegram accepts for their chat (here a coach's
``/bericht Sam``) clears the mark, and the coach reads once that messages reach Sam again (not
that Sam responded: nothing came from Sam). A message handed to Telegram before the mark was
set, accepted after it, clears nothing. The real bot through the sandbox, a fixed clock, both
databases."""

from __future__ import annotations

from datetime import timedelta

from telegram_sandbox import SimUser

from dialogs.reachability import ChatChange
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import FIRST_DUE, GRADE_Q, INTRO, question_of
from tests.scenarios.test_client_card import open_card
from tests.scenarios.test_unreachable_client import (
    CARD_LINE,
    UNREACHABLE,
    WEEK,
    _audited,
    _refuses,
    _sam,
    _starting,
)
from tests.scenarios.test_unreachable_coach_actions import MAY_NOT_ARRIVE, TRYING

DELIVERED = (
    "✅ Berichten komen weer aan bij Sam. Sam heeft mij sindsdien zelf nog niets gestuurd. "
    "De check-ins gaan weer door zoals gepland."
)
DELIVERED_PAUSED = (
    "✅ Berichten komen weer aan bij Sam. Sam heeft mij sindsdien zelf nog niets gestuurd. "
    "De check-ins staan nog op pauze: /hervat Sam zet ze weer aan."
)
WORDS = "Ik bel je morgen om 11 uur."


async def _marked_by_a_refusal(world: World) -> tuple[SimUser, SimUser]:
    """Anna and Sam; Monday's check-in was refused (403): Sam is marked, Anna was told."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    _refuses(world, sam)
    world.clock.set(FIRST_DUE)
    await world.tick()
    await world.drain()
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _sam(world).unreachable_since == FIRST_DUE
    anna.mark_read()
    return anna, sam


async def _message_arrives(world: World, anna: SimUser, sam: SimUser) -> None:
    """Sam lifted the block, and the bot never heard of it; two hours later Anna writes."""
    world.sandbox.faults.clear()
    world.clock.advance(timedelta(hours=2))
    await anna.send_text("/bericht Sam")
    assert (await anna.next_message()).text == MAY_NOT_ARRIVE
    await anna.send_text(WORDS)
    assert (await anna.next_message()).text == TRYING
    await world.drain()
    assert any(WORDS in (m.text or "") for m in sam.inbox)


async def test_a_message_that_arrives_clears_the_mark_and_the_coach_reads_it_once(
    world: World,
) -> None:
    anna, sam = await _marked_by_a_refusal(world)
    await _message_arrives(world, anna, sam)

    assert _sam(world).unreachable_since is None
    assert _starting(anna, "✅") == [DELIVERED]  # once, and never "Sam reageert weer"
    assert _audited(world) == ["client.unreachable", "client.reachable"]
    card = await open_card(anna, "Sam")
    assert card.text is not None and CARD_LINE not in card.text.splitlines()
    assert card.buttons[0] == ["📋 Nu een check-in", "⏱ Ritme"]

    world.clock.set(FIRST_DUE + WEEK)  # the next check-in goes out as planned
    await world.tick()
    sent = await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
    assert question_of(sent) == GRADE_Q
    await world.drain()
    assert _starting(anna, "✅") == [DELIVERED]
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]


async def test_a_message_that_arrives_while_check_ins_are_paused_says_they_stay_paused(
    world: World,
) -> None:
    anna, sam = await _marked_by_a_refusal(world)
    await anna.send_text("/pauze Sam")
    await world.drain()
    anna.mark_read()
    await _message_arrives(world, anna, sam)

    assert _sam(world).unreachable_since is None
    assert _starting(anna, "✅") == [DELIVERED_PAUSED]


async def test_a_late_acceptance_of_a_message_sent_before_the_mark_clears_nothing(
    world: World,
) -> None:
    """Monday's check-in is handed to Telegram, which accepts it, but its answer is slow.
    Meanwhile Sam blocks the bot and the bot hears of it (``my_chat_member`` "kicked": marked,
    Anna told). The acceptance that comes last is about a message that left before the
    block: Sam stays marked, and Anna reads no untrue ✅."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    faults = world.sandbox.faults
    faults.delay("sendMessage", seconds=2, chat_id=sam.id)  # held, then accepted
    world.clock.set(FIRST_DUE)
    await world.tick()
    await faults.wait_matched()  # the check-in is with Telegram now

    world.clock.advance(timedelta(minutes=1))
    # What the bot does with Sam's block (bot.handlers); the sandbox itself would refuse
    # the held message once Sam blocked it there, and Telegram already took it.
    await world.service.hooks.chat_changed(sam.id, ChatChange.REFUSES)
    assert _sam(world).unreachable_since == FIRST_DUE + timedelta(minutes=1)

    world.clock.advance(timedelta(minutes=1))
    sent = await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))  # accepted
    assert question_of(sent) == GRADE_Q
    await world.drain()
    assert _sam(world).unreachable_since == FIRST_DUE + timedelta(minutes=1)
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _starting(anna, "✅") == []
    assert _audited(world) == ["client.unreachable"]
