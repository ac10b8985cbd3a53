"""Two coach-side dead ends, end to end: the real bot through the sandbox, both databases.

``/client Tim`` for a name with no card says why: Tim has not opened the invitation yet (until
when the link works, where to find it; or that it no longer works, and what makes a new link
possible), Tim is still joining (at which step since when, and that ``/nieuw Tim`` starts
again: ``test_invite_restart.py``), or nobody of this coach is called Tim (as ``/telefoon`` says
it). Another coach's Tim is nobody here. A former client keeps the pointer to ``/fase``
(``test_client_card.py``).

A check-in signal's note for a client whose phone number is not stored says why there is no
"📞 Ik bel", with a ``/telefoon`` command that works as written.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from telegram_sandbox import SimUser

from storage.models import Client, ClientStatus
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import full_checkin, start_by_menu

NOT_STARTED = (
    "Tim doet nog niet mee: Tim heeft de uitnodiging nog niet geopend.\n"
    "De link is geldig tot 16 november.\n"
    "Link kwijt? Stuur /nieuw Tim, dan maak ik een nieuwe."
)
LINK_GONE = (
    "Tim doet nog niet mee: Tim heeft de uitnodiging niet geopend, en de link werkt niet meer.\n"
    "Stuur /nieuw Tim, dan maak ik een nieuwe link voor Tim."
)
NO_PHONE_LINE = (
    "Geen 📞 Ik bel: van Sam is geen telefoonnummer bewaard. "
    "Bewaren: /telefoon Sam en dan het nummer."
)
ACTIONS = [["📞 Ik bel", "💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]


async def said_to(world: World, coach: SimUser, command: str) -> list[str | None]:
    """Everything the coach read after the command, once every delivery was sent."""
    coach.mark_read()
    await coach.send_text(command)
    await world.drain()
    said = [m.text for m in coach.unread]
    coach.mark_read()
    return said


def client_id_of(world: World, name: str) -> int:
    with world.database.transaction() as session:
        client = session.exec(select(Client).where(Client.name == name)).one()
        assert client.id is not None
        return client.id


async def test_a_client_who_has_not_used_the_invitation_has_no_card_and_the_coach_reads_why(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    await world.invite(anna, "Tim")  # Tim does not open the link
    bert = await world.coach("Bert")
    await world.invite(bert, "Lou")  # Bert's own invited client
    await world.drain()

    assert await said_to(world, anna, "/client Tim") == [NOT_STARTED]
    assert await said_to(world, anna, "/client tim") == [NOT_STARTED]  # as typed: any case
    # Nobody of Anna's is called Lou (Bert's Lou is nobody here), nor Kees.
    for name in ("Lou", "Kees"):
        assert await said_to(world, anna, f"/client {name}") == [
            f"Ik ken geen cliënt van jou met de naam {name}. Je cliënten: Sam"
        ]
    # Bert has no active client, and Anna's Tim is not his.
    assert await said_to(world, bert, "/client Tim") == [
        "Ik ken geen cliënt van jou met de naam Tim. Je hebt nog geen actieve cliënten. "
        "Nodig iemand uit met /nieuw Naam."
    ]

    # Fourteen days on the link no longer works; /nieuw Tim makes a new one for this Tim, as
    # the answer says (tests/scenarios/test_invite_renewal.py: the old link stops working).
    world.clock.advance(timedelta(days=14))
    assert await said_to(world, anna, "/client Tim") == [LINK_GONE]
    tim_id = client_id_of(world, "Tim")
    anna.mark_read()
    await anna.send_text("/nieuw Tim")
    renewed = await anna.next_message()
    assert (renewed.text or "").startswith(
        "Dit is een nieuwe link voor Tim. De oude link werkt niet meer.\n\nUitnodiging voor Tim:"
    )
    assert (await anna.next_message()).kind == "photo"  # its QR code
    assert client_id_of(world, "Tim") == tim_id  # the same Tim, no second one
    assert await said_to(world, anna, "/client Tim") == [
        NOT_STARTED.replace("16 november", "30 november")
    ]


async def test_a_client_who_opened_the_link_but_has_not_joined_has_no_card_yet(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    await world.link_opened(anna, "Tim")  # the consent question is still open
    await world.drain()
    assert await said_to(world, anna, "/client Tim") == [
        "Tim doet nog niet mee: Tim opende de link op 2 november, maar gaf nog geen "
        "toestemming.\n"
        "Je krijgt een bericht als Tim klaar is.\n"
        "Lukt het niet, heeft Tim een andere telefoon, of opende iemand anders de link? "
        "Stuur /nieuw Tim: dan vraag ik of ik deze aanmelding mag stoppen "
        "en een nieuwe link mag maken."
    ]
    with world.database.transaction() as session:
        statuses = [c.status for c in session.exec(select(Client))]
    assert statuses == [ClientStatus.CONSENT_PENDING]


async def test_a_signal_note_says_why_there_is_no_i_will_call_and_how_to_store_the_number(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam", phone=False)  # "Liever niet"
    await world.drain()
    anna.mark_read()

    await start_by_menu(sam)
    await full_checkin(sam, "3", call="Ja")
    await world.drain()
    [note] = anna.unread
    assert note.text == (
        "Check-in van Sam:\n"
        "Sam gaf een 3 voor hoe het gaat.\n"
        "Sam wil graag dat je belt.\n"
        f"{NO_PHONE_LINE}"
    )
    assert note.buttons == [["💬 Ik stuur een bericht"], ["✅ Afgehandeld"]]
    assert not note.silent

    # The command in the line, as written, stores the number.
    assert await said_to(world, anna, "/telefoon Sam 06 12345678") == [
        "📞 Bewaard: het telefoonnummer van Sam is nu +31 6 12345678."
    ]
    # The next signal: 📞 Ik bel, and no line about the number.
    world.clock.advance(timedelta(days=1))
    await start_by_menu(sam)
    await full_checkin(sam, "7", call="Ja")
    await world.drain()
    [note] = anna.unread
    assert note.text == "Sam wil graag dat je belt."
    assert note.buttons == ACTIONS
