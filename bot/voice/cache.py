"""The voice cache on disk: one OGG file per clip, plus Telegram's file_id for each.

Clips are named by their cache key (a SHA-256 hex digest) and written atomically (temporary
file, then rename), so a crash never leaves half a clip and several processes may share the
directory. File ids live in ``file_ids.json`` and in memory. A change is written as a change to
what the file holds then (re-read, one key set or dropped), never as this process's whole
memory: an id another process dropped (``waakvlam client erase`` while the bot runs) stays
dropped, and an id is only remembered while its clip is still on disk (an erasure may delete it
during the upload). Two processes writing at the same moment can lose one change, which only
costs one more upload.

A clip of "Hoi Sam!" says a client's name, so erasing the client must find it
(``forget_clips_naming``) while the file name, a hash of the text, says nothing. Next to each
clip ``{key}.words`` lists keyed hashes (HMAC-SHA-256 with a secret of this directory,
``words.key``) of the words it says: the name of the person being erased is hashed the same
way and looked up, and the index itself names nobody (without the secret a hash cannot be
tried against a list of names).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
from pathlib import Path

__all__ = ["ClipStore"]

log = logging.getLogger(__name__)

_FILE_IDS = "file_ids.json"
_WORDS_KEY = "words.key"
_WORD = re.compile(r"\w+")


def words_of(text: str) -> set[str]:
    """The words of a text as the index compares them: case-folded, punctuation dropped."""
    return set(_WORD.findall(text.casefold()))


class ClipStore:
    """Clips as ``{key}.ogg`` files and the key -> Telegram file_id mapping, in ``directory``.

    Reading and remembering never raise on a disk error (they log its type); ``write`` does,
    so a clip that could not be stored counts as a failed synthesis.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._words_key: bytes | None = None
        self.secret()  # made at start: a later first clip adds no file of its own
        self._drop_unindexed_clips()
        self._file_ids = self._load_file_ids()

    def _drop_unindexed_clips(self) -> None:
        """Clips made before the word index (and the keyed names) cannot be found by a name
        when their person is erased: they are only a cache, so they go."""
        for clip in self.directory.glob("*.ogg"):
            if not clip.with_suffix(".words").exists():
                clip.unlink(missing_ok=True)

    def read(self, key: str) -> bytes | None:
        """The clip's OGG bytes, or None when it was never made."""
        try:
            return (self.directory / f"{key}.ogg").read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("voice cache %s: unreadable (%s)", key[:12], type(error).__name__)
            return None

    def write(self, key: str, ogg: bytes, spoken: str = "") -> None:
        """Keep a clip, with the keyed hashes of the words it says (``spoken``)."""
        hashed = sorted(self._hash(word) for word in words_of(spoken))
        self._write_atomically(self.directory / f"{key}.words", "\n".join(hashed).encode())
        self._write_atomically(self.directory / f"{key}.ogg", ogg)

    def forget_clips_naming(self, name: str) -> int:
        """Delete every clip that says all the words of ``name`` (and its file id); returns
        how many. A clip made before the word index existed cannot be judged and stays."""
        wanted = {self._hash(word) for word in words_of(name)}
        if not wanted:
            return 0
        forgotten: list[str] = []
        for index in self.directory.glob("*.words"):
            try:
                said = set(index.read_text(encoding="ascii").split())
            except OSError:
                continue
            if wanted <= said:
                key = index.stem
                (self.directory / f"{key}.ogg").unlink(missing_ok=True)
                index.unlink(missing_ok=True)
                self._file_ids.pop(key, None)
                forgotten.append(key)
        if forgotten:
            self._save_file_ids(dict.fromkeys(forgotten))
        return len(forgotten)

    def _hash(self, word: str) -> str:
        return hmac.new(self.secret(), word.encode(), hashlib.sha256).hexdigest()

    def secret(self) -> bytes:
        """This directory's secret (made on first use): keys the clip names and the word index."""
        if self._words_key is None:
            self._words_key = self._read_or_make_secret()
        return self._words_key

    def _read_or_make_secret(self) -> bytes:
        path = self.directory / _WORDS_KEY
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        try:  # exclusive create: two processes starting at once agree on one secret
            with open(path, "xb") as file:
                file.write(secrets.token_bytes(32))
            os.chmod(path, 0o600)
        except FileExistsError:
            pass
        return path.read_bytes()

    def file_id(self, key: str) -> str | None:
        return self._file_ids.get(key)

    def remember_file_id(self, key: str, file_id: str) -> None:
        """Keep Telegram's id of the uploaded clip, unless the clip is gone meanwhile (its
        person erased during the upload): no id is written back for a clip that was erased."""
        if self._file_ids.get(key) == file_id:
            return
        if not (self.directory / f"{key}.ogg").exists():
            self._file_ids.pop(key, None)
            return
        self._file_ids[key] = file_id
        self._save_file_ids({key: file_id})

    def forget_file_id(self, key: str) -> None:
        if self._file_ids.pop(key, None) is not None:
            self._save_file_ids({key: None})

    def _load_file_ids(self) -> dict[str, str]:
        path = self.directory / _FILE_IDS
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning(
                "voice cache: %s unreadable (%s), starting empty", _FILE_IDS, type(error).__name__
            )
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(key): str(value) for key, value in data.items()}

    def _save_file_ids(self, changes: dict[str, str | None]) -> None:
        """Apply ``changes`` (None: drop the key) to the mapping as the file holds it now, and
        write it; memory follows the file. A full or read-only disk only costs re-uploads
        after a restart."""
        current = self._load_file_ids()
        for key, file_id in changes.items():
            if file_id is None:
                current.pop(key, None)
            else:
                current[key] = file_id
        self._file_ids = current
        data = json.dumps(current, indent=0, sort_keys=True).encode()
        try:
            self._write_atomically(self.directory / _FILE_IDS, data)
        except OSError as error:
            log.warning("voice cache: %s not saved (%s)", _FILE_IDS, type(error).__name__)

    def _write_atomically(self, path: Path, data: bytes) -> None:
        handle, temporary = tempfile.mkstemp(
            dir=self.directory, prefix=f".{path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
