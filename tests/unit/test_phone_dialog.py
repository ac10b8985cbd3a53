"""A client's phone number: checking and showing numbers, the offer, a coach's /telefoon, and the
noodknop without a number, as text keys with a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.texts import load_texts
from bot.words import load_words
from dialogs import phone
from dialogs.clients import ClientRef
from dialogs.events import Command, MenuItem, MenuPress, OtherMessage, Tap, Text
from dialogs.noodknop import AlertView
from dialogs.outcome import (
    AcknowledgeAlert,
    AwaitInput,
    Keyboard,
    Outcome,
    RaiseAlert,
    Recipient,
    SetClientPhone,
)
from dialogs.relay_effects import PromiseMessage
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, BRAM, SAM

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = load_texts("nl")
WORDS = load_words("nl")["nl"]
OFFERED = replace(SAM, phone_offer_open=True)
SAM_AND_KIM = (ClientRef(7, "Sam"), ClientRef(8, "Kim"))
ALERT = AlertView(
    id=3,
    client_id=7,
    client_name="Sam",
    coach_name="Anna",
    pressed_at=NOW,
    recipient_coach_ids=frozenset({1, 2}),
    recipient_chat_ids=frozenset({100, 200}),
    coach_id=1,
    asked_coach_ids=frozenset({1, 2}),
)


def keys(outcome: Outcome) -> list[str]:
    for reply in outcome.replies:
        assert TEXTS.has(reply.key), reply.key
        # The number goes only with a text that shows it (an outbox row keeps what it shows).
        assert "phone" not in reply.params or "phone" in TEXTS.placeholders(reply.key)
    return [reply.key for reply in outcome.replies]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0612345678", "+31612345678"),
        ("06-12345678", "+31612345678"),
        ("06 1234 5678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("31612345678", "+31612345678"),  # Telegram sends a shared contact without its "+"
        ("020 123 4567", "+31201234567"),
        ("+32 470 12 34 56", "+32470123456"),
        ("12345", None),
        ("0612", None),
        ("06123456789012345", None),
        ("bel me", None),
        ("", None),
        ("+31 6 1234567x", None),
        # How Dutch numbers are written: spaces, hyphens, dots, slashes, parentheses.
        ("06 876 543 21", "+31687654321"),
        ("06.87.65.43.21", "+31687654321"),
        ("(06) 87654321", "+31687654321"),
        ("(06)-87654321", "+31687654321"),
        ("+31 (0)6 87654321", "+31687654321"),
        ("0031 6 87654321", "+31687654321"),
        ("06/87654321", "+31687654321"),
        ("06–87654321", "+31687654321"),  # a phone's keyboard made the hyphen a dash
        ("06\u00a087654321", "+31687654321"),  # a pasted number: a non-breaking space
        ("+32 470/12.34.56", "+32470123456"),
        # Written well, but no such number: no 06-9 numbers are given out.
        ("06-98765432", None),
        ("06 987 654 32", None),
        ("+31 6 98765432", None),
        ("(06) 98765432", None),
        ("0031 6 98765432", None),
        ("tel 0612345678", None),
        ("06-12345678 (mobiel)", None),
        ("06_12345678", None),
    ],
)
def test_numbers_are_checked_and_stored_as_e164(typed: str, stored: str | None) -> None:
    assert phone.normalise_number(typed) == stored


def test_bare_digits_have_a_country_code_only_in_a_shared_contact() -> None:
    """Telegram sends a shared contact as "31612345678" (country code, no "+"); a coach who
    types bare digits forgot a 0 ("201234567" is Amsterdam's 020, not Egypt's +20)."""
    assert phone.normalise_number("31612345678", shared=True) == "+31612345678"
    assert phone.normalise_number("201234567") == "+31201234567"
    assert phone.normalise_number("612345678") == "+31612345678"
    assert phone.normalise_number("12345678") is None
    assert not phone.written_well("12345678")


@pytest.mark.parametrize(
    ("typed", "well"),
    [
        ("06-98765432", True),  # the digits are wrong, not the writing
        ("+31 6 98765432", True),
        ("06-12345678", True),
        ("12345", False),
        ("0612", False),
        ("06 12345678 9", False),  # a digit too many
        ("bel me", False),
        ("", False),
    ],
)
def test_a_number_written_well_is_told_apart_from_no_number(typed: str, well: bool) -> None:
    assert phone.written_well(typed) is well


def test_the_coach_hears_whether_the_writing_or_the_digits_are_wrong() -> None:
    sam = (ClientRef(7, "Sam"),)
    for typed, key in (
        ("06-98765432", "coach_phone.not_in_use"),
        ("12345", "coach_phone.invalid"),
        ("bel me maar", "coach_phone.invalid"),
    ):
        outcome = phone.coach_command(ANNA, f"Sam {typed}", sam, {}, WORDS)
        assert keys(outcome) == [key] and outcome.effects == ()
        assert outcome.replies[0].params == {"typed": typed}
    saved = phone.coach_command(ANNA, "Sam (06) 876 543 21", sam, {}, WORDS)
    assert keys(saved) == ["coach_phone.saved"]
    assert saved.effects == (SetClientPhone(7, "+31687654321", by_coach_id=ANNA.id),)


def test_numbers_are_shown_internationally_so_telegram_links_them() -> None:
    assert phone.shown("+31612345678") == "+31 6 12345678"
    assert phone.shown("+32470123456") == "+32 470 12 34 56"


def _contact(user_id: int | None, number: str = "+31612345678") -> OtherMessage:
    return OtherMessage("contact", 9, 500, contact_phone=number, contact_user_id=user_id)


def test_the_own_contact_at_the_offer_is_stored_then_the_menu_and_the_coach_hears_it() -> None:
    outcome = route(OFFERED, _contact(500), NOW)
    assert outcome.effects == (SetClientPhone(7, "+31612345678"),)
    assert keys(outcome) == [
        "phone.saved",
        "onboarding.ready",
        "menu.explained",
        "coach_phone.client_shared",
    ]
    assert outcome.replies[1].keyboard is Keyboard.CLIENT_MENU
    told = outcome.replies[3]
    assert told.to is Recipient.COACH and told.params["phone"] == "+31 6 12345678"


def test_someone_elses_contact_is_never_stored() -> None:
    for stranger in (_contact(501), _contact(None)):
        outcome = route(OFFERED, stranger, NOW)
        assert outcome.effects == ()
        assert keys(outcome) == ["phone.not_own", "phone.offer_lead", "phone.offer"]
        assert outcome.replies[1].keyboard is Keyboard.SHARE_PHONE
    # Outside the offer a contact card is a message the bot cannot pass on (as before).
    later = route(SAM, _contact(501), NOW)
    assert later.effects == () and "phone.not_own" not in keys(later)


def test_the_own_contact_later_replaces_the_number_and_keeps_the_menu() -> None:
    with_number = replace(SAM, phone="+31687654321")
    outcome = route(with_number, _contact(500), NOW)
    assert outcome.effects == (SetClientPhone(7, "+31612345678"),)
    assert keys(outcome) == ["phone.saved", "coach_phone.client_shared"]
    assert outcome.replies[0].keyboard is Keyboard.CLIENT_MENU


@pytest.mark.parametrize("typed", ["Liever niet", "nee", "Rather not"])
def test_rather_not_stores_nothing_and_shows_the_menu(typed: str) -> None:
    outcome = route(OFFERED, Text(typed), NOW, DialogContext(words=WORDS))
    assert outcome.effects == ()
    assert keys(outcome) == ["phone.skipped", "onboarding.ready", "menu.explained"]


def test_a_typed_yes_points_to_the_button_and_other_words_go_on_as_before() -> None:
    yes = route(OFFERED, Text("ja"), NOW, DialogContext(words=WORDS))
    assert keys(yes) == ["phone.offer_lead", "phone.offer"] and yes.effects == ()
    # Without the offer showing, "liever niet" answers nothing about a number.
    assert "phone.skipped" not in keys(route(SAM, Text("liever niet"), NOW))
    # The noodknop is never held up by the offer.
    pressed = route(OFFERED, MenuPress(MenuItem.NOODKNOP), NOW)
    assert pressed.effects == (RaiseAlert(7),)


def _phone_command(args: str, phones: dict[int, str] | None = None, coach=ANNA) -> Outcome:  # type: ignore[no-untyped-def]
    context = DialogContext(coach_clients=SAM_AND_KIM, client_phones=phones or {}, words=WORDS)
    return route(coach, Command("telefoon", args), NOW, context)


def test_a_coach_stores_changes_shows_and_removes_a_number() -> None:
    saved = _phone_command("Sam 06-12345678")
    assert saved.effects == (SetClientPhone(7, "+31612345678", by_coach_id=1),)
    assert keys(saved) == ["coach_phone.saved"]
    assert saved.replies[0].params == {"client": "Sam", "phone": "+31 6 12345678"}
    stored = {7: "+31612345678"}
    changed = _phone_command("sam 020 123 4567", stored)
    assert changed.effects == (SetClientPhone(7, "+31201234567", by_coach_id=1),)
    assert keys(changed) == ["coach_phone.changed"]
    assert keys(_phone_command("Sam", stored)) == ["coach_phone.current"]
    removed = _phone_command("Sam weg", stored)
    assert removed.effects == (SetClientPhone(7, None, by_coach_id=1),)
    assert keys(removed) == ["coach_phone.removed"]
    assert keys(_phone_command("Sam weg")) == ["coach_phone.none"]


def test_a_coach_gets_help_for_what_is_not_a_number_or_not_their_client() -> None:
    assert keys(_phone_command("")) == ["coach_phone.usage"]
    invalid = _phone_command("Sam 12345")
    assert keys(invalid) == ["coach_phone.invalid"] and invalid.effects == ()
    unknown = _phone_command("Zoë 0612345678")
    assert keys(unknown) == ["coach_phone.not_found"] and unknown.effects == ()
    no_clients = route(BRAM, Command("telefoon", "Sam 0612345678"), NOW, DialogContext())
    assert keys(no_clients) == ["coach_phone.no_clients"] and no_clients.effects == ()


def test_without_a_number_the_alert_asks_for_a_message_not_a_call() -> None:
    outcome = route(SAM, MenuPress(MenuItem.NOODKNOP), NOW)
    assert keys(outcome) == ["alert.new_message"]
    assert outcome.replies[0].buttons[0][0].label_key == "alert.button_ack_message"
    with_number = route(replace(SAM, phone="+31612345678"), MenuPress(MenuItem.NOODKNOP), NOW)
    assert keys(with_number) == ["alert.new"]
    assert with_number.replies[0].params["phone"] == "+31 6 12345678"
    assert with_number.replies[0].buttons[0][0].label_key == "alert.button_ack"


def test_picking_up_without_a_number_promises_a_message_and_sends_the_next_one() -> None:
    outcome = route(BRAM, Tap("al:3:ack"), NOW, DialogContext(tapped_alert=ALERT))
    assert outcome.effects == (
        AcknowledgeAlert(3, 2),
        AwaitInput(2, "message:7"),
        PromiseMessage(7, 2),  # the client reads "Anna stuurt je een bericht"
    )
    assert keys(outcome) == [
        "noodknop.seen_message",
        "alert.taken_message",
        "alert.message_prompt",
        "alert.close_prompt",
    ]
    assert outcome.chosen == "alert.button_ack_message"
    by_phone = replace(ALERT, client_phone="+31612345678")
    called = route(BRAM, Tap("al:3:ack"), NOW, DialogContext(tapped_alert=by_phone))
    assert called.effects == (AcknowledgeAlert(3, 2),)
    assert keys(called) == ["noodknop.seen", "alert.taken", "alert.close_prompt"]


def test_a_backup_sees_the_number_only_in_what_asks_them_while_the_alert_is_open() -> None:
    by_phone = replace(ALERT, client_phone="+31612345678", asked_coach_ids=frozenset({1}))
    passed = route(
        ANNA,
        Tap("al:3:pass"),
        NOW,
        DialogContext(tapped_alert=replace(by_phone, backups_left=True)),
    )
    asks = [r for r in passed.replies if r.to is Recipient.NEW_ALERT_RECIPIENTS]
    assert [r.key for r in asks] == ["alert.passed_to_you"]
    assert asks[0].params["phone"] == "+31 6 12345678"
    # Closing it tells the team without the number.
    picked = replace(by_phone, acknowledged_by="Bram", acknowledged_by_id=2)
    closed = route(BRAM, Tap("al:3:close:talked"), NOW, DialogContext(tapped_alert=picked))
    assert all("phone" not in reply.params for reply in closed.replies)
    without = route(
        ANNA, Tap("al:3:pass"), NOW, DialogContext(tapped_alert=replace(ALERT, backups_left=True))
    )
    assert "alert.passed_to_you_message" in keys(without)
