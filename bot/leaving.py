"""Stores the effects of leaving: a client's wish to stop, the end of their support by their
coach, and letting go of a Telegram account that joins again with a new link. Handlers are
joined with the onboarding ones (``bot.effects.onboarding_handlers``), inside the caller's
transaction; every change is written to the audit trail with ids only.

``erase_declined`` (the daily housekeeping job) erases a client who said no to consent once
their link can no longer be used to take it back, as their coach was told; ``erase_ended``
a client whose support ended longer ago than ``WAAKVLAM_ENDED_KEEP_DAYS``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.phases import phase_handlers
from bot.voice.cache import ClipStore
from dialogs.outcome import AskToStop, EndSupport, MarkStopAsked
from storage import alerts, audit, data_rights, people, retention
from storage.database import Database
from storage.models import ClientStatus, SupportPhase, SupportPhaseName

__all__ = [
    "ENDED_ERASE_BATCH",
    "ERASE_BATCH",
    "erase_declined",
    "erase_ended",
    "leaving_handlers",
    "let_go_of_account",
]

log = logging.getLogger(__name__)

ERASE_BATCH = 100  # declined clients per transaction (a handful of rows each)
# Ended clients per transaction: one with a year's history is 0.3-0.5 s to erase (the bench),
# as long as the database may be held by one batch while a noodknop press waits for it.
ENDED_ERASE_BATCH = 1


def let_go_of_account(session: Session, env: EffectEnv, client_id: int) -> tuple[str, ...]:
    """A Telegram account opening a client link may still belong to an earlier client row: one
    who said no (erased now: they start again) or whose support ended (kept, without the
    account). One account is one client at a time. Returns the names of the clients erased:
    the shell deletes the read-aloud clips that say them once this is committed
    (``bot.pipeline``), as ``erase_declined`` and ``client erase`` do."""
    erased: list[str] = []
    for earlier in people.clients_by_telegram_id(session, env.telegram_user_id):
        assert earlier.id is not None
        if earlier.id == client_id:
            continue
        if earlier.status == ClientStatus.DECLINED:
            erased.append(earlier.name)
            data_rights.erase(session, earlier.id, now=env.now, actor="system")
        elif earlier.status == ClientStatus.ENDED:
            earlier.telegram_user_id = None
            earlier.updated_at = env.now
            session.add(earlier)
            _audit(session, env, f"client:{earlier.id}", retention.ACCOUNT_RELEASED, earlier.id)
    session.flush()
    return tuple(erased)


def _ask_to_stop(session: Session, effect: AskToStop, env: EffectEnv) -> EffectResult:
    _audit(session, env, f"client:{effect.client_id}", "client.asked_to_stop", effect.client_id)
    return NOTHING


def _mark_stop_asked(session: Session, effect: MarkStopAsked, env: EffectEnv) -> EffectResult:
    client = people.get_client(session, effect.client_id)
    if client is not None:
        client.stop_asked_at = env.now if effect.open else None
        session.add(client)
    return NOTHING


def _end_support(session: Session, effect: EndSupport, env: EffectEnv) -> EffectResult:
    """The coach ended the support: the client is "ended" from now, with who and when in the
    phase history and the audit trail. Check-ins stop (the clock skips ended clients)."""
    client = people.lock_client(session, effect.client_id)
    if client is None or client.status != ClientStatus.ACTIVE:
        return NOTHING
    if alerts.open_alert_of(session, effect.client_id) is not None:
        # The dialogs refuse this; an alert raised in between must not lose its client.
        raise LookupError(f"client {effect.client_id} has an open alert")
    if client.coach_id != effect.coach_id:
        raise LookupError(f"client {effect.client_id} is not coach {effect.coach_id}'s")
    client.status = ClientStatus.ENDED
    client.awaiting_message = False
    client.stop_asked_at = None
    client.message_promised_by = None  # no reminder of it after a reopening
    client.relay_asked = None  # "send these to the coach?" asked of a client still in care
    client.updated_at = env.now
    session.add(client)
    open_phases = select(SupportPhase).where(
        SupportPhase.client_id == effect.client_id, col(SupportPhase.ended_at).is_(None)
    )
    for phase in session.exec(open_phases):
        phase.ended_at = env.now
        session.add(phase)
    session.add(
        SupportPhase(
            client_id=effect.client_id,
            phase=SupportPhaseName.ENDED,
            started_at=env.now,
            end_reason=effect.reason,
        )
    )
    _audit(session, env, f"coach:{effect.coach_id}", "client.ended", effect.client_id)
    return NOTHING


def _audit(session: Session, env: EffectEnv, actor: str, action: str, client_id: int) -> None:
    audit.record(
        session,
        at=env.now,
        actor=actor,
        action=action,
        subject_type="client",
        subject_id=client_id,
    )


def leaving_handlers() -> dict[type, Handler]:
    return {
        AskToStop: _ask_to_stop,
        MarkStopAsked: _mark_stop_asked,
        EndSupport: _end_support,
        **phase_handlers(),
    }


async def erase_declined(database: Database, clock: Clock, voice_cache: Path | None = None) -> int:
    """Erase every client who said no and whose link expired (or was withdrawn): their coach
    was told "kept until <expiry>, then erased" (``coach.client_declined``), with the
    read-aloud clips that say their name (the welcome and the consent may have been heard).
    Logs the count only; returns how many were erased."""

    def batch() -> tuple[int, list[str]]:
        with database.transaction() as session:
            now = clock.now()
            ids = people.declined_past_their_link(session, now=now, limit=ERASE_BATCH)
            erased_names = []
            for client_id in ids:
                client = people.get_client(session, client_id)
                erased_names.append(client.name if client is not None else "")
                data_rights.erase(session, client_id, now=now, actor="system")
            return len(ids), erased_names

    erased = await _erase_in_batches(database, batch, ERASE_BATCH, voice_cache)
    log.info("declined clients erased: %d", erased)
    return erased


async def erase_ended(
    database: Database, clock: Clock, keep_days: int, voice_cache: Path | None = None
) -> int:
    """Erase every client whose support ended more than ``keep_days`` ago and who did not come
    back (``storage.retention.erase_ended``: the same erasure as ``client erase``, audit
    ``client.erased`` by ``system`` without a name), with the read-aloud clips that say their
    name. ``keep_days`` 0: nobody (kept until erased by hand). Logs the count only."""
    if keep_days <= 0:
        return 0
    now = clock.now()
    before = now - timedelta(days=keep_days)

    def batch() -> tuple[int, list[str]]:
        with database.transaction() as session:
            ids = retention.ended_before(session, before=before, limit=ENDED_ERASE_BATCH)
            names = [
                name
                for client_id in ids
                if (name := retention.erase_ended(session, client_id, before=before, now=now))
                is not None
            ]
            return len(ids), names

    erased = await _erase_in_batches(database, batch, ENDED_ERASE_BATCH, voice_cache)
    log.info("ended clients erased: %d", erased)
    return erased


async def _erase_in_batches(
    database: Database,
    batch: Callable[[], tuple[int, list[str]]],
    size: int,
    voice_cache: Path | None,
) -> int:
    """Run ``batch`` (its own transaction: how many it looked at, the names it erased) until
    it finds fewer than ``size`` or erases nobody; then the clips naming them, and the scrub.
    The names stay in memory, never in a log."""
    erased = 0
    while True:
        looked_at, gone = await database.run(batch)
        erased += len(gone)
        if gone and voice_cache is not None:
            await asyncio.to_thread(_forget_clips, voice_cache, gone)
        if looked_at < size or not gone:
            break
    if erased:
        await database.run(database.scrub)
    return erased


def _forget_clips(voice_cache: Path, names: list[str]) -> None:
    """The read-aloud clips that say these names go too (a file scan: off the event loop)."""
    if not voice_cache.is_dir():
        return
    clips = ClipStore(voice_cache)
    for name in names:
        clips.forget_clips_naming(name)
