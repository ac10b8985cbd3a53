"""A client asks "wat weet je van mij?": end to end, both databases.

The client reads a true answer (the coach is asked); the coach gets one tap that sends the
client the easy-language summary (the page ``waakvlam client export`` writes) as a document.
The document goes through the outbox as a row that holds no data: rendered when it is sent,
it survives Telegram's errors. Another coach, a forged id, a former client: nothing is sent.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

from bot.client_records import export_client
from bot.phases import SUMMARY_CAPTION
from bot.texts import load_texts
from storage.models import AuditEvent, Client, OutboxMessage
from tests.scenarios.conftest import World
from tests.scenarios.test_client_card import open_card
from tests.scenarios.test_phases_and_ending import end_support

NOT_YOURS = "Deze cliënt staat niet (meer) in jouw lijst. Stuur /clienten voor de lijst van nu."
ASKED = "Ik vraag Anna om je een overzicht te sturen.\nDaarin staat wat Waakvlam over jou bewaart."


def actions(world: World) -> list[tuple[str, str, int | None]]:
    with world.database.transaction() as session:
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [(e.actor, e.action, e.subject_id) for e in rows]


def sam_id(world: World) -> int:
    with world.database.transaction() as session:
        found = session.exec(select(Client).where(Client.name == "Sam")).one().id
        assert found is not None
        return found


async def ask(sam: SimUser, anna: SimUser, words: str = "Wat weet je van mij?") -> SentMessage:
    """Sam asks; returns the notice Anna got."""
    await sam.send_text(words)
    assert (await sam.next_message()).text == ASKED
    notice = await anna.next_message()
    assert notice.text.startswith("📄 Sam wil weten wat Waakvlam over hem of haar bewaart.")
    assert notice.buttons == [["📄 Stuur Sam het overzicht"]]
    return notice


async def test_the_client_asks_and_gets_the_summary_as_a_document(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    notice = await ask(sam, anna)
    client = sam_id(world)
    assert (f"client:{client}", "client.data_requested", client) in actions(world)

    await anna.press("📄 Stuur Sam het overzicht", notice)
    assert (await anna.next_message()).text == "📄 Het overzicht gaat nu naar Sam."
    document = await sam.next_message()
    assert document.kind == "document"
    assert document.caption is not None
    assert document.caption.startswith("📄 Dit is wat Waakvlam over jou bewaart.")
    assert document.file is not None and document.file.file_name == "waakvlam-overzicht.html"
    page = document.file.data.decode()
    assert page.startswith("<!doctype html>") and "Sam" in page and "Anna" in page
    # New: one phase, and no contact logged yet; the sections say so, no empty list.
    assert page.count(": je begeleiding begon.</li>") == 1
    assert "<p>Ik bewaar nu geen gesprek of bezoek van je coach.</p>" in page
    coach = f"coach:{world.coach_id(anna)}"
    assert (coach, "client.summary_sent", client) in actions(world)
    # The outbox row held no data: only the caption's key, no values.
    await world.drain()
    with world.database.transaction() as session:
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.text_key == SUMMARY_CAPTION)
        ).one()
        assert row.params == {} and row.sent_at is not None


async def test_the_summary_shows_the_logged_call_with_its_note_and_the_phases(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    card = await open_card(anna, "Sam")
    await anna.press("📞 Gebeld", card)
    await anna.next_message()
    await anna.send_text("Klonk moe, belt maandag terug")
    await anna.next_message()
    world.clock.advance(timedelta(days=2))
    await anna.send_text("/fase Sam waakvlam")
    assert (await anna.next_message()).text.startswith("Sam is nu in de waakvlamfase.")
    await world.drain()
    assert sam.unread == []  # the client hears nothing of a logged contact or a phase

    notice = await ask(sam, anna)
    await anna.press("📄 Stuur Sam het overzicht", notice)
    await anna.next_message()
    document = await sam.next_message()
    assert document.file is not None
    page = document.file.data.decode()
    assert ": Anna belde met je.<br>De coach schreef erbij: Klonk moe, belt maandag" in page
    started, calm = page.index("je begeleiding begon."), page.index("de rustige begeleiding begon")
    # Two phases, one call, one coach, the first rhythm.
    assert started < calm and page.count("<li>") == 5


async def test_the_summary_shows_the_rhythm_anna_set_and_who_is_sams_coach(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bert = await world.coach("Bert")
    kim = await world.client(bert, "Kim")
    await bert.send_text("/ritme Kim elke 6 weken vrijdag 09:15")  # Kim's, not Sam's
    await bert.next_message()
    await kim.next_message()
    world.clock.advance(timedelta(days=3))
    await anna.send_text("/ritme Sam elke 2 weken woensdag 11:00")
    assert (await anna.next_message()).text.startswith("Opgeslagen.")
    world.clock.advance(timedelta(hours=1))  # she thinks again, the same day
    await anna.send_text("/ritme Sam elke 2 weken donderdag 14:30")
    assert (await anna.next_message()).text.startswith("Opgeslagen.")
    world.clock.advance(timedelta(days=2))
    await anna.send_text("/pauze Sam")
    await anna.next_message()
    world.clock.advance(timedelta(days=7))
    await anna.send_text("/hervat Sam")
    await anna.next_message()
    for _ in range(4):  # what Sam was told of each change: see test_checkins.py
        await sam.next_message()

    notice = await ask(sam, anna)
    await anna.press("📄 Stuur Sam het overzicht", notice)
    await anna.next_message()
    document = await sam.next_message()
    assert document.file is not None
    page = document.file.data.decode().replace("\n", "")
    assert (
        "<h2>Je coaches</h2><p>Wie je coach was, en wanneer:</p>"
        "<ul><li>Vanaf 2 november 2026: Anna is je coach.</li></ul>"
    ) in page
    assert "<p>Je uitnodiging is van 2 november 2026.</p>" in page
    # The chat's "om 10 uur"; one plan for 5 November, the last; the resume on its own.
    assert (
        "<p>Dit was het plan voor je vragen:</p>"
        "<ul><li>Vanaf 2 november 2026: elke week, op maandag om 10 uur.</li>"
        "<li>Vanaf 5 november 2026: elke 2 weken, op donderdag om 14:30.</li>"
        "<li>7 november 2026: de vragen gingen op pauze.</li>"
        "<li>14 november 2026: de vragen gingen weer verder.</li></ul>"
    ) in page
    for not_his in ("Bert", "Kim", "elke 6 weken", "09:15", "woensdag", "11 uur"):
        assert not_his not in page, not_his


async def test_the_words_in_english_and_during_a_checkin(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await sam.send_text("mijn gegevens")
    assert (await sam.next_message()).text == ASKED
    assert (await anna.next_message()).buttons == [["📄 Stuur Sam het overzicht"]]
    await sam.tap_keyboard("📋 Hoe gaat het?")
    question = await sam.next_message()
    await sam.send_text("wat bewaar je?")
    assert (await sam.next_message()).text == ASKED
    again = await sam.next_message()  # the open question again
    assert again.text.endswith(question.text.splitlines()[-1])
    await anna.next_message()


async def test_a_document_survives_telegram_errors(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    notice = await ask(sam, anna)
    # One try and three in-place retries fail: the row waits and goes again later.
    world.sandbox.faults.fail(method="sendDocument", status=502, times=4, chat_id=sam.id)
    await anna.press("📄 Stuur Sam het overzicht", notice)
    await anna.next_message()
    await world.rest()
    assert [m for m in sam.unread if m.kind == "document"] == []
    assert len(world.pending_outbox()) == 1
    world.clock.advance(timedelta(minutes=5))
    await world.drain()
    document = await sam.next_message()
    assert document.kind == "document" and document.file is not None
    assert b"<!doctype html>" in document.file.data


async def test_another_coach_a_forged_id_or_a_former_client_gets_nothing(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    bert = await world.coach("Bert")
    kim = await world.client(bert, "Kim")
    notice = await ask(sam, anna)
    await kim.send_text("wat weet je van mij")
    await kim.next_message()
    kims_notice = await bert.next_message()
    client = sam_id(world)
    for data in (f"dr:{client}", "dr:99999", "dr:x"):
        await bert.press_data(kims_notice, data)
        await world.settle()
    assert [a.text for a in bert.callback_answers[-3:]] == [
        NOT_YOURS,
        NOT_YOURS,
        "Deze knop werkt niet meer.",
    ]
    # Sam's support ended: the old button sends nothing.
    await end_support(world, anna)
    await sam.next_message()
    await anna.press("📄 Stuur Sam het overzicht", notice)
    await world.settle()
    assert anna.callback_answers[-1].text == NOT_YOURS
    await world.drain()
    assert sam.unread == [] and bert.unread == []
    assert not any(action == "client.summary_sent" for _, action, _ in actions(world))


async def test_after_the_end_the_summary_says_what_was_and_points_to_the_organisation(
    world: World, tmp_path: Path
) -> None:
    """Sam moved and Anna ended the support; the organisation exports for his data request:
    nothing in it says Anna is his coach, that questions come or that a coach can call."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    world.clock.advance(timedelta(days=18))  # 20 November
    await end_support(world, anna)
    await sam.next_message()
    written = export_client(
        world.database,
        load_texts(),
        client_id=sam_id(world),
        out_dir=tmp_path,
        now=world.clock.now(),
    )
    assert written is not None
    page = written.html.read_text(encoding="utf-8").replace("\n", "")

    assert "<p>Hier lees je wat Waakvlam over jou bewaart.</p><h2>" in page
    assert "<p>Anna was je coach.</p>" in page
    assert (
        "<p>Ik bewaar je telefoonnummer: +31 6 12345678.</p>"
        "<p>Zo kon een coach je bellen als je op de noodknop drukte.</p>"
    ) in page
    assert "<li>20 november 2026: je begeleiding stopte.<br>Waarom: je bent verhuisd.</li>" in page
    assert "<ul><li>Van 2 november 2026 tot 20 november 2026: Anna was je coach.</li></ul>" in page
    assert "<h2>Hoe gaat het?</h2><p>Dit was het plan voor je vragen:</p>" in page
    assert "<p>Je hebt geen vragen gehad.</p>" in page
    assert (
        "<p>Klopt er iets niet? Zeg het tegen de organisatie die je begeleidde.</p>"
        "<p>Wil je dat alles weg is? Zeg het tegen die organisatie.</p>"
    ) in page
    for untrue in ("Je coach is", "is je coach", "Ik vraag", "Zo kan een coach", "je coach lezen"):
        assert untrue not in page, untrue
