"""Daily housekeeping: outbox rows are forgotten once they are done with.

An outbox row keeps its parameters (a client's name in "Sam pressed the noodknop") until it
is sent; after that nothing reads them, so they are kept only ``WAAKVLAM_OUTBOX_KEEP_DAYS``
days, for looking into a delivery complaint. The job logs counts only.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.clock import Clock
from storage import outbox
from storage.database import Database

__all__ = ["PURGE_BATCH", "purge_outbox"]

log = logging.getLogger(__name__)

PURGE_BATCH = 1000  # rows per transaction: a short write lock, the event loop gets its turns


async def purge_outbox(database: Database, clock: Clock, keep_days: int) -> tuple[int, int]:
    """Delete the outbox rows done with more than ``keep_days`` ago (a relayed message's rows
    are emptied instead: replies are routed by them). Returns (deleted, emptied)."""
    before = clock.now() - timedelta(days=keep_days)

    def batch() -> tuple[int, int]:
        with database.transaction() as session:
            return outbox.purge_sent(session, before=before, limit=PURGE_BATCH)

    deleted = emptied = 0
    while True:  # each batch its own transaction, queued behind the bot's other database work
        gone, cleared = await database.run(batch)
        deleted, emptied = deleted + gone, emptied + cleared
        if gone < PURGE_BATCH and cleared < PURGE_BATCH:
            break
    log.info("outbox purge: %d rows deleted, %d relay rows emptied", deleted, emptied)
    return deleted, emptied
