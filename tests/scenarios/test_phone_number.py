"""A client's phone number (issue 14, point 5: nobody could call the client), end to end.

After the read-aloud choice the client may share their number with one tap (Telegram's
contact button) or say "Liever niet"; the menu follows either way. Only their own contact
counts. Their coach can add, change and remove it (``/telefoon``), for their own clients only.
Whoever is asked during an alert sees it to tap and call: the coach, and a backup only while the
alert is open. Without a number nobody is told to call and the client is not told "belt je":
the coach who picks it up sends a message, and the client reads that.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import Alert, AuditEvent, Client
from tests.scenarios.conftest import CLIENT_PHONE, CLIENT_PHONE_SHOWN, World

MENU = [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]
OFFER_KEYBOARD = [["📱 Deel mijn nummer"], ["Liever niet"], ["🔴 Noodknop"]]


def _phone_of(world: World, name: str = "Sam") -> str | None:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == name)).one().phone


def _first_alert_id(world: World) -> int:
    with world.database.transaction() as session:
        return session.exec(select(Alert.id).order_by(Alert.id)).first() or 0


def _audit_actions(world: World) -> list[str]:
    with world.database.transaction() as session:
        return [e.action for e in session.exec(select(AuditEvent)) if "phone" in e.action]


async def _at_the_offer(world: World):  # type: ignore[no-untyped-def]
    """Anna, and Sam who said yes and chose no read-aloud: he sees the offer."""
    anna = await world.coach("Anna")
    sam = await world.link_opened(anna, "Sam")
    await sam.press("Ja, dat is goed")
    await sam.next_message()
    await sam.press("Nee, alleen tekst")
    assert (await sam.next_message()).text == "Goed, dat onthoud ik."
    lead = await sam.next_message()
    assert lead.text == "Nog een vraag. Kies een knop onderaan."
    assert sam.current_keyboard == OFFER_KEYBOARD
    offer = await sam.next_message()
    return anna, sam, offer


async def test_the_noodknop_stays_on_screen_during_the_offer(world: World) -> None:
    anna, sam, _ = await _at_the_offer(world)
    await sam.tap_keyboard("🔴 Noodknop")
    alert = await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    assert alert is not None
    told = await sam.wait_for(lambda m: (m.text or "").startswith("Ik stuur Anna nu een melding"))
    assert told is not None


async def test_sharing_the_number_at_onboarding_stores_it_and_the_menu_follows(
    world: World,
) -> None:
    anna, sam, offer = await _at_the_offer(world)
    assert offer.text.startswith("Wil je je telefoonnummer delen?")
    assert offer.buttons == [["🔊 Voorlezen"]]  # it can be heard, the keyboard stays
    assert "Het hoeft niet. Zonder nummer stuurt Anna je een bericht." in offer.text
    assert "Druk op 📱 Deel mijn nummer." in offer.text and "Druk op Liever niet." in offer.text
    assert sam.current_keyboard == OFFER_KEYBOARD
    joined = await anna.next_message()
    assert joined.text == (
        "Sam doet mee: Sam gaf toestemming. "
        "Ik vraag Sam nu of die een telefoonnummer wil delen; dat hoeft niet."
    )
    assert _phone_of(world) is None

    await sam.tap_keyboard("📱 Deel mijn nummer")  # Telegram sends his own contact

    assert (await sam.next_message()).text == (
        "Dank je. Ik heb je nummer bewaard.\nDruk je op de noodknop? Dan kan Anna je bellen."
    )
    assert (await sam.next_message()).text.startswith("Klaar! Onderaan zie je nu drie knoppen.")
    assert (await sam.next_message()).text.startswith("💬 Bericht aan coach – stuur Anna")
    assert sam.current_keyboard == MENU
    told = await anna.next_message()
    assert told.text == f"📞 Sam deelde een telefoonnummer: {CLIENT_PHONE_SHOWN}"
    assert _phone_of(world) == CLIENT_PHONE
    assert _audit_actions(world) == ["client.phone_set"]


async def test_rather_not_stores_nothing_and_the_menu_follows(world: World) -> None:
    anna, sam, _ = await _at_the_offer(world)
    await anna.next_message()  # Sam joined

    await sam.tap_keyboard("Liever niet")

    assert (await sam.next_message()).text == (
        "Goed. Ik bewaar geen nummer.\n"
        "Druk je op de noodknop? Dan stuurt Anna je een bericht.\n"
        "Wil je later toch je nummer geven? Zeg het tegen Anna."
    )
    assert (await sam.next_message()).text.startswith("Klaar! Onderaan zie je nu drie knoppen.")
    await sam.next_message()
    assert sam.current_keyboard == MENU
    await world.drain()
    assert _phone_of(world) is None and _audit_actions(world) == []
    assert not any("📞" in (m.text or "") for m in anna.inbox[1:])
    # "Liever niet" typed later is no answer to anything any more: no second "Goed".
    await sam.send_text("liever niet")
    await world.drain()
    assert not any((m.text or "").startswith("Goed. Ik bewaar") for m in sam.inbox[-2:])


async def test_someone_elses_contact_is_refused_kindly(world: World) -> None:
    _, sam, _ = await _at_the_offer(world)
    bea = world.sandbox.user(first_name="Bea", phone_number="+31687654321")

    await sam.send_contact(bea.phone_number, "Bea", user_id=bea.id)  # Bea's, from his contacts
    assert (await sam.next_message()).text == (
        "Dit is het nummer van iemand anders.\nIk bewaar alleen je eigen nummer."
    )
    assert (await sam.next_message()).text == "Nog een vraag. Kies een knop onderaan."
    again = await sam.next_message()
    assert again.text.startswith("Wil je je telefoonnummer delen?")
    assert sam.current_keyboard == OFFER_KEYBOARD
    await sam.send_contact(CLIENT_PHONE, "Sam")  # his own number typed as a card: no user id
    assert (await sam.next_message()).text.startswith("Dit is het nummer van iemand anders.")
    await sam.next_message()
    await sam.next_message()
    await world.drain()
    assert _phone_of(world) is None

    await sam.tap_keyboard("📱 Deel mijn nummer")
    assert (await sam.next_message()).text.startswith("Dank je. Ik heb je nummer bewaard.")
    assert _phone_of(world) == CLIENT_PHONE


async def test_the_coach_adds_changes_and_removes_the_number_of_their_own_client_only(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    bram = await world.coach("Bram")
    await world.client(bram, "Kim", phone=False)
    assert _phone_of(world) is None

    await anna.send_text("/telefoon Sam 06-87654321")
    saved = await anna.next_message()
    assert saved.text == "📞 Bewaard: het telefoonnummer van Sam is nu +31 6 87654321."
    assert _phone_of(world) == "+31687654321"

    await anna.send_text("/telefoon sam +32 470 12 34 56")
    changed = await anna.next_message()
    assert changed.text == "📞 Veranderd: het telefoonnummer van Sam is nu +32 470 12 34 56."
    assert _phone_of(world) == "+32470123456"

    await anna.send_text("/telefoon Sam 12345")
    assert (await anna.next_message()).text.startswith("12345 is geen telefoonnummer dat ik ken.")
    await anna.send_text("/telefoon Sam")
    assert (await anna.next_message()).text == "Het telefoonnummer van Sam: +32 470 12 34 56"
    assert _phone_of(world) == "+32470123456"

    # Bram is not Sam's coach: he can neither see nor change Sam's number.
    await bram.send_text("/telefoon Sam 0611111111")
    assert (await bram.next_message()).text == (
        "Ik ken geen cliënt van jou met de naam Sam 0611111111. Je cliënten: Kim"
    )
    await bram.send_text("/telefoon Sam")
    refused = await bram.next_message()
    assert refused.text.startswith("Ik ken geen cliënt van jou") and "+32" not in refused.text
    assert _phone_of(world) == "+32470123456" and _phone_of(world, "Kim") is None

    await anna.send_text("/telefoon Sam weg")
    removed = await anna.next_message()
    assert removed.text.startswith("Het telefoonnummer van Sam is weggehaald.")
    assert _phone_of(world) is None
    assert _audit_actions(world) == ["client.phone_set", "client.phone_set", "client.phone_removed"]
    await world.drain()
    assert not any("+3" in (m.text or "") for m in sam.inbox), "Sam is not told by the bot"


async def test_the_alert_shows_the_number_to_the_coach_and_to_a_backup_while_it_is_open(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")  # shared his number when he joined
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)

    await sam.tap_keyboard("🔴 Noodknop")
    alert = await anna.next_message()
    assert alert.text.endswith(f"Bel Sam zo snel mogelijk.\n📞 {CLIENT_PHONE_SHOWN}")
    assert alert.buttons == [["✅ Ik bel nu"], ["↪️ Ik kan niet, geef door"]]

    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    escalated = await bram.next_message()
    assert escalated.text.endswith(f"Kun jij Sam bellen?\n📞 {CLIENT_PHONE_SHOWN}")
    await bram.press("✅ Ik bel nu")
    assert (await sam.wait_for(lambda m: "heeft je melding gezien" in (m.text or ""))).text == (
        "Bram heeft je melding gezien.\nBram belt je zo."
    )
    await bram.wait_for(lambda m: (m.text or "").startswith("Sluit de melding van Sam"))
    await bram.press("📞 Gesproken")
    await world.drain()
    closed_at = len(bram.inbox)

    # Closed: whatever Bram gets from now on never shows Sam's number.
    await bram.press_data(escalated, f"al:{_first_alert_id(world)}:ack")  # a stale button
    await bram.send_text("/telefoon Sam")
    world.clock.advance(timedelta(hours=30))
    await world.tick()
    await sam.tap_keyboard("🔴 Noodknop")  # a new alert: Anna is asked, not Bram
    assert (await anna.wait_for(lambda m: "NOODKNOP" in (m.text or ""))).text.endswith(
        CLIENT_PHONE_SHOWN
    )
    await world.drain()
    after = bram.inbox[closed_at:]
    assert after, "Bram got an answer to /telefoon"
    assert not any("+31" in (m.text or "") for m in after)
    assert bram.callback_answers[-1].text == "Deze melding is al gesloten."


async def test_without_a_number_nobody_is_told_to_call_and_the_client_hears_a_message_comes(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)

    await sam.tap_keyboard("🔴 Noodknop")
    alert = await anna.next_message()
    assert alert.text.endswith(
        "Sam heeft geen telefoonnummer gedeeld. Stuur Sam zo snel mogelijk een bericht."
    )
    assert alert.buttons == [["✅ Ik stuur een bericht"], ["↪️ Ik kan niet, geef door"]]

    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    escalated = await bram.next_message()
    assert "Kun jij Sam een bericht sturen?" in escalated.text
    await bram.press("✅ Ik stuur een bericht")
    seen = await sam.wait_for(lambda m: "heeft je melding gezien" in (m.text or ""))
    assert seen.text == "Bram heeft je melding gezien.\nBram stuurt je een bericht."
    taken = await anna.wait_for(lambda m: (m.text or "").startswith("✅ Bram"))
    assert taken.text == "✅ Bram stuurt Sam een bericht. Jij hoeft niets te doen."
    prompt = await bram.wait_for(lambda m: (m.text or "").startswith("Je volgende bericht"))
    assert prompt.text.endswith("gaat meteen naar Sam.")

    # What Sam was told is what happens: Bram's next message reaches him.
    await bram.send_text("Hoi Sam, met Bram. Ik ben er. Wat is er?")
    relayed = await sam.wait_for(lambda m: "Hoi Sam, met Bram" in (m.text or ""))
    assert (relayed.text or "").startswith("💬 Bericht van Bram:")
    assert (relayed.text or "").endswith("Hoi Sam, met Bram. Ik ben er. Wat is er?")

    await world.drain()
    assert not any("belt je" in (m.text or "") for m in sam.inbox)
    coach_texts = [m.text or "" for m in (*anna.inbox, *bram.inbox)]
    assert not any("Bel Sam" in text or "Sam bellen" in text for text in coach_texts)
    assert not any("Ik bel nu" in label for m in anna.inbox for row in m.buttons for label in row)


async def test_a_number_is_taken_as_coaches_write_it_and_a_number_that_does_not_exist_is_not(
    world: World,
) -> None:
    """Spaces, hyphens, dots and parentheses are fine; one normal form is stored (E.164). A
    number written well whose digits do not exist ("06-98765432": no 06-9 numbers are given
    out) is refused with that reason, not as if the hyphen were wrong."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)

    await anna.send_text("/telefoon Sam 06-98765432")
    await world.drain()
    assert [m.text for m in anna.unread] == [
        "06-98765432 is goed geschreven, maar zo'n telefoonnummer bestaat niet. Kijk de cijfers "
        "na. Spaties en streepjes mogen: 06-12345678 en +31 6 12345678 werken allebei."
    ]
    anna.mark_read()
    assert _phone_of(world) is None and _audit_actions(world) == []

    await anna.send_text("/telefoon Sam (06) 876 543 21")
    saved = await anna.next_message()
    assert saved.text == "📞 Bewaard: het telefoonnummer van Sam is nu +31 6 87654321."
    assert _phone_of(world) == "+31687654321"
    for typed in ("+31 (0)6 87.65.43.21", "0031 6 87654321", "06–87654321"):
        await anna.send_text(f"/telefoon Sam {typed}")  # the same number: nothing changes
        same = await anna.next_message()
        assert same.text == "Het telefoonnummer van Sam: +31 6 87654321"
    await anna.send_text("/telefoon Sam 06-1234-567a")
    assert (await anna.next_message()).text == (
        "06-1234-567a is geen telefoonnummer dat ik ken. "
        "Typ bijvoorbeeld 06 12345678, 020 1234567 of +32 470 12 34 56."
    )
    await world.drain()
    assert _phone_of(world) == "+31687654321"
    assert _audit_actions(world) == ["client.phone_set"]
    assert not any("+3" in (m.text or "") for m in sam.inbox), "Sam is not told by the bot"
