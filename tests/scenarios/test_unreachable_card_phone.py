"""The card's 📵 line (also what ``/checkin Sam`` and a signal's "📞 Ik bel" answer while Sam
is marked) and the line under a new rhythm, a pause or a resume Sam is not told of send the
coach only to a number the bot has: with Sam's phone number stored they name it ("Bel Sam:
+31 6 12345678", as the everyday 📵 notice does); without one they say the bot has none and
to reach Sam another way, never "Bel Sam". The number is the one stored when the line is
made (shared by Sam, or typed by the coach). The real bot through the sandbox, a fixed clock,
both databases."""

from __future__ import annotations

from telegram_sandbox import SimUser

from tests.scenarios.conftest import CLIENT_PHONE_SHOWN, World
from tests.scenarios.test_checkins import FIRST_DUE
from tests.scenarios.test_client_card import open_card
from tests.scenarios.test_unreachable_phone import english_coach_with_sam_and_kim

NO_NUMBER = (
    "Ik heb geen telefoonnummer van {name}. Probeer {name} op een andere manier te bereiken."
)


def card_line(name: str, call: str) -> str:
    """The card's 📵 line for a client marked on Monday 9 November, ending in ``call``."""
    return (
        f"📵 Sinds 9 november kan {name} geen berichten van mij krijgen: misschien heeft {name} "
        f"mij geblokkeerd of de chat gestopt. Check-ins wachten tot {name} weer bereikbaar is. "
        f"{call}"
    )


def not_told(name: str, call: str) -> str:
    return (
        f"📵 {name} krijgt hier geen bericht over: sinds 9 november kan {name} geen berichten "
        f"van mij krijgen. Moet {name} het weten? {call}"
    )


async def _marked(world: World, anna: SimUser, *clients: SimUser) -> None:
    """Each of ``clients`` blocks the bot on Monday 9 November; Anna was told."""
    await world.drain()
    world.clock.set(FIRST_DUE)
    for client in clients:
        client.block()
        await world.drain()
    anna.mark_read()


def _never_call(anna: SimUser, name: str) -> None:
    assert not any(f"Bel {name}" in (m.text or "") for m in anna.inbox)


async def test_the_card_and_checkin_now_name_sams_number_and_say_kim_has_none(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")  # shared his number when joining
    kim = await world.client(anna, "Kim", phone=False)  # "Liever niet"
    await _marked(world, anna, sam, kim)

    sams = card_line("Sam", f"Bel Sam: {CLIENT_PHONE_SHOWN}")
    kims = card_line("Kim", NO_NUMBER.format(name="Kim"))
    card = await open_card(anna, "Sam")
    assert card.text is not None and sams in card.text.splitlines()
    card = await open_card(anna, "Kim")
    assert card.text is not None and kims in card.text.splitlines()

    await anna.send_text("/checkin Sam")
    assert (await anna.next_message()).text == sams
    await anna.send_text("/checkin Kim")
    assert (await anna.next_message()).text == kims
    await world.drain()
    _never_call(anna, "Kim")


async def test_a_pause_sam_is_not_told_of_names_his_number_and_for_kim_says_there_is_none(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    kim = await world.client(anna, "Kim", phone=False)
    await _marked(world, anna, sam, kim)

    await anna.send_text("/pauze Sam")
    assert (await anna.next_message()).text == (
        "De check-ins van Sam staan op pauze.\nHervatten: /hervat Sam\n\n"
        + not_told("Sam", f"Bel Sam: {CLIENT_PHONE_SHOWN}")
    )
    await anna.send_text("/pauze Kim")
    assert (await anna.next_message()).text == (
        "De check-ins van Kim staan op pauze.\nHervatten: /hervat Kim\n\n"
        + not_told("Kim", NO_NUMBER.format(name="Kim"))
    )
    await anna.send_text("/hervat Kim")
    resumed = await anna.next_message()
    assert resumed.text is not None
    assert resumed.text.endswith(not_told("Kim", NO_NUMBER.format(name="Kim")))
    await world.drain()
    _never_call(anna, "Kim")


async def test_the_number_the_coach_typed_is_named_after_i_will_call_and_a_removed_one_is_not(
    world: World,
) -> None:
    """Sam shared no number; Anna typed one, and Sam asked to be called: "📞 Ik bel" is offered.
    Sam blocks the bot; Anna taps it: the line under "Genoteerd" names the number she typed.
    She removes it: the card and a pause then say the bot has none."""
    from tests.scenarios.test_quiet_routine import _checkin

    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    await anna.send_text("/telefoon Sam 06-87654321")
    await anna.next_message()
    await _checkin(sam, "7", area=None, call="Ja")
    note = await anna.wait_for(lambda m: m.text == "Sam wil graag dat je belt.")
    assert note.buttons == [["📞 Ik bel", "💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]
    await _marked(world, anna, sam)

    await anna.press("📞 Ik bel", note)
    told = await anna.next_message()
    typed = card_line("Sam", "Bel Sam: +31 6 87654321")
    assert told.text == f"Genoteerd: jij belt Sam.\n\n{typed}"
    card = await open_card(anna, "Sam")
    assert card.text is not None and typed in card.text.splitlines()

    await anna.send_text("/telefoon Sam weg")
    await anna.next_message()
    removed = len(anna.inbox)
    card = await open_card(anna, "Sam")
    assert card.text is not None
    assert card_line("Sam", NO_NUMBER.format(name="Sam")) in card.text.splitlines()
    await anna.send_text("/pauze Sam")
    paused = await anna.next_message()
    assert paused.text is not None
    assert paused.text.endswith(not_told("Sam", NO_NUMBER.format(name="Sam")))
    await world.drain()
    assert not any("Bel Sam" in (m.text or "") for m in anna.inbox[removed:])


async def test_an_english_speaking_coach_reads_the_same_choice(world: World) -> None:
    anna, sam, kim = await english_coach_with_sam_and_kim(world)
    await _marked(world, anna, sam, kim)

    await anna.send_text("/checkin Sam")
    sams = await anna.next_message()
    assert sams.text is not None
    assert sams.text.endswith(
        f"Check-ins wait until Sam can be reached again. Call Sam: {CLIENT_PHONE_SHOWN}"
    )
    await anna.send_text("/checkin Kim")
    kims = await anna.next_message()
    assert kims.text is not None
    assert kims.text.endswith(
        "Check-ins wait until Kim can be reached again. "
        "I have no phone number of Kim. Try to reach Kim another way."
    )
    await anna.send_text("/pause Sam")
    paused = await anna.next_message()
    assert paused.text is not None
    assert paused.text.endswith(f"Should Sam know? Call Sam: {CLIENT_PHONE_SHOWN}")
    await anna.send_text("/pause Kim")
    paused = await anna.next_message()
    assert paused.text is not None
    assert paused.text.endswith(
        "Should Kim know? I have no phone number of Kim. Try to reach Kim another way."
    )
    await world.drain()
    assert not any("Call Kim" in (m.text or "") for m in anna.inbox)
