"""A former client's help words and words of danger, as transcripts of text keys and effects
(``dialogs.ended`` through the router): within the grace period words of danger raise an
alert as an active client's do, help words go to the former coach as a message then does;
after it nothing is passed on and the answer names only the numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.words import load_words
from dialogs.ended import FORMER_CLIENT_HEADER, EndedView
from dialogs.events import Command, MenuItem, MenuPress, Text
from dialogs.noodknop import AlertView
from dialogs.outcome import CopyToAlertTeam, Outcome, RaiseAlert, Recipient, RepeatPress
from dialogs.people import ClientStep
from dialogs.relay_effects import RelayToCoach
from dialogs.router import DialogContext, route
from tests.unit.people import SAM

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
DUTCH = load_words("nl")["nl"]
FORMER_SAM = replace(SAM, client_step=ClientStep.ENDED)
WITHIN = EndedView(NOW - timedelta(days=3), passes_on=True, chat_id=500)
AFTER = replace(WITHIN, ended_at=NOW - timedelta(days=31), passes_on=False)
NUMBERS = ["noodknop.number_112", "noodknop.number_113", "noodknop.number_doctor"]
ALERT = AlertView(
    id=9,
    client_id=7,
    client_name="Sam",
    coach_name="Anna",
    pressed_at=NOW,
    coach_id=1,
    asked_coach_ids=frozenset({1}),
    from_words=True,
)


def said(event, view: EndedView, alert: AlertView | None = None) -> Outcome:  # type: ignore[no-untyped-def]
    context = DialogContext(words=DUTCH, ended=view, open_alert=alert)
    return route(FORMER_SAM, event, NOW + timedelta(minutes=1), context)


def keys(outcome: Outcome) -> list[str]:
    return [reply.key for reply in outcome.replies]


def test_words_of_danger_within_the_grace_period_raise_an_alert_with_the_words() -> None:
    outcome = said(Text("ik wil dood", message_id=4, chat_id=500), WITHIN)
    assert outcome.effects == (RaiseAlert(7, words=(500, 4)),)
    alert, numbers = outcome.replies
    assert alert.key.startswith("alert.new") and alert.urgent
    assert alert.to is Recipient.NEW_ALERT_RECIPIENTS
    # "Ik stuur Anna nu een melding" is chosen once it is stored who was asked
    # (noodknop.raised): nothing here says so, nor that nobody gets an alert.
    assert numbers.key == "help_words.numbers" and numbers.to is Recipient.SENDER
    assert "ended.noodknop" not in keys(outcome)


def test_after_the_grace_period_words_of_danger_get_only_the_numbers() -> None:
    for view in (AFTER, replace(WITHIN, passes_on=False), EndedView()):  # also: coach gone
        outcome = said(Text("zelfmoord", message_id=4, chat_id=500), view)
        assert keys(outcome) == ["help_words.numbers", "ended.noodknop"]
        assert outcome.effects == ()


def test_help_words_within_the_grace_period_go_to_the_former_coach_then_not() -> None:
    outcome = said(Text("hulp", message_id=4, chat_id=500), WITHIN)
    assert keys(outcome) == ["ended.help_passed_on", *NUMBERS]
    assert outcome.effects == (
        RelayToCoach(7, 500, 4, "text", header=FORMER_CLIENT_HEADER, ended_on=WITHIN.ended_at),
    )
    later = said(Text("hulp", message_id=4, chat_id=500), AFTER)
    assert keys(later) == ["help_words.outside", "ended.noodknop", *NUMBERS]
    assert later.effects == ()


def test_while_that_alert_is_open_the_noodknop_and_messages_belong_to_it() -> None:
    for press in (MenuPress(MenuItem.NOODKNOP), Command("nood")):
        pressed = said(press, WITHIN, ALERT)
        assert pressed.effects == (RepeatPress(9),) and "ended.noodknop" not in keys(pressed)
    added = said(Text("ik ben thuis", message_id=5, chat_id=500), AFTER, ALERT)
    assert added.effects == (CopyToAlertTeam(9, 500, 5, event="client_message"),)
    danger = said(Text("ik wil dood", message_id=6, chat_id=500), WITHIN, ALERT)
    assert danger.effects == (CopyToAlertTeam(9, 500, 6, event="help_words"),)
    assert "help_words.numbers" in keys(danger)
    # Closed: a former client again.
    closed = replace(ALERT, closed=True)
    assert keys(said(MenuPress(MenuItem.NOODKNOP), WITHIN, closed)) == ["ended.noodknop", *NUMBERS]
