"""Daily housekeeping: what is kept about clients goes once it is older than its setting.

An outbox row keeps its parameters (a client's name in "Sam pressed the noodknop") until it
is sent; after that nothing reads them, so they are kept only ``WAAKVLAM_OUTBOX_KEEP_DAYS``
days, for looking into a delivery complaint. Check-ins, relay metadata and alert details have
their own settings (``storage.retention``); clients who said no, and those whose support
ended longer ago than ``WAAKVLAM_ENDED_KEEP_DAYS``, are erased (``bot.leaving``). The jobs
log counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from bot.clock import Clock
from bot.leaving import erase_declined, erase_ended
from bot.settings import Settings
from storage import outbox, retention
from storage.database import Database
from storage.retention import RetentionCutoffs

__all__ = ["PURGE_BATCH", "RetentionDays", "apply_retention", "daily", "purge_outbox"]

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


@dataclass(frozen=True)
class RetentionDays:
    """How many days each kind is kept (``bot.settings``: ``WAAKVLAM_KEEP_*_DAYS``)."""

    checkins: int
    relays: int
    alert_details: int
    contacts: int = 365


async def daily(database: Database, clock: Clock, settings: Settings) -> None:
    """The daily jobs, each on its own: one that fails (logged by type) never keeps the others
    from running."""
    steps: tuple[tuple[str, Callable[[], Awaitable[object]]], ...] = (
        ("outbox purge", lambda: purge_outbox(database, clock, settings.outbox_keep_days)),
        ("declined clients", lambda: erase_declined(database, clock, settings.voice_cache_dir)),
        (
            "ended clients",
            lambda: erase_ended(
                database, clock, settings.ended_keep_days, settings.voice_cache_dir
            ),
        ),
        (
            "retention",
            lambda: apply_retention(
                database,
                clock,
                RetentionDays(
                    checkins=settings.keep_checkin_days,
                    relays=settings.keep_relay_days,
                    alert_details=settings.keep_alert_detail_days,
                    contacts=settings.keep_contact_days,
                ),
            ),
        ),
    )
    for name, step in steps:
        try:
            await step()
        except Exception as error:  # the next step must still run
            log.error("housekeeping: %s failed (%s)", name, type(error).__name__)


async def apply_retention(database: Database, clock: Clock, days: RetentionDays) -> dict[str, int]:
    """Delete the check-ins, relay metadata and alert details older than their settings, in
    batches (each its own transaction). Returns and logs the counts per kind, nothing else."""
    now = clock.now()
    cutoffs = RetentionCutoffs(
        checkins=now - timedelta(days=days.checkins),
        relays=now - timedelta(days=days.relays),
        alert_details=now - timedelta(days=days.alert_details),
        contacts=now - timedelta(days=days.contacts),
    )
    kinds: dict[str, Callable[[Session], int]] = {
        "checkins": lambda s: retention.delete_old_checkins(
            s, before=cutoffs.checkins, limit=PURGE_BATCH
        ),
        "relays": lambda s: retention.delete_old_relays(
            s, before=cutoffs.relays, limit=PURGE_BATCH
        ),
        "alert_details": lambda s: retention.strip_old_alert_details(
            s, before=cutoffs.alert_details, limit=PURGE_BATCH
        ),
        "contacts": lambda s: retention.delete_old_contacts(
            s, before=cutoffs.contacts, limit=PURGE_BATCH
        ),
    }
    counts: dict[str, int] = {}
    for kind, work in kinds.items():
        counts[kind] = 0
        while True:

            def batch(work: Callable[[Session], int] = work) -> int:
                with database.transaction() as session:
                    return work(session)

            done = await database.run(batch)
            counts[kind] += done
            if done < PURGE_BATCH:
                break
    log.info(
        "retention: %d check-ins deleted, %d relays deleted, %d alerts stripped of details, "
        "%d logged contacts deleted",
        counts["checkins"],
        counts["relays"],
        counts["alert_details"],
        counts["contacts"],
    )
    return counts
