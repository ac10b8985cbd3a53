"""A client's emoji reaction (👍 under a message) reaches the coach, as many clients answer
that way instead of typing: once per reaction added, never for a removal, and only from an
active client. Nothing of it is stored but the coach's notice in the outbox. A reaction on
anything else while a check-in question is open (on the question itself, mostly) gets the
client one line on how to answer it, and nothing else."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram_sandbox import SentMessage, SimUser

from storage.models import AuditEvent, OutboxMessage, Relay
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import HELP_Q, checkins_of, start_by_menu
from tests.scenarios.test_phases_and_ending import end_support

HINT = "Kies een knop onder de vraag, of typ je antwoord."


async def _anna_writes_sam(world: World) -> tuple[SimUser, SimUser, SentMessage]:
    """Anna's message to Sam, as Sam got it (the bot noted its message id)."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.send_text("Goed gedaan vandaag!")
    assert (await anna.next_message()).text == "Verstuurd naar Sam."
    relayed = await sam.wait_for(lambda m: "Goed gedaan vandaag!" in (m.text or ""))
    await world.drain()
    return anna, sam, relayed


def _stored(world: World) -> tuple[int, int, int]:
    return world.count(Relay), world.count(AuditEvent), world.count(OutboxMessage)


async def test_a_reaction_on_the_coachs_message_tells_the_coach_once_per_emoji_added(
    world: World,
) -> None:
    anna, sam, relayed = await _anna_writes_sam(world)
    sam.mark_read()
    anna.mark_read()
    relays, audits, rows = _stored(world)
    sent = world.clock.now().astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%H:%M")

    await sam.react(relayed, "👍")
    told = await anna.next_message()
    assert told.text == f"Sam reageerde met 👍 op je bericht van {sent}."
    assert told.silent  # routine: no sound on Anna's phone (bot.loudness)

    await sam.react(relayed, [])  # taken away: nothing to tell
    await world.drain()
    assert anna.unread == []
    await sam.react(relayed, "❤")  # another one added: told again
    assert (await anna.next_message()).text == f"Sam reageerde met ❤ op je bericht van {sent}."

    await world.drain()
    assert sam.unread == [] and anna.unread == []  # Sam gets no answer to a reaction
    # No relay, no audit line: only the two notices in the outbox.
    assert _stored(world) == (relays, audits, rows + 2)


async def test_a_reaction_on_another_message_tells_nobody(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await sam.send_text("/help")
    helped = await sam.next_message()  # the bot's own reply: no message of Anna's
    await world.drain()
    anna.mark_read()
    sam.mark_read()
    stored = _stored(world)

    await sam.react(helped, "🙏")

    await world.drain()
    assert anna.unread == [] and sam.unread == []  # a 👍 without what it was about is noise
    assert _stored(world) == stored


async def test_reactions_of_a_stranger_a_coach_and_a_former_client_are_ignored(
    world: World,
) -> None:
    anna, sam, relayed = await _anna_writes_sam(world)
    stranger = world.sandbox.user("Kim")
    await stranger.send_text("hallo")
    hello = await stranger.next_message()
    await end_support(world, anna)
    await world.drain()
    for person in (anna, sam, stranger):
        person.mark_read()
    stored = _stored(world), world.row_counts()

    await stranger.react(hello, "👍")
    await anna.react(anna.inbox[-1], "👍")
    await sam.react(relayed, "👍")

    await world.drain()
    assert anna.unread == [] and sam.unread == [] and stranger.unread == []
    assert (_stored(world), world.row_counts()) == stored


async def test_a_strangers_reactions_use_up_none_of_their_answers(world: World) -> None:
    """A stranger gets three answers an hour (``bot.guard``); reactions are no messages and
    count for none of them."""
    kim = world.sandbox.user("Kim")
    await kim.send_text("hallo")
    hello = await kim.next_message()
    for emoji in ("👍", "❤", "🙏", "👏"):
        await kim.react(hello, emoji)
    await world.drain()
    assert kim.unread == []
    await kim.send_text("hallo?")
    assert (await kim.next_message()).text == hello.text


def _checkins(world: World) -> list[tuple[str, int, dict[str, str]]]:
    return [(c.status, c.position, dict(c.answers)) for c in checkins_of(world)]


async def test_a_reaction_on_an_open_checkin_question_says_how_to_answer_it(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await start_by_menu(sam)
    question = sam.inbox[-1]
    await world.drain()
    anna.mark_read()
    stored, checkins = (_stored(world), world.row_counts()), _checkins(world)

    await sam.react(question, "👍")
    assert (await sam.next_message()).text == HINT
    await sam.react(question, [])  # taken away: nothing to say
    await world.drain()
    assert sam.unread == []
    await sam.react(question, "😢")  # another one: the same short line again
    assert (await sam.next_message()).text == HINT

    await world.drain()
    assert anna.unread == [] and sam.unread == []  # Anna hears nothing of it
    assert (_stored(world), world.row_counts()) == stored and _checkins(world) == checkins
    await sam.press("7")  # the question still waits for its answer
    assert (await sam.next_message()).text == HELP_Q


async def test_during_a_checkin_a_reaction_on_the_coachs_message_still_goes_to_the_coach(
    world: World,
) -> None:
    anna, sam, relayed = await _anna_writes_sam(world)
    await start_by_menu(sam)
    await world.drain()
    anna.mark_read()
    sam.mark_read()

    await sam.react(relayed, "👍")
    assert (await anna.next_message()).text.startswith("Sam reageerde met 👍 op je bericht van")

    await world.drain()
    assert sam.unread == []  # no line on how to answer: this 👍 was for Anna


async def test_after_the_checkin_a_reaction_on_its_question_says_nothing(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await start_by_menu(sam)
    question = sam.inbox[-1]
    for label in ("7", "Nee", "Nee"):
        await sam.press(label)
        await sam.next_message()
    assert _checkins(world)[0][0] == "done"
    await world.drain()
    anna.mark_read()
    sam.mark_read()

    await sam.react(question, "👍")

    await world.drain()
    assert sam.unread == [] and anna.unread == []
