"""The onboarding and menu dialogs as transcripts of text keys, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.texts import load_texts
from bot.words import load_words
from dialogs import onboarding
from dialogs.events import (
    Command,
    EditedMessage,
    MenuItem,
    MenuPress,
    OtherMessage,
    Start,
    Tap,
    Text,
)
from dialogs.outcome import (
    ActivateCoach,
    AwaitInput,
    ChooseReadAloud,
    ClaimClientInvite,
    DeclineConsent,
    GiveConsent,
    InviteClient,
    Keyboard,
    Outcome,
    Recipient,
    StartCheckin,
)
from dialogs.people import ClientStep, InviteView, Person, Role
from dialogs.relay import RelayContext
from dialogs.relay_effects import AwaitClientMessage
from dialogs.router import DialogContext, route

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = load_texts("nl")
STRANGER = Person.stranger(telegram_user_id=500, language="nl")
COACH = Person(role=Role.COACH, telegram_user_id=100, language="nl", id=1, name="Anna")


def client(step: ClientStep) -> Person:
    return Person(
        role=Role.CLIENT,
        telegram_user_id=500,
        language="nl",
        id=7,
        name="Sam",
        coach_name="Anna",
        client_step=step,
    )


def client_invite(**changes: object) -> InviteView:
    fields: dict[str, object] = dict(
        id=3,
        kind="client",
        expires_at=NOW + timedelta(days=14),
        used=False,
        revoked=False,
        claimed_by=None,
        coach_id=1,
        coach_name="Anna",
        client_id=7,
        client_name="Sam",
    )
    fields.update(changes)
    return InviteView(**fields)  # type: ignore[arg-type]


def keys(outcome: Outcome) -> list[str]:
    """The text keys of the replies; each must exist, or the test fails here."""
    for reply in outcome.replies:
        assert TEXTS.has(reply.key), f"unknown text key {reply.key}"
        for row in reply.buttons:
            for button in row:
                assert TEXTS.has(button.label_key), f"unknown button key {button.label_key}"
    if outcome.notice:
        assert TEXTS.has(outcome.notice)
    return [reply.key for reply in outcome.replies]


def test_stranger_opening_a_client_link_claims_it_and_is_asked_consent() -> None:
    outcome = route(STRANGER, Start("x" * 43), NOW, DialogContext(invite=client_invite()))
    assert keys(outcome) == ["onboarding.welcome", "onboarding.consent_question"]
    assert outcome.effects == (ClaimClientInvite(invite_id=3, client_id=7),)
    buttons = [b.data for row in outcome.replies[1].buttons for b in row]
    assert buttons == [onboarding.CONSENT_YES, onboarding.CONSENT_NO]
    assert outcome.replies[0].params == {"client": "Sam", "coach": "Anna"}


@pytest.mark.parametrize(
    "invite",
    [
        None,
        client_invite(used=True),
        client_invite(revoked=True),
        client_invite(expires_at=NOW),
        client_invite(claimed_by=999),
    ],
    ids=["unknown", "used", "revoked", "expired", "held-by-someone-else"],
)
def test_unusable_links_get_one_and_the_same_refusal(invite: InviteView | None) -> None:
    outcome = route(STRANGER, Start("x" * 43), NOW, DialogContext(invite=invite))
    assert keys(outcome) == ["stranger.invite_invalid"]
    assert outcome.effects == ()


def test_reopening_my_own_held_link_continues_with_consent() -> None:
    outcome = route(
        client(ClientStep.CONSENT_PENDING),
        Start("x" * 43),
        NOW,
        DialogContext(invite=client_invite(claimed_by=500)),
    )
    assert keys(outcome) == ["onboarding.welcome", "onboarding.consent_question"]


def test_coach_link_registers_a_stranger_as_coach() -> None:
    invite = client_invite(kind="coach", client_id=None, client_name=None)
    outcome = route(STRANGER, Start("x" * 43), NOW, DialogContext(invite=invite))
    assert keys(outcome) == ["coach.welcome"]
    assert outcome.effects == (ActivateCoach(invite_id=3, coach_id=1),)
    assert outcome.replies[0].keyboard is Keyboard.COACH_MENU


def test_a_coach_cannot_use_a_client_link() -> None:
    outcome = route(COACH, Start("x" * 43), NOW, DialogContext(invite=client_invite()))
    assert keys(outcome) == ["coach.link_not_for_coach"]
    assert outcome.effects == ()


def test_consent_yes_then_voice_choice_offers_the_phone_number_and_tells_the_coach() -> None:
    consent = route(client(ClientStep.CONSENT_PENDING), Tap(onboarding.CONSENT_YES), NOW)
    assert keys(consent) == ["onboarding.voice_question"]
    assert consent.effects == (GiveConsent(client_id=7, version=onboarding.CONSENT_VERSION),)
    assert consent.chosen == "onboarding.consent_yes"

    voice = route(client(ClientStep.VOICE_PENDING), Tap(onboarding.VOICE_YES), NOW)
    # The menu follows the answer to the offer (tests/unit/test_phone_dialog.py).
    assert keys(voice) == [
        "onboarding.voice_chosen_yes",
        "phone.offer_lead",
        "phone.offer",
        "coach_phone.client_joined",
    ]
    assert voice.effects == (ChooseReadAloud(client_id=7, read_aloud=True),)
    assert voice.replies[1].keyboard is Keyboard.SHARE_PHONE
    assert voice.replies[3].to is Recipient.COACH


def test_consent_no_forgets_the_client_and_tells_the_coach() -> None:
    outcome = route(client(ClientStep.CONSENT_PENDING), Tap(onboarding.CONSENT_NO), NOW)
    assert keys(outcome) == ["onboarding.consent_declined", "coach.client_declined"]
    assert outcome.effects == (DeclineConsent(client_id=7),)
    assert outcome.replies[1].to is Recipient.COACH


@pytest.mark.parametrize(
    "typed, effect", [("ja", GiveConsent), ("Nee!", DeclineConsent), ("oké", GiveConsent)]
)
def test_typed_yes_or_no_counts_as_a_press(typed: str, effect: type) -> None:
    context = DialogContext(words=load_words("nl")["nl"])
    outcome = route(client(ClientStep.CONSENT_PENDING), Text(typed), NOW, context)
    assert isinstance(outcome.effects[0], effect)


def test_other_text_during_consent_repeats_the_question() -> None:
    outcome = route(client(ClientStep.CONSENT_PENDING), Text("wat is dit"), NOW)
    assert keys(outcome) == ["onboarding.finish_first", "onboarding.consent_question"]
    assert outcome.effects == ()


@pytest.mark.parametrize(
    "person, data",
    [
        (client(ClientStep.ACTIVE), onboarding.CONSENT_YES),
        (client(ClientStep.VOICE_PENDING), onboarding.CONSENT_NO),
        (client(ClientStep.ACTIVE), onboarding.VOICE_NO),
        (STRANGER, onboarding.CONSENT_YES),
        (COACH, onboarding.VOICE_YES),
    ],
)
def test_stale_or_foreign_buttons_change_nothing(person: Person, data: str) -> None:
    outcome = route(person, Tap(data), NOW)
    assert outcome.effects == ()
    assert outcome.notice == "common.question_closed"


@pytest.mark.parametrize("data", ["", "ob:consent:maybe", "x" * 64, "ob:consent:yes:7", "💥"])
def test_forged_button_data_changes_nothing(data: str) -> None:
    outcome = route(client(ClientStep.CONSENT_PENDING), Tap(data), NOW)
    assert outcome.effects == ()
    assert outcome.notice == "common.button_unknown"


def test_the_message_button_asks_what_to_tell_the_coach() -> None:
    person = client(ClientStep.ACTIVE)
    context = DialogContext(client_relay=RelayContext(chat_id=person.telegram_user_id))
    outcome = route(person, MenuPress(MenuItem.MESSAGE_COACH), NOW, context)
    assert keys(outcome) == ["relay.ask"]
    assert outcome.effects == (AwaitClientMessage(person.id or 0, True),)


def test_the_checkin_button_starts_a_checkin_when_none_is_open() -> None:
    person = client(ClientStep.ACTIVE)
    outcome = route(person, MenuPress(MenuItem.CHECKIN), NOW)
    assert outcome.effects == (StartCheckin(person.id or 0, "client"),)


@pytest.mark.parametrize(
    "event, key",
    [
        (Start(), "client.already_joined"),
        (Command("hulp"), "client.help"),
        (Command("iets"), "client.already_joined"),
        (Text("hoi"), "client.not_understood"),
        (OtherMessage("sticker"), "client.unsupported"),
        (EditedMessage(), "client.edited"),
    ],
)
def test_an_active_client_always_gets_a_calm_answer(event: object, key: str) -> None:
    outcome = route(client(ClientStep.ACTIVE), event, NOW)  # type: ignore[arg-type]
    assert keys(outcome)[0] == key
    assert outcome.effects == ()


def test_a_stranger_is_told_kindly_what_the_bot_is_for() -> None:
    for event in (Start(), Text("hallo"), OtherMessage("photo"), Command("nieuw", "Sam")):
        outcome = route(STRANGER, event, NOW)
        assert keys(outcome) == ["stranger.hello"]
        assert outcome.effects == ()


def test_coach_invites_a_client_by_command_or_by_asking_the_name() -> None:
    direct = route(COACH, Command("nieuw", "Sam"), NOW)
    assert keys(direct) == ["coach.client_invite", "coach.client_invite_qr"]
    assert InviteClient(coach_id=1, client_name="Sam") in direct.effects
    assert direct.replies[1].picture_of == "link"

    asked = route(COACH, MenuPress(MenuItem.NEW_CLIENT), NOW)
    assert keys(asked) == ["coach.ask_client_name"]
    (question,) = [e for e in asked.effects if isinstance(e, AwaitInput)]
    waiting = Person(**{**COACH.__dict__, "awaiting": question.awaiting})
    answered = route(waiting, Text("  Sam   de Vries "), NOW + timedelta(minutes=29))
    assert InviteClient(coach_id=1, client_name="Sam de Vries") in answered.effects


def test_the_question_for_a_name_expires() -> None:
    asked = route(COACH, MenuPress(MenuItem.NEW_CLIENT), NOW)
    (question,) = [e for e in asked.effects if isinstance(e, AwaitInput)]
    waiting = Person(**{**COACH.__dict__, "awaiting": question.awaiting})
    late = route(waiting, Text("Sam ik bel je morgen"), NOW + timedelta(days=3))
    assert keys(late) == ["coach.client_name_expired"]
    assert not any(isinstance(e, InviteClient) for e in late.effects)
    assert AwaitInput(1, None) in late.effects


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("12345", "empty"),
        ("x" * 41, "too_long"),
        ("a\u0000b", "not_a_name"),
        ("Sam – vals alarm", "not_a_name"),
        ("Kim (cliënt van Bram)", "not_a_name"),
        ("Ѕam", "mixed_scripts"),
        ("sam", "taken"),
    ],
)
def test_unusable_client_names_are_refused(name: str, problem: str) -> None:
    context = DialogContext(client_names=("Sam",))
    outcome = route(COACH, Command("nieuw", name), NOW, context)
    assert keys(outcome) == [f"coach.name_problem.{problem}"]
    assert not any(isinstance(e, InviteClient) for e in outcome.effects)


def test_a_deactivated_coach_can_do_nothing() -> None:
    inactive = Person(**{**COACH.__dict__, "coach_active": False})
    outcome = route(inactive, Command("nieuw", "Sam"), NOW)
    assert keys(outcome) == ["coach.inactive"]
    assert outcome.effects == ()


@pytest.mark.parametrize(
    "event", [Start(), Command("hulp"), Command("help"), MenuPress(MenuItem.HELP)]
)
def test_a_coach_asking_for_help_gets_the_command_list(event: object) -> None:
    outcome = route(COACH, event, NOW)  # type: ignore[arg-type]
    assert keys(outcome) == ["coach.help"]
    assert outcome.replies[0].keyboard is Keyboard.COACH_MENU
