"""Help words end to end ("hulp", "SOS", "ik wil dood"): the real bot through the sandbox, a
fixed clock, both databases.

A client who types a help word, in any state, gets a calm answer with the noodknop as a button
and the offer to send the words to the coach; during an open alert the words are added to it;
words of danger name 112 and 113 and reach the coach at once, as an alert does. The words
travel as copies: the bot stores who, when and message ids, never the content.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

from storage import alerts as alert_store
from storage.models import Alert, Checkin, Client, OutboxMessage, Relay
from storage.outbox import Priority
from tests.scenarios.conftest import World

OFFER = (
    "Dank je dat je het zegt.\n"
    "Heb je Anna nu nodig? Druk dan op de noodknop.\n"
    "Dan stuur ik Anna een melding.\n"
    "Is er gevaar? Bel dan 112."
)
NUMBERS = (
    "Ben je nu in gevaar? Bel 112.\n"
    "Denk je aan zelfmoord? Bel 113.\n"
    "Of bel gratis 0800-0113.\n"
    "Daar is altijd iemand die met je praat."
)
HELP_HEADER = "🆘 Sam typte een hulpwoord en kreeg de noodknop aangeboden. Dit schreef Sam:"


async def _anna_and_sam(world: World) -> tuple[SimUser, SimUser]:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    return anna, sam


def _relays(world: World) -> list[Relay]:
    with world.database.transaction() as session:
        return list(session.exec(select(Relay).order_by(col(Relay.id))))


def _alerts(world: World) -> list[Alert]:
    with world.database.transaction() as session:
        return list(session.exec(select(Alert)))


async def _asked_as_any_message_and_kept(sam: SimUser, text: str) -> None:
    """Sam's words are an ordinary message: the ordinary question whether to send them (not
    the help words' one), and Sam keeps them."""
    await sam.send_text(text)
    ordinary = await sam.next_message()
    assert ordinary.text == "Wil je dit naar Anna sturen?"
    assert ordinary.reply_markup is not None
    data = ordinary.reply_markup["inline_keyboard"][0][0]["callback_data"]
    assert data.startswith("rl:"), "the ordinary question, not the help words' one"
    await sam.press("Nee", message=ordinary)
    assert (await sam.next_message()).text == "Oké, ik stuur het niet."


async def _offered(sam: SimUser) -> SentMessage:
    """The calm answer with the noodknop button, then the question whether to send the words."""
    offer = await sam.next_message()
    assert offer.text == OFFER
    assert offer.buttons[0] == ["🔴 Noodknop"]
    question = await sam.next_message()
    assert question.text == "Wil je dit naar Anna sturen?"
    assert question.buttons[0] == ["Ja, stuur het", "Nee"]
    return question


async def test_hulp_however_typed_gets_the_noodknop_and_the_offer_to_send_it(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    for typed in ("hulp", "Hulp!", "HELP", "help!!", "nood", "SOS", "ik weet het niet meer"):
        await sam.send_text(typed)
        await _offered(sam)
    await world.drain()
    assert not any("begrijp ik niet" in (m.text or "") for m in sam.inbox)
    assert anna.unread == [] and _relays(world) == [], "nothing goes before Sam says so"

    await sam.press("Ja, stuur het")  # under "ik weet het niet meer"
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await anna.next_message()).text == HELP_HEADER
    copy = await anna.next_message()
    assert copy.is_copy and copy.text == "ik weet het niet meer"
    assert copy.buttons == [["✓ Gezien"]]
    [relay] = _relays(world)
    assert (relay.direction, relay.kind) == ("to_coach", "text")
    assert "weet" not in repr(relay), "the words are copied, never stored"

    # The noodknop under the answer raises the alert, as the menu's does.
    await sam.press("🔴 Noodknop")
    alert = await anna.next_message()
    assert (alert.text or "").startswith("🔴 NOODKNOP – Sam")
    assert len(_alerts(world)) == 1


async def test_saying_no_sends_nothing_and_a_double_yes_sends_once(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("help")
    question = await _offered(sam)
    assert question.reply_markup is not None
    yes = question.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await sam.press("Nee")
    assert (await sam.next_message()).text == "Oké, ik stuur het niet."
    await world.drain()
    assert _relays(world) == [] and anna.unread == []
    await sam.press_data(question, yes)
    await sam.press_data(question, yes)
    await world.drain()
    assert [m.text for m in anna.inbox if m.is_copy] == ["help"]
    assert len(_relays(world)) == 1


async def test_hulp_during_a_checkin_question_is_not_taken_as_an_answer(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.tap_keyboard("📋 Hoe gaat het?")
    first = await sam.next_message()
    assert "1" in first.buttons[0]
    await sam.send_text("hulp")
    await _offered(sam)
    again = await sam.next_message()
    assert (again.text or "").startswith("We gaan verder waar je was.")
    assert again.buttons[:2] == first.buttons[:2], "the same question, still open"
    with world.database.transaction() as session:
        [checkin] = session.exec(select(Checkin)).all()
        assert checkin.answers == {} and checkin.status == "open"
    await sam.press("7", message=again)
    assert "hulp" in ((await sam.next_message()).text or "").lower(), "the next question"
    await world.drain()
    assert not any(m.is_copy for m in anna.inbox)


async def test_hulp_in_message_mode_goes_to_the_coach_with_the_noodknop_offered(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.tap_keyboard("💬 Bericht aan coach")
    await sam.next_message()
    await sam.send_text("Help!")
    offer = await sam.next_message()
    assert offer.text == OFFER and offer.buttons[0] == ["🔴 Noodknop"]
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await anna.next_message()).text == HELP_HEADER
    assert (await anna.next_message()).text == "Help!"
    with world.database.transaction() as session:
        client = session.exec(select(Client)).one()
        assert client.awaiting_message is False, "the message was sent: message mode is over"
    [relay] = _relays(world)
    assert relay.kind == "text"
    await world.drain()
    rows = _rows_of(world, relay)
    assert rows and all(row.priority == Priority.RELAY for row in rows)


def _rows_of(world: World, relay: Relay) -> list[OutboxMessage]:
    with world.database.transaction() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.relay_id == relay.id)))


async def test_hulp_during_an_open_alert_is_added_to_it(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    # Monday 10:00 in Amsterdam; Anna works Tuesday to Friday, so Bram is told at once too.
    world.set_hours(anna, "2345")
    await sam.tap_keyboard("🔴 Noodknop")
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await world.drain()
    sam.mark_read()
    [alert] = _alerts(world)
    with world.database.transaction() as session:
        told = {r.chat_id for r in alert_store.recipients_of(session, alert.id or 0)}
    assert told == {anna.id, bram.id}

    await sam.send_text("hulp")
    assert (await sam.next_message()).text == "Ik stuur dit mee met je melding."
    for coach in (anna, bram):
        assert (await coach.next_message()).text == "🔴 Sam schreef erbij:"
        copy = await coach.next_message()
        assert copy.is_copy and copy.text == "hulp"
    await world.drain()
    assert sam.current_keyboard is not None and sam.current_keyboard[-1] == ["📍 Stuur waar ik ben"]
    with world.database.transaction() as session:
        kinds = [e.kind for e in alert_store.events_of(session, alert.id or 0)]
        assert {r.chat_id for r in alert_store.recipients_of(session, alert.id or 0)} == told
    assert "help_words" in kinds
    assert _relays(world) == [] and len(_alerts(world)) == 1, "added, not a new alert"
    assert not any(m.text == OFFER for m in sam.inbox)


async def test_words_of_danger_raise_an_alert_that_is_routed_and_escalated(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    await sam.send_text("Ik wil dood")
    said = [(await sam.next_message()).text for _ in range(3)]
    assert NUMBERS in said and "Wat is er aan de hand?\nKies als je wilt. Het hoeft niet." in said
    assert any((t or "").startswith("Ik stuur Anna nu een melding.") for t in said)
    alert = await anna.next_message()
    assert alert.text == (
        "🔴 NOODKNOP – Sam\n"
        "Sam (cliënt van Anna) stuurde om 10:00 woorden die op gevaar of zelfmoordgedachten "
        "kunnen wijzen (hieronder).\n"
        "Bel Sam zo snel mogelijk.\n"
        "📞 +31 6 12345678"
    )
    assert (await anna.next_message()).text == "Ik wil dood"  # the copy, under the alert
    await world.drain()
    [stored] = _alerts(world)
    with world.database.transaction() as session:
        kinds = [e.kind for e in alert_store.events_of(session, stored.id or 0)]
    assert "danger_words" in kinds and _relays(world) == []
    assert bram.inbox == [m for m in bram.inbox if not (m.text or "").startswith("🔴")]

    # Nobody reacts: escalated as a press is, saying what really happened.
    world.clock.advance(timedelta(minutes=5))
    await world.tick()
    reminder = await anna.wait_for(lambda m: (m.text or "").startswith("⏰ Nog niet opgepakt"))
    assert "Sam stuurde om 10:00 woorden" in (reminder.text or "")
    asked = await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    assert "stuurde om 10:00 woorden" in (asked.text or "") and "drukte" not in (asked.text or "")


async def test_words_of_danger_outside_the_coachs_hours_reach_the_backup_at_once(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    world.set_hours(anna, "2345")  # Monday 10:00 now; Anna works Tuesday to Friday
    await sam.send_text("ik wil niet meer leven")
    for coach in (anna, bram):
        alert = await coach.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
        assert "woorden die op gevaar" in (alert.text or "")
        assert (await coach.next_message()).text == "ik wil niet meer leven"


async def test_danger_during_an_open_alert_is_added_to_it_with_the_numbers(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.tap_keyboard("🔴 Noodknop")
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await world.drain()
    sam.mark_read()
    await sam.send_text("zelfmoord")
    assert (await sam.next_message()).text == "Ik stuur dit mee met je melding."
    assert (await sam.next_message()).text == NUMBERS
    header = await anna.next_message()
    assert header.text == (
        "🔴 Sam schreef erbij, woorden die op gevaar of zelfmoordgedachten kunnen wijzen.\n"
        "Sam kreeg 112 en 113 te zien. Dit schreef Sam:"
    )
    assert (await anna.next_message()).text == "zelfmoord"


async def test_help_inside_another_word_or_a_longer_message_is_an_ordinary_message(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    for count, text in enumerate(
        (
            "Ik heb de helpdesk gebeld",
            "De thuishulp komt morgen",
            "Ik heb hulp nodig met mijn brief van de gemeente",
        ),
        start=1,
    ):
        await sam.send_text(text)
        question = await sam.next_message()
        # None answered yet: each next question is about all of them (dialogs.relay).
        about = "dit" if count == 1 else f"deze {count} berichten"
        assert question.text == f"Wil je {about} naar Anna sturen?"
        assert question.reply_markup is not None
        data = question.reply_markup["inline_keyboard"][0][0]["callback_data"]
        assert data.startswith("rl:"), "the ordinary question, not the help words' one"
    await world.drain()
    assert not any((m.text or "").startswith("Dank je dat je het zegt") for m in sam.inbox)
    assert anna.unread == [], "Anna got nothing"


async def test_before_consent_help_words_name_112_and_store_nothing(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.link_opened(anna, "Sam")
    await sam.send_text("hulp")
    assert (await sam.next_message()).text == "Is er gevaar? Bel dan 112."
    assert (await sam.next_message()).text.startswith("Eerst nog deze vraag.")  # type: ignore[union-attr]
    assert (await sam.next_message()).buttons[0] == ["Ja, dat is goed"]
    await sam.send_text("ik wil niet meer leven")
    assert (await sam.next_message()).text == NUMBERS
    await world.drain()
    assert _relays(world) == [] and _alerts(world) == []
    assert not any(m.is_copy for m in anna.inbox)
    with world.database.transaction() as session:
        assert session.exec(select(Client)).one().status == "consent_pending"


async def test_forged_and_stale_help_buttons_change_nothing(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("hulp")
    question = await _offered(sam)
    link_message_id = world.link_messages[sam.id]["message_id"]  # "/start <token>"
    assert question.reply_markup is not None
    real = question.reply_markup["inline_keyboard"][0][0]["callback_data"]
    seal = real.rsplit(":", 1)[1]
    for forged in (f"hw:y:{link_message_id}:{seal}", f"hw:y:{link_message_id}", "hw:", "hn:1"):
        await sam.press_data(question, forged)
    await world.drain()
    assert _relays(world) == [] and _alerts(world) == []
    assert not any(m.is_copy for m in anna.inbox)
    assert [a.text for a in sam.callback_answers[-4:]] == ["Deze knop werkt niet meer."] * 4


async def test_a_stranger_in_danger_or_asking_the_noodknop_gets_the_numbers(world: World) -> None:
    stranger = world.sandbox.user(first_name="Kim")
    await stranger.send_text("ik wil dood")
    assert (await stranger.next_message()).text == NUMBERS
    assert (await stranger.next_message()).text.startswith("Hoi! Deze chat is voor mensen")
    await stranger.send_text("/nood")
    assert (await stranger.next_message()).text == NUMBERS
    await stranger.next_message()
    await world.drain()
    assert world.count(Client) == 0 and world.count(Relay) == 0


async def test_nood_while_joining_gets_the_numbers_and_the_question_again(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.link_opened(anna, "Sam")
    await sam.send_text("/nood")
    assert (await sam.next_message()).text == NUMBERS
    again = await sam.next_message()
    assert (again.text or "").startswith("Eerst nog deze vraag.")


async def test_whatever_the_client_sends_during_an_open_alert_reaches_everyone_asked(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    bram = await world.coach("Bram")
    world.add_backup(anna, bram)
    await sam.tap_keyboard("🔴 Noodknop")
    await anna.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await anna.press("↪️ Ik kan niet, geef door")
    await bram.wait_for(lambda m: (m.text or "").startswith("🔴 NOODKNOP – Sam"))
    await world.drain()
    sam.mark_read()

    await sam.send_text("hij staat voor de deur")
    assert (await sam.next_message()).text == "Ik stuur dit mee met je melding."
    for coach in (anna, bram):  # Bram handles it now; Anna was told about it too
        header = await coach.wait_for(lambda m: (m.text or "").startswith("🔴 Sam stuurt erbij"))
        assert header.text == "🔴 Sam stuurt erbij (de melding staat open):"
        copy = await coach.next_message()
        assert copy.is_copy and copy.text == "hij staat voor de deur"
    await sam.send_voice(duration=4)
    assert (await sam.next_message()).text == "Ik stuur dit mee met je melding."
    await bram.wait_for(lambda m: m.kind == "voice")
    await world.drain()
    assert not any((m.text or "").startswith("Wil je dit naar Anna sturen") for m in sam.inbox)
    [alert] = _alerts(world)
    with world.database.transaction() as session:
        kinds = [e.kind for e in alert_store.events_of(session, alert.id or 0)]
    assert kinds.count("client_message") == 2
    assert _relays(world) == [], "copied to the alert's people, not relayed as a message"


async def test_not_feeling_safe_gets_the_noodknop_and_a_fear_in_a_sentence_does_not(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    await sam.send_text("ik voel me niet veilig")
    await _offered(sam)
    await sam.send_text("ik ben bang dat de bus te laat is")
    question = await sam.next_message()
    assert question.text == "Wil je dit naar Anna sturen?"
    assert question.reply_markup is not None
    data = question.reply_markup["inline_keyboard"][0][0]["callback_data"]
    assert data.startswith("rl:"), "the ordinary question, not the help words' one"
    await world.drain()
    offers = [m for m in sam.inbox if (m.text or "").startswith("Dank je dat je het zegt")]
    assert len(offers) == 1, "the noodknop once: for 'ik voel me niet veilig' only"
    assert anna.unread == [] and _relays(world) == [], "nothing goes before Sam says so"


async def test_ik_ben_echt_bang_reaches_anna_as_ik_ben_bang_does_and_echt_niet_bang_does_not(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    # "niet" keeps its meaning with "echt" before it: an ordinary message, asked as any.
    await _asked_as_any_message_and_kept(sam, "ik ben echt niet bang")

    # "echt" inside the phrase: the noodknop and the help header, as for "ik ben bang".
    await sam.send_text("ik ben echt bang")
    question = await _offered(sam)
    await sam.press("Ja, stuur het", message=question)
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await anna.next_message()).text == HELP_HEADER
    copy = await anna.next_message()
    assert copy.is_copy and copy.text == "ik ben echt bang"
    assert copy.buttons == [["✓ Gezien"]]

    await sam.send_text("ik ben bang")  # the same, word for word
    question = await _offered(sam)
    await sam.press("Ja, stuur het", message=question)
    assert (await sam.next_message()).text == "Verstuurd naar Anna."
    assert (await anna.next_message()).text == HELP_HEADER
    copy = await anna.next_message()
    assert copy.is_copy and copy.text == "ik ben bang"

    await world.drain()
    offers = [m for m in sam.inbox if (m.text or "").startswith("Dank je dat je het zegt")]
    assert len(offers) == 2, "the noodknop for 'ik ben echt bang' and 'ik ben bang' only"
    assert anna.unread == [], "'ik ben echt niet bang' was not sent"
    assert [m.text for m in anna.inbox if m.is_copy] == ["ik ben echt bang", "ik ben bang"]
    assert len(_relays(world)) == 2


async def test_ik_doe_mezelf_wat_aan_reaches_anna_as_an_alert_and_dood_van_het_lachen_does_not(
    world: World,
) -> None:
    anna, sam = await _anna_and_sam(world)
    # A figure of speech in a sentence stays an ordinary message, asked as any.
    await _asked_as_any_message_and_kept(sam, "ik ga dood van het lachen")
    await world.drain()
    assert not any(m.text in (NUMBERS, OFFER) for m in sam.inbox)
    assert anna.unread == [] and _alerts(world) == []

    # A way of saying it the bot did not know before, her name before it: an alert, as
    # "ik wil dood" raises, and the numbers.
    await sam.send_text("Anna ik doe mezelf wat aan")
    said = [(await sam.next_message()).text for _ in range(3)]
    assert NUMBERS in said
    assert any((t or "").startswith("Ik stuur Anna nu een melding.") for t in said)
    alert = await anna.next_message()
    assert (alert.text or "").startswith(
        "🔴 NOODKNOP – Sam\n"
        "Sam (cliënt van Anna) stuurde om 10:00 woorden die op gevaar of zelfmoordgedachten "
        "kunnen wijzen (hieronder)."
    )
    copy = await anna.next_message()
    assert copy.is_copy and copy.text == "Anna ik doe mezelf wat aan"
    await world.drain()
    [stored] = _alerts(world)
    with world.database.transaction() as session:
        kinds = [e.kind for e in alert_store.events_of(session, stored.id or 0)]
    assert "danger_words" in kinds and _relays(world) == []
