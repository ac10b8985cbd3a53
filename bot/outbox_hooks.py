"""What the outbox worker asks of the rest of the bot: how a row looks when sent, and what a
delivery (or a delivery that failed for good) changes.

A row that is no longer true when its turn comes is dropped (``moot``): "Je melding is
afgesloten" never reaches a client who has pressed the noodknop again since, and its help line
waits for it. A row that sets a client's keyboard cannot carry "🔊 Voorlezen": the button of
the next row to that chat reads it too (as ``bot.pipeline`` does for direct replies; in
memory only). A delivered alert
is noted in its timeline; a message for a client who wants texts read aloud gets its voice
note in the background (never holding up the next alert); an alert that cannot
reach a coach at all is escalated; a relayed message that cannot arrive is told to its sender;
a client's chat that refuses every message (403) is marked and their coach told, once (and
so is a client's block or unblock, Telegram's ``my_chat_member``: ``chat_changed``); a
message Telegram accepts for a marked client's chat clears the mark, and the coach hears it.
Each runs on the database thread, ahead of queued update work: the worker waits for it before
its next row, which may be an alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from sqlmodel import Session
from telegram import Bot

from bot.alert_view import alert_people, load_alert_view
from bot.clock import Clock
from bot.hearing import spoken_with_choices
from bot.outbox import WAIT_FOR_EARLIER, Delivery, OutboxWorker
from bot.outbox_rows import decode_buttons, row_as_reply
from bot.outcomes import OutcomeApplier
from bot.phases import SUMMARY_CAPTION, summary_document
from bot.reachability import chat_changed, client_delivered, client_refused
from bot.relays import RelayShell
from bot.render import Menus, RenderedReply, inline_markup, render_reply, with_read_aloud_button
from bot.scope import Applied, Scope
from bot.speech import Speaker
from bot.state import client_contact, coach_contact
from bot.texts import Texts
from dialogs import noodknop, relay
from dialogs.outcome import READ_ALOUD_BUTTON, READ_ALOUD_DATA, Keyboard, Reply
from dialogs.reachability import ChatChange
from storage import alerts, people, relays
from storage import outbox as outbox_store
from storage.database import Database
from storage.models import OutboxMessage

__all__ = ["CLOSED_NOTE_DROPPED", "DeliveryHooks"]

log = logging.getLogger(__name__)

# The error of a dropped row: "your alert is closed" while a newer alert of the client is open.
CLOSED_NOTE_DROPPED = "dropped: newer alert open"
# Rows rendered for a client who taps "🔊 Voorlezen", not yet delivered: the newest few.
_READ_TOGETHER_MAX = 1000


class DeliveryHooks:
    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        texts: Texts,
        speaker: Speaker,
        relays: RelayShell,
        outcomes: OutcomeApplier,
        wake: Callable[[Applied], None],
        worker: Callable[[], OutboxWorker],
    ) -> None:
        self.database = database
        self.clock = clock
        self.texts = texts
        self.menus = Menus(texts)
        self.speaker = speaker
        self.relays = relays
        self.outcomes = outcomes
        self.wake = wake
        self._worker = worker
        self._background: set[asyncio.Task[bool]] = set()
        # As ``bot.pipeline._ReadTogether`` for direct replies: a row that sets a client's
        # keyboard cannot carry "🔊 Voorlezen"; the button of the next row to that chat reads
        # it first ("Je melding is afgesloten." above "Heb je hulp nodig? ..."). By row id, as
        # rendered: True carries the button, False sets a keyboard without it. In memory only.
        self._buttons: OrderedDict[int, bool] = OrderedDict()
        self._unheard: dict[int, str] = {}  # by chat: the text just delivered without it

    def render_row(self, row: OutboxMessage) -> RenderedReply:
        """An outbox row as it is sent (blocking: the worker runs it on a database thread)."""
        if row.text_key is None:  # a copied message: only its buttons are ours
            buttons = decode_buttons(row.buttons)
            return RenderedReply("", inline_markup(buttons, row.language, self.texts), None)
        reply = row_as_reply(row)
        if row.text_key == SUMMARY_CAPTION:  # the client's summary, rendered only now
            with self.database.transaction() as session:
                document = summary_document(session, row.chat_id, self.texts, self.clock.now())
            rendered = render_reply(reply, row.language, self.texts, self.menus, {})
            return replace(rendered, document=document)
        with self.database.transaction() as session:
            client = people.client_by_telegram_id(session, row.chat_id)
            if (
                client is not None
                and client.id is not None
                and reply.keyboard is Keyboard.CLIENT_MENU
            ):
                # As the dialogs do for what they send at once (``dialogs.router.route``).
                alert = alerts.open_alert_of(session, client.id)
                reply = noodknop.with_location_key(
                    reply, alert is not None and not alert.accidental
                )
            if client is not None and client.read_aloud is False:
                reply = with_read_aloud_button(reply, client.keyboard)
                self._note_button(row, reply)
        return render_reply(reply, row.language, self.texts, self.menus, {})

    def _note_button(self, row: OutboxMessage, reply: Reply) -> None:
        """Whether this client's row carries "🔊 Voorlezen", or sets a keyboard without it."""
        if row.id is None:
            return
        if any(READ_ALOUD_BUTTON in line for line in reply.buttons):
            self._buttons[row.id] = True
        elif reply.keyboard is not None and reply.picture_of is None:
            self._buttons[row.id] = False
        while len(self._buttons) > _READ_TOGETHER_MAX:
            self._buttons.popitem(last=False)

    def _read_together(self, delivery: Delivery) -> None:
        """A delivered row that set a keyboard without the button: its words wait for the
        next row to that chat; one with the button reads them first. Any other row in
        between (or none after) leaves them as they are today: unheard."""
        carries = self._buttons.pop(delivery.row_id, None)
        chat, text = delivery.chat_id, delivery.text
        if carries is False and text:
            self._unheard[chat] = text
            return
        before = self._unheard.pop(chat, None)
        if carries and before and delivery.telegram_message_id is not None:
            self.speaker.read_with(chat, delivery.telegram_message_id, before=before)

    def moot(self, row: OutboxMessage) -> str | None:
        """Why a row is no longer true just before it is sent (None: send it), or that it
        waits for the row it goes under (``WAIT_FOR_EARLIER``: the closed note's help line
        never comes before the note). Blocking: the worker runs it on a database thread, with
        the row's rendering."""
        if row.text_key not in noodknop.CLOSED_NOTES:
            return None  # the one kind of row asked today; the rest costs no query
        with self.database.transaction() as session:
            client = people.client_by_telegram_id(session, row.chat_id)
            if client is None or client.id is None:
                return None
            open_ids = [a.id for a in alerts.open_alerts_of(session, client.id) if a.id]
            under = noodknop.CLOSED_NOTE_UNDER.get(row.text_key or "")
            if under is not None and outbox_store.waiting_before(session, row, under):
                return WAIT_FOR_EARLIER
        if noodknop.closed_note_true(row.alert_id, open_ids):
            return None
        return CLOSED_NOTE_DROPPED

    def remember_keyboard(self, chat_id: int, keyboard: str | None) -> None:
        """Which reply keyboard a client's Telegram shows now (the last one sent)."""
        with self.database.transaction() as session:
            client = people.client_by_telegram_id(session, chat_id)
            if client is not None and client.keyboard != keyboard:
                client.keyboard = keyboard
                session.add(client)

    def note_sent(self, session: Session, delivery: Delivery) -> bool:
        """What a delivery changed (keyboard, alert timeline, a marked client's chat that
        works again), in the transaction that marks the row sent; True when the reader wants
        it read aloud."""
        client = people.client_by_telegram_id(session, delivery.chat_id)
        if client is not None and delivery.keyboard not in (None, client.keyboard):
            client.keyboard = delivery.keyboard
            session.add(client)
        if client is not None and client.unreachable_since is not None:
            self._client_delivered(session, delivery)
        if client is not None and client.id is not None and delivery.relay_id is not None:
            relay = relays.get_relay(session, delivery.relay_id)
            if relay is not None and relay.direction == "to_client":
                # The coach's message arrived: a message they promised is kept (not when it
                # was only queued: a refused one leaves the client waiting), and "Wil je
                # stoppen?" is no longer the client's last question (a "ja" now is for her).
                people.keep_promise(session, client.id, relay.coach_id)
                people.close_stop_question(session, client)
        if delivery.alert_id is not None:
            self._alert_delivered(session, delivery.alert_id, delivery.chat_id)
        return (
            delivery.text is not None
            and self.speaker.voice is not None
            and client is not None
            and bool(client.read_aloud)
        )

    async def delivered(self, delivery: Delivery) -> None:
        self._read_together(delivery)
        bot = self._worker().bot
        if delivery.read_aloud and delivery.text is not None and bot is not None:
            # In the background: a voice note must never hold up the next alert.
            task = asyncio.create_task(self._speak(bot, delivery, delivery.text))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _speak(self, bot: Bot, delivery: Delivery, text: str) -> bool:
        """The delivered text read aloud, with the choices its buttons offer. A relayed
        message holds a person's words: never kept as audio, never sent to Google."""
        labels = await self.database.run(self._choice_labels, delivery.row_id)
        spoken = spoken_with_choices(self.texts, delivery.language, text, labels)
        return await self.speaker.speak(
            bot,
            delivery.chat_id,
            delivery.language,
            spoken,
            keep=delivery.relay_id is None,
            silent=delivery.silent,
        )

    def _choice_labels(self, row_id: int) -> tuple[str, ...]:
        with self.database.transaction() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or not row.buttons:
                return ()
            buttons = decode_buttons(row.buttons)
            return tuple(
                self.texts.render(row.language, b.label_key, b.label_params)
                for line in buttons
                for b in line
                if b.data != READ_ALOUD_DATA
            )

    def _alert_delivered(self, session: Session, alert_id: int, chat_id: int) -> None:
        alert = alerts.get_alert(session, alert_id)
        if alert is None:
            return
        recipient = next(
            (r for r in alerts.recipients_of(session, alert_id) if r.chat_id == chat_id),
            None,
        )
        if recipient is None:
            return
        now = self.clock.now()
        if alert.first_delivered_at is None:
            alert.first_delivered_at = now
            session.add(alert)
        alerts.add_event(session, alert_id, "delivered", at=now, coach_id=recipient.coach_id)

    async def delivery_failed(self, delivery: Delivery) -> None:
        """A message could not be delivered for good. For an alert: escalate, never go quiet.
        For a relayed message: the sender hears it did not arrive."""
        applied = await self.database.run(self._after_failure, delivery, urgent=True)
        self.wake(applied)

    def _after_failure(self, delivery: Delivery) -> Applied:
        applied = Applied()
        if delivery.relay_id is not None:  # blocked, or the message to copy is gone
            applied = self._relay_failed(delivery.relay_id)
        if delivery.error == "Forbidden":
            self.remember_keyboard(delivery.chat_id, None)  # a new start shows the menu again
            refused = self._client_refused(delivery)  # blocked, or the chat stopped
            applied.queued += refused.queued
            applied.urgent = applied.urgent or refused.urgent  # the alert's 📵 line
        if delivery.alert_id is None:
            return applied
        if delivery.error != "Forbidden":
            # A 400 (say, a deleted location) does not mean the coach cannot be reached.
            log.warning("alert %s message failed: %s", delivery.alert_id, delivery.error)
            return applied
        now = self.clock.now()
        with self.database.transaction() as session:
            alert = alerts.lock_alert(session, delivery.alert_id)
            if alert is None or delivery.chat_id not in {
                r.chat_id for r in alerts.recipients_of(session, delivery.alert_id)
            }:
                return applied
            alerts.add_event(session, delivery.alert_id, "undeliverable", at=now)
            outcome = noodknop.delivery_failed(load_alert_view(session, alert), now)
            coach, client = alert_people(session, alert)
            scope = Scope(coach=coach, client=client, alert_id=alert.id)
            escalated = self.outcomes.apply(session, outcome, scope)
        applied.queued += escalated.queued
        applied.urgent = applied.urgent or escalated.urgent
        return applied

    def _client_delivered(self, session: Session, delivery: Delivery) -> None:
        """Telegram accepted a message for a marked client's chat: it works again (mark
        cleared, coach told once), unless the row may have been handed to Telegram before the
        mark was set (a late acceptance): it was handed no earlier than its
        ``next_attempt_at``, as for a late refusal (``_client_refused``)."""
        row = session.get(OutboxMessage, delivery.row_id)
        handed_from = row.next_attempt_at if row is not None else None
        client_delivered(session, delivery.chat_id, self.clock.now(), handed_from)

    def _client_refused(self, delivery: Delivery) -> Applied:
        """A client's chat refuses every message: marked, their coach told once, scheduled
        check-ins wait (``dialogs.reachability``). Nothing for a coach's or a group's chat,
        nor when the client came back after the row was due (a late refusal): the row was
        handed to Telegram no earlier than its ``next_attempt_at``."""
        with self.database.transaction() as session:
            row = session.get(OutboxMessage, delivery.row_id)
            sent_from = row.next_attempt_at if row is not None else None
            now = self.clock.now()
            return client_refused(session, delivery.chat_id, now, self.outcomes, sent_from)

    async def chat_changed(self, chat_id: int, change: ChatChange) -> None:
        """A person blocked the bot in their private chat, or unblocked it (``my_chat_member``,
        from ``bot.handlers``): for a client, as a refused message does (the keyboard too: a
        new start shows the menu again) or as their writing again does."""
        applied = await self.database.run(self._chat_changed, chat_id, change)
        self.wake(applied)

    def _chat_changed(self, chat_id: int, change: ChatChange) -> Applied:
        if change is ChatChange.REFUSES:
            self.remember_keyboard(chat_id, None)
        with self.database.transaction() as session:
            return chat_changed(session, chat_id, change, self.clock.now(), self.outcomes)

    def _relay_failed(self, relay_id: int) -> Applied:
        now = self.clock.now()
        with self.database.transaction() as session:
            found = relays.get_relay(session, relay_id)
            if found is None or not relays.mark_failed(session, relay_id, now):
                return Applied()  # told once: the header and the copy both fail
            client = people.get_client(session, found.client_id)
            coach = people.get_coach(session, found.coach_id)
            scope = Scope(
                coach=coach_contact(coach),
                client=client_contact(client),
                client_id=found.client_id,
            )
            outcome = relay.relay_failed(self.relays.view(session, found), now)
            return self.outcomes.apply(session, outcome, scope)
