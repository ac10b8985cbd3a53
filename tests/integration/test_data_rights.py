"""A client's data rights on SQLite and PostgreSQL: export everything about them, erase them
completely, list the audit trail; and the ``waakvlam client`` commands that do it.

The history is busy on purpose: check-ins with a signal, a relay and its answer, an alert with
a backup and a team group, notices to the coach, audit events; and a second client of the
same coach, whose rows must stay exactly as they were.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, inspect, text
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from bot.cli import app
from bot.client_admin import move_client
from bot.client_records import audit_of, erase_client, export_client
from bot.state import load_actor
from bot.texts import Texts
from dialogs.people import Role
from storage import alerts, audit, checkins, contacts, data_rights, outbox, people, relays
from storage.database import Database
from storage.invites import issue_invite
from storage.models import (
    Alert,
    AuditEvent,
    Backup,
    Client,
    Coach,
    InviteKind,
    OutboxMessage,
    SupportPhase,
)
from storage.outbox import Priority

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ANNA_CHAT, BEA_CHAT, TEAM_CHAT = 5_001, 5_002, -100_777


@dataclass
class Person:
    """A client in the history, with the ids of the rows written about them along the way."""

    id: int
    name: str
    chat: int
    outbox: set[int] = field(default_factory=set)
    audit: set[int] = field(default_factory=set)
    contact: int = 0  # a call the coach logged, with a note


@dataclass
class History:
    anna: int
    bea: int
    zwaantje: Person
    bram: Person


HER_PHONE, HIS_PHONE = "+31612121212", "+31634343434"  # E.164, as stored


def _coach(session: Session, team_id: int, name: str, chat: int) -> int:
    coach = people.add_coach(session, team_id=team_id, name=name, language="nl", now=NOW)
    people.activate_coach(session, coach, telegram_user_id=chat, now=NOW)
    assert coach.id is not None
    return coach.id


def _client(
    session: Session, coach_id: int, name: str, chat: int, phone: str | None = None
) -> Person:
    client = people.add_client(session, coach_id=coach_id, name=name, language="nl", now=NOW)
    client.phone = phone  # shared at onboarding, or typed by the coach
    assert client.id is not None
    issued = issue_invite(
        session,
        kind=InviteKind.CLIENT,
        now=NOW,
        ttl=timedelta(days=14),
        coach_id=coach_id,
        client_id=client.id,
    )
    issued.invite.claimed_by_telegram_user_id = chat
    issued.invite.claimed_at = issued.invite.used_at = NOW
    client.telegram_user_id, client.consent_at, client.consent_version = chat, NOW, "1"
    client.read_aloud = False
    people.activate_client(session, client, now=NOW)
    session.add_all([client, issued.invite])
    session.flush()
    return Person(client.id, name, chat)


def _audit(session: Session, person: Person, actor: str, action: str, kind: str, subject: int):
    person.audit.add(
        audit.record(
            session, at=NOW, actor=actor, action=action, subject_type=kind, subject_id=subject
        )
    )


def _send(session: Session, person: Person, chat: int, *, sent: bool = True, **row: Any) -> None:
    message = session.get_one(
        OutboxMessage,
        outbox.enqueue(
            session, now=NOW, chat_id=chat, priority=row.pop("priority", Priority.NOTICE), **row
        ),
    )
    if sent:
        message.sent_at, message.telegram_message_id = NOW, 900 + len(person.outbox)
    session.add(message)
    session.flush()
    assert message.id is not None
    person.outbox.add(message.id)


def _live(session: Session, person: Person, coach_id: int) -> None:
    """A year's worth, compressed: everything a client does leaves these rows."""
    cid, name = person.id, person.name
    for rhythm in ("weekly", "every_2_weeks"):
        checkins.set_schedule(
            session,
            client_id=cid,
            coach_id=coach_id,
            rhythm=rhythm,
            weekday=0,
            at="10:00",
            timezone="Europe/Amsterdam",
            starts=date(2026, 11, 9),
            paused=False,
            next_due_at=NOW + timedelta(days=7),
            now=NOW,
        )
    done = checkins.add_checkin(session, client_id=cid, version="1", origin="schedule", now=NOW)
    done.answers = {"grade": "3", "help": "yes", "help_area": "letters_money", "call": "yes"}
    done.status, done.finished_at = "done", NOW
    missed = checkins.add_checkin(
        session, client_id=cid, version="1", origin="schedule", now=NOW + timedelta(days=7)
    )
    missed.status = "missed"
    session.add_all([done, missed])
    assert done.id is not None
    checkins.raise_signal(
        session,
        client_id=cid,
        checkin_id=done.id,
        kind="low_grade",
        cause=f"checkin:{done.id}:grade",
        text_key="coach_checkin.grade_low",
        params={"grade": "3"},
        now=NOW,
    )
    _send(session, person, ANNA_CHAT, text_key="coach_checkin.grade_low", params={"client": name})
    _send(
        session,
        person,
        ANNA_CHAT,
        sent=False,
        text_key="coach.client_joined",
        params={"client": name},
    )
    _send(session, person, person.chat, text_key="checkin.intro", params={"coach": "Anna"})

    asked = relays.add_relay(
        session,
        client_id=cid,
        coach_id=coach_id,
        direction="to_coach",
        kind="voice",
        from_chat_id=person.chat,
        source_message_id=100 * cid + 11,
        answers_relay_id=None,
        now=NOW,
    )
    assert asked is not None
    answer = relays.add_relay(
        session,
        client_id=cid,
        coach_id=coach_id,
        direction="to_client",
        kind="text",
        from_chat_id=ANNA_CHAT,
        source_message_id=100 * cid + 12,
        answers_relay_id=asked,
        now=NOW,
    )
    assert answer is not None
    _send(
        session,
        person,
        ANNA_CHAT,
        text_key="relay.header",
        params={"client": name},
        relay_id=asked,
    )
    _send(
        session,
        person,
        ANNA_CHAT,
        copy_from_chat_id=person.chat,
        copy_message_id=11,
        relay_id=asked,
    )
    _send(
        session,
        person,
        person.chat,
        copy_from_chat_id=ANNA_CHAT,
        copy_message_id=12,
        relay_id=answer,
    )

    alert = Alert(client_id=cid, coach_id=coach_id, pressed_at=NOW, reason="lost")
    session.add(alert)
    session.flush()
    assert alert.id is not None
    for chat, helper, role in (
        (ANNA_CHAT, coach_id, "coach"),
        (BEA_CHAT, None, "backup"),
        (TEAM_CHAT, None, "group"),
    ):
        alerts.add_recipient(session, alert.id, chat_id=chat, coach_id=helper, role=role, at=NOW)
        when = {"$at": NOW.isoformat()}
        _send(
            session,
            person,
            chat,
            text_key="alert.new",
            params={"client": name, "time": when},
            alert_id=alert.id,
            priority=Priority.ALERT,
        )
    _send(
        session,
        person,
        ANNA_CHAT,
        copy_from_chat_id=person.chat,
        copy_message_id=13,
        alert_id=alert.id,
    )
    for kind in ("pressed", "delivered", "escalated", "acknowledged", "closed:talked"):
        alerts.add_event(session, alert.id, kind, at=NOW, coach_id=coach_id)
    alert.acknowledged_at = alert.closed_at = NOW + timedelta(minutes=6)
    alert.acknowledged_by = alert.closed_by = coach_id
    alert.outcome = "talked"
    session.add(alert)

    call = contacts.add_contact(session, client_id=cid, coach_id=coach_id, kind="call", now=NOW)
    contacts.set_note(session, call, f"{name} klonk moe")
    assert call.id is not None
    person.contact = call.id

    _audit(session, person, f"coach:{coach_id}", "client.invited", "client", cid)
    _audit(session, person, f"client:{cid}", "client.joined", "client", cid)
    _audit(session, person, f"client:{cid}", "alert.raised", "alert", alert.id)
    _audit(session, person, f"coach:{coach_id}", "alert.closed", "alert", alert.id)
    _audit(session, person, f"client:{cid}", "message.relayed", "relay", asked)
    _audit(session, person, f"coach:{coach_id}", "message.relayed", "relay", answer)
    _audit(session, person, f"coach:{coach_id}", "client.rhythm_changed", "client", cid)


def _busy_history(database: Database) -> History:
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Gemeente Test")
        assert team.id is not None
        anna = _coach(session, team.id, "Anna", ANNA_CHAT)
        bea = _coach(session, team.id, "Bea", BEA_CHAT)
        session.add(Backup(coach_id=anna, backup_coach_id=bea, position=0))
        session.add(Backup(coach_id=anna, group_chat_id=TEAM_CHAT, position=1))
        audit.record(
            session,
            at=NOW,
            actor="cli",
            action="coach.invited",
            subject_type="coach",
            subject_id=anna,
        )
        zwaantje = _client(session, anna, "Zwaantje", 8_123_456_789, HER_PHONE)
        bram = _client(session, anna, "Bram", 8_987_654_321, HIS_PHONE)
        _live(session, zwaantje, anna)
        _live(session, bram, anna)
        coach = session.get(Coach, anna)
        assert coach is not None
        coach.awaiting = f"message:{zwaantje.id}"  # Anna was about to write to Zwaantje
        session.add(coach)
        backup = session.get(Coach, bea)
        assert backup is not None
        backup.awaiting = f"note:{zwaantje.contact}"  # a note on a call with her, asked for
        session.add(backup)
        return History(anna, bea, zwaantje, bram)


# -- looking at the whole database ---------------------------------------------------------------


def _tables(database: Database) -> list[str]:
    return sorted(inspect(database.engine).get_table_names())


def _dump(database: Database) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of every table in the database (reflected, not just the models), by key."""
    dump: dict[str, dict[Any, dict[str, Any]]] = {}
    with database.engine.connect() as connection:
        for name in _tables(database):
            rows = connection.execute(text(f'SELECT * FROM "{name}"')).mappings()
            key = "id" if name != "alembic_version" else "version_num"
            dump[name] = {row[key]: dict(row) for row in rows}
    return dump


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _traces(database: Database, *needles: str) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every value in the database that contains a needle."""
    found = []
    for table, rows in _dump(database).items():
        for row in rows.values():
            for column, value in row.items():
                found += [(table, column, n) for n in needles if n in _as_text(value)]
    return found


def referring_to_client(metadata: MetaData) -> set[str]:
    """Derived here, not taken from the code under test: every table with a foreign key to the
    client, or to such a table, and so on."""
    found, grown = {"client"}, True
    while grown:
        grown = False
        for table in metadata.sorted_tables:
            targets = {key.column.table.name for key in table.foreign_keys}
            if table.name not in found and targets & found:
                found.add(table.name)
                grown = True
    return found


def _export(database: Database, client_id: int) -> dict[str, list[dict[str, Any]]]:
    with database.transaction() as session:
        records = data_rights.collect(session, client_id)
    assert records is not None
    return records.tables


def _ids(rows: list[dict[str, Any]]) -> set[int]:
    return {row["id"] for row in rows}


# -- export --------------------------------------------------------------------------------------


def test_the_export_holds_every_table_that_refers_to_the_client(database: Database) -> None:
    history = _busy_history(database)
    tables = _export(database, history.zwaantje.id)

    expected = referring_to_client(SQLModel.metadata) | {"audit_event"}
    assert set(tables) == expected
    empty = sorted(name for name in expected if not tables[name])
    assert empty == [], "the history should put a row in every table about the client"

    her, him = history.zwaantje, history.bram
    assert _ids(tables["outbox"]) == her.outbox
    assert _ids(tables["audit_event"]) == her.audit
    assert [row["role"] for row in tables["alert_recipient"]] == ["coach", "backup", "group"]
    assert len(tables["alert_event"]) == 5 and len(tables["checkin"]) == 2
    assert [row["client_id"] for row in tables["coach_assignment"]] == [her.id]
    exported = json.dumps(tables, default=str, ensure_ascii=False)
    assert her.name in exported and str(her.chat) in exported
    assert him.name not in exported and str(him.chat) not in exported
    assert tables["client"][0]["phone"] == HER_PHONE and HIS_PHONE not in exported


def test_a_table_that_refers_to_a_client_without_being_handled_stops_export_and_erase(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    metadata = MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(metadata)
    Table(
        "client_note",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("client_id", ForeignKey("client.id")),
    )
    Table(
        "note_reply",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("note_id", ForeignKey("client_note.id")),
    )
    assert data_rights.unhandled_tables(metadata) == {"client_note", "note_reply"}
    assert data_rights.unhandled_tables() == set()

    history = _busy_history(database)
    without_relays = tuple(m for m in data_rights.REFERRING if m.__tablename__ != "relay")
    monkeypatch.setattr(data_rights, "REFERRING", without_relays)
    with database.transaction() as session, pytest.raises(RuntimeError, match="relay"):
        data_rights.collect(session, history.zwaantje.id)
    with database.transaction() as session, pytest.raises(RuntimeError, match="relay"):
        data_rights.erase(session, history.zwaantje.id, now=NOW, actor="cli")


def test_export_writes_json_and_an_easy_summary_readable_by_the_owner_only(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    history = _busy_history(database)
    her = history.zwaantje
    written = export_client(database, texts, client_id=her.id, out_dir=tmp_path / "out", now=NOW)
    assert written is not None

    for path in (written.json, written.html):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(written.json.read_text(encoding="utf-8"))
    assert document["client_id"] == her.id
    assert document["tables"]["client"][0]["telegram_user_id"] == her.chat
    assert document["tables"]["client"][0]["created_at"] == NOW.isoformat()
    exported = [
        row for row in document["tables"]["audit_event"] if row["action"] == "client.exported"
    ]
    assert [row["subject_id"] for row in exported] == [her.id], "the export shows itself"

    page = written.html.read_text(encoding="utf-8")
    for sentence in (
        "Wat Waakvlam over jou bewaart",
        "Je naam bij Waakvlam: Zwaantje.",
        "Je coach is Anna.",
        "Ik vraag elke 2 weken hoe het met je gaat.",
        "2 november 2026: je gaf een 3.",
        "Je wilde hulp bij: Brieven en geld.",
        "Je wilde dat je coach je belde.",
        "Anna kreeg hierover een bericht.",
        "9 november 2026: je gaf geen antwoord.",
        "Berichten van jou aan je coach: 1.",
        "2 november 2026 om 10:00: je drukte op de noodknop.",
        "Anna zag je melding om 10:06.",
        "Ik bewaar je telefoonnummer: +31 6 12121212.",
    ):
        assert f"<p>{sentence}</p>" in page or sentence in page, sentence
    assert "Bram" not in page and str(her.chat) not in page
    with database.transaction() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "client.exported"))
        assert [(e.actor, e.subject_type, e.subject_id) for e in events] == [
            ("cli", "client", her.id)
        ]


def test_the_summary_escapes_what_a_coach_typed(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="T")
        coach_id = _coach(session, team.id or 0, "Anna", ANNA_CHAT)
        client = people.add_client(
            session, coach_id=coach_id, name="<b>Kim</b>", language="en", now=NOW
        )
        client_id = client.id or 0
    written = export_client(database, texts, client_id=client_id, out_dir=tmp_path, now=NOW)
    assert written is not None
    page = written.html.read_text(encoding="utf-8")
    assert "Your name at Waakvlam: &lt;b&gt;Kim&lt;/b&gt;." in page and "<b>" not in page
    assert '<html lang="en">' in page


def _section(page: str, heading: str) -> str:
    """The part of the summary page under ``heading``, up to the next heading."""
    start = page.index(f"<h2>{heading}</h2>")
    return page[start : page.index("<h2>", start + 1)]


def test_the_summary_shows_the_phases_and_logged_contacts_the_export_keeps(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    history = _busy_history(database)
    her = history.zwaantje
    day = timedelta(days=1)
    with database.transaction() as session:
        start = session.exec(select(SupportPhase).where(SupportPhase.client_id == her.id)).one()
        start.ended_at = NOW + 30 * day
        session.add_all(
            [
                start,
                SupportPhase(
                    client_id=her.id,
                    phase="waakvlam",
                    started_at=NOW + 30 * day,
                    ended_at=NOW + 60 * day,
                ),
                SupportPhase(
                    client_id=her.id,
                    phase="ended",
                    started_at=NOW + 60 * day,
                    ended_at=NOW + 90 * day,
                    end_reason="moved",
                ),
                SupportPhase(client_id=her.id, phase="regular", started_at=NOW + 90 * day),
            ]
        )
        # Bea, her backup, once went by; Anna talked with her in town, without a note.
        contacts.add_contact(
            session, client_id=her.id, coach_id=history.bea, kind="visit", now=NOW + 3 * day
        )
        contacts.add_contact(
            session, client_id=her.id, coach_id=history.anna, kind="elsewhere", now=NOW + 9 * day
        )
    written = export_client(
        database, texts, client_id=her.id, out_dir=tmp_path, now=NOW + 100 * day
    )
    assert written is not None
    page = written.html.read_text(encoding="utf-8")
    kept = json.loads(written.json.read_text(encoding="utf-8"))["tables"]

    phases = _section(page, "Je begeleiding")
    assert phases.count("<li>") == len(kept["support_phase"]) == 4
    assert (
        "<li>2 november 2026: je begeleiding begon.</li>"
        "<li>2 december 2026: de rustige begeleiding begon (waakvlam).</li>"
        "<li>1 januari 2027: je begeleiding stopte.<br>Waarom: je bent verhuisd.</li>"
        "<li>31 januari 2027: de gewone begeleiding begon.<br>Je begeleiding begon weer.</li>"
    ) in phases.replace("\n", "")
    assert kept["support_phase"][2]["end_reason"] == "moved"

    logged = _section(page, "Gesprekken en bezoeken")
    assert logged.count("<li>") == len(kept["contact_log"]) == 3
    assert (
        "<li>2 november 2026: Anna belde met je.<br>"
        "De coach schreef erbij: Zwaantje klonk moe</li>"
        "<li>5 november 2026: een andere coach kwam bij je langs.</li>"
        "<li>11 november 2026: Anna sprak je op een andere plek.</li>"
    ) in logged.replace("\n", "")
    assert [row["note"] for row in kept["contact_log"]] == ["Zwaantje klonk moe", None, None]


def test_the_summary_of_a_new_client_says_there_is_no_logged_contact(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="T")
        coach_id = _coach(session, team.id or 0, "Anna", ANNA_CHAT)
        client_id = _client(session, coach_id, "Kim", 8_111).id
    written = export_client(database, texts, client_id=client_id, out_dir=tmp_path, now=NOW)
    assert written is not None
    page = written.html.read_text(encoding="utf-8")

    assert _section(page, "Je begeleiding").count("<li>") == 1
    assert "<li>2 november 2026: je begeleiding begon.</li>" in page
    assert "Je begeleiding begon weer." not in page and "Waarom:" not in page
    assert _section(page, "Gesprekken en bezoeken").endswith(
        "<p>Ik bewaar nu geen gesprek of bezoek van je coach.</p>\n"
    )
    assert "<ul>\n</ul>" not in page and "De coach schreef erbij" not in page


def _rhythm(
    session: Session, client_id: int, at: datetime, rhythm: str, day: int, time: str, paused: bool
) -> None:
    """The coach changed how often, the day or the time, or paused or resumed, at ``at``."""
    checkins.set_schedule(
        session,
        client_id=client_id,
        coach_id=None,
        rhythm=rhythm,
        weekday=day,
        at=time,
        timezone="Europe/Amsterdam",
        starts=at.date(),
        paused=paused,
        next_due_at=None,
        now=at,
    )


def test_the_summary_shows_her_coaches_and_her_rhythm_as_the_export_keeps_them(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    history = _busy_history(database)
    her, him = history.zwaantje, history.bram
    day = timedelta(days=1)
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Gemeente Test")
        cor = _coach(session, team.id or 0, "Cor", 5_003)
        _rhythm(session, her.id, NOW + 5 * day, "every_2_weeks", 0, "10:00", True)  # a pause
        _rhythm(session, her.id, NOW + 6 * day, "every_4_weeks", 3, "14:30", True)  # in it
        _rhythm(session, her.id, NOW + 20 * day, "every_4_weeks", 3, "14:30", False)  # back
        _rhythm(session, him.id, NOW + 8 * day, "weekly", 4, "09:15", False)  # his own
    # She moves to Bea, Bram to Cor: Cor is not hers to read about.
    moved = NOW + 10 * day
    assert move_client(database, client_id=her.id, to_coach_id=history.bea, now=moved) is None
    assert move_client(database, client_id=him.id, to_coach_id=cor, now=moved) is None
    written = export_client(database, texts, client_id=her.id, out_dir=tmp_path, now=NOW + 30 * day)
    assert written is not None
    page = written.html.read_text(encoding="utf-8")
    kept = json.loads(written.json.read_text(encoding="utf-8"))["tables"]

    assert "<p>Je coach is Bea.</p>" in page
    assert "<p>Je uitnodiging is van 2 november 2026.</p>" in page  # Anna's, not Bea's
    assert "nodigde" not in page
    coaches = _section(page, "Je coaches")
    assert "<p>Wie je coach was, en wanneer:</p>" in coaches
    assert coaches.count("<li>") == len(kept["coach_assignment"]) == 2
    assert (
        "<li>Van 2 november 2026 tot 12 november 2026: Anna was je coach.</li>"
        "<li>Vanaf 12 november 2026: Bea is je coach.</li>"
    ) in coaches.replace("\n", "")

    asked = _section(page, "Hoe gaat het?").replace("\n", "")
    assert "<p>Ik vraag elke 4 weken hoe het met je gaat.</p>" in asked
    # Two changes on 2 November: only the plan at the end of the day. The resume on its own.
    assert len(kept["schedule_change"]) == 5
    assert (
        "<p>Dit was het plan voor je vragen:</p>"
        "<ul><li>Vanaf 2 november 2026: elke 2 weken, op maandag om 10 uur.</li>"
        "<li>7 november 2026: de vragen gingen op pauze.</li>"
        "<li>Vanaf 8 november 2026: elke 4 weken, op donderdag om 14:30.<br>"
        "De vragen stonden toen nog op pauze.</li>"
        "<li>22 november 2026: de vragen gingen weer verder.</li></ul>"
    ) in asked
    for not_hers in ("Bram", "Cor", "vrijdag", "09:15"):
        assert not_hers not in page, not_hers


def test_the_summary_says_one_plan_a_day_and_a_coach_of_one_day_on_that_day(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    hour, day = timedelta(hours=1), timedelta(days=1)
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="T")
        anna = _coach(session, team.id or 0, "Anna", ANNA_CHAT)
        bea = _coach(session, team.id or 0, "Bea", BEA_CHAT)
        kim = _client(session, anna, "Kim", 8_111).id
        _rhythm(session, kim, NOW + 3 * day, "weekly", 0, "11:00", False)
        _rhythm(session, kim, NOW + 3 * day + hour, "weekly", 1, "11:00", False)  # same day
        _rhythm(session, kim, NOW + 4 * day, "weekly", 1, "11:00", True)  # a pause
        _rhythm(session, kim, NOW + 9 * day, "every_4_weeks", 2, "09:00", False)  # back, new
        _rhythm(session, kim, NOW + 11 * day, "every_4_weeks", 2, "09:00", True)  # a pause
        _rhythm(session, kim, NOW + 11 * day + hour, "every_4_weeks", 2, "09:00", False)  # back
        _rhythm(session, kim, NOW + 13 * day, "every_4_weeks", 2, "09:30", False)  # the time
    # Invited by Anna in the morning, Bea's that afternoon.
    assert move_client(database, client_id=kim, to_coach_id=bea, now=NOW + 5 * hour) is None
    written = export_client(database, texts, client_id=kim, out_dir=tmp_path, now=NOW + 20 * day)
    assert written is not None
    page = written.html.read_text(encoding="utf-8").replace("\n", "")

    assert "<p>Je coach is Bea.</p><p>Je uitnodiging is van 2 november 2026.</p>" in page
    assert (
        "<ul><li>Op 2 november 2026: Anna was je coach.</li>"
        "<li>Vanaf 2 november 2026: Bea is je coach.</li></ul>"
    ) in page
    # No check-in was sent: the plan, never "how often I asked".
    assert "<p>Je hebt nog geen vragen gehad.</p>" in page
    assert (
        "<p>Dit was het plan voor je vragen:</p>"
        "<ul><li>Vanaf 5 november 2026: elke week, op dinsdag om 11 uur.</li>"
        "<li>6 november 2026: de vragen gingen op pauze.</li>"
        "<li>Vanaf 11 november 2026: elke 4 weken, op woensdag om 9 uur.</li>"
        "<li>11 november 2026: de vragen gingen weer verder.</li>"
        "<li>Vanaf 15 november 2026: elke 4 weken, op woensdag om 09:30.</li></ul>"
    ) in page
    assert "maandag" not in page and "13 november" not in page


def test_exporting_nobody_writes_nothing_and_logs_nothing(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    assert export_client(database, texts, client_id=42, out_dir=tmp_path / "out", now=NOW) is None
    assert not (tmp_path / "out").exists()
    with database.transaction() as session:
        assert session.exec(select(AuditEvent)).all() == []


# -- erasure -------------------------------------------------------------------------------------


def test_erase_leaves_no_trace_of_the_client_and_the_other_untouched(database: Database) -> None:
    history = _busy_history(database)
    her, him = history.zwaantje, history.bram
    exported = _export(database, her.id)
    assert _traces(database, her.name, str(her.chat)), "the scan finds her before the erasure"
    before = _dump(database)

    erased = erase_client(database, client_id=her.id, now=NOW + timedelta(days=30))

    assert erased is not None
    assert erased.deleted["client"] == 1 and erased.deleted["outbox"] == len(her.outbox)
    assert erased.audit_events_anonymised == len(her.audit)
    assert _traces(database, her.name, str(her.chat), HER_PHONE) == []
    assert _traces(database, HIS_PHONE), "his number stays"
    after = _dump(database)
    for table in after:
        gone = _ids(exported.get(table, [])) if table != "audit_event" else set()
        kept = {key: row for key, row in before[table].items() if key not in gone}
        if table == "coach":
            for coach in (history.anna, history.bea):  # a message and a note for her: gone
                assert after[table][coach]["awaiting"] is None
                kept[coach] = {**kept[coach], "awaiting": None}
        if table == "audit_event":
            for key in her.audit:
                actor = kept[key]["actor"]
                kept[key] = {
                    **kept[key],
                    "subject_id": None,
                    "actor": "client" if actor.startswith("client:") else actor,
                }
            erasure = {key: row for key, row in after[table].items() if key not in kept}
            assert [
                (r["actor"], r["action"], r["subject_type"], r["subject_id"])
                for r in erasure.values()
            ] == [("cli", "client.erased", None, None)]
            kept.update(erasure)
        assert after[table] == kept, table
    assert _ids(_export(database, him.id)["outbox"]) == him.outbox
    with database.transaction() as session:
        assert load_actor(session, her.chat, "nl").person.role is Role.STRANGER
        assert load_actor(session, him.chat, "nl").person.role is Role.CLIENT


def test_erase_is_one_transaction(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    history = _busy_history(database)
    before = _dump(database)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(data_rights.audit, "record", fail)  # the last step, after every delete
    with pytest.raises(OSError, match="disk full"):
        erase_client(database, client_id=history.zwaantje.id, now=NOW)
    assert _dump(database) == before


def test_erasing_nobody_changes_nothing(database: Database) -> None:
    _busy_history(database)
    before = _dump(database)
    assert erase_client(database, client_id=999, now=NOW) is None
    assert _dump(database) == before


def test_notices_naming_a_namesake_are_not_exported_and_unsent_ones_survive_the_erasure(
    database: Database,
) -> None:
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="T")
        anna = _coach(session, team.id or 0, "Anna", ANNA_CHAT)
        first = _client(session, anna, "Sam", 8_100_000_001)
        second = _client(session, anna, "Sam", 8_100_000_002)
        _send(session, first, ANNA_CHAT, text_key="coach.client_joined", params={"client": "Sam"})
        _send(
            session,
            second,
            ANNA_CHAT,
            sent=False,
            text_key="coach.client_joined",
            params={"client": "Sam"},
        )
        _send(
            session,
            first,
            ANNA_CHAT,
            text_key="coach_checkin.which_client",
            params={"names": "Sam, Sam"},
        )
    with database.transaction() as session:
        records = data_rights.collect(session, first.id)
    assert records is not None
    assert records.tables["outbox"] == [] and records.notices_left_out == 3

    erased = erase_client(database, client_id=first.id, now=NOW)

    assert erased is not None and erased.notices_kept == 1 and erased.deleted["outbox"] == 2
    with database.transaction() as session:
        left = session.exec(select(OutboxMessage)).all()
        assert [row.id for row in left] == sorted(second.outbox)


def test_the_audit_trail_lists_ids_only_and_is_empty_after_the_erasure(database: Database) -> None:
    history = _busy_history(database)
    her = history.zwaantje
    lines = audit_of(database, her.id)
    with database.transaction() as session:
        ids = [
            e.id
            for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
            if e.id in her.audit
        ]
    assert len(lines) == len(ids) == len(her.audit)
    assert {line.action for line in lines} >= {"client.invited", "alert.raised", "message.relayed"}
    assert all(line.subject.split(":")[0] in {"client", "alert", "relay"} for line in lines)
    assert erase_client(database, client_id=her.id, now=NOW) is not None
    assert audit_of(database, her.id) == []
    assert len(audit_of(database, history.bram.id)) == len(history.bram.audit)


# -- the commands --------------------------------------------------------------------------------


def _run(database: Database, tmp_path: Path, *args: str, answer: str | None = None) -> Any:
    env = {
        "DATABASE_URL": database.url,
        "WAAKVLAM_DATA_DIR": str(tmp_path / "data"),
        "TELEGRAM_BOT_TOKEN": None,
    }
    return CliRunner().invoke(app, list(args), env=env, input=answer)


def test_the_client_commands(database: Database, tmp_path: Path) -> None:
    history = _busy_history(database)
    her = history.zwaantje

    result = _run(database, tmp_path, "client", "export", str(her.id), "--out", str(tmp_path / "x"))
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        str(tmp_path / "x" / f"client-{her.id}.{e}") for e in ("json", "html")
    ]
    assert json.loads((tmp_path / "x" / f"client-{her.id}.json").read_text())["client_id"] == her.id

    result = _run(database, tmp_path, "client", "audit", str(her.id))
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.output.splitlines()]
    assert [
        "2026-11-02 10:00:00",
        f"coach:{history.anna}",
        "client.invited",
        f"client:{her.id}",
    ] in rows
    assert ["cli", "client.exported", f"client:{her.id}"] in [row[1:] for row in rows]
    assert her.name not in result.output and str(her.chat) not in result.output

    result = _run(database, tmp_path, "client", "erase", str(her.id), answer="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert "Zwaantje" in result.output, "the question names who is about to go"
    with database.transaction() as session:
        assert session.get(Client, her.id) is not None

    result = _run(database, tmp_path, "client", "erase", str(her.id), answer="y\n")
    assert result.exit_code == 0, result.output
    assert f"client {her.id} erased" in result.output
    with database.transaction() as session:
        assert session.get(Client, her.id) is None
        assert session.get(Client, history.bram.id) is not None

    for command in ("export", "erase", "audit"):
        extra = (
            ["--out", str(tmp_path / "y")]
            if command == "export"
            else ["--yes"]
            if command == "erase"
            else []
        )
        result = _run(database, tmp_path, "client", command, str(her.id), *extra)
        assert result.exit_code == 1 and f"no client {her.id}" in result.output, command


def test_erase_with_yes_asks_nothing(database: Database, tmp_path: Path) -> None:
    history = _busy_history(database)
    result = _run(database, tmp_path, "client", "erase", str(history.bram.id), "--yes")
    assert result.exit_code == 0, result.output
    assert "Bram" not in result.output and "?" not in result.output
    with database.transaction() as session:
        assert session.get(Client, history.bram.id) is None
        assert session.get(Client, history.zwaantje.id) is not None


def test_notices_about_one_of_two_sams_are_exported_and_erased_for_that_sam_only(
    database: Database,
) -> None:
    """Rows queued since revision 0011 name their client by id: two clients of one coach who
    are both "Sam" each get their own notices, sent or not; a row from before (no client)
    still goes by the name, as it did."""
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="T")
        anna = _coach(session, team.id or 0, "Anna", ANNA_CHAT)
        first = _client(session, anna, "Sam", 8_100_000_001)
        second = _client(session, anna, "Sam", 8_100_000_002)
        bo = _client(session, anna, "Bo", 8_100_000_003)
        for sam, grade in ((first, 3), (second, 2)):
            low = {"client": "Sam", "grade": grade}  # "Sam gaf een 3"
            for sent in (True, False):
                _send(
                    session,
                    sam,
                    ANNA_CHAT,
                    sent=sent,
                    client_id=sam.id,
                    text_key="coach_checkin.grade_low",
                    params=low,
                )
        old = Person(0, "Sam", 0)  # before the column: about either Sam
        _send(session, old, ANNA_CHAT, text_key="coach.client_joined", params={"client": "Sam"})
        _send(session, bo, ANNA_CHAT, text_key="coach.client_joined", params={"client": "Bo"})

    for sam in (first, second):
        with database.transaction() as session:
            records = data_rights.collect(session, sam.id)
        assert records is not None
        assert _ids(records.tables["outbox"]) == sam.outbox
        assert records.notices_left_out == 1  # the old row: it may be the other Sam's
    assert _ids(_export(database, bo.id)["outbox"]) == bo.outbox  # old row, one Bo: certain

    erased = erase_client(database, client_id=first.id, now=NOW)

    assert erased is not None and erased.notices_kept == 0
    assert erased.deleted["outbox"] == len(first.outbox) + len(old.outbox)  # the old one sent
    with database.transaction() as session:
        left = {row.id: row for row in session.exec(select(OutboxMessage))}
    assert set(left) == second.outbox | bo.outbox
    assert {left[i].client_id for i in second.outbox} == {second.id}
    assert _ids(_export(database, second.id)["outbox"]) == second.outbox


def test_the_summary_names_who_was_her_coach_then_and_speaks_of_an_ended_support_as_past(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    """Anna, then Bea from 12 November; Bea ends the support on 20 November ("verhuisd").
    Each item names the coach of its day; Cor, a backup, is never named."""
    history = _busy_history(database)  # a check-in, its signal, a call and an alert: Anna's
    her = history.zwaantje
    day, minute = timedelta(days=1), timedelta(minutes=1)
    night = datetime(2026, 11, 12, 22, 50, tzinfo=UTC)  # 23:50 in Amsterdam
    moved, ended = NOW + 10 * day, NOW + 18 * day
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Gemeente Test")
        cor = _coach(session, team.id or 0, "Cor", 5_003)
        for sent, status in (
            (NOW + day, "done"),
            (NOW + 12 * day, "done"),
            (NOW + 17 * day, "open"),
        ):
            row = checkins.add_checkin(
                session, client_id=her.id, version="1", origin="schedule", now=sent
            )
            row.status, row.answers = status, {"grade": "4"} if status == "done" else {}
            session.add(row)
            session.flush()
            assert row.id is not None
            if status == "done":
                checkins.raise_signal(
                    session,
                    client_id=her.id,
                    checkin_id=row.id,
                    kind="low_grade",
                    cause=f"checkin:{row.id}:grade",
                    text_key="coach_checkin.grade_low",
                    params={"grade": "4"},
                    now=sent + minute,
                )
        for pressed, seen, by in (
            (night, night + 30 * minute, history.bea),
            (ended - day, ended - day + 2 * minute, cor),
        ):
            session.add(
                Alert(
                    client_id=her.id,
                    coach_id=history.bea,
                    pressed_at=pressed,
                    acknowledged_at=seen,
                    acknowledged_by=by,
                    closed_at=seen,
                    closed_by=by,
                )
            )
    assert move_client(database, client_id=her.id, to_coach_id=history.bea, now=moved) is None
    with database.transaction() as session:
        contacts.add_contact(
            session, client_id=her.id, coach_id=history.bea, kind="visit", now=moved + day
        )
        contacts.add_contact(session, client_id=her.id, coach_id=cor, kind="call", now=moved + day)
        client = session.get(Client, her.id)
        assert client is not None
        client.status = "ended"
        start = session.exec(select(SupportPhase).where(SupportPhase.client_id == her.id)).one()
        start.ended_at = ended
        session.add_all(
            [
                client,
                start,
                SupportPhase(client_id=her.id, phase="ended", started_at=ended, end_reason="moved"),
            ]
        )
    written = export_client(database, texts, client_id=her.id, out_dir=tmp_path, now=ended + day)
    assert written is not None
    page = written.html.read_text(encoding="utf-8").replace("\n", "")

    assert "<p>Bea was je coach.</p>" in page
    assert "<p>Zo kon een coach je bellen als je op de noodknop drukte.</p>" in page
    assert (
        "<ul><li>Van 2 november 2026 tot 12 november 2026: Anna was je coach.</li>"
        "<li>Van 12 november 2026 tot 20 november 2026: Bea was je coach.</li></ul>"
    ) in page
    assert (
        "<li>2 november 2026: je gaf een 3.<br>Je wilde hulp bij: Brieven en geld.<br>"
        "Je wilde dat je coach je belde.<br>Anna kreeg hierover een bericht.</li>"
        "<li>9 november 2026: je gaf geen antwoord.</li>"  # in the order they were stored
        "<li>3 november 2026: je gaf een 4.<br>Anna kreeg hierover een bericht.</li>"
        "<li>14 november 2026: je gaf een 4.<br>Bea kreeg hierover een bericht.</li>"
        "<li>19 november 2026: je was nog bezig met de vragen.</li>"
    ) in page
    assert (
        "<li>2 november 2026: Anna belde met je.<br>De coach schreef erbij: Zwaantje klonk moe</li>"
        "<li>13 november 2026: Bea kwam bij je langs.</li>"
        "<li>13 november 2026: een andere coach belde met je.</li>"
    ) in page
    assert (
        "<li>2 november 2026 om 10:00: je drukte op de noodknop.<br>"
        "Anna zag je melding om 10:06.</li>"
        "<li>12 november 2026 om 23:50: je drukte op de noodknop.<br>"
        "Bea zag je melding op 13 november 2026 om 00:20.</li>"
        "<li>19 november 2026 om 10:00: je drukte op de noodknop.<br>"
        "Een coach zag je melding om 10:02.</li>"
    ) in page
    assert (
        "<p>Klopt er iets niet? Zeg het tegen de organisatie die je begeleidde.</p>"
        "<p>Wil je dat alles weg is? Zeg het tegen die organisatie.</p>"
    ) in page
    for untrue in ("Cor", "Bram", "is je coach", "Je coach is", "Ik vraag", "nu op pauze"):
        assert untrue not in page, untrue


def test_the_summary_of_a_paused_client_says_the_pause_and_what_comes_after_it(
    database: Database, texts: Texts, tmp_path: Path
) -> None:
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="T")
        anna = _coach(session, team.id or 0, "Anna", ANNA_CHAT)
        kim = _client(session, anna, "Kim", 8_111).id
        _rhythm(session, kim, NOW + timedelta(days=3), "every_4_weeks", 2, "09:00", True)
    written = export_client(
        database, texts, client_id=kim, out_dir=tmp_path, now=NOW + timedelta(days=5)
    )
    assert written is not None
    asked = _section(written.html.read_text(encoding="utf-8"), "Hoe gaat het?")
    assert asked.startswith(
        "<h2>Hoe gaat het?</h2>\n<p>De vragen staan nu op pauze.</p>\n"
        "<p>Daarna vraag ik weer elke 4 weken hoe het met je gaat.</p>\n"
        "<p>Dit was het plan voor je vragen:</p>"
    )
    assert "<p>Ik vraag" not in asked
    assert "<p>Je coach is Anna.</p>" in written.html.read_text(encoding="utf-8")
