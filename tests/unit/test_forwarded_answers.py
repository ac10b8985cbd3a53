"""Someone else's words are never an answer of the coach's, nor hidden as the client's own: a
forwarded text while a new client's name is asked is not the name (the coach is asked to type
it, the question stays open), and a former client's forward reaches the former coach saying it
was forwarded and from whom. Pure, with a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.texts import load_texts
from bot.words import load_words
from dialogs.coach import awaits_name
from dialogs.ended import FORMER_CLIENT_FORWARDED_HEADER, FORMER_CLIENT_HEADER, EndedView
from dialogs.events import MenuItem, MenuPress, Text
from dialogs.outcome import AwaitInput, InviteClient, Outcome
from dialogs.people import ClientStep, Person
from dialogs.relay_effects import RelayToCoach
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, SAM

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DUTCH = load_words("nl")["nl"]
TEXTS = load_texts()


def keys(outcome: Outcome) -> list[str]:
    for reply in outcome.replies:
        assert TEXTS.has(reply.key), f"unknown text key {reply.key}"
    return [reply.key for reply in outcome.replies]


def asked_for_a_name(at: datetime = NOW) -> Person:
    """Anna, after "➕ Nieuwe cliënt" asked for the name."""
    asked = route(ANNA, MenuPress(MenuItem.NEW_CLIENT), at, DialogContext(words=DUTCH))
    assert keys(asked) == ["coach.ask_client_name"]
    (question,) = [e for e in asked.effects if isinstance(e, AwaitInput)]
    return replace(ANNA, awaiting=question.awaiting)


def test_a_forwarded_text_is_never_the_new_clients_name_and_the_question_stays_open() -> None:
    waiting = asked_for_a_name()
    later = NOW + timedelta(minutes=5)
    forwarded = Text("Sam", message_id=9, chat_id=100, forwarded_from="Kim")
    outcome = route(waiting, forwarded, later, DialogContext(words=DUTCH))
    assert keys(outcome) == ["coach.name_forwarded"]
    assert not any(isinstance(e, InviteClient) for e in outcome.effects)
    (still,) = [e for e in outcome.effects if isinstance(e, AwaitInput)]
    assert awaits_name(still.awaiting), "the question stays open"

    # Typed by Anna herself, the same word is the name.
    again = replace(waiting, awaiting=still.awaiting)
    typed = route(again, Text("Sam", message_id=10, chat_id=100), later, DialogContext(words=DUTCH))
    assert InviteClient(coach_id=1, client_name="Sam") in typed.effects


def test_a_forward_after_the_question_expired_is_told_the_question_expired() -> None:
    waiting = asked_for_a_name()
    forwarded = Text("Sam", message_id=9, chat_id=100, forwarded_from="Kim")
    late = route(waiting, forwarded, NOW + timedelta(days=3), DialogContext(words=DUTCH))
    assert keys(late) == ["coach.client_name_expired"]
    assert AwaitInput(1, None) in late.effects


def test_a_former_clients_forward_reaches_the_coach_saying_it_was_forwarded_and_from_whom() -> None:
    former = replace(SAM, client_step=ClientStep.ENDED)
    within = EndedView(NOW - timedelta(days=3), passes_on=True, chat_id=500)
    context = DialogContext(words=DUTCH, ended=within)
    letter = Text("Betaal voor vrijdag.", message_id=4, chat_id=500, forwarded_from="Incasso BV")
    outcome = route(former, letter, NOW, context)
    assert keys(outcome) == ["ended.passed_on"]
    assert outcome.effects == (
        RelayToCoach(
            7,
            500,
            4,
            "text",
            header=FORMER_CLIENT_FORWARDED_HEADER,
            forwarded_from="Incasso BV",
            ended_on=within.ended_at,
        ),
    )
    # Sam's own words keep the usual header, with nobody named as the origin.
    own = route(former, Text("hoi", message_id=5, chat_id=500), NOW, context)
    (relayed,) = own.effects
    assert isinstance(relayed, RelayToCoach)
    assert relayed.header == FORMER_CLIENT_HEADER and relayed.forwarded_from is None


def test_the_former_clients_forward_header_names_the_origin_in_both_languages() -> None:
    params = {"client": "Sam", "ended": NOW, "origin": "Incasso BV"}
    for language in ("nl", "en"):
        line = TEXTS.render(language, FORMER_CLIENT_FORWARDED_HEADER, params)
        assert "Sam" in line and "Incasso BV" in line and line.startswith("↪️")
