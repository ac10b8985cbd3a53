"""Files in the sandbox: uploads kept in memory, with Telegram-like ids and metadata.

Every file sent to the sandbox (by the bot as an upload, or by a simulated person) is
stored once under a `file_id` and a `file_unique_id`, gets a `file_path` for the
download endpoint, and is described as the Bot API object for its kind (Voice,
PhotoSize, Document, ...). Metadata Telegram derives from the content is derived here
too where that is cheap: the duration of an OGG file, the size of a PNG/JPEG/GIF/WebP
picture, the MIME type from magic bytes.
"""

from __future__ import annotations

import itertools
import mimetypes
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

from telegram_sandbox.errors import ApiError, bad_request

__all__ = [
    "FileStore",
    "StoredFile",
    "audio_mime",
    "image_size",
    "ingest_upload",
    "photo_sizes",
    "reuse_file",
]

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: The boxes (longest side, px) of the smaller copies Telegram keeps of a person's photo.
PHOTO_BOXES = (90, 320, 800, 1280)
#: Telegram scales a photo down to fit this box (HD photos; ordinary ones get 1280).
MAX_PHOTO_SIDE = 2560

_ID_PREFIX = {
    "voice": "AwACAgQAAxkBAAI",
    "photo": "AgACAgQAAxkBAAI",
    "document": "BQACAgQAAxkBAAI",
    "audio": "CQACAgQAAxkBAAI",
    "video": "BAACAgQAAxkBAAI",
    "video_note": "DQACAgQAAxkBAAI",
    "sticker": "CAACAgQAAxkBAAI",
    "animation": "CgACAgQAAxkBAAI",
}
_FOLDER = {
    "voice": ("voice", "oga"),
    "photo": ("photos", "jpg"),
    "document": ("documents", "bin"),
    "audio": ("music", "mp3"),
    "video": ("videos", "mp4"),
    "video_note": ("video_notes", "mp4"),
    "sticker": ("stickers", "webp"),
    "animation": ("animations", "mp4"),
}


@dataclass
class StoredFile:
    """One file the sandbox holds, and what Telegram knows about it."""

    kind: str
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str | None = None
    file_name: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: The size Telegram reports, when it differs from the bytes held (a simulated
    #: 30 MB video is a few bytes here).
    declared_size: int | None = None
    #: For a photo: its smaller copies, smallest first (each a file of its own).
    thumbnails: list[StoredFile] = field(default_factory=list, repr=False)

    @property
    def size(self) -> int:
        """The file size in bytes, as Telegram reports it in `file_size`."""
        return self.declared_size if self.declared_size is not None else len(self.data)

    def describe(self, as_kind: str | None = None) -> dict[str, Any]:
        """The Bot API object for this file (Voice, Document, PhotoSize, ...).

        `as_kind` describes it as another kind, e.g. an audio file re-sent as a
        document.
        """
        kind = as_kind or self.kind
        obj: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
        }
        if kind == self.kind:
            obj.update(self.meta)
        if self.file_name and kind in ("document", "audio", "video", "animation"):
            obj["file_name"] = self.file_name
        if self.mime_type and kind not in ("photo", "sticker", "video_note"):
            obj["mime_type"] = self.mime_type
        obj["file_size"] = self.size
        return obj

    def content(self, as_kind: str | None = None) -> dict[str, Any]:
        """The Message fields that carry this file, e.g. `{"voice": {...}}`.

        A photo is its list of sizes, smallest first; an animation also fills the
        `document` field, as the Bot API does for backward compatibility.
        """
        kind = as_kind or self.kind
        described = self.describe(kind)
        if kind == "photo":
            sizes = [t.describe("photo") for t in self.thumbnails] if kind == self.kind else []
            return {kind: [*sizes, described]}
        if kind == "animation":
            return {kind: described, "document": self.describe("document")}
        return {kind: described}


def audio_mime(data: bytes) -> str | None:
    """MIME type of OGG, MP3 or M4A audio from its first bytes, else None."""
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if data[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def ogg_duration(data: bytes) -> int | None:
    """Whole seconds of an Ogg Opus stream (last page's granule at 48 kHz)."""
    last = data.rfind(b"OggS")
    if last < 0 or len(data) < last + 14:
        return None
    (granule,) = struct.unpack_from("<q", data, last + 6)
    return max(int(granule // 48000), 0) if granule >= 0 else None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG or WebP picture, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack_from(">II", data, 16)
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack_from("<HH", data, 6)
        return int(width), int(height)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return 512, 512
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data) or (800, 600)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        (length,) = struct.unpack_from(">H", data, index + 2)
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack_from(">HH", data, index + 5)
            return int(width), int(height)
        index += 2 + length
    return None


class FileStore:
    """All files, by file_id and by file_path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        file_name: str | None = None,
        meta: dict[str, Any] | None = None,
        size: int | None = None,
    ) -> StoredFile:
        """Store `data` as a new file of `kind` and return it.

        `size` is the size to report when it is not `len(data)` (big files are
        simulated without holding their bytes).
        """
        number = next(self._counter)
        prefix = _ID_PREFIX.get(kind, _ID_PREFIX["document"])
        folder, default_ext = _FOLDER.get(kind, ("documents", "bin"))
        ext = default_ext
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1][:8] or default_ext
        elif mime_type and kind == "document":
            guessed = mimetypes.guess_extension(mime_type)
            ext = guessed.lstrip(".") if guessed else default_ext
        stored = StoredFile(
            kind=kind,
            file_id=f"{prefix}{number:06d}{secrets.token_urlsafe(18)}",
            file_unique_id=f"AgAD{number:06d}{secrets.token_urlsafe(4)}",
            file_path=f"{folder}/file_{number}.{ext}",
            data=data,
            mime_type=mime_type,
            file_name=file_name,
            meta=dict(meta or {}),
            declared_size=size,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def add_photo(
        self, data: bytes, width: int, height: int, *, size: int | None = None
    ) -> StoredFile:
        """Store a person's photo as Telegram does: the picture plus smaller copies.

        Returns the largest size; its `thumbnails` are the smaller ones (see
        `photo_sizes`). The copies share the picture's bytes and report a size in
        proportion to their area.
        """
        sizes = photo_sizes(width, height)
        full_size = size if size is not None else len(data)
        area = max(width * height, 1)

        def scaled(w: int, h: int) -> int:
            return max(1, full_size * w * h // area)

        thumbnails = [
            self.add("photo", data, meta={"width": w, "height": h}, size=scaled(w, h))
            for w, h in sizes[:-1]
        ]
        full_w, full_h = sizes[-1]
        largest = self.add(
            "photo",
            data,
            meta={"width": full_w, "height": full_h},
            size=size if (full_w, full_h) == (width, height) else scaled(full_w, full_h),
        )
        largest.thumbnails = thumbnails
        return largest

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this file_id, if any."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file served at this file_path, if any."""
        return self._by_path.get(file_path)

    def __len__(self) -> int:
        return len(self._by_id)


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def ingest_upload(
    store: FileStore,
    kind: str,
    data: bytes,
    *,
    file_name: str | None = None,
    content_type: str | None = None,
    params: dict[str, Any] | None = None,
) -> StoredFile:
    """Store a file the bot uploads with send<Kind>, deriving metadata as Telegram does.

    A "voice" that is not OGG, MP3 or M4A arrives as a document, as on Telegram; a
    "photo" that is no picture is refused with IMAGE_PROCESS_FAILED.
    """
    params = params or {}
    if not data:
        raise bad_request("file must be non-empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    if content_type == "application/octet-stream":
        content_type = None
    guessed = mimetypes.guess_type(file_name)[0] if file_name else None
    mime = content_type or guessed
    meta: dict[str, Any] = {}
    if kind == "voice" and audio_mime(data) is None:
        kind = "document"
    if kind == "photo":
        size = image_size(data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        meta = {"width": size[0], "height": size[1]}
        mime, file_name = "image/jpeg", None
    elif kind in ("voice", "audio"):
        mime = audio_mime(data) or mime or "audio/mpeg"
        meta["duration"] = _int_param(params, "duration", ogg_duration(data) or 0)
        if kind == "audio":
            meta.update(
                {k: params[k] for k in ("performer", "title") if isinstance(params.get(k), str)}
            )
        else:
            file_name = None
    elif kind in ("video", "animation"):
        size = (_int_param(params, "width", 0), _int_param(params, "height", 0))
        meta = {
            "width": size[0],
            "height": size[1],
            "duration": _int_param(params, "duration", 0),
        }
        mime = mime or "video/mp4"
    elif kind == "video_note":
        meta = {
            "length": _int_param(params, "length", 240),
            "duration": _int_param(params, "duration", 0),
        }
        mime, file_name = "video/mp4", None
    elif kind == "sticker":
        meta = {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": data.startswith(b"\x1f\x8b"),
            "is_video": data.startswith(b"\x1a\x45\xdf\xa3"),
        }
        if isinstance(params.get("emoji"), str):
            meta["emoji"] = params["emoji"]
        mime, file_name = None, None
    else:
        mime = mime or "application/octet-stream"
    return store.add(kind, data, mime_type=mime, file_name=file_name, meta=meta)


def photo_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The (width, height) of each size Telegram keeps of a photo, smallest first.

    One copy for each of the 90/320/800/1280 px boxes the picture is larger than, then
    the picture itself, scaled down to fit 2560 px if it is bigger.
    """
    width, height = max(width, 1), max(height, 1)

    def fit(box: int) -> tuple[int, int]:
        scale = box / max(width, height)
        return max(1, round(width * scale)), max(1, round(height * scale))

    longest = max(width, height)
    sizes = [fit(box) for box in PHOTO_BOXES if box < min(longest, MAX_PHOTO_SIDE)]
    sizes.append(fit(MAX_PHOTO_SIDE) if longest > MAX_PHOTO_SIDE else (width, height))
    return sizes


def reuse_file(stored: StoredFile, kind: str) -> str:
    """How to describe `stored` when the bot re-sends it by file_id as `kind`."""
    if stored.kind == kind:
        return kind
    if kind == "document" and stored.kind not in ("photo", "sticker"):
        return kind
    wanted = kind.replace("_", " ").title().replace(" ", "")
    have = stored.kind.replace("_", " ").title().replace(" ", "")
    raise bad_request(f"can't use file of type {have} as {wanted}")
