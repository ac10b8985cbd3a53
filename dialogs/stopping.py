"""A client who wants to stop: asked once, then their coach ends the support with one tap.

Client types "stop" (``Words.stop``, the whole message) ──▶ ask: "Wil je stoppen?"
    ├── [Nee, ik doe mee] ──▶ "Fijn, je doet nog mee" (an open check-in question again)
    └── [Ja, ik wil stoppen] ──▶ AskToStop; the client hears that the coach is asked;
             the coach gets "Sam wil stoppen" with [Beëindigen] [Niet nu]
                 ├── Beëindigen ──▶ EndSupport; the client gets a warm goodbye
                 └── Niet nu ──▶ nothing changes; the client hears the coach will talk first

While the question is the client's last open one (``Person.stop_asked``, stored as
``Client.stop_asked_at``) a typed "ja" or "nee" (``Words.yes`` / ``Words.no``) answers it as
its buttons do. Whatever else the bot answers the client ends that (``question_after``), and
so does a check-in the clock opens: its "nee" belongs to the check-in question.

Nothing ends before the coach confirms: until then the client takes part as before, and the
client is told exactly that. Button data is untrusted: ``sp:y`` / ``sp:n`` name nothing (the
presser is the client), ``sp:end:<client id>`` / ``sp:keep:<client id>`` are acted on only for
an active client of the coach who pressed (the shell loads that client, ``tapped``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dialogs.buttons import ID, row_id
from dialogs.clients import ClientRef
from dialogs.outcome import (
    AskToStop,
    Button,
    EndSupport,
    Keyboard,
    MarkStopAsked,
    Outcome,
    Recipient,
    Reply,
)
from dialogs.people import ClientStep, Person, Role
from dialogs.words import Words, normalise

__all__ = [
    "END_REASON",
    "STOP_NO",
    "STOP_YES",
    "client_answers",
    "coach_decides",
    "parse_coach_data",
    "question_after",
    "typed_answer",
    "wants_to_stop",
]

STOP_YES, STOP_NO = "sp:y", "sp:n"
END_REASON = "client_asked"  # the end reason stored with the ended phase
_COACH_DATA = re.compile(rf"sp:(end|keep):({ID})")


def wants_to_stop(text: str, words: Words) -> bool:
    """The whole message says the client wants to stop ("stop", "Ik wil stoppen!")."""
    return normalise(text) in words.stop


# A typed yes or no answers the stop question only this soon after it was asked: later a
# "ja" is more likely meant for the coach (a question of theirs) than a wish to stop.
TYPED_ANSWER_WITHIN = timedelta(minutes=10)


def typed_answer(person: Person, text: str, words: Words, now: datetime) -> bool | None:
    """A typed "ja" (True) or "nee" (False) while the stop question is the client's last open
    one and was asked within ``TYPED_ANSWER_WITHIN``; None otherwise. Only plain yes and no:
    "oké" or "goed" may just mean "I am fine". (A message from the coach that reached the
    client since closes the question too: ``bot.outbox_hooks``.)"""
    asked = person.stop_asked_at
    if asked is None or person.client_step is not ClientStep.ACTIVE:
        return None
    if now - asked > TYPED_ANSWER_WITHIN:
        return None
    word = normalise(text)
    if word in words.yes:
        return True
    return False if word in words.no else None


def question_after(person: Person, outcome: Outcome) -> Outcome:
    """The stop question marked open when ``outcome`` asks it, and no longer open when the
    client got any other answer (a reply, something stored, a button's choice). A press that
    changes nothing ("🔊 Voorlezen", a closed button's notice) leaves it as it was."""
    if person.role is not Role.CLIENT or person.id is None:
        return outcome
    asks = any(r.key == "stopping.ask" for r in outcome.replies)
    if asks and not person.stop_asked:
        return outcome + Outcome(effects=(MarkStopAsked(person.id, True),))
    answered = bool(outcome.replies or outcome.effects or outcome.chosen)
    if person.stop_asked and answered and not asks:
        return outcome + Outcome(effects=(MarkStopAsked(person.id, False),))
    return outcome


def ask(person: Person) -> Outcome:
    """Ask once whether the client really wants to stop."""
    return Outcome(
        replies=(
            Reply(
                "stopping.ask",
                {"coach": person.coach_name},
                buttons=(
                    (Button("stopping.yes", STOP_YES),),
                    (Button("stopping.no", STOP_NO),),
                ),
            ),
        )
    )


def client_answers(person: Person, yes: bool, now: datetime) -> Outcome:
    """The client's Ja/Nee to "Wil je stoppen?"."""
    if person.role is not Role.CLIENT or person.client_step is not ClientStep.ACTIVE:
        return Outcome(notice="common.question_closed")
    assert person.id is not None
    if not yes:
        return Outcome(
            replies=(Reply("stopping.not_stopping", keyboard=Keyboard.CLIENT_MENU),),
            chosen="stopping.no",
        )
    names = {"client": person.name, "coach": person.coach_name}
    return Outcome(
        effects=(AskToStop(person.id),),
        replies=(
            Reply("stopping.coach_asked", names, keyboard=Keyboard.CLIENT_MENU),
            Reply(
                "coach_stop.client_wants_to_stop",
                names,
                to=Recipient.COACH,
                buttons=(
                    (
                        Button("coach_stop.end_button", f"sp:end:{person.id}"),
                        Button("coach_stop.keep_button", f"sp:keep:{person.id}"),
                    ),
                ),
            ),
        ),
        chosen="stopping.yes",
    )


def parse_coach_data(data: str) -> tuple[bool, int] | None:
    """``sp:end:<id>`` -> (True, id), ``sp:keep:<id>`` -> (False, id); else None."""
    match = _COACH_DATA.fullmatch(data)
    client_id = row_id(match[2]) if match else None
    return (match[1] == "end", client_id) if match and client_id is not None else None


def coach_decides(
    person: Person,
    data: str,
    tapped: ClientRef | None,
    now: datetime,
    alert_open: bool = False,
) -> Outcome:
    """The coach tapped "Beëindigen" or "Niet nu" under a client's wish to stop. Not while
    the client's noodknop alert is open (``alert_open``): its people are asked now."""
    parsed = parse_coach_data(data)
    if person.role is not Role.COACH or person.id is None or not person.coach_active:
        return Outcome(notice="common.button_unknown")
    if parsed is None or tapped is None or tapped.id != parsed[1]:
        return Outcome(notice="common.question_closed")  # ended already, or not theirs
    end, _ = parsed
    names = {"client": tapped.name, "coach": person.name}
    if not end:  # the client was told "I will let you know": they are
        return Outcome(
            replies=(
                Reply("coach_stop.kept", names, keyboard=Keyboard.COACH_MENU),
                Reply("stopping.not_stopped", names, to=Recipient.CLIENT),
            ),
            chosen="coach_stop.keep_button",
        )
    if alert_open:
        return Outcome(replies=(Reply("coach_phase.not_during_alert", names),))
    return Outcome(
        effects=(EndSupport(tapped.id, person.id, END_REASON),),
        replies=(
            Reply("coach_stop.ended", names, keyboard=Keyboard.COACH_MENU),
            Reply("stopping.goodbye", names, to=Recipient.CLIENT, keyboard=Keyboard.REMOVE),
        ),
        chosen="coach_stop.end_button",
    )
