"""What an outbox row holds: a reply as text keys and JSON parameters (rendered in the
reader's language when it is sent), its buttons, and the way back to a reply.

Clock times, dates, text references and lines keep their kind through JSON, so a row queued
today renders the same after a restart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dialogs.outcome import At, Button, Keyboard, Lines, Reply, TextRef
from storage import outbox
from storage.models import OutboxMessage
from storage.outbox import Priority

__all__ = [
    "decode_buttons",
    "decode_params",
    "encode_buttons",
    "encode_params",
    "enqueue_reply",
    "row_as_reply",
]


def encode_params(params: dict[str, Any]) -> dict[str, Any]:
    """Reply parameters as JSON: clock times, dates and text references keep their kind."""
    encoded: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, At):
            encoded[name] = {"$at": value.moment.isoformat()}
            if value.said_at is not None:
                encoded[name]["said_at"] = value.said_at.isoformat()
        elif isinstance(value, datetime):
            encoded[name] = {"$date": value.isoformat()}
        elif isinstance(value, TextRef):
            encoded[name] = _encode_text(value)
        elif isinstance(value, Lines):
            encoded[name] = {"$lines": [_encode_text(item) for item in value.items]}
        else:
            encoded[name] = value
    return encoded


def _encode_text(ref: TextRef) -> dict[str, Any]:
    if not ref.params:
        return {"$text": ref.key}
    return {"$text": ref.key, "params": encode_params(ref.params)}


def _decode_text(value: dict[str, Any]) -> TextRef:
    return TextRef(value["$text"], decode_params(value.get("params", {})))


def encode_buttons(buttons: tuple[tuple[Button, ...], ...]) -> list[list[dict[str, Any]]]:
    """Inline buttons as JSON; a label's parameters (a name) only when it has any."""
    return [
        [
            {"label_key": b.label_key, "data": b.data}
            | ({"label_params": b.label_params} if b.label_params else {})
            for b in row
        ]
        for row in buttons
    ]


def decode_buttons(rows: list[Any]) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        tuple(Button(b["label_key"], b["data"], dict(b.get("label_params", {}))) for b in row)
        for row in rows
    )


def decode_params(params: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, dict) and "$at" in value:
            said_at = value.get("said_at")
            decoded[name] = At(
                datetime.fromisoformat(value["$at"]),
                datetime.fromisoformat(said_at) if said_at else None,
            )
        elif isinstance(value, dict) and "$date" in value:
            decoded[name] = datetime.fromisoformat(value["$date"])
        elif isinstance(value, dict) and "$text" in value:
            decoded[name] = _decode_text(value)
        elif isinstance(value, dict) and "$lines" in value:
            decoded[name] = Lines(tuple(_decode_text(item) for item in value["$lines"]))
        else:
            decoded[name] = value
    return decoded


def enqueue_reply(
    session: Any,
    *,
    reply: Reply,
    chat_id: int,
    language: str,
    params: dict[str, Any],
    buttons: tuple[tuple[Button, ...], ...],
    now: datetime,
    alert_id: int | None,
    priority: Priority,
    relay_id: int | None = None,
    client_id: int | None = None,
) -> int:
    return outbox.enqueue(
        session,
        now=now,
        chat_id=chat_id,
        priority=Priority.ALERT if reply.urgent else priority,
        language=language,
        text_key=reply.key,
        lead_key=reply.lead,
        params=encode_params(params),
        buttons=encode_buttons(buttons),
        keyboard=reply.keyboard.value if reply.keyboard else None,
        alert_id=alert_id,
        relay_id=relay_id,
        client_id=client_id,
    )


def row_as_reply(row: OutboxMessage) -> Reply:
    """An outbox row back as a reply, for rendering in the reader's language."""
    assert row.text_key is not None
    return Reply(
        row.text_key,
        decode_params(row.params),
        buttons=decode_buttons(row.buttons),
        keyboard=Keyboard(row.keyboard) if row.keyboard else None,
        lead=row.lead_key,
    )
