"""Joining Waakvlam: opening an invite link, consent, and the read-aloud choice.

Coach: link -> registered. Client: link -> welcome -> consent (yes/no) -> read aloud (yes/no)
-> main menu. A link that is unknown, used, expired or held by someone else gets the same
kind refusal, so trying links teaches nothing.
"""

from __future__ import annotations

from datetime import datetime

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
    "CONSENT_VERSION",
    "CONSENT_YES",
    "VOICE_NO",
    "VOICE_YES",
    "answer_consent",
    "answer_read_aloud",
    "ask_current_question",
    "client_menu",
    "open_link",
]

CONSENT_VERSION = "1"
CONSENT_YES, CONSENT_NO = "ob:consent:yes", "ob:consent:no"
VOICE_YES, VOICE_NO = "ob:voice:yes", "ob:voice:no"


def open_link(person: Person, invite: InviteView | None, now: datetime) -> Outcome:
    """The person opened a deep link; ``invite`` is what its token points to, if anything."""
    if person.role is Role.CLIENT and person.client_step is ClientStep.ACTIVE:
        return client_menu(person, "client.already_joined")
    if invite is None or not invite.usable_by(person.telegram_user_id, now):
        if person.role is Role.CLIENT:
            return ask_current_question(person)
        return Outcome(replies=(Reply("stranger.invite_invalid"),))
    if invite.kind == "coach":
        return _open_coach_link(person, invite)
    return _open_client_link(person, invite)


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


def _open_client_link(person: Person, invite: InviteView) -> Outcome:
    if person.role is Role.COACH:
        return Outcome(replies=(Reply("coach.link_not_for_coach"),))
    if person.role is Role.CLIENT and person.id != invite.client_id:
        return ask_current_question(person)
    assert invite.client_id is not None
    names = {"client": invite.client_name, "coach": invite.coach_name}
    return Outcome(
        effects=(ClaimClientInvite(invite_id=invite.id, client_id=invite.client_id),),
        replies=(
            Reply("onboarding.welcome", names, keyboard=Keyboard.REMOVE),
            _consent_question(names),
        ),
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
    return client_menu(person, "client.already_joined")


def answer_consent(person: Person, yes: bool, now: datetime) -> Outcome:
    """Yes: go on to the read-aloud choice. No: forget this person, tell the coach."""
    if person.role is not Role.CLIENT or person.client_step is not ClientStep.CONSENT_PENDING:
        return Outcome(notice="common.question_closed")
    assert person.id is not None
    if yes:
        return Outcome(
            effects=(GiveConsent(client_id=person.id, version=CONSENT_VERSION),),
            replies=(_voice_question(),),
            chosen="onboarding.consent_yes",
        )
    return Outcome(
        effects=(DeclineConsent(client_id=person.id),),
        replies=(
            Reply(
                "onboarding.consent_declined",
                {"coach": person.coach_name},
                keyboard=Keyboard.REMOVE,
            ),
            Reply("coach.client_declined", {"client": person.name}, to=Recipient.COACH),
        ),
        chosen="onboarding.consent_no",
    )


def answer_read_aloud(person: Person, yes: bool, now: datetime) -> Outcome:
    """Store the choice; the client is in: show the menu, tell the coach."""
    if person.role is not Role.CLIENT or person.client_step is not ClientStep.VOICE_PENDING:
        return Outcome(notice="common.question_closed")
    assert person.id is not None
    confirmation = "onboarding.voice_chosen_yes" if yes else "onboarding.voice_chosen_no"
    return Outcome(
        effects=(ChooseReadAloud(client_id=person.id, read_aloud=yes),),
        replies=(
            Reply(confirmation),
            *client_menu(person, "onboarding.ready").replies,
            Reply("coach.client_joined", {"client": person.name}, to=Recipient.COACH),
        ),
        chosen="onboarding.voice_yes" if yes else "onboarding.voice_no",
    )


def client_menu(person: Person, lead_key: str) -> Outcome:
    """A short lead text, then what the three menu buttons do, with the menu keyboard."""
    return Outcome(
        replies=(
            Reply(lead_key),
            Reply(
                "menu.explained",
                {
                    "coach": person.coach_name,
                    "message_button": TextRef("menu.message_coach"),
                    "checkin_button": TextRef("menu.checkin"),
                    "noodknop_button": TextRef("menu.noodknop"),
                },
                keyboard=Keyboard.CLIENT_MENU,
            ),
        )
    )
