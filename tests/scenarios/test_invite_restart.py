"""A client who opened the invite link and got stuck while joining is no dead end for the
coach, end to end: the real bot through the sandbox, on SQLite and PostgreSQL.

``/client Tim`` says at which step Tim is, since when, and what the coach can do;
``/nieuw Tim`` stops that joining (the chat that opened the link is let go and reads that it
stopped, nothing else) and makes a new link, with which Tim joins on another phone.

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
from tests.scenarios.test_invite_renewal import INVALID, links_of, said_to

FORWARD = (
    "Je krijgt een bericht als Tim klaar is.\n"
    "Lukt het niet, heeft Tim een andere telefoon, of opende iemand anders de link? "
    "Stuur /nieuw Tim: dan stop ik deze aanmelding en maak ik een nieuwe link."
)
RESTARTED = (
    "Ik heb de aanmelding van Tim gestopt. De oude link werkt niet meer, en de chat die hem "
    "opende doet niet meer mee.\n"
    "Dit is een nieuwe link voor Tim."
)
STOPPED = (
    "Je aanmelding in deze chat is gestopt.\n"
    "Je coach heeft een nieuwe link gemaakt.\n"
    "Wil je meedoen? Open dan de nieuwe link."
)
OPENED_NOW = (
    "Tim opende de link net. Ik maak dus geen nieuwe link. Kijk met /client Tim hoe ver Tim is."
)


def tim_row(world: World) -> Client:
    with world.database.transaction() as session:
        return session.exec(select(Client).where(Client.name == "Tim")).one()


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

    # /nieuw Tim: the joining stops, the chat that opened the link reads that, a new link.
    stopped_at = world.clock.now()
    anna.mark_read()
    old_phone.mark_read()
    await anna.send_text("/nieuw Tim")
    await world.drain()
    text, picture = anna.unread
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
    opener gets the answer of any bad link and holds nothing; the new link works."""
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
    assert [m.text for m in someone.unread] == [INVALID]
    assert anna.unread == []  # nobody opened Tim's link
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("invited", None)
    [(_, withdrawn, _), (_, open_, _)] = links_of(world, anna)
    assert withdrawn is not None and open_ is None

    tim = world.sandbox.user(first_name="Tim")
    await tim.open_deep_link(made[0])
    assert (await tim.next_message()).text.startswith("Hoi Tim! Welkom bij Waakvlam.")
    await world.drain()
    assert (tim_row(world).status, tim_row(world).telegram_user_id) == ("consent_pending", tim.id)
