"""The shell around the dialogs: one update in -> state loaded, dialog decided, effects stored
in one transaction, then replies rendered and sent.

Effects are committed before anything is sent, so a crash after the commit repeats at most a
reply, never a decision; handling the same update twice is harmless (see the dialogs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import BadRequest

from bot.clock import Clock
from bot.delivery import send_rendered
from bot.effects import EffectContext, apply_effect
from bot.guard import Guard
from bot.render import Menus, render_reply
from bot.settings import Settings
from bot.state import Actor, load_actor, load_invite
from bot.texts import Texts
from dialogs.events import Event, Start
from dialogs.outcome import Outcome, Recipient, Reply
from dialogs.people import Role
from dialogs.router import route
from storage.database import Database
from storage.invites import looks_like_token

__all__ = ["ButtonPress", "Incoming", "Waakvlam"]

log = logging.getLogger(__name__)


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
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.database = database
        self.texts = texts
        self.menus = Menus(texts)
        self.guard = guard or Guard()
        self.bot_username = settings.bot_username or ""

    async def handle(self, bot: Bot, incoming: Incoming) -> None:
        now = self.clock.now()
        with self.database.transaction() as session:
            actor = load_actor(
                session, incoming.telegram_user_id, self.texts.language(incoming.language_code)
            )
            invite = None
            payload = incoming.event.payload if isinstance(incoming.event, Start) else None
            if payload:
                if not self.guard.may_try_link(incoming.telegram_user_id, now):
                    log.info("link attempts paused for a user who tried too many")
                    return
                invite = load_invite(session, payload) if looks_like_token(payload) else None
            outcome = route(actor.person, incoming.event, now, invite)
            context = EffectContext(
                telegram_user_id=incoming.telegram_user_id,
                now=now,
                bot_username=self.bot_username or bot.username,
                invite_ttl=self.settings.invite_ttl,
                default_language=self.settings.default_language,
            )
            results: dict[str, Any] = {}
            for effect in outcome.effects:
                results.update(apply_effect(session, effect, context))
        log.info(
            "handled %s from %s: %d effects, %d replies",
            type(incoming.event).__name__,
            actor.person.role,
            len(outcome.effects),
            len(outcome.replies),
        )
        if any(r.key == "stranger.invite_invalid" for r in outcome.replies):
            self.guard.link_failed(incoming.telegram_user_id, now)
        if incoming.press is not None:
            await self._close_press(bot, incoming, actor, outcome)
        if actor.person.role is Role.STRANGER and not self.guard.may_answer_stranger(
            incoming.telegram_user_id, now
        ):
            return
        for reply in outcome.replies:
            await self._deliver(bot, incoming, actor, reply, results)

    async def _close_press(
        self, bot: Bot, incoming: Incoming, actor: Actor, outcome: Outcome
    ) -> None:
        """Always answer a button press (or it keeps spinning); mark the choice made."""
        press = incoming.press
        assert press is not None
        language = actor.person.language
        notice = self.texts.render(language, outcome.notice) if outcome.notice else None
        try:
            await bot.answer_callback_query(press.query_id, text=notice)
        except BadRequest:
            log.info("button press answered too late")
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
            else:
                await bot.edit_message_reply_markup(
                    chat_id=incoming.chat_id, message_id=press.message_id, reply_markup=None
                )
        except BadRequest:
            log.info("question message could not be closed (already closed or too old)")

    async def _deliver(
        self, bot: Bot, incoming: Incoming, actor: Actor, reply: Reply, results: dict[str, Any]
    ) -> None:
        if reply.to is Recipient.COACH:
            if actor.coach is None:
                log.warning("client %s has no reachable coach", actor.person.id)
                return
            chat_id, language = actor.coach.chat_id, actor.coach.language
        else:
            chat_id, language = incoming.chat_id, actor.person.language
        rendered = render_reply(reply, language, self.texts, self.menus, results)
        await send_rendered(bot, chat_id, rendered)
