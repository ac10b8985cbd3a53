"""The one way an outcome is carried out, inside the caller's transaction: store its effects
(through the ``EffectRegistry``), queue its replies for everyone but the sender in the outbox,
and hand back the sender's own replies to send directly.

Storing an effect may call for another outcome (a check-in opened, a relay nobody can receive,
an alert nobody could be told about): these ``FollowUp``s are carried out after it, in order,
from a queue, never by ``apply`` calling itself. A handler that finds the state changed since
the dialog decided (``EffectResult.instead``) changes nothing, and what it says is true now
goes instead of the outcome's replies.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.alert_view import alert_contacts, load_alert_view
from bot.clock import Clock
from bot.effect_registry import EffectEnv, EffectRegistry
from bot.effect_result import EffectResult
from bot.outbox_rows import enqueue_reply
from bot.scope import Applied, FollowUp, Scope
from bot.settings import Settings
from bot.state import Contact, coach_contact
from bot.texts import Texts
from dialogs import noodknop, relay
from dialogs.coach_notes import one_per_checkin
from dialogs.outcome import (
    Button,
    CopyToAlertTeam,
    Outcome,
    Recipient,
    Reply,
    StartCheckin,
    TextRef,
)
from dialogs.relay_effects import RelayToClient, RelayToCoach
from storage import alerts, people
from storage.outbox import Priority

__all__ = ["OutcomeApplier"]

log = logging.getLogger(__name__)

# A copy goes after the replies that announce it ("Sam sends where ...", "Anna saw your
# message"), and a check-in's first question after the answer that opens it: rows of equal
# priority are sent in the order they were written.
_AFTER_REPLIES = (CopyToAlertTeam, StartCheckin, RelayToCoach, RelayToClient)


class OutcomeApplier:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        texts: Texts,
        registry: EffectRegistry,
        bot_username: Callable[[], str],
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.texts = texts
        self.registry = registry
        self._bot_username = bot_username

    def apply(
        self,
        session: Session,
        outcome: Outcome,
        scope: Scope,
        *,
        priority: Priority = Priority.NOTICE,
    ) -> Applied:
        """Store the outcome's effects, queue its replies for everyone but the sender, and
        hand back the sender's replies; then the same for every follow-up, in order."""
        applied = Applied()
        pending = deque([FollowUp(outcome, scope, priority)])
        while pending:
            pending.extend(self._carry_out(session, pending.popleft(), applied))
        return applied

    def _carry_out(self, session: Session, step: FollowUp, applied: Applied) -> list[FollowUp]:
        now = self.clock.now()
        outcome, scope, priority = step.outcome, step.scope, step.priority
        later = [e for e in outcome.effects if isinstance(e, _AFTER_REPLIES)]
        if any(isinstance(e, RelayToCoach | RelayToClient) for e in later):
            priority = min(priority, Priority.RELAY)
        env = self._env(scope, now, priority)
        effects = [e for e in outcome.effects if e not in later]
        first = [self.registry.store(session, e, env) for e in effects]
        applied.stored.extend(e for e, r in zip(effects, first, strict=True) if r.instead is None)
        refused = next((r.instead for r in first if r.instead is not None), None)
        if refused is not None:
            # Another instance stored something first (a link opened as the coach renewed
            # it): that effect changed nothing, and its outcome's replies would not be true.
            # What is true now is said instead; the outcome's other effects stand.
            return [FollowUp(refused, scope, priority)]
        client = next((r.client for r in first if r.client is not None), None)
        if client is not None and scope.client is None:
            scope = replace(scope, client=client)
        alert_id = next((r.alert_id for r in first if r.alert_id is not None), scope.alert_id)
        scope = replace(scope, client_id=_about(session, scope, first, alert_id))
        values: dict[str, Any] = {"huisartsenpost": self._huisartsenpost()}
        for result in first:
            values.update(result.reply_values())
        told = [c for r in first for c in r.new_recipients]
        for reply in outcome.replies:
            params = {**values, **reply.params}
            buttons = _fill(reply.buttons, alert_id)
            if reply.to is Recipient.SENDER:
                applied.direct.append((_with_buttons(reply, buttons), params))
                continue
            for contact in self._recipients(session, reply.to, scope, alert_id, told):
                if (
                    not reply.urgent
                    and scope.sender is not None
                    and contact.chat_id == scope.sender.chat_id
                ):
                    # The person who acted is here now (a client who asked for a check-in
                    # gets its first question): it goes with their own replies, directly.
                    # Alert traffic never does: in the outbox it survives a restart and goes
                    # before everything else, never behind the sender's voice notes.
                    applied.direct.append((_with_buttons(reply, buttons), params))
                    continue
                self._queue(
                    session, reply, contact, params, buttons, alert_id, priority, scope.client_id
                )
                applied.queued += 1
                applied.urgent = applied.urgent or reply.urgent
        # One check-in rings the coach once at most: its new signals go in one note.
        for note in one_per_checkin([n for r in first for n in r.coach_notes]):
            if scope.coach is None:
                # Stored with the check-in, but nobody hears it now: the organisation must
                # give the client a coach (see the README's known limits).
                log.warning("a check-in signal has no active coach to go to")
                continue
            self._queue(
                session,
                note,
                scope.coach,
                note.params,
                note.buttons,
                None,
                Priority.NOTICE,
                scope.client_id,
            )
            applied.queued += 1
        results = first + [self.registry.store(session, e, env) for e in later]
        applied.stored.extend(later)
        return self._follow_ups(session, results, scope, alert_id, now, priority, applied)

    def _follow_ups(
        self,
        session: Session,
        results: Iterable[EffectResult],
        scope: Scope,
        alert_id: int | None,
        now: datetime,
        priority: Priority,
        applied: Applied,
    ) -> list[FollowUp]:
        """What the stored effects call for next; counts the rows they queued themselves."""
        follow_ups = []
        nobody_told = False
        for result in results:
            applied.queued += result.queued
            applied.erased_names.extend(result.erased_names)
            applied.urgent = applied.urgent or (result.urgent and result.queued > 0)
            if result.follow_up is not None:
                # Whoever acted is still the sender: what reaches them goes out directly.
                follow_up = result.follow_up
                if follow_up.scope.sender is None:
                    follow_up = replace(
                        follow_up, scope=replace(follow_up.scope, sender=scope.sender)
                    )
                follow_ups.append(follow_up)
            if result.undeliverable is not None:
                failed = relay.relay_failed(result.undeliverable, now)
                follow_ups.append(FollowUp(failed, scope, priority))
            nobody_told = nobody_told or result.nobody_told
        if nobody_told and alert_id is not None:
            # No coach or backup could be reached at all: the client gets the numbers now.
            alert = alerts.get_alert(session, alert_id)
            assert alert is not None
            numbers = noodknop.delivery_failed(load_alert_view(session, alert), now)
            follow_ups.append(FollowUp(numbers, replace(scope, alert_id=alert_id), priority))
            applied.urgent = True
        return follow_ups

    def _env(self, scope: Scope, now: datetime, priority: Priority) -> EffectEnv:
        return EffectEnv(
            now=now,
            telegram_user_id=scope.sender.chat_id if scope.sender else 0,
            bot_username=self._bot_username(),
            invite_ttl=self.settings.invite_ttl,
            default_language=self.settings.default_language,
            timezone=self.settings.tz,
            priority=priority,
        )

    def queue(
        self, session: Session, reply: Reply, contact: Contact, params: dict[str, Any]
    ) -> None:
        """Queue one reply for someone (a direct reply Telegram would not take now)."""
        priority = Priority.ALERT if reply.urgent else Priority.RELAY
        self._queue(session, reply, contact, params, reply.buttons, None, priority)

    def _queue(
        self,
        session: Session,
        reply: Reply,
        contact: Contact,
        params: dict[str, Any],
        buttons: tuple[tuple[Button, ...], ...],
        alert_id: int | None,
        priority: Priority,
        client_id: int | None = None,
    ) -> None:
        # Only what the text shows is stored with the row (not every value the outcome had).
        shown = self.texts.placeholders(reply.key) | (
            self.texts.placeholders(reply.lead) if reply.lead else frozenset()
        )
        enqueue_reply(
            session,
            reply=reply,
            chat_id=contact.chat_id,
            language=contact.language,
            params={name: value for name, value in params.items() if name in shown},
            buttons=buttons,
            now=self.clock.now(),
            alert_id=alert_id,
            priority=priority,
            client_id=client_id,
        )

    def _recipients(
        self,
        session: Session,
        to: Recipient,
        scope: Scope,
        alert_id: int | None,
        new_recipients: list[Contact],
    ) -> list[Contact]:
        if to is Recipient.ACTOR:
            actor = scope.actor or scope.sender
            return [actor] if actor else []
        if to is Recipient.COACH:
            return [scope.coach] if scope.coach else []
        if to is Recipient.CLIENT:
            return [scope.client] if scope.client else []
        if to is Recipient.NEW_ALERT_RECIPIENTS:
            return new_recipients
        if to is Recipient.ALERT_HELPER and alert_id is not None:
            # The coach who picked the alert up, in private; else the client's own coach.
            alert = alerts.get_alert(session, alert_id)
            helper = None
            if alert is not None and alert.acknowledged_by is not None:
                helper = coach_contact(people.get_coach(session, alert.acknowledged_by))
            contact = helper or scope.coach
            return [contact] if contact else []
        if to is Recipient.ALERT_TEAM and alert_id is not None:
            skip = {c.chat_id for c in new_recipients}
            # Who acted is told nothing of their own act: not in the chat they acted in, and
            # not in private when they acted in a team group ("Bram belt Sam", to Bram).
            skip.update(c.chat_id for c in (scope.sender, scope.actor) if c is not None)
            team = alert_contacts(session, alert_id, self.settings.default_language)
            return [c for c in team if c.chat_id not in skip]
        return []

    def _huisartsenpost(self) -> Any:
        """The organisation's huisartsenpost number for the emergency numbers; without one,
        where the client finds it."""
        number = self.settings.huisartsenpost_number
        return number if number else TextRef("noodknop.huisartsenpost_unknown")


def _about(
    session: Session, scope: Scope, results: list[EffectResult], alert_id: int | None
) -> int | None:
    """The client an outcome's queued rows are about: the scope's, else the one its effects
    name, else its alert's client; None when it concerns no one client."""
    if scope.client_id is not None:
        return scope.client_id
    named = next((r.client_id for r in results if r.client_id is not None), None)
    if named is not None or alert_id is None:
        return named
    alert = alerts.get_alert(session, alert_id)
    return alert.client_id if alert is not None else None


def _fill(
    rows: tuple[tuple[Button, ...], ...], alert_id: int | None
) -> tuple[tuple[Button, ...], ...]:
    if alert_id is None:
        return rows
    return tuple(
        tuple(replace(b, data=b.data.replace("{alert_id}", str(alert_id))) for b in row)
        for row in rows
    )


def _with_buttons(reply: Reply, buttons: tuple[tuple[Button, ...], ...]) -> Reply:
    if buttons == reply.buttons:
        return reply
    return replace(reply, buttons=buttons)
