"""Erasing a client removes the read-aloud clips that say their name, on SQLite and PostgreSQL,
with real espeak-ng clips: and nothing else, and the word index names nobody."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.client_records import erase_client
from bot.voice import Voice
from storage import people
from storage.database import Database

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _client(database: Database, name: str) -> int:
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Test")
        coach = people.add_coach(session, team_id=team.id or 0, name="Anna", language="nl", now=NOW)
        client = people.add_client(
            session, coach_id=coach.id or 0, name=name, language="nl", now=NOW
        )
        assert client.id is not None
        return client.id


async def test_erasing_a_client_deletes_the_clips_that_say_their_name(
    database: Database, tmp_path: Path
) -> None:
    cache = tmp_path / "voice-cache"
    voice = Voice(cache, "espeak")
    hers = [
        await voice.clip("nl", "Hoi Zwaantje de Wit! Welkom bij Waakvlam."),
        await voice.clip("nl", "Goed zo, zwaantje de wit. Tot volgende week."),
    ]
    others = [
        await voice.clip("nl", "Hoi Zwaantje Bakker!"),  # another Zwaantje: not all her words
        await voice.clip("nl", "Hoe gaat het met je? Kies een cijfer."),
    ]
    assert all(clip is not None for clip in hers + others)
    for clip in hers + others:
        assert clip is not None
        voice.remember_file_id(clip.key, f"file-{clip.key[:8]}")
    client_id = _client(database, "Zwaantje de Wit")

    erased = erase_client(database, client_id=client_id, now=NOW, voice_cache=cache)

    assert erased is not None and erased.voice_clips_deleted == 2
    left = {path.stem for path in cache.glob("*.ogg")}
    assert left == {clip.key for clip in others if clip is not None}
    fresh = Voice(cache, "espeak")  # the file ids as a restarted bot reads them
    for clip in hers:
        assert clip is not None and fresh.file_id(clip.key) is None
    for clip in others:
        assert clip is not None and fresh.file_id(clip.key) == f"file-{clip.key[:8]}"
    # Nothing in the data directory says her name: not the word index, not SQLite's file or
    # its write-ahead log (deleted rows are zeroed, the log emptied).
    for path in sorted(tmp_path.rglob("*")):  # noqa: ASYNC240 (a test's scan, nothing waits)
        if path.is_file():
            assert b"zwaantje" not in path.read_bytes().lower(), path
