"""Closing a pressed button (answering the press, marking the choice) is best effort: when
Telegram refuses it (429, 5xx), what carries the conversation forward still arrives.

The real bot through the sandbox, both databases."""

from __future__ import annotations

from sqlmodel import select

from storage.models import OutboxMessage
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import HELP_Q, start_by_menu
from tests.scenarios.test_noodknop import _alert, _coach_and_client, _press


async def test_a_429_on_closing_the_alert_button_still_gives_the_coach_the_close_prompt(
    world: World,
) -> None:
    anna, sam = await _coach_and_client(world)
    await _press(sam)
    await anna.next_message()
    world.sandbox.faults.fail(method="editMessageText", status=429, retry_after=1, chat_id=anna.id)
    world.sandbox.faults.fail(
        method="editMessageReplyMarkup", status=429, retry_after=1, chat_id=anna.id
    )
    await anna.press("✅ Ik bel nu")
    assert (await sam.next_message()).text == "Anna heeft je melding gezien.\nAnna belt je zo."
    prompt = await anna.next_message()
    assert prompt.text.startswith("Sluit de melding van Sam als het klaar is.")
    await anna.press("📞 Gesproken")
    await world.drain()
    assert _alert(world).outcome == "talked"


async def test_a_429_on_closing_the_consent_question_still_asks_the_next_one(
    world: World,
) -> None:
    anna = await world.coach()
    sam = await world.link_opened(anna, "Sam")
    world.sandbox.faults.fail(method="editMessageText", status=429, retry_after=1, chat_id=sam.id)
    await sam.press("Ja, dat is goed")
    assert (await sam.next_message()).text.startswith("Wil je dat ik mijn berichten ook voorlees?")


async def test_five_502s_on_answering_a_checkin_press_still_ask_the_next_question(
    world: World,
) -> None:
    _, sam = await _coach_and_client(world)
    await start_by_menu(sam)
    world.sandbox.faults.fail(method="answerCallbackQuery", status=502, times=5, chat_id=None)
    await sam.press("3")
    assert (await sam.next_message()).text == HELP_Q


async def test_a_reply_telegram_keeps_refusing_goes_through_the_outbox(world: World) -> None:
    _, sam = await _coach_and_client(world)
    await start_by_menu(sam)
    # One try and three in-place retries fail: the question is handed to the outbox.
    world.sandbox.faults.fail(method="sendMessage", status=502, times=4, chat_id=sam.id)
    await sam.press("3")
    assert (await sam.next_message()).text == HELP_Q
    await world.drain()
    with world.database.transaction() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == sam.id))
        sent = {r.text_key for r in rows if r.sent_at is not None}
    assert "questions.help" in sent


async def test_an_invite_link_telegram_will_not_take_is_never_stored(world: World) -> None:
    anna = await world.coach("Anna")
    world.sandbox.faults.fail(method="sendMessage", status=502, times=4, chat_id=anna.id)
    await anna.send_text("/nieuw Sam")
    told = await anna.next_message()
    assert told.text == (
        "Telegram nam de link voor Sam nu niet aan. Stuur straks nog eens /nieuw Sam."
    )
    await world.drain()
    assert anna.unread == [], "no QR picture without its link"
    with world.database.transaction() as session:
        stored = [repr(row.params) for row in session.exec(select(OutboxMessage))]
    assert not any("start=" in params for params in stored)


async def test_a_429_on_one_persons_reply_does_not_hold_up_anothers_noodknop(
    world: World,
) -> None:
    anna, sam = await _coach_and_client(world)
    bob = await world.client(anna, "Bob")
    world.sandbox.faults.fail(
        method="sendMessage", status=429, retry_after=30, times=1, chat_id=sam.id
    )
    await sam.send_text("hallo")  # "Wil je dit naar Anna sturen?" meets Telegram's flood control
    await _press(bob)  # handled at once: the 429 is not waited out on the update path
    assert (await anna.next_message()).text.startswith("🔴 NOODKNOP – Bob")
    await world.drain()
    assert sam.inbox[-1].text == "Wil je dit naar Anna sturen?"
