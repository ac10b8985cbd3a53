"""A client's data rights from the server: export, erasure and the audit trail (the CLI's
``waakvlam client ...`` calls these).

Which rows are about a client, and erasing them, is ``storage.data_rights``; this module
writes an export's two files (``client-<id>.json`` for machines, ``client-<id>.html`` in easy
language for the client), readable by the owner only, and keeps the audit trail: an export is
recorded once both files are written; an erasure records itself without naming anyone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.summary import render_summary
from bot.texts import Texts
from bot.voice.cache import ClipStore
from storage import audit, data_rights, people
from storage.data_rights import ClientRecords, Erasure
from storage.database import Database

__all__ = [
    "EXPORT_FORMAT",
    "AuditLine",
    "ClientLabel",
    "ExportedFiles",
    "audit_of",
    "describe_client",
    "erase_client",
    "export_client",
    "export_document",
]

EXPORT_FORMAT = "waakvlam-client-export/1"


@dataclass(frozen=True)
class ExportedFiles:
    json: Path
    html: Path
    notices_left_out: int  # notices that may be about a same-named client (see data_rights)


@dataclass(frozen=True)
class ClientLabel:
    """Enough to ask "this one?" before an erasure."""

    id: int
    name: str
    coach_id: int
    status: str


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    subject: str  # "client:7", "alert:3", or "" when the event has no subject


class _NoSuchClient(Exception):
    """Rolls back the export's audit event: there is nobody to export."""


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def export_document(records: ClientRecords, *, now: datetime) -> str:
    """The machine-readable export: every row about the client, per table, as JSON."""
    document = {
        "format": EXPORT_FORMAT,
        "client_id": records.client_id,
        "exported_at": now,
        "tables": records.tables,
        "notices_left_out": records.notices_left_out,
    }
    return json.dumps(document, default=_json_value, ensure_ascii=False, indent=2) + "\n"


def _write_private(path: Path, text: str) -> None:
    """Health data: the file is readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def export_client(
    database: Database,
    texts: Texts,
    *,
    client_id: int,
    out_dir: Path,
    now: datetime,
    actor: str = "cli",
) -> ExportedFiles | None:
    """Write everything stored about the client to ``out_dir``; None when there is no such
    client. The export is audit-logged (``client.exported``, in the export itself too) in the
    same transaction: when a file cannot be written, the event is not kept either."""
    try:
        with database.transaction() as session:
            # The event is written first: on SQLite the write lock is taken before anything
            # is read, so a commit of the running bot cannot invalidate what was read.
            audit.record(
                session,
                at=now,
                actor=actor,
                action="client.exported",
                subject_type="client",
                subject_id=client_id,
            )
            session.flush()
            records = data_rights.collect(session, client_id)
            if records is None:
                raise _NoSuchClient
            coach = people.get_coach(session, records.tables["client"][0]["coach_id"])
            out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            json_path = out_dir / f"client-{client_id}.json"
            html_path = out_dir / f"client-{client_id}.html"
            _write_private(json_path, export_document(records, now=now))
            page = render_summary(
                records, coach_name=coach.name if coach else "", texts=texts, now=now
            )
            _write_private(html_path, page)
            return ExportedFiles(json_path, html_path, records.notices_left_out)
    except _NoSuchClient:
        return None


def describe_client(database: Database, client_id: int) -> ClientLabel | None:
    with database.transaction() as session:
        client = people.get_client(session, client_id)
        if client is None or client.id is None:
            return None
        return ClientLabel(client.id, client.name, client.coach_id, client.status)


def erase_client(
    database: Database,
    *,
    client_id: int,
    now: datetime,
    actor: str = "cli",
    voice_cache: Path | None = None,
) -> Erasure | None:
    """Remove the client and everything about them, in one transaction (see
    ``storage.data_rights.erase``), then the read-aloud clips in ``voice_cache`` that say
    their name; None when there is no such client."""
    with database.transaction() as session:
        client = people.get_client(session, client_id)
        name = client.name if client is not None else ""
        erased = data_rights.erase(session, client_id, now=now, actor=actor)
    if erased is not None:
        database.scrub()
    if erased is None or voice_cache is None or not voice_cache.is_dir():
        return erased
    return replace(erased, voice_clips_deleted=ClipStore(voice_cache).forget_clips_naming(name))


def audit_of(database: Database, client_id: int) -> list[AuditLine]:
    """The audit events about the client, oldest first: times, actors and actions, ids only."""
    with database.transaction() as session:
        return [
            AuditLine(
                at=event.at,
                actor=event.actor,
                action=event.action,
                subject=f"{event.subject_type}:{event.subject_id}" if event.subject_type else "",
            )
            for event in data_rights.audit_trail(session, client_id)
        ]
