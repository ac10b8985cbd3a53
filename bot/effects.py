"""Carries out a dialog's effects in the database, inside the caller's transaction.

Each effect returns the values replies may need afterwards (an invite link, its expiry).
Every change is written to the audit trail with ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, select

from bot.alerts import ALERT_EFFECTS, AlertContext, apply_alert_effect
from dialogs.outcome import (
    ActivateCoach,
    AwaitInput,
    ChooseReadAloud,
    ClaimClientInvite,
    DeclineConsent,
    Effect,
    GiveConsent,
    InviteClient,
)
from storage import audit, people
from storage.invites import issue_invite
from storage.models import Client, ClientStatus, Coach, Invite, InviteKind

__all__ = ["EffectContext", "apply_effect", "deep_link"]

_Row = TypeVar("_Row", Client, Coach, Invite)


@dataclass(frozen=True)
class EffectContext:
    telegram_user_id: int
    now: datetime
    bot_username: str
    invite_ttl: timedelta
    default_language: str
    alerts: AlertContext


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def apply_effect(session: Session, effect: Effect, ctx: EffectContext) -> dict[str, Any]:
    """Store one effect; returns values for the replies (keys with "_" are for the shell)."""
    if isinstance(effect, ALERT_EFFECTS):
        return apply_alert_effect(session, effect, ctx.alerts)
    match effect:
        case ActivateCoach(invite_id=invite_id, coach_id=coach_id):
            coach = _get(session, Coach, coach_id)
            people.activate_coach(
                session, coach, telegram_user_id=ctx.telegram_user_id, now=ctx.now
            )
            invite = _get(session, Invite, invite_id)
            invite.used_at = ctx.now
            invite.claimed_by_telegram_user_id = ctx.telegram_user_id
            session.add(invite)
            audit.record(
                session,
                at=ctx.now,
                actor=f"coach:{coach_id}",
                action="coach.joined",
                subject_type="coach",
                subject_id=coach_id,
            )
        case ClaimClientInvite(invite_id=invite_id, client_id=client_id):
            client = _get(session, Client, client_id)
            client.telegram_user_id = ctx.telegram_user_id
            client.status = ClientStatus.CONSENT_PENDING
            client.updated_at = ctx.now
            invite = _get(session, Invite, invite_id)
            invite.claimed_by_telegram_user_id = ctx.telegram_user_id
            invite.claimed_at = ctx.now
            session.add_all([client, invite])
            _audit_client(session, ctx, client_id, "client.link_opened")
        case GiveConsent(client_id=client_id, version=version):
            client = _get(session, Client, client_id)
            client.consent_at = ctx.now
            client.consent_version = version
            client.status = ClientStatus.VOICE_PENDING
            client.updated_at = ctx.now
            held = _claimed_invite(session, client_id)
            if held is not None:
                held.used_at = ctx.now
                session.add(held)
            session.add(client)
            _audit_client(session, ctx, client_id, "client.consented")
        case DeclineConsent(client_id=client_id):
            client = _get(session, Client, client_id)
            client.telegram_user_id = None
            client.status = ClientStatus.DECLINED
            client.updated_at = ctx.now
            session.add(client)
            held = _claimed_invite(session, client_id)
            _audit_client(session, ctx, client_id, "client.declined")
            if held is not None:
                held.claimed_by_telegram_user_id = None
                held.claimed_at = None
                session.add(held)
                return {"expires": held.expires_at}
        case ChooseReadAloud(client_id=client_id, read_aloud=read_aloud):
            client = _get(session, Client, client_id)
            client.read_aloud = read_aloud
            people.activate_client(session, client, now=ctx.now)
            _audit_client(session, ctx, client_id, "client.joined")
        case AwaitInput(coach_id=coach_id, awaiting=awaiting):
            coach = _get(session, Coach, coach_id)
            coach.awaiting = awaiting
            session.add(coach)
        case InviteClient(coach_id=coach_id, client_name=client_name):
            coach = _get(session, Coach, coach_id)
            client = people.add_client(
                session, coach_id=coach_id, name=client_name, language=coach.language, now=ctx.now
            )
            issued = issue_invite(
                session,
                kind=InviteKind.CLIENT,
                now=ctx.now,
                ttl=ctx.invite_ttl,
                coach_id=coach_id,
                client_id=client.id,
            )
            audit.record(
                session,
                at=ctx.now,
                actor=f"coach:{coach_id}",
                action="client.invited",
                subject_type="client",
                subject_id=client.id,
            )
            return {
                "link": deep_link(ctx.bot_username, issued.token),
                "expires": issued.invite.expires_at,
            }
    return {}


def _get(session: Session, model: type[_Row], row_id: int) -> _Row:
    row = session.get(model, row_id)
    if row is None:
        raise LookupError(f"{model.__name__} {row_id} is gone")
    return row


def _claimed_invite(session: Session, client_id: int) -> Invite | None:
    statement = select(Invite).where(
        Invite.client_id == client_id,
        Invite.used_at.is_(None),  # type: ignore[union-attr]
    )
    return session.exec(statement).first()


def _audit_client(session: Session, ctx: EffectContext, client_id: int, action: str) -> None:
    audit.record(
        session,
        at=ctx.now,
        actor=f"client:{client_id}",
        action=action,
        subject_type="client",
        subject_id=client_id,
    )
