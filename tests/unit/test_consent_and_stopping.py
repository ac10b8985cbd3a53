"""The pure parts of a true consent, a "Nee" that can be taken back, stopping, forwarded
messages and who opened a link: dialogs as transcripts of text keys with a fixed clock, and
the names the shell reads from Telegram."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from telegram import (
    Chat,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    User,
)

from bot.handlers import account_name, forwarded_from
from bot.texts import load_texts
from bot.words import load_words
from content import CONTENT_DIR
from dialogs import onboarding, stopping
from dialogs.clients import ClientRef
from dialogs.events import Start, Tap, Text
from dialogs.outcome import (
    AskToStop,
    EndSupport,
    GiveConsent,
    MarkStopAsked,
    Outcome,
    Recipient,
    RelayToClient,
    RelayToCoach,
)
from dialogs.people import ClientStep, InviteView, Person
from dialogs.relay import (
    CoachRelayContext,
    RelayContext,
    SetRelayAsked,
    client_sends,
    coach_sends,
)
from dialogs.router import DialogContext, route
from dialogs.words import WordsError, parse_words
from tests.unit.people import ANNA, BRAM, SAM

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = load_texts("nl")
WORDS = load_words("nl")["nl"]
CONTEXT = DialogContext(words=WORDS)
DECLINED = replace(SAM, client_step=ClientStep.DECLINED, take_back_until=NOW + timedelta(days=3))
STRANGER = Person.stranger(telegram_user_id=900, language="nl")


def keys(outcome: Outcome) -> list[str]:
    for reply in outcome.replies:
        assert TEXTS.has(reply.key), reply.key
        for row in reply.buttons:
            for button in row:
                assert TEXTS.has(button.label_key), button.label_key
    return [reply.key for reply in outcome.replies]


def invite(**changes: Any) -> InviteView:
    fields: dict[str, Any] = dict(
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
    return InviteView(**{**fields, **changes})


# -- a "Nee" that can be taken back ---------------------------------------------------------------


def test_a_no_offers_to_take_it_back_and_tells_the_coach_what_is_kept() -> None:
    pending = replace(SAM, client_step=ClientStep.CONSENT_PENDING)
    outcome = route(pending, Tap(onboarding.CONSENT_NO), NOW, CONTEXT)
    assert keys(outcome) == ["onboarding.consent_declined", "coach.client_declined"]
    assert outcome.replies[0].buttons[0][0].data == onboarding.CONSENT_TAKE_BACK
    assert outcome.replies[1].to is Recipient.COACH


@pytest.mark.parametrize("typed", ["sorry verkeerde knop", "nee", "hallo"])
def test_after_a_no_every_message_offers_yes_again(typed: str) -> None:
    outcome = route(DECLINED, Text(typed), NOW, CONTEXT)
    assert keys(outcome) == ["onboarding.declined_again"]
    assert outcome.effects == ()


@pytest.mark.parametrize("event", [Tap(onboarding.CONSENT_TAKE_BACK), Text("ja"), Text("oké")])
def test_a_yes_after_a_no_gives_consent_while_the_link_is_valid(event: Tap | Text) -> None:
    outcome = route(DECLINED, event, NOW, CONTEXT)
    assert keys(outcome) == ["onboarding.voice_question"]
    assert outcome.effects == (GiveConsent(client_id=7, version=onboarding.CONSENT_VERSION),)


def test_once_the_link_expired_a_declined_client_is_a_stranger() -> None:
    later = DECLINED.take_back_until
    assert later is not None
    assert keys(route(DECLINED, Text("ja"), later, CONTEXT)) == ["stranger.hello"]
    tapped = route(DECLINED, Tap(onboarding.CONSENT_TAKE_BACK), later, CONTEXT)
    assert tapped.effects == () and tapped.replies == ()
    without_link = replace(DECLINED, take_back_until=None)
    assert keys(route(without_link, Text("hallo"), NOW, CONTEXT)) == ["stranger.hello"]


# -- who opened a link ---------------------------------------------------------------------------


def test_the_coach_hears_the_account_that_opened_the_link() -> None:
    outcome = route(
        STRANGER, Start("x" * 43, account="Sam Jansen (@samj)"), NOW, DialogContext(invite=invite())
    )
    assert keys(outcome)[-1] == "coach_joins.link_opened"
    assert outcome.replies[-1].params == {"client": "Sam", "account": "Sam Jansen (@samj)"}
    assert outcome.replies[-1].to is Recipient.COACH


@pytest.mark.parametrize(
    "found", [invite(used=True), invite(expires_at=NOW), invite(claimed_by=999)]
)
def test_a_real_link_that_no_longer_works_is_told_to_its_coach(found: InviteView) -> None:
    outcome = route(STRANGER, Start("x" * 43, account="Kim"), NOW, DialogContext(invite=found))
    assert keys(outcome) == ["stranger.invite_invalid", "coach_joins.link_unusable"]
    assert outcome.effects == ()


@pytest.mark.parametrize(
    "found, account",
    [(None, "Kim"), (invite(kind="coach", used=True, client_id=None, client_name=None), "Kim")],
)
def test_no_coach_is_told_about_an_unknown_or_a_coach_link(
    found: InviteView | None, account: str
) -> None:
    outcome = route(STRANGER, Start("x" * 43, account=account), NOW, DialogContext(invite=found))
    assert keys(outcome) == ["stranger.invite_invalid"]


def test_an_ended_client_may_open_a_new_link() -> None:
    ended = replace(SAM, id=6, client_step=ClientStep.ENDED)
    outcome = route(ended, Start("x" * 43), NOW, DialogContext(invite=invite()))
    assert keys(outcome) == ["onboarding.welcome", "onboarding.consent_question"]


# -- stopping -------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["stop", "Stop!", "ik wil stoppen", "STOPPEN", "I want to stop"])
def test_stop_words_ask_once(typed: str) -> None:
    outcome = route(SAM, Text(typed), NOW, CONTEXT)
    assert keys(outcome) == ["stopping.ask"]
    assert SAM.id is not None
    assert outcome.effects == (MarkStopAsked(SAM.id, True),)  # only the question marked open
    data = [b.data for row in outcome.replies[0].buttons for b in row]
    assert data == [stopping.STOP_YES, stopping.STOP_NO]


@pytest.mark.parametrize("typed", ["stop met die vragen over geld", "bushalte", "ik wil niet meer"])
def test_other_words_are_no_wish_to_stop(typed: str) -> None:
    assert "stopping.ask" not in keys(route(SAM, Text(typed), NOW, CONTEXT))


def test_a_forwarded_stop_is_someone_elses_words() -> None:
    assert "stopping.ask" not in keys(route(SAM, Text("stop", forwarded_from="Piet"), NOW, CONTEXT))


def test_yes_asks_the_coach_no_asks_nobody() -> None:
    yes = route(SAM, Tap(stopping.STOP_YES), NOW, CONTEXT)
    assert keys(yes) == ["stopping.coach_asked", "coach_stop.client_wants_to_stop"]
    assert yes.effects == (AskToStop(7),)
    assert [b.data for b in yes.replies[1].buttons[0]] == ["sp:end:7", "sp:keep:7"]
    no = route(SAM, Tap(stopping.STOP_NO), NOW, CONTEXT)
    assert keys(no) == ["stopping.not_stopping"] and no.effects == ()


def test_only_the_coach_of_an_active_client_ends_it() -> None:
    ended = stopping.coach_decides(ANNA, "sp:end:7", ClientRef(7, "Sam"), NOW)
    assert ended.effects == (EndSupport(7, 1, stopping.END_REASON),)
    assert keys(ended) == ["coach_stop.ended", "stopping.goodbye"]
    assert ended.replies[1].to is Recipient.CLIENT
    kept = stopping.coach_decides(ANNA, "sp:keep:7", ClientRef(7, "Sam"), NOW)
    assert kept.effects == () and keys(kept) == ["coach_stop.kept", "stopping.not_stopped"]
    assert kept.replies[1].to is Recipient.CLIENT
    # Not while the client's noodknop alert is open: its people are asked now.
    during = stopping.coach_decides(ANNA, "sp:end:7", ClientRef(7, "Sam"), NOW, alert_open=True)
    assert during.effects == () and keys(during) == ["coach_phase.not_during_alert"]
    # Not this coach's, already ended, or forged: the shell found no client; nothing happens.
    for data, tapped in (("sp:end:7", None), ("sp:end:8", ClientRef(7, "Sam")), ("sp:x", None)):
        outcome = stopping.coach_decides(BRAM, data, tapped, NOW)
        assert outcome.effects == () and outcome.replies == ()
    assert stopping.client_answers(ANNA, True, NOW).effects == ()


def test_a_stop_word_that_is_also_an_answer_is_refused() -> None:
    data = yaml.safe_load((CONTENT_DIR / "nl" / "words.yaml").read_text(encoding="utf-8"))
    data["words"]["stop"] = ["stop", "nee"]
    with pytest.raises(WordsError, match="'nee' is an answer or a help word too"):
        parse_words(data)


# -- forwarded messages ---------------------------------------------------------------------------


def test_a_forwarded_message_goes_on_at_once_marked_with_its_sender() -> None:
    ctx = RelayContext(chat_id=500, button_key=b"k" * 32)
    own = client_sends(SAM, Text("hoi", 41, 500), NOW, ctx)
    assert keys(own) == ["relay.confirm"] and own.effects == (SetRelayAsked(7, (41,)),)
    forwarded = client_sends(SAM, Text("500 euro", 42, 500, forwarded_from="Piet"), NOW, ctx)
    assert forwarded.effects == (RelayToCoach(7, 500, 42, "text", forwarded_from="Piet"),)


def test_a_coach_forward_to_a_client_carries_its_sender() -> None:
    ctx = CoachRelayContext(awaiting_client=ClientRef(7, "Sam"))
    coach = replace(ANNA, awaiting="message:7")
    outcome = coach_sends(coach, Text("Afspraak", 9, 100, forwarded_from="Balie"), NOW, ctx)
    assert outcome is not None
    relayed = [e for e in outcome.effects if isinstance(e, RelayToClient)]
    assert [e.forwarded_from for e in relayed] == ["Balie"]


def _user(first: str, last: str | None = None, username: str | None = None) -> User:
    return User(1, first, False, last_name=last, username=username)


def test_names_as_telegram_shows_them() -> None:
    assert account_name(_user("Sam", "Jansen", "samj")) == "Sam Jansen (@samj)"
    assert account_name(_user("Sam")) == "Sam"
    assert account_name(None) is None
    sent = NOW - timedelta(hours=1)
    assert forwarded_from(MessageOriginUser(sent, _user("Piet", "Verhuur", "pv"))) == "Piet Verhuur"
    assert forwarded_from(MessageOriginHiddenUser(sent, "Incasso Bureau")) == "Incasso Bureau"
    group = Chat(-5, Chat.SUPERGROUP, title="Buurtgroep")
    assert forwarded_from(MessageOriginChat(sent, group, author_signature="Jan")) == (
        "Buurtgroep (Jan)"
    )
    channel = Chat(-6, Chat.CHANNEL, title="Gemeente Nieuws")
    assert forwarded_from(MessageOriginChannel(sent, channel, 7)) == "Gemeente Nieuws"
    assert forwarded_from(None) is None
