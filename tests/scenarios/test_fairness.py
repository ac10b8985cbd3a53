"""No person delays another: different chats are handled at once, one chat stays in order, and
a flood from one client (texts and read-aloud taps) never holds up another client's noodknop.

Nothing here measures time: "at once" is shown by one person being answered while another's
answer is still held up in Telegram, "first" by counting what was sent before."""

from __future__ import annotations

from telegram_sandbox import SentMessage, SimUser

from tests.scenarios.conftest import World

ALERT = "🔴 NOODKNOP"
FLOOD = 200


async def _coach_writes(world: World, anna: SimUser, client: SimUser, text: str) -> SentMessage:
    """The client's messages go to Anna from now on; Anna answers the first with ``text``.
    Returns Anna's answer as the client sees it."""
    await client.send_text("Hoi")
    await client.next_message()  # "Wil je dit naar Anna sturen?"
    await client.press("Ja, stuur het")
    await client.wait_for(lambda m: m.text == "Verstuurd naar Anna.")
    await anna.next_message()  # the header
    copy = await anna.next_message()
    await world.drain()  # the bot noted which message the copy is before Anna answers it
    text = text.strip()
    await anna.send_text(text, reply_to=copy)
    # One message under the header when it fits (a long text: the header, then a copy).
    words = await client.wait_for(
        lambda m: m.text == text or (m.text or "").endswith(f"\n\n{text}"), timeout=10
    )
    assert words.buttons == [["🔊 Voorlezen"]]
    await world.drain()
    return words


async def test_one_chat_in_order_while_other_chats_are_answered(world: World) -> None:
    anna = await world.coach()
    sam = await world.client(anna, "Sam")
    lee = await world.client(anna, "Lee")
    await world.drain()
    lee.mark_read()
    # Telegram holds on to the first answer to Lee for a while (slow network, say).
    world.sandbox.faults.delay("sendMessage", seconds=3, times=1, chat_id=lee.id)
    await lee.send_text("/start")
    await lee.send_text("/hulp")
    await sam.send_text("/hulp")
    answer = await sam.next_message()
    assert answer.text == "Dit kun je hier doen:"
    assert lee.unread == [], "Sam was answered while Lee's first answer was still held up"
    texts = [(await lee.next_message(timeout=15)).text for _ in range(3)]
    assert texts[0] == "Je doet al mee.\nJe knoppen staan onderaan."
    assert texts[2] == "Dit kun je hier doen:", "Lee's second message is answered after the first"


async def test_a_flood_from_one_client_never_holds_up_another_clients_noodknop(
    world: World,
) -> None:
    anna = await world.coach()
    sam = await world.client(anna, "Sam")
    lee = await world.client(anna, "Lee")
    long_words = await _coach_writes(world, anna, lee, "Lees dit goed door. " * 200)
    before_lee, before_anna = len(lee.inbox), len(anna.inbox)

    for n in range(FLOOD):
        await lee.send_text(f"Bericht {n}")
    for _ in range(5):
        await lee.press("🔊 Voorlezen", long_words)
    await sam.tap_keyboard("🔴 Noodknop")

    alert = await anna.wait_for(lambda m: (m.text or "").startswith(ALERT), timeout=30)
    assert alert.text.startswith(f"{ALERT} – Sam")
    flood_answered = len(lee.inbox) - before_lee
    relayed_first = sum(
        1 for m in anna.inbox[before_anna:] if m.copied_from is not None or m.text != alert.text
    )
    # Handled one update at a time, Sam's press waited for all 205 of Lee's updates first.
    assert flood_answered < FLOOD // 4, f"{flood_answered} answers to Lee went out first"
    assert relayed_first < FLOOD // 4, f"{relayed_first} of Lee's messages reached Anna first"
    told = await sam.wait_for(lambda m: (m.text or "").startswith("Ik stuur Anna nu"))
    assert told is not None

    await world.settle()  # Lee's flood is handled too, in order
    answers = [m.text for m in lee.inbox[before_lee:] if m.kind == "text"]
    assert answers.count("Verstuurd naar Anna.") == FLOOD
    too_long = [a for a in answers if a and a.startswith("Dit bericht is te lang")]
    assert len(too_long) == 5, "each tap on the long text gets the kind answer"
    assert all(m.kind == "text" for m in lee.inbox[before_lee:]), "and no audio at all"


async def test_a_clip_made_for_a_message_is_sent_again_when_tapped_again(world: World) -> None:
    anna = await world.coach()
    lee = await world.client(anna, "Lee")
    words = await _coach_writes(world, anna, lee, "Morgen om tien uur bel ik je even. " * 8)
    stored_before = {p for p in world.settings.data_dir.rglob("*") if p.is_file()}
    uploads_before = len([c for c in world.sandbox.calls if c[0] == "sendVoice"])
    for _ in range(3):
        await lee.press("🔊 Voorlezen", words)
        assert (await lee.next_message(timeout=15)).kind == "voice"
    voices = [p for m, p in world.sandbox.calls if m == "sendVoice"][uploads_before:]
    assert len(voices) == 3
    assert not isinstance(voices[0]["voice"], str), "made and uploaded once"
    first_id = lee.inbox[-3].raw["voice"]["file_id"]
    assert [v["voice"] for v in voices[1:]] == [first_id, first_id], "then sent by its file_id"
    # Anna's words never reach the disk, not even as audio.
    assert {p for p in world.settings.data_dir.rglob("*") if p.is_file()} == stored_before


async def test_a_text_too_long_to_read_aloud_gets_a_kind_answer(world: World) -> None:
    anna = await world.coach()
    lee = await world.client(anna, "Lee")
    words = await _coach_writes(world, anna, lee, "Dit is een lang verhaal. " * 160)
    await lee.press("🔊 Voorlezen", words)
    answer = await lee.next_message()
    assert answer.text == (
        "Dit bericht is te lang om voor te lezen.\n"
        "Lees het rustig in stukjes.\n"
        "Of vraag je coach om het kort te zeggen."
    )
    await world.drain()
    assert not [c for c in world.sandbox.calls if c[0] == "sendVoice"]


async def test_an_alert_never_waits_for_the_message_the_outbox_is_sending(world: World) -> None:
    """The update that raises an alert sends it itself: the outbox worker may be held up in a
    send to someone else (a slow network), the alert still goes at once."""
    anna = await world.coach()
    sam = await world.client(anna, "Sam")
    lee = await world.client(anna, "Lee")
    await world.drain()
    lee.mark_read()
    world.sandbox.faults.delay("sendMessage", seconds=6, times=1, chat_id=lee.id)
    await anna.send_text("/checkin Lee")  # Lee's first question goes through the outbox
    await world.sandbox.faults.wait_matched(timeout=10)  # the worker's send to Lee is held

    await sam.tap_keyboard("🔴 Noodknop")

    alert = await anna.wait_for(lambda m: (m.text or "").startswith(ALERT), timeout=4)
    assert alert.text.startswith(f"{ALERT} – Sam")
    assert lee.unread == [], "the alert went while Lee's question was still held up"
    question = await lee.next_message(timeout=10)
    assert (question.text or "").startswith("Anna wil graag weten hoe het met je gaat.")
    await world.drain()
