"""A client who cannot get messages while a noodknop alert of theirs is open: whoever handles
the alert (a backup coach at night, a team group) must know that "Bram belt je zo" and the
emergency numbers cannot arrive. The 📵 notice is part of the alert: to everyone told about
it, each once, linked to the alert and at alert priority; someone asked after the mark (a
team group at the escalation) hears it when the next alert update for the client is refused.
When Sam can be reached again with the alert still open, those who read that line (and only
they: not a team group that refused it) read once that messages arrive again, also at alert
priority, and whether all or some of the emergency numbers sent to Sam were refused. The
real bot through the sandbox, a fixed clock, both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SimGroup, SimUser

from bot import admin
from storage.models import Alert, OutboxMessage
from storage.outbox import Priority
from tests.scenarios.conftest import World
from tests.scenarios.test_noodknop import _press
from tests.scenarios.test_unreachable_client import REACHABLE, UNREACHABLE, _refuses, _sam

NOTICE = (
    "📵 Sam kan geen berichten van mij krijgen (melding van 10:00): wat ik Sam stuur, "
    "komt niet aan, ook de noodnummers niet. Bel Sam."
)
AGAIN = "✅ Berichten komen weer aan bij Sam (melding van 10:00)."
NOTICE_KEY = "coach_reach.unreachable_alert"


def _notices(chat: SimUser | SimGroup) -> list[str]:
    return [m.text for m in chat.inbox if m.text and m.text.startswith("📵")]


def _notice_rows(world: World) -> list[tuple[int, int | None, int]]:
    """The alert's 📵 rows: (chat, alert, priority), in the order they were queued."""
    with world.database.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.text_key == NOTICE_KEY)
            .order_by(col(OutboxMessage.id))
        )
        return [(r.chat_id, r.alert_id, r.priority) for r in rows]


def _cleared(chat: SimUser | SimGroup) -> list[str]:
    """What ``chat`` read of Sam's chat working again (the alert's line or the everyday one)."""
    starts = ("✅ Berichten komen weer aan bij Sam", "✅ Sam reageert weer")
    return [m.text for m in chat.inbox if m.text and m.text.startswith(starts)]


def _again_rows(world: World) -> list[tuple[int, int | None, int]]:
    """The alert's ✅ rows: (chat, alert, priority), in the order they were queued."""
    with world.database.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.text_key).startswith("coach_reach.reachable_alert"))
            .order_by(col(OutboxMessage.id))
        )
        return [(r.chat_id, r.alert_id, r.priority) for r in rows]


def _alert_id(world: World) -> int:
    with world.database.transaction() as session:
        alert = session.exec(select(Alert)).one()
        assert alert.id is not None
        return alert.id


def _refused_to(world: World, person: SimUser | SimGroup, key: str) -> bool:
    with world.database.transaction() as session:
        rows = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == person.id,
                OutboxMessage.text_key == key,
                col(OutboxMessage.failed_at).is_not(None),
            )
        )
        return len(list(rows)) == 1


async def test_the_backup_handling_an_alert_at_night_hears_the_client_cannot_get_messages(
    world: World,
) -> None:
    """Anna is off: Anna and Bram are told of Sam's alert. Sam blocks the bot: both read, once,
    what it means for the alert, as part of it (not Anna's everyday 📵 notice). Bram picks it
    up: "Bram belt je zo" is refused, and nobody is told twice."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.set_hours(anna, "2345")  # Monday 10:00 in Amsterdam: Anna works Tuesday to Friday
    await sam.tap_keyboard("🔴 Noodknop")
    assert (await anna.next_message()).text.startswith("🔴 NOODKNOP – Sam")
    assert (await bram.next_message()).text.startswith("🔴 NOODKNOP – Sam")
    await world.drain()

    world.clock.advance(timedelta(minutes=2))
    sam.block()
    await world.drain()
    assert _sam(world).unreachable_since == world.clock.now()
    assert (_notices(anna), _notices(bram)) == ([NOTICE], [NOTICE])
    alert_id = _alert_id(world)
    assert sorted(_notice_rows(world)) == sorted(
        [(anna.id, alert_id, Priority.ALERT), (bram.id, alert_id, Priority.ALERT)]
    )

    await bram.press("✅ Ik bel nu")
    await world.drain()
    assert _refused_to(world, sam, "noodknop.seen"), "Sam could not read that Bram calls"
    assert (_notices(anna), _notices(bram)) == ([NOTICE], [NOTICE])
    assert UNREACHABLE not in _notices(anna)
    assert len(_notice_rows(world)) == 2


async def test_a_team_group_asked_after_the_mark_hears_it_when_the_next_update_is_refused(
    world: World,
) -> None:
    """Sam blocks the bot with the alert open: Anna, the one told, hears it. Nobody picks it
    up: at the escalation the team group is asked, and Sam's update ("Anna reageert nog niet")
    is refused: the group hears it then, under the alert; Anna not again. Bram picks it up
    in the group: "Bram belt je zo" is refused too, and nobody hears it twice."""
    anna, sam, bram, team = await _with_a_team(world)
    await _press(sam)
    await anna.next_message()
    world.clock.advance(timedelta(minutes=1))
    sam.block()
    await world.drain()
    assert (_notices(anna), _notices(team)) == ([NOTICE], [])

    world.clock.advance(timedelta(minutes=4))
    await world.tick()
    await world.drain()
    texts = [m.text or "" for m in team.inbox]
    asked = next(i for i, t in enumerate(texts) if "Kun jij Sam bellen?" in t)
    assert texts.index(NOTICE) > asked, "the notice follows the alert it belongs to"
    assert (_notices(anna), _notices(team)) == ([NOTICE], [NOTICE])

    await team.press("✅ Ik bel nu", sender=bram)
    await world.drain()
    assert _refused_to(world, sam, "noodknop.seen")
    assert (_notices(anna), _notices(team), _notices(bram)) == ([NOTICE], [NOTICE], [])
    alert_id = _alert_id(world)
    assert _notice_rows(world) == [
        (anna.id, alert_id, Priority.ALERT),
        (team.id, alert_id, Priority.ALERT),
    ]


async def test_once_bram_picked_the_alert_up_only_he_hears_it_at_once(world: World) -> None:
    """Anna is off; Bram picked Sam's alert up ("✅ Ik bel nu") before Sam blocked the bot:
    Bram, who calls, reads the alert's line; Anna, told of the alert but not handling it, reads
    her everyday 📵 notice, not a ringing alert line."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.set_hours(anna, "2345")  # Monday 10:00 in Amsterdam: Anna works Tuesday to Friday
    await sam.tap_keyboard("🔴 Noodknop")
    await bram.next_message()
    await bram.press("✅ Ik bel nu")
    await world.drain()

    world.clock.advance(timedelta(minutes=2))
    sam.block()
    await world.drain()
    assert (_notices(anna), _notices(bram)) == ([UNREACHABLE], [NOTICE])
    assert _notice_rows(world) == [(bram.id, _alert_id(world), Priority.ALERT)]


async def _with_a_team(world: World) -> tuple[SimUser, SimUser, SimUser, SimGroup]:
    """Anna, Sam (Anna's client), Bram and the team group (Anna's backup, Bram in it)."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bram = await world.coach("Bram")
    team = world.sandbox.group("Team Noord", members=[bram])
    admin.add_backup(
        world.database, coach_id=world.coach_id(anna), group_chat_id=team.id, now=world.clock.now()
    )
    await world.drain()
    return anna, sam, bram, team


async def _escalated(world: World, sam: SimUser) -> None:
    """Sam presses the noodknop (the answer to the press is no outbox row); nobody reacts:
    at the escalation the group is asked and Sam is sent an update."""
    await sam.tap_keyboard("🔴 Noodknop")
    await world.drain()
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    await world.drain()


async def _refused_from_the_press(world: World) -> tuple[SimUser, SimUser, SimUser, SimGroup]:
    """Anna, Sam, Bram and the team group (Anna's backup, Bram in it). Telegram refuses
    Sam's messages from the press on; at the escalation the group is asked and Sam's update
    is refused: Sam is marked, and Anna and the group read the alert's 📵 line."""
    anna, sam, bram, team = await _with_a_team(world)
    _refuses(world, sam)
    await _escalated(world, sam)
    assert _sam(world).unreachable_since is not None
    assert (_notices(anna), _notices(team)) == ([NOTICE], [NOTICE])
    return anna, sam, bram, team


async def test_those_who_read_the_alerts_line_hear_once_that_a_message_arrives_again(
    world: World,
) -> None:
    """Telegram refuses Sam's messages from the press on. Nobody picks the alert up: at the
    escalation the team group is asked and Sam's update is refused: Anna, told of the alert,
    and the group read its 📵 line. The block is lifted
    without the bot hearing of it; Bram picks the alert up in the group and "Bram belt je zo"
    arrives: Anna and the group read, once, that messages reach Sam again, as alert traffic;
    Anna not also her everyday ✅; Bram, who never read the line himself, nothing."""
    anna, sam, bram, team = await _refused_from_the_press(world)
    world.sandbox.faults.clear()
    world.clock.advance(timedelta(minutes=1))
    await team.press("✅ Ik bel nu", sender=bram)
    await world.drain()
    assert any("Bram" in (m.text or "") for m in sam.inbox), "Sam read that Bram calls"
    assert _sam(world).unreachable_since is None
    assert (_cleared(anna), _cleared(team), _cleared(bram)) == ([AGAIN], [AGAIN], [])
    alert_id = _alert_id(world)
    assert sorted(_again_rows(world)) == sorted(
        [(anna.id, alert_id, Priority.ALERT), (team.id, alert_id, Priority.ALERT)]
    )


async def test_sam_writing_again_tells_the_one_who_read_the_line_and_anna_as_on_any_day(
    world: World,
) -> None:
    """Anna is off; Bram picked Sam's alert up, then "Bram belt je zo" was refused: only Bram
    read the alert's 📵 line, Anna her everyday 📵 notice. Sam writes again: Bram reads that
    messages reach Sam again, at alert priority; Anna, who never read the alert's line, reads
    only her everyday ✅."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.set_hours(anna, "2345")  # Monday 10:00 in Amsterdam: Anna works Tuesday to Friday
    await sam.tap_keyboard("🔴 Noodknop")
    await bram.next_message()
    await world.drain()
    _refuses(world, sam)
    await bram.press("✅ Ik bel nu")
    await world.drain()
    assert (_notices(anna), _notices(bram)) == ([UNREACHABLE], [NOTICE])

    world.sandbox.faults.clear()
    world.clock.advance(timedelta(minutes=3))
    await sam.send_text("Hallo")
    await world.drain()
    assert _sam(world).unreachable_since is None
    assert (_cleared(anna), _cleared(bram)) == ([REACHABLE], [AGAIN])
    assert _again_rows(world) == [(bram.id, _alert_id(world), Priority.ALERT)]


async def test_emergency_numbers_that_were_refused_are_said_not_to_have_arrived(
    world: World,
) -> None:
    """As above, and nobody reacted for 15 minutes: the emergency numbers went to Sam and were
    refused. When a message reaches Sam again, those who read the 📵 line read that too (the
    bot does not claim Sam has them now)."""
    anna, sam, bram, team = await _refused_from_the_press(world)
    world.clock.advance(timedelta(minutes=10))
    await world.tick()
    await world.drain()
    assert _refused_to(world, sam, "noodknop.number_112")
    world.sandbox.faults.clear()
    world.clock.advance(timedelta(minutes=1))
    await team.press("✅ Ik bel nu", sender=bram)
    await world.drain()
    again = AGAIN + " De noodnummers die ik Sam stuurde, kwamen niet aan."
    assert (_cleared(anna), _cleared(team), _cleared(bram)) == ([again], [again], [])


async def test_emergency_numbers_of_which_some_were_refused_are_said_not_all_to_have_arrived(
    world: World,
) -> None:
    """Telegram refuses Sam's messages from the press on: Anna and the group read the alert's
    📵 line ("ook de noodnummers niet"). Nobody reacted for 15 minutes: the line before the
    numbers and 112 are refused, then 113 arrives. Anna and the group read that messages
    reach Sam again, and that not all numbers did (112 never reached Sam); Bram nothing."""
    anna, sam, bram, team = await _refused_from_the_press(world)
    world.sandbox.faults.clear()
    world.sandbox.faults.fail(status=403, times=2, chat_id=sam.id)
    world.clock.advance(timedelta(minutes=10))
    await world.tick()
    await world.drain()
    assert _refused_to(world, sam, "noodknop.number_112")
    assert not _refused_to(world, sam, "noodknop.number_113")
    assert _sam(world).unreachable_since is None
    again = AGAIN + " Niet alle noodnummers die ik Sam stuurde, kwamen aan."
    assert (_cleared(anna), _cleared(team), _cleared(bram)) == ([again], [again], [])
    alert_id = _alert_id(world)
    assert sorted(_again_rows(world)) == sorted(
        [(anna.id, alert_id, Priority.ALERT), (team.id, alert_id, Priority.ALERT)]
    )


async def test_a_team_group_that_refused_the_alerts_line_is_not_told_it_ended(
    world: World,
) -> None:
    """The team group removed the bot: Telegram refuses everything to it (403), Sam's chat
    too. At the escalation the group is asked and Sam's update is refused: the alert's 📵 line
    goes to Anna and the group, and the group's is refused. Sam writes again: Anna reads that
    messages reach Sam again; the group, which never read the 📵 line, is not sent that."""
    anna, sam, _, team = await _with_a_team(world)
    _refuses(world, sam)
    world.sandbox.faults.fail(status=403, times=None, chat_id=team.id)
    await _escalated(world, sam)
    assert _sam(world).unreachable_since is not None
    assert (_notices(anna), _notices(team)) == ([NOTICE], [])
    assert _refused_to(world, team, NOTICE_KEY), "the group's 📵 line was refused"

    world.sandbox.faults.clear()
    world.sandbox.faults.fail(status=403, times=None, chat_id=team.id)
    world.clock.advance(timedelta(minutes=1))
    await sam.send_text("Hallo")
    await world.drain()
    assert _sam(world).unreachable_since is None
    assert (_cleared(anna), _cleared(team)) == ([AGAIN], [])
    assert _again_rows(world) == [(anna.id, _alert_id(world), Priority.ALERT)]


async def test_sam_who_could_not_read_that_anna_saw_his_alert_reads_it_when_he_writes(
    world: World,
) -> None:
    """Sam presses the noodknop and reads that he hears when Anna saw it. Then his chat
    refuses messages (he blocked the bot by mistake), so "Anna heeft je melding gezien. Anna
    belt je zo." is refused. He unblocks and writes "Hallo?": it goes with his alert, and he
    reads who saw it and what is recorded of it (Anna picked it up by phone)."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await _press(sam)
    await anna.next_message()
    await world.drain()
    _refuses(world, sam)
    world.clock.advance(timedelta(minutes=1))
    await anna.press("✅ Ik bel nu")
    await world.drain()
    assert _refused_to(world, sam, "noodknop.seen"), "Sam could not read that Anna calls"

    world.sandbox.faults.clear()
    world.clock.advance(timedelta(minutes=2))
    before = len(sam.inbox)
    await sam.send_text("Hallo?")
    await world.drain()
    assert [m.text for m in sam.inbox[before:]] == [
        "Anna heeft je melding al gezien.\nAnna belt je zo.",
        "Ik stuur dit mee met je melding.",
    ]
    assert _sam(world).unreachable_since is None


async def test_without_sams_number_the_alerts_line_does_not_say_call_sam(world: World) -> None:
    """Sam shared no phone number, so the alert said to send Sam a message. When his chat
    refuses messages, the alert's 📵 line does not send Anna to a number she does not have;
    who already read it is still known by its rows (nobody reads it twice)."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    await sam.tap_keyboard("🔴 Noodknop")
    assert "geen telefoonnummer" in (await anna.next_message()).text
    await world.drain()
    world.clock.advance(timedelta(minutes=2))
    sam.block()
    await world.drain()
    assert _notices(anna) == [
        "📵 Sam kan geen berichten van mij krijgen (melding van 10:00): wat ik Sam stuur, "
        "komt niet aan, ook de noodnummers niet. Van Sam is geen telefoonnummer bewaard: "
        "probeer Sam op een andere manier te bereiken."
    ]
    with world.database.transaction() as session:
        keys = session.exec(
            select(OutboxMessage.text_key).where(OutboxMessage.chat_id == anna.id)
        ).all()
    assert NOTICE_KEY not in keys
    _refuses(world, sam)  # the next update for Sam refused too: Anna is not told twice
    await anna.press("✅ Ik stuur een bericht")
    await world.drain()
    assert _refused_to(world, sam, "noodknop.seen_message")
    with world.database.transaction() as session:
        lines = session.exec(
            select(OutboxMessage.chat_id).where(
                OutboxMessage.text_key == "coach_reach.unreachable_alert_no_phone"
            )
        ).all()
    assert lines == [anna.id]
