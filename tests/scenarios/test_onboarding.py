"""Onboarding end to end: the real bot, over HTTP through the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from dialogs import onboarding
from storage.models import Client, Coach, Invite, SupportPhase
from tests.scenarios.conftest import World, link_in, token_of

MENU = [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]


async def test_coach_link_registers_the_coach(world: World) -> None:
    anna = world.sandbox.user(first_name="Anna")
    await anna.open_deep_link(token_of(world.coach_link("Anna")))
    welcome = await anna.next_message()
    assert welcome.text.startswith("Welkom Anna. Je bent nu aangemeld als coach")
    assert welcome.keyboard == [["👥 Mijn cliënten"], ["➕ Nieuwe cliënt", "❓ Hulp"]]
    with world.database.transaction() as session:
        coach = session.exec(select(Coach)).one()
        assert (coach.name, coach.status, coach.telegram_user_id) == ("Anna", "active", anna.id)
        assert coach.activated_at == world.clock.now()


async def test_coach_invites_a_client_with_a_link_and_a_qr_picture(world: World) -> None:
    anna = await world.coach()
    await anna.send_text("/nieuw Sam")
    invite = await anna.next_message()
    picture = await anna.next_message()
    assert invite.text.startswith("Uitnodiging voor Sam:")
    assert "geldig tot 16 november" in invite.text
    link = link_in(invite)
    assert link.startswith("https://t.me/waakvlam_test_bot?start=")
    assert len(token_of(link)) >= 40
    assert picture.kind == "photo" and picture.file_bytes.startswith(b"\x89PNG")
    assert picture.text == "QR-code voor Sam, geldig tot 16 november."


async def test_coach_menu_button_asks_the_name_first(world: World) -> None:
    anna = await world.coach()
    await anna.tap_keyboard("➕ Nieuwe cliënt")
    assert (await anna.next_message()).text.startswith("Hoe heet je nieuwe cliënt?")
    await anna.send_text("/start")
    assert (await anna.next_message()).text.startswith("Wat ik nu kan:")
    await anna.tap_keyboard("➕ Nieuwe cliënt")
    await anna.next_message()
    await anna.send_text("Kim")
    assert (await anna.next_message()).text.startswith("Uitnodiging voor Kim:")


async def test_client_joins_with_consent_and_sees_the_menu(world: World) -> None:
    anna = await world.coach()
    token = await world.invite(anna, "Sam")
    sam = world.sandbox.user(first_name="Sam")
    await sam.open_deep_link(token)
    welcome = await sam.next_message()
    assert welcome.text.startswith("Hoi Sam! Welkom bij Waakvlam.")
    assert "Ik vervang Anna niet." in welcome.text
    consent = await sam.next_message()
    assert "Anna kan dat zien." in consent.text and "Alleen" not in consent.text
    assert "Stoppen kan altijd. Typ dan: stop." in consent.text
    opened = await anna.next_message()
    assert opened.text.startswith("De link voor Sam is geopend door het Telegram-account: Sam")
    assert consent.buttons == [["Ja, dat is goed"], ["Nee, liever niet"], ["🔊 Voorlezen"]]

    await sam.press("Ja, dat is goed")
    voice = await sam.next_message()
    assert voice.text.startswith("Wil je dat ik mijn berichten ook voorlees?")
    # Not chosen yet: the question itself can be heard.
    assert voice.buttons == [["Ja, voorlezen"], ["Nee, alleen tekst"], ["🔊 Voorlezen"]]
    closed = next(m for m in sam.inbox if m.message_id == consent.message_id)
    assert closed.buttons == [] and closed.text.endswith("Je koos: Ja, dat is goed")

    await sam.press("Ja, voorlezen")
    assert (await sam.next_message()).text.startswith("Goed, dat onthoud ik.")
    assert (await sam.next_message(timeout=15)).kind == "voice"
    # Then the offer to share his number, optional (tests/scenarios/test_phone_number.py).
    assert (await sam.next_message()).text == "Nog een vraag. Kies een knop onderaan."
    assert (await sam.next_message(timeout=15)).kind == "voice"
    assert (await sam.next_message()).text.startswith("Wil je je telefoonnummer delen?")
    assert (await sam.next_message(timeout=15)).kind == "voice"
    joined = await anna.next_message()
    assert joined.text.startswith("Sam doet mee: Sam gaf toestemming. Ik vraag Sam nu of die")
    await sam.tap_keyboard("Liever niet")
    assert (await sam.next_message()).text.startswith("Goed. Ik bewaar geen nummer.")
    assert (await sam.next_message(timeout=15)).kind == "voice"
    assert (await sam.next_message()).text.startswith("Klaar! Onderaan zie je nu drie knoppen.")
    assert (await sam.next_message(timeout=15)).kind == "voice"
    explained = await sam.next_message()
    assert (await sam.next_message(timeout=15)).kind == "voice"
    assert "Is er gevaar? Bel dan altijd 112." in explained.text
    assert sam.current_keyboard == MENU

    with world.database.transaction() as session:
        client = session.exec(select(Client)).one()
        assert client.status == "active" and client.telegram_user_id == sam.id
        assert client.consent_at == world.clock.now() and client.consent_version == "2"
        assert client.read_aloud is True
        assert [p.phase for p in session.exec(select(SupportPhase))] == ["start"]
        invite = session.exec(select(Invite).where(Invite.client_id == client.id)).one()
        assert invite.used_at == world.clock.now()


async def test_typed_answers_count_as_presses(world: World) -> None:
    anna = await world.coach()
    sam = await world.link_opened(anna, "Sam")
    await sam.send_text("Ja!")
    assert (await sam.next_message()).text.startswith("Wil je dat ik")
    await sam.send_text("nee")
    assert (await sam.next_message()).text == "Goed, dat onthoud ik."
    with world.database.transaction() as session:
        assert session.exec(select(Client)).one().read_aloud is False


async def test_consent_no_keeps_the_row_while_the_link_can_be_opened_again(
    world: World,
) -> None:
    anna = await world.coach()
    token = await world.invite(anna)
    sam = world.sandbox.user(first_name="Sam")
    await sam.open_deep_link(token)
    await sam.next_message()
    await sam.next_message()
    await anna.next_message()  # the link was opened by Sam's account
    await sam.press("Nee, liever niet")
    declined = await sam.next_message()
    assert declined.text.startswith("Oké, je doet niet mee.")
    told = await anna.next_message()
    assert told.text.startswith("Sam zei nee tegen meedoen.")
    with world.database.transaction() as session:
        client = session.exec(select(Client)).one()
        assert (client.status, client.telegram_user_id, client.consent_at) == (
            "declined",
            sam.id,
            None,
        )
        invite = session.exec(select(Invite).where(Invite.client_id == client.id)).one()
        assert invite.claimed_by_telegram_user_id == sam.id and invite.used_at is None

    await sam.send_text("hallo")
    assert (await sam.next_message()).text.startswith("Je zei nee tegen meedoen.")
    await sam.open_deep_link(token)
    assert (await sam.next_message()).text.startswith("Hoi Sam!")
    assert "Is dat goed?" in (await sam.next_message()).text


async def test_used_expired_and_guessed_links_get_the_same_kind_refusal(world: World) -> None:
    anna = await world.coach()
    sam = await world.client(anna, "Sam")
    used_token = token_of(
        link_in(next(m for m in anna.inbox if m.text and "Uitnodiging voor Sam" in m.text))
    )
    fresh_token = await world.invite(anna, "Kim")
    before = world.row_counts()

    kim = world.sandbox.user(first_name="Kim")
    await kim.open_deep_link(used_token)
    refusal = await kim.next_message()
    assert refusal.text.startswith("Deze link werkt niet.")

    await kim.open_deep_link("A" * 43)
    assert (await kim.next_message()).text == refusal.text

    world.clock.advance(timedelta(days=14, seconds=1))
    await kim.open_deep_link(fresh_token)
    assert (await kim.next_message()).text == refusal.text
    assert world.row_counts() == before

    await sam.open_deep_link(fresh_token)
    assert (await sam.next_message()).text.startswith("Je doet al mee.")


async def test_a_link_held_by_one_person_refuses_another(world: World) -> None:
    anna = await world.coach()
    token = await world.invite(anna)
    sam = world.sandbox.user(first_name="Sam")
    await sam.open_deep_link(token)
    await sam.next_message()
    await sam.next_message()
    other = world.sandbox.user(first_name="Iemand")
    await other.open_deep_link(token)
    assert (await other.next_message()).text.startswith("Deze link werkt niet.")


async def test_a_stranger_is_answered_kindly_and_nothing_is_stored(world: World) -> None:
    before = world.row_counts()
    stranger = world.sandbox.user(first_name="Onbekend")
    await stranger.send_text("hallo, wie ben jij?")
    hello = await stranger.next_message()
    assert hello.text == (
        "Hoi! Deze chat is voor mensen met een coach.\n"
        "Kreeg je een link van je coach? Open die link dan."
    )
    await stranger.send_sticker()
    await stranger.send_photo(data=b"\x89PNG fake")
    assert (await stranger.next_message()).text == hello.text
    assert (await stranger.next_message()).text == hello.text
    assert world.row_counts() == before


async def test_a_flooding_stranger_is_answered_a_few_times_then_not(world: World) -> None:
    stranger = world.sandbox.user(first_name="Spam")
    for _ in range(5):
        await stranger.send_text("spam")
    await stranger.send_text("/start")
    for _ in range(3):
        await stranger.next_message()
    probe = world.sandbox.user(first_name="Ander")
    await probe.send_text("hoi")
    await probe.next_message()  # the bot has handled everything sent before this
    await world.drain()
    assert len(stranger.inbox) == 3
    world.clock.advance(timedelta(hours=1))
    await stranger.send_text("nog een keer")
    assert (await stranger.next_message()).text.startswith("Hoi!")


async def test_a_newcomer_who_used_up_the_stranger_answers_can_still_open_a_valid_link(
    world: World,
) -> None:
    anna = await world.coach()
    token = await world.invite(anna, "Sam")
    sam = world.sandbox.user(first_name="Sam")
    for question in ("hallo?", "is dit de bot van Anna?", "hallo??", "???"):
        await sam.send_text(question)
    for _ in range(3):
        assert (await sam.next_message()).text.startswith("Hoi!")
    await world.drain()
    assert len(sam.inbox) == 3, "the fourth message got no answer: the stranger limit holds"

    await sam.open_deep_link(token)
    assert (await sam.next_message()).text.startswith("Hoi Sam!")
    assert "Is dat goed?" in (await sam.next_message()).text
    await sam.press("Ja, dat is goed")
    await sam.next_message()
    await sam.press("Nee, alleen tekst")
    assert (await anna.next_message()).text.startswith("De link voor Sam is geopend")
    joined = await anna.next_message()
    assert joined.text and joined.text.startswith("Sam doet mee: Sam gaf toestemming.")


async def test_a_stranger_over_the_limit_with_a_wrong_link_is_not_answered(world: World) -> None:
    stranger = world.sandbox.user(first_name="Spam")
    for _ in range(3):
        await stranger.send_text("spam")
        await stranger.next_message()
    await stranger.open_deep_link("x" * 43)
    await world.drain()
    assert len(stranger.inbox) == 3


async def test_guessing_many_links_is_stopped(world: World) -> None:
    guesser = world.sandbox.user(first_name="Raden")
    for attempt in range(12):
        await guesser.open_deep_link(f"{attempt:02d}" + "x" * 41)
    await world.settle()
    # Refusals stop after ten failed links (and strangers get three answers an hour).
    assert [m.text.split("\n")[0] for m in guesser.inbox] == ["Deze link werkt niet."] * 3


async def test_an_active_client_always_gets_a_calm_answer(world: World) -> None:
    anna = await world.coach()
    sam = await world.client(anna)
    expectations = [
        (sam.send_text("/start"), "Je doet al mee."),
        (sam.send_text("/help"), "Dit kun je hier doen:"),
        (sam.send_text("blablabla"), "Wil je dit naar Anna sturen?"),  # see test_relay
        (sam.send_dice(), "Dit soort bericht kan ik niet doorsturen."),
        (sam.send_poll("Pizza?", ["Ja", "Nee"]), "Dit soort bericht kan ik niet doorsturen."),
        (sam.send_contact("+31201234567", "Huisarts"), "Dit soort bericht kan ik niet doorsturen."),
        # His own contact is his number (tests/scenarios/test_phone_number.py).
        (sam.send_contact(), "Dank je. Ik heb je nummer bewaard."),
    ]
    for action, first_line in expectations:
        await action
        reply = await sam.next_message()
        assert reply.text.startswith(first_line)
        if reply.text in ("Je doet al mee.\nJe knoppen staan onderaan.", "Dit kun je hier doen:"):
            await sam.next_message()
    message = await sam.send_text("hoi")
    await sam.next_message()
    await sam.edit_message(message["message_id"], "hoi!")
    assert (await sam.next_message()).text.startswith("Je hebt een bericht veranderd.")
    assert sam.current_keyboard == MENU


async def test_stale_and_forged_buttons_change_nothing(world: World) -> None:
    anna = await world.coach()
    sam = await world.client(anna)
    consent = next(m for m in sam.inbox if m.text and "Is dat goed?" in m.text)
    before = world.row_counts()

    await sam.press_data(consent.message_id, onboarding.CONSENT_NO)
    await sam.press_data(consent.message_id, "ob:consent:yes:client=99")
    stranger = world.sandbox.user(first_name="Vals")
    await stranger.send_text("hoi")
    await stranger.next_message()
    await stranger.press_data(1, onboarding.CONSENT_YES)
    await world.settle()

    notices = [answer.text for answer in sam.callback_answers[-2:]]
    assert notices == ["Deze vraag is al klaar.", "Deze knop werkt niet meer."]
    assert stranger.callback_answers, "every press is answered, even a forged one"
    assert world.row_counts() == before
    with world.database.transaction() as session:
        assert session.exec(select(Client)).one().status == "active"


async def test_the_bot_remembers_across_a_restart(world: World) -> None:
    anna = await world.coach()
    sam = await world.link_opened(anna, "Sam")
    await sam.press("Ja, dat is goed")
    await sam.next_message()

    await world.stop()
    await sam.press("Nee, alleen tekst")  # pressed while the bot is down
    await world.start()
    assert (await sam.next_message()).text == "Goed, dat onthoud ik."
    await sam.next_message()  # the offer to share his number
    await sam.next_message()
    await world.restart()
    await sam.tap_keyboard("📱 Deel mijn nummer")  # the offer is remembered too
    assert (await sam.next_message()).text.startswith("Dank je. Ik heb je nummer bewaard.")
    for _ in range(2):
        await sam.next_message()
    assert sam.current_keyboard == MENU
    assert (await anna.next_message()).text.startswith("Sam doet mee")


async def test_telegram_errors_are_ridden_out(world: World) -> None:
    anna = await world.coach()
    world.sandbox.faults.fail(method="sendMessage", status=429, retry_after=1, times=1)
    world.sandbox.faults.fail(method="sendPhoto", status=500, times=1)
    await anna.send_text("/nieuw Sam")
    assert (await anna.next_message(timeout=10)).text.startswith("Uitnodiging voor Sam:")
    assert (await anna.next_message(timeout=10)).kind == "photo"


async def test_a_coach_who_blocked_the_bot_does_not_stop_the_client(world: World) -> None:
    anna = await world.coach()
    token = await world.invite(anna)
    anna.block()
    sam = world.sandbox.user(first_name="Sam")
    await sam.open_deep_link(token)
    await sam.next_message()
    await sam.next_message()
    await sam.press("Ja, dat is goed")
    await sam.next_message()
    await sam.press("Nee, alleen tekst")
    for _ in range(3):
        await sam.next_message()
    await sam.tap_keyboard("Liever niet")
    for _ in range(3):
        await sam.next_message()
    assert sam.current_keyboard == MENU
