"""A client who blocked the bot (or stopped the chat): Telegram refuses every message with
403, and tells the bot at once (``my_chat_member`` "kicked"). The coach hears it once,
truthfully; scheduled check-ins wait and are never counted as missed; the list and the card
say so; when the client writes again or unblocks the bot ("member"), the coach hears that
once and the check-ins go on. A late 403, for a message sent before the client came back,
marks nobody. The real bot through the sandbox, a fixed clock, both databases."""

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
    "Check-ins stuur ik pas weer als Sam mij iets stuurt "
    "of als een bericht van mij weer aankomt.\n"
    "Bel Sam: +31 6 12345678\n"  # the number Sam shared when joining, as the alert shows it
    "Of stuur /bericht Sam: komt het aan, dan hoor je het van mij."
)
REACHABLE = (
    "✅ Sam reageert weer en kan weer berichten van mij krijgen. "
    "De check-ins gaan weer door zoals gepland."
)
# The card's line; also what a coach's own check-in for Sam answers while Sam is marked. It
# names the number Sam shared when joining, as the everyday notice does.
CARD_LINE = (
    "📵 Sinds 9 november kan Sam geen berichten van mij krijgen: misschien heeft Sam mij "
    "geblokkeerd of de chat gestopt. Check-ins wachten tot Sam weer bereikbaar is. "
    "Bel Sam: +31 6 12345678"
)
STARTED = "Ik stuur Sam nu de vragen."
WEEK = timedelta(days=7)


def _refuses(world: World, person: SimUser) -> None:
    """Telegram refuses every message to ``person``'s chat (403), and the bot never heard of
    a block: its update lost (Telegram keeps updates for 24 hours), or none was sent."""
    world.sandbox.faults.fail(
        status=403,
        times=None,
        chat_id=person.id,
        description="Forbidden: bot was blocked by the user",
    )


def _audited(world: World) -> list[str]:
    with world.database.transaction() as session:
        return list(
            session.exec(
                select(AuditEvent.action)
                .where(col(AuditEvent.action).in_(("client.unreachable", "client.reachable")))
                .order_by(col(AuditEvent.id))
            )
        )


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


async def test_a_refused_message_is_told_once_and_check_ins_wait_until_the_client_writes(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    _refuses(world, sam)

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

    # Sam's chat works again and Sam writes: Anna hears it once, the next check-in goes out.
    world.sandbox.faults.clear()
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
    assert _audited(world) == ["client.unreachable", "client.reachable"]


async def test_a_client_who_writes_again_while_paused_hears_nothing_new_and_the_coach_is_told_so(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    sam.block()
    await world.drain()
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
    no check-in is opened, no refused row is added. Once Sam wrote again, it works as before.
    (A card shown while Sam is marked offers no such button: the one pressed here is older.)"""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    card = await open_card(anna, "Sam")  # before Sam is marked: it has "📋 Nu een check-in"
    world.clock.set(FIRST_DUE)
    sam.block()  # Telegram tells the bot: marked on Monday 9 November, nothing tried
    await world.drain()
    await world.tick()
    await world.drain()
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert (len(_checkins(world)), _failed_to(world, sam.id)) == (0, 0)

    world.clock.advance(timedelta(hours=30))  # Tuesday 10 November, 16:00 in Amsterdam
    await anna.send_text("/checkin Sam")
    answer = await anna.wait_for(lambda m: m.text == CARD_LINE)
    assert answer.buttons == []
    await anna.press("📋 Nu een check-in", card)
    await world.drain()
    assert [m.text for m in anna.inbox if m.text == CARD_LINE] == [CARD_LINE, CARD_LINE]
    assert _starting(anna, STARTED) == []
    assert (len(_checkins(world)), _failed_to(world, sam.id)) == (0, 0)  # nothing tried
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
    assert (len(_checkins(world)), _failed_to(world, sam.id)) == (1, 0)


async def test_telegram_s_word_of_a_block_marks_at_once_and_of_an_unblock_clears_it(
    world: World,
) -> None:
    """Sam blocks the bot: Telegram sends ``my_chat_member`` "kicked", and Anna hears it once
    without any message being tried; the check-ins wait. Sam unblocks it and writes nothing
    ("member"): the mark is cleared, Anna hears it once, the next check-in goes out."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    world.clock.set(FIRST_DUE - timedelta(days=1))
    sam.block()
    await world.drain()
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _sam(world).unreachable_since == FIRST_DUE - timedelta(days=1)
    sam.block()  # blocked already: Telegram says nothing new, nor does the bot
    for week in (0, 1):
        await _week(world, week)
    assert (_checkins(world), _failed_to(world, sam.id)) == ([], 0)  # nothing was even tried
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _starting(anna, "Geen antwoord") == []

    world.clock.set(FIRST_DUE + 2 * WEEK - timedelta(days=1))
    sam.unblock()
    await world.drain()
    assert _sam(world).unreachable_since is None
    assert _starting(anna, "✅ Sam reageert weer") == [REACHABLE]
    world.clock.set(FIRST_DUE + 2 * WEEK)
    await world.tick()
    sent = await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
    assert question_of(sent) == GRADE_Q
    await world.drain()
    assert _starting(anna, "✅ Sam reageert weer") == [REACHABLE]
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _audited(world) == ["client.unreachable", "client.reachable"]


async def test_a_late_refusal_of_a_message_sent_before_the_client_came_back_marks_nobody(
    world: World,
) -> None:
    """Monday's check-in is handed to Telegram; Sam has just blocked the bot, so Telegram
    will refuse it, but its answer is slow. Meanwhile the bot hears of the block (marked, Anna
    told) and of Sam unblocking it (cleared, Anna told). The 403 that comes last is about a
    message sent before Sam came back: Sam is not marked again, Anna reads no untrue 📵."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await world.drain()
    faults = world.sandbox.faults
    faults.delay("sendMessage", seconds=2, chat_id=sam.id)  # held, then refused
    faults.fail(
        "sendMessage",
        status=403,
        chat_id=sam.id,
        description="Forbidden: bot was blocked by the user",
    )
    world.clock.set(FIRST_DUE)
    await world.tick()
    await faults.wait_matched()  # the check-in is with Telegram now

    world.clock.advance(timedelta(minutes=1))
    sam.block()
    await world.settle()
    assert _sam(world).unreachable_since == FIRST_DUE + timedelta(minutes=1)
    world.clock.advance(timedelta(minutes=1))
    sam.unblock()
    await world.settle()
    assert _sam(world).unreachable_since is None
    assert _failed_to(world, sam.id) == 0, "the refusal is still on its way"

    world.clock.advance(timedelta(minutes=1))
    await world.drain()  # the 403 arrives
    assert _failed_to(world, sam.id) == 1
    assert _sam(world).unreachable_since is None
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _starting(anna, "✅ Sam reageert weer") == [REACHABLE]
    assert _audited(world) == ["client.unreachable", "client.reachable"]


async def test_i_will_call_for_a_client_who_cannot_get_messages_tells_only_the_coach(
    world: World,
) -> None:
    """Sam asked to be called, then blocked the bot and is marked 📵. Anna taps the note's
    "📞 Ik bel": her choice is recorded, nothing is queued for Sam ("Anna belt je zo" could
    not arrive), and Anna reads the card's 📵 line instead of "Ik laat Sam weten dat je zo
    belt.". The card offers no "📋 Nu een check-in" while Sam is marked, and does once Sam wrote
    again."""
    from tests.scenarios.test_quiet_routine import CALLS, _actions_stored, _checkin

    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")  # Sam shared a phone number: "📞 Ik bel" is offered
    await world.drain()
    await _checkin(sam, "7", area=None, call="Ja")
    note = await anna.wait_for(lambda m: m.text == "Sam wil graag dat je belt.")
    assert note.buttons == [["📞 Ik bel", "💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]
    sam.block()
    world.clock.set(FIRST_DUE)
    await world.tick()
    await world.drain()
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]
    assert _sam(world).unreachable_since == FIRST_DUE

    def rows_for_sam() -> int:
        with world.database.transaction() as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == sam.id))
            return len(list(rows))

    queued = rows_for_sam()
    failed = _failed_to(world, sam.id)
    anna.mark_read()
    await anna.press("📞 Ik bel", note)
    told = await anna.next_message()
    assert told.text == f"Genoteerd: jij belt Sam.\n\n{CARD_LINE}"
    assert "Ik laat Sam weten" not in (told.text or "")
    assert told.buttons == [["✅ Afgehandeld"]]
    await world.drain()
    assert rows_for_sam() == queued, "nothing queued for Sam"
    assert _failed_to(world, sam.id) == failed
    assert not any(m.text == CALLS for m in sam.inbox)
    assert [a for _, a, _ in _actions_stored(world)] == ["signal.call"], "the choice is kept"
    assert _starting(anna, "📵 Sam kan") == [UNREACHABLE]

    card = await open_card(anna, "Sam")
    assert card.text is not None and CARD_LINE in card.text.splitlines()
    assert not any("📋 Nu een check-in" in row for row in card.buttons)
    assert card.buttons[0] == ["⏱ Ritme"]

    sam.unblock()
    await sam.send_text("Hallo")
    await world.drain()
    assert _sam(world).unreachable_since is None
    card = await open_card(anna, "Sam")
    assert card.text is not None and CARD_LINE not in card.text.splitlines()
    assert card.buttons[0] == ["📋 Nu een check-in", "⏱ Ritme"]
