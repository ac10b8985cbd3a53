"""An alert picked up in a team group: what the coach who did it reads, and where.

Bram is Anna's backup twice over: in private, and in the team group "Team Noord" (Anna and
Bram in it). When Bram picks up Sam's alert in the group, his own chat must not tell him that
"Bram belt Sam. Jij hoeft niets te doen", and his private alert's buttons must not say that
someone else picked it up. Picked up with a message (Jan shared no number), "your next
message goes to Jan" is for Bram alone: it goes to his own chat, never to the group, with the
line that his message for Kim (his own client, awaited) is not sent. A client who took back
"per ongeluk" with help words hears the alert is on again and keeps "📍 Stuur waar ik ben".
The real bot through the sandbox, a fixed clock, both databases.
"""

from __future__ import annotations

from datetime import timedelta

from telegram_sandbox import SimGroup, SimUser

from bot import admin
from tests.scenarios.conftest import World

MENU_WITH_LOCATION = [
    ["💬 Bericht aan coach"],
    ["📋 Hoe gaat het?"],
    ["🔴 Noodknop"],
    ["📍 Stuur waar ik ben"],
]


async def _team(world: World, *, phone: bool) -> tuple[SimUser, SimUser, SimUser, SimGroup]:
    """Anna with client Sam (or Jan, without a number); Bram, her backup in private and in
    the team group; the alert escalated to both after five minutes."""
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    client = await world.client(anna, "Sam" if phone else "Jan", phone=phone)
    team = world.sandbox.group("Team Noord", members=[bram, anna])
    world.add_backup(anna, bram)
    admin.add_backup(
        world.database, coach_id=world.coach_id(anna), group_chat_id=team.id, now=world.clock.now()
    )
    return anna, bram, client, team


async def _escalated(world: World, client: SimUser, bram: SimUser, team: SimGroup) -> None:
    await client.tap_keyboard("🔴 Noodknop")
    await client.wait_for(lambda m: (m.text or "").startswith("Wat is er aan de hand?"))
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    await team.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP"))
    await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP"))


async def test_who_picked_up_in_the_group_is_not_told_someone_else_did(world: World) -> None:
    anna, bram, sam, team = await _team(world, phone=True)
    await _escalated(world, sam, bram, team)
    await team.press("✅ Ik bel nu", sender=bram)
    await sam.wait_for(lambda m: m.text == "Bram heeft je melding gezien.\nBram belt je zo.")
    await anna.wait_for(lambda m: m.text == "✅ Bram belt Sam. Jij hoeft niets te doen.")
    await world.drain()
    assert not [m for m in bram.inbox if (m.text or "").startswith("✅ Bram belt Sam")]
    private_alert = next(m for m in bram.inbox if (m.text or "").startswith("🔴 NOODKNOP"))
    await bram.press("↪️ Ik kan niet, geef door", private_alert)
    await world.drain()
    said = bram.callback_answers[-1].text
    assert said == "Je hebt deze melding zelf al opgepakt. Sluit hem af als het klaar is."


async def test_the_message_prompt_goes_to_the_coach_who_picked_up(world: World) -> None:
    anna, bram, jan, team = await _team(world, phone=False)
    kim = await world.client(bram, "Kim")
    await bram.send_text("/bericht Kim")
    await bram.wait_for(lambda m: (m.text or "").startswith("Wat wil je naar Kim sturen?"))
    await _escalated(world, jan, bram, team)
    await team.press("✅ Ik stuur een bericht", sender=bram)
    await jan.wait_for(lambda m: (m.text or "").startswith("Bram heeft je melding gezien."))
    prompt = "Je volgende bericht aan mij (in je eigen chat met mij) gaat meteen naar Jan."
    await bram.wait_for(lambda m: m.text == prompt)
    await bram.wait_for(lambda m: (m.text or "").startswith("Je bericht aan Kim stuur ik niet."))
    await bram.send_text("Hoi Jan, wat is er?")
    await bram.wait_for(lambda m: m.text == "Verstuurd naar Jan.")
    await jan.wait_for(lambda m: m.text == "💬 Bericht van Bram:\n\nHoi Jan, wat is er?")
    await world.drain()
    in_group = [m.text or "" for m in team.inbox]
    assert prompt not in in_group and not any("Kim" in text for text in in_group)
    assert not [m for m in kim.inbox if "Hoi Jan" in (m.text or "")]
    assert not [m for m in anna.inbox if m.text == prompt]


async def test_help_words_after_per_ongeluk_tell_the_client_it_is_on_again(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await sam.tap_keyboard("🔴 Noodknop")
    await sam.wait_for(lambda m: (m.text or "").startswith("Wat is er aan de hand?"))
    await sam.press("↩️ Per ongeluk gedrukt")
    await sam.wait_for(lambda m: any("✅ Ja, per ongeluk" in str(row) for row in m.buttons or ()))
    await sam.press("✅ Ja, per ongeluk")
    await anna.wait_for(lambda m: (m.text or "").startswith("↩️ Sam zegt: per ongeluk gedrukt."))
    await sam.send_text("toch wel hulp")
    await anna.wait_for(lambda m: "toch niet per ongeluk" in (m.text or ""))
    await sam.wait_for(lambda m: (m.text or "").startswith("Oké. Je melding staat weer aan."))
    await world.drain()
    assert sam.current_keyboard == MENU_WITH_LOCATION
