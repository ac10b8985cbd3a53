"""The coach's weekly digest end to end on both databases (issue 15): at the coach's moment
one quiet message with who needs attention and the week's check-ins; once a week; nothing for
a coach with nothing to say.
"""

from __future__ import annotations

from datetime import time, timedelta

from sqlmodel import col, select

from bot.coach_settings import CoachDefaults
from storage import audit
from storage import checkins as checkin_store
from storage.digest import DIGEST_EMPTY, DIGEST_SENT
from storage.models import AuditEvent, Client
from tests.scenarios.conftest import World

DIGEST = (
    "📋 Jouw week in het kort\n"
    "Aandacht nodig:\n"
    "❔ Sam · contact 3 dagen geleden\n"
    "Check-ins deze week: 1 beantwoord, 1 gemist.\n"
    "Open: 0 meldingen, 0 signalen. Langer geen contact dan het ritme: 0."
)


def _checkins_this_week(world: World, name: str) -> None:
    """An answered check-in three days ago, then one sent yesterday that closed as missed an
    hour ago (a day without an answer)."""
    now = world.clock.now()
    with world.database.transaction() as session:
        client = session.exec(select(Client).where(col(Client.name) == name)).one()
        assert client.id is not None
        done = checkin_store.add_checkin(
            session,
            client_id=client.id,
            version="1",
            origin="schedule",
            now=now - timedelta(days=3),
        )
        done.status, done.finished_at = "done", now - timedelta(days=3)
        missed = checkin_store.add_checkin(
            session,
            client_id=client.id,
            version="1",
            origin="schedule",
            now=now - timedelta(days=1),
        )
        missed.status, missed.finished_at = "missed", now - timedelta(hours=1)
        session.add_all([done, missed])


def _digest_events(world: World) -> list[str]:
    with world.database.transaction() as session:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_((DIGEST_SENT, DIGEST_EMPTY)))
            .order_by(col(AuditEvent.id))
        )
        return [f"{row.action}:{row.subject_id}" for row in rows]


async def test_a_weekly_digest_at_the_moment_once_and_nothing_without_news(world: World) -> None:
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    await world.client(anna, "Sam")
    await world.client(bram, "Kim")  # calm, and no check-in this week: nothing to say
    _checkins_this_week(world, "Sam")
    digest = world.service.digest
    digest.defaults = CoachDefaults(1, time(10, 30))  # Mondays 10:30; the clock: Monday 10:00
    await world.tick()
    await world.drain()
    assert not any((m.text or "").startswith("📋") for m in anna.inbox)
    assert _digest_events(world) == []

    world.clock.advance(timedelta(minutes=30))
    anna_seen, bram_seen = len(anna.inbox), len(bram.inbox)
    await world.tick()
    message = await anna.wait_for(lambda m: (m.text or "").startswith("📋"))
    assert message.text == DIGEST
    assert message.silent  # routine: no sound on the coach's phone
    assert message.reply_markup == {
        "inline_keyboard": [[{"text": "👥 Open de lijst", "callback_data": "cg:0"}]]
    }
    await world.tick()  # the same day again: no second digest
    await world.drain()
    assert [m.text for m in anna.inbox[anna_seen:]].count(DIGEST) == 1
    assert bram.inbox[bram_seen:] == []
    anna_id, bram_id = world.coach_id(anna), world.coach_id(bram)
    assert sorted(_digest_events(world)) == sorted(
        [f"{DIGEST_SENT}:{anna_id}", f"{DIGEST_EMPTY}:{bram_id}"]
    )

    # The button opens the list of clients.
    await anna.press("👥 Open de lijst", message)
    listed = await anna.wait_for(lambda m: (m.text or "").startswith("Jouw cliënten (1)"))
    assert "Sam" in (listed.text or "")

    # A week later the digest comes again (the missed check-in is older than a week now).
    world.clock.advance(timedelta(days=7))
    await world.tick()
    again = await anna.wait_for(lambda m: (m.text or "").startswith("📋"))
    assert "Check-ins deze week: 0 beantwoord, 0 gemist." in (again.text or "")
    with world.database.transaction() as session:
        assert len(audit.list_events(session, subject_type="coach", subject_id=anna_id)) >= 2
