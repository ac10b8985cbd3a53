"""Message mode and the client's language as transcripts of the router (issue 14, points 7
and 8): what each press or typed word decides, with a fixed clock and no shell."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.words import load_words
from dialogs.events import Command, MenuItem, MenuPress, Tap, Text
from dialogs.outcome import InviteClient, SetClientLanguage
from dialogs.people import ClientStep
from dialogs.relay import RelayContext
from dialogs.relay_effects import AwaitClientMessage, RelayToCoach
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, SAM

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WORDS = load_words("nl")["nl"]
WAITING = DialogContext(client_relay=RelayContext(chat_id=500, awaiting_message=True), words=WORDS)
NOT_WAITING = DialogContext(client_relay=RelayContext(chat_id=500), words=WORDS)


def test_the_menu_button_asks_with_toch_niet_under_it() -> None:
    outcome = route(SAM, MenuPress(MenuItem.MESSAGE_COACH), NOW, NOT_WAITING)
    [asked] = outcome.replies
    assert asked.key == "relay.ask" and asked.buttons[0][0].data == "mx"
    assert outcome.effects == (AwaitClientMessage(7, True),)


def test_toch_niet_typed_or_pressed_ends_the_waiting_and_says_nothing_was_sent() -> None:
    for event in (Text("toch niet", message_id=9), Text("Laat maar!", message_id=9), Tap("mx")):
        outcome = route(SAM, event, NOW, WAITING)
        assert [r.key for r in outcome.replies] == ["relay.cancelled"], event
        assert outcome.effects == (AwaitClientMessage(7, False),)
        assert not any(isinstance(e, RelayToCoach) for e in outcome.effects)


def test_toch_niet_when_nothing_is_awaited() -> None:
    assert route(SAM, Tap("mx"), NOW, NOT_WAITING).notice == "common.question_closed"
    typed = route(SAM, Text("toch niet", message_id=9), NOW, NOT_WAITING)
    assert [r.key for r in typed.replies] == ["relay.confirm"]  # an ordinary message


def test_another_menu_button_ends_the_waiting() -> None:
    for item in (MenuItem.CHECKIN, MenuItem.NOODKNOP):
        outcome = route(SAM, MenuPress(item), NOW, WAITING)
        assert AwaitClientMessage(7, False) in outcome.effects, item
    assert (
        AwaitClientMessage(7, False)
        not in route(SAM, MenuPress(MenuItem.CHECKIN), NOW, NOT_WAITING).effects
    )


def test_a_language_name_switches_and_the_same_one_is_said_to_be_so() -> None:
    outcome = route(SAM, Text("English", message_id=3), NOW, NOT_WAITING)
    assert outcome.effects == (SetClientLanguage(7, "en"),)
    assert [r.key for r in outcome.replies] == ["language.switched"]
    same = route(SAM, Text("Nederlands", message_id=3), NOW, NOT_WAITING)
    assert same.effects == () and [r.key for r in same.replies] == ["language.already"]


def test_taal_offers_a_button_per_language_and_only_known_ones_count() -> None:
    offered = route(SAM, Command("taal", ""), NOW, NOT_WAITING)
    assert [b.data for row in offered.replies[0].buttons for b in row] == ["lg:en", "lg:nl"]
    assert route(SAM, Tap("lg:en"), NOW, NOT_WAITING).effects == (SetClientLanguage(7, "en"),)
    assert route(SAM, Tap("lg:xx"), NOW, NOT_WAITING).notice == "common.button_unknown"


def test_during_consent_the_question_comes_again_in_the_new_language() -> None:
    joining = replace(SAM, client_step=ClientStep.CONSENT_PENDING)
    outcome = route(joining, Text("engels", message_id=3), NOW, DialogContext(words=WORDS))
    assert outcome.effects == (SetClientLanguage(7, "en"),)
    keys = [r.key for r in outcome.replies]
    assert keys[0] == "language.switched" and keys[-1] == "onboarding.consent_question"


def test_a_coach_names_the_language_after_the_name() -> None:
    context = DialogContext(words=WORDS)
    english = route(ANNA, Command("nieuw", "Sam de Vries English"), NOW, context)
    assert InviteClient(1, "Sam de Vries", "en") in english.effects
    assert "coach.client_language" in [r.key for r in english.replies]
    plain = route(ANNA, Command("nieuw", "English"), NOW, context)
    assert InviteClient(1, "English", None) in plain.effects  # a name alone stays a name
