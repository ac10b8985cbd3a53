"""A client's emoji reaction, decided in the dialog (``dialogs.relay.client_reacts``): under
their coach's relayed message the coach gets a silent notice; anywhere else, while a check-in
question is open, the client hears how to answer it; otherwise, and for a removal, nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.checkins import load_question_books
from bot.texts import load_texts
from bot.words import load_words
from dialogs import relay
from dialogs.checkin import CheckinContext, saved_state, start_checkin
from dialogs.events import Reaction
from dialogs.outcome import At, Outcome, Recipient, Reply
from dialogs.people import ClientStep, Person
from dialogs.relay import RelayView
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, SAM

NOW = datetime(2026, 11, 9, 13, 30, tzinfo=UTC)
SENT = NOW - timedelta(minutes=25)
TEXTS = load_texts("nl")
DUTCH = load_words("nl")["nl"]
HINT = Reply("checkin.reaction_hint")
# Anna's message to Sam (SAM.id 7), as the shell loads it for the message reacted on.
ANNAS = RelayView(
    relay_id=3,
    client_id=7,
    coach_id=1,
    client_name="Sam",
    coach_name="Anna",
    direction="to_client",
    sent_at=SENT,
)


def thumbs(new: tuple[str, ...] = ("👍",), old: tuple[str, ...] = ()) -> Reaction:
    return Reaction(message_id=42, chat_id=500, old=old, new=new)


def notice(emoji: str) -> Reply:
    names = {"client": "Sam", "emoji": emoji, "sent": At(SENT, NOW)}
    return Reply("coach_relay.reacted", names, to=Recipient.COACH)


def test_under_the_coachs_message_the_coach_gets_a_notice_and_the_client_nothing() -> None:
    for asked in (False, True):  # an open check-in changes nothing here
        outcome = relay.client_reacts(SAM, thumbs(), NOW, ANNAS, asked)
        assert outcome == Outcome(replies=(notice("👍"),))
    told = outcome.replies[0]
    rendered = TEXTS.render("nl", told.key, told.params)
    assert rendered == "Sam reageerde met 👍 op je bericht van 14:05."


def test_only_the_emoji_just_added_are_told() -> None:
    changed = relay.client_reacts(SAM, thumbs(("❤", "👍", "🙏"), ("👍",)), NOW, ANNAS)
    assert changed.replies == (notice("❤ 🙏"),)


@pytest.mark.parametrize(
    "other",
    [
        None,  # a message that is no relay: the bot's own text, a check-in question
        RelayView(3, 7, 1, "Sam", "Anna", "to_coach", sent_at=SENT),  # Sam's own message
        RelayView(3, 7, 2, "Sam", "Bram", "to_client", client_active=False, sent_at=SENT),
        RelayView(3, 8, 1, "Jan", "Anna", "to_client", sent_at=SENT),  # not Sam's relay
        RelayView(3, 7, 1, "Sam", "Anna", "to_client"),  # not known when it was sent
    ],
)
def test_anywhere_else_the_client_hears_how_to_answer_an_open_question(
    other: RelayView | None,
) -> None:
    assert relay.client_reacts(SAM, thumbs(), NOW, other, checkin_open=True) == Outcome(
        replies=(HINT,)
    )
    assert relay.client_reacts(SAM, thumbs(), NOW, other, checkin_open=False) == Outcome()


def test_the_hint_says_what_to_do() -> None:
    [hint] = relay.client_reacts(SAM, thumbs(), NOW, None, checkin_open=True).replies
    assert TEXTS.render("nl", hint.key) == "Kies een knop onder de vraag, of typ je antwoord."
    assert TEXTS.render("en", hint.key) == (
        "Choose a button under the question, or type your answer."
    )


def test_the_hint_comes_once_per_message_not_again_for_a_swapped_reaction() -> None:
    # 👍 then ❤ on the same message (Telegram sends 👍 as the old one): one hint, not two.
    swapped = relay.client_reacts(SAM, thumbs(("❤",), ("👍",)), NOW, None, checkin_open=True)
    assert swapped == Outcome()


def test_taking_a_reaction_away_says_nothing() -> None:
    for under in (ANNAS, None):
        assert relay.client_reacts(SAM, thumbs((), ("👍",)), NOW, under, True) == Outcome()
        assert relay.client_reacts(SAM, thumbs(("👍",), ("👍",)), NOW, under, True) == Outcome()


@pytest.mark.parametrize(
    "person",
    [
        ANNA,
        Person.stranger(900, "nl"),
        replace(SAM, client_step=ClientStep.ENDED),
        replace(SAM, client_step=ClientStep.CONSENT_PENDING),
    ],
)
def test_from_anyone_but_an_active_client_nothing(person: Person) -> None:
    for under in (ANNAS, None):
        assert relay.client_reacts(person, thumbs(), NOW, under, True) == Outcome()


def test_the_router_gives_the_rule_the_loaded_relay_and_the_open_question() -> None:
    questions = load_question_books()["nl"].current
    checkin_ctx = CheckinContext(client_id=7, coach="Anna", questions=questions, words=DUTCH)
    state = saved_state(start_checkin(41, NOW, checkin_ctx))
    assert state is not None
    asked = DialogContext(words=DUTCH, checkin=state, checkin_context=checkin_ctx)
    assert route(SAM, thumbs(), NOW, asked).replies == (HINT,)
    assert route(SAM, thumbs(), NOW, DialogContext(words=DUTCH)).replies == ()
    under_annas = DialogContext(words=DUTCH, checkin=state, reacted_relay=ANNAS)
    assert route(SAM, thumbs(), NOW, under_annas).replies == (notice("👍"),)
