"""The shell side of check-ins: question sets from content, stored rows as dialog states,
the check-in effects in the database, and what the coach's check-in commands need to see.

The question sets are read once from ``content/easy-language/<lang>/questions.yaml``; a
check-in keeps the version it started with, so a changed set never confuses an open one.
The typed-answer words (``words.yaml``, see ``bot.words``) are held here too: the check-in
dialogs and the router get a person's words from ``words_for``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlmodel import Session

from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from bot.outbox_rows import encode_params
from bot.settings import Settings
from bot.state import Contact, client_contact
from bot.words import load_words
from content import CONTENT_DIR
from dialogs.checkin import CheckinContext, CheckinRules, Past, PastCheckin, grade_of
from dialogs.checkin_questions import QuestionBook, parse_question_book
from dialogs.checkin_state import (
    CheckinState,
    CheckinStatus,
    RaiseSignal,
    SaveCheckin,
    WithdrawSignal,
)
from dialogs.clients import ClientRef
from dialogs.coach_checkin import DEFAULT_TIME, CoachCheckinContext, CoachClient
from dialogs.coach_notes import closed_for_pause, signal_note, withdrawn_note
from dialogs.outcome import PauseCheckins, SetSchedule
from dialogs.schedule import QuietHours, Rhythm, Schedule, next_due, paused_or_resumed
from dialogs.words import Words
from storage import audit, checkins, contacts, people
from storage import signal_actions as signal_store
from storage.models import Checkin, CheckinSchedule, Client, ClientStatus

__all__ = [
    "CheckinShell",
    "load_question_books",
    "shell_from_settings",
]

_HISTORY = 10  # earlier check-ins the signals look at (drop average, missed in a row)


def shell_from_settings(settings: Settings) -> CheckinShell:
    """The check-in settings of the organisation, with the question sets from content."""
    start, end = (time.fromisoformat(part) for part in settings.quiet_hours.split("-"))
    rules = CheckinRules(
        low_grade=settings.checkin_low_grade,
        remind_after=timedelta(hours=settings.checkin_remind_hours),
        quiet=QuietHours(start, end),
    )
    return CheckinShell(
        books=load_question_books(),
        words=load_words(settings.default_language),
        default_language=settings.default_language,
        timezone=settings.timezone,
        rules=rules,
        default_rhythm=Rhythm(settings.checkin_rhythm),
        default_time=time.fromisoformat(settings.checkin_time),
    )


def load_question_books(directory: Path = CONTENT_DIR) -> dict[str, QuestionBook]:
    """Every language's question sets; a broken file stops the start with a clear error."""
    books = {}
    for path in sorted(directory.glob("*/questions.yaml")):
        books[path.parent.name] = parse_question_book(
            yaml.safe_load(path.read_text(encoding="utf-8"))
        )
    return books


def state_of(row: Checkin) -> CheckinState:
    assert row.id is not None
    return CheckinState(
        checkin_id=row.id,
        client_id=row.client_id,
        version=row.version,
        sent_at=row.sent_at,
        position=row.position,
        answers=dict(row.answers),
        status=CheckinStatus(row.status),
        reminded_at=row.reminded_at,
        wake_at=row.wake_at,
        finished_at=row.finished_at,
        raised=tuple(row.raised),
    )


def schedule_of_row(row: CheckinSchedule) -> Schedule:
    hours, minutes = (int(part) for part in row.at.split(":"))
    return Schedule(
        rhythm=Rhythm(row.rhythm),
        weekday=row.weekday,
        at=time(hours, minutes),
        timezone=row.timezone,
        paused=row.paused,
        starts=row.starts,
    )


@dataclass
class CheckinShell:
    """Check-in settings and question sets, and the database side of the check-in dialogs."""

    books: dict[str, QuestionBook]
    words: dict[str, Words]  # per language, see ``bot.words.load_words``
    default_language: str
    timezone: str
    rules: CheckinRules = field(default_factory=CheckinRules)
    default_rhythm: Rhythm = Rhythm.WEEKLY
    default_time: time = DEFAULT_TIME

    @property
    def quiet(self) -> QuietHours:
        return self.rules.quiet

    def book(self, language: str) -> QuestionBook:
        return self.books.get(language) or self.books[self.default_language]

    def words_for(self, language: str) -> Words:
        """What a person of this language may type instead of pressing a button."""
        return self.words.get(language) or self.words[self.default_language]

    # -- what the dialogs get -----------------------------------------------------------------

    def context(
        self, session: Session, client: Client, coach_name: str, state: CheckinState | None
    ) -> CheckinContext:
        """The dialog context for a check-in of ``client`` (the set of its version). Its past
        is read only when the dialog asks for it (a check-in that ends), in this session."""
        assert client.id is not None
        book = self.book(client.language)
        questions = (book.get(state.version) if state else None) or book.current
        past = functools.cache(lambda: self._past_of(session, client.id, state, book))
        return CheckinContext(
            client_id=client.id,
            coach=coach_name,
            questions=questions,
            words=self.words_for(client.language),
            timezone=self.timezone,
            rules=self.rules,
            past=past,
        )

    def _past_of(
        self,
        session: Session,
        client_id: int | None,
        state: CheckinState | None,
        book: QuestionBook,
    ) -> Past:
        if state is None or client_id is None:
            return Past()
        history = tuple(
            self._past(row, book)
            for row in checkins.history_of(
                session, client_id, before_id=state.checkin_id, limit=_HISTORY
            )
        )
        contacted_at = None
        if self.rules.missed_in_a_row <= 1 or (
            history and history[-1].status is CheckinStatus.MISSED
        ):  # only a run of missed check-ins needs it (dialogs.checkin_signals)
            contacted_at = contacts.last_contacts(session, [client_id]).get(client_id)
        return Past(history, contacted_at)

    @staticmethod
    def _past(row: Checkin, book: QuestionBook) -> PastCheckin:
        assert row.id is not None
        state = state_of(row)
        questions = book.get(row.version)
        grade = grade_of(state, questions) if questions is not None else None
        return PastCheckin(row.id, CheckinStatus(row.status), row.sent_at, grade)

    def coach_context(
        self, session: Session, coach_id: int, now: datetime, words: Words
    ) -> CoachCheckinContext:
        """The coach's active clients with their schedules: only these can be named or tapped;
        with the coach's ``words`` (``words_for`` their language) for a typed rhythm."""
        found = []
        for client in people.list_clients(session, coach_id=coach_id):
            if client.status != ClientStatus.ACTIVE or client.id is None:
                continue
            row = checkins.schedule_of(session, client.id)
            schedule = schedule_of_row(row) if row else None
            latest = checkins.latest_checkin_of(session, client.id)
            found.append(
                CoachClient(
                    ClientRef(client.id, client.name),
                    schedule,
                    next_due(schedule, now, self.quiet) if schedule else None,
                    checkins.open_checkin_of(session, client.id) is not None,
                    last_checkin=latest.sent_at if latest is not None else None,
                    unreachable_since=client.unreachable_since,  # the row is loaded already
                    phone=client.phone,  # so is the number the 📵 lines name
                )
            )
        return CoachCheckinContext(tuple(found), self.timezone, self.quiet, words=words)

    # -- effects ------------------------------------------------------------------------------

    def default_schedule(self, session: Session, client_id: int, now: datetime) -> None:
        """A client who just joined gets the organisation's default rhythm, on the weekday
        they joined, from next week on (the coach can change it at any time)."""
        local = now.astimezone(ZoneInfo(self.timezone))
        self._set(
            session,
            client_id=client_id,
            coach_id=None,
            schedule=Schedule.starting_after(
                now + timedelta(days=1),  # not an hour after joining: from next week on
                rhythm=self.default_rhythm,
                weekday=local.weekday(),
                at=self.default_time,
                timezone=self.timezone,
            ),
            now=now,
        )

    def _set(
        self,
        session: Session,
        *,
        client_id: int,
        coach_id: int | None,
        schedule: Schedule,
        now: datetime,
    ) -> datetime | None:
        due = next_due(schedule, now, self.quiet)
        checkins.set_schedule(
            session,
            client_id=client_id,
            coach_id=coach_id,
            rhythm=schedule.rhythm.value,
            weekday=schedule.weekday,
            at=schedule.at.strftime("%H:%M"),
            timezone=schedule.timezone,
            starts=schedule.starts,
            paused=schedule.paused,
            next_due_at=due,
            now=now,
        )
        return due

    def handlers(self) -> dict[type, Handler]:
        """The check-in effects this shell stores (see ``bot.effect_registry``)."""
        return {
            SaveCheckin: self._save,
            RaiseSignal: self._raise,
            WithdrawSignal: self._withdraw,
            SetSchedule: self._set_schedule,
            PauseCheckins: self._pause,
        }

    def first_schedule(self, session: Session, client_id: int, now: datetime) -> None:
        """A client who just finished joining gets the default check-in rhythm."""
        if checkins.schedule_of(session, client_id) is None:
            self.default_schedule(session, client_id, now)

    def _set_schedule(self, session: Session, change: SetSchedule, env: EffectEnv) -> EffectResult:
        """The rhythm as the dialog decided it, from its first day (``change.starts``)."""
        schedule = Schedule.starting_after(
            env.now,
            rhythm=Rhythm(change.rhythm),
            weekday=change.weekday,
            at=change.at,
            timezone=self.timezone,
        )
        if change.starts is not None:
            schedule = replace(schedule, starts=change.starts)
        stored = checkins.schedule_of(session, change.client_id)
        if stored is not None and stored.paused:  # a new rhythm does not end a pause
            schedule = replace(schedule, paused=True)
        due = self._set(
            session,
            client_id=change.client_id,
            coach_id=change.coach_id,
            schedule=schedule,
            now=env.now,
        )
        self._audit(session, env.now, change.coach_id, change.client_id, "checkin.schedule_set")
        return EffectResult(next=due, client=self._contact(session, change.client_id))

    def _pause(self, session: Session, effect: PauseCheckins, env: EffectEnv) -> EffectResult:
        row = checkins.schedule_of(session, effect.client_id)
        assert row is not None
        updated = paused_or_resumed(schedule_of_row(row), effect.paused, env.now)
        if not effect.paused and effect.starts is not None:
            updated = replace(updated, starts=effect.starts)  # as the dialog decided it
        due = self._set(
            session,
            client_id=effect.client_id,
            coach_id=effect.coach_id,
            schedule=updated,
            now=env.now,
        )
        if effect.paused and (open_row := checkins.open_checkin_of(session, effect.client_id)):
            _store_state(open_row, closed_for_pause(state_of(open_row), env.now))
            session.add(open_row)
        action = "checkin.paused" if effect.paused else "checkin.resumed"
        self._audit(session, env.now, effect.coach_id, effect.client_id, action)
        return EffectResult(next=due, client=self._contact(session, effect.client_id))

    @staticmethod
    def _contact(session: Session, client_id: int) -> Contact | None:
        return client_contact(people.get_client(session, client_id))

    @staticmethod
    def _audit(session: Session, now: datetime, coach_id: int, client_id: int, action: str) -> None:
        audit.record(
            session,
            at=now,
            actor=f"coach:{coach_id}",
            action=action,
            subject_type="client",
            subject_id=client_id,
        )

    @staticmethod
    def _save(session: Session, effect: SaveCheckin, env: EffectEnv) -> EffectResult:
        state = effect.state
        row = checkins.get_checkin(session, state.checkin_id)
        if row is None or row.client_id != state.client_id:
            raise LookupError(f"check-in {state.checkin_id} is gone")
        _store_state(row, state)
        session.add(row)
        return NOTHING

    @staticmethod
    def _client_name(session: Session, client_id: int) -> str:
        client = people.get_client(session, client_id)
        return client.name if client else "?"

    def _raise(self, session: Session, effect: RaiseSignal, env: EffectEnv) -> EffectResult:
        signal = effect.signal
        new = checkins.raise_signal(
            session,
            client_id=effect.client_id,
            checkin_id=effect.checkin_id,
            kind=signal.kind.value,
            cause=signal.cause,
            text_key=signal.key,
            params=encode_params(signal.params),
            now=env.now,
        )
        if not new:
            return NOTHING
        client = people.get_client(session, effect.client_id)
        name = client.name if client else "?"
        signal_id = signal_store.signal_id_of(session, effect.client_id, signal.cause)
        assert signal_id is not None
        # "📞 Ik bel" only when the bot has the client's number (dialogs.signal_actions).
        phone_known = client is not None and client.phone is not None
        note = signal_note(signal, name, signal_id, phone_known=phone_known)
        return EffectResult(coach_notes=(note,))

    def _withdraw(self, session: Session, effect: WithdrawSignal, env: EffectEnv) -> EffectResult:
        row = checkins.withdraw_signal(
            session, client_id=effect.client_id, cause=effect.cause, now=env.now
        )
        if row is None:
            return NOTHING
        name = self._client_name(session, effect.client_id)
        return EffectResult(coach_notes=(withdrawn_note(row.kind, name),))


def _store_state(row: Checkin, state: CheckinState) -> None:
    """Write a check-in's dialog state onto its row."""
    row.position = state.position
    row.answers = dict(state.answers)
    row.status = state.status.value
    row.reminded_at = state.reminded_at
    row.wake_at = state.wake_at
    row.finished_at = state.finished_at
    row.raised = list(state.raised)
