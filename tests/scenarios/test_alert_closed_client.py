"""The client hears that their alert is closed, and their menu comes back.

During an alert Sam's keyboard holds "📍 Stuur waar ik ben". When Anna closes the alert, or
the clock closes it a day after it was picked up, Sam reads once that it is closed, and the
plain menu comes back: no key for an alert that is over. An alert a newer one replaces
(superseded) says nothing: the newer one is open and its key stays. The real bot through the
sandbox, a fixed clock, both databases.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SimUser

from storage.models import Alert
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import FIRST_DUE
from tests.scenarios.test_hearable import hear, spoken

PRESSED = FIRST_DUE - timedelta(minutes=30)  # Monday 9 November, 09:30 in Amsterdam
TAKEN = PRESSED + timedelta(minutes=2)
MENU = [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]
MENU_WITH_LOCATION = [*MENU, ["📍 Stuur waar ik ben"]]
CLOSED = "Je melding is afgesloten."
# Its own message under it: no keyboard to change, so it carries 🔊, which reads both.
CLOSED_HELP = "Heb je hulp nodig? Druk dan op 🔴 Noodknop."
SEEN = "Anna heeft je melding gezien.\nAnna belt je zo."


async def _picked_up(world: World) -> tuple[SimUser, SimUser]:
    """Sam presses the noodknop at 09:30; Anna taps "✅ Ik bel nu" at 09:32."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    world.clock.set(PRESSED)
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wat is er aan de hand?"))
    assert sam.current_keyboard == MENU_WITH_LOCATION
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    world.clock.set(TAKEN)
    await anna.press("✅ Ik bel nu")
    await sam.wait_for(lambda m: m.text == SEEN)
    await anna.wait_for(lambda m: (m.text or "").startswith("Sluit de melding"))
    assert sam.current_keyboard == MENU_WITH_LOCATION, "the key stays while it is open"
    return anna, sam


def _texts(person: SimUser) -> list[str]:
    return [m.text or "" for m in person.inbox]


def _alerts(world: World) -> list[Alert]:
    with world.database.transaction() as session:
        return list(session.exec(select(Alert).order_by(col(Alert.id))))


def _told_closed_once(sam: SimUser) -> None:
    """Sam read the closed text once; it set the menu he sees now (a check-in held back by
    the alert may follow it: its buttons are under the question, his menu stays); nothing
    about the alert came after it; every text about the alert reached him once."""
    [closed] = [m for m in sam.inbox if m.text == CLOSED]
    assert closed.keyboard == MENU and sam.current_keyboard == MENU
    below = sam.inbox[sam.inbox.index(closed) + 1]
    assert below.text == CLOSED_HELP and below.buttons == [["🔊 Voorlezen"]]
    assert not any("melding" in t for t in texts_after(sam, CLOSED))
    texts = _texts(sam)
    assert texts.count(CLOSED) == 1
    assert sum(t.startswith("Ik stuur Anna nu een melding.") for t in texts) == 1
    assert sum(t.startswith("Anna heeft je melding") for t in texts) <= 1


async def test_anna_closes_the_alert_and_sam_gets_his_menu_back(world: World) -> None:
    anna, sam = await _picked_up(world)
    world.clock.set(TAKEN + timedelta(minutes=20))
    await anna.press("📞 Gesproken")
    await world.drain()
    assert [a.outcome for a in _alerts(world)] == ["talked"]
    _told_closed_once(sam)
    assert texts_after(sam, SEEN) == [CLOSED, CLOSED_HELP]

    # The clock later: the alert is closed, nothing more reaches Sam; a close tap again (a
    # stale button) tells Anna it is closed, and Sam hears nothing of it.
    for later in (timedelta(hours=4), timedelta(hours=24), timedelta(days=2)):
        world.clock.set(TAKEN + later)
        await world.tick()
    alert_id = _alerts(world)[0].id
    prompt = next(m for m in anna.inbox if (m.text or "").startswith("Sluit de melding"))
    await anna.press_data(prompt, f"al:{alert_id}:close:visited")
    await world.drain()
    assert anna.callback_answers[-1].text == "Deze melding is al gesloten."
    assert [a.outcome for a in _alerts(world)] == ["talked"]
    # Only Monday's check-in, held back by the alert, came since (no word of the alert).
    assert _texts(sam).count(CLOSED) == 1 and sam.current_keyboard == MENU
    assert not any("melding" in t for t in texts_after(sam, CLOSED))


async def test_the_clock_closes_the_alert_and_sam_gets_his_menu_back(world: World) -> None:
    anna, sam = await _picked_up(world)
    world.clock.set(TAKEN + timedelta(hours=24))
    await world.tick()
    await anna.wait_for(lambda m: (m.text or "").startswith("🔕"))
    await world.drain()
    assert [a.outcome for a in _alerts(world)] == ["auto_closed"]
    _told_closed_once(sam)
    world.clock.set(TAKEN + timedelta(hours=25))
    await world.tick()
    await world.drain()
    _told_closed_once(sam)


async def test_called_off_by_accident_then_closed_gives_the_menu_back(world: World) -> None:
    """Calling it off keeps it open (and the key); Anna's "🙈 Vals alarm" closes it."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    world.clock.set(PRESSED)
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wat is er aan de hand?"))
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await sam.press("↩️ Per ongeluk gedrukt")
    await sam.wait_for(lambda m: (m.text or "").startswith("Is alles goed?"))
    await sam.press("✅ Ja, per ongeluk")
    told = await anna.wait_for(lambda m: (m.text or "").startswith("↩️ Sam zegt: per ongeluk"))
    await world.drain()
    assert sam.current_keyboard == MENU_WITH_LOCATION
    assert CLOSED not in _texts(sam)
    await anna.press("🙈 Vals alarm", told)
    await world.drain()
    assert [a.outcome for a in _alerts(world)] == ["false_alarm"]
    _told_closed_once(sam)


async def test_a_new_alert_that_closes_the_old_one_says_nothing_of_it(world: World) -> None:
    """Sam presses again an hour after Anna picked it up: a new alert, the old one closed as
    superseded. Sam hears of the new one only, and keeps "📍 Stuur waar ik ben"."""
    anna, sam = await _picked_up(world)
    world.clock.set(TAKEN + timedelta(hours=1))
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wat is er aan de hand?"))
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await world.drain()
    assert [a.outcome for a in _alerts(world)] == ["superseded", None]
    assert CLOSED not in _texts(sam)
    assert sam.current_keyboard == MENU_WITH_LOCATION


def texts_after(person: SimUser, text: str) -> list[str]:
    """What the person read after the last message that said ``text``."""
    texts = _texts(person)
    return texts[len(texts) - texts[::-1].index(text) :]


async def test_the_location_key_stays_after_the_pick_up_while_the_alert_is_open(
    world: World,
) -> None:
    """Picked up, not closed: a reply that brings the menu again (a sticker the bot cannot
    send on, "💬 Bericht aan coach" taken back) keeps "📍 Stuur waar ik ben"; Anna may still
    need to know where Sam is."""
    anna, sam = await _picked_up(world)
    await sam.tap_keyboard("💬 Bericht aan coach")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wat wil je aan Anna vertellen?"))
    await sam.press("Toch niet")
    await sam.wait_for(lambda m: m.text == "Oké, ik stuur niets naar Anna.")
    await world.drain()
    assert sam.current_keyboard == MENU_WITH_LOCATION
    # From the outbox too: Anna's answer to what Sam sends with his alert.
    await sam.send_text("Ik ben thuis")
    copy = await anna.wait_for(lambda m: m.text == "Ik ben thuis")
    await world.drain()
    await anna.send_text("Ik kom eraan", reply_to=copy)
    await sam.wait_for(lambda m: m.text == "💬 Bericht van Anna:\n\nIk kom eraan")
    await world.drain()
    assert sam.current_keyboard == MENU_WITH_LOCATION


async def test_sam_who_taps_to_hear_texts_hears_that_it_is_closed(world: World) -> None:
    """Sam chose text (he taps 🔊 to hear one): the closed note brings his menu back, so it
    cannot carry 🔊; the line under it does, and its voice note says both."""
    said = spoken(world)
    anna, sam = await _picked_up(world)
    world.clock.set(TAKEN + timedelta(minutes=20))
    await anna.press("📞 Gesproken")
    below = await sam.wait_for(lambda m: m.text == CLOSED_HELP)
    await world.drain()
    assert sam.current_keyboard == MENU
    assert await hear(sam, below, said) == f"{CLOSED}\n\n{CLOSED_HELP}"
