"""Single-use deep-link invites for coaches and clients.

A token is 32 random bytes (43 URL-safe characters: fits Telegram's 64-character ``start``
payload and is hopeless to guess). Only its SHA-256 hash is stored, so a copy of the database
cannot be used to join.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, func, select, update

from storage.models import Invite, InviteKind

__all__ = [
    "IssuedInvite",
    "find_invite",
    "forget_account_on_links",
    "hash_token",
    "issue_invite",
    "links_until",
    "looks_like_token",
    "opened_at",
    "revoke_unused",
]

TOKEN_BYTES = 32
TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(frozen=True)
class IssuedInvite:
    invite: Invite
    token: str  # shown once, never stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(payload: str) -> bool:
    """Cheap shape check before touching the database (Telegram allows at most 64 chars)."""
    return 20 <= len(payload) <= 64 and set(payload) <= TOKEN_ALPHABET


def issue_invite(
    session: Session,
    *,
    kind: InviteKind,
    now: datetime,
    ttl: timedelta,
    coach_id: int | None = None,
    client_id: int | None = None,
) -> IssuedInvite:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invite = Invite(
        kind=kind,
        token_hash=hash_token(token),
        coach_id=coach_id,
        client_id=client_id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    session.flush()
    return IssuedInvite(invite=invite, token=token)


def revoke_unused(session: Session, *, client_id: int, now: datetime) -> int:
    """Withdraw the client's links that were not used or withdrawn yet (a link is only
    checked on opening: a withdrawn one gets the answer of any bad link). How many."""
    statement = select(Invite).where(
        Invite.client_id == client_id,
        Invite.kind == InviteKind.CLIENT,
        col(Invite.used_at).is_(None),
        col(Invite.revoked_at).is_(None),
    )
    withdrawn = list(session.exec(statement))
    for invite in withdrawn:
        invite.revoked_at = now
        session.add(invite)
    session.flush()
    return len(withdrawn)


def forget_account_on_links(
    session: Session, telegram_user_id: int, *, client_id: int, of_others: bool
) -> int:
    """The Telegram account no longer stands as the one that opened a link: its id and when
    it opened the link are cleared. On the client's own links (``of_others=False``: a coach
    stops the client's joining and lets that account go) or on every link but the client's,
    a coach's link included (``of_others=True``: an erasure, which deletes the client's own
    links itself). Objects loaded in the session are brought up to date. How many links."""
    whose = (
        or_(col(Invite.client_id).is_(None), col(Invite.client_id) != client_id)
        if of_others
        else col(Invite.client_id) == client_id
    )
    statement = (
        update(Invite)
        .where(col(Invite.claimed_by_telegram_user_id) == telegram_user_id, whose)
        .values(claimed_by_telegram_user_id=None, claimed_at=None)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def find_invite(session: Session, token: str) -> Invite | None:
    if not looks_like_token(token):
        return None
    return session.exec(select(Invite).where(Invite.token_hash == hash_token(token))).first()


def links_until(session: Session, client_ids: list[int]) -> dict[int, datetime]:
    """Until when each client's unused links work (the latest, when there are several), by
    client id; a client without an unused link is left out. Whether that moment has passed is
    the caller's to say."""
    if not client_ids:
        return {}
    statement = (
        select(Invite.client_id, func.max(Invite.expires_at))
        .where(
            col(Invite.client_id).in_(client_ids),
            Invite.kind == InviteKind.CLIENT,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
        )
        .group_by(col(Invite.client_id))
    )
    return {client_id: until for client_id, until in session.exec(statement) if client_id}


def opened_at(session: Session, client_ids: list[int]) -> dict[int, datetime]:
    """When each client's link was last opened, by client id; a client whose links nobody
    opened is left out."""
    if not client_ids:
        return {}
    statement = (
        select(Invite.client_id, func.max(Invite.claimed_at))
        .where(
            col(Invite.client_id).in_(client_ids),
            Invite.kind == InviteKind.CLIENT,
            col(Invite.claimed_at).is_not(None),
        )
        .group_by(col(Invite.client_id))
    )
    return {client_id: at for client_id, at in session.exec(statement) if client_id and at}
