"""Whose client an alert says it is, as the coach and the backups read it: "cliënt van Anna"
while the client takes part; for a former client (an alert their words of danger raised in
the grace period after the support ended) "oud-cliënt van Anna, begeleiding gestopt op
30 november". Decided in the dialogs (the ``whose`` parameter of ``alert.new``,
``alert.escalated`` and ``alert.passed_to_you``, and their ``_message`` variants), from what
the shell loaded (``EndedView.ended_at``, ``AlertView.client_ended_at``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.texts import load_texts
from bot.words import load_words
from dialogs.ended import EndedView
from dialogs.events import MenuItem, MenuPress, Text
from dialogs.noodknop import (
    AlertView,
    EscalationPolicy,
    check_escalation,
    coach_taps_alert,
    press,
    raise_for_words,
)
from dialogs.outcome import Outcome, RaiseAlert, Recipient, Reply, TextRef
from dialogs.people import ClientStep
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, SAM

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
ENDED_AT = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 30 November, 15:00 in Amsterdam
DUTCH = load_words("nl")["nl"]
TEXTS = load_texts("nl")
FORMER_SAM = replace(SAM, client_step=ClientStep.ENDED, phone="+31612345678")
WITHIN = EndedView(ENDED_AT, passes_on=True, chat_id=500)
# The alert Sam's words raised, as the shell loads it while Sam's support is ended.
FORMER_ALERT = AlertView(
    id=9,
    client_id=7,
    client_name="Sam",
    coach_name="Anna",
    pressed_at=NOW,
    recipient_coach_ids=frozenset({1}),
    recipient_chat_ids=frozenset({100}),
    coach_id=1,
    asked_coach_ids=frozenset({1}),
    from_words=True,
    client_phone="+31612345678",
    client_ended=True,
    client_ended_at=ENDED_AT,
    backups_left=True,
)
WORDS = "stuurde om 10:00 woorden die op gevaar of zelfmoordgedachten kunnen wijzen (hieronder)."
FORMER = "Sam (oud-cliënt van Anna, begeleiding gestopt op 30 november) "


def rendered(reply: Reply, language: str = "nl") -> str:
    return TEXTS.render(language, reply.key, reply.params)


def to_new_recipients(outcome: Outcome) -> Reply:
    [reply] = [r for r in outcome.replies if r.to is Recipient.NEW_ALERT_RECIPIENTS]
    return reply


def test_a_former_clients_words_raise_an_alert_that_says_she_is_a_former_client() -> None:
    context = DialogContext(words=DUTCH, ended=WITHIN)
    danger = Text("ik wil dood", message_id=4, chat_id=500)
    outcome = route(FORMER_SAM, danger, NOW, context)
    assert outcome.effects == (RaiseAlert(7, words=(500, 4)),)
    alert = to_new_recipients(outcome)
    assert alert.key == "alert.new"
    assert alert.params["whose"] == TextRef(
        "alert.whose.former", {"coach": "Anna", "ended": ENDED_AT}
    )
    assert rendered(alert) == (
        f"🔴 NOODKNOP – Sam\n{FORMER}{WORDS}\nBel Sam zo snel mogelijk.\n📞 +31 6 12345678"
    )
    assert rendered(alert, "en").startswith(
        "🔴 PANIC BUTTON – Sam\nSam (Anna's former client, support ended on November 30) sent "
    )
    # Without a phone number: the "_message" variant says the same.
    no_phone = route(
        replace(FORMER_SAM, phone=None),
        Text("ik wil dood", message_id=4, chat_id=500),
        NOW,
        context,
    )
    alert = to_new_recipients(no_phone)
    assert alert.key == "alert.new_message"
    assert rendered(alert).startswith(f"🔴 NOODKNOP – Sam\n{FORMER}{WORDS}\n")


def test_a_client_who_takes_part_is_the_coachs_client() -> None:
    sam = replace(SAM, phone="+31612345678")
    alert = to_new_recipients(raise_for_words(sam, NOW, 500, 4))
    assert alert.params["whose"] == TextRef("alert.whose.client", {"coach": "Anna"})
    assert rendered(alert).startswith(f"🔴 NOODKNOP – Sam\nSam (cliënt van Anna) {WORDS}\n")
    pressed = to_new_recipients(press(sam, None, NOW))
    assert rendered(pressed) == (
        "🔴 NOODKNOP – Sam\nSam (cliënt van Anna) drukte om 10:00 op de noodknop.\n"
        "Bel Sam zo snel mogelijk.\n📞 +31 6 12345678"
    )


@pytest.mark.parametrize("phone", ["+31612345678", None])
def test_the_backups_read_that_she_is_a_former_client_when_it_escalates(phone: str | None) -> None:
    alert = replace(FORMER_ALERT, client_phone=phone)
    outcome = check_escalation(alert, NOW + timedelta(minutes=5), EscalationPolicy())
    escalated = to_new_recipients(outcome)
    assert escalated.key == ("alert.escalated" if phone else "alert.escalated_message")
    said = rendered(escalated)
    assert said.startswith(
        f"🔴 NOODKNOP – Sam\n{FORMER}{WORDS}\nAnna heeft nog niet gereageerd. Kun jij Sam "
    )


@pytest.mark.parametrize("phone", ["+31612345678", None])
def test_a_backup_asked_after_a_pass_reads_that_she_is_a_former_client(phone: str | None) -> None:
    alert = replace(FORMER_ALERT, client_phone=phone)
    outcome = coach_taps_alert(ANNA, alert, "pass", "", NOW + timedelta(minutes=1))
    passed = to_new_recipients(outcome)
    assert passed.key == ("alert.passed_to_you" if phone else "alert.passed_to_you_message")
    assert rendered(passed).startswith(
        f"🔴 NOODKNOP – Sam\n{FORMER}{WORDS}\nAnna kan niet en geeft het door. Kun jij Sam "
    )


def test_a_former_clients_press_long_after_the_pick_up_is_a_new_alert_that_says_so() -> None:
    picked_up = replace(
        FORMER_ALERT,
        acknowledged_by="Anna",
        acknowledged_by_id=1,
        acknowledged_at=NOW,
    )
    later = NOW + timedelta(hours=1)
    context = DialogContext(words=DUTCH, ended=WITHIN, open_alert=picked_up)
    outcome = route(FORMER_SAM, MenuPress(MenuItem.NOODKNOP), later, context)
    assert outcome.effects == (RaiseAlert(7),)
    alert = to_new_recipients(outcome)
    assert rendered(alert).startswith(
        f"🔴 NOODKNOP – Sam\n{FORMER}drukte om 11:00 op de noodknop.\n"
    )


def test_reopened_since_the_alert_says_she_is_the_coachs_client_again() -> None:
    """Anna took Sam back (/heropen) while the alert was open: what the backup reads now is
    true now."""
    alert = replace(FORMER_ALERT, client_ended=False, client_ended_at=None)
    outcome = check_escalation(alert, NOW + timedelta(minutes=5), EscalationPolicy())
    assert rendered(to_new_recipients(outcome)).startswith(
        f"🔴 NOODKNOP – Sam\nSam (cliënt van Anna) {WORDS}\n"
    )
