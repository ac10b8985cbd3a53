"""Logging for the ``waakvlam`` command: no level may write personal data or secrets.

This is health data under the GDPR, so a log line holds no message content, names, Telegram
ids, invite tokens, webhook secrets or the bot token, not even at DEBUG. Three lines of defence:

1. Libraries that log such things are pinned to WARNING whatever the root level:
   python-telegram-bot logs every update and API call with its parameters at DEBUG, httpx
   logs request URLs (which hold the bot token), SQLAlchemy logs SQL with its parameters,
   the aiohttp and tornado servers log request paths, gTTS logs the text it speaks.
   The bot's own lines carry event types, counts and row ids only.
2. A record from any logger outside the bot's own packages (``bot``, ``dialogs``,
   ``storage``, ``content``, ``bench``) keeps only its fixed wording: its arguments are
   dropped unformatted (the format string is written as it is, ``%r`` and all) and an
   exception is reduced to its type name and those of its causes, with no text and no
   traceback. Warnings and errors still show, they just cannot carry what a library put in
   them: python-telegram-bot's webhook, for one, logs an update it cannot parse at CRITICAL
   with the whole update (names, message text) as an argument, and its exceptions can quote
   the update too. A library that formats content into the message itself is only redacted.
3. The handler redacts what still looks like a bot token, an invite token after ``start=``
   or ``/start``, or a Telegram id (a run of six or more digits), in the message and in
   exception text alike.

APScheduler's four INFO lines per tick (two jobs, "running" and "executed") are noise: they
only show when DEBUG is asked for. python-telegram-bot's rate limiter logs every 429 at ERROR
with a traceback (the bot runs it with ``max_retries=0``): it is held at CRITICAL, since the
bot itself waits and retries, logs that at INFO, and logs a 429 it gives up on as an error.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

__all__ = ["FORMAT", "OWN", "PINNED", "Redactor", "configure_logging", "redact"]

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
# Only errors the bot does not handle itself: a routine 429 is retried and logged by the bot.
QUIET = ("telegram.ext.AIORateLimiter",)
# The bot's own packages: their records keep their arguments (redacted). Everything else is
# a library, whose records keep only their fixed wording.
OWN = ("bot", "dialogs", "storage", "content", "bench")

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


def _own(name: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in OWN)


def _exception_types(error: BaseException) -> str:
    """``error``'s type name and those of its causes: "NetworkError, from ConnectError"."""
    names: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(names) < 5:
        seen.add(id(current))
        names.append(type(current).__qualname__)
        cause = current.__cause__
        if cause is None and not current.__suppress_context__:
            cause = current.__context__
        current = cause
    return ", from ".join(names)


class Redactor(logging.Filter):
    """Redacts a record in place, so every handler after this one sees it redacted too."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if _own(record.name):
            self._redact(record)
        else:
            self._strip(record)
        return True

    @staticmethod
    def _strip(record: logging.LogRecord) -> None:
        """A library's record: its fixed wording and its exception's type, nothing more."""
        wording = record.msg if isinstance(record.msg, str) else f"<{type(record.msg).__name__}>"
        record.msg, record.args = redact(wording), None
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            record.exc_text = f"exception: {_exception_types(error)} (text dropped)"
        elif record.exc_text:
            record.exc_text = "exception text dropped"
        record.exc_info = None
        record.stack_info = None

    def _redact(self, record: logging.LogRecord) -> None:
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


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The command's handler; configuring again replaces it instead of adding another."""


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Log at ``level`` to ``stream`` (standard error by default), redacted, with the
    libraries that can carry personal data held at WARNING and their records stripped of
    arguments and exception text. Returns the handler."""
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
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.CRITICAL))
    return handler
