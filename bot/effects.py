"""Stores the effects of joining: a coach's or client's link, consent, the read-aloud choice,
a client's phone number, a coach's waiting question, a new client's invite, a new link for an
invited client, and a coach stopping a client's joining that got stuck (the account that
opened the link let go, a new link made: ``_stop_joining``). One handler per
effect type (``onboarding_handlers``, joined in ``bot.effect_registry``), inside the caller's
transaction.

Every change is written to the audit trail with ids only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.leaving import leaving_handlers, let_go_of_account
from bot.state import Contact, held_invite
from dialogs.outcome import (
    ActivateCoach,
    AwaitInput,
    ChooseReadAloud,
    ClaimClientInvite,
    DeclineConsent,
    GiveConsent,
    InviteClient,
    Outcome,
    RenewClientInvite,
    Reply,
    SetClientLanguage,
    SetClientPhone,
    SetReadAloud,
)
from storage import audit, people
from storage.invites import forget_account_on_links, issue_invite, revoke_unused
from storage.models import (
    Alert,
    Checkin,
    Client,
    ClientStatus,
    Coach,
    ContactLog,
    Invite,
    InviteKind,
    Relay,
    SupportPhase,
)

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
    """The link is checked again under the client's lock, read as it is now: another
    instance may have withdrawn it since the dialog decided (the coach made a new one with
    /nieuw) or let another account open it. Then it gets the answer of any bad link, and
    nothing changes."""
    client = people.lock_client(session, effect.client_id)
    invite = session.get(Invite, effect.invite_id)
    if invite is not None:
        session.refresh(invite)
    if client is None or invite is None or not _still_opens(invite, client, env):
        return EffectResult(instead=Outcome(replies=(Reply("stranger.invite_invalid"),)))
    erased = let_go_of_account(session, env, effect.client_id)
    client.telegram_user_id = env.telegram_user_id
    client.status = ClientStatus.CONSENT_PENDING
    client.updated_at = env.now
    invite.claimed_by_telegram_user_id = env.telegram_user_id
    invite.claimed_at = env.now
    session.add_all([client, invite])
    _audit_client(session, env, effect.client_id, "client.link_opened")
    return EffectResult(client_id=effect.client_id, erased_names=erased)


def _still_opens(invite: Invite, client: Client, env: EffectEnv) -> bool:
    """Whether the link still lets this account in: not used, withdrawn or expired, and
    neither the link nor the client held by another account."""
    mine = (None, env.telegram_user_id)
    return (
        invite.used_at is None
        and invite.revoked_at is None
        and env.now < invite.expires_at
        and invite.claimed_by_telegram_user_id in mine
        and client.telegram_user_id in mine
    )


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
    """A new link for the coach's client who is invited (the old links stop working in this
    transaction), or who is still joining (``effect.joining``: that joining stops first, see
    ``_stop_joining``). The new token is shown once and only its hash is stored. Checked
    again under the client's lock, read as it is now: a client who is no longer as the coach
    saw them (a link opened meanwhile on another instance, joined, moved) is not touched,
    and the coach is told what is true instead."""
    client = people.lock_client(session, effect.client_id)
    names = {"client": effect.client_name}
    if client is None or client.coach_id != effect.coach_id:
        return _renew_refused("coach.renew_changed", names)
    released: Contact | None = None
    if effect.joining:
        if client.status not in _JOINING or client.telegram_user_id is None:
            return _renew_refused("coach.renew_changed", names)
        if _kept_about(session, effect.client_id, client):
            return _renew_refused("coach.renew_data_kept", names)
        released = _stop_joining(session, env, effect.coach_id, client)
    elif client.status != ClientStatus.INVITED or client.telegram_user_id is not None:
        opened = client.status in _JOINING
        return _renew_refused("coach.renew_opened_now" if opened else "coach.renew_changed", names)
    revoke_unused(session, client_id=effect.client_id, now=env.now)
    if effect.language:
        client.language = effect.language
    client.updated_at = env.now
    session.add(client)
    made = _client_link(session, env, effect.coach_id, effect.client_id, "client.invite_renewed")
    if released is None:
        return made
    return replace(made, client=released, client_id=effect.client_id)


_JOINING = (ClientStatus.CONSENT_PENDING, ClientStatus.VOICE_PENDING)


def _renew_refused(key: str, names: dict[str, Any]) -> EffectResult:
    return EffectResult(instead=Outcome(replies=(Reply(key, names),)))


def _kept_about(session: Session, client_id: int, client: Client) -> bool:
    """Whether anything of the client's own is kept beyond joining: a phone number, a
    message, a check-in, an alert, a logged contact, a phase. (Joining stores none of
    these; asked anyway before an account is let go.)"""
    if client.phone is not None:
        return True
    statements: tuple[Any, ...] = (
        select(Relay.id).where(col(Relay.client_id) == client_id),
        select(Checkin.id).where(col(Checkin.client_id) == client_id),
        select(Alert.id).where(col(Alert.client_id) == client_id),
        select(ContactLog.id).where(col(ContactLog.client_id) == client_id),
        select(SupportPhase.id).where(col(SupportPhase.client_id) == client_id),
    )
    return any(session.exec(s.limit(1)).first() is not None for s in statements)


def _stop_joining(session: Session, env: EffectEnv, coach_id: int, client: Client) -> Contact:
    """The coach stops the client's joining to start again with a new link (another phone,
    or someone else opened it): the Telegram account that opened the link is let go (a
    stranger to the bot from now on: its id is kept nowhere, not on the links it opened
    either, as an erasure clears it from another client's link), the consent and read-aloud
    choice it gave are forgotten, and the client is invited again. The client's language
    stays as it is: the one the coach invited in is not kept apart from one the account
    chose (a language named with ``/nieuw Tim English`` sets it anew). Returns where that
    account was, in the language it read."""
    assert client.telegram_user_id is not None and client.id is not None
    released = Contact(client.telegram_user_id, client.language)
    forget_account_on_links(session, client.telegram_user_id, client_id=client.id, of_others=False)
    client.telegram_user_id = None
    client.status = ClientStatus.INVITED
    client.consent_at = None
    client.consent_version = None
    client.read_aloud = None
    client.keyboard = None
    client.awaiting_message = False
    client.relay_direct = False
    client.relay_asked = None  # ids in the chat of the account released
    session.add(client)
    session.flush()
    audit.record(
        session,
        at=env.now,
        actor=f"coach:{coach_id}",
        action="client.joining_stopped",
        subject_type="client",
        subject_id=client.id,
    )
    return released


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
