"""The everyday 📵 notice (no alert open) sends the coach only to a number the bot has: with
Sam's phone number stored it names it ("Bel Sam: +31 6 12345678", as the alert shows it);
without one it says the bot has none and to reach Sam another way, never "Bel Sam". The
number is the one stored when the notice is made (shared by Sam, or typed by the coach).
The real bot through the sandbox, a fixed clock, both databases."""

from __future__ import annotations

from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import Coach
from tests.scenarios.conftest import CLIENT_PHONE_SHOWN, World
from tests.scenarios.test_unreachable_client import UNREACHABLE

LEAD = (
    "📵 Sam kan geen berichten van mij krijgen. "
    "Telegram weigert ze: misschien heeft Sam mij geblokkeerd of de chat gestopt.\n"
    "Zo kan Sam mij ook geen bericht sturen en de noodknop niet gebruiken. "
    "Check-ins stuur ik pas weer als Sam mij iets stuurt "
    "of als een bericht van mij weer aankomt.\n"
)
NO_PHONE = LEAD + (
    "Ik heb geen telefoonnummer van Sam. Probeer Sam op een andere manier te bereiken.\n"
    "Of stuur /bericht Sam: komt het aan, dan hoor je het van mij."
)


def _notices(coach: SimUser) -> list[str]:
    return [m.text for m in coach.inbox if m.text and m.text.startswith("📵")]


async def test_with_sams_number_stored_the_notice_names_it(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")  # shared his number when joining
    await world.drain()
    sam.block()
    await world.drain()
    assert _notices(anna) == [UNREACHABLE]
    assert f"Bel Sam: {CLIENT_PHONE_SHOWN}\n" in UNREACHABLE


async def test_without_sams_number_the_notice_says_so_and_never_says_call(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)  # "Liever niet"
    await world.drain()
    sam.block()
    await world.drain()
    assert _notices(anna) == [NO_PHONE]
    assert not any("Bel Sam" in (m.text or "") for m in anna.inbox)


async def test_the_number_the_coach_typed_is_named_and_a_removed_one_is_not(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    await anna.send_text("/telefoon Sam 06-87654321")
    await anna.next_message()
    sam.block()
    await world.drain()
    [typed] = _notices(anna)
    assert typed.endswith(
        "Bel Sam: +31 6 87654321\nOf stuur /bericht Sam: komt het aan, dan hoor je het van mij."
    )

    # Sam comes back, Anna removes the number, Sam blocks the bot again.
    sam.unblock()
    await sam.send_text("Hoi")
    await world.drain()
    await anna.send_text("/telefoon Sam weg")
    await world.drain()
    sam.block()
    await world.drain()
    assert _notices(anna) == [typed, NO_PHONE]


async def english_coach_with_sam_and_kim(world: World) -> tuple[SimUser, SimUser, SimUser]:
    """Anna reads English; Sam shared his number when joining, Kim did not."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    kim = await world.client(anna, "Kim", phone=False)
    with world.database.transaction() as session:
        coach = session.exec(select(Coach).where(Coach.telegram_user_id == anna.id)).one()
        coach.language = "en"
        session.add(coach)
    return anna, sam, kim


async def test_an_english_speaking_coach_reads_the_same_choice(world: World) -> None:
    anna, with_phone, without = await english_coach_with_sam_and_kim(world)
    with_phone.block()
    await world.drain()
    without.block()
    await world.drain()
    sam_notice, kim_notice = _notices(anna)
    assert sam_notice.endswith(
        f"Call Sam: {CLIENT_PHONE_SHOWN}\nOr send /message Sam: if it arrives, I will tell you."
    )
    assert kim_notice.endswith(
        "I have no phone number of Kim. Try to reach Kim another way.\n"
        "Or send /message Kim: if it arrives, I will tell you."
    )
    assert "Call Kim" not in kim_notice
