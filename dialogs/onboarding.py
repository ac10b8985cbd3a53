"""Joining Waakvlam: opening an invite link, consent, and the read-aloud choice.

Coach: link -> registered. Client: link -> welcome -> consent (yes/no) -> read aloud (yes/no)
-> share a phone number? (optional, ``dialogs.phone``) -> main menu. A link that is unknown,
used, expired or held by someone else gets the same kind refusal, so trying links teaches
nothing; when it was a real client link, its coach hears which Telegram account tried it.
When a client link is opened, the coach hears which Telegram account opened it (a wrong
account is noticed before it is in).

A "Nee" to consent can be taken back in the same chat while the link is valid: the client is
offered "Toch meedoen" (or types ja) with every later message. The client's row is kept only
that long; the daily housekeeping erases it once the link expired (``bot.leaving``), and the
coach is told exactly that.
"""

from __future__ import annotations

from datetime import datetime

from dialogs import phone
from dialogs.ended import hello as ended_hello
from dialogs.outcome import (
    ActivateCoach,
    Button,
    ChooseReadAloud,
    ClaimClientInvite,
    DeclineConsent,
    GiveConsent,
    Keyboard,
    Outcome,
    Recipient,
    Reply,
    TextRef,
)
from dialogs.people import ClientStep, InviteView, Person, Role

__all__ = [
    "CONSENT_NO",
    "CONSENT_TAKE_BACK",
    "CONSENT_VERSION",
    "CONSENT_YES",
    "VOICE_NO",
    "VOICE_YES",
    "answer_consent",
    "answer_read_aloud",
    "ask_current_question",
    "client_menu",
    "declined_offer",
    "open_link",
]

CONSENT_VERSION = "2"  # 2: says who else sees an alert, and how to stop
CONSENT_YES, CONSENT_NO = "ob:consent:yes", "ob:consent:no"
CONSENT_TAKE_BACK = "ob:consent:again"  # "Toch meedoen" after a "Nee"
VOICE_YES, VOICE_NO = "ob:voice:yes", "ob:voice:no"


def open_link(
    person: Person, invite: InviteView | None, now: datetime, account: str | None = None
) -> Outcome:
    """The person opened a deep link; ``invite`` is what its token points to, if anything.
    ``account``: the opener's Telegram account as Telegram shows it, for the coach."""
    if person.role is Role.CLIENT and person.client_step is ClientStep.ACTIVE:
        return client_menu(person, "client.already_joined")
    if invite is None or not invite.usable_by(person.telegram_user_id, now):
        if person.role is Role.CLIENT:
            return ask_current_question(person)
        refused = Outcome(replies=(Reply("stranger.invite_invalid"),))
        return refused + _tell_coach_of_unusable(person, invite, account)
    if invite.kind == "coach":
        return _open_coach_link(person, invite)
    return _open_client_link(person, invite, account)


def _tell_coach_of_unusable(
    person: Person, invite: InviteView | None, account: str | None
) -> Outcome:
    """A real client link that no longer works was opened: its coach hears by whom."""
    if invite is None or invite.kind != "client" or person.role is not Role.STRANGER:
        return Outcome()
    if invite.client_name is None or account is None:
        return Outcome()
    names = {"client": invite.client_name, "account": account}
    # A withdrawn link is one the coach replaced with a new one (/nieuw, ``dialogs.coach``).
    if not invite.revoked:
        key = "coach_joins.link_unusable"
    elif invite.client_opened:  # "give the client the newest link" is no help then
        key = "coach_joins.link_replaced_opened"
    else:
        key = "coach_joins.link_replaced"
    return Outcome(replies=(Reply(key, names, to=Recipient.COACH),))


def _open_coach_link(person: Person, invite: InviteView) -> Outcome:
    if person.role is Role.COACH:
        return Outcome(replies=(Reply("coach.already_coach", keyboard=Keyboard.COACH_MENU),))
    if person.role is Role.CLIENT:
        return ask_current_question(person)
    assert invite.coach_id is not None
    return Outcome(
        effects=(ActivateCoach(invite_id=invite.id, coach_id=invite.coach_id),),
        replies=(
            Reply("coach.welcome", {"coach": invite.coach_name}, keyboard=Keyboard.COACH_MENU),
        ),
    )


# A client in these steps may open a new link of their coach: they join as a new client.
_MAY_JOIN_AGAIN = (ClientStep.ENDED, ClientStep.DECLINED)


def _open_client_link(person: Person, invite: InviteView, account: str | None) -> Outcome:
    if person.role is Role.COACH:
        return Outcome(replies=(Reply("coach.link_not_for_coach"),))
    if (
        person.role is Role.CLIENT
        and person.id != invite.client_id
        and person.client_step not in _MAY_JOIN_AGAIN
    ):
        return ask_current_question(person)
    assert invite.client_id is not None
    names = {"client": invite.client_name, "coach": invite.coach_name}
    replies = [
        Reply("onboarding.welcome", names, keyboard=Keyboard.REMOVE),
        _consent_question(names),
    ]
    if account is not None:
        joined = {"client": invite.client_name, "account": account}
        replies.append(Reply("coach_joins.link_opened", joined, to=Recipient.COACH))
    return Outcome(
        effects=(ClaimClientInvite(invite_id=invite.id, client_id=invite.client_id),),
        replies=tuple(replies),
    )


def _consent_question(names: dict[str, str | None]) -> Reply:
    return Reply(
        "onboarding.consent_question",
        {"coach": names["coach"]},
        buttons=(
            (Button("onboarding.consent_yes", CONSENT_YES),),
            (Button("onboarding.consent_no", CONSENT_NO),),
        ),
    )


def _voice_question() -> Reply:
    return Reply(
        "onboarding.voice_question",
        buttons=(
            (Button("onboarding.voice_yes", VOICE_YES),),
            (Button("onboarding.voice_no", VOICE_NO),),
        ),
    )


def ask_current_question(person: Person) -> Outcome:
    """Repeat the open onboarding question (or the menu, when there is none)."""
    if person.client_step is ClientStep.CONSENT_PENDING:
        return Outcome(
            replies=(
                Reply("onboarding.finish_first"),
                _consent_question({"coach": person.coach_name}),
            )
        )
    if person.client_step is ClientStep.VOICE_PENDING:
        return Outcome(replies=(Reply("onboarding.finish_first"), _voice_question()))
    if person.client_step is ClientStep.DECLINED:
        return declined_offer(person)
    if person.client_step is ClientStep.ENDED:
        return ended_hello(person)  # support ended: no "Je doet al mee", no menu
    return client_menu(person, "client.already_joined")


def _take_back_button() -> tuple[tuple[Button, ...], ...]:
    return ((Button("onboarding.consent_take_back", CONSENT_TAKE_BACK),),)


def declined_offer(person: Person) -> Outcome:
    """A client who said no writes again: they may still say yes (the router checks the link
    is still valid; after that they are a stranger)."""
    return Outcome(
        replies=(
            Reply(
                "onboarding.declined_again",
                {"coach": person.coach_name},
                buttons=_take_back_button(),
            ),
        )
    )


def answer_consent(person: Person, yes: bool, now: datetime) -> Outcome:
    """Yes: go on to the read-aloud choice. No: tell the coach; the client may still say yes
    while their link is valid (then they are forgotten: the shell erases them)."""
    if person.role is not Role.CLIENT:
        return Outcome(notice="common.question_closed")
    if person.client_step is ClientStep.DECLINED:
        if not yes:
            return declined_offer(person)
        if not person.may_take_back(now):
            return Outcome(notice="common.button_unknown")
    elif person.client_step is not ClientStep.CONSENT_PENDING:
        return Outcome(notice="common.question_closed")
    assert person.id is not None
    if yes:
        taken_back = person.client_step is ClientStep.DECLINED
        return Outcome(
            effects=(GiveConsent(client_id=person.id, version=CONSENT_VERSION),),
            replies=(_voice_question(),),
            chosen="onboarding.consent_take_back" if taken_back else "onboarding.consent_yes",
        )
    return Outcome(
        effects=(DeclineConsent(client_id=person.id),),
        replies=(
            Reply(
                "onboarding.consent_declined",
                {"coach": person.coach_name},
                buttons=_take_back_button(),
            ),
            Reply("coach.client_declined", {"client": person.name}, to=Recipient.COACH),
        ),
        chosen="onboarding.consent_no",
    )


def answer_read_aloud(person: Person, yes: bool, now: datetime) -> Outcome:
    """Store the choice; the client is in: offer to share their phone number (the menu
    follows their answer, ``dialogs.phone``), tell the coach."""
    if person.role is not Role.CLIENT or person.client_step is not ClientStep.VOICE_PENDING:
        return Outcome(notice="common.question_closed")
    assert person.id is not None
    confirmation = "onboarding.voice_chosen_yes" if yes else "onboarding.voice_chosen_no"
    return Outcome(
        effects=(ChooseReadAloud(client_id=person.id, read_aloud=yes),),
        replies=(
            Reply(confirmation),
            *phone.offer(person),
            Reply("coach_phone.client_joined", {"client": person.name}, to=Recipient.COACH),
        ),
        chosen="onboarding.voice_yes" if yes else "onboarding.voice_no",
    )


def client_menu(person: Person, lead_key: str) -> Outcome:
    """A short lead text with the menu keyboard, then what the three menu buttons do.

    The keyboard goes with the lead: a Telegram message carries either a reply keyboard or
    inline buttons, and the explanation is the one that must keep its "🔊 Voorlezen"."""
    return Outcome(
        replies=(
            Reply(lead_key, keyboard=Keyboard.CLIENT_MENU),
            Reply(
                "menu.explained",
                {
                    "coach": person.coach_name,
                    "message_button": TextRef("menu.message_coach"),
                    "checkin_button": TextRef("menu.checkin"),
                    "noodknop_button": TextRef("menu.noodknop"),
                },
            ),
        )
    )
