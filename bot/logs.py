"""Logging for the ``waakvlam`` command: no level may write personal data or secrets.

This is health data under the GDPR, so a log line holds no message content, names, Telegram
ids, invite tokens or the bot token, not even at DEBUG. Two lines of defence:

1. Libraries that log such things are pinned to WARNING whatever the root level:
   python-telegram-bot logs every update and API call with its parameters at DEBUG, httpx
   logs request URLs (which hold the bot token), SQLAlchemy logs SQL with its parameters,
   the aiohttp and tornado servers log request paths, gTTS logs the text it speaks.
   The bot's own lines carry event types, counts and row ids only.
2. The handler redacts what still looks like a bot token, an invite token after ``start=``
   or ``/start``, or a Telegram id (a run of six or more digits), in the message and in
   exception text alike.

APScheduler's four INFO lines per tick (two jobs, "running" and "executed") are noise: they
only show when DEBUG is asked for.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

__all__ = ["FORMAT", "PINNED", "Redactor", "configure_logging", "redact"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

PINNED = (
    "telegram",
    "httpx",
    "httpcore",
    "h2",
    "hpack",
    "sqlalchemy",
    "aiohttp",
    "tornado",
    "gtts",
    "urllib3",
    "psycopg",
)
DEBUG_ONLY = ("apscheduler",)

_REPLACEMENTS = (
    # A bot token: the bot's numeric id, a colon (perhaps percent-encoded) and the secret.
    (re.compile(r"\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]+"), "<bot-token>"),
    (re.compile(r"(start=|/start\s+)[A-Za-z0-9_-]+"), r"\1<token>"),
    # Telegram ids are 9 to 13 digits today; row ids and counts stay far below six digits.
    # Digits after a point are a fraction (a time's microseconds), not an id.
    (re.compile(r"(?<![.\d])\d{6,}"), "<id>"),
)


def redact(text: str) -> str:
    """``text`` with bot tokens, invite tokens and id-like numbers replaced."""
    for pattern, replacement in _REPLACEMENTS:
        text = pattern.sub(replacement, text)
    return text


class Redactor(logging.Filter):
    """Redacts a record in place, so every handler after this one sees it redacted too."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A broken call: its arguments would be printed by the handler's error report.
            message = f"{record.msg} (arguments dropped: they do not fit the message)"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The command's handler; configuring again replaces it instead of adding another."""


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Log at ``level`` to ``stream`` (standard error by default), redacted, with the
    libraries that can carry personal data held at WARNING. Returns the handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
        old.close()
    handler = _Handler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(Redactor())
    root.addHandler(handler)
    root.setLevel(level)
    for name in PINNED:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    for name in DEBUG_ONLY:
        logging.getLogger(name).setLevel(
            logging.DEBUG if level <= logging.DEBUG else logging.WARNING
        )
    return handler
