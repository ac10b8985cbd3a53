"""The coach's reminder after five minutes, as a transcript: it says a backup is warned only
when the same look of the clock sends the alert to one (``alert.escalated``); otherwise that
there is no other backup left to warn when one was told before, and that there is no backup
to warn only when none ever was."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.texts import load_texts
from dialogs.noodknop import AlertView, EscalationPolicy, check_escalation
from dialogs.outcome import Outcome, Recipient

PRESSED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
FIVE = PRESSED + timedelta(minutes=5)
ANNA, BRAM = 1, 2  # coach ids: Sam's coach, and her backup
NL, EN = load_texts("nl"), load_texts("en")
# Anna is asked, nobody else is or could be.
ALONE = AlertView(
    id=3,
    client_id=7,
    client_name="Sam",
    coach_name="Anna",
    pressed_at=PRESSED,
    recipient_coach_ids=frozenset({ANNA}),
    recipient_chat_ids=frozenset({100}),
    coach_id=ANNA,
    asked_coach_ids=frozenset({ANNA}),
    client_phone="+31612345678",
)
# Bram is Anna's backup and was not told yet: the clock asks him now.
BACKUP_LEFT = replace(ALONE, backups_left=True)
# Bram was told before and passed it on: he is not asked now, and nobody is left to ask.
BRAM_PASSED = replace(
    ALONE,
    recipient_coach_ids=frozenset({ANNA, BRAM}),
    recipient_chat_ids=frozenset({100, 200}),
    backups_told=True,
)
# Bram was told before and is still asked; nobody else is left to ask.
BRAM_TOLD = replace(BRAM_PASSED, asked_coach_ids=frozenset({ANNA, BRAM}))

NL_WARNED = (
    "⏰ Nog niet opgepakt: Sam drukte om 10:00 op de noodknop.\nIk waarschuw nu ook de vervanging."
)
NL_ALONE = (
    "⏰ Nog niet opgepakt: Sam drukte om 10:00 op de noodknop.\n"
    "Er is geen vervanging om te waarschuwen."
)
NL_NONE_LEFT = (
    "⏰ Nog niet opgepakt: Sam drukte om 10:00 op de noodknop.\n"
    "Er is geen andere vervanging meer om te waarschuwen."
)


def coach_reads(outcome: Outcome, language: str = "nl") -> list[str]:
    """What Anna, Sam's coach, reads from the clock's look, message by message."""
    texts = NL if language == "nl" else EN
    return [
        texts.render(language, r.key, r.params) for r in outcome.replies if r.to is Recipient.COACH
    ]


def backups_asked_now(outcome: Outcome) -> bool:
    return any(r.key.startswith("alert.escalated") for r in outcome.replies)


def test_with_a_backup_left_anna_reads_that_the_backup_is_warned_now() -> None:
    outcome = check_escalation(BACKUP_LEFT, FIVE, EscalationPolicy())
    assert coach_reads(outcome) == [NL_WARNED]
    assert backups_asked_now(outcome), "the sentence is true: the backup gets the alert now"
    assert coach_reads(outcome, "en") == [
        "⏰ Not picked up yet: Sam pressed the panic button at 10:00.\n"
        "I am now also alerting the backup."
    ]


def test_without_a_backup_anna_reads_that_there_is_none_to_warn() -> None:
    outcome = check_escalation(ALONE, FIVE, EscalationPolicy())
    assert coach_reads(outcome) == [NL_ALONE]
    assert not backups_asked_now(outcome)
    assert "waarschuw nu" not in coach_reads(outcome)[0]
    assert coach_reads(outcome, "en") == [
        "⏰ Not picked up yet: Sam pressed the panic button at 10:00.\nThere is no backup to alert."
    ]


@pytest.mark.parametrize("told", [BRAM_PASSED, BRAM_TOLD])
def test_a_backup_told_before_is_not_warned_again_and_anna_reads_none_is_left(
    told: AlertView,
) -> None:
    """Bram was told before (whether he passed it on or not): "no backup" would be untrue."""
    outcome = check_escalation(told, FIVE, EscalationPolicy())
    assert coach_reads(outcome) == [NL_NONE_LEFT]
    assert not backups_asked_now(outcome)
    assert coach_reads(outcome, "en") == [
        "⏰ Not picked up yet: Sam pressed the panic button at 10:00.\n"
        "There is no other backup left to alert."
    ]


@pytest.mark.parametrize("backups_left", [True, False])
@pytest.mark.parametrize("others", [ALONE, BRAM_PASSED])
@pytest.mark.parametrize("phone", ["+31612345678", None])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_reminder_claims_a_warning_exactly_when_one_is_sent(
    backups_left: bool, others: AlertView, phone: str | None, language: str
) -> None:
    alert = replace(others, backups_left=backups_left, client_phone=phone)
    outcome = check_escalation(alert, FIVE, EscalationPolicy())
    [reminder] = coach_reads(outcome, language)
    claims = ("waarschuw nu" if language == "nl" else "now also alerting") in reminder
    assert claims == backups_asked_now(outcome) == backups_left
