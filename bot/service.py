"""The shell around the dialogs: one update in -> state loaded, dialog decided, effects and
outbox rows stored in one transaction, then the sender's replies sent and the outbox woken.

Effects are committed before anything is sent, so a crash after the commit repeats at most a
reply, never a decision. Everything for someone other than the sender (a coach, a client, the
alert team) goes through the outbox and survives restarts and Telegram errors. The clock's
tick and failed deliveries use the same path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.alerts import AlertContext, alert_contacts, load_alert_view
from bot.checkin_clock import CheckinClock
from bot.checkins import (
    CHECKIN_EFFECTS,
    CheckinShell,
    shell_from_settings,
    state_of,
)
from bot.clock import Clock
from bot.delivery import send_rendered
from bot.effects import EffectContext, apply_effect
from bot.guard import Guard
from bot.outbox import Delivery, OutboxWorker, enqueue_reply, row_as_reply
from bot.relays import RELAY_EFFECTS, RelayShell
from bot.render import (
    Menus,
    RenderedReply,
    inline_markup,
    render_reply,
    with_read_aloud_button,
)
from bot.scope import Applied, Scope
from bot.settings import Settings
from bot.speech import READ_ALOUD_MAX_CHARACTERS, Speaker
from bot.state import Actor, Contact, coach_contact, load_actor, load_invite
from bot.texts import Texts
from bot.urgency import is_urgent
from dialogs import checkin, noodknop, relay
from dialogs.coach_checkin import COMMANDS as CHECKIN_COMMANDS
from dialogs.coach_checkin import is_schedule_button
from dialogs.events import Command, Event, OtherMessage, Start, Tap, Text
from dialogs.outcome import (
    READ_ALOUD_DATA,
    ActivateCoach,
    Button,
    ChooseReadAloud,
    ClaimClientInvite,
    CopyToAlertTeam,
    Outcome,
    Recipient,
    Reply,
    StartCheckin,
    TextRef,
)
from dialogs.people import Role
from dialogs.relay_effects import RelayToClient, RelayToCoach
from dialogs.router import DialogContext, route
from storage import alerts, checkins, people, relays
from storage.database import Database
from storage.invites import looks_like_token
from storage.models import Alert, OutboxMessage
from storage.outbox import Priority

__all__ = ["ButtonPress", "Incoming", "Scope", "Waakvlam"]

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ButtonPress:
    """The Telegram side of an inline-button press, needed to answer and close it."""

    query_id: str
    message_id: int | None
    message_text: str | None


@dataclass(frozen=True)
class Incoming:
    telegram_user_id: int
    chat_id: int
    language_code: str | None
    event: Event
    press: ButtonPress | None = None


@dataclass
class _Stored:
    """What storing effects gave back, besides the values the replies may use."""

    scope: Scope
    results: dict[str, Any] = field(default_factory=dict)
    new_recipients: list[Contact] = field(default_factory=list)
    coach_notes: list[Reply] = field(default_factory=list)
    queued: int = 0
    undeliverable: list[relay.RelayView] = field(default_factory=list)

    def take(self, result: dict[str, Any]) -> None:
        """Keys with "_" are for the shell; the rest are reply parameters."""
        self.new_recipients += result.pop("_new_recipients", [])
        self.coach_notes += result.pop("_coach_notes", [])
        self.queued += result.pop("_queued", 0)
        if (failed := result.pop("_undeliverable", None)) is not None:
            self.undeliverable.append(failed)
        if (client := result.pop("_client", None)) is not None and self.scope.client is None:
            self.scope = replace(self.scope, client=client)
        self.results.update(result)


_AFTER_REPLIES = (CopyToAlertTeam, StartCheckin, RelayToCoach, RelayToClient)


class Waakvlam:
    """Everything a handler needs, wired once in the bootstrap."""

    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        database: Database,
        texts: Texts,
        guard: Guard | None = None,
        policy: noodknop.EscalationPolicy | None = None,
        speaker: Speaker | None = None,
        checkin_shell: CheckinShell | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.database = database
        self.texts = texts
        self.menus = Menus(texts)
        self.guard = guard or Guard()
        self.policy = policy or noodknop.EscalationPolicy()
        self.bot_username = settings.bot_username or ""
        self.speaker = speaker or Speaker(None)
        self.checkins = checkin_shell or shell_from_settings(settings)
        self.relays = RelayShell(
            settings.timezone, settings.max_relay_mb * 1024 * 1024, settings.button_key()
        )
        self.checkin_clock = CheckinClock(self)
        self._background: set[asyncio.Task[bool]] = set()
        self.worker = OutboxWorker(
            database=database,
            clock=clock,
            render=self.render_row,
            on_sent=self.delivered,
            on_failed=self.delivery_failed,
        )

    # -- a person did something -------------------------------------------------------------

    async def _db(self, work: Callable[..., T], /, *args: Any) -> T:
        """Run blocking database work (one whole transaction) off the event loop; the work of
        an urgent update (an alert) goes before other queued work."""
        return await self.database.run(work, *args, urgent=is_urgent())

    async def handle(self, bot: Bot, incoming: Incoming) -> None:
        now = self.clock.now()
        decided = await self._db(self._decide, incoming, now, self.bot_username or bot.username)
        if decided is None:
            return  # nothing stored, nothing to send
        actor, outcome, applied, shown = decided
        log.info(
            "handled %s from %s: %d effects, %d replies",
            type(incoming.event).__name__,
            actor.person.role,
            len(outcome.effects),
            len(outcome.replies),
        )
        self.wake(applied)
        # The sender's own replies to an alert (the noodknop's "I am telling Anna now") go
        # before other people's queued replies, as the alert itself does.
        urgent = applied.urgent or is_urgent()
        if incoming.press is not None:
            await self._close_press(bot, incoming, actor, outcome)
        # Someone who just opened a client invite is a client from here on: the welcome and the
        # consent question can be heard too.
        is_client = actor.person.role is Role.CLIENT or any(
            isinstance(e, ClaimClientInvite) for e in outcome.effects
        )
        language = actor.person.language
        heard = incoming.press.message_text if incoming.press is not None else None
        if is_client and heard and incoming.event == Tap(READ_ALOUD_DATA, incoming.chat_id):
            await self._read_aloud(bot, incoming, language, heard)
        read_aloud = _read_aloud_after(outcome, actor.person.read_aloud)
        keyboard_before = shown
        if isinstance(incoming.event, Start | Command):
            shown = None  # /start, /help: always show the menu again (a cleared chat has none)
        for index, (reply, params) in enumerate(applied.direct):
            if is_client and not read_aloud:
                reply = with_read_aloud_button(reply, shown)
            rendered = self._render(reply, language, params)
            try:
                # A 429 is not waited out here (updates queue behind this one): the outbox
                # honours retry_after. Only a reply that must not be stored waits in place.
                sent = await send_rendered(
                    bot,
                    incoming.chat_id,
                    rendered,
                    wait_on_rate_limit=reply.unsent_key is not None,
                    urgent=urgent,
                )
            except BadRequest:
                raise  # a reply Telegram calls malformed is a bug, not a hiccup
            except (NetworkError, RetryAfter):
                # Telegram kept refusing after the in-place retries: what carries the
                # conversation forward must still arrive, so the outbox takes it (and the rest).
                # A timeout may have been delivered after all: a rare double beats a lost step.
                await self._defer(incoming.chat_id, language, applied.direct[index:])
                break
            if sent is not None and reply.keyboard is not None:
                shown = reply.keyboard.value
            if sent is not None and read_aloud and is_client:
                await self.speaker.speak(bot, incoming.chat_id, language, rendered.text)
        if is_client and shown != keyboard_before and shown is not None:
            await self._db(self._remember_keyboard, incoming.chat_id, shown)

    def _decide(
        self, incoming: Incoming, now: datetime, bot_username: str
    ) -> tuple[Actor, Outcome, Applied, str | None] | None:
        """Load, decide, store: one transaction, on a database thread. None when the person
        gets no answer at all (a stranger out of answers, too many link attempts)."""
        with self.database.transaction() as session:
            actor = load_actor(
                session, incoming.telegram_user_id, self.texts.language(incoming.language_code)
            )
            payload = incoming.event.payload if isinstance(incoming.event, Start) else None
            if payload and not self.guard.may_try_link(incoming.telegram_user_id, now):
                log.info("link attempts paused for a user who tried too many")
                return None
            context, scope = self._context(session, actor, incoming, payload)
            outcome = route(actor.person, incoming.event, now, context)
            if any(r.key == "stranger.invite_invalid" for r in outcome.replies):
                self.guard.link_failed(incoming.telegram_user_id, now)
            if self._silenced(actor, outcome, incoming, now):
                return None  # before anything is stored or sent
            applied = self.apply(session, outcome, scope, bot_username=bot_username)
            shown = _shown_keyboard(session, actor)
        return actor, outcome, applied, shown

    async def _read_aloud(self, bot: Bot, incoming: Incoming, language: str, heard: str) -> None:
        """ "🔊 Voorlezen" under a text: hear that text. It may be a coach's own words, so the
        clip is never written to disk; kept in memory for this message, a second tap sends it
        again at once. A text over the cap gets a kind answer instead of minutes of audio."""
        press = incoming.press
        assert press is not None
        if len(heard) > READ_ALOUD_MAX_CHARACTERS:
            text = self.texts.render(language, "common.read_aloud_too_long")
            try:
                await send_rendered(
                    bot, incoming.chat_id, RenderedReply(text, None, None), wait_on_rate_limit=False
                )
            except TelegramError as error:
                log.info("read-aloud answer not sent: %s", type(error).__name__)
            return
        await self.speaker.speak(
            bot, incoming.chat_id, language, heard, keep=False, message_id=press.message_id
        )

    async def _defer(
        self, chat_id: int, language: str, replies: list[tuple[Reply, dict[str, Any]]]
    ) -> None:
        """Direct replies that could not be sent now go to the outbox, in their order. One that
        shows a secret is never stored: its ``unsent_key`` text goes instead (once)."""
        log.warning("%d direct replies handed to the outbox", len(replies))
        await self._db(self._store_deferred, chat_id, language, replies)
        self.worker.wake(urgent=any(reply.urgent for reply, _ in replies))

    def _store_deferred(
        self, chat_id: int, language: str, replies: list[tuple[Reply, dict[str, Any]]]
    ) -> None:
        with self.database.transaction() as session:
            instead: set[str] = set()
            for reply, params in replies:
                if reply.unsent_key is not None:
                    if reply.unsent_key not in instead:
                        instead.add(reply.unsent_key)
                        notice = Reply(reply.unsent_key, reply.params)
                        contact = Contact(chat_id, language)
                        self._queue(
                            session, notice, contact, reply.params, (), None, Priority.RELAY
                        )
                    continue
                self._queue(
                    session,
                    reply,
                    Contact(chat_id, language),
                    params,
                    reply.buttons,
                    None,
                    Priority.ALERT if reply.urgent else Priority.RELAY,
                )

    def _silenced(self, actor: Actor, outcome: Outcome, incoming: Incoming, now: datetime) -> bool:
        """A stranger who used up this hour's answers gets none, unless this very update makes
        them a coach or a client (a valid link): joining is never held back by the limit."""
        if actor.person.role is not Role.STRANGER:
            return False
        if any(isinstance(e, ActivateCoach | ClaimClientInvite) for e in outcome.effects):
            return False
        return not self.guard.may_answer_stranger(incoming.telegram_user_id, now)

    def _context(
        self, session: Session, actor: Actor, incoming: Incoming, payload: str | None
    ) -> tuple[DialogContext, Scope]:
        person = actor.person
        event = incoming.event
        now = self.clock.now()
        sender = Contact(incoming.chat_id, person.language)
        invite = load_invite(session, payload) if payload and looks_like_token(payload) else None
        context = DialogContext(invite=invite, words=self.checkins.words_for(person.language))
        scope = Scope(sender=sender, coach=actor.coach)
        if person.role is Role.CLIENT and person.id is not None:
            people.lock_client(session, person.id)
            client = people.get_client(session, person.id)
            assert client is not None
            scope = Scope(sender=sender, coach=actor.coach, client=sender)
            found = alerts.open_alert_of(session, person.id)
            if found is not None:
                context = replace(context, open_alert=load_alert_view(session, found))
                scope = Scope(sender=sender, coach=actor.coach, client=sender, alert_id=found.id)
            state, checkin_context = self._client_checkin(session, actor, event)
            context = replace(
                context,
                checkin=state,
                checkin_context=checkin_context,
                client_relay=self.relays.client_context(session, client, incoming.chat_id, now),
            )
        if person.role is Role.COACH and person.id is not None:
            context, scope = self._coach_context(session, person.id, incoming, context, scope)
        if isinstance(event, Tap):
            parsed = noodknop.parse_alert_data(event.data)
            tapped = alerts.lock_alert(session, parsed[1]) if parsed else None
            if tapped is not None:
                coach, client_contact = self._alert_people(session, tapped)
                context = replace(context, tapped_alert=load_alert_view(session, tapped))
                scope = Scope(sender=sender, coach=coach, client=client_contact, alert_id=tapped.id)
        return context, scope

    def _coach_context(
        self,
        session: Session,
        coach_id: int,
        incoming: Incoming,
        context: DialogContext,
        scope: Scope,
    ) -> tuple[DialogContext, Scope]:
        """What a coach's command, message or button may concern: only their own clients."""
        event = incoming.event
        # Replies meant for "the coach" of this outcome are for the coach who acts.
        scope = replace(scope, coach=scope.sender)
        if _about_checkins(event):
            context = replace(
                context,
                coach_checkin=self.checkins.coach_context(
                    session, coach_id, self.clock.now(), context.words
                ),
            )
        if isinstance(event, Command) and event.name in relay.MESSAGE_COMMANDS:
            context = replace(context, coach_clients=self.relays.coach_clients(session, coach_id))
        coach = people.get_coach(session, coach_id)
        assert coach is not None
        if isinstance(event, Text | OtherMessage):
            coach_relay, client = self.relays.coach_context(session, coach, incoming.chat_id, event)
            context = replace(context, coach_relay=coach_relay)
            scope = replace(scope, client=client)
        if isinstance(event, Tap) and (relay_id := relay.parse_seen_data(event.data)) is not None:
            found = relays.get_relay(session, relay_id)
            if found is not None and found.coach_id == coach_id:
                view = self.relays.view(session, found)
                client_row = people.get_client(session, found.client_id)
                if view.client_active and client_row and client_row.telegram_user_id:
                    contact = Contact(client_row.telegram_user_id, client_row.language)
                    scope = replace(scope, client=contact)
                context = replace(context, tapped_relay=view)
        return context, scope

    def _client_checkin(
        self, session: Session, actor: Actor, event: Event
    ) -> tuple[checkin.CheckinState | None, checkin.CheckinContext | None]:
        """The client's open check-in; for a check-in button, else their latest one."""
        person = actor.person
        assert person.id is not None
        row = checkins.open_checkin_of(session, person.id)
        if row is None and isinstance(event, Tap) and checkin.is_checkin_callback(event.data):
            row = checkins.latest_checkin_of(session, person.id)
        if row is None:
            return None, None
        client = people.get_client(session, person.id)
        assert client is not None
        state = state_of(row)
        return state, self.checkins.context(session, client, person.coach_name or "", state)

    def _alert_people(
        self, session: Session, alert: Alert
    ) -> tuple[Contact | None, Contact | None]:
        coach = people.get_coach(session, alert.coach_id)
        client = people.get_client(session, alert.client_id)
        # A deactivated coach (or one whose client moved on) hears nothing more of the client.
        client_contact = (
            Contact(client.telegram_user_id, client.language)
            if client and client.telegram_user_id
            else None
        )
        return coach_contact(coach), client_contact

    # -- the one way an outcome is carried out ---------------------------------------------

    def apply(
        self,
        session: Session,
        outcome: Outcome,
        scope: Scope,
        *,
        bot_username: str,
        priority: Priority = Priority.NOTICE,
    ) -> Applied:
        """Store the outcome's effects, queue its replies for everyone but the sender, and
        hand back the sender's replies. Everything happens in the caller's transaction."""
        now = self.clock.now()
        # A copy goes after the replies that announce it ("Sam sends where ...", "Anna saw
        # your message"): rows of equal priority are sent in the order they were written.
        later = [e for e in outcome.effects if isinstance(e, _AFTER_REPLIES)]
        if any(isinstance(e, RelayToCoach | RelayToClient) for e in later):
            priority = min(priority, Priority.RELAY)
        stored = self._store(
            session, [e for e in outcome.effects if e not in later], scope, now, bot_username
        )
        scope = stored.scope
        alert_id = stored.results.get("alert_id", scope.alert_id)
        applied = Applied()
        params_base: dict[str, Any] = {"doctor": self._doctor(), **stored.results}
        for reply in outcome.replies:
            params = {**params_base, **reply.params}
            buttons = _fill(reply.buttons, alert_id)
            if reply.to is Recipient.SENDER:
                applied.direct.append((_with_buttons(reply, buttons), params))
                continue
            contacts = self._recipients(session, reply.to, scope, alert_id, stored.new_recipients)
            for contact in contacts:
                self._queue(session, reply, contact, params, buttons, alert_id, priority)
                applied.queued += 1
                applied.urgent = applied.urgent or reply.urgent
        for note in stored.coach_notes:
            if scope.coach is None:
                # Stored with the check-in, but nobody hears it now: the organisation must
                # give the client a coach (see the README's known limits).
                log.warning("a check-in signal has no active coach to go to")
                continue
            self._queue(session, note, scope.coach, note.params, (), None, Priority.NOTICE)
            applied.queued += 1
        after = self._store(session, later, scope, now, bot_username, priority)
        applied.queued += stored.queued + after.queued
        for view in stored.undeliverable + after.undeliverable:
            failed = relay.relay_failed(view, now)
            applied.queued += self.apply(session, failed, scope, bot_username=bot_username).queued
        if stored.results.pop("_nobody_told", False) and alert_id is not None:
            self._nobody_could_be_told(session, alert_id, scope, applied, bot_username)
        return applied

    def _store(
        self,
        session: Session,
        effects: list[Any],
        scope: Scope,
        now: datetime,
        bot_username: str,
        priority: Priority = Priority.NOTICE,
    ) -> _Stored:
        """Carry out effects; collect what the replies and the shell need from them."""
        effect_context = EffectContext(
            telegram_user_id=scope.sender.chat_id if scope.sender else 0,
            now=now,
            bot_username=bot_username,
            invite_ttl=self.settings.invite_ttl,
            default_language=self.settings.default_language,
            alerts=AlertContext(now, self.settings.tz, self.settings.default_language),
        )
        stored = _Stored(scope)
        for effect in effects:
            if isinstance(effect, StartCheckin):
                started = self.checkin_clock.start(
                    session, effect.client_id, effect.origin, bot_username, priority
                )
                stored.queued += started.queued
                continue
            if isinstance(effect, CHECKIN_EFFECTS):
                result = self.checkins.apply(session, effect, now)
            elif isinstance(effect, RELAY_EFFECTS):
                result = self.relays.apply(session, effect, now)
            else:
                result = apply_effect(session, effect, effect_context)
            if isinstance(effect, ChooseReadAloud) and scope.sender is not None:
                self._first_schedule(session, effect.client_id, now)
            stored.take(result)
        return stored

    def _queue(
        self,
        session: Session,
        reply: Reply,
        contact: Contact,
        params: dict[str, Any],
        buttons: tuple[tuple[Button, ...], ...],
        alert_id: int | None,
        priority: Priority,
    ) -> None:
        enqueue_reply(
            session,
            reply=reply,
            chat_id=contact.chat_id,
            language=contact.language,
            params=params,
            buttons=buttons,
            now=self.clock.now(),
            alert_id=alert_id,
            priority=priority,
        )

    def _first_schedule(self, session: Session, client_id: int, now: datetime) -> None:
        """A client who just finished joining gets the default check-in rhythm."""
        if checkins.schedule_of(session, client_id) is None:
            self.checkins.default_schedule(session, client_id, now)

    def _nobody_could_be_told(
        self, session: Session, alert_id: int, scope: Scope, applied: Applied, bot_username: str
    ) -> None:
        """No coach or backup could be reached at all: the client gets the numbers now."""
        alert = alerts.get_alert(session, alert_id)
        assert alert is not None
        view = load_alert_view(session, alert)
        follow_up = noodknop.delivery_failed(view, self.clock.now())
        more = self.apply(session, follow_up, scope, bot_username=bot_username)
        applied.queued += more.queued
        applied.urgent = True

    def _recipients(
        self,
        session: Session,
        to: Recipient,
        scope: Scope,
        alert_id: int | None,
        new_recipients: list[Contact],
    ) -> list[Contact]:
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
            if scope.sender is not None:
                skip.add(scope.sender.chat_id)
            team = alert_contacts(session, alert_id, self.settings.default_language)
            return [c for c in team if c.chat_id not in skip]
        return []

    def _doctor(self) -> Any:
        number = self.settings.doctor_number
        return number if number else TextRef("noodknop.doctor_default")

    # -- the clock and the outbox ----------------------------------------------------------

    async def tick(self, bot: Bot) -> None:
        """Everything the clock does: the alerts first, then the check-ins."""
        await self.tick_alerts(bot)
        await self.checkin_tick(bot)

    async def tick_alerts(self, bot: Bot) -> None:
        """Look at every waiting alert: re-notify, escalate, send the emergency numbers. And at
        every alert picked up but not closed: remind once, then close it (an open alert holds
        back the client's check-ins)."""
        now = self.clock.now()
        applied = Applied()
        # Alerts first: this work goes before other queued database work.
        watched = await self.database.run(self._alerts_to_watch, now, urgent=True)
        for alert_id in watched:
            # One transaction per alert: a broken alert must not hold up the others.
            try:
                done = await self.database.run(
                    self._look_at_alert, alert_id, now, bot.username, urgent=True
                )
            except Exception:
                log.exception("alert %s could not be looked at; trying again next tick", alert_id)
                continue
            applied.queued += done.queued
            applied.urgent = applied.urgent or done.urgent
        self.wake(applied)

    def _alerts_to_watch(self, now: datetime) -> list[int]:
        policy = self.policy
        with self.database.transaction() as session:
            return [
                alert.id or 0
                for alert in alerts.alerts_to_watch(
                    session,
                    remind_before=now - min(policy.close_remind_after, policy.autoclose_after),
                    close_before=now - policy.autoclose_after,
                )
            ]

    def _look_at_alert(self, alert_id: int, now: datetime, bot_username: str) -> Applied:
        with self.database.transaction() as session:
            # Another instance looking at this alert right now has it: skip it.
            alert = alerts.lock_alert(session, alert_id, skip_locked=True)
            if alert is None:
                return Applied()
            view = load_alert_view(session, alert)
            outcome = noodknop.check_escalation(view, now, self.policy)
            outcome += noodknop.check_closing(view, now, self.policy)
            if not outcome.effects and not outcome.replies:
                return Applied()
            coach, client = self._alert_people(session, alert)
            scope = Scope(coach=coach, client=client, alert_id=alert.id)
            return self.apply(session, outcome, scope, bot_username=bot_username)

    async def checkin_tick(self, bot: Bot) -> None:
        """Start the check-ins that are due, remind or close the ones whose time came."""
        await self.checkin_clock.tick(bot)

    async def delivered(self, delivery: Delivery) -> None:
        bot = self.worker.bot
        # Ahead of queued update work: the worker waits for this before its next row (an alert).
        wants_voice = await self.database.run(self._after_delivery, delivery, urgent=True)
        if wants_voice and delivery.text is not None and bot is not None:
            # In the background: a voice note must never hold up the next alert.
            task = asyncio.create_task(
                self.speaker.speak(bot, delivery.chat_id, delivery.language, delivery.text)
            )
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _after_delivery(self, delivery: Delivery) -> bool:
        """Note what a delivery changed (keyboard, alert timeline); True when the reader wants
        it read aloud. On a database thread."""
        if delivery.keyboard is not None:
            self._remember_keyboard(delivery.chat_id, delivery.keyboard)
        wants_voice = False
        if delivery.text is not None and self.speaker.voice is not None:
            with self.database.transaction() as session:
                client = people.client_by_telegram_id(session, delivery.chat_id)
                wants_voice = client is not None and bool(client.read_aloud)
        if delivery.alert_id is not None:
            self._alert_delivered(delivery)
        return wants_voice

    def _alert_delivered(self, delivery: Delivery) -> None:
        assert delivery.alert_id is not None
        now = self.clock.now()
        with self.database.transaction() as session:
            alert = alerts.get_alert(session, delivery.alert_id)
            if alert is None:
                return
            recipient = next(
                (
                    r
                    for r in alerts.recipients_of(session, alert.id or 0)
                    if r.chat_id == delivery.chat_id
                ),
                None,
            )
            if recipient is None:
                return
            if alert.first_delivered_at is None:
                alert.first_delivered_at = now
                session.add(alert)
            alerts.add_event(
                session, delivery.alert_id, "delivered", at=now, coach_id=recipient.coach_id
            )

    async def delivery_failed(self, delivery: Delivery) -> None:
        """A message could not be delivered for good. For an alert: escalate, never go quiet.
        For a relayed message: the sender hears it did not arrive."""
        # Ahead of queued update work: the worker waits for this before its next row (an alert).
        applied = await self.database.run(self._after_failure, delivery, urgent=True)
        self.wake(applied)

    def _after_failure(self, delivery: Delivery) -> Applied:
        """``delivery_failed`` on a database thread: what to queue, in transactions."""
        applied = Applied()
        if delivery.relay_id is not None:  # blocked, or the message to copy is gone
            applied = self._relay_failed(delivery.relay_id)
        if delivery.error == "Forbidden":
            self._remember_keyboard(delivery.chat_id, None)  # a new start shows the menu again
        if delivery.alert_id is None:
            return applied
        if delivery.error != "Forbidden":
            # A 400 (say, a deleted location) does not mean the coach cannot be reached.
            log.warning("alert %s message failed: %s", delivery.alert_id, delivery.error)
            return applied
        with self.database.transaction() as session:
            alert = alerts.lock_alert(session, delivery.alert_id)
            if alert is None or delivery.chat_id not in {
                r.chat_id for r in alerts.recipients_of(session, alert.id or 0)
            }:
                return applied
            alerts.add_event(session, delivery.alert_id, "undeliverable", at=self.clock.now())
            view = load_alert_view(session, alert)
            outcome = noodknop.delivery_failed(view, self.clock.now())
            coach, client = self._alert_people(session, alert)
            escalated = self.apply(
                session,
                outcome,
                Scope(coach=coach, client=client, alert_id=alert.id),
                bot_username=self.bot_username,
            )
        applied.queued += escalated.queued
        applied.urgent = applied.urgent or escalated.urgent
        return applied

    def _relay_failed(self, relay_id: int) -> Applied:
        with self.database.transaction() as session:
            found = relays.get_relay(session, relay_id)
            if found is None or not relays.mark_failed(session, relay_id, self.clock.now()):
                return Applied()  # told once: the header and the copy both fail
            client = people.get_client(session, found.client_id)
            coach = people.get_coach(session, found.coach_id)
            scope = Scope(
                coach=coach_contact(coach),
                client=Contact(client.telegram_user_id, client.language)
                if client and client.telegram_user_id
                else None,
            )
            outcome = relay.relay_failed(self.relays.view(session, found), self.clock.now())
            return self.apply(session, outcome, scope, bot_username=self.bot_username)

    def render_row(self, row: OutboxMessage) -> RenderedReply:
        """An outbox row as it is sent (blocking: the worker runs it on a database thread)."""
        if row.text_key is None:  # a copied message: only its buttons are ours
            buttons = tuple(
                tuple(Button(b["label_key"], b["data"]) for b in r) for r in row.buttons
            )
            return RenderedReply("", inline_markup(buttons, row.language, self.texts), None)
        reply = row_as_reply(row)
        with self.database.transaction() as session:
            client = people.client_by_telegram_id(session, row.chat_id)
            if client is not None and client.read_aloud is False:
                reply = with_read_aloud_button(reply, client.keyboard)
        return render_reply(reply, row.language, self.texts, self.menus, {})

    def _remember_keyboard(self, chat_id: int, keyboard: str | None) -> None:
        """Which reply keyboard a client's Telegram shows now (the last one sent)."""
        with self.database.transaction() as session:
            client = people.client_by_telegram_id(session, chat_id)
            if client is not None and client.keyboard != keyboard:
                client.keyboard = keyboard
                session.add(client)

    def wake(self, applied: Applied) -> None:
        if applied.queued:
            self.worker.wake(urgent=applied.urgent)

    def _render(self, reply: Reply, language: str, params: dict[str, Any]) -> RenderedReply:
        return render_reply(reply, language, self.texts, self.menus, params)

    async def _close_press(
        self, bot: Bot, incoming: Incoming, actor: Actor, outcome: Outcome
    ) -> None:
        """Always answer a button press (or it keeps spinning); mark the choice made."""
        press = incoming.press
        assert press is not None
        language = actor.person.language
        notice = self.texts.render(language, outcome.notice) if outcome.notice else None
        # Best effort, one try each: a refusal here must never hold up or lose the replies.
        try:
            await bot.answer_callback_query(press.query_id, text=notice)
        except TelegramError as error:
            log.info("button press not answered: %s", type(error).__name__)
        if press.message_id is None:
            return
        try:
            if outcome.chosen and press.message_text:
                choice = self.texts.render(language, outcome.chosen)
                chosen = self.texts.render(language, "onboarding.chosen", {"choice": choice})
                await bot.edit_message_text(
                    f"{press.message_text}\n\n{chosen}",
                    chat_id=incoming.chat_id,
                    message_id=press.message_id,
                )
            elif outcome.notice and incoming.chat_id > 0:
                # Only in a private chat: in a team group, someone else's stray press must
                # never take the alert's buttons away from the others.
                await bot.edit_message_reply_markup(
                    chat_id=incoming.chat_id, message_id=press.message_id, reply_markup=None
                )
        except TelegramError as error:
            log.info("pressed message not closed: %s", type(error).__name__)


def _about_checkins(event: Event) -> bool:
    """A coach's check-in command or button: the shell loads the coach's clients for it."""
    if isinstance(event, Command):
        return event.name in CHECKIN_COMMANDS
    return isinstance(event, Tap) and is_schedule_button(event.data)


def _shown_keyboard(session: Session, actor: Actor) -> str | None:
    if actor.person.role is not Role.CLIENT or actor.person.id is None:
        return None
    client = people.get_client(session, actor.person.id)
    return client.keyboard if client else None


def _read_aloud_after(outcome: Outcome, before: bool) -> bool:
    """The read-aloud choice once this outcome's effects hold (a client may just have chosen)."""
    chosen = [e.read_aloud for e in outcome.effects if isinstance(e, ChooseReadAloud)]
    return chosen[-1] if chosen else before


def _fill(
    rows: tuple[tuple[Button, ...], ...], alert_id: int | None
) -> tuple[tuple[Button, ...], ...]:
    if alert_id is None:
        return rows
    return tuple(
        tuple(Button(b.label_key, b.data.replace("{alert_id}", str(alert_id))) for b in row)
        for row in rows
    )


def _with_buttons(reply: Reply, buttons: tuple[tuple[Button, ...], ...]) -> Reply:
    if buttons == reply.buttons:
        return reply
    return replace(reply, buttons=buttons)
