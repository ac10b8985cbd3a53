"""Where a forwarded message came from: the Bot API's MessageOrigin, as a person's forward
carries it (``SimUser.forward_text`` / ``forward_photo``).

Four kinds, as in the Bot API: ``user`` (a known user: ``sender_user``), ``hidden_user`` (a
user whose privacy settings hide their account: only ``sender_user_name``), ``chat`` (sent on
behalf of a group: ``sender_chat``, optional ``author_signature``) and ``channel`` (a channel
post: ``chat``, ``message_id``, optional ``author_signature``). A copy (``copyMessage``) drops
the origin, as on Telegram; ``forwardMessage`` keeps the first one.
"""

from __future__ import annotations

from typing import Any

from telegram_sandbox.errors import SandboxUsageError

__all__ = ["ORIGIN_FIELDS", "channel_origin", "chat_origin", "message_origin"]

# The required fields of each kind besides "type" and "date".
ORIGIN_FIELDS = {
    "user": ("sender_user",),
    "hidden_user": ("sender_user_name",),
    "chat": ("sender_chat",),
    "channel": ("chat", "message_id"),
}


def chat_origin(chat_id: int, title: str, signature: str | None = None) -> dict[str, Any]:
    """A message a group sent on its own behalf (``date`` is filled in when forwarded)."""
    origin: dict[str, Any] = {
        "type": "chat",
        "sender_chat": {"id": chat_id, "type": "supergroup", "title": title},
    }
    if signature:
        origin["author_signature"] = signature
    return origin


def channel_origin(
    chat_id: int, title: str, message_id: int = 1, signature: str | None = None
) -> dict[str, Any]:
    """A channel post (``date`` is filled in when forwarded)."""
    origin: dict[str, Any] = {
        "type": "channel",
        "chat": {"id": chat_id, "type": "channel", "title": title},
        "message_id": message_id,
    }
    if signature:
        origin["author_signature"] = signature
    return origin


def message_origin(origin: dict[str, Any] | str, date: int) -> dict[str, Any]:
    """A MessageOrigin from a user dict (``SimUser.user``), a hidden user's name (a str), or
    an origin dict of one of the four kinds; ``date``: when the original was sent."""
    if isinstance(origin, str):
        if not origin.strip():
            raise SandboxUsageError("a hidden user's forward needs a name")
        return {"type": "hidden_user", "date": date, "sender_user_name": origin}
    if "type" not in origin and "id" in origin and "first_name" in origin:
        return {"type": "user", "date": date, "sender_user": dict(origin)}
    kind = origin.get("type")
    if kind not in ORIGIN_FIELDS:
        raise SandboxUsageError(f"unknown forward origin type {kind!r}")
    missing = [name for name in ORIGIN_FIELDS[kind] if name not in origin]
    if missing:
        raise SandboxUsageError(f"a {kind} forward origin needs {', '.join(missing)}")
    return {"date": date, **origin}
