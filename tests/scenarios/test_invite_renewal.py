"""A new link for a client who never opened theirs, end to end: the real bot through the
sandbox, on SQLite and PostgreSQL.

Only a hash of an invite link is stored, so a lost or expired link cannot be shown again:
``/nieuw Tim`` for the coach's own Tim who is invited and never opened the link makes a new
one, and the old one stops working in the same transaction (it then gets the answer of any bad
link). Tim then joins with the new link as anyone does. A Tim who takes part keeps the answer
"Je hebt al een cliënt die Tim heet" (a Tim who opened the link and is still joining:
``test_invite_restart.py``); another coach's Tim is never touched. When Telegram would not
take the invite message, "Stuur straks nog eens /nieuw Tim" is true.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from telegram_sandbox import SimUser

from bot import client_admin
from storage.invites import hash_token
from storage.models import AuditEvent, Client, Invite, InviteKind
from tests.scenarios.conftest import CLIENT_PHONE, World, link_in, token_of

RENEWED = "Dit is een nieuwe link voor Tim. De oude link werkt niet meer."
LINK_GONE = (
    "Tim doet nog niet mee: Tim heeft de uitnodiging niet geopend, en de link werkt niet meer.\n"
    "Stuur /nieuw Tim, dan maak ik een nieuwe link voor Tim."
)
REFUSED = (
    "Je hebt al een cliënt die Tim heet.\n"
    "Stuur een naam die ze uit elkaar houdt, bijvoorbeeld Tim B."
)
INVALID = (
    "Deze link werkt niet.\nMisschien is hij al gebruikt of te oud.\n"
    "Vraag je coach om een nieuwe link."
)


def replaced(account: str) -> str:
    """What Tim's coach reads when an old link of Tim's is opened while Tim never opened one."""
    return (
        "Iemand opende een oude link voor Tim. Die werkt niet meer: er is een nieuwe link "
        "gemaakt.\n"
        f"Telegram-account: {account}.\n"
        "Is dat Tim? Geef Tim dan de nieuwste link. Heb je die niet? Stuur /nieuw Tim."
    )


def invitation(link: str, until: str) -> str:
    return (
        "Uitnodiging voor Tim:\n"
        f"{link}\n"
        f"De link werkt één keer en is geldig tot {until}.\n"
        "Laat Tim de QR-code scannen, of stuur de link naar Tim."
    )


async def said_to(world: World, coach: SimUser, command: str) -> list[str | None]:
    """Everything the coach read after the command, once every delivery was sent."""
    coach.mark_read()
    await coach.send_text(command)
    await world.drain()
    said = [m.text for m in coach.unread]
    coach.mark_read()
    return said


async def renewed(world: World, coach: SimUser, until: str) -> str:
    """The coach sends /nieuw Tim for their Tim who never opened the link: the new link, under
    the sentence that it is new, and its QR code. Returns the new token."""
    coach.mark_read()
    await coach.send_text("/nieuw Tim")
    await world.drain()
    text, picture = coach.unread
    coach.mark_read()
    link = link_in(text)
    assert text.text == f"{RENEWED}\n\n{invitation(link, until)}"
    assert picture.kind == "photo" and picture.file_bytes.startswith(b"\x89PNG")
    assert picture.text == f"QR-code voor Tim, geldig tot {until}."
    return token_of(link)


def links_of(world: World, coach: SimUser) -> list[tuple[str, datetime | None, datetime | None]]:
    """The coach's client links, oldest first: (token hash, withdrawn at, used at)."""
    coach_id = world.coach_id(coach)
    with world.database.transaction() as session:
        rows = session.exec(
            select(Invite)
            .where(Invite.coach_id == coach_id, Invite.kind == InviteKind.CLIENT)
            .order_by(col(Invite.id))
        )
        return [(row.token_hash, row.revoked_at, row.used_at) for row in rows]


def clients_of(world: World, coach: SimUser) -> list[tuple[str, str, int | None]]:
    coach_id = world.coach_id(coach)
    with world.database.transaction() as session:
        rows = session.exec(
            select(Client).where(Client.coach_id == coach_id).order_by(col(Client.id))
        )
        return [(row.name, row.status, row.telegram_user_id) for row in rows]


async def test_a_coach_makes_a_new_link_for_tim_and_only_the_new_one_works(world: World) -> None:
    bram = await world.coach("Bram")
    brams = await world.invite(bram, "Tim")  # Bram's own Tim, invited first
    anna = await world.coach("Anna")
    old = await world.invite(anna, "Tim")  # Tim never opens it
    await world.drain()
    brams_before = (links_of(world, bram), clients_of(world, bram))

    # Fourteen days on the link no longer works; /client Tim says how to get a new one.
    world.clock.advance(timedelta(days=14))
    renewed_at = world.clock.now()
    assert await said_to(world, anna, "/client Tim") == [LINK_GONE]
    new = await renewed(world, anna, until="30 november")

    # Stored: still one Tim of Anna's; the old link withdrawn now, the new one's hash only.
    assert clients_of(world, anna) == [("Tim", "invited", None)]
    assert links_of(world, anna) == [
        (hash_token(old), renewed_at, None),
        (hash_token(new), None, None),
    ]
    with world.database.transaction() as session:
        stored = [row.token_hash for row in session.exec(select(Invite))]
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "client.invite_renewed")
        ).all()
    assert new not in stored and old not in stored
    assert [(e.actor, e.at) for e in events] == [(f"coach:{world.coach_id(anna)}", renewed_at)]
    # Bram's Tim is untouched.
    assert (links_of(world, bram), clients_of(world, bram)) == brams_before
    assert links_of(world, bram) == [(hash_token(brams), None, None)]

    # Tim tries the old link: the answer of any bad link; Anna hears it was an old one.
    tim = world.sandbox.user(first_name="Tim", phone_number=CLIENT_PHONE)
    await tim.open_deep_link(old)
    await world.drain()
    assert [m.text for m in tim.unread] == [INVALID]
    tim.mark_read()
    assert [m.text for m in anna.unread] == [replaced("Tim")]
    anna.mark_read()
    assert clients_of(world, anna) == [("Tim", "invited", None)]

    # The new link works: Tim joins as anyone does.
    await tim.open_deep_link(new)
    assert (await tim.next_message()).text.startswith("Hoi Tim! Welkom bij Waakvlam.")
    await tim.next_message()  # the consent question
    opened = await anna.next_message()
    assert opened.text == (
        "De link voor Tim is geopend door het Telegram-account: Tim.\n"
        "Is dat niet Tim? Neem dan contact op met Tim, voordat er iets gedeeld wordt."
    )
    await tim.press("Ja, dat is goed")
    await tim.next_message()
    await tim.press("Nee, alleen tekst")
    joined = await anna.next_message()
    assert joined.text == (
        "Tim doet mee: Tim gaf toestemming. "
        "Ik vraag Tim nu of die een telefoonnummer wil delen; dat hoeft niet."
    )
    await world.drain()
    assert clients_of(world, anna) == [("Tim", "active", tim.id)]
    [(_, withdrawn, never_used), (_, not_withdrawn, used)] = links_of(world, anna)
    assert withdrawn == renewed_at and never_used is None
    assert not_withdrawn is None and used == world.clock.now()
    # Tim takes part now: /nieuw Tim is refused as for any client in care.
    assert await said_to(world, anna, "/nieuw Tim") == [REFUSED]
    assert len(links_of(world, anna)) == 2

    # Someone else opens the old link now: Tim is in with the new one, so Anna is not told
    # to give Tim the newest link.
    kim = world.sandbox.user(first_name="Kim")
    anna.mark_read()
    await kim.open_deep_link(old)
    await world.drain()
    assert [m.text for m in kim.unread] == [INVALID]
    assert [m.text for m in anna.unread] == [
        "Iemand opende een oude link voor Tim. Die werkt niet meer: er is een nieuwe link "
        "gemaakt.\n"
        "Telegram-account: Kim.\n"
        "Tim opende de nieuwe link al. Dit is dus misschien iemand anders met een oude link."
    ]


async def test_a_link_telegram_would_not_take_is_made_again_with_nieuw(world: World) -> None:
    anna = await world.coach("Anna")
    # One try and three in-place retries fail: the link is never stored, the coach is told.
    world.sandbox.faults.fail(method="sendMessage", status=502, times=4, chat_id=anna.id)
    assert await said_to(world, anna, "/nieuw Tim") == [
        "Telegram nam de link voor Tim nu niet aan. Stuur straks nog eens /nieuw Tim."
    ]
    assert clients_of(world, anna) == [("Tim", "invited", None)]
    [(first, _, _)] = links_of(world, anna)

    # As the answer says: /nieuw Tim again makes a link, and the unseen one stops working.
    new = await renewed(world, anna, until="16 november")
    assert clients_of(world, anna) == [("Tim", "invited", None)]
    assert links_of(world, anna) == [
        (first, world.clock.now(), None),
        (hash_token(new), None, None),
    ]
    tim = world.sandbox.user(first_name="Tim")
    await tim.open_deep_link(new)
    assert (await tim.next_message()).text.startswith("Hoi Tim! Welkom bij Waakvlam.")
    await world.drain()
    assert clients_of(world, anna) == [("Tim", "consent_pending", tim.id)]


async def test_an_old_link_opened_after_a_move_is_told_to_the_new_coach_only(world: World) -> None:
    """Anna replaced Tim's link, then Tim was moved to Bram: the old link still names Anna,
    who no longer has Tim. Bram, Tim's coach now, hears who opened it; Anna hears nothing
    (not Tim's name, not the account)."""
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    old = await world.invite(anna, "Tim")
    await renewed(world, anna, until="16 november")  # the second /nieuw Tim
    with world.database.transaction() as session:
        tim_id = session.exec(select(Client.id).where(Client.name == "Tim")).one()
    assert tim_id is not None
    moved = client_admin.move_client(
        world.database, client_id=tim_id, to_coach_id=world.coach_id(bram), now=world.clock.now()
    )
    assert moved is None
    await world.drain()
    assert clients_of(world, bram) == [("Tim", "invited", None)]
    # The new link is Bram's now; the withdrawn one still names Anna.
    [(withdrawn, at, _)] = links_of(world, anna)
    assert withdrawn == hash_token(old) and at is not None
    anna.mark_read()
    bram.mark_read()

    someone = world.sandbox.user(first_name="Kim")
    await someone.open_deep_link(old)
    await world.drain()
    assert [m.text for m in someone.unread] == [INVALID]
    assert [m.text for m in bram.unread] == [replaced("Kim")]
    assert anna.unread == []
