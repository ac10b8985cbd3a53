"""A coach's way out of a message they no longer want to send: ``/annuleer`` or "laat maar"
while their next message is awaited for a client, and "✅ Afgehandeld" under a signal after
"💬 Ik stuur een bericht". Nothing goes to the client, and what the coach types next is
theirs again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.texts import load_texts
from bot.words import load_words
from dialogs.card_view import CardContext, ContactKind, LoggedContact
from dialogs.checkin_state import RecordSignalAction
from dialogs.clients import ClientRef
from dialogs.contact_effects import SetContactNote
from dialogs.events import Command, Tap, Text
from dialogs.noodknop import AlertView, EscalationPolicy, check_closing
from dialogs.outcome import (
    AcknowledgeAlert,
    AwaitInput,
    CloseAlert,
    EscalateAlert,
    Keyboard,
    Outcome,
    Recipient,
    Reply,
)
from dialogs.people import Person
from dialogs.relay import (
    CoachRelayContext,
    RelayToClient,
    awaiting_message,
    awaiting_message_for,
    start_message,
)
from dialogs.relay_effects import PromiseMessage
from dialogs.router import DialogContext, route
from dialogs.signal_actions import SignalView, coach_taps
from tests.unit.people import ANNA, SAM

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
WORDS = load_words("nl")
AWAITING = replace(ANNA, awaiting="message:7")  # after /bericht Sam (or the card, or 💬)
TO_SAM = CoachRelayContext(awaiting_client=ClientRef(7, "Sam"))
VIEW = SignalView(
    signal_id=12,
    client_id=SAM.id or 0,
    client_name="Sam",
    coach_id=ANNA.id or 0,
    coach_name="Anna",
    client_active=True,
    standing=True,
)
BLOCKED = replace(VIEW, unreachable_since=datetime(2026, 11, 9, 9, 0, tzinfo=UTC))


def _text(words: str, **changes: object) -> Text:
    return Text(words, message_id=55, chat_id=100, **changes)  # type: ignore[arg-type]


# -- ✅ Afgehandeld after 💬 --------------------------------------------------------------------


@pytest.mark.parametrize("view", [VIEW, BLOCKED], ids=["reachable", "unreachable"])
def test_handled_after_i_will_send_a_message_stops_waiting_for_the_message(
    view: SignalView,
) -> None:
    outcome = coach_taps(AWAITING, view, "sg:12:done")
    assert outcome.effects == (RecordSignalAction(12, 7, 1, "done"), AwaitInput(1, None))
    assert [r.key for r in outcome.replies] == ["coach_checkin.handled"]


def test_handled_keeps_a_message_awaited_for_another_client() -> None:
    for person in (ANNA, replace(ANNA, awaiting="message:8")):
        outcome = coach_taps(person, VIEW, "sg:12:done")
        assert outcome.effects == (RecordSignalAction(12, 7, 1, "done"),)


# -- /annuleer and "laat maar" ----------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [Command("annuleer"), Command("cancel"), _text("laat maar"), _text("  Toch niet! ")],
)
def test_cancel_while_a_message_is_awaited_sends_nothing_and_says_so(
    event: Command | Text,
) -> None:
    outcome = route(AWAITING, event, NOW, DialogContext(coach_relay=TO_SAM, words=WORDS["nl"]))
    assert outcome.effects == (AwaitInput(1, None),)
    [told] = outcome.replies
    assert (told.key, told.keyboard) == ("coach_relay.cancelled", Keyboard.COACH_MENU)
    texts = load_texts()
    assert texts.render("nl", told.key, told.params) == "Oké, ik stuur niets."
    assert texts.render("en", told.key, told.params) == "Okay, I will not send anything."


def test_an_english_coach_cancels_with_their_own_words() -> None:
    english = replace(AWAITING, language="en")
    context = DialogContext(coach_relay=TO_SAM, words=WORDS["en"])
    for event in (_text("never mind"), Command("cancel")):
        assert [r.key for r in route(english, event, NOW, context).replies] == [
            "coach_relay.cancelled"
        ]


def test_a_sentence_and_a_forward_go_on_to_the_client() -> None:
    context = DialogContext(coach_relay=TO_SAM, words=WORDS["nl"])
    for event in (_text("Laat maar, ik bel je morgen."), _text("laat maar", forwarded_from="Jan")):
        outcome = route(AWAITING, event, NOW, context)
        assert [r.key for r in outcome.replies] == ["coach_relay.sent"], event
        assert any(isinstance(e, RelayToClient) and e.client_id == 7 for e in outcome.effects)


def test_a_reply_is_no_cancel_and_the_message_stays_awaited() -> None:
    """A reply names its own client: "laat maar" in reply to Jan's message is never a cancel
    of the message for Sam (here it answers no client's message, so nothing goes anywhere)."""
    event = _text("laat maar", reply_to=9)
    outcome = route(AWAITING, event, NOW, DialogContext(coach_relay=TO_SAM, words=WORDS["nl"]))
    assert [r.key for r in outcome.replies] == ["coach_relay.reply_unknown"]
    assert outcome.effects == ()


def test_without_an_awaited_message_cancel_words_are_no_cancel() -> None:
    for person in (ANNA, replace(ANNA, awaiting="client_name@20261130T1000")):
        for event in (Command("annuleer"), _text("laat maar")):
            outcome = route(person, event, NOW, DialogContext(words=WORDS["nl"]))
            assert "coach_relay.cancelled" not in [r.key for r in outcome.replies], event


def test_cancel_with_nothing_awaited_says_there_is_nothing_to_stop() -> None:
    outcome = route(replace(ANNA, awaiting=None), Command("annuleer"), NOW, DialogContext())
    assert [r.key for r in outcome.replies] == ["coach_relay.nothing_to_cancel"]
    assert load_texts().render("nl", "coach_relay.nothing_to_cancel") == (
        "Er staat geen bericht klaar. Ik stuur niets."
    )
    assert not outcome.effects


# -- a wait after a promise to the client ("Anna stuurt je zo een bericht") -----------------

PROMISED = replace(ANNA, awaiting="message:7")  # after 💬 (reachable) or an alert pick-up
# The promise as the shell loads it from the client (``client.message_promised_by``).
OWED = replace(TO_SAM, promised=(ClientRef(7, "Sam"),))
REMINDER_NL = (
    "Let op: ik heb Sam gezegd dat je een bericht stuurt. Toch iets sturen? Typ /bericht Sam."
)
REMINDER_EN = (
    "Note: I told Sam that you will send a message. Want to send something after all?"
    " Type /message Sam."
)


def _shown(language: str, reply: Reply) -> str:
    """The text as the coach reads it: the lead above the reply, as ``bot.render`` joins them."""
    texts = load_texts()
    body = texts.render(language, reply.key, reply.params)
    return f"{texts.render(language, reply.lead, reply.params)}\n\n{body}" if reply.lead else body


@pytest.mark.parametrize(
    "awaiting, expected",
    [
        ("message:7", 7),
        # The form of a wait that held a promise before it was kept on the client: still read.
        ("message:7:told", 7),
        ("message:999999999999:told", 999999999999),
        ("message:7:", None),
        ("message:7:tol", None),
        ("message:7:toldx", None),
        ("message::told", None),
        (None, None),
    ],
)
def test_the_wait_names_the_client(awaiting: str | None, expected: int | None) -> None:
    assert awaiting_message_for(awaiting) == expected


def test_the_wait_is_written_as_it_is_read() -> None:
    assert awaiting_message_for(awaiting_message(7)) == 7
    assert len(awaiting_message(999999999999)) <= 32  # Coach.awaiting's column


def test_the_setters_remember_a_promise_only_when_one_was_made() -> None:
    reachable = coach_taps(ANNA, VIEW, "sg:12:message")
    blocked = coach_taps(ANNA, BLOCKED, "sg:12:message")
    assert AwaitInput(1, "message:7") in reachable.effects
    assert PromiseMessage(7, 1) in reachable.effects  # Sam reads "Anna stuurt je zo ..."
    assert AwaitInput(1, "message:7") in blocked.effects
    assert not any(isinstance(e, PromiseMessage) for e in blocked.effects)  # Sam is told nothing
    sam = (ClientRef(7, "Sam"), ClientRef(8, "Jan"))
    assert start_message(ANNA, "Sam", sam).effects == (AwaitInput(1, "message:7"),)
    # Asked anew, nothing is promised (the promise already made is kept on the client).
    assert start_message(PROMISED, "Sam", sam).effects == (AwaitInput(1, "message:7"),)
    assert start_message(PROMISED, "Jan", sam).effects == (AwaitInput(1, "message:8"),)


@pytest.mark.parametrize("event", [Command("annuleer"), _text("laat maar")])
def test_cancel_after_a_promise_reminds_the_coach_of_it(event: Command | Text) -> None:
    outcome = route(PROMISED, event, NOW, DialogContext(coach_relay=OWED, words=WORDS["nl"]))
    assert outcome.effects == (AwaitInput(1, None),)  # nothing sent, the wait ends
    [told] = outcome.replies
    assert told.keyboard is Keyboard.COACH_MENU
    assert _shown("nl", told) == f"Oké, ik stuur niets.\n\n{REMINDER_NL}"
    assert _shown("en", told) == f"Okay, I will not send anything.\n\n{REMINDER_EN}"


def test_cancel_for_a_client_no_longer_taking_part_reminds_of_nothing() -> None:
    """The shell found no active client of Anna's for the wait: nothing to keep."""
    outcome = route(PROMISED, Command("annuleer"), NOW, DialogContext(words=WORDS["nl"]))
    assert [r.key for r in outcome.replies] == ["coach_relay.cancelled"]
    assert outcome.effects == (AwaitInput(1, None),)


def test_handled_after_a_promise_says_nothing_untrue_and_reminds_the_coach() -> None:
    outcome = coach_taps(PROMISED, replace(VIEW, promised=True), "sg:12:done")
    assert outcome.effects == (RecordSignalAction(12, 7, 1, "done"), AwaitInput(1, None))
    [told] = outcome.replies
    assert _shown("nl", told) == f"Genoteerd als afgehandeld. Ik stuur niets.\n\n{REMINDER_NL}"
    assert _shown("en", told) == f"Noted as handled. I will not send anything.\n\n{REMINDER_EN}"
    assert "geen bericht over" not in _shown("nl", told)


def test_handled_under_another_clients_signal_leaves_a_promise_to_sam_alone() -> None:
    jan = replace(VIEW, client_id=8, client_name="Jan")
    outcome = coach_taps(PROMISED, jan, "sg:12:done")
    assert outcome.effects == (RecordSignalAction(12, 8, 1, "done"),)
    assert [r.key for r in outcome.replies] == ["coach_checkin.handled"]


# -- acting on another client's alert ends the wait for Sam's message --------------------------

KIM_ALERT = AlertView(
    id=3,
    client_id=9,
    client_name="Kim",
    coach_name="Anna",
    pressed_at=NOW,
    recipient_coach_ids=frozenset({1}),
    recipient_chat_ids=frozenset({100}),
    coach_id=1,
    asked_coach_ids=frozenset({1}),
    client_phone="+31612345678",
)
PICKED_UP = replace(KIM_ALERT, acknowledged_by="Anna", acknowledged_by_id=1, acknowledged_at=NOW)
ENDED_NL = "Je bericht aan Sam stuur ik niet. Wil je Sam nog iets sturen? Typ /bericht Sam."
ENDED_EN = (
    "I will not send your message to Sam. Want to send Sam something after all? Type /message Sam."
)


def _tap_alert(
    person: Person,
    alert: AlertView,
    data: str,
    relay: CoachRelayContext = TO_SAM,
    chat_id: int = 100,  # Anna's private chat
) -> Outcome:
    return route(
        person,
        Tap(data, chat_id=chat_id),
        NOW,
        DialogContext(tapped_alert=alert, coach_relay=relay),
    )


@pytest.mark.parametrize(
    "alert, data, done",
    [
        (KIM_ALERT, "al:3:ack", AcknowledgeAlert(3, 1)),
        (KIM_ALERT, "al:3:pass", EscalateAlert(3, by_coach_id=1)),
        (PICKED_UP, "al:3:close:talked", CloseAlert(3, 1, "talked")),
    ],
    ids=["pick-up", "pass", "close"],
)
def test_acting_on_kims_alert_ends_the_wait_for_sams_message(
    alert: AlertView, data: str, done: object
) -> None:
    outcome = _tap_alert(AWAITING, alert, data)
    assert done in outcome.effects
    assert outcome.effects[-1] == AwaitInput(1, None)
    said = outcome.replies[-1]
    assert _shown("nl", said) == ENDED_NL and _shown("en", said) == ENDED_EN
    assert said.to is Recipient.ACTOR  # Anna's own chat: the same as the sender's here


def test_a_tap_in_the_team_group_ends_the_wait_naming_sam_only_in_annas_own_chat() -> None:
    """The group sees Kim's alert, not who else Anna writes to: the line that names Sam goes
    to Anna's own chat (``Recipient.ACTOR``), never to the group (the sender's chat)."""
    outcome = _tap_alert(AWAITING, KIM_ALERT, "al:3:ack", chat_id=-900)
    assert outcome.effects[-1] == AwaitInput(1, None)
    naming = [reply for reply in outcome.replies if "Sam" in _shown("nl", reply)]
    assert [reply.to for reply in naming] == [Recipient.ACTOR]
    assert _shown("nl", naming[0]) == ENDED_NL


def test_a_promise_to_sam_is_recalled_when_kims_alert_ends_the_wait() -> None:
    outcome = _tap_alert(PROMISED, KIM_ALERT, "al:3:ack", OWED)
    assert outcome.effects[-1] == AwaitInput(1, None)
    assert (
        _shown("nl", outcome.replies[-1]) == f"Je bericht aan Sam stuur ik niet.\n\n{REMINDER_NL}"
    )
    assert _shown("en", outcome.replies[-1]) == (
        f"I will not send your message to Sam.\n\n{REMINDER_EN}"
    )


def test_a_pick_up_without_a_phone_number_makes_the_next_message_kims() -> None:
    """The pick-up's own wait (for Kim, who was told a message is coming) wins."""
    outcome = _tap_alert(AWAITING, replace(KIM_ALERT, client_phone=None), "al:3:ack")
    waits = [e for e in outcome.effects if isinstance(e, AwaitInput)]
    assert waits == [AwaitInput(1, "message:9")]
    assert PromiseMessage(9, 1) in outcome.effects  # Kim reads "Anna stuurt je zo ..."
    assert _shown("nl", outcome.replies[-1]) == ENDED_NL


def test_a_pick_up_promises_nothing_the_client_cannot_read_or_be_sent() -> None:
    """Kim's chat refuses messages, or her support ended: the wait is set, no promise stored."""
    blocked = replace(KIM_ALERT, client_phone=None, client_unreachable_since=NOW)
    ended = replace(KIM_ALERT, client_phone=None, client_ended=True)
    for alert in (blocked, ended):
        outcome = _tap_alert(ANNA, alert, "al:3:ack")
        assert AwaitInput(1, "message:9") in outcome.effects
        assert not any(isinstance(e, PromiseMessage) for e in outcome.effects)


def test_the_alerts_close_reminds_only_the_clients_own_coach_to_type_bericht() -> None:
    """A backup who picked it up cannot /bericht Kim: their reminder names what works for
    them (``tests/unit/test_promise_reminder.py``), never "Typ /bericht Kim"."""
    policy = EscalationPolicy()
    owed = replace(PICKED_UP, client_phone=None, message_promised=True, settled_at=NOW)
    later = NOW + policy.close_remind_after
    keys = [r.key for r in check_closing(owed, later, policy).replies]
    assert keys == ["alert.close_reminder", "coach_relay.told_reminder"]
    by_bram = replace(owed, acknowledged_by="Bram", acknowledged_by_id=2)
    assert [r.key for r in check_closing(by_bram, later, policy).replies] == [
        "alert.close_reminder",
        "coach_relay.told_reminder_backup_no_phone",
    ]


def test_sams_own_alert_and_taps_that_do_nothing_leave_the_wait_alone() -> None:
    sams = replace(KIM_ALERT, client_id=7, client_name="Sam")
    for outcome in (
        _tap_alert(AWAITING, sams, "al:3:ack"),  # about Sam: what she types is for Sam
        _tap_alert(AWAITING, PICKED_UP, "al:3:ack"),  # already taken: nothing done
        _tap_alert(AWAITING, replace(KIM_ALERT, recipient_coach_ids=frozenset()), "al:3:ack"),
    ):
        assert not any(isinstance(e, AwaitInput) for e in outcome.effects)
        assert "coach_relay.alert_ends_wait" not in [r.key for r in outcome.replies]


def test_a_wait_for_a_client_no_longer_taking_part_ends_without_a_word() -> None:
    outcome = _tap_alert(AWAITING, KIM_ALERT, "al:3:ack", CoachRelayContext())
    assert outcome.effects[-1] == AwaitInput(1, None)
    assert not any(r.key.startswith("coach_relay.alert_ends") for r in outcome.replies)


# -- one cancel rule for every wait: a contact's note, a new client's name ---------------------

NOTING = replace(ANNA, awaiting="note:40")
CALLED = LoggedContact(40, 7, 1, NOW - timedelta(minutes=2), ContactKind.CALL, client_name="Sam")


@pytest.mark.parametrize("event", [Command("annuleer"), Command("cancel"), _text("laat maar")])
def test_cancel_while_a_note_is_asked_stores_none_and_says_the_contact_is_kept(
    event: Command | Text,
) -> None:
    context = DialogContext(client_card=CardContext(noting=CALLED), words=WORDS["nl"])
    outcome = route(NOTING, event, NOW, context)
    assert outcome.effects == (AwaitInput(1, None),)  # no SetContactNote
    [said] = outcome.replies
    assert said.keyboard is Keyboard.COACH_MENU
    assert _shown("nl", said) == "Oké, geen notitie. Het contact met Sam is wel bewaard."
    assert _shown("en", said) == "Okay, no note. The contact with Sam is saved."


def test_cancel_after_the_note_question_is_past_says_only_what_is_true() -> None:
    late = replace(CALLED, at=NOW - timedelta(hours=2))
    for ctx in (CardContext(noting=late), CardContext()):  # too late; the contact is gone
        outcome = route(
            NOTING, _text("laat maar"), NOW, DialogContext(client_card=ctx, words=WORDS["nl"])
        )
        assert outcome.effects == (AwaitInput(1, None),)
        assert [_shown("nl", r) for r in outcome.replies] == ["Oké, geen notitie."]


def test_a_note_that_is_not_a_cancel_is_still_the_note() -> None:
    context = DialogContext(client_card=CardContext(noting=CALLED), words=WORDS["nl"])
    noted = route(NOTING, _text("laat maar even rusten"), NOW, context)
    assert SetContactNote(40, 1, "laat maar even rusten") in noted.effects
    forwarded = route(NOTING, _text("laat maar", forwarded_from="Bram"), NOW, context)
    assert [r.key for r in forwarded.replies] == ["client_card.note_forwarded"]


@pytest.mark.parametrize("event", [Command("annuleer"), _text("laat maar")])
def test_cancel_while_a_new_clients_name_is_asked_invites_nobody(event: Command | Text) -> None:
    asked = replace(ANNA, awaiting=f"client_name@{NOW:%Y%m%dT%H%M}")
    outcome = route(asked, event, NOW, DialogContext(words=WORDS["nl"]))
    assert outcome.effects == (AwaitInput(1, None),)  # no InviteClient
    assert [_shown("nl", r) for r in outcome.replies] == ["Oké, ik maak geen nieuwe cliënt aan."]
    assert [_shown("en", r) for r in outcome.replies] == ["Okay, I will not add a new client."]
