"""The bot, wired once: the parts of the shell and how they reach each other.

Read this first to find your way; each part lives in a module named for what it does:

* ``bot.pipeline``: one update in -> load, decide, store (one transaction), send;
* ``bot.context``: what a dialog needs to know about the update;
* ``bot.outcomes``: the one way an outcome is carried out (effects, outbox rows, replies);
* ``bot.effect_registry``: effect type -> handler (``bot.effects``, ``bot.alerts``,
  ``bot.checkins``, ``bot.relays``, ``bot.checkin_clock``);
* ``bot.alert_watch``, ``bot.checkin_clock`` and ``bot.digest``: what the clock does every tick;
* ``bot.outbox_hooks``: what the outbox worker asks (a row rendered, a delivery's effects).
"""

from __future__ import annotations

from telegram import Bot

from bot.alert_watch import AlertWatch
from bot.alerts import ALERT_HANDLERS
from bot.checkin_clock import CheckinClock, CheckinOpener
from bot.checkins import CheckinShell, shell_from_settings
from bot.client_card import HANDLERS as CARD_HANDLERS
from bot.clock import Clock
from bot.coach_settings import CoachDefaults, settings_handlers
from bot.context import ContextLoader
from bot.digest import WeeklyDigest
from bot.effect_registry import EffectRegistry
from bot.effects import onboarding_handlers
from bot.guard import Guard
from bot.outbox import OutboxWorker
from bot.outbox_hooks import DeliveryHooks
from bot.outcomes import OutcomeApplier
from bot.pipeline import ButtonPress, Incoming, UpdatePipeline
from bot.relays import RelayShell
from bot.render import Menus
from bot.scope import Applied
from bot.settings import Settings
from bot.signal_taps import SIGNAL_HANDLERS
from bot.speech import Speaker
from bot.texts import Texts
from dialogs import noodknop
from storage.database import Database

__all__ = ["ButtonPress", "Incoming", "Waakvlam"]


class Waakvlam:
    """Everything a handler, a job and the outbox worker need, wired once in the bootstrap."""

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
        self.bot_username = settings.bot_username or ""
        speaker = speaker or Speaker(None)
        self.checkins = checkin_shell or shell_from_settings(settings)
        self.relays = RelayShell(
            settings.timezone, settings.max_relay_mb * 1024 * 1024, settings.button_key()
        )
        opener = CheckinOpener(self.checkins)
        coach_defaults = CoachDefaults(settings.digest_weekday, settings.digest_time)
        self.registry = EffectRegistry(
            onboarding_handlers(self.checkins.first_schedule),
            ALERT_HANDLERS,
            self.checkins.handlers(),
            self.relays.handlers(),
            opener.handlers(),
            settings_handlers(),
            CARD_HANDLERS,
            SIGNAL_HANDLERS,
        )
        self.outcomes = OutcomeApplier(
            settings=settings,
            clock=clock,
            texts=texts,
            registry=self.registry,
            bot_username=lambda: self.bot_username,
        )
        self.hooks = DeliveryHooks(
            database=database,
            clock=clock,
            texts=texts,
            speaker=speaker,
            relays=self.relays,
            outcomes=self.outcomes,
            wake=self.wake,
            worker=lambda: self.worker,
        )
        self.worker = OutboxWorker(
            database=database,
            clock=clock,
            render=self.hooks.render_row,
            on_sent=self.hooks.delivered,
            on_failed=self.hooks.delivery_failed,
            note_sent=self.hooks.note_sent,
            moot=self.hooks.moot,
        )
        self.pipeline = UpdatePipeline(
            database=database,
            clock=clock,
            texts=texts,
            guard=guard or Guard(),
            speaker=speaker,
            contexts=ContextLoader(
                self.checkins, self.relays, coach_defaults, settings.ended_grace_days
            ),
            outcomes=self.outcomes,
            wake=self.wake,
            remember_keyboard=self.hooks.remember_keyboard,
            worker=self.worker,
        )
        self.alert_watch = AlertWatch(
            database=database,
            clock=clock,
            policy=policy or noodknop.EscalationPolicy(),
            outcomes=self.outcomes,
            wake=self.wake,
        )
        self.checkin_clock = CheckinClock(
            database=database,
            clock=clock,
            checkins=self.checkins,
            opener=opener,
            outcomes=self.outcomes,
            wake=self.wake,
        )
        self.digest = WeeklyDigest(
            database=database,
            clock=clock,
            checkins=self.checkins,
            texts=texts,
            defaults=coach_defaults,
        )

    async def handle(self, bot: Bot, incoming: Incoming) -> None:
        """A person did something (one update)."""
        self.bot_username = self.bot_username or bot.username
        await self.pipeline.handle(bot, incoming)

    async def tick(self, bot: Bot) -> None:
        """Everything the clock does: the alerts first, then the check-ins, then the digests."""
        await self.tick_alerts(bot)
        await self.checkin_tick(bot)
        await self.digest_tick()

    async def tick_alerts(self, bot: Bot) -> None:
        self.bot_username = self.bot_username or bot.username
        await self.alert_watch.tick()

    async def checkin_tick(self, bot: Bot) -> None:
        self.bot_username = self.bot_username or bot.username
        await self.checkin_clock.tick(bot)

    async def digest_tick(self) -> None:
        self.wake(await self.digest.tick())

    def wake(self, applied: Applied) -> None:
        """Rows were queued: the outbox worker starts on them (alerts before the rest)."""
        if applied.queued:
            self.worker.wake(urgent=applied.urgent)
