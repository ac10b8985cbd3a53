"""A short text that answers nothing during a check-in ("moe", "ik ben moe"): "Dat begrijp ik
niet." above the offer to send it to the coach, and nothing more (one question at a time); its
answer brings the check-in's question back. Pure, through the router, with a fixed clock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs.checkin import saved_state
from dialogs.checkin_state import CheckinState
from dialogs.events import Tap, Text
from dialogs.outcome import Outcome
from dialogs.relay import RelayContext, confirm_data
from dialogs.relay_effects import RelayToCoach, SetRelayDirect
from tests.unit.test_checkin_dialog import Chat as CheckinChat
from tests.unit.test_checkin_dialog import keys, labels
from tests.unit.test_router_forwarded import DIRECT, FIRST_TIME, client_says, open_checkin

OFFERED = ["checkin.not_understood", "relay.confirm"]
GRADE_ROWS = [
    [f"checkin.grade.{n}" for n in range(1, 6)],
    [f"checkin.grade.{n}" for n in range(6, 11)],
    ["checkin.dont_know", "checkin.skip"],
]


def typed(text: str, message_id: int = 90) -> Text:
    return Text(text, message_id=message_id, chat_id=500)


def buttons(outcome: Outcome, index: int) -> list[tuple[str, str]]:
    return [(b.label_key, b.data) for row in outcome.replies[index].buttons for b in row]


@pytest.mark.parametrize("text", ["moe", "ik ben moe", "Kim is ziek", "😢"])
@pytest.mark.parametrize("relay_ctx", [FIRST_TIME, DIRECT])
def test_a_short_text_gets_only_the_offer_to_send_it(text: str, relay_ctx: RelayContext) -> None:
    outcome = client_says(typed(text), open_checkin(), relay_ctx)
    assert keys(outcome) == OFFERED  # asked also of Sam who sends without asking
    [offer] = outcome.replies
    assert offer.params == {"coach": "Anna"} and offer.lead == "checkin.not_understood"
    assert buttons(outcome, 0) == [
        ("relay.confirm_yes", confirm_data(True, 90, relay_ctx)),
        ("relay.confirm_no", confirm_data(False, 90, relay_ctx)),
    ]
    assert outcome.effects == ()  # nothing sent, nothing answered until Sam says yes


def test_the_offer_comes_for_every_kind_of_question() -> None:
    chat = CheckinChat()
    chat.send(Tap("7"))  # "Heb je ergens hulp bij nodig?" (yes / no)
    assert chat.state is not None
    assert keys(client_says(typed("hmm"), chat.state)) == OFFERED
    chat.send(Tap("yes"))  # "Waarbij wil je hulp?" (a choice)
    assert chat.state is not None
    assert keys(client_says(typed("iets"), chat.state)) == OFFERED


@pytest.mark.parametrize(
    "text, expected",
    [
        ("8", ["questions.help"]),  # an answer
        ("acht", ["questions.help"]),
        ("weet ik niet", ["questions.help"]),
        ("11", ["checkin.grade_out_of_range", "questions.grade"]),  # a try at a grade
        ("7,5", ["checkin.grade_not_whole", "questions.grade"]),
        ("nee", ["checkin.retry_grade", "questions.grade"]),  # a try at an answer
        ("oké", ["checkin.retry_grade", "questions.grade"]),
        ("?", ["checkin.retry_grade", "questions.grade"]),  # nothing to pass on
        (".", ["checkin.retry_grade", "questions.grade"]),
        ("...", ["checkin.retry_grade", "questions.grade"]),
        ("   ", ["checkin.retry_grade", "questions.grade"]),
    ],
)
def test_no_offer_for_an_answer_or_nothing_to_pass_on(text: str, expected: list[str]) -> None:
    assert keys(client_says(typed(text), open_checkin())) == expected


def test_no_offer_for_a_back_word_help_words_or_without_a_relay() -> None:
    chat = CheckinChat()
    chat.send(Tap("7"))
    assert chat.state is not None
    back = client_says(typed("terug"), chat.state)
    assert keys(back) == ["questions.grade"] and saved_state(back) is not None
    # Help words go their own way (the noodknop offered, the words to the coach), as before.
    helped = keys(client_says(typed("hulp"), open_checkin()))
    assert helped[0] == "help_words.offer" and "checkin.not_understood" not in helped
    # No relay to send it with: the retry alone.
    alone = client_says(typed("moe"), open_checkin(), relay_ctx=None)
    assert keys(alone) == ["checkin.retry_grade", "questions.grade"]
    # No message to copy: the retry alone.
    assert keys(client_says(Text("moe"), open_checkin())) == [
        "checkin.retry_grade",
        "questions.grade",
    ]


def test_a_forward_during_a_check_in_is_sent_as_before_without_the_offer() -> None:
    forwarded = replace(typed("moe"), forwarded_from="Kim")
    outcome = client_says(forwarded, open_checkin())
    assert keys(outcome) == ["relay.sent", "checkin.continue", "questions.grade"]


def _press(state: CheckinState, answer: bool, relay_ctx: RelayContext) -> Outcome:
    return client_says(Tap(confirm_data(answer, 90, relay_ctx), chat_id=500), state, relay_ctx)


def test_yes_sends_the_words_and_the_question_still_works() -> None:
    state = open_checkin()
    client_says(typed("ik ben moe"), state)
    sent = _press(state, True, FIRST_TIME)
    assert keys(sent) == ["relay.sent", "checkin.continue", "questions.grade"]
    assert sent.chosen == "relay.confirm_yes"
    assert sent.effects == (RelayToCoach(7, 500, 90, None), SetRelayDirect(7, True))
    assert labels(sent) == GRADE_ROWS
    # Sam who sends without asking: only the copy.
    direct = _press(state, True, DIRECT)
    assert direct.effects == (RelayToCoach(7, 500, 90, None),)
    # The check-in is where it was: the grade still answers it.
    answered = saved_state(client_says(typed("8", 91), state))
    assert answered is not None and answered.answers == {"grade": "8"}


def test_no_sends_nothing_and_asks_the_question_again() -> None:
    state = open_checkin()
    kept = _press(state, False, FIRST_TIME)
    assert keys(kept) == ["relay.not_sent", "checkin.continue", "questions.grade"]
    assert kept.effects == () and kept.chosen == "relay.confirm_no"


def test_a_confirm_without_an_open_check_in_asks_nothing_again() -> None:
    sent = _press_no_checkin(True)
    assert keys(sent) == ["relay.sent"]


def _press_no_checkin(answer: bool) -> Outcome:
    return client_says(Tap(confirm_data(answer, 90, FIRST_TIME), chat_id=500), None, FIRST_TIME)
