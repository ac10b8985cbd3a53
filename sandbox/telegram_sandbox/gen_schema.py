"""Generate `telegram_sandbox/schema.json` from the machine-readable Bot API description.

The sandbox validates requests against the methods it implements (field names, types,
which are required) and tests check its answers against the Bot API types. Those facts
come from a scrape of the official documentation that is *not* part of this project, so
they are extracted once, by hand, into `schema.json`, which is committed. Nothing reads
the scrape at run time or in tests.

Run it again when the sandbox implements another method or a new Bot API appears::

    .venv/bin/python -m telegram_sandbox.gen_schema ../shared/reference/telegram-bot-api.json

The argument defaults to that path (relative to the project root). The script prints
nothing on success and exits with an error if a method or type it needs is missing from
the source.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from telegram_sandbox.methods import HANDLERS

__all__ = ["RESPONSE_TYPES", "build_schema", "main", "render"]

logger = logging.getLogger(__name__)

DEFAULT_SOURCE = Path("../shared/reference/telegram-bot-api.json")
TARGET = Path(__file__).with_name("schema.json")

#: The Bot API types the sandbox sends, kept so tests can check answers.
RESPONSE_TYPES: tuple[str, ...] = (
    "AcceptedGiftTypes",
    "Animation",
    "Audio",
    "BotCommand",
    "CallbackQuery",
    "Chat",
    "ChatFullInfo",
    "ChatMember",
    "ChatMemberAdministrator",
    "ChatMemberBanned",
    "ChatMemberLeft",
    "ChatMemberMember",
    "ChatMemberOwner",
    "ChatMemberRestricted",
    "ChatMemberUpdated",
    "Contact",
    "Dice",
    "Document",
    "File",
    "ForceReply",
    "InaccessibleMessage",
    "InlineKeyboardButton",
    "InlineKeyboardMarkup",
    "KeyboardButton",
    "LinkPreviewOptions",
    "Location",
    "MaybeInaccessibleMessage",
    "Message",
    "MessageEntity",
    "MessageId",
    "MessageOrigin",
    "MessageOriginChannel",
    "MessageOriginChat",
    "MessageOriginHiddenUser",
    "MessageOriginUser",
    "MessageReactionUpdated",
    "PhotoSize",
    "Poll",
    "PollOption",
    "ReactionType",
    "ReactionTypeCustomEmoji",
    "ReactionTypeEmoji",
    "ReactionTypePaid",
    "Sticker",
    "Update",
    "User",
    "Venue",
    "Video",
    "VideoNote",
    "Voice",
    "WebhookInfo",
)


def _fields(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        field["name"]: {
            "types": list(field["types"]),
            "required": bool(field["required"]),
        }
        for field in entry.get("fields", [])
    }


def build_schema(source: dict[str, Any]) -> dict[str, Any]:
    """Extract the implemented methods and the response types from the scrape."""
    methods: dict[str, Any] = {}
    for name in sorted(HANDLERS):
        entry = source["methods"].get(name)
        if entry is None:
            raise KeyError(f"method {name} is not in the Bot API source")
        methods[name] = {
            "returns": list(entry.get("returns", [])),
            "fields": _fields(entry),
        }
    types: dict[str, Any] = {}
    for name in RESPONSE_TYPES:
        entry = source["types"].get(name)
        if entry is None:
            raise KeyError(f"type {name} is not in the Bot API source")
        described: dict[str, Any] = {"fields": _fields(entry)}
        if entry.get("subtypes"):
            described["subtypes"] = list(entry["subtypes"])
        types[name] = described
    return {
        "bot_api": f"{source.get('version', '?')} ({source.get('release_date', '?')})",
        "generated_by": "python -m telegram_sandbox.gen_schema",
        "methods": methods,
        "types": types,
    }


def _is_leaf(value: Any) -> bool:
    if isinstance(value, list):
        return all(not isinstance(item, dict | list) for item in value)
    if isinstance(value, dict):
        return all(not isinstance(item, dict) and _is_leaf(item) for item in value.values())
    return True


def render(value: Any, depth: int = 0) -> str:
    """JSON with one line per field spec: short to read, stable to diff."""
    if _is_leaf(value):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(value, list):
        items = [inner + render(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    items = [
        f"{inner}{json.dumps(key, ensure_ascii=False)}: {render(value[key], depth + 1)}"
        for key in sorted(value)
    ]
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


def main(argv: list[str] | None = None) -> int:
    """Read the source JSON given on the command line and (re)write schema.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    try:
        source = json.loads(args.source.read_text(encoding="utf-8"))
        schema = build_schema(source)
    except (OSError, ValueError, KeyError) as exc:
        logger.error("cannot build the sandbox schema: %s", exc)
        return 1
    args.output.write_text(render(schema) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
