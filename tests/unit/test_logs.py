"""The log set-up: what is redacted, and which loggers stay quiet whatever the level."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import OWN, PINNED, Redactor, configure_logging, redact

TOKEN = "7412589630:AAF-q3x_Zr8Tt0pL1mNbVcXe9wQ2sD4fGhJ"


@pytest.fixture
def restored() -> Iterator[None]:
    """configure_logging changes global state: put every level and handler back."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in list(root.manager.loggerDict)}
    root_level, handlers = root.level, list(root.handlers)
    yield
    root.handlers[:] = handlers
    root.setLevel(root_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_tokens_and_ids_are_redacted() -> None:
    assert redact(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage") == (
        "POST https://api.telegram.org/bot<bot-token>/sendMessage"
    )
    assert TOKEN.split(":")[1] not in redact(TOKEN.replace(":", "%3A"))
    assert redact("https://t.me/x_bot?start=Ab3_-9zQ text='/start Ab3_-9zQ'") == (
        "https://t.me/x_bot?start=<token> text='/start <token>'"
    )
    assert redact("chat_id=7100000001, 'id': -1004200000001") == "chat_id=<id>, 'id': -<id>"


def test_what_is_no_secret_stays_readable() -> None:
    line = "outbox row 4213 will be retried at 10:00:00.028123 after 2.5s; handled Start"
    assert redact(line) == line


def test_the_filter_redacts_arguments_and_exception_text() -> None:
    try:
        raise LookupError("chat 7100000001 not found")
    except LookupError as error:
        record = logging.LogRecord(
            "bot.outbox",
            logging.ERROR,
            __file__,
            1,
            "sent to %s",
            (7100000002,),
            (type(error), error, None),
        )
    assert Redactor().filter(record)
    formatted = logging.Formatter().format(record)
    assert "71000000" not in formatted and formatted.startswith("sent to <id>")
    assert "LookupError: chat <id> not found" in formatted


def test_a_broken_log_call_does_not_print_its_arguments() -> None:
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, "%d items", ("Sambrecht",), None)
    Redactor().filter(record)
    assert "Sambrecht" not in logging.Formatter().format(record)


def _record(name: str, msg: object, args: object, error: BaseException | None) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error else None
    return logging.LogRecord(name, logging.CRITICAL, __file__, 1, msg, args, exc_info)  # type: ignore[arg-type]


def _raised(error: BaseException, cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except type(cause) as inner:
            raise error from inner
    except type(error) as outer:
        return outer


@pytest.mark.parametrize(
    "name",
    [
        "telegram.ext.Updater",
        "tornado.application",
        "httpx",
        "apscheduler.scheduler",
        "asyncio",
        "root",
        "botany",
        "storagebox.x",
    ],
)
def test_a_library_record_keeps_its_wording_and_exception_type_only(name: str) -> None:
    update = {"message": {"from": {"first_name": "Sambrecht"}, "text": "mijn geheime zorg"}}
    error = _raised(ValueError(f"bad update {update!r}"), KeyError("Sambrecht"))
    record = _record(name, "Received data was: %r", (update,), error)
    assert Redactor().filter(record)
    formatted = logging.Formatter().format(record)
    assert formatted == (
        "Received data was: %r\nexception: ValueError, from KeyError (text dropped)"
    )

    odd = _record(name, update, None, None)  # a library logging an object, not a string
    Redactor().filter(odd)
    assert logging.Formatter().format(odd) == "<dict>"


def test_the_bots_own_records_keep_their_arguments_redacted() -> None:
    for package in OWN:
        record = _record(f"{package}.x", "row %s for %s", (42, 7100000001), None)
        Redactor().filter(record)
        assert logging.Formatter().format(record) == "row 42 for <id>", package


@pytest.mark.usefixtures("restored")
def test_a_routine_429_is_not_an_error_but_library_errors_still_show() -> None:
    out = io.StringIO()
    configure_logging(logging.INFO, stream=out)
    try:
        raise RuntimeError("Flood control exceeded. Retry in 3 seconds")
    except RuntimeError:
        logging.getLogger("telegram.ext.AIORateLimiter").exception(
            "Rate limit hit after maximum of %d retries", 0
        )
        logging.getLogger("telegram.ext.Application").exception("Error while processing")
    lines = out.getvalue().splitlines()
    assert not [line for line in lines if "Rate limit" in line]
    assert lines[-2].endswith(" ERROR telegram.ext.Application: Error while processing")
    assert lines[-1] == "exception: RuntimeError (text dropped)"


@pytest.mark.usefixtures("restored")
def test_libraries_stay_at_warning_and_the_scheduler_at_debug_only() -> None:
    out = io.StringIO()
    configure_logging(logging.INFO, stream=out)
    configure_logging(logging.INFO, stream=out)  # again: still one handler
    assert [getattr(h, "stream", None) for h in logging.getLogger().handlers].count(out) == 1
    logging.getLogger("apscheduler.executors.default").info('Running job "alert-tick"')
    logging.getLogger("telegram.ext.ExtBot").info("update from Sambrecht")
    logging.getLogger("bot.service").info("handled Start from client")
    assert out.getvalue().splitlines()[-1].endswith("bot.service: handled Start from client")
    assert "alert-tick" not in out.getvalue() and "Sambrecht" not in out.getvalue()

    configure_logging(logging.DEBUG, stream=out)
    assert logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.DEBUG)
    for name in PINNED:
        assert not logging.getLogger(f"{name}.anything").isEnabledFor(logging.INFO), name
    assert logging.getLogger("sqlalchemy.engine.Engine").getEffectiveLevel() == logging.WARNING
