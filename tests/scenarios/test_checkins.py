"""Check-ins end to end: the real bot through the sandbox, a fixed clock, both databases.

A client answers with number buttons or by typing, corrects a wrong press, skips; stale and
forged buttons change nothing; the schedule sends check-ins at the coach's rhythm outside
quiet hours, reminds once, closes as missed, and tells the coach what matters, once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select
from telegram_sandbox import SimUser

from storage import checkins as checkin_store
from storage.database import Database
from storage.models import (
    Checkin,
    CheckinSchedule,
    CheckinSignal,
    OutboxMessage,
    Relay,
    ScheduleChange,
)
from tests.scenarios.conftest import World

INTRO = "Anna wil graag weten hoe het met je gaat."
GRADE_Q = "Hoe gaat het met je?\nGeef een cijfer van 1 tot 10.\n1 is heel slecht, 10 is heel goed."
HELP_Q = "Heb je ergens hulp bij nodig?"
AREA_Q = "Waarbij wil je hulp?\nKies wat het beste past."
CALL_Q = "Wil je dat Anna je belt?"
THANKS = "Dank je wel voor je antwoorden!\nAnna kan ze nu zien."
GRADE_ROWS = [
    ["1", "2", "3", "4", "5"],
    ["6", "7", "8", "9", "10"],
    ["Weet ik niet", "Overslaan"],
    ["🔊 Voorlezen"],  # Sam chose text only: every text can still be heard
]
# Monday 9 November 2026, 10:00 in Amsterdam: a week after the client joined (START + 7 d).
FIRST_DUE = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)


def question_of(message) -> str:  # type: ignore[no-untyped-def]
    """The question itself: a lead line ("Dat begrijp ik niet.") may stand above it."""
    return (message.text or "").split("\n\n")[-1]


def labels(message) -> list[list[str]]:  # type: ignore[no-untyped-def]
    markup = message.reply_markup or {}
    return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]


def checkins_of(world: World) -> list[Checkin]:
    with world.database.transaction() as session:
        return list(session.exec(select(Checkin).order_by(col(Checkin.id))))


def signals_of(world: World) -> list[CheckinSignal]:
    with world.database.transaction() as session:
        return list(session.exec(select(CheckinSignal).order_by(col(CheckinSignal.id))))


async def start_by_menu(sam: SimUser) -> None:
    await sam.tap_keyboard("📋 Hoe gaat het?")
    question = await sam.next_message()
    assert question.text.startswith(INTRO) and question_of(question) == GRADE_Q
    assert labels(question) == GRADE_ROWS


async def answer(sam: SimUser, label: str, expect: str) -> None:
    await sam.press(label)
    assert (await sam.next_message()).text == expect


async def full_checkin(sam: SimUser, grade: str, *, help: str = "Nee", call: str = "Nee") -> None:
    await answer(sam, grade, HELP_Q)
    await sam.press(help)
    if help == "Ja":
        assert (await sam.next_message()).text == AREA_Q
        await answer(sam, "Werk", CALL_Q)
    else:
        assert (await sam.next_message()).text == CALL_Q
    await sam.press(call)
    await sam.next_message()


async def _anna_and_sam(world: World) -> tuple[SimUser, SimUser]:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    return anna, sam


async def test_a_full_checkin_by_buttons_is_stored_and_thanked(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    await answer(sam, "7", HELP_Q)
    grade_message = sam.inbox[-2]
    assert grade_message.text.endswith("Je koos: 7")  # the pressed question shows the choice
    assert labels(grade_message) == []
    await answer(sam, "Nee", CALL_Q)
    await sam.press("Nee")
    thanks = await sam.next_message()
    assert thanks.text == THANKS
    assert labels(thanks) == [["← Oeps, ander antwoord"], ["🔊 Voorlezen"]]
    [row] = checkins_of(world)
    assert (row.status, row.origin) == ("done", "client")
    assert row.answers == {"grade": "7", "help": "no", "call": "no"}
    await world.drain()
    assert anna.unread == []  # a 7 and no wishes: nothing to bother the coach with
    assert signals_of(world) == []


async def test_typed_numbers_and_words_count_as_presses(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    await sam.send_text("hmm")
    offer = await sam.next_message()  # not understood, and never lost: Anna may have it
    assert offer.text == "Dat begrijp ik niet.\n\nWil je dit naar Anna sturen?"
    await sam.send_text("acht!")  # the question above still takes an answer
    assert (await sam.next_message()).text == HELP_Q
    await sam.send_text("ja")
    assert (await sam.next_message()).text == AREA_Q
    await sam.send_text("Brieven")
    assert (await sam.next_message()).text == CALL_Q
    await sam.send_text("8!")  # not an answer to a yes/no question
    assert (await sam.next_message()).text.startswith("Dat begrijp ik niet.")
    await sam.send_text("ja hoor")
    assert (await sam.next_message()).text.startswith("Dank je wel voor je antwoorden!")
    [row] = checkins_of(world)
    assert row.answers == {"grade": "8", "help": "yes", "help_area": "letters_money", "call": "yes"}
    # One check-in, one message for Anna: its signals on a line each.
    note = await anna.wait_for(lambda m: "hulp" in (m.text or ""))
    assert note.text == (
        "Check-in van Sam:\nSam wil hulp bij: Brieven en geld.\nSam wil graag dat je belt."
    )


async def test_a_wrong_press_is_corrected_and_its_signal_withdrawn(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    await answer(sam, "2", HELP_Q)
    await sam.press("← Vorige vraag")
    assert (await sam.next_message()).text == GRADE_Q
    await answer(sam, "3", HELP_Q)
    await full_checkin_rest(sam)
    assert (await anna.wait_for(lambda m: "gaf een" in (m.text or ""))).text == (
        "Sam gaf een 3 voor hoe het gaat."
    )
    # "Oeps" under the thank-you: back to the last question, and a changed answer counts.
    await sam.press("← Oeps, ander antwoord")
    assert (await sam.next_message()).text == "Geen probleem. Kies opnieuw.\n\n" + CALL_Q
    await sam.press("← Vorige vraag")
    assert (await sam.next_message()).text == HELP_Q
    await sam.press("← Vorige vraag")
    assert (await sam.next_message()).text == GRADE_Q
    await answer(sam, "8", HELP_Q)
    await full_checkin_rest(sam)
    withdrawn = await anna.wait_for(lambda m: "aangepast" in (m.text or ""))
    assert withdrawn.text == (
        "Sam heeft een antwoord aangepast. "
        "Het eerdere bericht over het lage cijfer klopt niet meer."
    )
    [signal] = signals_of(world)
    assert signal.withdrawn_at is not None
    assert checkins_of(world)[0].answers["grade"] == "8"


async def full_checkin_rest(sam: SimUser) -> None:
    await answer(sam, "Nee", CALL_Q)
    await sam.press("Nee")
    await sam.next_message()


async def test_dont_know_and_skip_are_always_possible(world: World) -> None:
    _anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    await answer(sam, "Weet ik niet", HELP_Q)
    await answer(sam, "Overslaan", CALL_Q)
    await sam.send_text("overslaan")
    assert (await sam.next_message()).text == "Oké, dat is goed.\nTot de volgende keer!"
    [row] = checkins_of(world)
    assert row.answers == {"grade": "dont_know", "help": "skip", "call": "skip"}
    assert row.status == "done"


async def test_stale_and_forged_buttons_change_nothing(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    lee = await world.client(anna, "Lee")
    await start_by_menu(sam)
    question = sam.inbox[-1]
    stale = question.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await answer(sam, "7", HELP_Q)
    # The old grade question, pressed again: kindly closed, nothing changes.
    await sam.press_data(question, stale)
    await world.settle()
    assert sam.callback_answers[-1].text == "Deze vraag is al klaar."
    # Forged: Lee presses Sam's check-in button; malformed data; a made-up check-in id.
    await start_by_menu(lee)
    [sam_checkin, lee_checkin] = checkins_of(world)
    await lee.press_data(lee.inbox[-1], f"ci:{sam_checkin.id}:1:yes")
    await lee.press_data(lee.inbox[-1], "ci:999999:0:1")
    await lee.press_data(lee.inbox[-1], "ci:x:0:1")
    await sam.press_data(sam.inbox[-1], f"ci:{lee_checkin.id}:0:1")
    await world.settle()
    notices = [a.text for a in lee.callback_answers[-3:]] + [sam.callback_answers[-1].text]
    assert notices == [
        "Deze vraag is al klaar.",
        "Deze vraag is al klaar.",
        "Deze knop werkt niet meer.",
        "Deze vraag is al klaar.",
    ]
    await world.drain()
    sam_after, lee_after = checkins_of(world)
    assert sam_after.answers == {"grade": "7"} and sam_after.position == 1
    assert lee_after.answers == {} and lee_after.position == 0


async def test_the_schedule_sends_at_the_rhythm_reminds_once_and_closes_as_missed(
    world: World,
) -> None:
    _anna, sam = await _anna_and_sam(world)
    with world.database.transaction() as session:
        schedule = session.exec(select(CheckinSchedule)).one()
    assert (schedule.rhythm, schedule.weekday, schedule.at) == ("weekly", 0, "10:00")
    assert schedule.next_due_at == FIRST_DUE
    world.clock.set(FIRST_DUE - timedelta(minutes=1))
    await world.tick()
    await world.drain()
    assert sam.unread == []
    world.clock.set(FIRST_DUE)
    await world.tick()
    sent = await sam.next_message()
    assert sent.text.startswith(INTRO) and question_of(sent) == GRADE_Q
    await world.tick()  # a second tick in the same minute sends nothing more
    world.clock.advance(timedelta(hours=4))
    await world.tick()
    reminder = await sam.next_message()
    assert reminder.text.startswith("Ik heb nog een vraag voor je.")
    assert question_of(reminder) == GRADE_Q
    world.clock.advance(timedelta(hours=24))
    await world.tick()
    await world.drain()
    assert sam.unread == []  # closing says nothing to the client
    [row] = checkins_of(world)
    assert (row.status, row.origin) == ("missed", "schedule")
    with world.database.transaction() as session:
        schedule = session.exec(select(CheckinSchedule)).one()
    assert schedule.next_due_at == FIRST_DUE + timedelta(days=7)


async def test_two_missed_checkins_in_a_row_tell_the_coach_once(world: World) -> None:
    anna, _sam = await _anna_and_sam(world)
    for week in range(3):
        world.clock.set(FIRST_DUE + timedelta(days=7 * week))
        await world.tick()
        world.clock.advance(timedelta(hours=4))
        await world.tick()
        world.clock.advance(timedelta(hours=24))
        await world.tick()
    await world.settle()
    assert [c.status for c in checkins_of(world)] == ["missed", "missed", "missed"]
    notes = [m.text for m in anna.inbox if m.text and m.text.startswith("Geen antwoord")]
    assert notes == ["Geen antwoord van Sam op de laatste 2 check-ins (sinds 9 november)."]


async def test_a_low_grade_and_a_drop_tell_the_coach(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    for grade in ("8", "8"):
        await start_by_menu(sam)
        await full_checkin(sam, grade)
    await start_by_menu(sam)
    await full_checkin(sam, "5")
    drop = await anna.wait_for(lambda m: "zakte" in (m.text or ""))
    assert drop.text == "Het cijfer van Sam zakte naar een 5 (eerder: 8, 8)."
    await start_by_menu(sam)
    await full_checkin(sam, "2")
    low = await anna.wait_for(lambda m: "gaf een" in (m.text or ""))
    assert low.text == "Sam gaf een 2 voor hoe het gaat (eerder: 8, 8, 5)."
    assert [s.kind for s in signals_of(world)] == ["grade_drop", "low_grade"]


async def test_quiet_hours_hold_a_checkin_until_the_morning(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    # A coach's "check-in now" in quiet hours is refused kindly.
    world.clock.set(datetime(2026, 11, 2, 22, 0, tzinfo=UTC))  # 23:00 in Amsterdam
    await anna.send_text("/checkin sam")
    assert (await anna.next_message()).text == (
        "Het is nu rusttijd (21:00–08:00). Ik stuur Sam geen vragen. Probeer het na 08:00."
    )
    await anna.send_text("/ritme Sam elke 4 weken maandag 20:30")
    await anna.wait_for(lambda m: (m.text or "").startswith("Opgeslagen."))
    # The first one is four weeks on (Monday 30 November, 20:30). The bot was down at 20:30
    # and comes back at 22:00: quiet, so it waits for 08:00 (a rare rhythm catches up
    # within a week; a weekly one would wait for next week).
    world.clock.set(datetime(2026, 11, 30, 21, 0, tzinfo=UTC))
    await world.tick()
    await world.drain()
    assert [m for m in sam.unread if m.text and m.text.startswith(INTRO)] == []
    world.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))  # Tuesday 08:00 local
    await world.tick()
    assert (await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))).text
    assert checkins_of(world)[0].sent_at == world.clock.now()


async def test_a_coach_scales_up_pauses_resumes_and_starts_one_now(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await anna.send_text("/ritme Sam")
    overview = await anna.next_message()
    assert overview.text.startswith(
        "Sam krijgt elke week een check-in, op maandag om 10:00."
        " De volgende is maandag 9 november om 10 uur."
    )
    assert labels(overview)[0] == ["Elke week", "Elke 2 weken"]
    await anna.press("Elke 2 weken")
    changed = await anna.next_message()
    assert changed.text == (
        "Opgeslagen. Sam krijgt elke 2 weken een check-in, op maandag om 10:00. "
        "De volgende is maandag 16 november om 10 uur."
    )
    # No check-in yet: two weeks from today (dialogs/schedule.py), never today.
    told = await sam.next_message()
    assert told.text == (
        "Anna heeft veranderd hoe vaak je de vragen krijgt.\n"
        "Je krijgt ze nu elke 2 weken, op maandag.\n"
        "De volgende keer is maandag 16 november om 10 uur."
    )
    await anna.send_text("/ritme Sam elke 4 weken donderdag 14:30")
    assert (await anna.next_message()).text.startswith(
        "Opgeslagen. Sam krijgt elke 4 weken een check-in, op donderdag om 14:30."
    )
    await sam.next_message()
    await anna.send_text("/pauze Sam")
    assert (await anna.next_message()).text.startswith("De check-ins van Sam staan op pauze.")
    assert (await sam.next_message()).text.startswith("De vragen staan even op pauze.")
    world.clock.set(datetime(2026, 11, 5, 13, 30, tzinfo=UTC))  # the Thursday it was due
    await world.tick()
    await world.drain()
    assert checkins_of(world) == []
    await anna.send_text("/hervat Sam")
    resumed = await anna.next_message()
    assert resumed.text.endswith("De volgende is donderdag 3 december om 14:30.")
    await sam.next_message()
    await anna.send_text("/checkin Sam")
    assert (await anna.next_message()).text.startswith("Ik stuur Sam nu de vragen.")
    assert (await sam.next_message()).text.startswith(INTRO)
    await anna.send_text("/checkin Sam")
    assert (await anna.next_message()).text.startswith("Sam heeft nog een check-in open.")
    with world.database.transaction() as session:
        changes = session.exec(select(ScheduleChange).order_by(col(ScheduleChange.id))).all()
    assert [(c.rhythm, c.weekday, c.time, c.paused, c.coach_id is None) for c in changes] == [
        ("weekly", 0, "10:00", False, True),  # the default when Sam joined
        ("every_2_weeks", 0, "10:00", False, False),
        ("every_4_weeks", 3, "14:30", False, False),
        ("every_4_weeks", 3, "14:30", True, False),
        ("every_4_weeks", 3, "14:30", False, False),
    ]


async def test_coach_buttons_for_another_coachs_client_change_nothing(world: World) -> None:
    anna, _sam = await _anna_and_sam(world)
    bert = await world.coach("Bert")
    await anna.send_text("/ritme Sam")
    overview = await anna.next_message()
    data = overview.reply_markup["inline_keyboard"][0][1]["callback_data"]
    await bert.send_text("/ritme Sam")
    assert (await bert.next_message()).text.startswith("Je hebt nog geen actieve cliënten.")
    await bert.press_data(bert.inbox[-1], data)
    await world.settle()
    assert bert.callback_answers[-1].text == "Deze knop werkt niet meer."
    with world.database.transaction() as session:
        assert session.exec(select(CheckinSchedule)).one().rhythm == "weekly"


async def test_a_restart_in_the_middle_of_a_checkin_keeps_its_place(world: World) -> None:
    _anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    await answer(sam, "6", HELP_Q)
    await world.restart()
    await sam.send_text("nee")
    assert (await sam.next_message()).text == CALL_Q
    await world.stop()
    await sam.press("Ja")  # pressed while the bot is down: Telegram keeps the update
    await world.start()
    assert (await sam.next_message()).text.startswith("Dank je wel voor je antwoorden!")
    assert checkins_of(world)[0].answers == {"grade": "6", "help": "no", "call": "yes"}


async def test_nine_oclock_stays_nine_oclock_across_the_clock_change(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    # Saturday a week before summer time: the first one is the Sunday nearest a week on.
    world.clock.set(datetime(2027, 3, 13, 12, 0, tzinfo=UTC))
    await anna.send_text("/ritme Sam elke week zondag 09:00")
    await anna.next_message()
    sent_at = []
    for sunday in (
        datetime(2027, 3, 21, 8, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 7, 0, tzinfo=UTC),
    ):
        world.clock.set(sunday - timedelta(minutes=1))
        await world.tick()
        world.clock.set(sunday)
        await world.tick()
        await sam.wait_for(lambda m: (m.text or "").startswith(INTRO))
        sent_at.append(checkins_of(world)[-1].sent_at)
        world.clock.advance(timedelta(days=2))
        await world.tick()  # reminder and close, out of the way
        world.clock.advance(timedelta(days=2))
        await world.tick()
    # 09:00 in Amsterdam both times: 08:00 UTC in winter time, 07:00 UTC in summer time.
    assert sent_at == [
        datetime(2027, 3, 21, 8, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 7, 0, tzinfo=UTC),
    ]


async def test_checkin_messages_go_through_the_outbox_at_checkin_priority(world: World) -> None:
    _anna, sam = await _anna_and_sam(world)
    world.clock.set(FIRST_DUE)
    await world.tick()
    await sam.next_message()
    with world.database.transaction() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == sam.id)).all()
    scheduled = [r for r in rows if r.text_key == "questions.grade"]
    assert [(r.lead_key, r.priority) for r in scheduled] == [("checkin.intro", 50)]


async def test_two_instances_share_one_schedule_without_double_sends(world: World) -> None:
    if not world.database.is_postgresql:
        pytest.skip("row locks between instances are PostgreSQL's; SQLite runs one instance")
    # Only the test's own ticks: the bot's periodic one (every 10 s of real time) could take
    # the due schedules before the "other instance" below has claimed its three.
    assert world.application.job_queue is not None
    for job in world.application.job_queue.jobs():
        job.enabled = False
    anna = await world.coach("Anna")
    clients = [await world.client(anna, name) for name in ("Sam", "Lee", "Kim", "Noor", "Bo")]
    world.clock.set(FIRST_DUE)
    other_instance = Database(world.database.url)
    try:
        with other_instance.transaction() as session:
            # The other instance has claimed three due schedules and is busy with them.
            held = checkin_store.claim_due_schedules(session, world.clock.now(), 3)
            await world.drain()
            assert len(held) == 3
            await world.tick()  # this instance takes only the two it can lock
            await world.drain()
            assert len(checkins_of(world)) == 2
    finally:
        other_instance.dispose()
    await world.tick()  # the other instance stopped without sending: its rows come free
    await world.tick()
    for person in clients:
        await person.wait_for(lambda m: question_of(m) == GRADE_Q)
    await world.drain()
    assert len(checkins_of(world)) == 5
    intros = [sum((m.text or "").startswith(INTRO) for m in p.inbox) for p in clients]
    assert intros == [1, 1, 1, 1, 1]


async def test_a_new_rhythm_during_a_pause_keeps_the_pause(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await anna.send_text("/pauze Sam")
    await anna.next_message()
    await sam.next_message()
    await anna.send_text("/ritme Sam elke 2 weken")
    assert (await anna.next_message()).text == (
        "Opgeslagen: elke 2 weken, op maandag om 10:00. "
        "De check-ins van Sam staan nog op pauze; hervatten met /hervat Sam."
    )
    await world.drain()
    assert sam.unread == []  # Sam is on holiday: not disturbed
    with world.database.transaction() as session:
        schedule = session.exec(select(CheckinSchedule)).one()
    assert (schedule.rhythm, schedule.paused, schedule.next_due_at) == ("every_2_weeks", True, None)


async def test_pausing_closes_an_open_checkin_without_a_reminder(world: World) -> None:
    anna, sam = await _anna_and_sam(world)
    await start_by_menu(sam)
    await anna.send_text("/pauze Sam")
    await anna.next_message()
    await sam.next_message()
    world.clock.advance(timedelta(hours=5))
    await world.tick()
    await world.drain()
    assert sam.unread == []  # no reminder during the holiday
    [row] = checkins_of(world)
    assert (row.status, row.wake_at) == ("unfinished", None)
    await sam.press("7")  # an old button: kindly closed
    await world.settle()
    assert sam.callback_answers[-1].text == "Deze vraag is al klaar."


async def test_oeps_typed_after_the_thanks_does_what_its_button_does(world: World) -> None:
    """ "oeps" typed under the thank-you is "← Oeps, ander antwoord": Lee presses it, Sam
    types it; both read the same, and Sam's changed answer counts, as Lee's does."""
    anna, sam = await _anna_and_sam(world)
    lee = await world.client(anna, "Lee")
    for client in (sam, lee):
        await start_by_menu(client)
        await full_checkin(client, "8", call="Ja")
        assert (
            client.inbox[-1].text
            == "Dank je wel voor je antwoorden!\nIk heb Anna gevraagd om je te bellen."
        )
    await anna.wait_for(lambda m: "Lee wil graag dat je belt" in (m.text or ""))
    world.clock.advance(timedelta(minutes=59))  # the button still works
    await lee.press("← Oeps, ander antwoord")
    pressed = await lee.next_message()
    await sam.send_text("Oeps!")
    typed = await sam.next_message()
    assert typed.text == pressed.text == "Geen probleem. Kies opnieuw.\n\n" + CALL_Q
    assert (
        labels(typed)
        == labels(pressed)
        == [
            ["Ja", "Nee"],
            ["Weet ik niet", "Overslaan"],
            ["← Vorige vraag"],
            ["🔊 Voorlezen"],
        ]
    )
    for client in (sam, lee):
        await answer(client, "Nee", THANKS)
    sam_row, lee_row = checkins_of(world)
    for row in (sam_row, lee_row):
        assert row.status == "done"
        assert row.answers == {"grade": "8", "help": "no", "call": "no"}
    await world.drain()
    withdrawn = [s for s in signals_of(world) if s.withdrawn_at is not None]
    assert sorted(s.checkin_id for s in withdrawn) == [sam_row.id, lee_row.id]
    # Nothing went to Anna as a message: no "Wil je dit naar Anna sturen?", no relay.
    assert all("sturen?" not in (m.text or "") for m in sam.inbox)
    assert world.count(Relay) == 0


async def test_oeps_typed_with_nothing_to_undo_is_a_message_for_the_coach(world: World) -> None:
    _anna, sam = await _anna_and_sam(world)
    await sam.send_text("oeps")  # never a check-in
    assert (await sam.next_message()).text == "Wil je dit naar Anna sturen?"
    await start_by_menu(sam)
    await full_checkin(sam, "8")
    [done] = checkins_of(world)
    world.clock.advance(timedelta(hours=1, minutes=1))  # the button no longer works
    await sam.send_text("oeps")
    # The first "oeps" was never answered: one question about both (dialogs.relay).
    assert (await sam.next_message()).text == "Wil je deze 2 berichten naar Anna sturen?"
    [row] = checkins_of(world)
    assert row.status == "done" and row.answers == {"grade": "8", "help": "no", "call": "no"}
    assert row.model_dump() == done.model_dump()  # not reopened, nothing changed
