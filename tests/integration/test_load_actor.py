"""Who a Telegram account is to the bot (``bot.state.load_actor``): a coach, a client or a
stranger, read in one query for a client."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.state import load_actor
from dialogs.people import ClientStep, Role
from storage import people
from storage.database import Database
from storage.models import ClientStatus

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ANNA, SAM, BRAM, NOBODY = 7_001, 7_002, 7_003, 7_004


def _people(database: Database) -> None:
    """Anna coaches Sam. Bram was a client of hers and is a coach now, with the same
    account: his ended client row still holds it."""
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Zorg")
        assert team.id is not None
        anna = people.add_coach(session, team_id=team.id, name="Anna", language="nl", now=NOW)
        people.activate_coach(session, anna, telegram_user_id=ANNA, now=NOW)
        bram = people.add_coach(session, team_id=team.id, name="Bram", language="en", now=NOW)
        people.activate_coach(session, bram, telegram_user_id=BRAM, now=NOW)
        assert anna.id is not None
        for name, account, status in (
            ("Sam", SAM, ClientStatus.ACTIVE),
            ("Bram", BRAM, ClientStatus.ENDED),
        ):
            client = people.add_client(session, coach_id=anna.id, name=name, language="nl", now=NOW)
            client.telegram_user_id = account
            client.status = status
            session.add(client)


def test_each_account_is_who_its_rows_say(database: Database) -> None:
    _people(database)
    with database.transaction() as session:
        sam = load_actor(session, SAM, "nl")
        anna = load_actor(session, ANNA, "nl")
        bram = load_actor(session, BRAM, "nl")
        nobody = load_actor(session, NOBODY, "en")
    assert sam.person.role is Role.CLIENT
    assert (sam.person.name, sam.person.coach_name) == ("Sam", "Anna")
    assert sam.person.client_step is ClientStep.ACTIVE
    assert sam.coach is not None and sam.coach.chat_id == ANNA
    assert (anna.person.role, anna.person.name) == (Role.COACH, "Anna")
    # A coach's account is a coach's, whatever client row it still holds.
    assert (bram.person.role, bram.person.name, bram.person.language) == (Role.COACH, "Bram", "en")
    assert (nobody.person.role, nobody.person.language) == (Role.STRANGER, "en")
