"""What a coach does for a client whose chat refuses messages (📵, ``dialogs.reachability``):
a new rhythm, a pause or a resume is saved as always, but nothing is queued for the client
(it could not arrive) and the coach reads so; a message (``/bericht Sam``, the card's
"✉️ Bericht sturen", a reply) is still tried, the block may be lifted, but the coach reads
first that it may not arrive, and never "Verstuurd". The texts as rendered, in both
languages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.render import Menus, render_reply
from bot.texts import load_texts
from dialogs import client_card
from dialogs.card_view import CardContext
from dialogs.clients import ClientRef
from dialogs.coach_checkin import CoachCheckinContext, coach_checkin_acts
from dialogs.events import Command, Event, Tap, Text
from dialogs.outcome import AwaitInput, Outcome, Recipient, Reply
from dialogs.relay import CoachRelayContext, RelayToClient, coach_sends, start_message
from tests.unit.people import ANNA
from tests.unit.test_client_card import card
from tests.unit.test_coach_checkin_dialog import (
    BLOCKED,
    NOW,
    PAUSED,
    WORDS,
    _shell_results,
    sam,
)

TEXTS = load_texts()
MENUS = Menus(TEXTS)
SAM = ClientRef(7, "Sam")
PHONE = "+31612345678"  # Sam's stored number: the 📵 line names it as "+31 6 12345678"
NOT_TOLD = (
    "📵 Sam krijgt hier geen bericht over: sinds 9 november kan Sam geen berichten van mij "
    "krijgen. Moet Sam het weten? Bel Sam: +31 6 12345678"
)
NOT_TOLD_EN = (
    "📵 Sam gets no message about this: since November 9, Sam cannot get messages from me. "
    "Should Sam know? Call Sam: +31 6 12345678"
)
NOT_TOLD_NO_PHONE = (
    "📵 Sam krijgt hier geen bericht over: sinds 9 november kan Sam geen berichten van mij "
    "krijgen. Moet Sam het weten? Ik heb geen telefoonnummer van Sam. "
    "Probeer Sam op een andere manier te bereiken."
)
PAUSED_TEXT = "De check-ins van Sam staan op pauze.\nHervatten: /hervat Sam"
MAY_NOT_ARRIVE = (
    "📵 Sinds 9 november kan Sam geen berichten van mij krijgen. Misschien komt je bericht "
    "niet aan.\n\n"
    "Wat wil je naar Sam sturen? Typ het, of stuur een spraakbericht, foto of iets anders. "
    "Toch niets sturen? Typ /annuleer."
)


def shown(outcome: Outcome, language: str = "nl") -> list[str]:
    """Every reply as its reader sees it (lead included), in ``language``."""
    results = _shell_results(outcome)
    return [render_reply(r, language, TEXTS, MENUS, results).text for r in outcome.replies]


def for_client(outcome: Outcome) -> list[Reply]:
    return [r for r in outcome.replies if r.to is Recipient.CLIENT]


def checkin_act(
    event: Event, marked: bool, paused: bool = False, phone: str | None = PHONE
) -> Outcome:
    client = replace(sam(PAUSED) if paused else sam(), phone=phone)
    if marked:
        client = replace(client, unreachable_since=BLOCKED)
    ctx = CoachCheckinContext(clients=(client,), words=WORDS)
    outcome = coach_checkin_acts(ANNA, event, NOW, ctx)
    assert outcome is not None
    return outcome


@pytest.mark.parametrize(
    ("event", "paused", "confirmed"),
    [
        (
            Command("ritme", "Sam elke week"),
            False,
            "Opgeslagen. Sam krijgt elke week een check-in, op dinsdag om 09:30. De volgende is "
            "dinsdag 10 november om 09:30, als Sam dan weer bereikbaar is.",
        ),
        (Tap("rt:7:w4"), False, None),
        (
            Command("pauze", "Sam"),
            False,
            "De check-ins van Sam staan op pauze.\nHervatten: /hervat Sam",
        ),
        (
            Tap("rp:7:r"),
            True,
            "De check-ins van Sam gaan weer door: elke 2 weken, op dinsdag om 09:30. De volgende "
            "is dinsdag 17 november om 09:30, als Sam dan weer bereikbaar is.",
        ),
    ],
)
def test_a_change_for_a_client_who_cannot_get_messages_is_saved_and_told_to_nobody_else(
    event: Event, paused: bool, confirmed: str | None
) -> None:
    """The same change is stored as for any client; Sam is sent nothing (it could not
    arrive), and Anna reads her confirmation with, under it, that Sam gets no message."""
    plain = checkin_act(event, marked=False, paused=paused)
    marked = checkin_act(event, marked=True, paused=paused)
    assert marked.effects == plain.effects
    assert marked.notice == plain.notice == "coach_checkin.saved"
    assert len(for_client(plain)) == 1
    assert for_client(marked) == []
    [text] = shown(marked)
    assert text.endswith(f"\n\n{NOT_TOLD}")
    if confirmed is not None:
        assert text == f"{confirmed}\n\n{NOT_TOLD}"
    [english] = shown(marked, "en")
    assert english.endswith(f"\n\n{NOT_TOLD_EN}")
    # Without a stored number of Sam's: never "Bel Sam", but that the bot has none.
    [no_number] = shown(checkin_act(event, marked=True, paused=paused, phone=None))
    assert no_number.endswith(f"\n\n{NOT_TOLD_NO_PHONE}")
    assert "Bel Sam" not in no_number


def test_a_new_rhythm_while_paused_or_nothing_new_says_no_more_than_before() -> None:
    """Neither ever told Sam anything: the same text, with or without the mark."""
    for event, paused in ((Tap("rt:7:w1"), True), (Command("ritme", "Sam elke 2 weken"), False)):
        plain = checkin_act(event, marked=False, paused=paused)
        marked = checkin_act(event, marked=True, paused=paused)
        assert for_client(plain) == for_client(marked) == []
        assert [r.key for r in marked.replies] == [r.key for r in plain.replies]
        assert "📵" not in shown(marked)[0]


def test_bericht_for_a_client_who_cannot_get_messages_warns_first_and_still_waits_for_it() -> None:
    marked = start_message(ANNA, "sam", (SAM, ClientRef(8, "Bo")), {7: BLOCKED})
    assert marked.effects == (AwaitInput(1, "message:7"),)
    assert shown(marked) == [MAY_NOT_ARRIVE]
    assert shown(marked, "en")[0].startswith(
        "📵 Since November 9, Sam cannot get messages from me. Your message may not arrive."
        "\n\nWhat do you want to send to Sam?"
    )
    other = start_message(ANNA, "bo", (SAM, ClientRef(8, "Bo")), {7: BLOCKED})
    assert shown(other)[0].startswith("Wat wil je naar Bo sturen?")
    assert shown(start_message(ANNA, "sam", (SAM,)))[0].startswith("Wat wil je naar Sam")


def test_the_cards_message_button_for_a_client_who_cannot_get_messages_warns_first() -> None:
    ctx = CardContext(card=card(unreachable_since=BLOCKED))
    outcome = client_card.tap(ANNA, "cc:7:m", NOW, ctx, None)
    assert outcome.effects == (AwaitInput(1, "message:7"),)
    assert shown(outcome) == [MAY_NOT_ARRIVE]
    plain = client_card.tap(ANNA, "cc:7:m", NOW, CardContext(card=card()), None)
    assert shown(plain)[0].startswith("Wat wil je naar Sam sturen?")


def test_a_message_to_a_client_who_cannot_get_messages_is_tried_but_never_called_sent() -> None:
    coach = replace(ANNA, awaiting="message:7", coach_active=True)
    words = Text("Ik bel je morgen", message_id=77, chat_id=100)
    ctx = CoachRelayContext(awaiting_client=SAM, unreachable_since=BLOCKED)
    marked = coach_sends(coach, words, NOW, ctx)
    plain = coach_sends(coach, words, NOW, replace(ctx, unreachable_since=None))
    assert marked is not None and plain is not None
    assert marked.effects == plain.effects
    assert isinstance(marked.effects[0], RelayToClient)
    assert shown(plain) == ["Verstuurd naar Sam."]
    assert shown(marked) == [
        "Ik probeer het naar Sam te sturen. Komt het niet aan, dan hoor je het van mij."
    ]
    assert shown(marked, "en") == [
        "I am trying to send it to Sam. If it does not arrive, I will tell you."
    ]
