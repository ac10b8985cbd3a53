"""Logged contacts on SQLite and PostgreSQL: stored as logged, a note cut to its length, the
latest per client in one query, only the three kinds, and the card's shell loads only the
coach's own active client (with only the coach's own notes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from bot.checkins import CheckinShell, load_question_books
from bot.client_card import load_card
from bot.words import load_words
from dialogs.card_view import ContactKind
from storage import contacts, people
from storage.database import Database
from storage.models import Alert, AlertOutcome, ClientStatus, ContactLog

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _people(database: Database) -> tuple[int, int, int, int]:
    """Coaches Anna and Bert; Anna's active clients Sam and Kim."""
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Test")
        assert team.id is not None
        anna = people.add_coach(session, team_id=team.id, name="Anna", language="nl", now=NOW)
        bert = people.add_coach(session, team_id=team.id, name="Bert", language="nl", now=NOW)
        assert anna.id is not None and bert.id is not None
        ids = []
        for name in ("Sam", "Kim"):
            client = people.add_client(session, coach_id=anna.id, name=name, language="nl", now=NOW)
            people.activate_client(session, client, now=NOW)
            assert client.id is not None
            ids.append(client.id)
        return anna.id, bert.id, ids[0], ids[1]


def test_a_contact_is_stored_as_logged_and_its_note_is_cut_short(database: Database) -> None:
    anna, _, sam, kim = _people(database)
    with database.transaction() as session:
        call = contacts.add_contact(session, client_id=sam, coach_id=anna, kind="call", now=NOW)
        later = NOW + timedelta(days=2)
        visit = contacts.add_contact(
            session, client_id=sam, coach_id=anna, kind=ContactKind.VISIT, now=later
        )
        contacts.add_contact(
            session, client_id=kim, coach_id=anna, kind="elsewhere", now=NOW - timedelta(days=9)
        )
        contacts.set_note(session, call, "x" * 250)
        contacts.set_note(session, visit, "")
        call_id = call.id
    with database.transaction() as session:
        stored = contacts.get_contact(session, call_id or 0)
        assert stored is not None and stored.at == NOW and stored.kind == "call"
        assert stored.note == "x" * contacts.MAX_NOTE
        assert [(c.kind, c.note) for c in contacts.contacts_of(session, sam)] == [
            ("visit", None),
            ("call", "x" * 200),
        ]
        assert contacts.last_contacts(session, [sam, kim, 999]) == {
            sam: NOW + timedelta(days=2),
            kim: NOW - timedelta(days=9),
        }


def test_a_noodknop_alert_closed_as_talked_or_visited_is_contact_too(database: Database) -> None:
    """The coach called Sam back after his noodknop and closed it "talked": that is the
    latest contact. Kim's false alarm, and her alert still open, are none."""
    anna, _, sam, kim = _people(database)
    days = [NOW - timedelta(days=d) for d in range(6)]
    with database.transaction() as session:
        contacts.add_contact(session, client_id=sam, coach_id=anna, kind="call", now=days[5])
        contacts.add_contact(session, client_id=kim, coach_id=anna, kind="visit", now=days[5])
        for client, closed, outcome in (
            (sam, days[1], AlertOutcome.TALKED),
            (sam, days[3], AlertOutcome.VISITED),
            (kim, days[2], AlertOutcome.FALSE_ALARM),
            (kim, None, None),
        ):
            session.add(
                Alert(
                    client_id=client,
                    coach_id=anna,
                    pressed_at=days[4],
                    closed_at=closed,
                    outcome=outcome,
                )
            )
        session.flush()
        assert contacts.last_contacts(session, [sam, kim]) == {sam: days[1], kim: days[5]}


def test_only_the_three_kinds_can_be_stored(database: Database) -> None:
    anna, _, sam, _ = _people(database)
    with pytest.raises((StatementError, ValueError)), database.transaction() as session:
        session.add(ContactLog(client_id=sam, coach_id=anna, at=NOW, kind="email"))
        session.flush()
    # Past the model too: the database's own CHECK refuses it.
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.execute(
            text(
                "INSERT INTO contact_log (client_id, coach_id, at, kind) "
                "VALUES (:client, :coach, :at, 'email')"
            ),
            {"client": sam, "coach": anna, "at": NOW},
        )


def test_the_card_is_loaded_for_the_coachs_own_active_client_with_only_their_notes(
    database: Database,
) -> None:
    anna, bert, sam, kim = _people(database)
    with database.transaction() as session:
        own = contacts.add_contact(session, client_id=sam, coach_id=anna, kind="call", now=NOW)
        contacts.set_note(session, own, "Klonk moe")
        other = contacts.add_contact(session, client_id=sam, coach_id=bert, kind="visit", now=NOW)
        contacts.set_note(session, other, "Van Bert")
        client = people.get_client(session, kim)
        assert client is not None
        client.status = ClientStatus.ENDED
        session.add(client)
    shell = CheckinShell(
        books=load_question_books(), words=load_words("nl"), default_language="nl", timezone="UTC"
    )
    with database.transaction() as session:
        card = load_card(session, anna, sam, shell, NOW + timedelta(hours=1))
        assert card is not None
        assert sorted((c.kind.value, c.note) for c in card.contacts) == [
            ("call", "Klonk moe"),
            ("visit", None),  # Bert's note stays Bert's
        ]
        assert card.last_contact == NOW and card.phase == "start"
        assert [step.coach for step in card.coaches] == ["Anna"]
        assert load_card(session, bert, sam, shell, NOW) is None  # not Bert's client
        assert load_card(session, anna, kim, shell, NOW) is None  # a former client
        assert load_card(session, anna, 99_999, shell, NOW) is None
