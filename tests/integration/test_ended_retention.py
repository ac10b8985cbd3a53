"""Ended clients on SQLite and PostgreSQL: the daily housekeeping erases a client whose support
ended more than ``WAAKVLAM_ENDED_KEEP_DAYS`` ago, whole (the same erasure as ``client erase``,
with the clips that say their name), and keeps everyone else: a client who came back, one who
pressed the noodknop since or whose alert is open, one still inside the window, an active
client. The log and the audit trail name nobody."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bot.clock import FixedClock
from bot.housekeeping import daily
from bot.leaving import erase_ended
from bot.settings import Settings
from bot.voice.cache import ClipStore
from storage import audit, checkins, contacts, outbox, people
from storage.data_rights import ERASED_ACTION
from storage.database import Database
from storage.models import (
    Alert,
    AuditEvent,
    Checkin,
    Client,
    ClientStatus,
    ContactLog,
    OutboxMessage,
    SupportPhase,
    SupportPhaseName,
)
from storage.outbox import Priority
from storage.retention import ACCOUNT_RELEASED

NOW = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
KEEP = 730
CUTOFF = NOW - timedelta(days=KEEP)
DAY = timedelta(days=1)
ANNA_CHAT = 7_001


def _anna(session: Session) -> int:
    team = people.default_team(session, now=NOW, organisation_name="Test")
    anna = people.add_coach(session, team_id=team.id or 0, name="Anna", language="nl", now=NOW)
    people.activate_coach(session, anna, telegram_user_id=ANNA_CHAT, now=NOW)
    assert anna.id is not None
    return anna.id


def _client(session: Session, coach: int, name: str, chat: int | None, joined: datetime) -> int:
    """An active client with a little history: a check-in, a logged call, a notice naming them."""
    client = people.add_client(session, coach_id=coach, name=name, language="nl", now=joined)
    client.telegram_user_id = chat
    people.activate_client(session, client, now=joined)
    session.flush()
    assert client.id is not None
    row = checkins.add_checkin(
        session, client_id=client.id, version="1", origin="schedule", now=joined
    )
    row.status = "done"
    contacts.add_contact(session, client_id=client.id, coach_id=coach, kind="call", now=joined)
    notice_id = outbox.enqueue(
        session,
        now=joined,
        chat_id=ANNA_CHAT,
        priority=Priority.NOTICE,
        text_key="coach.client_joined",
        params={"client": name},
    )
    notice = session.get_one(OutboxMessage, notice_id)
    notice.sent_at = joined
    session.add_all([row, notice])
    audit.record(
        session,
        at=joined,
        actor=f"client:{client.id}",
        action="client.consented",
        subject_type="client",
        subject_id=client.id,
    )
    return client.id


def _end(session: Session, client_id: int, at: datetime) -> None:
    """The coach ended the support at ``at`` (as ``bot.leaving`` stores it)."""
    client = session.get(Client, client_id)
    assert client is not None
    client.status = ClientStatus.ENDED
    for phase in session.exec(select(SupportPhase).where(SupportPhase.client_id == client_id)):
        phase.ended_at = phase.ended_at or at
        session.add(phase)
    session.add(
        SupportPhase(
            client_id=client_id,
            phase=SupportPhaseName.ENDED,
            started_at=at,
            end_reason="client_asked",
        )
    )
    session.add(client)
    session.flush()


def _reopen(session: Session, client_id: int, at: datetime) -> None:
    client = session.get(Client, client_id)
    assert client is not None
    client.status = ClientStatus.ACTIVE
    for phase in session.exec(select(SupportPhase).where(SupportPhase.client_id == client_id)):
        phase.ended_at = phase.ended_at or at
        session.add(phase)
    session.add(SupportPhase(client_id=client_id, phase=SupportPhaseName.REGULAR, started_at=at))
    session.add(client)


def _alert(session: Session, client: int, coach: int, at: datetime, *, closed: bool) -> None:
    session.add(
        Alert(
            client_id=client,
            coach_id=coach,
            pressed_at=at,
            closed_at=at + timedelta(hours=1) if closed else None,
            outcome="talked" if closed else None,
        )
    )


def _clients(session: Session) -> set[str]:
    return {client.name for client in session.exec(select(Client))}


async def test_the_daily_job_erases_exactly_the_clients_whose_support_ended_long_enough_ago(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    long_ago = CUTOFF - 400 * DAY
    with database.transaction() as session:
        anna = _anna(session)
        bo = _client(session, anna, "Bo Visser", 8_001, long_ago)
        _end(session, bo, CUTOFF - DAY)  # ended a day before the cut-off: erased
        # Ended long ago, account let go of (joined again with a new link as a new client):
        # their history is kept, for their return.
        kim = _client(session, anna, "Kim Smit", None, long_ago)
        _end(session, kim, CUTOFF - 30 * DAY)
        released = AuditEvent(
            at=CUTOFF - 20 * DAY,
            actor=f"client:{kim}",
            action=ACCOUNT_RELEASED,
            subject_type="client",
            subject_id=kim,
        )
        session.add(released)
        # Ended long ago, never came back: erased.
        jan = _client(session, anna, "Jan de Wit", 8_002, long_ago)
        _end(session, jan, CUTOFF - 30 * DAY)
        # Ended a day after the cut-off: inside the window, kept.
        lisa = _client(session, anna, "Lisa Bos", 8_003, long_ago)
        _end(session, lisa, CUTOFF + DAY)
        # Ended long ago, then the coach reopened the support: came back, kept.
        mo = _client(session, anna, "Mo Kok", 8_004, long_ago)
        _end(session, mo, CUTOFF - 100 * DAY)
        _reopen(session, mo, CUTOFF - 50 * DAY)
        # Ended long ago, pressed the noodknop last month (closed since): kept.
        noor = _client(session, anna, "Noor Mol", 8_005, long_ago)
        _end(session, noor, CUTOFF - 10 * DAY)
        _alert(session, noor, anna, NOW - 30 * DAY, closed=True)
        # Ended long ago with an alert still open: kept.
        pim = _client(session, anna, "Pim Mulder", 8_006, long_ago)
        _end(session, pim, CUTOFF - 10 * DAY)
        _alert(session, pim, anna, CUTOFF - 5 * DAY, closed=False)
        # Taking part all along: kept.
        _client(session, anna, "Ria de Boer", 8_007, long_ago)
    cache = tmp_path / "voice-cache"
    clips = ClipStore(cache)
    clips.write("a" * 64, b"ogg", "Hoi Bo Visser! Welkom bij Waakvlam.")
    clips.write("b" * 64, b"ogg", "Hoi Lisa Bos!")
    clips.remember_file_id("a" * 64, "file-a")
    settings = Settings(data_dir=tmp_path, ended_keep_days=KEEP)

    with caplog.at_level(logging.INFO):
        await daily(database, FixedClock(NOW), settings)

    with database.transaction() as session:
        assert _clients(session) == {
            "Kim Smit",
            "Lisa Bos",
            "Mo Kok",
            "Noor Mol",
            "Pim Mulder",
            "Ria de Boer",
        }
        for model in (Checkin, ContactLog, SupportPhase):
            gone = select(model).where(col(model.client_id).in_([bo, jan]))
            assert session.exec(gone).first() is None
        kept = select(SupportPhase.client_id).where(
            col(SupportPhase.phase) == SupportPhaseName.ENDED
        )
        assert set(session.exec(kept)) == {kim, lisa, mo, noor, pim}
        erasures = session.exec(select(AuditEvent).where(AuditEvent.action == ERASED_ACTION)).all()
        assert [(e.actor, e.subject_type, e.subject_id) for e in erasures] == [
            ("system", None, None),
            ("system", None, None),
        ]
        # Their own audit events stay, without anything that links them to a person.
        actors = {e.actor for e in session.exec(select(AuditEvent))}
        assert f"client:{bo}" not in actors and f"client:{jan}" not in actors
        subjects = {e.subject_id for e in session.exec(select(AuditEvent))}
        assert bo not in subjects and jan not in subjects
    assert {path.stem for path in cache.glob("*.ogg")} == {"b" * 64}
    assert ClipStore(cache).file_id("a" * 64) is None

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ended clients erased: 2" in logged
    for name in ("Bo", "Jan", "Visser", "Wit", "Lisa"):
        assert name not in logged


async def test_a_client_ended_inside_the_window_is_kept_until_it_passes(
    database: Database,
) -> None:
    with database.transaction() as session:
        anna = _anna(session)
        bo = _client(session, anna, "Bo Visser", 8_001, CUTOFF - 400 * DAY)
        _end(session, bo, CUTOFF + timedelta(minutes=1))

    assert await erase_ended(database, FixedClock(NOW), KEEP) == 0
    with database.transaction() as session:
        assert _clients(session) == {"Bo Visser"}
        assert session.exec(select(Checkin).where(Checkin.client_id == bo)).first() is not None

    later = FixedClock(NOW + timedelta(minutes=2))
    assert await erase_ended(database, later, KEEP) == 1
    with database.transaction() as session:
        assert _clients(session) == set()
        for model in (Checkin, ContactLog, SupportPhase):
            assert session.exec(select(model)).first() is None
        assert session.exec(select(OutboxMessage)).first() is None  # the notice naming Bo


async def test_with_keep_days_0_an_ended_client_is_kept_until_erased_by_hand(
    database: Database,
) -> None:
    with database.transaction() as session:
        anna = _anna(session)
        bo = _client(session, anna, "Bo Visser", 8_001, CUTOFF - 4000 * DAY)
        _end(session, bo, CUTOFF - 3000 * DAY)

    assert await erase_ended(database, FixedClock(NOW), 0) == 0
    with database.transaction() as session:
        assert _clients(session) == {"Bo Visser"}


def test_the_setting_never_erases_a_client_whose_messages_still_reach_their_coach(
    tmp_path: Path,
) -> None:
    assert Settings(data_dir=tmp_path).ended_keep_days == 730
    assert Settings(data_dir=tmp_path, ended_keep_days=0).ended_keep_days == 0
    with pytest.raises(ValueError, match="WAAKVLAM_ENDED_KEEP_DAYS"):
        Settings(data_dir=tmp_path, ended_keep_days=20, ended_grace_days=30)
    with pytest.raises(ValueError, match="WAAKVLAM_ENDED_KEEP_DAYS"):
        Settings(data_dir=tmp_path, ended_keep_days=60, ended_grace_days=90)
