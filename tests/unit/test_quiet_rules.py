"""The pure rules behind "routine drowns out alerts": which queued message rings, one note per
check-in, and a coach's one tap under a signal (what counts, what the client hears)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.loudness import ROUTINE_KEYS, is_silent
from bot.texts import load_texts
from dialogs.buttons import ButtonKind, kind_of
from dialogs.checkin_state import RecordSignalAction, Signal, SignalKind
from dialogs.coach_notes import one_per_checkin, signal_note, withdrawn_note
from dialogs.events import Tap
from dialogs.outcome import AwaitInput, Lines, Recipient, Reply, TextRef
from dialogs.people import Person, Role
from dialogs.relay import ask_message
from dialogs.relay_effects import PromiseMessage
from dialogs.router import DialogContext, route
from dialogs.signal_actions import SignalAction, SignalView, coach_taps, parse_data
from storage.outbox import Priority
from tests.unit.people import ANNA, BRAM, SAM

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)

# -- which message rings ----------------------------------------------------------------------


def test_alert_traffic_always_rings_even_with_a_routine_key() -> None:
    for key in (*ROUTINE_KEYS, "alert.new", None):
        assert not is_silent(priority=Priority.ALERT, text_key=key, under_header=True)


@pytest.mark.parametrize("priority", [Priority.RELAY, Priority.NOTICE, Priority.CHECKIN])
def test_routine_notices_are_silent_and_the_rest_rings(priority: Priority) -> None:
    for key in ROUTINE_KEYS:
        assert is_silent(priority=priority, text_key=key)
    for key in ("coach_checkin.notes", "coach_checkin.call_me", "checkin.reminder", "x.new"):
        assert not is_silent(priority=priority, text_key=key)  # when in doubt: it rings


def test_a_relayed_copy_rings_only_without_its_header_line() -> None:
    assert is_silent(priority=Priority.RELAY, text_key=None, under_header=True)
    assert not is_silent(priority=Priority.RELAY, text_key=None, under_header=False)


def test_every_routine_key_is_a_text_in_every_language() -> None:
    texts = load_texts()
    for language in texts.languages:
        for key in ROUTINE_KEYS:
            assert texts.raw(language, key), (language, key)


# -- one note per check-in --------------------------------------------------------------------


def _note(
    kind: SignalKind, key: str, signal_id: int, *, phone_known: bool = True, **params: object
) -> Reply:
    signal = Signal(kind, f"c:{signal_id}", key, dict(params))
    return signal_note(signal, "Sam", signal_id, phone_known=phone_known)


def _labels(note: Reply) -> list[list[str]]:
    texts = load_texts()
    return [[texts.render("nl", b.label_key) for b in row] for row in note.buttons]


def test_the_signals_of_one_checkin_are_one_note_with_the_first_ones_buttons() -> None:
    low = _note(SignalKind.LOW_GRADE, "coach_checkin.grade_low", 4, grade=3)
    help_ = _note(SignalKind.HELP, "coach_checkin.help", 5)
    call = _note(SignalKind.CALL_ME, "coach_checkin.call_me", 6)
    [bundle] = one_per_checkin([low, help_, call])
    assert bundle.key == "coach_checkin.notes" and bundle.to is Recipient.COACH
    assert bundle.params["client"] == "Sam"
    assert bundle.params["notes"] == Lines(
        (
            TextRef("coach_checkin.grade_low", {"grade": 3, "client": "Sam"}),
            TextRef("coach_checkin.help", {"client": "Sam"}),
            TextRef("coach_checkin.call_me", {"client": "Sam"}),
        )
    )
    assert bundle.buttons == low.buttons
    rendered = load_texts().render("nl", bundle.key, bundle.params)
    assert rendered == (
        "Check-in van Sam:\nSam gaf een 3 voor hoe het gaat.\n"
        "Sam heeft ergens hulp bij nodig, maar zei niet waarbij.\n"
        "Sam wil graag dat je belt."
    )


def test_i_will_call_is_offered_only_when_the_clients_number_is_stored() -> None:
    with_number = _note(SignalKind.CALL_ME, "coach_checkin.call_me", 6)
    assert _labels(with_number) == [["📞 Ik bel", "💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]
    assert [b.data for row in with_number.buttons for b in row] == [
        "sg:6:call",
        "sg:6:message",
        "sg:6:done",
    ]
    without = _note(SignalKind.CALL_ME, "coach_checkin.call_me", 6, phone_known=False)
    assert _labels(without) == [["💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]
    assert [b.data for row in without.buttons for b in row] == ["sg:6:message", "sg:6:done"]
    # One note per check-in keeps the first note's buttons: no "📞 Ik bel" there either.
    low = _note(SignalKind.LOW_GRADE, "coach_checkin.grade_low", 4, phone_known=False, grade=3)
    [bundle] = one_per_checkin([low, without])
    assert _labels(bundle) == [["💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]


NO_PHONE_LINE = (
    "Geen 📞 Ik bel: van Sam is geen telefoonnummer bewaard. "
    "Bewaren: /telefoon Sam en dan het nummer."
)


def test_without_a_phone_number_the_note_says_why_there_is_no_i_will_call() -> None:
    """One line under the note, once also under several signals, and only then."""
    texts = load_texts()
    without = _note(SignalKind.CALL_ME, "coach_checkin.call_me", 6, phone_known=False)
    assert without.to is Recipient.COACH
    assert texts.render("nl", without.key, without.params) == (
        f"Sam wil graag dat je belt.\n{NO_PHONE_LINE}"
    )
    assert texts.render("en", without.key, without.params) == (
        "Sam would like you to call.\nNo 📞 I will call: no phone number is saved for Sam. "
        "To save one: /phone Sam followed by the number."
    )
    low = _note(SignalKind.LOW_GRADE, "coach_checkin.grade_low", 4, phone_known=False, grade=3)
    [bundle] = one_per_checkin([low, without])
    assert bundle.buttons == low.buttons
    assert texts.render("nl", bundle.key, bundle.params) == (
        f"Check-in van Sam:\nSam gaf een 3 voor hoe het gaat.\nSam wil graag dat je belt.\n"
        f"{NO_PHONE_LINE}"
    )
    # With the number stored: the note is the signal alone, 📞 Ik bel under it.
    with_number = _note(SignalKind.CALL_ME, "coach_checkin.call_me", 6)
    assert texts.render("nl", with_number.key, with_number.params) == "Sam wil graag dat je belt."
    [both] = one_per_checkin([_note(SignalKind.HELP, "coach_checkin.help", 5), with_number])
    assert "telefoonnummer" not in texts.render("nl", both.key, both.params)


def test_one_signal_stays_itself_and_withdrawn_notes_stay_apart() -> None:
    call = _note(SignalKind.CALL_ME, "coach_checkin.call_me", 6)
    withdrawn = withdrawn_note("low_grade", "Sam")
    assert one_per_checkin([withdrawn, call]) == (call, withdrawn)
    assert one_per_checkin([withdrawn]) == (withdrawn,)
    assert one_per_checkin([]) == ()


# -- a coach's tap under a signal -------------------------------------------------------------

VIEW = SignalView(
    signal_id=12,
    client_id=SAM.id or 0,
    client_name="Sam",
    coach_id=ANNA.id or 0,
    coach_name="Anna",
    client_active=True,
    standing=True,
    phone="+31612345678",
)


def test_signal_buttons_are_routed_by_their_prefix_and_parsed_strictly() -> None:
    assert kind_of("sg:12:call") is ButtonKind.SIGNAL
    assert parse_data("sg:12:call") == (12, SignalAction.CALL)
    assert parse_data("sg:12:message") == (12, SignalAction.MESSAGE)
    for forged in ("sg:0:call", "sg:12:dance", "sg:x:call", "sg:12:call:1", "sg:12", "sg:-1:done"):
        assert parse_data(forged) is None, forged


def test_i_will_call_is_recorded_and_only_then_told_to_the_client() -> None:
    outcome = coach_taps(ANNA, VIEW, "sg:12:call")
    assert outcome.effects == (RecordSignalAction(12, 7, 1, "call"),)
    to_client = [r for r in outcome.replies if r.to is Recipient.CLIENT]
    assert [(r.key, r.params) for r in to_client] == [("checkin.coach_calls", {"coach": "Anna"})]
    [to_anna] = [r for r in outcome.replies if r.to is Recipient.SENDER]
    assert to_anna.key == "coach_checkin.calling"
    assert [b.data for row in to_anna.buttons for b in row] == ["sg:12:done"]
    assert outcome.chosen == "coach_checkin.button.call"


def test_i_will_send_a_message_tells_the_client_and_waits_for_the_coachs_words() -> None:
    outcome = coach_taps(ANNA, VIEW, "sg:12:message")
    assert outcome.effects == (
        RecordSignalAction(12, 7, 1, "message"),
        AwaitInput(1, "message:7"),
        PromiseMessage(7, 1),  # Sam is told it is coming
    )
    assert [r.key for r in outcome.replies if r.to is Recipient.CLIENT] == ["checkin.coach_writes"]
    [to_anna] = [r for r in outcome.replies if r.to is Recipient.SENDER]
    assert (to_anna.lead, to_anna.key) == ("coach_checkin.messaging", "coach_relay.ask_message")


def test_handled_is_recorded_and_the_client_hears_nothing() -> None:
    outcome = coach_taps(ANNA, VIEW, "sg:12:done")
    assert outcome.effects == (RecordSignalAction(12, 7, 1, "done"),)
    assert [r.to for r in outcome.replies] == [Recipient.SENDER]


@pytest.mark.parametrize(
    ("person", "view", "data"),
    [
        (BRAM, VIEW, "sg:12:call"),  # another coach's client
        (ANNA, None, "sg:99:call"),  # no such signal (or not Anna's): nothing loaded
        (ANNA, VIEW, "sg:13:call"),  # data naming another signal than the one loaded
        (ANNA, VIEW, "sg:12:dance"),
        (SAM, VIEW, "sg:12:call"),  # a client cannot act for the coach
        (replace(ANNA, coach_active=False), VIEW, "sg:12:call"),
        (ANNA, replace(VIEW, standing=False), "sg:12:call"),  # withdrawn by a correction
        (ANNA, replace(VIEW, client_active=False), "sg:12:done"),
        (ANNA, replace(VIEW, chosen=frozenset({SignalAction.DONE})), "sg:12:call"),  # handled
        (ANNA, replace(VIEW, chosen=frozenset({SignalAction.CALL})), "sg:12:call"),  # twice
    ],
)
def test_a_tap_that_is_not_current_changes_nothing(
    person: Person, view: SignalView | None, data: str
) -> None:
    outcome = coach_taps(person, view, data)
    assert outcome.notice == "coach_checkin.signal_not_current"
    assert outcome.effects == () and outcome.replies == ()


@pytest.mark.parametrize(
    "view", [replace(VIEW, phone=None), SignalView(12, 7, "Sam", 1, "Anna", True, True)]
)
def test_i_will_call_without_a_stored_number_tells_the_client_nothing(view: SignalView) -> None:
    """A forged "📞 Ik bel" (or one under an old note, the number removed since): the client
    never hears "Anna belt je zo", nothing is recorded, the coach hears why with the taps that
    still count."""
    outcome = coach_taps(ANNA, view, "sg:12:call")
    assert outcome.effects == () and outcome.chosen is None
    assert [r.to for r in outcome.replies] == [Recipient.SENDER], "nothing to the client"
    [to_anna] = outcome.replies
    texts = load_texts()
    assert texts.render("nl", to_anna.key, to_anna.params) == (
        "Van Sam is geen telefoonnummer bewaard. Daarom zeg ik Sam niet dat je belt. "
        "Bewaren: /telefoon Sam en dan het nummer."
    )
    assert [b.data for row in to_anna.buttons for b in row] == ["sg:12:message", "sg:12:done"]
    assert outcome.notice is not None
    assert texts.render("nl", outcome.notice) == (
        "Geen telefoonnummer bewaard. Er is niets veranderd."
    )
    via_router = route(ANNA, Tap("sg:12:call", 100), NOW, DialogContext(tapped_signal=view))
    assert via_router.effects == () and [r.key for r in via_router.replies] == [to_anna.key]
    # After "💬 Ik stuur een bericht" only "✅ Afgehandeld" is left to offer.
    messaged = replace(view, chosen=frozenset({SignalAction.MESSAGE}))
    [left] = coach_taps(ANNA, messaged, "sg:12:call").replies
    assert [b.data for row in left.buttons for b in row] == ["sg:12:done"]
    # The other taps still count.
    assert coach_taps(ANNA, view, "sg:12:message").effects[0] == RecordSignalAction(
        12, 7, 1, "message"
    )
    assert coach_taps(ANNA, view, "sg:12:done").effects == (RecordSignalAction(12, 7, 1, "done"),)


def test_after_i_will_call_handled_still_counts() -> None:
    called = replace(VIEW, chosen=frozenset({SignalAction.CALL}))
    assert coach_taps(ANNA, called, "sg:12:done").effects == (RecordSignalAction(12, 7, 1, "done"),)


# Sam's chat refuses the bot's messages (403) since Monday 9 November (dialogs.reachability).
BLOCKED = replace(VIEW, unreachable_since=datetime(2026, 11, 9, 9, 0, tzinfo=UTC))
CARD_LINE = (
    "📵 Sinds 9 november kan Sam geen berichten van mij krijgen: misschien heeft Sam mij "
    "geblokkeerd of de chat gestopt. Check-ins wachten tot Sam weer bereikbaar is. "
    "Bel Sam: +31 6 12345678"  # "📞 Ik bel" counts only with a number: the line names it
)


def test_i_will_call_for_a_client_who_cannot_get_messages_tells_the_client_nothing() -> None:
    """Anna taps "📞 Ik bel" while Sam is marked 📵: her choice is recorded as always, but
    nothing goes to Sam (it could not arrive), and she reads what is true (the card's 📵 line)
    instead of "Ik laat Sam weten dat je zo belt."."""
    outcome = coach_taps(ANNA, BLOCKED, "sg:12:call")
    assert outcome.effects == (RecordSignalAction(12, 7, 1, "call"),), "recorded, no AwaitInput"
    assert [r.to for r in outcome.replies] == [Recipient.SENDER], "nothing to Sam"
    [to_anna] = outcome.replies
    texts = load_texts()
    assert to_anna.lead is not None
    shown = f"{texts.render('nl', to_anna.lead, to_anna.params)}\n\n"
    shown += texts.render("nl", to_anna.key, to_anna.params)
    assert shown == f"Genoteerd: jij belt Sam.\n\n{CARD_LINE}"
    assert texts.render("en", to_anna.key, to_anna.params).startswith("📵 Since November 9")
    assert texts.render("en", to_anna.lead, to_anna.params).startswith("Noted: you")
    assert [b.data for row in to_anna.buttons for b in row] == ["sg:12:done"]
    assert outcome.chosen == "coach_checkin.button.call"
    # Handled needs no message to Sam either way; once Sam wrote again it is as before.
    assert coach_taps(ANNA, BLOCKED, "sg:12:done").effects == (
        RecordSignalAction(12, 7, 1, "done"),
    )
    again = coach_taps(ANNA, VIEW, "sg:12:call")
    assert Recipient.CLIENT in [r.to for r in again.replies]


def test_i_will_send_a_message_to_a_client_who_cannot_get_messages_is_tried_as_after_bericht() -> (
    None
):
    """Anna taps "💬 Ik stuur een bericht" while Sam is marked 📵: recorded, nothing to Sam in
    advance ("Anna stuurt je zo een bericht" could not arrive), and Anna reads the warning and
    the question that ``/bericht Sam`` gives while Sam is marked; her next message is for Sam."""
    outcome = coach_taps(ANNA, BLOCKED, "sg:12:message")
    assert outcome.effects == (
        RecordSignalAction(12, 7, 1, "message"),
        AwaitInput(1, "message:7"),
    )
    assert [r.to for r in outcome.replies] == [Recipient.SENDER], "nothing to Sam"
    [to_anna] = outcome.replies
    after_bericht = ask_message("Sam", BLOCKED.unreachable_since)
    assert (to_anna.lead, to_anna.key, to_anna.params) == (
        after_bericht.lead,
        after_bericht.key,
        after_bericht.params,
    )
    texts = load_texts()
    assert to_anna.lead is not None
    shown = f"{texts.render('nl', to_anna.lead, to_anna.params)}\n\n"
    shown += texts.render("nl", to_anna.key, to_anna.params)
    assert shown == (
        "📵 Sinds 9 november kan Sam geen berichten van mij krijgen. Misschien komt je bericht "
        "niet aan.\n\n"
        "Wat wil je naar Sam sturen? Typ het, of stuur een spraakbericht, foto of iets anders. "
        "Toch niets sturen? Typ /annuleer."
    )
    assert "Ik laat Sam weten" not in shown
    assert [b.data for row in to_anna.buttons for b in row] == ["sg:12:done"]
    assert outcome.chosen == "coach_checkin.button.message"
    again = coach_taps(ANNA, VIEW, "sg:12:message")
    assert [r.key for r in again.replies if r.to is Recipient.CLIENT] == ["checkin.coach_writes"]


def test_signal_call_without_a_number_for_a_client_who_cannot_get_messages_records_nothing() -> (
    None
):
    """No number stored goes first, as before: nothing recorded, Anna hears there is none."""
    outcome = coach_taps(ANNA, replace(BLOCKED, phone=None), "sg:12:call")
    assert outcome.effects == () and outcome.notice == "coach_checkin.call_no_phone_short"


def test_the_router_hands_a_signal_tap_to_its_dialog() -> None:
    context = DialogContext(tapped_signal=VIEW)
    outcome = route(ANNA, Tap("sg:12:call", 100), NOW, context)
    assert outcome.effects == (RecordSignalAction(12, 7, 1, "call"),)
    stranger = Person.stranger(300, "nl")
    assert route(stranger, Tap("sg:12:call", 300), NOW, context).effects == ()
    assert stranger.role is Role.STRANGER
