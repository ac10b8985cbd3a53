"""Request validation and response checking against `schema.json`.

Telegram accepts parameters as a JSON body, a URL-encoded or multipart form, or a query
string. In forms every value is a string and nested objects are JSON text, so
`coerce_params` converts each known field to the type the Bot API declares (`"123"` ->
123, `'{"inline_keyboard": ...}'` -> dict), reports a missing required field with
Telegram's wording, and leaves unknown fields alone (Telegram ignores them).
`check_object` is the other direction: it lists where an object the sandbox sends
differs from the Bot API type (unknown key, missing required key, wrong JSON type).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from telegram_sandbox.errors import ApiError, bad_request

__all__ = [
    "FieldSpec",
    "MethodSpec",
    "Schema",
    "UploadedFile",
    "check_object",
    "coerce_params",
    "fewest_problems",
    "load_schema",
]

SCHEMA_PATH = Path(__file__).with_name("schema.json")

_PRIMITIVES = {"Integer", "Float", "Boolean", "String", "True", "InputFile"}
_INT_RE = re.compile(r"^\s*[-+]?\d+\s*$")

#: Telegram's wording for a missing or empty required field (by method and field, or field).
_MISSING_WORDING: dict[tuple[str, str] | str, str] = {
    ("sendMessage", "text"): "message text is empty",
    ("editMessageText", "text"): "message text is empty",
    "chat_id": "chat_id is empty",
    "from_chat_id": "chat_id is empty",
    "message_id": "message identifier is not specified",
    "callback_query_id": ("query is too old and response timeout expired or query ID is invalid"),
    "file_id": "file_id is empty",
    "action": "action is empty",
}
_MEDIA_FIELDS = {
    "voice",
    "audio",
    "photo",
    "document",
    "video",
    "video_note",
    "sticker",
}
#: Fields marked required that Telegram accepts empty (an empty webhook URL removes it).
_REALLY_OPTIONAL = {("setWebhook", "url")}
#: Optional fields whose empty value means something: copyMessage with caption=""
#: removes the caption (the Bot API server asks whether the field is present).
_EMPTY_IS_A_VALUE = {("copyMessage", "caption")}


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None

    def __repr__(self) -> str:  # keeps request logs short and free of content
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a Bot API method."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """A Bot API method: its parameters and return types."""

    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]
    required: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Schema:
    """The subset of the Bot API the sandbox implements (see gen_schema.py)."""

    bot_api: str
    methods: dict[str, MethodSpec]
    types: dict[str, dict[str, Any]]


@cache
def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    """Load schema.json once per process."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    methods: dict[str, MethodSpec] = {}
    for name, entry in raw["methods"].items():
        fields = {
            fname: FieldSpec(fname, tuple(f["types"]), bool(f["required"]))
            for fname, f in entry["fields"].items()
        }
        required = tuple(
            fname
            for fname, f in fields.items()
            if f.required and (name, fname) not in _REALLY_OPTIONAL
        )
        methods[name] = MethodSpec(name, fields, tuple(entry["returns"]), required)
    return Schema(raw["bot_api"], methods, raw["types"])


def _missing(method: str, name: str) -> ApiError:
    wording = _MISSING_WORDING.get((method, name)) or _MISSING_WORDING.get(name)
    if wording is None:
        wording = (
            f"there is no {name} in the request" if name in _MEDIA_FIELDS else f"{name} is empty"
        )
    return bad_request(wording)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _parse_json_text(name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        if name == "reply_markup":
            raise bad_request("can't parse reply keyboard markup JSON object") from None
        raise bad_request(f"can't parse {name} JSON object") from None


_NO_MATCH = object()


def _as_int(value: Any) -> Any:
    if isinstance(value, bool):
        return _NO_MATCH
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_RE.match(value):
        return int(value)
    return _NO_MATCH


def _as_float(value: Any) -> Any:
    if isinstance(value, bool):
        return _NO_MATCH
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return _NO_MATCH
    return _NO_MATCH


def _as_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
    return _NO_MATCH


def _coerce_one(name: str, type_name: str, value: Any, files: Mapping[str, UploadedFile]) -> Any:
    if type_name == "Integer":
        return _as_int(value)
    if type_name == "Float":
        return _as_float(value)
    if type_name in ("Boolean", "True"):
        return _as_bool(value)
    if type_name == "InputFile":
        if isinstance(value, UploadedFile):
            return value
        if isinstance(value, str) and value.startswith("attach://"):
            return files.get(value[len("attach://") :], _NO_MATCH)
        return _NO_MATCH
    if type_name == "String":
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return _NO_MATCH
    if isinstance(value, str):
        value = _parse_json_text(name, value)
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return _NO_MATCH
        inner = type_name[len("Array of ") :]
        if inner in _PRIMITIVES:
            items = [_coerce_one(name, inner, item, files) for item in value]
            if any(item is _NO_MATCH for item in items):
                raise bad_request(f"can't parse {name} JSON array")
            return items
        if not all(isinstance(item, dict) for item in value):
            raise bad_request(f"can't parse {name} JSON array")
        return value
    return value if isinstance(value, dict) else _NO_MATCH


def _type_error(name: str, types: tuple[str, ...]) -> ApiError:
    if name in ("chat_id", "from_chat_id"):
        return bad_request(f"invalid {name} specified")
    if name == "reply_markup":
        return bad_request("can't parse reply keyboard markup JSON object")
    return bad_request(f'field "{name}" must be of type {" or ".join(types)}')


def coerce_params(
    spec: MethodSpec,
    raw: Mapping[str, Any],
    files: Mapping[str, UploadedFile] | None = None,
) -> dict[str, Any]:
    """Validate and convert `raw` for `spec`; unknown fields are kept unchanged.

    Raises `ApiError` (400) for a missing required field or a value of the wrong type.
    """
    files = files or {}
    for name in spec.required:
        if _is_empty(raw.get(name)):
            raise _missing(spec.name, name)
    params: dict[str, Any] = {}
    for name, value in raw.items():
        fspec = spec.fields.get(name)
        if fspec is None:
            params[name] = value
            continue
        if _is_empty(value) and not (value == "" and (spec.name, name) in _EMPTY_IS_A_VALUE):
            continue
        converted: Any = _NO_MATCH
        for type_name in fspec.types:
            converted = _coerce_one(name, type_name, value, files)
            if converted is not _NO_MATCH:
                break
        if converted is _NO_MATCH:
            raise _type_error(name, fspec.types)
        params[name] = converted
    return params


def _json_type_ok(type_name: str, value: Any) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "True":
        return value is True
    if type_name == "String":
        return isinstance(value, str)
    return True


def fewest_problems(attempts: list[list[str]]) -> list[str]:
    """Of several attempts to match a type, the one that came closest."""
    return min(attempts, key=len)


def check_object(
    type_name: str, value: Any, schema: Schema | None = None, path: str = ""
) -> list[str]:
    """The ways `value` differs from the Bot API type `type_name` ([] if none).

    Types the schema does not describe are accepted as any JSON object.
    """
    schema = schema or load_schema()
    where = path or type_name
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{where}: expected an array"]
        inner = type_name[len("Array of ") :]
        problems: list[str] = []
        for index, item in enumerate(value):
            problems += check_object(inner, item, schema, f"{where}[{index}]")
        return problems
    if type_name in _PRIMITIVES:
        return [] if _json_type_ok(type_name, value) else [f"{where}: expected {type_name}"]
    described = schema.types.get(type_name)
    if described is None:
        return [] if isinstance(value, dict) else [f"{where}: expected an object"]
    subtypes = described.get("subtypes")
    if subtypes:
        attempts = [check_object(sub, value, schema, where) for sub in subtypes]
        return [] if any(not a for a in attempts) else fewest_problems(attempts)
    if not isinstance(value, dict):
        return [f"{where}: expected {type_name} object"]
    fields: dict[str, Any] = described["fields"]
    problems = [f"{where}: unknown field {key!r}" for key in value if key not in fields]
    for fname, fspec in fields.items():
        if fname not in value:
            if fspec["required"]:
                problems.append(f"{where}: missing required field {fname!r}")
            continue
        options = [
            check_object(t, value[fname], schema, f"{where}.{fname}") for t in fspec["types"]
        ]
        if all(options):
            problems += fewest_problems(options)
    return problems
