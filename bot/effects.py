"""Stores the effects of joining: a coach's or client's link, consent, the read-aloud choice,
a client's phone number, a coach's waiting question and a new client's invite. One handler per
effect type (``onboarding_handlers``, joined in ``bot.effect_registry``), inside the caller's
transaction.

Every change is written to the audit trail with ids only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.leaving import leaving_handlers, let_go_of_account
from bot.state import held_invite
from dialogs.outcome import (
    ActivateCoach,
    AwaitInput,
    ChooseReadAloud,
    ClaimClientInvite,
    DeclineConsent,
    GiveConsent,
    InviteClient,
    RenewClientInvite,
    SetClientLanguage,
    SetClientPhone,
    SetReadAloud,
)
from storage import audit, people
from storage.invites import issue_invite, revoke_unused
from storage.models import Client, ClientStatus, Coach, Invite, InviteKind

__all__ = ["FirstSchedule", "deep_link", "onboarding_handlers"]

_Row = TypeVar("_Row", Client, Coach, Invite)

FirstSchedule = Callable[[Session, int, datetime], None]


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def _activate_coach(session: Session, effect: ActivateCoach, env: EffectEnv) -> EffectResult:
    coach = _get(session, Coach, effect.coach_id)
    people.activate_coach(session, coach, telegram_user_id=env.telegram_user_id, now=env.now)
    invite = _get(session, Invite, effect.invite_id)
    invite.used_at = env.now
    invite.claimed_by_telegram_user_id = env.telegram_user_id
    session.add(invite)
    audit.record(
        session,
        at=env.now,
        actor=f"coach:{effect.coach_id}",
        action="coach.joined",
        subject_type="coach",
        subject_id=effect.coach_id,
    )
    return NOTHING


def _claim_client_invite(
    session: Session, effect: ClaimClientInvite, env: EffectEnv
) -> EffectResult:
    erased = let_go_of_account(session, env, effect.client_id)
    client = _get(session, Client, effect.client_id)
    client.telegram_user_id = env.telegram_user_id
    client.status = ClientStatus.CONSENT_PENDING
    client.updated_at = env.now
    invite = _get(session, Invite, effect.invite_id)
    invite.claimed_by_telegram_user_id = env.telegram_user_id
    invite.claimed_at = env.now
    session.add_all([client, invite])
    _audit_client(session, env, effect.client_id, "client.link_opened")
    return EffectResult(client_id=effect.client_id, erased_names=erased)


def _give_consent(session: Session, effect: GiveConsent, env: EffectEnv) -> EffectResult:
    client = _get(session, Client, effect.client_id)
    client.consent_at = env.now
    client.consent_version = effect.version
    client.status = ClientStatus.VOICE_PENDING
    client.updated_at = env.now
    held = held_invite(session, effect.client_id, client.telegram_user_id)
    if held is not None:
        held.used_at = env.now
        session.add(held)
    session.add(client)
    _audit_client(session, env, effect.client_id, "client.consented")
    return NOTHING


def _decline_consent(session: Session, effect: DeclineConsent, env: EffectEnv) -> EffectResult:
    """A "Nee": the row keeps its Telegram id and the link stays this account's, so the same
    chat can still say yes until the link expires; then ``bot.housekeeping`` erases it all."""
    client = _get(session, Client, effect.client_id)
    client.status = ClientStatus.DECLINED
    client.updated_at = env.now
    session.add(client)
    held = held_invite(session, effect.client_id, client.telegram_user_id)
    _audit_client(session, env, effect.client_id, "client.declined")
    if held is None:
        return NOTHING
    return EffectResult(expires=held.expires_at)


def _choose_read_aloud(first_schedule: FirstSchedule) -> Handler:
    """The last step of joining; the client then gets the organisation's check-in rhythm."""

    def handle(session: Session, effect: ChooseReadAloud, env: EffectEnv) -> EffectResult:
        client = _get(session, Client, effect.client_id)
        client.read_aloud = effect.read_aloud
        people.activate_client(session, client, now=env.now)
        _audit_client(session, env, effect.client_id, "client.joined")
        first_schedule(session, effect.client_id, env.now)
        return NOTHING

    return handle


def _set_read_aloud(session: Session, effect: SetReadAloud, env: EffectEnv) -> EffectResult:
    """Read-aloud switched on or off by the client (typed), at any time."""
    client = _get(session, Client, effect.client_id)
    client.read_aloud = effect.read_aloud
    session.add(client)
    return NOTHING


def _set_phone(session: Session, effect: SetClientPhone, env: EffectEnv) -> EffectResult:
    """A client's own number (shared by them), or their coach's change; audited by ids only."""
    client = _get(session, Client, effect.client_id)
    if effect.by_coach_id is not None and client.coach_id != effect.by_coach_id:
        raise LookupError(f"client {effect.client_id} is not coach {effect.by_coach_id}'s")
    people.set_client_phone(session, client, effect.phone, now=env.now)
    audit.record(
        session,
        at=env.now,
        actor=f"coach:{effect.by_coach_id}" if effect.by_coach_id else f"client:{client.id}",
        action="client.phone_set" if effect.phone else "client.phone_removed",
        subject_type="client",
        subject_id=client.id,
    )
    return NOTHING


def _set_language(session: Session, effect: SetClientLanguage, env: EffectEnv) -> EffectResult:
    """The language the client chose for everything the bot says to them."""
    client = _get(session, Client, effect.client_id)
    client.language = effect.language
    client.updated_at = env.now
    session.add(client)
    _audit_client(session, env, effect.client_id, "client.language_set")
    return NOTHING


def _await_input(session: Session, effect: AwaitInput, env: EffectEnv) -> EffectResult:
    coach = _get(session, Coach, effect.coach_id)
    coach.awaiting = effect.awaiting
    session.add(coach)
    return NOTHING


def _invite_client(session: Session, effect: InviteClient, env: EffectEnv) -> EffectResult:
    coach = _get(session, Coach, effect.coach_id)
    client = people.add_client(
        session,
        coach_id=effect.coach_id,
        name=effect.client_name,
        language=effect.language or coach.language,
        now=env.now,
    )
    assert client.id is not None
    return _client_link(session, env, effect.coach_id, client.id, "client.invited")


def _renew_client_invite(
    session: Session, effect: RenewClientInvite, env: EffectEnv
) -> EffectResult:
    """A new link for the coach's client who never opened theirs: the old links stop working
    in this transaction, the new token is shown once and only its hash is stored. Checked
    again under the client's lock: a link opened in the meantime is not taken away."""
    client = people.lock_client(session, effect.client_id)
    if client is None or client.coach_id != effect.coach_id:
        raise LookupError(f"client {effect.client_id} is not coach {effect.coach_id}'s")
    if not people.never_opened(session, coach_id=effect.coach_id, client_id=effect.client_id):
        raise LookupError(f"client {effect.client_id} opened their link")
    revoke_unused(session, client_id=effect.client_id, now=env.now)
    if effect.language:
        client.language = effect.language
    client.updated_at = env.now
    session.add(client)
    return _client_link(session, env, effect.coach_id, effect.client_id, "client.invite_renewed")


def _client_link(
    session: Session, env: EffectEnv, coach_id: int, client_id: int, action: str
) -> EffectResult:
    """A client link of this coach's (only its hash stored) and its audit event: the link,
    shown once, and until when it works."""
    issued = issue_invite(
        session,
        kind=InviteKind.CLIENT,
        now=env.now,
        ttl=env.invite_ttl,
        coach_id=coach_id,
        client_id=client_id,
    )
    audit.record(
        session,
        at=env.now,
        actor=f"coach:{coach_id}",
        action=action,
        subject_type="client",
        subject_id=client_id,
    )
    return EffectResult(
        link=deep_link(env.bot_username, issued.token), expires=issued.invite.expires_at
    )


def onboarding_handlers(first_schedule: FirstSchedule) -> dict[type, Handler]:
    """The handlers of joining; ``first_schedule`` gives a client who just joined the
    default check-in rhythm (``CheckinShell.first_schedule``)."""
    return {
        ActivateCoach: _activate_coach,
        ClaimClientInvite: _claim_client_invite,
        GiveConsent: _give_consent,
        DeclineConsent: _decline_consent,
        ChooseReadAloud: _choose_read_aloud(first_schedule),
        SetReadAloud: _set_read_aloud,
        AwaitInput: _await_input,
        InviteClient: _invite_client,
        RenewClientInvite: _renew_client_invite,
        **leaving_handlers(),
        SetClientPhone: _set_phone,
        SetClientLanguage: _set_language,
    }


def _get(session: Session, model: type[_Row], row_id: int) -> _Row:
    row = session.get(model, row_id)
    if row is None:
        raise LookupError(f"{model.__name__} {row_id} is gone")
    return row


def _audit_client(session: Session, env: EffectEnv, client_id: int, action: str) -> None:
    audit.record(
        session,
        at=env.now,
        actor=f"client:{client_id}",
        action=action,
        subject_type="client",
        subject_id=client_id,
    )
