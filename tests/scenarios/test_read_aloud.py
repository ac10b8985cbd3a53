"""Read aloud: a client who chose it gets a voice note after every bot text, from direct
replies and from the outbox alike; a client who did not gets none. The voice is the real
offline one (espeak-ng) and the real OGG/Opus encoder."""

from __future__ import annotations

from telegram_sandbox import SimUser

from tests.scenarios.conftest import World


def _stored_files(world: World) -> set[str]:
    return {str(p) for p in world.settings.data_dir.rglob("*") if p.is_file()}


async def _choose(world: World, coach: SimUser, read_aloud: bool) -> SimUser:
    """Consent given, read-aloud chosen: "Goed, dat onthoud ik." and the phone offer follow."""
    sam = await world.link_opened(coach, "Sam")
    await sam.press("Ja, dat is goed")
    await sam.next_message()
    await sam.press("Ja, voorlezen" if read_aloud else "Nee, alleen tekst")
    return sam


async def _join(world: World, coach: SimUser, read_aloud: bool) -> SimUser:
    """A client who joined (no phone number shared) and read everything up to the menu."""
    sam = await _choose(world, coach, read_aloud)
    per_text = 2 if read_aloud else 1
    for _ in range(3 * per_text):  # "Goed, dat onthoud ik.", the phone offer (lead, question)
        await sam.next_message(timeout=15)
    await sam.tap_keyboard("Liever niet")
    for _ in range(3 * per_text):  # not shared, "Klaar!", the menu explained
        await sam.next_message(timeout=15)
    return sam


async def test_every_text_comes_with_a_voice_note(world: World) -> None:
    anna = await world.coach()
    sam = await _choose(world, anna, read_aloud=True)
    kinds = [(await sam.next_message(timeout=15)).kind for _ in range(6)]
    assert kinds == ["text", "voice"] * 3
    await sam.tap_keyboard("Liever niet")
    kinds = [(await sam.next_message(timeout=15)).kind for _ in range(6)]
    assert kinds == ["text", "voice"] * 3
    voice = sam.inbox[-1]
    assert voice.file_bytes.startswith(b"OggS")
    assert voice.raw["voice"]["duration"] >= 1

    await sam.tap_keyboard("🔴 Noodknop")
    for _ in range(4):
        await sam.next_message(timeout=15)
    alert = await anna.wait_for(lambda m: (m.text or "").startswith("🔴"))
    await anna.press(alert.buttons[0][0], alert)
    seen = await sam.next_message(timeout=15)  # through the outbox
    assert seen.text.startswith("Anna heeft je melding gezien.")
    assert (await sam.next_message(timeout=15)).kind == "voice"


async def test_the_same_text_is_uploaded_once_then_sent_by_file_id(world: World) -> None:
    anna = await world.coach()
    sam = await _join(world, anna, read_aloud=True)
    for _ in range(2):
        await sam.send_text("/start")
        for _ in range(4):
            await sam.next_message(timeout=15)
    uploads = [p for m, p in world.sandbox.calls if m == "sendVoice"]
    by_file_id = [p for p in uploads if isinstance(p.get("voice"), str)]
    assert len(by_file_id) >= 2, "a repeated text reuses Telegram's file_id"


async def test_no_voice_for_a_client_who_chose_text(world: World) -> None:
    anna = await world.coach()
    sam = await _join(world, anna, read_aloud=False)
    await world.drain()
    assert all(m.kind == "text" for m in sam.inbox)


async def test_a_client_who_chose_text_can_hear_any_text_with_one_tap(world: World) -> None:
    anna = await world.coach()
    sam = await _join(world, anna, read_aloud=False)
    # The menu is set once; texts that leave it as it is carry "🔊 Voorlezen" instead.
    await sam.send_text("/start")
    joined = await sam.next_message()
    assert joined.text.startswith("Je doet al mee.")
    await sam.next_message()  # what the buttons do
    await sam.tap_keyboard("💬 Bericht aan coach")
    asked = await sam.next_message()
    assert asked.text.startswith("Wat wil je aan Anna vertellen?")
    assert asked.buttons[-1] == ["🔊 Voorlezen"]
    assert sam.current_keyboard == [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]
    await sam.press("🔊 Voorlezen", asked)
    voice = await sam.next_message(timeout=15)
    assert voice.kind == "voice" and voice.file_bytes.startswith(b"OggS")
    # From the outbox too: Anna's reply, one message with who it is from.
    await sam.send_text("Hoi")
    await sam.next_message()
    await anna.next_message()
    copy = await anna.next_message()
    await world.drain()  # the bot noted which message the copy is before Anna answers it
    await anna.send_text("Hoi Sam", reply_to=copy)
    await sam.next_message()  # seen
    words = await sam.next_message()
    assert words.text == "💬 Bericht van Anna:\n\nHoi Sam"
    assert words.buttons == [["🔊 Voorlezen"]]
    stored_before = _stored_files(world)
    await sam.press("🔊 Voorlezen", words)
    assert (await sam.next_message(timeout=15)).kind == "voice"
    assert _stored_files(world) == stored_before  # Anna's words are not kept as audio
    # The noodknop changes the keyboard (a location button): that text keeps the keyboard,
    # and the button under the next text reads it too (tests/scenarios/test_hearable.py).
    await sam.tap_keyboard("🔴 Noodknop")
    pressed = await sam.wait_for(lambda m: (m.text or "").startswith("Ik stuur Anna nu"))
    assert pressed.buttons == []
    assert sam.current_keyboard[-1] == ["📍 Stuur waar ik ben"]


async def test_a_client_who_hears_everything_gets_no_extra_button(world: World) -> None:
    anna = await world.coach()
    sam = await _join(world, anna, read_aloud=True)
    await sam.tap_keyboard("💬 Bericht aan coach")
    asked = await sam.next_message(timeout=15)
    assert ["🔊 Voorlezen"] not in asked.buttons


async def test_start_always_brings_the_menu_back(world: World) -> None:
    anna = await world.coach()
    sam = await _join(world, anna, read_aloud=False)
    world.sandbox.state.chats[sam.id].keyboard_markup = None  # the client cleared the chat
    await world.drain()
    assert sam.current_keyboard is None
    await sam.send_text("/start")
    await sam.next_message()
    await sam.next_message()
    assert sam.current_keyboard == [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]
