"""The client card's decisions, pure: what the caption says, which points and marks the picture
gets, what the history lists, logging a contact and its note, and who may tap what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from bot.checkins import load_question_books
from bot.texts import load_texts
from dialogs import client_card
from dialogs.buttons import ButtonKind, kind_of
from dialogs.card_view import (
    CardAlert,
    CardCheckin,
    CardContext,
    CardView,
    CoachStep,
    ContactKind,
    LoggedContact,
    NotActive,
    NotActiveClient,
    PhaseStep,
    RhythmChange,
)
from dialogs.checkin_state import CheckinStatus
from dialogs.clients import ClientRef
from dialogs.coach_checkin import CoachCheckinContext, CoachClient
from dialogs.contact_effects import LogContact, SetContactNote
from dialogs.events import Command, Tap, Text
from dialogs.outcome import AwaitInput, Outcome, TextRef
from dialogs.router import DialogContext, route
from dialogs.schedule import Rhythm, Schedule
from tests.unit.people import ANNA, BRAM, SAM

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
TZ = "Europe/Amsterdam"
TEXTS = load_texts("nl")
QUESTIONS = load_question_books()["nl"].current
SAM_REF = ClientRef(7, "Sam")


def card(**fields: object) -> CardView:
    defaults: dict[str, object] = {
        "joined_at": NOW - timedelta(days=200),
        "phase": "start",
        "rhythm": Rhythm.WEEKLY,
        "last_contact": NOW - timedelta(days=3),
        "low_grade": 4,
    }
    return CardView(SAM_REF, ANNA.id or 0, **(defaults | fields))  # type: ignore[arg-type]


def contact(contact_id: int = 3, **fields: object) -> LoggedContact:
    defaults: dict[str, object] = {
        "client_id": 7,
        "coach_id": ANNA.id,
        "at": NOW - timedelta(minutes=5),
        "kind": ContactKind.CALL,
        "client_name": "Sam",
    }
    return LoggedContact(contact_id, **(defaults | fields))  # type: ignore[arg-type]


def texts_of(outcome: Outcome) -> list[str]:
    return [TEXTS.render("nl", r.key, r.params) for r in outcome.replies]


def labels(outcome: Outcome) -> list[list[str]]:
    [reply] = outcome.replies
    return [[TEXTS.render("nl", b.label_key, b.label_params) for b in row] for row in reply.buttons]


def answers(**given: str) -> tuple[tuple[object, str], ...]:
    return tuple((q, given[q.id]) for q in QUESTIONS.questions if q.id in given)


# -- the caption -------------------------------------------------------------------------------


def test_the_caption_says_phase_rhythm_contact_last_answers_and_open_signals() -> None:
    view = card(
        last_answers=answers(grade="3", help="yes", help_area="letters_money", call="yes"),
        last_answered_at=NOW - timedelta(days=2),
        signals=(
            TextRef("coach_checkin.call_me", {"client": "Sam"}),
            TextRef("coach_checkin.grade_low", {"client": "Sam", "grade": "3"}),
        ),
    )
    [text] = texts_of(client_card.show(view, NOW, TZ))
    assert text.split("\n") == [
        "📇 Sam · startfase",
        "Ritme: elke week",
        "Laatste contact: 3 dagen geleden",
        "Laatste check-in (28 november): cijfer 3 · hulp nodig · bij: Brieven en geld · "
        "wil gebeld worden",
        "⚠️ Open signalen (2):",
        "• Sam wil graag dat je belt.",
        "• Sam gaf een 3 voor hoe het gaat.",
    ]


def test_a_quiet_paused_client_with_an_open_alert_and_many_signals() -> None:
    signals = tuple(TextRef("coach_checkin.help", {"client": "Sam"}) for _ in range(5))
    view = card(
        paused=True,
        last_contact=None,
        alerts=(CardAlert(NOW - timedelta(hours=1)),),
        last_answers=answers(grade="dont_know", help="skip"),
        last_answered_at=NOW - timedelta(days=40),
        signals=signals,
    )
    outcome = client_card.show(view, NOW, TZ)
    lines = texts_of(outcome)[0].split("\n")
    assert lines[1:5] == [
        "🔴 Er staat een noodknop-melding open.",
        "Ritme: ⏸ pauze (elke week)",
        "Laatste contact: nog geen",
        "Laatste check-in (21 oktober): cijfer: weet ik niet · hulp: overgeslagen",
    ]
    assert lines[-1] == "• en nog 2" and len(lines) == 10
    assert labels(outcome)[1] == ["▶ Hervatten", "✉️ Bericht sturen"]
    assert "Nog geen beantwoorde check-in." in texts_of(client_card.show(card(), NOW, TZ))[0]


def test_the_buttons_reuse_the_rhythm_dialogs_data_and_name_the_client() -> None:
    outcome = client_card.show(card(), NOW, TZ)
    assert labels(outcome) == [
        ["📋 Nu een check-in", "⏱ Ritme"],
        ["⏸ Pauze", "✉️ Bericht sturen"],
        ["📞 Gebeld", "🏠 Langs geweest"],
        ["💬 Gesproken elders", "📜 Geschiedenis"],
        ["🧭 Fase"],
    ]
    data = [b.data for row in outcome.replies[0].buttons for b in row]
    assert data == [
        "rn:7",
        "cc:7:r",
        "rp:7:p",
        "cc:7:m",
        "cc:7:call",
        "cc:7:visit",
        "cc:7:elsewhere",
        "cc:7:h",
        "fa:7",
    ]
    kinds = {kind_of(d) for d in data}
    assert kinds == {ButtonKind.SCHEDULE, ButtonKind.CLIENT_CARD, ButtonKind.PHASE}
    assert (
        kind_of("cl:7") is ButtonKind.CASELOAD_CLIENT and kind_of("cn:7") is ButtonKind.CLIENT_CARD
    )
    no_rhythm = client_card.show(card(rhythm=None), NOW, TZ)
    assert labels(no_rhythm)[1] == ["✉️ Bericht sturen"]


def test_the_card_of_a_client_who_cannot_get_messages_offers_no_check_in_now() -> None:
    """Sam's chat refuses messages (📵): the card says so, and "📋 Nu een check-in" is not
    offered (it could not arrive); the rest stays. Once Sam wrote again, it is back."""
    since = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
    outcome = client_card.show(card(unreachable_since=since, phone="+31612345678"), NOW, TZ)
    line = (
        "📵 Sinds 9 november kan Sam geen berichten van mij krijgen: misschien heeft Sam mij "
        "geblokkeerd of de chat gestopt. Check-ins wachten tot Sam weer bereikbaar is. "
    )
    assert texts_of(outcome)[0].split("\n")[1] == f"{line}Bel Sam: +31 6 12345678"
    # Without a stored number the line never says "Bel Sam": the bot has none.
    no_number = client_card.show(card(unreachable_since=since), NOW, TZ)
    assert texts_of(no_number)[0].split("\n")[1] == (
        f"{line}Ik heb geen telefoonnummer van Sam. Probeer Sam op een andere manier te bereiken."
    )
    assert labels(outcome) == [
        ["⏱ Ritme"],
        ["⏸ Pauze", "✉️ Bericht sturen"],
        ["📞 Gebeld", "🏠 Langs geweest"],
        ["💬 Gesproken elders", "📜 Geschiedenis"],
        ["🧭 Fase"],
    ]
    assert not any(b.data.startswith("rn:") for row in outcome.replies[0].buttons for b in row)
    again = client_card.show(card(), NOW, TZ)
    assert labels(again)[0] == ["📋 Nu een check-in", "⏱ Ritme"]


# -- the picture -------------------------------------------------------------------------------


def test_the_picture_marks_grades_missed_check_ins_alerts_and_contacts_of_three_months() -> None:
    old = NOW - timedelta(days=120)
    week = timedelta(days=7)
    view = card(
        checkins=(
            CardCheckin(old, CheckinStatus.DONE, 9),  # before the period: left out
            CardCheckin(NOW - 3 * week, CheckinStatus.DONE, 7),
            CardCheckin(NOW - 2 * week, CheckinStatus.MISSED),
            CardCheckin(NOW - week, CheckinStatus.UNFINISHED, 3),
            CardCheckin(NOW - timedelta(days=1), CheckinStatus.UNFINISHED),  # no grade given
        ),
        alerts=(CardAlert(old, "talked"), CardAlert(NOW - week, "visited")),
        contacts=(contact(at=NOW - timedelta(days=1)), contact(2, at=old)),
    )
    chart = client_card.chart_of(view, NOW, TZ)
    assert chart.start == NOW - timedelta(days=91) and chart.end == NOW
    assert chart.grades == ((NOW - 3 * week, 7), (NOW - week, 3))
    assert chart.missed == (NOW - 2 * week,)
    assert chart.alerts == (NOW - week,)
    assert chart.contacts == (NOW - timedelta(days=1),)
    assert chart.low_grade == 4 and chart.timezone == TZ
    [reply] = client_card.show(view, NOW, TZ).replies
    assert reply.chart == chart


# -- the history -------------------------------------------------------------------------------


def test_the_history_lists_everything_newest_first_with_only_the_coachs_own_notes() -> None:
    day = timedelta(days=1)
    view = card(
        rhythm_changes=(
            RhythmChange(NOW - 60 * day, Rhythm.WEEKLY, False),
            RhythmChange(NOW - 20 * day, Rhythm.EVERY_2_WEEKS, True),
        ),
        alerts=(CardAlert(NOW - 10 * day, "talked"), CardAlert(NOW - day)),
        phases=(PhaseStep(NOW - 60 * day, "start"),),
        coaches=(CoachStep(NOW - 61 * day, "Bram"), CoachStep(NOW - 30 * day, "Anna")),
        contacts=(
            contact(5, at=NOW - 2 * day, note="Klonk moe"),
            contact(4, at=NOW - 40 * day, kind=ContactKind.VISIT, coach_id=2, note="Bram's"),
        ),
    )
    [text] = texts_of(client_card.history(view))
    assert text.split("\n") == [
        "Geschiedenis van Sam, nieuwste eerst:",
        "29 november · 🔴 noodknop (staat open)",
        "28 november · 📞 gebeld: Klonk moe",
        "20 november · 🔴 noodknop (gesproken)",
        "10 november · check-ins op pauze",
        "31 oktober · coach: Anna",
        "21 oktober · 🏠 langs geweest",
        "1 oktober · fase: startfase",
        "1 oktober · ritme elke week",
        "30 september · coach: Bram",
    ]
    many = card(contacts=tuple(contact(n, at=NOW - n * day) for n in range(1, 20)))
    [text] = texts_of(client_card.history(many))
    assert text.startswith("Geschiedenis van Sam, de laatste 15,")
    assert len(text.split("\n")) == 16
    assert texts_of(client_card.history(card())) == ["Nog niets in de geschiedenis van Sam."]


# -- logging a contact and its note -------------------------------------------------------------


def test_a_contact_button_logs_it_and_asks_for_a_note() -> None:
    ctx = CardContext(card=card(), timezone=TZ)
    for kind in ContactKind:
        outcome = client_card.tap(ANNA, f"cc:7:{kind.value}", NOW, ctx, None)
        assert outcome.effects == (LogContact(7, ANNA.id or 0, kind.value),)
        assert outcome.notice is None  # the card keeps its buttons
        assert labels(outcome) == [["Geen notitie"]]
        assert outcome.replies[0].buttons[0][0].data == "cn:7"
    [text] = texts_of(client_card.tap(ANNA, "cc:7:visit", NOW, ctx, None))
    assert text.startswith("Genoteerd: 🏠 langs geweest met Sam, vandaag.\nWil je er een korte")


def test_the_note_is_taken_once_while_it_is_wanted() -> None:
    waiting = replace(ANNA, awaiting="note:3")
    ctx = CardContext(noting=contact(3), timezone=TZ)
    noted = client_card.note_given(waiting, Text("  Klonk   moe  "), NOW, ctx)
    assert noted is not None
    assert noted.effects == (SetContactNote(3, ANNA.id or 0, "Klonk moe"), AwaitInput(1, None))
    assert texts_of(noted) == [
        "Notitie bewaard (📞 gebeld, Sam). "
        "In de bot ziet alleen jij die, in de geschiedenis van Sam."
    ]
    too_long = client_card.note_given(waiting, Text("x" * 201), NOW, ctx)
    assert too_long is not None and too_long.effects == ()
    assert texts_of(too_long)[0].startswith("Een notitie is kort: hoogstens 200 tekens.")
    late = NOW + client_card.NOTE_WAIT
    for person, when, noting in (
        (waiting, late, ctx.noting),  # too late: an ordinary message again
        (replace(ANNA, awaiting="note:4"), NOW, ctx.noting),  # another contact's question
        (replace(BRAM, awaiting="note:3"), NOW, ctx.noting),  # not Bram's contact
        (waiting, NOW, replace(contact(3), note="al een notitie")),
        (waiting, NOW, None),  # the contact or its client is gone
    ):
        assert (
            client_card.note_given(person, Text("Klonk moe"), when, replace(ctx, noting=noting))
            is None
        )


def test_a_forwarded_text_is_no_note_and_the_question_stays_open() -> None:
    waiting = replace(ANNA, awaiting="note:3")
    ctx = CardContext(noting=contact(3), timezone=TZ)
    forwarded = Text("Uw afspraak is verzet", forwarded_from="Gemeente")
    outcome = client_card.note_given(waiting, forwarded, NOW, ctx)
    assert outcome is not None and outcome.effects == ()  # nothing stored, still waiting
    assert texts_of(outcome) == [
        "Dat is een doorgestuurd bericht. Typ je notitie zelf, of tik Geen notitie."
    ]
    assert outcome.replies[0].buttons[0][0].data == "cn:7"
    typed = client_card.note_given(waiting, Text("Klonk moe"), NOW, ctx)
    assert typed is not None and SetContactNote(3, ANNA.id or 0, "Klonk moe") in typed.effects


def test_geen_notitie_ends_the_question_and_is_stale_afterwards() -> None:
    waiting = replace(ANNA, awaiting="note:3")
    ctx = CardContext(noting=contact(3), timezone=TZ)
    outcome = client_card.tap(waiting, "cn:7", NOW, ctx, None)
    assert outcome.effects == (AwaitInput(1, None),)
    assert texts_of(outcome) == ["Opgeslagen zonder notitie."]
    for person, data, noting in (
        (ANNA, "cn:7", ctx.noting),  # no note asked any more
        (waiting, "cn:8", ctx.noting),  # another client's
        (waiting, "cn:7", None),
    ):
        stale = client_card.tap(person, data, NOW, replace(ctx, noting=noting), None)
        assert (stale.effects, stale.replies) == ((), ())
        assert stale.notice == client_card.NOTE_NOT_CURRENT


def test_the_router_takes_a_typed_note_and_drops_a_late_one() -> None:
    waiting = replace(ANNA, awaiting="note:3")
    ctx = DialogContext(client_card=CardContext(noting=contact(3), timezone=TZ))
    noted = route(waiting, Text("Klonk moe", message_id=1, chat_id=100), NOW, ctx)
    assert [r.key for r in noted.replies] == ["client_card.note_saved"]
    late = route(
        waiting, Text("Klonk moe", message_id=1, chat_id=100), NOW + timedelta(hours=1), ctx
    )
    assert late.effects[0] == AwaitInput(1, None)
    assert "client_card.note_saved" not in [r.key for r in late.replies]
    assert not any(isinstance(e, SetContactNote) for e in late.effects)


# -- who may tap what --------------------------------------------------------------------------


def test_every_card_button_acts_only_on_the_coachs_own_active_client() -> None:
    own = CardContext(card=card(), timezone=TZ)
    for data in ("cc:7", "cl:7", "cc:7:h", "cc:7:m", "cc:7:call"):
        assert client_card.tap(ANNA, data, NOW, own, None).replies, data
    for person, data, ctx in (
        (BRAM, "cc:7:call", own),  # the card is Anna's client's
        (ANNA, "cc:8:call", own),  # a forged id: the loaded card is another
        (ANNA, "cc:7:call", CardContext()),  # not Anna's active client: nothing loaded
        (ANNA, "cl:7", None),
        (ANNA, "cc:7:r", own),  # the rhythm dialog does not know Sam (any more)
    ):
        outcome = client_card.tap(person, data, NOW, ctx, CoachCheckinContext())
        assert (outcome.effects, outcome.replies) == ((), ()), data
        assert outcome.notice == client_card.NOT_CURRENT
    for forged in ("cc:", "cc:7:x", "cc:7:call:1", "cl:7:w2", "cc:-1"):
        outcome = client_card.tap(ANNA, forged, NOW, own, None)
        assert outcome.notice == "common.button_unknown" and not outcome.effects


def test_the_rhythm_and_message_buttons_reuse_their_flows() -> None:
    own = CardContext(card=card(), timezone=TZ)
    schedule = Schedule(rhythm=Rhythm.WEEKLY, weekday=0, at=time(10))
    checkin_ctx = CoachCheckinContext((CoachClient(SAM_REF, schedule),), TZ)
    rhythm = client_card.tap(ANNA, "cc:7:r", NOW, own, checkin_ctx)
    assert [r.key for r in rhythm.replies] == ["coach_checkin.overview"]
    message = client_card.tap(ANNA, "cc:7:m", NOW, own, None)
    assert message.effects == (AwaitInput(1, "message:7"),)
    assert texts_of(message)[0].startswith("Wat wil je naar Sam sturen?")


def test_the_command_shows_only_a_named_own_client() -> None:
    own = CardContext(card=card(), clients=(SAM_REF, ClientRef(8, "Kim")), timezone=TZ)
    shown = client_card.command(ANNA, Command("client", "sam"), NOW, own)
    assert shown.replies[0].chart is not None
    for args, ctx in (
        ("", own),
        ("Sam de Vries", own),  # more than the name: not Sam
        ("Kim", own),  # Kim's card was not loaded
        ("Sam", replace(own, card=None)),
    ):
        which = client_card.command(ANNA, Command("client", args), NOW, ctx)
        assert [r.key for r in which.replies] == ["client_card.which_client"], args
    assert client_card.command(ANNA, Command("client", ""), NOW, CardContext()).replies[0].key == (
        "coach_checkin.no_clients"
    )
    # A name none of the coach's active clients has, nor any other client of theirs: said as
    # /telefoon says it, never "no active clients yet" and never someone else's card.
    for args, ctx, said in (
        (
            "Sam",
            CardContext(),
            "Ik ken geen cliënt van jou met de naam Sam. Je hebt nog geen actieve cliënten. "
            "Nodig iemand uit met /nieuw Naam.",
        ),
        ("  lou  ", own, "Ik ken geen cliënt van jou met de naam lou. Je cliënten: Sam, Kim"),
    ):
        outcome = client_card.command(ANNA, Command("client", args), NOW, ctx)
        assert outcome.replies[0].chart is None and not outcome.effects
        assert texts_of(outcome) == [said]
    # A client never reaches a card.
    assert route(SAM, Tap("cc:7:call"), NOW, DialogContext(client_card=own)).notice == (
        "common.button_unknown"
    )


def _no_card(args: str, *others: NotActiveClient, active: bool = True) -> list[str]:
    clients = (SAM_REF, ClientRef(8, "Kim")) if active else ()
    ctx = CardContext(clients=clients, not_active=others, timezone=TZ)
    outcome = client_card.command(ANNA, Command("client", args), NOW, ctx)
    assert not outcome.effects and all(r.chart is None for r in outcome.replies)
    return texts_of(outcome)


TIM = ClientRef(9, "Tim")


def test_a_client_who_has_not_started_has_no_card_and_the_coach_reads_why() -> None:
    """/client Tim for Anna's own Tim who is not active: why there is no card."""
    link_until = NOW + timedelta(days=3)
    invited = NotActiveClient(TIM, NotActive.INVITED, link_until)
    assert _no_card("tim", invited) == [
        "Tim doet nog niet mee: Tim heeft de uitnodiging nog niet geopend.\n"
        "De link is geldig tot 3 december.\n"
        "Link kwijt? Stuur /nieuw Tim, dan maak ik een nieuwe."
    ]
    expired = (
        "Tim doet nog niet mee: Tim heeft de uitnodiging niet geopend, "
        "en de link werkt niet meer.\n"
        "Stuur /nieuw Tim, dan maak ik een nieuwe link voor Tim."
    )
    for until in (NOW, NOW - timedelta(days=1), None):  # expired at this moment, or no link
        assert _no_card("Tim", replace(invited, link_until=until)) == [expired], until
    # Still joining: at which step since when, and the way forward (/nieuw Tim starts again).
    forward = (
        "Je krijgt een bericht als Tim klaar is.\n"
        "Lukt het niet, heeft Tim een andere telefoon, of opende iemand anders de link? "
        "Stuur /nieuw Tim: dan vraag ik of ik deze aanmelding mag stoppen "
        "en een nieuwe link mag maken."
    )
    opened = NotActiveClient(TIM, NotActive.JOINING, since=NOW - timedelta(days=2))
    assert _no_card("Tim", opened, active=False) == [
        "Tim doet nog niet mee: Tim opende de link op 28 november, maar gaf nog geen "
        f"toestemming.\n{forward}"
    ]
    consented = replace(opened, since=NOW - timedelta(hours=1), consented=True)
    assert _no_card("tim", consented) == [
        "Tim doet nog niet mee: Tim gaf op 30 november toestemming, maar koos nog niet of "
        f"berichten ook voorgelezen worden.\n{forward}"
    ]
    assert _no_card("Tim", NotActiveClient(TIM, NotActive.JOINING), active=False) == [
        "Tim doet nog niet mee: Tim opende de link, maar is nog niet klaar met aanmelden.\n"
        f"{forward}"
    ]
    assert _no_card("Tim", NotActiveClient(TIM, NotActive.DECLINED)) == [
        "Tim zei nee tegen meedoen. Daarom is er geen kaart van Tim."
    ]


def test_a_former_client_has_no_card_and_the_coach_is_pointed_to_the_phase() -> None:
    ended = NotActiveClient(TIM, NotActive.ENDED)
    pointer = (
        "Je hebt geen actieve cliënt die Tim heet.\n"
        "Is de begeleiding van Tim gestopt? Typ /fase Tim: dan zie je wanneer, "
        "en kun je heropenen."
    )
    assert _no_card("Tim", ended, active=False) == [pointer]
    assert _no_card("Tim", ended) == [f"{pointer}\nJouw cliënten: Sam, Kim"]


def test_of_several_clients_named_so_the_newest_with_the_longest_name_counts() -> None:
    """An ended Tim, then a new Tim invited (the name is free again once support ended)."""
    ended = NotActiveClient(TIM, NotActive.ENDED)
    new = NotActiveClient(ClientRef(12, "Tim"), NotActive.INVITED, NOW + timedelta(days=1))
    for order in ((ended, new), (new, ended)):
        assert _no_card("Tim", *order)[0].startswith("Tim doet nog niet mee")
    longer = NotActiveClient(ClientRef(5, "Tim de Vries"), NotActive.DECLINED)
    assert _no_card("tim de vries", new, longer)[0].startswith("Tim de Vries zei nee")
    # Someone whose name only starts like the typed one is not them.
    assert _no_card("Timo", ended) == [
        "Ik ken geen cliënt van jou met de naam Timo. Je cliënten: Sam, Kim"
    ]
    # An active client's name comes first: Sam's card is asked for, not a former Sam's.
    former_sam = NotActiveClient(ClientRef(3, "Sam"), NotActive.ENDED)
    own = CardContext(card=card(), clients=(SAM_REF,), not_active=(former_sam,), timezone=TZ)
    assert client_card.command(ANNA, Command("client", "Sam"), NOW, own).replies[0].chart


def test_the_contact_kinds_are_the_stored_ones() -> None:
    from storage.models import ContactKind as StoredKind

    assert [kind.value for kind in ContactKind] == [kind.value for kind in StoredKind]
    assert client_card.MAX_NOTE == 200
