"""A client who said no opens a new link with the same Telegram account: the earlier "no" is
erased at once, as ``client erase`` erases (rows, then the read-aloud clips that say their
name), through the sandbox on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.voice.cache import ClipStore
from storage.models import AuditEvent, Client, OutboxMessage
from tests.scenarios.conftest import World

SAYS_SAM, SAYS_KIM = "a" * 64, "b" * 64


async def test_a_declined_client_opening_a_new_link_loses_the_clips_of_their_name(
    world: World,
) -> None:
    anna = await world.coach()
    token = await world.invite(anna, "Sam")
    sam = world.sandbox.user(first_name="Sam")
    await sam.open_deep_link(token)
    await sam.next_message()
    await sam.next_message()
    await sam.press("Nee, liever niet")
    assert (await sam.next_message()).text.startswith("Oké, je doet niet mee.")
    await world.drain()
    anna.mark_read()
    cache = world.settings.voice_cache_dir
    clips = ClipStore(cache)
    clips.write(SAYS_SAM, b"ogg", "Hoi Sam! Welkom bij Waakvlam.")
    clips.write(SAYS_KIM, b"ogg", "Hoi Kim! Welkom bij Waakvlam.")
    clips.remember_file_id(SAYS_SAM, "file-sam")
    clips.remember_file_id(SAYS_KIM, "file-kim")

    again = await world.invite(anna, "Kim")
    await sam.open_deep_link(again)
    welcome = await sam.next_message()
    assert welcome.text and "Kim" in welcome.text
    await sam.next_message()
    await world.drain()
    await world.settle()

    with world.database.transaction() as session:
        clients = session.exec(select(Client)).all()
        assert [(c.name, c.status, c.telegram_user_id) for c in clients] == [
            ("Kim", "consent_pending", sam.id)
        ]
        erased = [e for e in session.exec(select(AuditEvent)) if e.action == "client.erased"]
        assert [(e.actor, e.subject_id) for e in erased] == [("system", None)]
        # Anna's "someone opened Kim's link" is about Kim (her export and erasure find it),
        # never about the erased Sam, whose id SQLite may give the next new client.
        to_anna = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == anna.id))
        assert {row.client_id for row in to_anna} == {clients[0].id}
    assert {path.stem for path in cache.glob("*.ogg")} == {SAYS_KIM}
    assert not (cache / f"{SAYS_SAM}.words").exists()
    file_ids = json.loads((cache / "file_ids.json").read_text())
    assert file_ids == {SAYS_KIM: "file-kim"}
