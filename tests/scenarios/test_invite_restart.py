"""A client who opened the invite link and got stuck while joining is no dead end for the
coach, end to end: the real bot through the sandbox, on SQLite and PostgreSQL.

``/client Tim`` says at which step Tim is, since when, and what the coach can do;
``/nieuw Tim`` asks first (at which step Tim is since when; another Tim?), and only "Stop
aanmelding, nieuwe link" stops that joining (the chat that opened the link is let go and reads
that it stopped, nothing else) and makes a new link, with which Tim joins on another phone.
"Nee, laat maar", a tap after Tim finished joining, and a forged tap naming another coach's
client change nothing and say so.

And a link opened at the moment its coach renews it: whichever of the two is stored first
holds, and both people are told what is true. The coach's decision made before the link was
opened (a context from before it, on both databases), and the real interleaving of two
instances on PostgreSQL: the opening committed between the coach's decision and its store,
and the coach's new link committed between the opening's decision and its store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

import bot.pipeline
from bot.effect_registry import EffectEnv
from bot.effects import onboarding_handlers
from dialogs.clients import ClientRef
from dialogs.events import Command, Event, Start
from dialogs.outcome import ClaimClientInvite, Outcome, RenewClientInvite
from dialogs.people import Person
from dialogs.router import DialogContext, route
from storage.models import AuditEvent, Client, Invite
from tests.scenarios.conftest import World, link_in, token_of
from tests.scenarios.test_caseload import labels
from tests.scenarios.test_invite_renewal import INVALID, links_of, said_to

FORWARD = (
    "Je krijgt een bericht als Tim klaar is.\n"
    "Lukt het niet, heeft Tim een andere telefoon, of opende iemand anders de link? "
    "Stuur /nieuw Tim: dan vraag ik of ik deze aanmelding mag stoppen en een nieuwe link mag maken."
)
RESTARTED = (
    "Ik heb de aanmelding van Tim gestopt. De oude link werkt niet meer, en de chat die hem "
    "opende doet niet meer mee.\n"
    "Dit is een nieuwe link voor Tim."
)
STOPPED = (
    "Je aanmelding in deze chat is gestopt.\n"
    "Je coach heeft een nieuwe link gemaakt.\n"
    "Wil je meedoen? Vraag je coach om de nieuwe link."
)
ASK = (
    "Wil je deze aanmelding stoppen en een nieuwe link maken? De chat die de link opende doet "
    "dan niet meer mee.\n"
    "Bedoel je een andere cliënt die ook Tim heet? Tik dan Nee, en stuur een naam die ze uit "
    "elkaar houdt, bijvoorbeeld /nieuw Tim B."
)
YES = "Stop aanmelding, nieuwe link"
NO = "Nee, laat maar"
OPENED_NOW = (
    "Tim opende de link net. Ik maak dus geen nieuwe link. Kijk met /client Tim hoe ver Tim is."
)


def tim_row(world: World) -> Client:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == "Tim")).one()


def claims(world: World) -> list[int | None]:
    """The Telegram account each of Tim's links names as its opener, oldest link first."""
    with world.database.transaction() as session:
        tim_id = session.exec(select(Client.id).where(Client.name == "Tim")).one()
        statement = select(Invite).where(Invite.client_id == tim_id).order_by(col(Invite.id))
        return [i.claimed_by_telegram_user_id for i in session.exec(statement)]


async def asked(world: World, coach: SimUser, command: str) -> SentMessage:
    """The coach's question after ``command``: the only message they read."""
    coach.mark_read()
    await coach.send_text(command)
    await world.drain()
    (question,) = coach.unread
    coach.mark_read()
    return question


def actions(world: World, action: str) -> list[str]:
    """Who did ``action`` (audit events), oldest first."""
    with world.database.transaction() as session:
        statement = (
            select(AuditEvent.actor).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        )
        return list(session.exec(statement))


async def test_a_coach_stops_a_stuck_joining_and_tim_joins_on_another_phone(world: World) -> None:
    anna = await world.coach("Anna")
    old_phone = await world.link_opened(anna, "Tim")  # the consent question is still open
    [(old_link, _, _)] = links_of(world, anna)
    await world.drain()

    # At which step since when, and the way forward.
    world.clock.advance(timedelta(days=1))
    assert await said_to(world, anna, "/client Tim") == [
        "Tim doet nog niet mee: Tim opende de link op 2 november, maar gaf nog geen "
        f"toestemming.\n{FORWARD}"
    ]
    await old_phone.press("Ja, dat is goed")
    assert (await old_phone.next_message()).text.startswith("Wil je dat ik mijn berichten")
    world.clock.advance(timedelta(days=1))
    assert await said_to(world, anna, "/client Tim") == [
        "Tim doet nog niet mee: Tim gaf op 3 november toestemming, maar koos nog niet of "
        f"berichten ook voorgelezen worden.\n{FORWARD}"
    ]
    assert tim_row(world).consent_at is not None

    # /nieuw Tim asks first: at which step, since when, and another Tim?
    assert claims(world) == [old_phone.id]
    old_phone.mark_read()
    question = await asked(world, anna, "/nieuw Tim")
    assert question.text == (
        "Tim gaf op 3 november toestemming en is nog bezig met aanmelden: Tim koos nog niet of "
        f"berichten ook voorgelezen worden.\n\n{ASK}"
    )
    assert labels(question) == [[YES], [NO]]
    assert tim_row(world).status == "voice_pending" and old_phone.unread == []
    assert actions(world, "client.joining_stopped") == []

    # "Stop aanmelding, nieuwe link": the joining stops, the old chat reads that, a new link.
    stopped_at = world.clock.now()
    await anna.press(YES, question)
    await world.drain()
    text, picture = [m for m in anna.unread if m.message_id != question.message_id]
    anna.mark_read()
    assert (text.text or "").startswith(f"{RESTARTED}\n\nUitnodiging voor Tim:\n")
    assert picture.kind == "photo" and picture.text == "QR-code voor Tim, geldig tot 18 november."
    new = token_of(link_in(text))
    assert [m.text for m in old_phone.unread] == [STOPPED]
    old_phone.mark_read()

    # Stored: the same Tim, invited again, without the account or its consent.
    tim = tim_row(world)
    assert (tim.status, tim.telegram_user_id, tim.consent_at, tim.read_aloud) == (
        "invited",
        None,
        None,
        None,
    )
    [(_, withdrawn, used), (new_hash, not_withdrawn, unused)] = links_of(world, anna)
    assert withdrawn is None and used is not None  # the opened link was used by the consent
    assert not_withdrawn is None and unused is None and new_hash != old_link
    assert claims(world) == [None, None]  # the account let go is on no link of Tim's
    assert tim.language == "nl"
    coach = f"coach:{world.coach_id(anna)}"
    assert actions(world, "client.joining_stopped") == [coach]
    assert actions(world, "client.invite_renewed") == [coach]
    assert tim.updated_at == stopped_at

    # The old chat is a stranger now: its button changes nothing.
    await old_phone.press("Nee, alleen tekst")
    await world.drain()
    assert tim_row(world).status == "invited" and tim_row(world).telegram_user_id is None
    assert anna.unread == []

    # Tim joins on another phone with the new link, as anyone does.
    other_phone = world.sandbox.user(first_name="Tim")
    await other_phone.open_deep_link(new)
    assert (await other_phone.next_message()).text.startswith("Hoi Tim! Welkom bij Waakvlam.")
    await other_phone.next_message()
    await other_phone.press("Ja, dat is goed")
    await other_phone.next_message()
    await other_phone.press("Nee, alleen tekst")
    await world.drain()
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("active", other_phone.id)
    said = [m.text or "" for m in anna.unread]
    assert said[0].startswith("De link voor Tim is geopend door het Telegram-account: Tim.")
    assert said[1].startswith("Tim doet mee: Tim gaf toestemming.")


async def test_a_link_opened_before_the_coachs_renewal_is_stored_stays_tims(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coach's /nieuw Tim decided on what was loaded before Tim opened the link (another
    instance stored the opening in between): no new link, the old one stays Tim's, and the
    coach is told what happened."""
    anna = await world.coach("Anna")
    tim = await world.link_opened(anna, "Tim")
    await world.drain()
    before = links_of(world, anna)
    tim_id = tim_row(world).id
    assert tim_id is not None
    loaded_before = ClientRef(tim_id, "Tim")

    def decided_before(person: Person, event: Event, now: Any, context: DialogContext) -> Outcome:
        if isinstance(event, Command) and event.name == "nieuw":
            context = replace(context, renewable_invites=(loaded_before,), client_card=None)
        return route(person, event, now, context)

    monkeypatch.setattr(bot.pipeline, "route", decided_before)
    assert await said_to(world, anna, "/nieuw Tim") == [OPENED_NOW]
    assert links_of(world, anna) == before
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("consent_pending", tim.id)
    assert actions(world, "client.invite_renewed") == []
    # Tim's link still works for Tim: the consent goes on.
    await tim.press("Ja, dat is goed")
    assert (await tim.next_message()).text.startswith("Wil je dat ik mijn berichten ook voorlees?")


def _env(world: World, telegram_user_id: int) -> EffectEnv:
    return EffectEnv(
        now=world.clock.now(),
        telegram_user_id=telegram_user_id,
        bot_username=world.sandbox.bot_username,
        invite_ttl=world.settings.invite_ttl,
        default_language="nl",
        timezone=ZoneInfo("Europe/Amsterdam"),
    )


def _between_decide_and_store(
    monkeypatch: pytest.MonkeyPatch, when: Callable[[Event], bool], meanwhile: Callable[[], None]
) -> None:
    """``meanwhile`` runs, committed in a transaction of its own (another instance of the
    bot), after the dialog decided the first event ``when`` picks and before it is stored."""
    done: list[bool] = []

    def interleaved(person: Person, event: Event, now: Any, context: DialogContext) -> Outcome:
        outcome = route(person, event, now, context)
        if when(event) and not done:
            done.append(True)
            meanwhile()
        return outcome

    monkeypatch.setattr(bot.pipeline, "route", interleaved)


def _postgresql_only(world: World) -> None:
    if not world.database.is_postgresql:
        # SQLite: a bot's transaction holds the write lock from its start (BEGIN IMMEDIATE),
        # so nothing can be stored between its decision and its store.
        pytest.skip("two instances at once need PostgreSQL")


async def test_on_postgresql_a_link_opened_as_the_coach_renews_it_stays_tims(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql_only(world)
    anna = await world.coach("Anna")
    token = await world.invite(anna, "Tim")
    await world.drain()
    [(link_hash, _, _)] = links_of(world, anna)
    tim = world.sandbox.user(first_name="Tim")
    claim = onboarding_handlers(lambda *_: None)[ClaimClientInvite]

    def tim_opens_it() -> None:  # on another instance, committed at once
        with world.database.transaction() as session:
            invite = session.exec(select(Invite).where(Invite.token_hash == link_hash)).one()
            assert invite.id is not None and invite.client_id is not None
            claim(session, ClaimClientInvite(invite.id, invite.client_id), _env(world, tim.id))

    _between_decide_and_store(
        monkeypatch, lambda e: isinstance(e, Command) and e.name == "nieuw", tim_opens_it
    )
    assert await said_to(world, anna, "/nieuw Tim") == [OPENED_NOW]
    [(same, withdrawn, _)] = links_of(world, anna)
    assert same == link_hash and withdrawn is None
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("consent_pending", tim.id)
    assert actions(world, "client.invite_renewed") == []
    # Tim goes on in his chat, where he is asked for his consent.
    await tim.open_deep_link(token)
    assert (await tim.next_message()).text.startswith("Hoi Tim! Welkom bij Waakvlam.")
    await tim.next_message()
    await tim.press("Ja, dat is goed")
    assert (await tim.next_message()).text.startswith("Wil je dat ik mijn berichten ook voorlees?")


async def test_on_postgresql_a_link_renewed_as_it_is_opened_lets_nobody_in(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other order: the coach's new link is stored between the opening's decision and its
    store. The old link no longer works ("De oude link werkt niet meer" is true), so the
    opener gets the answer of any bad link and holds nothing, and is no client: that answer has
    no "🔊 Voorlezen" under it. The new link works, and Tim's texts can be heard."""
    _postgresql_only(world)
    anna = await world.coach("Anna")
    token = await world.invite(anna, "Tim")
    await world.drain()
    tim_id = tim_row(world).id
    assert tim_id is not None
    renew = onboarding_handlers(lambda *_: None)[RenewClientInvite]
    made: list[str] = []

    def anna_renews() -> None:  # on another instance, committed at once
        with world.database.transaction() as session:
            effect = RenewClientInvite(world.coach_id(anna), tim_id, client_name="Tim")
            result = renew(session, effect, _env(world, anna.id))
            assert result.link is not None
            made.append(token_of(result.link))

    _between_decide_and_store(
        monkeypatch, lambda e: isinstance(e, Start) and e.payload == token, anna_renews
    )
    someone = world.sandbox.user(first_name="Kim")
    anna.mark_read()
    await someone.open_deep_link(token)
    await world.drain()
    assert [(m.text, m.buttons) for m in someone.unread] == [(INVALID, [])]
    assert anna.unread == []  # nobody opened Tim's link
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("invited", None)
    [(_, withdrawn, _), (_, open_, _)] = links_of(world, anna)
    assert withdrawn is not None and open_ is None

    tim = world.sandbox.user(first_name="Tim")
    await tim.open_deep_link(made[0])
    assert (await tim.next_message()).text.startswith("Hoi Tim! Welkom bij Waakvlam.")
    assert (await tim.next_message()).buttons[-1] == ["🔊 Voorlezen"]  # the consent question
    await world.drain()
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("consent_pending", tim.id)


async def test_no_leave_it_changes_nothing_and_tim_goes_on_joining(world: World) -> None:
    anna = await world.coach("Anna")
    tim = await world.link_opened(anna, "Tim")
    await world.drain()
    before = links_of(world, anna)
    question = await asked(world, anna, "/nieuw Tim")
    assert question.text == (
        "Tim opende de link op 2 november en is nog bezig met aanmelden: Tim gaf nog geen "
        f"toestemming.\n\n{ASK}"
    )
    tim.mark_read()
    await anna.press(NO, question)
    await world.drain()
    said = [m.text for m in anna.unread if m.message_id != question.message_id]
    assert said == ["Goed. Ik verander niets: ik stop geen aanmelding en maak geen nieuwe link."]
    assert tim.unread == []
    assert links_of(world, anna) == before and claims(world) == [tim.id]
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("consent_pending", tim.id)
    assert actions(world, "client.joining_stopped") == []
    await tim.press("Ja, dat is goed")
    assert (await tim.next_message()).text.startswith("Wil je dat ik mijn berichten ook voorlees?")


async def test_a_yes_after_tim_finished_joining_meanwhile_changes_nothing(world: World) -> None:
    anna = await world.coach("Anna")
    tim = await world.link_opened(anna, "Tim")
    await world.drain()
    question = await asked(world, anna, "/nieuw Tim")
    await tim.press("Ja, dat is goed")
    await tim.next_message()
    await tim.press("Nee, alleen tekst")
    await world.drain()
    before = links_of(world, anna)
    anna.mark_read()
    tim.mark_read()
    await anna.press(YES, question)
    await world.drain()
    assert [m.text for m in anna.unread] == [
        "Tim is klaar met aanmelden en doet mee. Ik stop dus niets en maak geen nieuwe link."
    ]
    assert tim.unread == []
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("active", tim.id)
    assert links_of(world, anna) == before
    assert actions(world, "client.joining_stopped") == []


async def test_a_forged_tap_naming_another_coachs_joining_client_changes_nothing(
    world: World,
) -> None:
    anna = await world.coach("Anna")
    bert = await world.coach("Bert")
    kim = await world.link_opened(bert, "Kim")
    await world.client(bert, "Lee")  # takes part: never named to Anna either
    await world.client(anna, "Sam")
    await world.drain()
    with world.database.transaction() as session:
        ids = {c.name: c.id for c in session.exec(select(Client))}
    anna.mark_read()
    bert.mark_read()
    kim.mark_read()
    for forged in (f"sj:{ids['Kim']}:y", f"sj:{ids['Lee']}:y", "sj:99999:y"):
        await anna.press_data(anna.inbox[-1], forged)
        await world.settle()
    assert [a.text for a in anna.callback_answers[-3:]] == [
        "Deze knop hoort niet bij een cliënt van jou. Ik verander niets."
    ] * 3
    await world.drain()
    assert anna.unread == [] and bert.unread == [] and kim.unread == []
    with world.database.transaction() as session:
        now = session.exec(select(Client).where(Client.name == "Kim")).one()
        assert (now.status, now.telegram_user_id) == ("consent_pending", kim.id)
        stopped = select(AuditEvent).where(AuditEvent.action == "client.joining_stopped")
        assert session.exec(stopped).first() is None
    # Kim goes on joining with Bert.
    await kim.press("Ja, dat is goed")
    assert (await kim.next_message()).text.startswith("Wil je dat ik mijn berichten ook voorlees?")
