"""Someone else's words and a moving pin: what the router does with a forwarded text (never a
check-in answer, never the client's own "hulp", never an answer or choice of theirs: the phone
offer, "Toch niet", consent, stop, a language, read-aloud; words of danger still count), and
what the shell makes of a live location's position updates (nothing). Pure, with a fixed
clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from telegram import Chat, Location, Message, MessageOriginHiddenUser, Update, User

from bot.handlers import incoming_from_update
from bot.render import Menus
from bot.texts import Texts
from dialogs.checkin import saved_state
from dialogs.checkin_state import CheckinState
from dialogs.events import EditedMessage, OtherMessage, Text
from dialogs.outcome import Outcome, RaiseAlert
from dialogs.people import ClientStep, Person
from dialogs.relay import RelayContext
from dialogs.relay_effects import AwaitClientMessage, RelayToCoach
from dialogs.router import DialogContext, route
from tests.unit.people import SAM
from tests.unit.test_checkin_dialog import NOW, WORDS, keys
from tests.unit.test_checkin_dialog import Chat as CheckinChat
from tests.unit.test_checkin_dialog import context as checkin_context

DIRECT = RelayContext(chat_id=500, button_key=b"k" * 32, relay_direct=True)
FIRST_TIME = RelayContext(chat_id=500, button_key=b"k" * 32)


def forward(text: str, message_id: int = 90) -> Text:
    return Text(text, message_id=message_id, chat_id=500, forwarded_from="Kim")


def open_checkin() -> CheckinState:
    """Sam's check-in, asking the grade (nothing answered yet)."""
    state = CheckinChat().state
    assert state is not None and state.answers == {}
    return state


def client_says(
    event: Text,
    state: CheckinState | None = None,
    relay_ctx: RelayContext | None = FIRST_TIME,
    person: Person = SAM,
    **more: Any,
) -> Outcome:
    ctx = DialogContext(
        words=WORDS["nl"],
        checkin=state,
        checkin_context=checkin_context() if state is not None else None,
        client_relay=relay_ctx,
        **more,
    )
    return route(person, event, NOW, ctx)


def relayed(outcome: Outcome) -> list[RelayToCoach]:
    return [e for e in outcome.effects if isinstance(e, RelayToCoach)]


# -- A: a forward during a check-in is a message, never an answer ------------------------------


@pytest.mark.parametrize("text", ["8", "acht", "Afspraak 8 uur", "ja", "Weet ik niet"])
def test_the_router_takes_a_forward_during_a_checkin_as_a_message_for_the_coach(
    text: str,
) -> None:
    state = open_checkin()
    for relay_ctx in (FIRST_TIME, DIRECT):
        outcome = client_says(forward(text), state, relay_ctx)
        assert saved_state(outcome) is None, "nothing answered, the check-in stays where it was"
        assert keys(outcome) == ["relay.sent", "checkin.continue", "questions.grade"]
        assert relayed(outcome) == [RelayToCoach(7, 500, 90, "text", forwarded_from="Kim")]
    # Typed by Sam, the same words are an answer (or "Dat begrijp ik niet." with the offer to
    # send them: nothing goes without his yes), as before.
    assert saved_state(client_says(Text("8", 91, 500), state)) is not None
    retried = client_says(Text("Afspraak 8 uur", 92, 500), state)
    assert keys(retried) == ["checkin.not_understood", "relay.confirm"]
    assert relayed(retried) == []


def test_the_router_without_a_relay_asks_a_forward_s_question_again_and_saves_nothing() -> None:
    state = open_checkin()
    outcome = client_says(forward("8"), state, relay_ctx=None)
    assert saved_state(outcome) is None and relayed(outcome) == []
    assert keys(outcome) == ["checkin.continue", "questions.grade"]


# -- B: a forwarded "hulp" is someone else's; forwarded danger still counts ----------------------


@pytest.mark.parametrize("text", ["Help", "hulp!", "SOS", "ik ben bang"])
def test_the_router_passes_a_forwarded_help_word_on_without_the_noodknop(text: str) -> None:
    typed = client_says(Text(text, 89, 500))
    assert "help_words.offer" in keys(typed)  # Sam's own words: the noodknop, as before
    outcome = client_says(forward(text))
    assert keys(outcome) == ["relay.sent"]  # as any forward: at once, no "send this?"
    assert relayed(outcome) == [RelayToCoach(7, 500, 90, "text", forwarded_from="Kim")]
    assert relayed(outcome)[0].header is None, "no 'typed a help word' header for the coach"
    during = client_says(forward(text), open_checkin())
    assert keys(during) == ["relay.sent", "checkin.continue", "questions.grade"]
    assert saved_state(during) is None


def test_the_router_still_raises_an_alert_for_forwarded_words_of_danger() -> None:
    """The bot cannot tell whose "ik wil dood" it is: as typed, an alert and the numbers."""
    typed = client_says(Text("ik wil dood", 90, 500))
    outcome = client_says(forward("ik wil dood"))
    assert outcome == typed
    assert [e for e in outcome.effects if isinstance(e, RaiseAlert)] == [
        RaiseAlert(client_id=7, words=(500, 90))
    ]
    assert "help_words.numbers" in keys(outcome)
    during = client_says(forward("ik wil dood"), open_checkin())
    assert saved_state(during) is None and "help_words.numbers" in keys(during)


def test_the_router_gives_a_forwarded_hulp_before_joining_no_help_line() -> None:
    joining = replace(SAM, client_step=ClientStep.CONSENT_PENDING)
    assert "help_words.outside" in keys(client_says(Text("hulp", 89, 500), person=joining))
    forwarded = keys(client_says(forward("hulp"), person=joining))
    assert "help_words.outside" not in forwarded and forwarded  # the question again
    assert "help_words.numbers" in keys(client_says(forward("ik wil dood"), person=joining))


# -- C: a live location's position updates are no edited message ------------------------------

SAM_USER = User(500, "Sam", is_bot=False)
PRIVATE = Chat(500, Chat.PRIVATE)


def _message(**fields: Any) -> Message:
    return Message(42, NOW, PRIVATE, from_user=SAM_USER, **fields)


def _live(latitude: float) -> Location:
    return Location(4.9, latitude, live_period=3600)


def test_a_forwarded_update_and_a_live_locations_first_message(texts: Texts) -> None:
    menus = Menus(texts)
    first = incoming_from_update(Update(1, message=_message(location=_live(52.36))), menus)
    assert first is not None and first.event == OtherMessage("location", 42, 500)
    origin = MessageOriginHiddenUser(NOW - timedelta(hours=1), "Kim")
    sent = incoming_from_update(Update(2, message=_message(text="8", forward_origin=origin)), menus)
    assert sent is not None and sent.event == Text("8", 42, 500)
    assert isinstance(sent.event, Text) and sent.event.forwarded_from == "Kim"


def test_a_live_location_moving_is_no_edited_message(texts: Texts) -> None:
    menus = Menus(texts)
    moved = _message(location=_live(52.37), edit_date=NOW + timedelta(minutes=1))
    assert incoming_from_update(Update(3, edited_message=moved), menus) is None
    stopped = _message(location=Location(4.9, 52.38), edit_date=NOW + timedelta(minutes=9))
    assert incoming_from_update(Update(4, edited_message=stopped), menus) is None
    # An edited text is still answered ("Je hebt een bericht veranderd...").
    edited = _message(text="Ik kom om 9 uur", edit_date=NOW + timedelta(minutes=2))
    incoming = incoming_from_update(Update(5, edited_message=edited), menus)
    assert incoming is not None and incoming.event == EditedMessage()


# -- D: a forward answers no question the bot asked: the phone offer, "Toch niet", joining ----

OFFERED = replace(SAM, phone_offer_open=True)  # the "share your number?" keyboard shows
WRITING = replace(FIRST_TIME, awaiting_message=True)  # after "💬 Bericht aan coach"


@pytest.mark.parametrize("text", ["Nee", "ja", "Liever niet"])
def test_a_forwarded_yes_or_no_does_not_answer_the_phone_offer(text: str) -> None:
    typed = client_says(Text(text, 89, 500), person=OFFERED)
    assert relayed(typed) == [] and keys(typed)[0].startswith("phone.")  # Sam's own: an answer
    outcome = client_says(forward(text), person=OFFERED)
    assert keys(outcome) == ["relay.sent"], "Kim's words go to Anna, as any forward"
    assert relayed(outcome) == [RelayToCoach(7, 500, 90, "text", forwarded_from="Kim")]


def test_a_forwarded_toch_niet_goes_to_the_coach_instead_of_cancelling() -> None:
    typed = client_says(Text("toch niet", 89, 500), relay_ctx=WRITING)
    assert keys(typed) == ["relay.cancelled"] and relayed(typed) == []
    outcome = client_says(forward("Toch niet"), relay_ctx=WRITING)
    assert keys(outcome) == ["relay.sent"]
    assert outcome.effects == (
        RelayToCoach(7, 500, 90, "text", forwarded_from="Kim"),
        AwaitClientMessage(7, False),  # the message went: the mode is over, as it always is
    )
    during = client_says(forward("laat maar"), open_checkin(), relay_ctx=WRITING)
    assert keys(during) == ["relay.sent", "checkin.continue", "questions.grade"]
    assert saved_state(during) is None and len(relayed(during)) == 1


@pytest.mark.parametrize(
    "step", [ClientStep.CONSENT_PENDING, ClientStep.DECLINED, ClientStep.VOICE_PENDING]
)
def test_a_forwarded_ja_is_no_consent_and_no_read_aloud_choice(step: ClientStep) -> None:
    joining = replace(SAM, client_step=step, take_back_until=NOW + timedelta(days=3))
    typed = client_says(Text("ja", 89, 500), person=joining)
    assert typed.effects, "Sam's own 'ja' answers the question (consent, or read aloud on)"
    asked_again = keys(client_says(Text("wat?", 89, 500), person=joining))
    for text in ("ja", "Nee", "voorlezen", "alleen tekst", "English"):
        outcome = client_says(forward(text), person=joining)
        assert outcome.effects == () and keys(outcome) == asked_again, text


@pytest.mark.parametrize(
    "text", ["stop", "Wat weet je van mij?", "English", "voorlezen", "niet voorlezen"]
)
def test_no_other_typed_choice_is_made_by_a_forward(text: str) -> None:
    """What the client may type to stop, ask for their data, choose a language or switch
    read-aloud: from someone else it is a message, at once, nothing chosen."""
    typed = client_says(Text(text, 89, 500))
    assert relayed(typed) == [] and keys(typed) != ["relay.confirm"]
    outcome = client_says(forward(text))
    assert keys(outcome) == ["relay.sent"]
    assert outcome.effects == (RelayToCoach(7, 500, 90, "text", forwarded_from="Kim"),)
