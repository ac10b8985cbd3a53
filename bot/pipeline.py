"""One update, one short path: load, decide, store, send.

1. **load** who acted and what their dialog needs (``bot.state``, ``bot.context``),
2. **decide**: the pure dialog (``dialogs.router.route``),
3. **store** its effects and the outbox rows for everyone else (``bot.outcomes``), in the same
   one transaction as the load, on the database thread,
4. **send**: the alerts it raised first, in a task of their own started at once (claimed in
   the same transaction, ``OutboxWorker.claim_in``, so never behind the row the worker is
   sending); meanwhile the person's own replies (``bot.delivery``), answer and close a
   pressed button, and wake the outbox worker for the rest.

Effects are committed before anything is sent, so a crash after the commit repeats at most a
reply, never a decision. A reply Telegram keeps refusing goes to the outbox, in its order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.chart import with_chart
from bot.clock import Clock
from bot.context import ContextLoader
from bot.delivery import call_raw, send_rendered
from bot.guard import Guard
from bot.hearing import choice_labels, spoken_with_choices
from bot.outbox import InHand, OutboxWorker
from bot.outcomes import OutcomeApplier
from bot.render import Menus, RenderedReply, render_reply, with_read_aloud_button
from bot.scope import Applied
from bot.speech import READ_ALOUD_MAX_CHARACTERS, Speaker
from bot.state import Actor, Contact, in_invite_language, load_actor
from bot.texts import Texts
from bot.urgency import is_urgent
from dialogs.events import Command, Event, Start, Tap
from dialogs.outcome import (
    READ_ALOUD_BUTTON,
    READ_ALOUD_DATA,
    ActivateCoach,
    ChooseReadAloud,
    ClaimClientInvite,
    Keyboard,
    Outcome,
    Reply,
    SetClientLanguage,
    SetReadAloud,
)
from dialogs.people import Role
from dialogs.router import route
from storage import outbox, people
from storage.database import Database
from storage.outbox import Priority

__all__ = ["ButtonPress", "Incoming", "UpdatePipeline"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ButtonPress:
    """The Telegram side of an inline-button press, needed to answer and close it."""

    query_id: str
    message_id: int | None
    message_text: str | None
    labels: tuple[str, ...] = ()  # the pressed message's other buttons: its choices


@dataclass(frozen=True)
class Incoming:
    telegram_user_id: int
    chat_id: int
    language_code: str | None
    event: Event
    press: ButtonPress | None = None


@dataclass(frozen=True)
class _Decided:
    actor: Actor
    outcome: Outcome
    applied: Applied
    keyboard: str | None  # the reply keyboard the client's Telegram shows now
    # The alerts this update queued, claimed in its transaction: sent by a task it starts
    # first, never behind the outbox worker's row in hand (None: the worker sends them).
    in_hand: tuple[str, list[InHand]] | None = None


class UpdatePipeline:
    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        texts: Texts,
        guard: Guard,
        speaker: Speaker,
        contexts: ContextLoader,
        outcomes: OutcomeApplier,
        wake: Callable[[Applied], None],
        remember_keyboard: Callable[[int, str | None], None],
        worker: OutboxWorker,
    ) -> None:
        self.database = database
        self.clock = clock
        self.texts = texts
        self.menus = Menus(texts)
        self.guard = guard
        self.speaker = speaker
        self.contexts = contexts
        self.outcomes = outcomes
        self.wake = wake
        self.remember_keyboard = remember_keyboard
        self.worker = worker

    async def handle(self, bot: Bot, incoming: Incoming) -> None:
        now = self.clock.now()
        # The database work of an urgent update (an alert) goes before other queued work.
        decided = await self.database.run(self._decide, incoming, now, urgent=is_urgent())
        if decided is None:
            return  # nothing stored, nothing to send
        log.info(
            "handled %s from %s: %d effects, %d replies",
            type(incoming.event).__name__,
            decided.actor.person.role,
            len(decided.outcome.effects),
            len(decided.outcome.replies),
        )
        if decided.in_hand is not None:
            # Its alerts are in hand: the worker need not hand back its batch for them.
            self.wake(replace(decided.applied, urgent=False))
            self.worker.send_in_hand(bot, *decided.in_hand)
        else:
            self.wake(decided.applied)
        try:
            if incoming.press is not None:
                await self._close_press(bot, incoming, decided.actor, decided.outcome)
            await self._send_replies(bot, incoming, decided)
        finally:
            if decided.applied.erased_names:
                await self._after_erasure(decided.applied.erased_names)

    async def _after_erasure(self, names: list[str]) -> None:
        """Clients erased in this update (a declined client whose account opened a new link):
        what ``client erase`` does after its transaction, the read-aloud clips that say their
        name and SQLite's write-ahead log emptied."""
        await self.speaker.forget_clips_naming(names)
        await self.database.run(self.database.scrub)

    def _decide(self, incoming: Incoming, now: datetime) -> _Decided | None:
        """Load, decide, store: one transaction, on the database thread. None when the person
        gets no answer at all (a stranger out of answers, too many link attempts)."""
        with self.database.transaction() as session:
            actor = load_actor(
                session, incoming.telegram_user_id, self.texts.language(incoming.language_code)
            )
            event = incoming.event
            linking = isinstance(event, Start) and bool(event.payload)
            if linking and isinstance(event, Start):
                actor = in_invite_language(session, actor, event.payload)
            if linking and not self.guard.may_try_link(incoming.telegram_user_id, now):
                log.info("link attempts paused for a user who tried too many")
                return None
            context, scope = self.contexts.load(session, actor, event, incoming.chat_id, now)
            outcome = route(actor.person, event, now, context)
            if any(r.key == "stranger.invite_invalid" for r in outcome.replies):
                self.guard.link_failed(incoming.telegram_user_id, now)
            if self._silenced(actor, outcome, incoming, now):
                return None  # before anything is stored or sent
            applied = self.outcomes.apply(session, outcome, scope)
            alerts = outbox.queued_in(session, Priority.ALERT)
            owner = self.worker.claim_in(session, alerts)
            decided = _Decided(actor, outcome, applied, _shown_keyboard(session, actor))
        if owner is None:
            return decided
        # Committed: the alerts are read now, in this same trip to the database thread.
        return replace(decided, in_hand=(owner, self.worker.prepare_in_hand(alerts)))

    def _silenced(self, actor: Actor, outcome: Outcome, incoming: Incoming, now: datetime) -> bool:
        """A stranger who used up this hour's answers gets none, unless this very update makes
        them a coach or a client (a valid link): joining is never held back by the limit."""
        if actor.person.role is not Role.STRANGER or not outcome.replies:
            return False  # no answer (a stranger's reaction): nothing to count
        if any(isinstance(e, ActivateCoach | ClaimClientInvite) for e in outcome.effects):
            return False
        return not self.guard.may_answer_stranger(incoming.telegram_user_id, now)

    async def _send_replies(self, bot: Bot, incoming: Incoming, decided: _Decided) -> None:
        actor, outcome, applied = decided.actor, decided.outcome, decided.applied
        # The sender's own replies to an alert (the noodknop's "I am telling Anna now") go
        # before other people's queued replies, as the alert itself does.
        urgent = applied.urgent or is_urgent()
        # Someone whose opening of a client invite was stored is a client from here on: the
        # welcome and the consent question can be heard too. Not when the link was withdrawn
        # meanwhile (``EffectResult.instead``): "this link does not work" is no client's text.
        is_client = incoming.chat_id > 0 and (
            actor.person.role is Role.CLIENT
            or any(isinstance(e, ClaimClientInvite) for e in applied.stored)
        )  # a client's private chat: never a team group's (no read-aloud, no menu kept there)
        language = _language_after(outcome, actor.person.language)
        heard = incoming.press.message_text if incoming.press is not None else None
        if is_client and heard and incoming.event == Tap(READ_ALOUD_DATA, incoming.chat_id):
            await self._read_aloud(bot, incoming, language, heard)
        read_aloud = _read_aloud_after(outcome, actor.person.read_aloud)
        shown = decided.keyboard
        if isinstance(incoming.event, Start | Command) or language != actor.person.language:
            # /start, /help: always show the menu again (a cleared chat has none); a new
            # language: the menu in it
            shown = None
            if actor.person.role is Role.STRANGER:
                shown = Keyboard.REMOVE.value  # no keyboard of ours to take away: the welcome
        together = _ReadTogether(self.speaker, incoming.chat_id)
        for index, (reply, params) in enumerate(applied.direct):
            if is_client and not read_aloud:
                reply = with_read_aloud_button(reply, shown)
            rendered = render_reply(reply, language, self.texts, self.menus, params)
            if reply.chart is not None:  # drawn off the event loop (bot.chart)
                rendered = await with_chart(rendered, reply.chart, self._text_in(language))
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
            if sent is not None and is_client and not read_aloud:
                together.sent(sent, reply, rendered.text)
            if sent is not None and read_aloud and is_client:
                labels = choice_labels(rendered.markup)
                spoken = spoken_with_choices(self.texts, language, rendered.text, labels)
                await self.speaker.speak(bot, incoming.chat_id, language, spoken)
        together.done()
        if is_client and shown != decided.keyboard and shown is not None:
            # With the update's urgency: an alert's keyboard ("📍 Stuur waar ik ben") must be
            # on record before the coach's urgent taps on that alert render what follows (the
            # closed note that takes it away again), not behind them on the database thread.
            await self.database.run(self.remember_keyboard, incoming.chat_id, shown, urgent=urgent)

    def _text_in(self, language: str) -> Callable[[str], str]:
        return lambda key: self.texts.render(language, key)

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
        if press.message_id is not None:
            heard = self.speaker.read_together(incoming.chat_id, press.message_id, heard)
        spoken = spoken_with_choices(self.texts, language, heard, press.labels)
        await self.speaker.speak(
            bot, incoming.chat_id, language, spoken, keep=False, message_id=press.message_id
        )

    async def _defer(
        self, chat_id: int, language: str, replies: list[tuple[Reply, dict[str, Any]]]
    ) -> None:
        """Direct replies that could not be sent now go to the outbox, in their order. One that
        shows a secret is never stored: its ``unsent_key`` text goes instead (once)."""
        log.warning("%d direct replies handed to the outbox", len(replies))
        await self.database.run(self._store_deferred, Contact(chat_id, language), replies)
        self.wake(Applied(queued=len(replies), urgent=any(reply.urgent for reply, _ in replies)))

    def _store_deferred(
        self, contact: Contact, replies: list[tuple[Reply, dict[str, Any]]]
    ) -> None:
        with self.database.transaction() as session:
            instead: set[str] = set()
            for reply, params in replies:
                if reply.unsent_key is None:
                    self.outcomes.queue(session, reply, contact, params)
                elif reply.unsent_key not in instead:
                    instead.add(reply.unsent_key)
                    notice = Reply(reply.unsent_key, reply.params)
                    self.outcomes.queue(session, notice, contact, reply.params)

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
                edited = {
                    "chat_id": incoming.chat_id,
                    "message_id": press.message_id,
                    "text": f"{press.message_text}\n\n{chosen}",
                }
                await call_raw(bot, "editMessageText", edited)
            elif outcome.notice and incoming.chat_id > 0:
                # Only in a private chat: in a team group, someone else's stray press must
                # never take the alert's buttons away from the others.
                await bot.edit_message_reply_markup(
                    chat_id=incoming.chat_id, message_id=press.message_id, reply_markup=None
                )
        except TelegramError as error:
            log.info("pressed message not closed: %s", type(error).__name__)


class _ReadTogether:
    """A text that sets a reply keyboard cannot carry "🔊 Voorlezen" (a Telegram message has
    one kind of buttons): the nearest button in the same batch reads it too. The one below
    it reads it first ("Ik stuur Anna nu een melding." above "Wat is er aan de hand?"); at
    the end of the batch, the last one above it reads it last."""

    def __init__(self, speaker: Speaker, chat_id: int) -> None:
        self.speaker = speaker
        self.chat_id = chat_id
        self.unheard: list[str] = []
        self.last: tuple[int, str] | None = None  # the last button: its message, read before

    def sent(self, message_id: int, reply: Reply, text: str) -> None:
        if any(READ_ALOUD_BUTTON in row for row in reply.buttons):
            before = "\n\n".join(self.unheard)
            self.unheard.clear()
            self.last = (message_id, before)
            if before:
                self.speaker.read_with(self.chat_id, message_id, before=before)
        elif reply.keyboard is not None and reply.picture_of is None:
            self.unheard.append(text)

    def done(self) -> None:
        if self.unheard and self.last is not None:
            message_id, before = self.last
            after = "\n\n".join(self.unheard)
            self.speaker.read_with(self.chat_id, message_id, before=before, after=after)


def _shown_keyboard(session: Session, actor: Actor) -> str | None:
    if actor.person.role is not Role.CLIENT or actor.person.id is None:
        return None
    client = people.get_client(session, actor.person.id)
    return client.keyboard if client else None


def _language_after(outcome: Outcome, before: str) -> str:
    """The client's language once this outcome's effects hold (they may just have chosen)."""
    chosen = [e.language for e in outcome.effects if isinstance(e, SetClientLanguage)]
    return chosen[-1] if chosen else before


def _read_aloud_after(outcome: Outcome, before: bool) -> bool:
    """The read-aloud choice once this outcome's effects hold (a client may just have chosen)."""
    chosen = [
        e.read_aloud for e in outcome.effects if isinstance(e, ChooseReadAloud | SetReadAloud)
    ]
    return chosen[-1] if chosen else before
