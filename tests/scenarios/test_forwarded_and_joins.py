"""Who said what, and who joined: forwarded messages are marked with whom they came from, both
ways; the coach hears which Telegram account opened a client link, also a link that no longer
works. Through the sandbox on SQLite and PostgreSQL, with each promise's branch where it must
not be said."""

from __future__ import annotations

from sqlmodel import select
from telegram_sandbox import SimUser
from telegram_sandbox.origins import channel_origin

from storage.models import Relay
from tests.scenarios.conftest import World

LETTER = "Je moet 500 euro betalen voor 1 december."


async def _joined(world: World, anna: SimUser, name: str = "Sam") -> tuple[SimUser, str]:
    """A client who joined fully (no phone number); returns them and their link's token."""
    sam = await world.client(anna, name, phone=False)
    token = world.link_messages[sam.id]["text"].split(" ", 1)[1]
    await world.drain()
    sam.mark_read()
    anna.mark_read()
    return sam, token


# -- forwarded messages -------------------------------------------------------------------------


async def test_a_forwarded_letter_reaches_the_coach_marked_with_its_sender(world: World) -> None:
    anna = await world.coach()
    sam, _ = await _joined(world, anna)
    landlord = world.sandbox.user(first_name="Piet", last_name="Verhuur", username="pv")
    await sam.forward_text(LETTER, landlord)
    # Forwarding chose this chat on purpose: no "send this?" question first.
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    header = await anna.next_message()
    assert header.text == ("↪️ Sam stuurt je een doorgestuurd bericht. Het komt van: Piet Verhuur")
    copy = await anna.next_message()
    assert copy.text == LETTER and copy.copied_from is not None

    # A message of Sam's own is not marked as forwarded.
    await sam.send_text("Wat moet ik hiermee?")
    await sam.next_message()  # "Stuur ik dit naar Anna?" (the first own message)
    await sam.press("Ja, stuur het")
    await sam.next_message()
    own = await anna.next_message()
    assert own.text == "💬 Bericht van Sam:"
    assert "doorgestuurd" not in (own.text or "")
    await anna.next_message()
    with world.database.transaction() as session:
        assert len(session.exec(select(Relay)).all()) == 2


async def test_hidden_senders_and_channels_are_named_as_telegram_shows_them(world: World) -> None:
    anna = await world.coach()
    sam, _ = await _joined(world, anna)
    await sam.forward_text("Laatste aanmaning.", "Incasso Bureau")
    await sam.next_message()
    assert (await anna.next_message()).text.endswith("Het komt van: Incasso Bureau")
    assert (await anna.next_message()).text == "Laatste aanmaning."
    await sam.forward_photo(channel_origin(-100123, "Gemeente Nieuws"), caption="Afval")
    await sam.next_message()
    assert (await anna.next_message()).text.endswith("Het komt van: Gemeente Nieuws")
    photo = await anna.next_message()
    assert photo.kind == "photo" and photo.text == "Afval"


async def test_a_coach_forwarding_to_a_client_is_marked_too(world: World) -> None:
    anna = await world.coach()
    sam, _ = await _joined(world, anna)
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.forward_text("Uw afspraak is dinsdag om 10 uur.", "Gemeente Balie")
    assert (await anna.next_message()).text.startswith("Verstuurd naar Sam")
    header = await sam.next_message()
    assert header.text.startswith(
        "↪️ Anna stuurt je een bericht door.\nHet komt van: Gemeente Balie"
    )
    if "Uw afspraak" not in header.text:  # a text may come in the header's message
        assert (await sam.next_message()).text == "Uw afspraak is dinsdag om 10 uur."

    # Anna's own words come with the usual header.
    await anna.send_text("/bericht Sam")
    await anna.next_message()
    await anna.send_text("Zal ik meegaan?")
    await anna.next_message()
    own = await sam.next_message()
    assert own.text.startswith("💬 Bericht van Anna:") and "door" not in (own.text or "")


# -- who joined ---------------------------------------------------------------------------------


async def test_the_coach_hears_which_account_opened_the_link(world: World) -> None:
    anna = await world.coach()
    token = await world.invite(anna, "Sam")
    sam = world.sandbox.user(first_name="Sam", last_name="Jansen", username="samj")
    await sam.open_deep_link(token)
    await sam.next_message()
    await sam.next_message()
    opened = await anna.next_message()
    assert opened.text.startswith(
        "De link voor Sam is geopend door het Telegram-account: Sam Jansen (@samj)."
    )

    # An account without a username: its name only.
    token = await world.invite(anna, "Kim")
    kim = world.sandbox.user(first_name="Kim")
    await kim.open_deep_link(token)
    opened = await anna.next_message()
    assert opened.text.startswith("De link voor Kim is geopend door het Telegram-account: Kim.")


async def test_a_used_link_sends_the_opener_to_the_coach_and_tells_the_coach(
    world: World,
) -> None:
    anna = await world.coach()
    sam, token = await _joined(world, anna)
    before = world.row_counts()

    other = world.sandbox.user(first_name="Sam", last_name="de Vries")
    await other.open_deep_link(token)
    refusal = await other.next_message()
    assert refusal.text.startswith("Deze link werkt niet.")
    assert "Vraag je coach om een nieuwe link." in refusal.text
    told = await anna.next_message()
    assert told.text.startswith("Iemand opende de link voor Sam, maar die werkt niet meer")
    assert "Telegram-account: Sam de Vries." in told.text
    assert world.row_counts() == before  # nothing kept about who tried

    # A link that never existed tells the coach nothing: there is no coach to tell.
    await other.open_deep_link("B" * 43)
    assert (await other.next_message()).text == refusal.text
    await world.drain()
    assert anna.unread == []
    # The client who joined with it opens it again: no alarm for the coach either.
    await sam.open_deep_link(token)
    assert (await sam.next_message()).text.startswith("Je doet al mee.")
    await world.drain()
    assert anna.unread == []
