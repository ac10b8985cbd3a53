"""An erased client cannot be read back from SQLite's files: deleted rows are zeroed
(``secure_delete``) and the write-ahead log is emptied after the erasure (``Database.scrub``).
Scanning the bytes of the data directory is what a privacy officer would do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.client_records import erase_client
from storage import people
from storage.database import Database
from storage.migrate import upgrade

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_erased_name_is_in_no_byte_of_the_data_directory(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'waakvlam.db'}")
    try:
        upgrade(database.engine)
        with database.transaction() as session:
            team = people.default_team(session, now=NOW, organisation_name="Test")
            anna = people.add_coach(
                session, team_id=team.id or 0, name="Anna", language="nl", now=NOW
            )
            ids = {}
            for name in ("Alfa Janssen", "Zwaantje Verbeek", "Charlie de Boer"):
                client = people.add_client(
                    session, coach_id=anna.id or 0, name=name, language="nl", now=NOW
                )
                ids[name] = client.id or 0
        database.scrub()  # everything in the file itself, the rows of all three on one page

        assert erase_client(database, client_id=ids["Zwaantje Verbeek"], now=NOW) is not None
    finally:
        database.dispose()

    found = {path.name: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert b"Charlie de Boer" in found["waakvlam.db"]  # the others are there, readable
    assert not [name for name, data in found.items() if b"Zwaantje" in data]
