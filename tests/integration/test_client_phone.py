"""A client's phone number in storage, on SQLite and PostgreSQL: stored and looked up for a
coach's own clients, and, once an alert closes, an unsent message that would show it to a backup
or a team chat is never sent (the client's own coach keeps theirs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.alerts import ALERT_HANDLERS
from bot.effect_registry import EffectEnv
from dialogs.outcome import AutoCloseAlert, CloseAlert
from storage import outbox, people
from storage.alerts import NUMBER_WITHHELD
from storage.database import Database
from storage.models import Alert, OutboxMessage
from storage.outbox import Priority

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ANNA_CHAT, BRAM_CHAT, TEAM_CHAT = 8_100_000_001, 8_100_000_002, -100_123
ENV = EffectEnv(
    now=NOW + timedelta(minutes=20),
    telegram_user_id=BRAM_CHAT,
    bot_username="waakvlam_test_bot",
    invite_ttl=timedelta(days=14),
    default_language="nl",
    timezone=ZoneInfo("Europe/Amsterdam"),
)


def _sam_with_an_alert(database: Database) -> tuple[int, int]:
    """Anna's client Sam with a phone number and an open alert; (Anna's id, alert id)."""
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="T")
        anna = people.add_coach(session, team_id=team.id or 0, name="Anna", language="nl", now=NOW)
        people.activate_coach(session, anna, telegram_user_id=ANNA_CHAT, now=NOW)
        sam = people.add_client(session, coach_id=anna.id or 0, name="Sam", language="nl", now=NOW)
        kim = people.add_client(session, coach_id=anna.id or 0, name="Kim", language="nl", now=NOW)
        people.set_client_phone(session, sam, "+31612345678", now=NOW)
        alert = Alert(client_id=sam.id or 0, coach_id=anna.id or 0, pressed_at=NOW)
        session.add(alert)
        session.flush()
        assert sam.id is not None and kim.id is not None and alert.id is not None
        assert people.phones_of(session, [sam.id, kim.id]) == {sam.id: "+31612345678"}
        assert people.phones_of(session, []) == {}
        return anna.id or 0, alert.id


def _queue(database: Database, alert_id: int, chat_id: int, *, phone: bool, **row: object) -> int:
    with database.transaction() as session:
        params = {"client": "Sam", **({"phone": "+31 6 12345678"} if phone else {})}
        message_id = outbox.enqueue(
            session,
            now=NOW,
            chat_id=chat_id,
            priority=Priority.ALERT,
            text_key="alert.escalated" if phone else "alert.pressed_again",
            params=params,
            alert_id=alert_id,
        )
        message = session.get_one(OutboxMessage, message_id)
        for key, value in row.items():
            setattr(message, key, value)
        session.add(message)
        session.flush()
        assert message.id is not None
        return message.id


def _rows(database: Database) -> dict[int, tuple[bool, str | None]]:
    """Row id -> (still to be sent, error)."""
    with database.transaction() as session:
        return {
            row.id or 0: (row.sent_at is None and row.failed_at is None, row.error)
            for row in session.exec(select(OutboxMessage))
        }


def test_closing_withholds_an_unsent_number_from_backups_and_team_chats(
    database: Database,
) -> None:
    anna_id, alert_id = _sam_with_an_alert(database)
    to_bram = _queue(database, alert_id, BRAM_CHAT, phone=True)
    to_team = _queue(database, alert_id, TEAM_CHAT, phone=True)
    to_anna = _queue(database, alert_id, ANNA_CHAT, phone=True)
    no_number = _queue(database, alert_id, BRAM_CHAT, phone=False)
    sent = _queue(database, alert_id, BRAM_CHAT, phone=True, sent_at=NOW)
    being_sent = _queue(database, alert_id, BRAM_CHAT, phone=True, claimed_by="instance-a")

    with database.transaction() as session:
        ALERT_HANDLERS[CloseAlert](session, CloseAlert(alert_id, anna_id, "talked"), ENV)

    rows = _rows(database)
    assert rows[to_bram] == (False, NUMBER_WITHHELD)
    assert rows[to_team] == (False, NUMBER_WITHHELD)
    assert rows[to_anna] == (True, None), "her own coach keeps the number"
    assert rows[no_number] == (True, None), "what shows no number still goes"
    assert rows[sent] == (False, None) and rows[being_sent] == (True, None)


def test_closing_by_the_clock_withholds_it_too(database: Database) -> None:
    _, alert_id = _sam_with_an_alert(database)
    to_bram = _queue(database, alert_id, BRAM_CHAT, phone=True)
    with database.transaction() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        alert.acknowledged_at, alert.acknowledged_by = NOW, None
        session.add(alert)
    with database.transaction() as session:
        ALERT_HANDLERS[AutoCloseAlert](session, AutoCloseAlert(alert_id), ENV)
    assert _rows(database)[to_bram] == (False, NUMBER_WITHHELD)
