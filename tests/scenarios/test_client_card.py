"""A client's card end to end: the real bot through the sandbox, both databases.

A name in the list (or ``/client Sam``) brings the card: a PNG of the grades with the caption
and the buttons. Logging a call or a visit stores exactly that (with a note, or without), moves
"last contact" in the list to today and shows in the history; the client hears nothing of it.
Every card button and the command, for another coach's client, a former client, a forged id
or a card from before the client moved, changes nothing and shows nothing.
"""

from __future__ import annotations

import os
import signal
import struct
import sys
from datetime import timedelta

from sqlmodel import select
from telegram_sandbox import SentMessage, SimUser

from bot import client_admin
from bot.chart import DRAWER
from storage.models import Client, ClientStatus, Coach, ContactLog
from tests.scenarios.conftest import World
from tests.scenarios.test_caseload import client_list, data_of, labels, set_status
from tests.scenarios.test_checkins import full_checkin, start_by_menu
from tests.scenarios.test_phases_and_ending import end_support

CARD_BUTTONS = [
    ["📋 Nu een check-in", "⏱ Ritme"],
    ["⏸ Pauze", "✉️ Bericht sturen"],
    ["📞 Gebeld", "🏠 Langs geweest"],
    ["💬 Gesproken elders", "📜 Geschiedenis"],
    ["🧭 Fase"],
]
FIRST_PICTURE = 30.0  # seconds
NOT_YOURS = "Deze cliënt staat niet (meer) in jouw lijst. Stuur /clienten voor de lijst van nu."
ASK_NOTE = (
    "Wil je er een korte notitie bij? Typ die, of tik Geen notitie. "
    "In de bot ziet alleen jij de notitie; "
    "vraagt Sam de eigen gegevens op (AVG), dan hoort die erbij. "
    "Schrijf het dus zo dat Sam het mag lezen, zonder anderen."
)
# What a coach's plain text gets when it answers nothing (no note is wanted, no client named).
NOT_UNDERSTOOD = "Dat begrijp ik niet. Stuur /hulp voor wat ik kan."


def png_size(png: bytes | None) -> tuple[int, int]:
    """Width and height from a PNG's header (and that it is one)."""
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


async def open_card(coach: SimUser, name: str) -> SentMessage:
    listed = await client_list(coach)
    label = next(b for row in labels(listed) for b in row if b.endswith(f". {name}"))
    await coach.press(label, listed)
    # The first card of a run starts the chart worker (it imports matplotlib: a second or two).
    return await coach.wait_for(lambda m: m.kind == "photo", timeout=FIRST_PICTURE)


def contacts_in(world: World) -> list[tuple[str, str | None]]:
    with world.database.transaction() as session:
        rows = session.exec(select(ContactLog).order_by(ContactLog.id))  # type: ignore[arg-type]
        return [(str(row.kind), row.note) for row in rows]


def awaiting_of(world: World, coach: SimUser) -> str | None:
    with world.database.transaction() as session:
        found = session.get(Coach, world.coach_id(coach))
        assert found is not None
        return found.awaiting


async def test_the_card_shows_the_picture_the_last_answers_and_the_open_signals(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    await start_by_menu(sam)
    await full_checkin(sam, "3", help="Ja", call="Ja")
    await world.drain()
    card = await open_card(anna, "Sam")
    assert card.kind == "photo"
    assert png_size(card.file_bytes) == (800, 500)
    # Drawn in the chart worker's process: the bot's never loads matplotlib (a noodknop
    # never waits for it, and the bot stays small).
    assert "matplotlib" not in sys.modules
    assert card.text == "\n".join(
        [
            "📇 Sam · startfase",
            "Ritme: elke week",
            "Laatste contact: vandaag",
            "Laatste check-in (2 november): cijfer 3 · hulp nodig · bij: Werk · wil gebeld worden",
            "⚠️ Open signalen (3):",
            "• Sam wil graag dat je belt.",
            "• Sam wil hulp bij: Werk.",
            "• Sam gaf een 3 voor hoe het gaat.",
        ]
    )
    assert labels(card) == CARD_BUTTONS
    # The same card by command; no name: which one she means; a name that is none of Anna's
    # clients: just that, and her clients (test_coach_dead_ends.py: one who has not started).
    await anna.send_text("/client sam")
    again = await anna.next_message()
    assert again.kind == "photo" and again.text == card.text and labels(again) == CARD_BUTTONS
    await anna.send_text("/client")
    assert (await anna.next_message()).text == (
        "Van welke cliënt wil je de kaart? Typ de naam erachter, bijvoorbeeld: /client Sam\n"
        "Jouw cliënten: Sam"
    )
    await anna.send_text("/client Kim")
    assert (await anna.next_message()).text == (
        "Ik ken geen cliënt van jou met de naam Kim. Je cliënten: Sam"
    )
    # ⏱ Ritme is the rhythm as /ritme Sam shows it, with its buttons.
    await anna.press("⏱ Ritme", card)
    rhythm = await anna.next_message()
    assert rhythm.text.startswith("Sam krijgt elke week een check-in, op maandag om 10:00.")
    assert labels(rhythm)[0] == ["Elke week", "Elke 2 weken"]
    # ✉️ Bericht sturen: Anna's next message goes to Sam, as after /bericht Sam.
    await anna.press("✉️ Bericht sturen", card)
    assert (await anna.next_message()).text.startswith("Wat wil je naar Sam sturen?")
    await anna.send_text("Ik bel je morgen om 11 uur.")
    assert (await anna.next_message()).text.startswith("Verstuurd naar Sam")
    got = await sam.wait_for(lambda m: "Ik bel je morgen om 11 uur." in (m.text or ""))
    assert got.text.startswith("💬 Bericht van Anna:")


async def test_a_card_whose_picture_worker_died_comes_without_it(world: World) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    os.kill(await DRAWER.worker_pid(), signal.SIGKILL)
    listed = await client_list(anna)
    await anna.press(next(b for row in labels(listed) for b in row if b.endswith(". Sam")), listed)
    card = await anna.next_message(timeout=FIRST_PICTURE)
    assert card.kind == "text" and card.text.startswith("📇 Sam · startfase")
    assert labels(card) == CARD_BUTTONS
    again = await open_card(anna, "Sam")  # a new worker draws the next one
    assert png_size(again.file_bytes) == (800, 500) and again.text == card.text


async def test_logging_a_call_and_a_visit_with_and_without_a_note(world: World) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    world.clock.advance(timedelta(days=5))
    before = await client_list(anna)
    assert before.text.split("\n")[1] == "1. Sam · nog geen contact · nog geen cijfer · elke week"
    card = await open_card(anna, "Sam")
    assert "Laatste contact: nog geen" in card.text
    seen = len(sam.inbox)

    await anna.press("📞 Gebeld", card)
    asked = await anna.next_message()
    assert asked.text == f"Genoteerd: 📞 gebeld met Sam, vandaag.\n{ASK_NOTE}"
    assert labels(asked) == [["Geen notitie"]]
    assert awaiting_of(world, anna) == f"note:{world.count(ContactLog)}"
    await anna.send_text("Klonk moe, belt maandag terug")
    assert (await anna.next_message()).text == (
        "Notitie bewaard (📞 gebeld, Sam). "
        "In de bot ziet alleen jij die, in de geschiedenis van Sam."
    )
    assert contacts_in(world) == [("call", "Klonk moe, belt maandag terug")]
    assert awaiting_of(world, anna) is None
    after = await client_list(anna)
    assert after.text.split("\n")[1] == "1. Sam · contact vandaag · nog geen cijfer · elke week"

    world.clock.advance(timedelta(hours=2))
    await anna.press("🏠 Langs geweest", card)  # the card's buttons still work
    visited = await anna.next_message()
    assert visited.text.startswith("Genoteerd: 🏠 langs geweest met Sam, vandaag.")
    no_note = data_of(visited, "Geen notitie")
    await anna.press("Geen notitie", visited)
    assert (await anna.next_message()).text == "Opgeslagen zonder notitie."
    assert contacts_in(world) == [("call", "Klonk moe, belt maandag terug"), ("visit", None)]
    assert awaiting_of(world, anna) is None
    # "Geen notitie" again, or under the call: that question is over; nothing changes.
    await world.drain()
    for old in (visited, asked):
        await anna.press_data(old, no_note)
        await world.settle()
        assert anna.callback_answers[-1].text == (
            "Deze vraag is niet meer actueel. Er is niets veranderd."
        )
    await anna.send_text("Dit is geen notitie")
    await world.drain()
    assert [m.text for m in anna.unread] == [NOT_UNDERSTOOD]  # no "Notitie bewaard"
    anna.mark_read()
    assert contacts_in(world) == [("call", "Klonk moe, belt maandag terug"), ("visit", None)]
    assert awaiting_of(world, anna) is None

    await anna.press("📜 Geschiedenis", card)
    history = (await anna.next_message()).text.split("\n")
    assert history[:3] == [
        "Geschiedenis van Sam, nieuwste eerst:",
        "7 november · 🏠 langs geweest",
        "7 november · 📞 gebeld: Klonk moe, belt maandag terug",
    ]
    assert "2 november · coach: Anna" in history
    await world.drain()
    assert sam.inbox[seen:] == []  # the client hears nothing of it, and never sees the note


async def test_a_note_is_short_and_only_taken_while_it_is_wanted(world: World) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    card = await open_card(anna, "Sam")
    await anna.press("💬 Gesproken elders", card)
    await anna.next_message()
    await anna.send_text("x" * 201)
    assert (await anna.next_message()).text == (
        "Een notitie is kort: hoogstens 200 tekens. Typ een kortere, of tik Geen notitie."
    )
    assert contacts_in(world) == [("elsewhere", None)]
    # Half an hour later the question is over: the text is an ordinary message again.
    world.clock.advance(timedelta(minutes=31))
    await anna.send_text("Bij de buurtwerker gezien")
    await world.drain()
    assert [m.text for m in anna.unread] == [NOT_UNDERSTOOD]  # no "Notitie bewaard"
    assert contacts_in(world) == [("elsewhere", None)]
    assert awaiting_of(world, anna) is None


async def test_card_buttons_and_the_command_for_someone_not_ones_own_change_nothing(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    await world.client(anna, "Lou")
    await world.client(anna, "Noor")
    bert = await world.coach("Bert")
    await world.client(bert, "Kim")
    kims_card = await open_card(bert, "Kim")
    sams_card = await open_card(anna, "Sam")
    sams = {b: data_of(sams_card, b) for row in CARD_BUTTONS for b in row}
    lous_card = await open_card(anna, "Lou")
    noors_card = await open_card(anna, "Noor")
    await world.drain()
    kims = [data_of(kims_card, b) for row in CARD_BUTTONS for b in row]
    kim_id = kims[0].split(":")[1]
    presses = [(sams_card, data) for data in kims if data.startswith("cc:")]
    presses += [(sams_card, f"cl:{kim_id}"), (sams_card, "cc:99999:call"), (sams_card, "cc:0")]
    # Lou's support ended, Noor declined: former clients; their cards are stale now.
    set_status(world, "Lou", ClientStatus.ENDED)
    set_status(world, "Noor", ClientStatus.DECLINED)
    for stale in (lous_card, noors_card):
        presses += [
            (stale, data_of(stale, "📞 Gebeld")),
            (stale, data_of(stale, "📜 Geschiedenis")),
        ]
        presses += [(stale, data_of(stale, "✉️ Bericht sturen"))]
    for message, data in presses:
        await anna.press_data(message, data)
        await world.settle()
    answers = [answer.text for answer in anna.callback_answers[-len(presses) :]]
    assert answers == [NOT_YOURS] * len(presses)
    for forged in ("cc:1:xyz", "cc:", "cn:abc"):
        await anna.press_data(sams_card, forged)
        await world.settle()
        assert anna.callback_answers[-1].text == "Deze knop werkt niet meer."
    await anna.press_data(sams_card, f"cn:{kim_id}")  # no note was asked
    await world.settle()
    assert anna.callback_answers[-1].text.startswith("Deze vraag is niet meer actueel.")
    # By name: Bert's Kim is nobody of Anna's; Lou's support ended; Noor said no.
    for name, said in (
        ("Kim", "Ik ken geen cliënt van jou met de naam Kim. Je cliënten: Sam"),
        (
            "Lou",
            "Je hebt geen actieve cliënt die Lou heet.\n"
            "Is de begeleiding van Lou gestopt? Typ /fase Lou: dan zie je wanneer, "
            "en kun je heropenen.\nJouw cliënten: Sam",
        ),
        ("Noor", "Noor zei nee tegen meedoen. Daarom is er geen kaart van Noor."),
    ):
        await anna.send_text(f"/client {name}")
        reply = await anna.next_message()
        assert (reply.kind, reply.text) == ("text", said)
    await world.drain()
    assert anna.unread == [] and bert.unread == []
    assert contacts_in(world) == []
    assert awaiting_of(world, anna) is None

    # Sam moves to Bert: Anna's card of Sam is stale, and a note she was asked for is over.
    await anna.press_data(sams_card, sams["📞 Gebeld"])
    await anna.next_message()
    with world.database.transaction() as session:
        sam_id = session.exec(select(Client.id).where(Client.name == "Sam")).one()
    assert sam_id is not None
    moved = client_admin.move_client(
        world.database, client_id=sam_id, to_coach_id=world.coach_id(bert), now=world.clock.now()
    )
    assert moved is None
    await world.drain()
    anna_seen, bert_seen = len(anna.inbox), len(bert.inbox)
    await anna.press_data(sams_card, sams["🏠 Langs geweest"])
    await world.settle()
    assert anna.callback_answers[-1].text == NOT_YOURS
    await anna.send_text("Sam klonk goed")  # no longer a note about Bert's client
    await world.drain()
    assert [m.text for m in anna.inbox[anna_seen:]] == [NOT_UNDERSTOOD]  # no "Notitie bewaard"
    assert contacts_in(world) == [("call", None)]
    assert awaiting_of(world, anna) is None
    assert bert.inbox[bert_seen:] == []


async def test_the_command_for_a_client_who_stopped_says_so_and_where_to_look(
    world: World,
) -> None:
    """Anna's only client Sam stopped (in the grace period his messages still reach her):
    /client Sam shows no card and does not say she has no clients "yet"; /fase Sam, which it
    points to, shows when Sam stopped."""
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    ended = await end_support(world, anna)
    assert (ended.text or "").startswith("De begeleiding van Sam is beëindigd (Verhuisd).")
    await world.drain()
    anna.mark_read()
    sam_seen = len(sam.inbox)

    await anna.send_text("/client Sam")
    await world.drain()
    assert [(m.kind, m.text) for m in anna.unread] == [
        (
            "text",
            "Je hebt geen actieve cliënt die Sam heet.\n"
            "Is de begeleiding van Sam gestopt? Typ /fase Sam: dan zie je wanneer, "
            "en kun je heropenen.",
        )
    ]
    anna.mark_read()
    await anna.send_text("/fase Sam")
    view = await anna.next_message()
    assert view.text == (
        "🧭 Fase van Sam: beëindigd\n2 november · beëindigd: Verhuisd (door Anna)\n"
        "2 november · startfase"
    )
    assert labels(view) == [["↩️ Heropenen"]]
    await world.drain()
    assert sam.inbox[sam_seen:] == []
    assert contacts_in(world) == [] and awaiting_of(world, anna) is None
