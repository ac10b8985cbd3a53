"""Someone else's words and a moving pin, end to end: the real bot through the sandbox, a fixed
clock, both databases.

A forward during a check-in is a message for the coach, never an answer, and the check-in goes
on where it was; a forwarded "Help" goes to the coach as any forward, without the noodknop
offered as if the client said it, while forwarded words of danger still raise an alert; a live
location reaches the coach once, as its starting point, and its position updates (edits of
that message, for up to 8 hours) bring no "Je hebt een bericht veranderd" at all. A forwarded
"Nee" while the phone number is offered goes to the coach too, and answers nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import Alert, Checkin, Client
from tests.scenarios.conftest import World
from tests.scenarios.test_help_words import NUMBERS, _anna_and_sam, _relays

GRADE_Q = "Hoe gaat het met je?\nGeef een cijfer van 1 tot 10.\n1 is heel slecht, 10 is heel goed."
FROM_KIM = "↪️ Sam stuurt je een doorgestuurd bericht. Het komt van: Kim"
GOES_ON = "We gaan verder waar je was.\n\n"
OFFER_KEYBOARD = [["📱 Deel mijn nummer"], ["Liever niet"], ["🔴 Noodknop"]]
MENU = [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]
EDITED = "Je hebt een bericht veranderd.\nDat zie ik niet. Stuur het nog een keer."


def _checkins(world: World) -> list[Checkin]:
    with world.database.transaction() as session:
        return list(session.exec(select(Checkin)))


def _alerts(world: World) -> list[Alert]:
    with world.database.transaction() as session:
        return list(session.exec(select(Alert)))


async def _forward_reaches_anna(anna: SimUser, text: str) -> None:
    assert (await anna.next_message()).text == FROM_KIM
    copy = await anna.next_message()
    assert copy.is_copy and copy.text == text


# -- A: a forward during a check-in ------------------------------------------------------------


async def test_a_forward_during_a_checkin_goes_to_the_coach_and_is_no_answer(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.tap_keyboard("📋 Hoe gaat het?")
    asked = await sam.next_message()
    assert asked.text.endswith(GRADE_Q)
    for text in ("8", "Afspraak 8 uur"):  # a grade, and what was "Dat begrijp ik niet" and lost
        await sam.forward_text(text, "Kim")
        assert (await sam.next_message()).text == "Verstuurd naar Anna."
        again = await sam.next_message()
        assert again.text == GOES_ON + GRADE_Q and again.buttons[:2] == asked.buttons[:2]
        await _forward_reaches_anna(anna, text)
    [row] = _checkins(world)
    assert (row.status, row.answers) == ("open", {}), "Kim's 8 is not Sam's grade"
    assert [r.direction for r in _relays(world)] == ["to_coach", "to_coach"]
    # Sam's own answer still counts, where the check-in was.
    await sam.press("6")
    assert (await sam.next_message()).text == "Heb je ergens hulp bij nodig?"
    assert _checkins(world)[0].answers == {"grade": "6"}
    await world.drain()
    assert not any((m.text or "").startswith("Dat begrijp ik niet") for m in sam.inbox)


# -- B: a forwarded "Help" -----------------------------------------------------------------------


async def test_a_forwarded_help_word_goes_to_the_coach_without_the_noodknop_offer(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.forward_text("Help", "Kim")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    await _forward_reaches_anna(anna, "Help")
    # During a check-in too: a message for Anna, and the question again.
    await sam.tap_keyboard("📋 Hoe gaat het?")
    await sam.next_message()
    await sam.forward_text("hulp", "Kim")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await sam.next_message()).text == GOES_ON + GRADE_Q
    await _forward_reaches_anna(anna, "hulp")
    await world.drain()
    assert sam.unread == [] and anna.unread == []
    assert not any("noodknop" in (m.text or "").lower() for m in sam.inbox[-4:])
    assert not any("hulpwoord" in (m.text or "") for m in anna.inbox)
    assert _alerts(world) == [] and _checkins(world)[0].answers == {}
    assert len(_relays(world)) == 2


async def test_forwarded_words_of_danger_still_raise_an_alert(world: World) -> None:
    """Whose "ik wil dood" it is the bot cannot tell: as typed, an alert and the numbers."""
    anna, sam = await _anna_and_sam(world)
    await sam.forward_text("ik wil dood", "Kim")
    said = [(await sam.next_message()).text for _ in range(3)]
    assert NUMBERS in said
    assert any((t or "").startswith("Ik stuur Anna nu een melding.") for t in said)
    assert (await anna.next_message()).text.startswith("🔴 NOODKNOP – Sam")
    assert (await anna.next_message()).text == "ik wil dood"
    await world.drain()
    assert len(_alerts(world)) == 1


# -- C: a live location ------------------------------------------------------------------------


async def _walks_on(world: World, sam: SimUser, pin: dict[str, Any], steps: int = 3) -> None:
    for step in range(1, steps + 1):
        world.clock.advance(timedelta(minutes=10))
        await sam.move_live_location(pin, 52.3676 + step / 1000, 4.9041)
    await world.drain()


async def test_a_live_location_during_an_alert_shows_where_it_started_and_moving_says_nothing(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.next_message()
    await sam.next_message()  # "Wat is er aan de hand?"
    await anna.next_message()
    pin = await sam.send_location(live_period=8 * 3600)
    # True of its first position: Anna was shown where Sam is (now), no promise she follows.
    assert (await sam.next_message()).text == "Ik heb Anna laten zien waar je bent."
    assert (await anna.next_message()).text.startswith("📍 Sam stuurt waar die nu is")
    copy = await anna.next_message()
    assert copy.kind == "location" and copy.is_copy
    assert "live_period" not in copy.raw["location"], "a copy is a plain pin, as on Telegram"
    await _walks_on(world, sam, pin)
    assert sam.unread == [] and anna.unread == []
    assert all(m.text != EDITED for m in sam.inbox)


async def test_a_live_location_as_a_message_goes_once_and_its_updates_are_no_edits(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    pin = await sam.send_location(51.81, 4.66, live_period=3600)
    assert (await sam.next_message()).text == "Wil je dit naar Anna sturen?"
    await sam.press("Ja, stuur het")
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await anna.next_message()).text == "💬 Bericht van Sam:"
    assert (await anna.next_message()).kind == "location"
    await _walks_on(world, sam, pin)
    assert sam.unread == [] and anna.unread == [] and len(_relays(world)) == 1
    # An edited text still gets its calm answer: only the moving pin is passed over.
    sent = await sam.send_text("Ik kom om 9 uur")
    await sam.next_message()
    await sam.edit_message(sent, "Ik kom om 10 uur")
    assert (await sam.next_message()).text == EDITED


# -- D: a forwarded "Nee" while the phone number is offered --------------------------------------


async def test_a_forwarded_nee_during_the_phone_offer_goes_to_the_coach_and_answers_nothing(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.link_opened(anna, "Sam")
    await sam.press("Ja, dat is goed")
    await sam.next_message()
    await sam.press("Nee, alleen tekst")
    for _ in range(3):  # "Goed, dat onthoud ik.", the offer (lead and question)
        await sam.next_message()
    await anna.next_message()  # Sam joined
    assert sam.current_keyboard == OFFER_KEYBOARD

    await sam.forward_text("Nee", "Kim")  # Kim's "Nee", not Sam's answer to the offer
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    await _forward_reaches_anna(anna, "Nee")
    await world.drain()
    assert sam.unread == [] and anna.unread == []
    assert not any((m.text or "").startswith("Goed. Ik bewaar geen nummer") for m in sam.inbox)
    # As any message during the offer that answers nothing: it goes, the menu comes back.
    assert sam.current_keyboard == MENU
    assert [r.direction for r in _relays(world)] == ["to_coach"]
    with world.database.transaction() as session:
        assert session.exec(select(Client.phone)).one() is None
