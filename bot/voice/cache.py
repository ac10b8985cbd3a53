"""The voice cache on disk: one OGG file per clip, plus Telegram's file_id for each.

Clips are named by their cache key (a SHA-256 hex digest) and written atomically (temporary
file, then rename), so a crash never leaves half a clip and several processes may share the
directory. File ids live in ``file_ids.json`` and in memory; two processes remembering at the
same moment can lose one id, which only costs one more upload.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

__all__ = ["ClipStore"]

log = logging.getLogger(__name__)

_FILE_IDS = "file_ids.json"


class ClipStore:
    """Clips as ``{key}.ogg`` files and the key -> Telegram file_id mapping, in ``directory``.

    Reading and remembering never raise on a disk error (they log its type); ``write`` does,
    so a clip that could not be stored counts as a failed synthesis.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._file_ids = self._load_file_ids()

    def read(self, key: str) -> bytes | None:
        """The clip's OGG bytes, or None when it was never made."""
        try:
            return (self.directory / f"{key}.ogg").read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("voice cache %s: unreadable (%s)", key[:12], type(error).__name__)
            return None

    def write(self, key: str, ogg: bytes) -> None:
        self._write_atomically(self.directory / f"{key}.ogg", ogg)

    def file_id(self, key: str) -> str | None:
        return self._file_ids.get(key)

    def remember_file_id(self, key: str, file_id: str) -> None:
        if self._file_ids.get(key) == file_id:
            return
        self._file_ids[key] = file_id
        self._save_file_ids()

    def forget_file_id(self, key: str) -> None:
        if self._file_ids.pop(key, None) is not None:
            self._save_file_ids()

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

    def _save_file_ids(self) -> None:
        """Write the mapping; a full or read-only disk only costs re-uploads after a restart."""
        data = json.dumps(self._file_ids, indent=0, sort_keys=True).encode()
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
