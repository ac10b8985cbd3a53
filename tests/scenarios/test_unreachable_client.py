"""A client who blocked the bot (or stopped the chat): Telegram refuses every message with
403. The coach hears it once, truthfully; scheduled check-ins wait and are never counted as
missed; the list and the card say so; when the client writes again, the coach hears that once
and the check-ins go on. The real bot through the sandbox, a fixed clock, both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SimUser

from storage.models import AuditEvent, Checkin, CheckinSignal, Client, OutboxMessage
from tests.scenarios.conftest import World
from tests.scenarios.test_caseload import client_list
from tests.scenarios.test_checkins import FIRST_DUE, GRADE_Q, INTRO, question_of
from tests.scenarios.test_client_card import open_card

UNREACHABLE = (
    "📵 Sam kan geen berichten van mij krijgen. "
    "Telegram weigert ze: misschien heeft Sam mij geblokkeerd of de chat gestopt.\n"
    "Zo kan Sam mij ook geen bericht sturen en de noodknop niet gebruiken. "
    "Check-ins stuur ik pas weer als Sam mij iets stuurt.\n"
    "Bel Sam."
)
REACHABLE = (
    "✅ Sam reageert weer en kan weer berichten van mij krijgen. "
    "De check-ins gaan weer door zoals gepland."
)
# The card's line; also what a coach's own check-in for Sam answers while Sam is marked.
CARD_LINE = (
    "📵 Sinds 9 november kan Sam geen berichten van mij krijgen: misschien heeft Sam mij "
    "geblokkeerd of de chat gestopt. Check-ins wachten tot Sam mij weer schrijft. Bel Sam."
)
STARTED = "Ik stuur Sam nu de vragen."
WEEK = timedelta(days=7)


def _starting(person: SimUser, start: str) -> list[str]:
    return [m.text for m in person.inbox if m.text and m.text.startswith(start)]


def _sam(world: World) -> Client:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == "Sam")).one()


def _checkins(world: World) -> list[Checkin]:
    with world.database.transaction() as session:
        return list(session.exec(select(Checkin).order_by(col(Checkin.id))))


def _failed_to(world: World, chat_id: int) -> int:
    with world.database.transaction() as session:
        rows = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id, col(OutboxMessage.failed_at).is_not(None)
            )
        )
        return len(list(rows))


async def _week(world: World, week: int) -> None:
    """The check-in moment of week ``week``, its reminder time, and its closing time."""
    world.clock.set(FIRST_DUE + week * WEEK)
    await world.tick()
    await world.drain()
    for hours in (4, 24):
        world.clock.advance(timedelta(hours=hours))
        await world.tick()
        await world.drain()


async def test_a_client_who_blocked_the_bot_is_told_once_and_check_ins_wait_until_they_write(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    sam.block()

    # The scheduled check-in is refused: Anna hears why Sam is silent, once.
    world.clock.set(FIRST_DUE)
    await world.tick()
    await world.drain()
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _sam(world).unreachable_since == FIRST_DUE
    [undelivered] = _checkins(world)
    assert (undelivered.status, undelivered.wake_at) == ("unfinished", None)  # never "missed"

    assert _failed_to(world, sam.id) == 1

    # Three more weeks: no scheduled check-in is sent at all, and nothing says "no answer".
    for week in (1, 2, 3):
        await _week(world, week)
    assert len(_checkins(world)) == 1
    assert _failed_to(world, sam.id) == 1
    assert _starting(anna, "Geen antwoord") == []
    with world.database.transaction() as session:
        assert session.exec(select(CheckinSignal)).all() == []
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]

    # The list and the card say what is true, instead of a plain "no contact".
    listed = await client_list(anna)
    assert listed.text is not None
    assert (
        "1. 📵 Sam · nog geen contact · nog geen cijfer · "
        "kan mijn berichten niet krijgen sinds 9 november · check-ins wachten"
    ) in listed.text.splitlines()
    card = await open_card(anna, "Sam")
    assert card.text is not None
    assert CARD_LINE in card.text.splitlines()

    # Sam unblocks and writes: Anna hears it once, and the next check-in goes out.
    sam.unblock()
    await sam.send_text("Hallo")
    await sam.next_message()
    await sam.send_text("Ben je er?")
    await world.drain()
    assert _starting(anna, "✅ Sam reageert weer") == [REACHABLE]
    assert _sam(world).unreachable_since is None
    world.clock.set(FIRST_DUE + 4 * WEEK)
    await world.tick()
    sent = await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
    assert question_of(sent) == GRADE_Q
    with world.database.transaction() as session:
        actions = session.exec(
            select(AuditEvent.action).where(
                col(AuditEvent.action).in_(("client.unreachable", "client.reachable"))
            )
        ).all()
    assert actions == ["client.unreachable", "client.reachable"]


async def test_a_client_who_writes_again_while_paused_hears_nothing_new_and_the_coach_is_told_so(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    sam.block()
    world.clock.set(FIRST_DUE)
    await world.tick()
    await world.drain()
    assert _starting(anna, "📵") == [UNREACHABLE]
    await anna.send_text("/pauze Sam")
    await world.drain()
    sam.unblock()
    await sam.send_text("Hoi")
    await world.drain()
    assert _starting(anna, "✅ Sam reageert weer") == [
        "✅ Sam reageert weer en kan weer berichten van mij krijgen. "
        "De check-ins staan nog op pauze: /hervat Sam zet ze weer aan."
    ]


async def test_a_coachs_own_check_in_for_a_client_who_cannot_get_messages_is_not_sent(
    world: World,
) -> None:
    """While Sam is marked, "/checkin Sam" and the card's "📋 Nu een check-in" send nothing:
    Anna reads what is true (never "Ik stuur Sam nu de vragen." before a send that fails),
    no check-in is opened, no refused row is added. Once Sam wrote again, it works as before."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    sam.block()
    world.clock.set(FIRST_DUE)
    await world.tick()
    await world.drain()
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert (len(_checkins(world)), _failed_to(world, sam.id)) == (1, 1)

    world.clock.advance(timedelta(hours=30))  # Tuesday 10 November, 16:00 in Amsterdam
    await anna.send_text("/checkin Sam")
    answer = await anna.wait_for(lambda m: m.text == CARD_LINE)
    assert answer.buttons == []
    card = await open_card(anna, "Sam")
    await anna.press("📋 Nu een check-in", card)
    await world.drain()
    assert [m.text for m in anna.inbox if m.text == CARD_LINE] == [CARD_LINE, CARD_LINE]
    assert _starting(anna, STARTED) == []
    assert (len(_checkins(world)), _failed_to(world, sam.id)) == (1, 1)  # nothing tried
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]

    sam.unblock()
    await sam.send_text("Hallo")
    await world.drain()
    assert _sam(world).unreachable_since is None
    await anna.send_text("/checkin Sam")
    await anna.wait_for(lambda m: (m.text or "").startswith(STARTED))
    sent = await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
    assert question_of(sent) == GRADE_Q
    await world.drain()
    assert (len(_checkins(world)), _failed_to(world, sam.id)) == (2, 1)
