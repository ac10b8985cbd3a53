"""A client asks what the bot keeps about them; their coach sends the summary with one tap.

::

    client types "wat weet je van mij?" (``Words.data_request``, the whole message)
        ──▶ RequestData; the client: "Ik vraag {coach} om je een overzicht te sturen."
            the coach: "Sam wil weten wat Waakvlam over hem of haar bewaart"
                       [📄 Stuur Sam het overzicht] (dr:<client id>)
                 └─ tap ──▶ SendSummary: the easy-language summary (as ``waakvlam client
                            export`` writes it) goes to Sam as a document; the coach hears so

Button data is untrusted: ``dr:<client id>`` is acted on only for an active client of the
coach who pressed (the shell loads that client: ``tapped``); else a kind notice, no change.
"""

from __future__ import annotations

import re

from dialogs.buttons import ID, row_id
from dialogs.clients import ClientRef
from dialogs.outcome import Button, Keyboard, Outcome, Recipient, Reply
from dialogs.people import Person, Role
from dialogs.phase_effects import RequestData, SendSummary
from dialogs.words import Words, normalise

__all__ = ["NOT_YOURS", "SEND_BUTTON", "ask", "coach_taps", "parse_data", "wants_data"]

SEND_BUTTON = "coach_data.send_button"
NOT_YOURS = "caseload.not_yours"
_DATA = re.compile(rf"dr:({ID})")


def wants_data(text: str, words: Words) -> bool:
    """The whole message asks what is kept ("Wat weet je van mij?", "mijn gegevens")."""
    return normalise(text) in words.data_request


def parse_data(data: str) -> int | None:
    found = _DATA.fullmatch(data)
    return row_id(found[1]) if found else None


def ask(person: Person, menu: Keyboard = Keyboard.CLIENT_MENU) -> Outcome:
    """The client asked: recorded; the coach gets the one-tap button."""
    assert person.role is Role.CLIENT and person.id is not None
    names = {"client": person.name, "coach": person.coach_name}
    button = Button(SEND_BUTTON, f"dr:{person.id}", {"client": person.name or ""})
    return Outcome(
        effects=(RequestData(person.id),),
        replies=(
            Reply("data_request.asked", names, keyboard=menu),
            Reply("coach_data.requested", names, to=Recipient.COACH, buttons=((button,),)),
        ),
    )


def coach_taps(person: Person, data: str, tapped: ClientRef | None) -> Outcome:
    """The coach tapped "📄 Stuur Sam het overzicht"."""
    if person.role is not Role.COACH or person.id is None or not person.coach_active:
        return Outcome(notice="common.button_unknown")
    if _DATA.fullmatch(data) is None:
        return Outcome(notice="common.button_unknown")
    if tapped is None or tapped.id != parse_data(data):  # an id no client can have: None
        return Outcome(notice=NOT_YOURS)
    return Outcome(
        effects=(SendSummary(tapped.id, person.id),),
        replies=(Reply("coach_data.sent", {"client": tapped.name}),),
        chosen="coach_data.send_chosen",
    )
