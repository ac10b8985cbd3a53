"""The check-in dialog as transcripts of text keys, with a fixed clock; signals; question sets."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from bot.texts import load_texts
from bot.words import load_words
from content import CONTENT_DIR
from dialogs.buttons import ButtonKind, kind_of
from dialogs.checkin import (
    CheckinContext,
    CheckinRules,
    CheckinState,
    CheckinStatus,
    Past,
    PastCheckin,
    RaiseSignal,
    SaveCheckin,
    Signal,
    SignalKind,
    WithdrawSignal,
    ask_again,
    callback_data,
    close_missed,
    grade_of,
    handle_tap,
    handle_text,
    parse_callback,
    saved_state,
    signals,
    start_checkin,
    timer_fired,
)
from dialogs.checkin_questions import (
    MAX_ID_LENGTH,
    MAX_QUESTIONS,
    QuestionBook,
    QuestionSetError,
    parse_question_book,
)
from dialogs.events import Tap, Text
from dialogs.outcome import CopyToAlertTeam, Outcome, Recipient, TextRef
from dialogs.relay import RelayContext
from dialogs.relay_effects import RelayToCoach
from dialogs.router import DialogContext, route
from tests.unit.people import SAM
from tests.unit.test_help_words import ALERT

# Monday 2 November 2026, 10:00 in Amsterdam (CET, UTC+1).
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = load_texts("nl")


def load_book(language: str) -> QuestionBook:
    path = CONTENT_DIR / language / "questions.yaml"
    return parse_question_book(yaml.safe_load(path.read_text(encoding="utf-8")))


BOOK = load_book("nl")
WORDS = load_words("nl")
QUESTIONS = BOOK.current


def context(**changes: Any) -> CheckinContext:
    """A check-in context; ``history`` and ``contacted_at`` make its past."""
    past = Past(changes.pop("history", ()), changes.pop("contacted_at", None))
    fields: dict[str, Any] = {
        "client_id": 7,
        "coach": "Anna",
        "questions": QUESTIONS,
        "words": WORDS["nl"],
        "past": lambda: past,
    }
    return CheckinContext(**{**fields, **changes})


def keys(outcome: Outcome) -> list[str]:
    """The text keys of the replies (a lead line first); each must exist and render, or the
    test fails here."""
    for reply in outcome.replies:
        for key in (reply.lead, reply.key) if reply.lead else (reply.key,):
            assert TEXTS.has(key), f"unknown text key {key}"
            for language in TEXTS.languages:
                TEXTS.render(language, key, reply.params)  # every placeholder is given
        for row in reply.buttons:
            for button in row:
                assert TEXTS.has(button.label_key), f"unknown button key {button.label_key}"
                assert len(button.data.encode()) <= 64
    for key in (outcome.notice, outcome.chosen):
        if key:
            assert TEXTS.has(key), f"unknown text key {key}"
    return [key for r in outcome.replies for key in ((r.lead, r.key) if r.lead else (r.key,))]


def raised(outcome: Outcome) -> list[Signal]:
    return [e.signal for e in outcome.effects if isinstance(e, RaiseSignal)]


def labels(outcome: Outcome) -> list[list[str]]:
    """The button rows of the last reply, as label keys."""
    return [[b.label_key for b in row] for row in outcome.replies[-1].buttons]


@dataclass
class Chat:
    """A client answering one check-in: taps name an answer, the state follows the outcomes."""

    ctx: CheckinContext = field(default_factory=context)
    now: datetime = NOW
    checkin_id: int = 41
    state: CheckinState | None = None
    last: Outcome = field(default_factory=Outcome)

    def __post_init__(self) -> None:
        self._apply(start_checkin(self.checkin_id, self.now, self.ctx))

    def _apply(self, outcome: Outcome) -> Outcome:
        self.state = saved_state(outcome) or self.state
        self.last = outcome
        return outcome

    def send(self, event: Tap | Text) -> Outcome:
        """``Tap("8")`` presses answer 8 of the current question; ``Text`` is typed."""
        assert self.state is not None
        if isinstance(event, Text):
            return self._apply(handle_text(self.state, event.text, self.now, self.ctx))
        data = event.data
        if not data.startswith("ci:"):
            data = callback_data(self.state.checkin_id, self.state.position, data)
        return self._apply(handle_tap(self.state, data, self.now, self.ctx))

    def play(self, transcript: list[tuple[Tap | Text, list[str]]]) -> None:
        for event, expected in transcript:
            assert keys(self.send(event)) == expected, event

    @property
    def answers(self) -> dict[str, str]:
        assert self.state is not None
        return dict(self.state.answers)


# -- a whole check-in ---------------------------------------------------------------------------


def test_a_check_in_starts_with_a_lead_and_the_grade_as_two_rows_of_five() -> None:
    chat = Chat()
    assert keys(chat.last) == ["checkin.intro", "questions.grade"]
    assert all(reply.to is Recipient.CLIENT for reply in chat.last.replies)
    assert labels(chat.last) == [
        [f"checkin.grade.{n}" for n in range(1, 6)],
        [f"checkin.grade.{n}" for n in range(6, 11)],
        ["checkin.dont_know", "checkin.skip"],
    ]
    assert len(chat.last.replies) == 1  # the lead and the question are one message
    data = [b.data for row in chat.last.replies[0].buttons for b in row]
    assert data[0] == "ci:41:0:1" and data[9] == "ci:41:0:10" and data[-1] == "ci:41:0:skip"
    assert chat.state == CheckinState(
        checkin_id=41,
        client_id=7,
        version=QUESTIONS.version,
        sent_at=NOW,
        wake_at=NOW + timedelta(hours=4),
    )


def test_a_whole_check_in_by_buttons() -> None:
    chat = Chat()
    chat.play(
        [
            (Tap("8"), ["questions.help"]),
            (Tap("no"), ["questions.call"]),
            (Tap("no"), ["checkin.thanks"]),
        ]
    )
    assert chat.state is not None and chat.state.status is CheckinStatus.DONE
    assert chat.answers == {"grade": "8", "help": "no", "call": "no"}
    assert chat.state.finished_at == NOW and chat.state.wake_at is None
    assert raised(chat.last) == []
    assert labels(chat.last) == [["checkin.change"]]
    assert chat.last.chosen == "checkin.no"


def test_after_the_first_answer_each_question_has_a_way_back() -> None:
    chat = Chat()
    chat.send(Tap("8"))
    assert labels(chat.last) == [
        ["checkin.yes", "checkin.no"],
        ["checkin.dont_know", "checkin.skip"],
        ["checkin.back"],
    ]
    assert chat.last.chosen == "checkin.grade.8"


def test_a_whole_check_in_by_typing() -> None:
    chat = Chat()
    chat.play(
        [
            (Text("8!"), ["questions.help"]),
            (Text("Nee"), ["questions.call"]),
            (Text("ja"), ["checkin.thanks_call"]),
        ]
    )
    assert chat.answers == {"grade": "8", "help": "no", "call": "yes"}
    assert [s.kind for s in raised(chat.last)] == [SignalKind.CALL_ME]


@pytest.mark.parametrize(
    "typed, grade", [("acht", "8"), ("tien", "10"), ("één", "1"), ("8/10", "8")]
)
def test_typed_number_words_count_as_the_grade(typed: str, grade: str) -> None:
    chat = Chat()
    assert keys(chat.send(Text(typed))) == ["questions.help"]
    assert chat.answers == {"grade": grade}


@pytest.mark.parametrize(
    "typed, key",
    [
        ("zeven en een half", "checkin.grade_not_whole"),
        ("7,5", "checkin.grade_not_whole"),
        ("11", "checkin.grade_out_of_range"),
        ("0", "checkin.grade_out_of_range"),
        ("misschien", "checkin.retry_grade"),
        ("ja", "checkin.retry_grade"),
    ],
)
def test_a_typed_grade_that_is_not_one_gets_a_kind_retry(typed: str, key: str) -> None:
    chat = Chat()
    before = chat.state
    outcome = chat.send(Text(typed))
    assert keys(outcome) == [key, "questions.grade"]
    assert outcome.effects == () and chat.state == before


@pytest.mark.parametrize(
    "typed, key, numbers",
    [
        ("slecht", "checkin.narrow.bad", ["1", "2", "3", "4"]),
        ("Niet zo goed.", "checkin.narrow.bad", ["1", "2", "3", "4"]),
        ("gaat wel", "checkin.narrow.so_so", ["5", "6"]),
        ("goed", "checkin.narrow.good", ["7", "8"]),
        ("Super!", "checkin.narrow.great", ["9", "10"]),
    ],
)
def test_a_grade_in_words_is_narrowed_to_its_numbers(
    typed: str, key: str, numbers: list[str]
) -> None:
    chat = Chat()
    outcome = chat.send(Text(typed))
    assert keys(outcome) == [key]
    rows = labels(outcome)
    assert rows[0] == [f"checkin.grade.{n}" for n in numbers]
    assert rows[1] == ["checkin.dont_know", "checkin.skip"]
    assert chat.answers == {}  # nothing saved until a number is chosen
    chat.play([(Tap(numbers[-1]), ["questions.help"])])
    assert chat.answers == {"grade": numbers[-1]}


def test_a_grade_word_is_no_answer_to_another_question() -> None:
    chat = Chat()
    chat.send(Tap("8"))
    assert keys(chat.send(Text("slecht"))) == ["checkin.retry_yes_no", "questions.help"]


@pytest.mark.parametrize("typed", ["goed", "oké", "prima", "misschien"])
def test_a_yes_or_no_question_wants_a_clear_yes_or_no(typed: str) -> None:
    chat = Chat()
    chat.send(Tap("8"))
    assert keys(chat.send(Text(typed))) == ["checkin.retry_yes_no", "questions.help"]
    assert chat.answers == {"grade": "8"}


def test_help_needed_asks_the_area_then_tells_the_coach() -> None:
    chat = Chat()
    chat.play(
        [
            (Tap("7"), ["questions.help"]),
            (Tap("yes"), ["questions.help_area"]),
        ]
    )
    rows = labels(chat.last)
    assert rows[0] == ["questions.area.listening_ear"] and len(rows) == 9 + 2
    assert rows[-2:] == [["checkin.dont_know", "checkin.skip"], ["checkin.back"]]
    chat.play(
        [
            (Text("iets"), ["checkin.retry_choice", "questions.help_area"]),
            (Text("Werk"), ["questions.call"]),
            (Tap("no"), ["checkin.thanks_help"]),
        ]
    )
    assert raised(chat.last) == [
        Signal(
            SignalKind.HELP,
            "checkin:41:help:work",
            "coach_checkin.help_area",
            {"area": TextRef("questions.area.work")},
        )
    ]
    signal = raised(chat.last)[0]
    text = TEXTS.render("nl", signal.key, {**signal.params, "client": "Sam"})
    assert text == "Sam wil hulp bij: Werk."


def test_skip_and_dont_know_are_always_possible() -> None:
    chat = Chat()
    chat.play(
        [
            (Tap("dont_know"), ["questions.help"]),
            (Text("overslaan"), ["questions.call"]),  # no area question after a skipped help
            (Tap("skip"), ["checkin.thanks_skipped"]),
        ]
    )
    assert chat.answers == {"grade": "dont_know", "help": "skip", "call": "skip"}
    assert chat.state is not None and chat.state.status is CheckinStatus.DONE
    assert raised(chat.last) == []


def test_help_without_an_area_still_tells_the_coach() -> None:
    chat = Chat()
    for token in ("7", "yes", "dont_know", "no"):
        chat.send(Tap(token))
    assert [(s.key, s.cause) for s in raised(chat.last)] == [
        ("coach_checkin.help", "checkin:41:help")
    ]


# -- correcting a wrong press -------------------------------------------------------------------


def test_a_wrong_grade_is_corrected_with_the_back_button() -> None:
    chat = Chat()
    chat.play(
        [
            (Tap("2"), ["questions.help"]),
            (Tap("back"), ["questions.grade"]),
        ]
    )
    assert chat.last.chosen == "checkin.back"
    assert chat.state is not None and chat.state.position == 0
    assert labels(chat.last)[-1] == ["checkin.dont_know", "checkin.skip"]  # first: no way back
    # the old "help" buttons are closed now
    stale = chat.send(Tap(callback_data(41, 1, "no")))
    assert stale.notice == "common.question_closed" and stale.effects == ()
    chat.play(
        [
            (Tap("8"), ["questions.help"]),
            (Tap("no"), ["questions.call"]),
            (Tap("no"), ["checkin.thanks"]),
        ]
    )
    assert chat.answers == {"grade": "8", "help": "no", "call": "no"}
    assert raised(chat.last) == []  # the 2 never reached the coach


def test_typing_terug_goes_back_and_a_changed_answer_drops_the_area() -> None:
    chat = Chat()
    for token in ("7", "yes", "work"):
        chat.send(Tap(token))
    chat.play(
        [
            (Text("terug"), ["questions.help_area"]),
            (Text("vorige"), ["questions.help"]),
            (Tap("no"), ["questions.call"]),
            (Tap("no"), ["checkin.thanks"]),
        ]
    )
    assert chat.state is not None
    assert QUESTIONS.effective(chat.state.answers) == {"grade": "7", "help": "no", "call": "no"}
    assert raised(chat.last) == []


def test_oops_after_the_thanks_reopens_the_last_question_and_withdraws() -> None:
    chat = Chat()
    for token in ("8", "no", "yes"):
        chat.send(Tap(token))
    assert keys(chat.last) == ["checkin.thanks_call"]
    call = raised(chat.last)
    assert [s.cause for s in call] == ["checkin:41:call"]
    chat.now += timedelta(minutes=2)
    chat.play(
        [
            (Tap("back"), ["checkin.try_again", "questions.call"]),
            (Tap("no"), ["checkin.thanks"]),
        ]
    )
    withdrawn = [e for e in chat.last.effects if isinstance(e, WithdrawSignal)]
    assert withdrawn == [WithdrawSignal(client_id=7, checkin_id=41, cause=call[0].cause)]
    assert raised(chat.last) == []
    assert chat.state is not None and chat.state.raised == ()


def test_oops_with_the_same_answer_raises_nothing_twice() -> None:
    chat = Chat()
    for token in ("3", "no", "yes"):
        chat.send(Tap(token))
    assert [s.kind for s in raised(chat.last)] == [SignalKind.LOW_GRADE, SignalKind.CALL_ME]
    chat.send(Tap("back"))
    chat.send(Tap("yes"))
    assert keys(chat.last) == ["checkin.thanks_call"]
    assert raised(chat.last) == [] and len(chat.last.effects) == 1  # only the state


def test_oops_is_closed_an_hour_after_the_thanks() -> None:
    chat = Chat()
    for token in ("8", "no", "no"):
        chat.send(Tap(token))
    chat.now += timedelta(hours=1, minutes=1)
    outcome = chat.send(Tap("back"))
    assert outcome.notice == "common.question_closed" and outcome.effects == ()


def finished_chat(grade: str = "8", call: str = "yes") -> Chat:
    chat = Chat()
    for token in (grade, "no", call):
        chat.send(Tap(token))
    assert chat.state is not None and chat.state.status is CheckinStatus.DONE
    return chat


@pytest.mark.parametrize(
    "typed",
    ["oeps", "Oeps!", "terug", "vorige", "ander antwoord", "Oeps, ander antwoord", "oops"],
)
def test_oops_typed_after_the_thanks_is_the_oops_button(typed: str) -> None:
    chat = finished_chat()
    assert keys(chat.last) == ["checkin.thanks_call"]
    cause = raised(chat.last)[0].cause
    done = chat.state
    assert done is not None
    chat.now += timedelta(minutes=59)
    pressed = handle_tap(done, callback_data(41, len(QUESTIONS), "back"), chat.now, chat.ctx)
    chat.play(
        [
            (Text(typed), ["checkin.try_again", "questions.call"]),
            (Text("nee"), ["checkin.thanks"]),
        ]
    )
    # Exactly what the button does: the same replies, buttons and stored state.
    assert handle_text(done, typed, chat.now, chat.ctx) == pressed
    assert chat.answers == {"grade": "8", "help": "no", "call": "no"}
    withdrawn = [e for e in chat.last.effects if isinstance(e, WithdrawSignal)]
    assert withdrawn == [WithdrawSignal(client_id=7, checkin_id=41, cause=cause)]


def test_oops_typed_when_the_button_no_longer_works_is_no_answer() -> None:
    chat = finished_chat()
    done = chat.state
    assert done is not None
    later = NOW + timedelta(hours=1, minutes=1)
    assert handle_text(done, "oeps", later, chat.ctx) == Outcome()  # goes the usual way
    other = replace(done, client_id=8)  # not this client's check-in
    assert handle_text(other, "oeps", NOW, chat.ctx) == Outcome()
    assert handle_text(done, "hallo", NOW, chat.ctx) == Outcome()  # no back word
    missed = Chat()
    assert missed.state is not None
    closed = saved_state(close_missed(missed.state, NOW + timedelta(days=1), missed.ctx))
    assert closed is not None and closed.status is CheckinStatus.MISSED
    assert handle_text(closed, "oeps", NOW + timedelta(days=1), missed.ctx) == Outcome()


def client_says(
    event: Tap | Text, state: CheckinState | None, at: datetime, **more: Any
) -> Outcome:
    """Sam's press or text through the router, with the check-in the shell loaded for it."""
    relay_ctx = RelayContext(chat_id=500, button_key=b"k" * 32)
    ctx = DialogContext(
        words=WORDS["nl"],
        checkin=state,
        checkin_context=context() if state is not None else None,
        client_relay=more.pop("client_relay", relay_ctx),
        **more,
    )
    return route(SAM, event, at, ctx)


def test_the_router_gives_oops_typed_after_the_thanks_to_the_check_in() -> None:
    done = finished_chat().state
    assert done is not None
    at = NOW + timedelta(minutes=10)
    typed = client_says(Text("oeps", message_id=90, chat_id=500), done, at)
    pressed = client_says(Tap(callback_data(41, len(QUESTIONS), "back"), chat_id=500), done, at)
    assert keys(typed) == ["checkin.try_again", "questions.call"]
    assert typed == pressed
    reopened = saved_state(typed)
    assert reopened is not None and reopened.status is CheckinStatus.OPEN
    assert reopened.position == QUESTIONS.previous_position(len(QUESTIONS), done.answers)


def test_oops_typed_with_nothing_to_undo_is_a_message_for_the_coach() -> None:
    done = finished_chat().state
    assert done is not None
    oeps = Text("oeps", message_id=90, chat_id=500)
    late = NOW + timedelta(hours=1, minutes=1)
    for state, at in ((done, late), (None, NOW)):
        outcome = client_says(oeps, state, at)
        assert keys(outcome) == ["relay.confirm"] and saved_state(outcome) is None
    # Writing to the coach ("💬 Bericht aan coach"), or someone else's words: a message.
    writing = RelayContext(chat_id=500, button_key=b"k" * 32, awaiting_message=True)
    sent = client_says(oeps, done, NOW, client_relay=writing)
    assert saved_state(sent) is None
    assert any(isinstance(e, RelayToCoach) for e in sent.effects)
    forwarded = Text("oeps", message_id=91, chat_id=500, forwarded_from="Kim")
    assert saved_state(client_says(forwarded, done, NOW)) is None


def test_oops_typed_while_an_alert_is_open_is_for_the_people_told_about_it() -> None:
    """Sam pressed the noodknop by accident after his check-in and types "oeps": that goes
    to the alert, as any text during an open alert does; the check-in stays closed."""
    done = finished_chat().state
    assert done is not None
    alert = replace(ALERT, pressed_at=NOW)
    oeps = Text("oeps", message_id=90, chat_id=500)
    outcome = client_says(oeps, done, NOW + timedelta(minutes=5), open_alert=alert)
    assert saved_state(outcome) is None
    assert any(isinstance(e, CopyToAlertTeam) for e in outcome.effects)


# -- stale, replayed and forged buttons ---------------------------------------------------------


@pytest.mark.parametrize(
    "data, notice",
    [
        ("", "common.button_unknown"),
        ("ci:", "common.button_unknown"),
        ("ci:41:0", "common.button_unknown"),
        ("ci:41:0:8:9", "common.button_unknown"),
        ("ci:x:0:8", "common.button_unknown"),
        ("ci:-41:0:8", "common.button_unknown"),
        ("ci:41:0:8 ", "common.button_unknown"),
        ("ci:41:0:EIGHT", "common.button_unknown"),
        ("x" * 64, "common.button_unknown"),
        ("💥", "common.button_unknown"),
        ("ci:41:0:11", "common.button_unknown"),  # not an answer of this question
        ("ci:41:0:yes", "common.button_unknown"),
        ("ci:41:0:work", "common.button_unknown"),
        ("ci:41:0:back", "common.button_unknown"),  # the first question has no way back
        ("ci:40:0:8", "common.question_closed"),  # an older check-in
        ("ci:42:0:8", "common.question_closed"),  # a check-in that is not this one
        ("ci:41:1:no", "common.question_closed"),  # a question that is not the current one
        ("ci:41:4:back", "common.question_closed"),
        ("ci:41:99:8", "common.question_closed"),
    ],
)
def test_forged_or_stale_button_data_changes_nothing(data: str, notice: str) -> None:
    chat = Chat()
    before = chat.state
    outcome = chat.send(Tap(data))
    assert outcome.notice == notice
    assert outcome.effects == () and outcome.replies == ()
    assert chat.state == before


def test_a_replayed_press_changes_nothing() -> None:
    chat = Chat()
    chat.send(Tap("8"))
    assert chat.state is not None
    replay = handle_tap(chat.state, "ci:41:0:3", NOW, chat.ctx)
    assert replay.notice == "common.question_closed" and replay.effects == ()


def test_a_button_of_a_finished_or_missed_check_in_is_closed() -> None:
    chat = Chat()
    for token in ("8", "no", "no"):
        chat.send(Tap(token))
    assert chat.send(Tap("ci:41:2:yes")).notice == "common.question_closed"
    missed = Chat()
    assert missed.state is not None
    closed = saved_state(close_missed(missed.state, NOW + timedelta(days=1), missed.ctx))
    assert closed is not None
    outcome = handle_tap(closed, "ci:41:0:8", NOW + timedelta(days=2), missed.ctx)
    assert outcome.notice == "common.question_closed" and outcome.effects == ()


def test_a_button_without_a_check_in_or_of_another_client_is_closed() -> None:
    chat = Chat()
    assert handle_tap(None, "ci:41:0:8", NOW, context()).notice == "common.question_closed"
    assert chat.state is not None
    someone_else = context(client_id=8)
    outcome = handle_tap(chat.state, "ci:41:0:8", NOW, someone_else)
    assert outcome.notice == "common.question_closed" and outcome.effects == ()


def test_an_open_check_in_of_an_old_question_set_version_is_closed() -> None:
    chat = Chat()
    assert chat.state is not None
    old = replace(chat.state, version="0")
    assert handle_tap(old, "ci:41:0:8", NOW, chat.ctx).notice == "common.question_closed"
    assert handle_text(old, "8", NOW, chat.ctx) == Outcome()


def test_callback_data_fits_in_64_bytes_with_the_largest_ids() -> None:
    longest = "x" * MAX_ID_LENGTH
    data = callback_data(2**31 - 1, MAX_QUESTIONS - 1, longest)  # the largest id a row has
    assert len(data.encode()) <= 64
    parsed = parse_callback(data)
    assert parsed is not None and (parsed.checkin_id, parsed.token) == (2**31 - 1, longest)
    assert kind_of(data) is ButtonKind.CHECKIN
    chat = Chat(checkin_id=2**31 - 1)
    for token in ("7", "yes"):
        chat.send(Tap(token))
    assert keys(chat.last) == ["questions.help_area"]  # keys() checks every button's size


# -- typed text outside an answer ---------------------------------------------------------------


def test_coming_back_from_the_menu_repeats_the_open_question() -> None:
    chat = Chat()
    chat.send(Tap("8"))
    assert chat.state is not None
    assert keys(ask_again(chat.state, chat.ctx)) == ["checkin.continue", "questions.help"]


def test_typing_to_a_finished_check_in_is_not_an_answer() -> None:
    chat = Chat()
    for token in ("8", "no", "no"):
        chat.send(Tap(token))
    assert chat.state is not None
    assert handle_text(chat.state, "9", NOW, chat.ctx) == Outcome()


# -- reminder, then missed ----------------------------------------------------------------------


def test_one_gentle_reminder_after_four_hours_then_the_check_in_closes_as_missed() -> None:
    chat = Chat()
    state = chat.state
    assert state is not None and state.wake_at == NOW + timedelta(hours=4)
    assert timer_fired(state, NOW + timedelta(hours=3, minutes=59), chat.ctx) == Outcome()
    reminder = timer_fired(state, NOW + timedelta(hours=4), chat.ctx)
    assert keys(reminder) == ["checkin.reminder", "questions.grade"]
    assert all(reply.to is Recipient.CLIENT for reply in reminder.replies)
    reminded = saved_state(reminder)
    assert reminded is not None
    assert reminded.reminded_at == NOW + timedelta(hours=4)
    assert reminded.wake_at == NOW + timedelta(hours=28)
    assert timer_fired(reminded, NOW + timedelta(hours=27), chat.ctx) == Outcome()
    closing = timer_fired(reminded, NOW + timedelta(hours=28), chat.ctx)
    assert keys(closing) == []  # nothing to the client
    closed = saved_state(closing)
    assert closed is not None and closed.status is CheckinStatus.MISSED
    assert raised(closing) == []  # one missed check-in is no signal yet
    assert timer_fired(closed, NOW + timedelta(days=3), chat.ctx) == Outcome()


def test_an_answer_moves_the_reminder_so_it_never_interrupts() -> None:
    chat = Chat()
    chat.now = NOW + timedelta(hours=3)
    chat.send(Tap("8"))
    assert chat.state is not None and chat.state.wake_at == NOW + timedelta(hours=7)


def test_the_reminder_waits_for_waking_hours() -> None:
    evening = datetime(2026, 11, 2, 17, 30, tzinfo=UTC)  # 18:30 in Amsterdam
    chat = Chat(now=evening)
    assert chat.state is not None
    assert chat.state.wake_at == datetime(2026, 11, 3, 7, 0, tzinfo=UTC)  # 08:00 next day
    late = replace(chat.state, wake_at=evening + timedelta(hours=4))  # e.g. rules changed
    postponed = timer_fired(late, evening + timedelta(hours=4), chat.ctx)
    assert keys(postponed) == []
    moved = saved_state(postponed)
    assert moved is not None and moved.wake_at == datetime(2026, 11, 3, 7, 0, tzinfo=UTC)


def test_a_reminder_overdue_after_downtime_is_dropped_and_the_check_in_closes() -> None:
    chat = Chat()
    assert chat.state is not None
    outcome = timer_fired(chat.state, NOW + timedelta(days=3), chat.ctx)
    assert keys(outcome) == []
    closed = saved_state(outcome)
    assert closed is not None and closed.status is CheckinStatus.MISSED


def test_an_unfinished_check_in_closes_and_its_low_grade_still_counts() -> None:
    chat = Chat()
    chat.send(Tap("2"))
    assert chat.state is not None
    outcome = close_missed(chat.state, NOW + timedelta(days=1), chat.ctx)
    closed = saved_state(outcome)
    assert closed is not None and closed.status is CheckinStatus.UNFINISHED
    assert [s.key for s in raised(outcome)] == ["coach_checkin.grade_low"]


def test_two_missed_check_ins_in_a_row_signal_once() -> None:
    first = PastCheckin(30, CheckinStatus.MISSED, NOW - timedelta(weeks=1))
    answered = PastCheckin(20, CheckinStatus.DONE, NOW - timedelta(weeks=2), grade=7)
    chat = Chat(ctx=context(history=(answered, first)))
    assert chat.state is not None
    outcome = close_missed(chat.state, NOW + timedelta(days=1), chat.ctx)
    assert raised(outcome) == [
        Signal(
            SignalKind.MISSED,
            "missed:30",
            "coach_checkin.missed",
            {"count": 2, "since": NOW - timedelta(weeks=1)},
        )
    ]
    text = TEXTS.render(
        "nl", "coach_checkin.missed", {**raised(outcome)[0].params, "client": "Sam"}
    )
    assert text == "Geen antwoord van Sam op de laatste 2 check-ins (sinds 26 oktober)."
    # the third in a row is the same streak: no new signal
    second = PastCheckin(41, CheckinStatus.MISSED, NOW)
    third = Chat(ctx=context(history=(answered, first, second)), checkin_id=52)
    assert third.state is not None
    assert raised(close_missed(third.state, NOW + timedelta(weeks=1), third.ctx)) == []


# -- signals ------------------------------------------------------------------------------------


def finished(
    grade: str, *, help: str = "no", call: str = "no", checkin_id: int = 41
) -> CheckinState:
    answers = {"grade": grade, "help": help, "call": call}
    return CheckinState(
        checkin_id, 7, QUESTIONS.version, NOW, len(QUESTIONS), answers, CheckinStatus.DONE
    )


def grades(*values: int) -> tuple[PastCheckin, ...]:
    return tuple(
        PastCheckin(i, CheckinStatus.DONE, NOW - timedelta(weeks=len(values) - i), grade=v)
        for i, v in enumerate(values)
    )


@pytest.mark.parametrize(
    "grade, history, expected",
    [
        ("4", (), [("coach_checkin.grade_low", {"grade": 4})]),
        ("5", (), []),
        ("1", grades(5), [("coach_checkin.grade_low", {"grade": 1})]),  # one earlier: no drop
        ("5", grades(8, 8, 8), [("coach_checkin.grade_drop", {"grade": 5, "earlier": "8, 8, 8"})]),
        ("6", grades(8, 8, 8), []),
        ("3", grades(7, 8), [("coach_checkin.grade_low_drop", {"grade": 3, "earlier": "7, 8"})]),
        (
            "6",
            grades(2, 2, 9, 9, 9),
            [("coach_checkin.grade_drop", {"grade": 6, "earlier": "9, 9, 9"})],
        ),
        ("dont_know", grades(9, 9), []),
    ],
)
def test_a_low_grade_or_a_drop_is_one_signal(
    grade: str, history: tuple[PastCheckin, ...], expected: list[tuple[str, dict[str, Any]]]
) -> None:
    found = signals(finished(grade), QUESTIONS, history, CheckinRules())
    assert [(s.key, s.params) for s in found] == expected
    assert all(s.cause == "checkin:41:grade" for s in found)


def test_every_signal_renders_for_the_coach_in_every_language() -> None:
    state = finished("3", help="yes", call="yes")
    state = replace(state, answers={**state.answers, "help_area": "letters_money"})
    found = signals(state, QUESTIONS, grades(8, 8, 8), CheckinRules())
    assert [s.kind for s in found] == [SignalKind.LOW_GRADE, SignalKind.HELP, SignalKind.CALL_ME]
    assert len({s.cause for s in found}) == len(found)
    for signal in found:
        for language in TEXTS.languages:
            TEXTS.render(language, signal.key, {**signal.params, "client": "Sam"})
    assert TEXTS.render("nl", found[0].key, {**found[0].params, "client": "Sam"}) == (
        "Sam gaf een 3 voor hoe het gaat (eerder: 8, 8, 8)."
    )


def test_the_thresholds_are_the_organisations_choice() -> None:
    strict = CheckinRules(low_grade=5, drop=2)
    assert [s.kind for s in signals(finished("5"), QUESTIONS, (), strict)] == [SignalKind.LOW_GRADE]
    assert [s.kind for s in signals(finished("7"), QUESTIONS, grades(9, 9), strict)] == [
        SignalKind.GRADE_DROP
    ]


def test_grade_of_feeds_the_history() -> None:
    assert grade_of(finished("7"), QUESTIONS) == 7
    assert grade_of(finished("skip"), QUESTIONS) is None


def test_every_signal_and_reply_key_exists_for_coaches() -> None:
    for key in (
        "coach_checkin.grade_low",
        "coach_checkin.grade_low_drop",
        "coach_checkin.grade_drop",
        "coach_checkin.help",
        "coach_checkin.help_area",
        "coach_checkin.call_me",
        "coach_checkin.missed",
        "coach_checkin.withdrawn",
    ):
        assert TEXTS.has(key), key
        assert "client" in TEXTS.entries["nl"][key].placeholders


# -- the question set in content ----------------------------------------------------------------


def _shape(book: QuestionBook) -> object:
    """Everything but the typed words, which differ per language."""
    return {
        version: [
            (q.id, q.kind, q.text, [(o.id, o.label) for o in q.options], q.only_if, q.signal)
            for q in question_set.questions
        ]
        for version, question_set in book.sets.items()
    }


@pytest.mark.parametrize("language", TEXTS.languages)
def test_the_question_set_is_the_same_in_every_language(language: str) -> None:
    book = load_book(language)
    assert book.current.version == BOOK.current.version
    assert _shape(book) == _shape(BOOK)
    for question_set in book.sets.values():
        for question in question_set.questions:
            assert TEXTS.has(question.text), question.text
            assert all(TEXTS.has(o.label) for o in question.options)


def test_the_question_set_has_the_evaluators_help_areas() -> None:
    area = QUESTIONS[
        QUESTIONS.questions.index(next(q for q in QUESTIONS.questions if q.id == "help_area"))
    ]
    assert [o.id for o in area.options] == [
        "listening_ear",
        "own_behaviour",
        "health",
        "letters_money",
        "household",
        "school",
        "work",
        "agencies",
        "something_else",
    ]
    assert area.only_if == (("help", "yes"),)


def _book(questions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"questions": {"current": "1", "sets": [{"version": "1", "questions": questions}]}}


GRADE = {"id": "grade", "kind": "grade", "text": "questions.grade"}
HELP = {"id": "help", "kind": "yes_no", "text": "questions.help"}


@pytest.mark.parametrize(
    "questions, problem",
    [
        ([GRADE, GRADE], "used twice"),
        ([{**GRADE, "kind": "smiley"}], "kind must be one of"),
        ([{**GRADE, "id": "Grade!"}], "must be a-z"),
        ([{**GRADE, "id": "x" * 25}], "at most 24"),
        ([{**GRADE, "options": [{"id": "a", "label": "x"}]}], "fixed answers"),
        ([GRADE, {**HELP, "only_if": {"grade": True}}], "is not an answer"),  # yes without quotes
        ([GRADE, {**HELP, "only_if": {"call": "yes"}}], "not an earlier question"),
        ([{**HELP, "only_if": {"help": "yes"}}], "not an earlier question"),
        ([GRADE, {"id": "area", "kind": "choice", "text": "t"}], "non-empty list"),
        (
            [
                {
                    "id": "area",
                    "kind": "choice",
                    "text": "t",
                    "options": [{"id": "skip", "label": "l"}],
                }
            ],
            "reserved",
        ),
        ([{**GRADE, "signal": "call_me"}], "needs a yes_no question"),
        ([{**GRADE, "signal": "grade"}, {**GRADE, "id": "g2", "signal": "grade"}], "one question"),
        ([{"id": "grade", "kind": "grade"}], "text must be a text"),
    ],
)
def test_a_broken_question_set_is_refused_with_a_reason(
    questions: list[dict[str, Any]], problem: str
) -> None:
    with pytest.raises(QuestionSetError, match=problem):
        parse_question_book(_book(questions))


def test_the_current_version_must_exist() -> None:
    data = _book([GRADE])
    data["questions"]["current"] = "2"
    with pytest.raises(QuestionSetError, match="no set with version"):
        parse_question_book(data)


def test_an_open_check_in_keeps_its_version_when_a_new_set_arrives() -> None:
    data = _book([GRADE])
    data["questions"]["sets"].append({"version": "2", "questions": [GRADE, HELP]})
    data["questions"]["current"] = "2"
    book = parse_question_book(data)
    assert len(book.current) == 2
    old = book.get("1")
    assert old is not None and len(old) == 1
    chat = Chat(ctx=context(questions=old))
    assert keys(chat.send(Tap("8"))) == ["checkin.thanks"]


def test_save_checkin_is_the_only_way_the_state_changes() -> None:
    chat = Chat()
    outcome = chat.send(Tap("8"))
    assert isinstance(outcome.effects[0], SaveCheckin)
    assert saved_state(Outcome()) is None
