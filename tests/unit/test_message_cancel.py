"""A coach's way out of a message they no longer want to send: ``/annuleer`` or "laat maar"
while their next message is awaited for a client, and "✅ Afgehandeld" under a signal after
"💬 Ik stuur een bericht". Nothing goes to the client, and what the coach types next is
theirs again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.texts import load_texts
from bot.words import load_words
from dialogs.checkin_state import RecordSignalAction
from dialogs.clients import ClientRef
from dialogs.events import Command, Text
from dialogs.outcome import AwaitInput, Keyboard
from dialogs.relay import CoachRelayContext, RelayToClient
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
