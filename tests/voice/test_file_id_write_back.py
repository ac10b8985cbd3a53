"""A running bot never writes back the Telegram file id of a clip the CLI erased: two stores on
one voice cache, as the bot and ``waakvlam client erase`` have."""

from __future__ import annotations

import json
from pathlib import Path

from bot.voice.cache import ClipStore

SAM, KIM, NEW = "a" * 64, "b" * 64, "c" * 64


def _file_ids(cache: Path) -> dict[str, str]:
    return dict(json.loads((cache / "file_ids.json").read_text()))


def test_an_id_the_cli_dropped_stays_dropped_when_the_bot_remembers_another(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "voice-cache"
    bot = ClipStore(cache)
    bot.write(SAM, b"ogg", "Hoi Sam!")
    bot.write(KIM, b"ogg", "Hoi Kim!")
    bot.remember_file_id(SAM, "file-sam")
    bot.remember_file_id(KIM, "file-kim")

    assert ClipStore(cache).forget_clips_naming("Sam") == 1  # the CLI, while the bot runs
    bot.write(NEW, b"ogg", "Tot volgende week.")
    bot.remember_file_id(NEW, "file-new")

    assert _file_ids(cache) == {KIM: "file-kim", NEW: "file-new"}
    assert bot.file_id(SAM) is None
    assert ClipStore(cache).file_id(SAM) is None


def test_an_upload_that_ends_after_the_clip_was_erased_is_not_remembered(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "voice-cache"
    bot = ClipStore(cache)
    bot.write(SAM, b"ogg", "Hoi Sam!")  # made, and on its way to Telegram

    ClipStore(cache).forget_clips_naming("Sam")  # the CLI erases Sam meanwhile
    bot.remember_file_id(SAM, "file-sam")  # the upload's answer

    assert not (cache / "file_ids.json").exists() or SAM not in _file_ids(cache)
    assert bot.file_id(SAM) is None
    assert not list(cache.glob("*.ogg"))
