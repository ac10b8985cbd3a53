"""``/nieuw Tim`` for the coach's own Tim who never opened their link: a new link for that Tim
(the old ones stop working), as transcripts of text keys with a fixed clock. A Tim who opened
the link and is still joining: the coach is asked first (at which step since when; another
Tim?), and only "Stop aanmelding, nieuwe link" stops that joining (the chat that opened it is
told) with a new link. A Tim who takes part, or is someone else's, keeps today's answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.texts import load_texts
from bot.words import load_words
from dialogs.card_view import CardContext, NotActive, NotActiveClient
from dialogs.clients import ClientRef
from dialogs.events import Command, MenuItem, MenuPress, Start, Tap, Text
from dialogs.outcome import AwaitInput, InviteClient, Outcome, Recipient, RenewClientInvite
from dialogs.people import InviteView, Person, Role
from dialogs.router import DialogContext, route

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = load_texts("nl")
WORDS = load_words("nl")["nl"]
ANNA = Person(role=Role.COACH, telegram_user_id=100, language="nl", id=1, name="Anna")
TIM = ClientRef(9, "Tim")
# Anna's Tim, invited, link never opened; and her Sam, who takes part.
RENEWABLE = DialogContext(client_names=("Sam", "Tim"), renewable_invites=(TIM,), words=WORDS)


def keys(outcome: Outcome) -> list[str]:
    for reply in outcome.replies:
        assert TEXTS.has(reply.key), f"unknown text key {reply.key}"
        assert reply.lead is None or TEXTS.has(reply.lead), f"unknown lead {reply.lead}"
    return [reply.key for reply in outcome.replies]


def invites(outcome: Outcome) -> list[object]:
    return [e for e in outcome.effects if isinstance(e, InviteClient | RenewClientInvite)]


@pytest.mark.parametrize("typed", ["Tim", "tim", "  TIM ", "Tím"])
def test_the_name_of_a_client_who_never_opened_the_link_makes_a_new_link_for_them(
    typed: str,
) -> None:
    outcome = route(ANNA, Command("nieuw", typed), NOW, RENEWABLE)
    assert invites(outcome) == [RenewClientInvite(coach_id=1, client_id=9, client_name="Tim")]
    assert AwaitInput(1, None) in outcome.effects
    assert keys(outcome) == ["coach.client_invite", "coach.client_invite_qr"]
    link, picture = outcome.replies
    assert link.lead == "coach.client_invite_renewed" and picture.lead is None
    # Under the stored name, however it was typed; a secret: never stored when unsent.
    assert link.params == picture.params == {"client": "Tim"}
    assert link.unsent_key == picture.unsent_key == "coach.client_invite_unsent"
    assert picture.picture_of == "link"
    assert TEXTS.render("nl", "coach.client_invite_renewed", link.params) == (
        "Dit is een nieuwe link voor Tim. De oude link werkt niet meer."
    )


def test_the_answer_to_the_menus_question_renews_too() -> None:
    asked = route(ANNA, MenuPress(MenuItem.NEW_CLIENT), NOW, RENEWABLE)
    (question,) = [e for e in asked.effects if isinstance(e, AwaitInput)]
    waiting = Person(**{**ANNA.__dict__, "awaiting": question.awaiting})
    answered = route(waiting, Text("Tim"), NOW + timedelta(minutes=5), RENEWABLE)
    assert invites(answered) == [RenewClientInvite(coach_id=1, client_id=9, client_name="Tim")]
    assert AwaitInput(1, None) in answered.effects


def test_a_language_named_with_the_renewal_is_the_clients_from_then_on() -> None:
    outcome = route(ANNA, Command("nieuw", "Tim English"), NOW, RENEWABLE)
    assert invites(outcome) == [
        RenewClientInvite(coach_id=1, client_id=9, language="en", client_name="Tim")
    ]
    assert keys(outcome) == [
        "coach.client_invite",
        "coach.client_invite_qr",
        "coach.client_language",
    ]


def _joining(*clients: NotActiveClient) -> DialogContext:
    """Anna's Sam takes part, her Tim opened the link and is still joining (loaded with the
    card's context: ``bot.client_card``)."""
    return DialogContext(
        client_names=("Sam", "Tim"), client_card=CardContext(not_active=clients), words=WORDS
    )


def test_the_name_of_a_client_still_joining_asks_whether_to_stop_that_joining() -> None:
    context = _joining(NotActiveClient(TIM, NotActive.JOINING, since=NOW))
    outcome = route(ANNA, Command("nieuw", "Tim"), NOW, context)
    assert invites(outcome) == [] and outcome.effects == (AwaitInput(1, None),)
    (asked,) = outcome.replies
    assert keys(outcome) == ["coach.stop_joining.ask"] and asked.to is Recipient.SENDER
    assert asked.lead == "coach.stop_joining.opened"
    assert [[(b.label_key, b.data) for b in row] for row in asked.buttons] == [
        [("coach.stop_joining.yes_button", "sj:9:y")],
        [("coach.stop_joining.no_button", "sj:9:n")],
    ]
    consented = NotActiveClient(TIM, NotActive.JOINING, since=NOW, consented=True)
    english = route(ANNA, Command("nieuw", "Tim English"), NOW, _joining(consented))
    assert english.replies[0].lead == "coach.stop_joining.consented"
    assert english.replies[0].buttons[0][0].data == "sj:9:y:en"
    undated = NotActiveClient(TIM, NotActive.JOINING)  # joined before the moment was kept
    without_since = route(ANNA, Command("nieuw", "Tim"), NOW, _joining(undated))
    assert without_since.replies[0].lead == "coach.stop_joining.joining"


@pytest.mark.parametrize("data", ["sj:9:y", "sj:9:y:en"])
def test_the_coachs_yes_stops_that_joining_with_a_new_link(data: str) -> None:
    context = _joining(NotActiveClient(TIM, NotActive.JOINING, since=NOW))
    outcome = route(ANNA, Tap(data, chat_id=100), NOW, context)
    assert outcome.chosen == "coach.stop_joining.yes_button"
    language = "en" if data.endswith("en") else None
    assert invites(outcome) == [
        RenewClientInvite(
            coach_id=1, client_id=9, language=language, joining=True, client_name="Tim"
        )
    ]
    assert AwaitInput(1, None) in outcome.effects
    assert keys(outcome)[:2] == ["coach.client_invite", "coach.client_invite_qr"]
    assert keys(outcome)[-1] == "onboarding.joining_stopped"
    link, told = outcome.replies[0], outcome.replies[-1]
    assert link.lead == "coach.client_invite_restarted"
    assert TEXTS.render("nl", link.lead, link.params) == (
        "Ik heb de aanmelding van Tim gestopt. De oude link werkt niet meer, en de chat die "
        "hem opende doet niet meer mee.\n"
        "Dit is een nieuwe link voor Tim."
    )
    # The chat that opened the link reads that it stopped: no name, it may not be Tim's.
    assert told.to is Recipient.CLIENT and told.params == {}
    assert TEXTS.render("nl", told.key) == (
        "Je aanmelding in deze chat is gestopt.\n"
        "Je coach heeft een nieuwe link gemaakt.\n"
        "Wil je meedoen? Vraag je coach om de nieuwe link."
    )


@pytest.mark.parametrize(
    ("data", "loaded", "said"),
    [
        ("sj:9:n", None, "coach.stop_joining.kept"),  # "Nee, laat maar"
        ("sj:9:y", CardContext(clients=(TIM,)), "coach.stop_joining.joined"),
        ("sj:9:y", CardContext(not_active=(NotActiveClient(TIM, NotActive.INVITED),)), None),
    ],
)
def test_no_or_a_stale_yes_changes_nothing_and_says_so(
    data: str, loaded: CardContext | None, said: str | None
) -> None:
    context = DialogContext(client_card=loaded, words=WORDS)
    outcome = route(ANNA, Tap(data, chat_id=100), NOW, context)
    assert outcome.effects == ()
    assert keys(outcome) == [said or "coach.stop_joining.not_joining"]


@pytest.mark.parametrize(
    "data", ["sj:9:y", "sj:9:y:xx", "sj:x:y", "sj:9", "sj:9:y:en:1", "sj:", f"sj:{'9' * 30}:y"]
)
def test_a_forged_or_foreign_tap_changes_nothing(data: str) -> None:
    """The shell loaded nothing (another coach's client, or gone), or the data is not ours."""
    outcome = route(ANNA, Tap(data, chat_id=100), NOW, DialogContext(words=WORDS))
    assert outcome.effects == () and outcome.replies == ()
    assert outcome.notice in ("coach.stop_joining.unknown", "common.button_unknown")
    assert TEXTS.has(outcome.notice or "")


def test_an_invited_client_the_shell_loaded_with_the_card_is_renewed_too() -> None:
    """Invited again after their joining stopped: their links were opened once, so the
    context's ``renewable_invites`` (never opened) leaves them out; the card's context has them."""
    context = _joining(NotActiveClient(TIM, NotActive.INVITED))
    outcome = route(ANNA, Command("nieuw", "Tim"), NOW, context)
    assert invites(outcome) == [RenewClientInvite(coach_id=1, client_id=9, client_name="Tim")]
    assert outcome.replies[0].lead == "coach.client_invite_renewed"


def test_a_name_in_care_that_cannot_be_renewed_is_still_refused() -> None:
    """Sam takes part: the shell offers Sam neither as invited nor as joining, so the name is
    taken, as before."""
    outcome = route(ANNA, Command("nieuw", "Sam"), NOW, RENEWABLE)
    assert keys(outcome) == ["coach.name_problem.taken"]
    assert invites(outcome) == []


def test_another_name_is_a_new_client_and_no_renewal() -> None:
    outcome = route(ANNA, Command("nieuw", "Tim B."), NOW, RENEWABLE)
    assert invites(outcome) == [InviteClient(coach_id=1, client_name="Tim B.")]
    assert outcome.replies[0].lead is None
    # Without a Tim of Anna's to renew (another coach's Tim is not in her context): new.
    fresh = route(ANNA, Command("nieuw", "Tim"), NOW, DialogContext(client_names=("Sam",)))
    assert invites(fresh) == [InviteClient(coach_id=1, client_name="Tim")]


def test_a_deactivated_coach_renews_nothing() -> None:
    inactive = Person(**{**ANNA.__dict__, "coach_active": False})
    outcome = route(inactive, Command("nieuw", "Tim"), NOW, RENEWABLE)
    assert keys(outcome) == ["coach.inactive"] and outcome.effects == ()


def _old_link(**changes: object) -> InviteView:
    fields: dict[str, object] = dict(
        id=3,
        kind="client",
        expires_at=NOW + timedelta(days=14),
        used=False,
        revoked=True,
        claimed_by=None,
        coach_id=1,
        coach_name="Anna",
        client_id=9,
        client_name="Tim",
    )
    fields.update(changes)
    return InviteView(**fields)  # type: ignore[arg-type]


def test_an_old_link_gets_the_answer_of_any_bad_link_and_the_coach_hears_it_was_replaced() -> None:
    outcome = route(
        Person.stranger(500, "nl"),
        Start("x" * 43, account="Kim"),
        NOW,
        DialogContext(invite=_old_link()),
    )
    assert keys(outcome) == ["stranger.invite_invalid", "coach_joins.link_replaced"]
    assert outcome.effects == ()
    told = outcome.replies[1]
    assert told.to is Recipient.COACH
    assert TEXTS.render("nl", told.key, told.params) == (
        "Iemand opende een oude link voor Tim. Die werkt niet meer: er is een nieuwe link "
        "gemaakt.\n"
        "Telegram-account: Kim.\n"
        "Is dat Tim? Geef Tim dan de nieuwste link. Heb je die niet? Stuur /nieuw Tim."
    )
    # Tim opened a newer link already: "give Tim the newest link" would be no help.
    opened = route(
        Person.stranger(500, "nl"),
        Start("x" * 43, account="Kim"),
        NOW,
        DialogContext(invite=_old_link(client_opened=True)),
    )
    assert keys(opened) == ["stranger.invite_invalid", "coach_joins.link_replaced_opened"]
    assert opened.effects == () and opened.replies[1].to is Recipient.COACH
    assert TEXTS.render("nl", opened.replies[1].key, opened.replies[1].params) == (
        "Iemand opende een oude link voor Tim. Die werkt niet meer: er is een nieuwe link "
        "gemaakt.\n"
        "Telegram-account: Kim.\n"
        "Tim opende de nieuwe link al. Dit is dus misschien iemand anders met een oude link."
    )
    assert TEXTS.render("en", opened.replies[1].key, opened.replies[1].params) == (
        "Someone opened an old link for Tim. It no longer works: a new link was made.\n"
        "Telegram account: Kim.\n"
        "Tim already opened the new link. So this may be someone else with an old link."
    )
    # A link that was used or expired (not replaced) keeps its own notice.
    used = route(
        Person.stranger(500, "nl"),
        Start("x" * 43, account="Kim"),
        NOW,
        DialogContext(invite=_old_link(revoked=False, used=True)),
    )
    assert keys(used) == ["stranger.invite_invalid", "coach_joins.link_unusable"]
