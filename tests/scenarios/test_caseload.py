"""A coach's list of clients end to end: the real bot through the sandbox, both databases.

Who needs attention comes first (an open alert, a low grade, no contact for longer than the
rhythm, above a calm client); past twenty clients the list is paged; a client's name opens
their card; a button for another coach's client, a former client or a forged page changes
nothing; only the coach's own active clients are listed, with one query per table.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlmodel import select
from telegram_sandbox import SentMessage, SimUser

from bot.caseload import load_caseload
from storage import checkins as checkin_store
from storage import people
from storage.database import Database
from storage.models import CheckinSchedule, Client, ClientStatus, ScheduleChange
from tests.scenarios.conftest import World
from tests.scenarios.test_checkins import full_checkin, start_by_menu

LIST = "Jouw cliënten"
LEGEND = "🔴 melding open · ⚠️ signaal · ⏳ langer geen contact dan het ritme · ❔ check-in gemist"
COACH_MENU = [["👥 Mijn cliënten"], ["➕ Nieuwe cliënt", "❓ Hulp"]]


def labels(message: SentMessage) -> list[list[str]]:
    markup = message.reply_markup or {}
    return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]


def data_of(message: SentMessage, label: str) -> str:
    markup = message.reply_markup or {}
    rows = markup.get("inline_keyboard", [])
    return next(b["callback_data"] for row in rows for b in row if b["text"] == label)


async def client_list(coach: SimUser, how: str = "/clienten") -> SentMessage:
    if how == "menu":
        await coach.tap_keyboard("👥 Mijn cliënten")
    else:
        await coach.send_text(how)
    return await coach.wait_for(lambda m: (m.text or "").startswith(LIST))


def add_active_clients(world: World, coach: SimUser, names: list[str]) -> list[int]:
    """Clients who joined (as the CLI or an earlier onboarding would leave them), straight
    into the database: the paging needs more of them than onboarding them one by one."""
    coach_id = world.coach_id(coach)
    ids = []
    with world.database.transaction() as session:
        for name in names:
            client = people.add_client(
                session, coach_id=coach_id, name=name, language="nl", now=world.clock.now()
            )
            client.consent_at = world.clock.now()
            people.activate_client(session, client, now=world.clock.now())
            assert client.id is not None
            ids.append(client.id)
    return ids


def set_status(world: World, name: str, status: ClientStatus) -> None:
    with world.database.transaction() as session:
        client = session.exec(select(Client).where(Client.name == name)).one()
        client.status = status
        session.add(client)


async def test_who_needs_attention_comes_first(world: World) -> None:
    anna = await world.coach("Anna")
    assert anna.current_keyboard == COACH_MENU
    kim = await world.client(anna, "Kim")
    bo = await world.client(anna, "Bo")  # Bo: not a word for nine days, checked in weekly
    lou = await world.client(anna, "Lou")
    sam = await world.client(anna, "Sam")
    # Nine days later (a Wednesday: Monday's weekly check-in was too long ago to send).
    world.clock.advance(timedelta(days=9))
    for grade in ("6", "8"):  # Kim: calm, and better than last time
        await start_by_menu(kim)
        await full_checkin(kim, grade)
    await start_by_menu(lou)  # Lou: a low grade, a signal for Anna
    await full_checkin(lou, "2")
    await anna.wait_for(lambda m: (m.text or "") == "Lou gaf een 2 voor hoe het gaat.")
    await sam.tap_keyboard("🔴 Noodknop")  # Sam: an open alert
    await anna.wait_for(lambda m: "NOODKNOP" in (m.text or ""))
    listed = await client_list(anna, "menu")
    assert listed.text.split("\n") == [
        "Jouw cliënten (4). Wie aandacht nodig heeft, staat bovenaan.",
        "1. 🔴 Sam · nog geen contact · nog geen cijfer · elke week",
        "2. ⚠️ Lou · contact vandaag · cijfer 2 · elke week",
        "3. ⏳ Bo · nog geen contact · nog geen cijfer · elke week",
        "4. Kim · contact vandaag · cijfer 8 ↑ · elke week",
        LEGEND,
        "Tik op een naam voor de kaart van die cliënt.",
    ]
    assert labels(listed) == [["1. Sam", "2. Lou"], ["3. Bo", "4. Kim"]]
    # A name opens that client's card (tests/scenarios/test_client_card.py).
    await anna.press("3. Bo", listed)
    card = await anna.next_message(timeout=30)  # the first card of a run imports matplotlib
    assert card.kind == "photo" and card.text.startswith("📇 Bo · startfase")
    # Bo writes to Anna: contact today, so Bo is calm again and goes down among the calm.
    await bo.tap_keyboard("💬 Bericht aan coach")
    await bo.next_message()
    await bo.send_text("Hoi Anna, alles goed hier.")
    await anna.wait_for(lambda m: (m.text or "").startswith("💬 Bericht van Bo"))
    again = await client_list(anna)
    assert again.text.split("\n")[3:5] == [
        "3. Bo · contact vandaag · nog geen cijfer · elke week",
        "4. Kim · contact vandaag · cijfer 8 ↑ · elke week",
    ]


async def test_past_twenty_clients_the_list_is_paged(world: World) -> None:
    anna = await world.coach("Anna")
    add_active_clients(world, anna, [f"Cliënt {n:02}" for n in range(1, 24)])
    first = await client_list(anna)
    lines = first.text.split("\n")
    assert lines[0] == "Jouw cliënten (23), blad 1 van 2. Wie aandacht nodig heeft, staat bovenaan."
    assert lines[1] == "1. Cliënt 01 · nog geen contact · nog geen cijfer · geen ritme"
    assert lines[20].startswith("20. Cliënt 20 · ")
    assert lines[21] == LEGEND
    assert labels(first)[0] == ["1. Cliënt 01", "2. Cliënt 02"]
    assert labels(first)[-1] == ["Volgende ▶"]
    await anna.press("Volgende ▶", first)
    second = await anna.next_message()
    lines = second.text.split("\n")
    assert lines[0].startswith("Jouw cliënten (23), blad 2 van 2.")
    assert [line.split(" · ")[0] for line in lines[1:4]] == [
        "21. Cliënt 21",
        "22. Cliënt 22",
        "23. Cliënt 23",
    ]
    assert labels(second) == [["21. Cliënt 21", "22. Cliënt 22"], ["23. Cliënt 23"], ["◀ Vorige"]]
    await anna.press("◀ Vorige", second)
    assert (await anna.next_message()).text == first.text


async def test_buttons_for_another_coachs_client_or_a_forged_page_change_nothing(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    bert = await world.coach("Bert")
    await world.client(bert, "Kim")
    kims_list = await client_list(bert)
    kims_button = data_of(kims_list, "1. Kim")
    sams_list = await client_list(anna)
    assert labels(sams_list) == [["1. Sam"]]
    await world.drain()
    for forged in (kims_button, "cl:99999", "cg:x", "cl:1:w2"):
        await anna.press_data(sams_list, forged)
        await world.settle()
    answers = [answer.text for answer in anna.callback_answers[-4:]]
    assert answers == [
        "Deze cliënt staat niet (meer) in jouw lijst. Stuur /clienten voor de lijst van nu.",
        "Deze cliënt staat niet (meer) in jouw lijst. Stuur /clienten voor de lijst van nu.",
        "Deze knop werkt niet meer.",
        "Deze knop werkt niet meer.",
    ]
    await world.drain()
    assert anna.unread == [] and bert.unread == []  # nobody was shown or told anything
    # A client's button for another coach: nothing changed, for Kim least of all.
    await bert.press("1. Kim", kims_list)
    await bert.wait_for(lambda m: (m.text or "").startswith("📇 Kim"), timeout=30)
    with world.database.transaction() as session:
        assert {s.rhythm for s in session.exec(select(CheckinSchedule))} == {"weekly"}
        assert all(c.coach_id is None for c in session.exec(select(ScheduleChange)))


async def test_only_the_coachs_own_active_clients_are_listed(world: World) -> None:
    anna = await world.coach("Anna")
    await world.client(anna, "Sam")
    await world.client(anna, "Kim")
    await world.invite(anna, "Noor")  # invited, never joined
    bert = await world.coach("Bert")
    await world.client(bert, "Jet")
    before = await client_list(anna)
    assert labels(before) == [["1. Kim", "2. Sam"]]
    set_status(world, "Kim", ClientStatus.ENDED)  # support ended (there is no command yet)
    after = await client_list(anna)
    assert after.text.split("\n")[:2] == [
        "Jouw cliënten (1). Wie aandacht nodig heeft, staat bovenaan.",
        "1. Sam · nog geen contact · nog geen cijfer · elke week",
    ]
    assert labels(after) == [["1. Sam"]]
    # Kim's button on the list from before: Kim is a former client now.
    await anna.press("1. Kim", before)
    await world.settle()
    assert anna.callback_answers[-1].text.startswith("Deze cliënt staat niet (meer) in jouw lijst.")
    await world.drain()
    assert anna.unread == []
    # A coach without clients is told how to invite one.
    cas = await world.coach("Cas")
    await cas.send_text("/clienten")
    assert (await cas.next_message()).text == (
        "Je hebt nog geen actieve cliënten. Nodig iemand uit met /nieuw Naam."
    )


def test_the_list_reads_each_table_once_however_many_clients(database: Database) -> None:
    """40 clients with a few weeks of check-ins each: the same seven queries as for one."""
    from datetime import UTC, datetime

    from bot.checkins import CheckinShell, load_question_books
    from bot.words import load_words

    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with database.transaction() as session:
        team = people.default_team(session, now=now, organisation_name="Test")
        assert team.id is not None
        coach = people.add_coach(session, team_id=team.id, name="Anna", language="nl", now=now)
        assert coach.id is not None
        for n in range(40):
            client = people.add_client(
                session, coach_id=coach.id, name=f"C{n}", language="nl", now=now
            )
            people.activate_client(session, client, now=now)
            assert client.id is not None
            for week, grade in enumerate((7, 5, 8)):
                row = checkin_store.add_checkin(
                    session,
                    client_id=client.id,
                    version="1",
                    origin="schedule",
                    now=now - timedelta(weeks=3 - week),
                )
                row.status, row.answers = "done", {"grade": str(grade)}
                row.finished_at = row.sent_at + timedelta(hours=1)
                session.add(row)
        coach_id = coach.id
    shell = CheckinShell(
        books=load_question_books(), words=load_words("nl"), default_language="nl", timezone="UTC"
    )
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.transaction() as session:
            loaded = load_caseload(session, coach_id, shell)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 7, selects
    assert len(loaded.clients) == 40
    assert {(c.grade, c.previous_grade) for c in loaded.clients} == {(8, 5)}
    assert {c.last_contact for c in loaded.clients} == {now - timedelta(weeks=1, hours=-1)}
