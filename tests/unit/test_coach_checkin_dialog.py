"""A coach's check-in commands and buttons: rhythm, pause, resume and "check-in now".

Every outcome goes through ``keys``, which fails the test when a text key or a button label
is missing in a language, or a reply cannot be rendered with the parameters it carries (plus
``next``, which the shell adds from the results of SetSchedule and PauseCheckins).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.texts import load_texts
from bot.words import load_words
from dialogs.clients import ClientRef
from dialogs.coach_checkin import (
    COMMANDS,
    DEFAULT_TIME,
    CoachCheckinContext,
    CoachClient,
    coach_checkin_acts,
    is_schedule_button,
)
from dialogs.events import (
    Command,
    EditedMessage,
    Event,
    MenuItem,
    MenuPress,
    OtherMessage,
    Start,
    Tap,
    Text,
)
from dialogs.outcome import (
    At,
    Button,
    Outcome,
    PauseCheckins,
    Recipient,
    Reply,
    SetSchedule,
    StartCheckin,
    TextRef,
)
from dialogs.router import DialogContext, route
from dialogs.schedule import QuietHours, Rhythm, Schedule, first_day_after_change
from tests.unit.people import ANNA, SAM

# Monday 2 November 2026, 10:00 in Amsterdam (CET, UTC+1).
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# What the shell would merge in from the effects' results (Tuesday 10 November, 10:00 local).
NEXT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
TEXTS = load_texts("nl")
LANGUAGES = ("nl", "en")
WORDS = load_words("nl")["nl"]  # a Dutch coach's words, English behind them

SAM_REF = ClientRef(7, "Sam")
# Every 2 weeks on Tuesday at 09:30; the next one on Tuesday 10 November (09:30 local).
ACTIVE = Schedule(rhythm=Rhythm.EVERY_2_WEEKS, weekday=1, at=time(9, 30))
PAUSED = replace(ACTIVE, paused=True)
SAM_NEXT = datetime(2026, 11, 10, 8, 30, tzinfo=UTC)
# Resumed today, having had no check-in: Tuesday 17 November, 09:30 local.
RESUMED = datetime(2026, 11, 17, 8, 30, tzinfo=UTC)
AMS = ZoneInfo("Europe/Amsterdam")


def sam(schedule: Schedule | None = ACTIVE, **changes: Any) -> CoachClient:
    due = SAM_NEXT if schedule is not None and not schedule.paused else None
    return replace(CoachClient(SAM_REF, schedule, due), **changes)


def ctx(*clients: CoachClient, **changes: Any) -> CoachCheckinContext:
    return replace(CoachCheckinContext(clients=clients, words=WORDS), **changes)


def act(
    event: Event,
    *clients: CoachClient,
    now: datetime = NOW,
    context: CoachCheckinContext | None = None,
) -> Outcome:
    """What the dialog does; ``clients`` defaults to Sam with an active schedule."""
    if context is None:
        context = ctx(*(clients or (sam(),)))
    outcome = coach_checkin_acts(ANNA, event, now, context)
    assert outcome is not None, f"{event} was not handled"
    return outcome


def _shell_results(outcome: Outcome) -> dict[str, Any]:
    if any(isinstance(e, SetSchedule | PauseCheckins) for e in outcome.effects):
        return {"next": NEXT}
    return {}


def keys(outcome: Outcome) -> list[str]:
    """The text keys of the replies; each must exist and render in every language."""
    results = _shell_results(outcome)
    for reply in outcome.replies:
        for language in LANGUAGES:
            entry = TEXTS.entries[language].get(reply.key)
            assert entry is not None, f"no {language} text {reply.key}"
            # The dialog gives every placeholder, except what the shell adds from results.
            missing = entry.placeholders - reply.params.keys()
            assert missing <= results.keys(), f"{reply.key} misses {missing}"
            TEXTS.render(language, reply.key, {**results, **reply.params})
            # A client reads client texts, the coach reads coach texts.
            assert entry.client_facing == (reply.to is Recipient.CLIENT), reply.key
            for row in reply.buttons:
                for button in row:
                    assert button.label_key in TEXTS.entries[language], button.label_key
                    assert len(button.data.encode()) <= 64
        for value in reply.params.values():
            if isinstance(value, TextRef):
                assert all(value.key in TEXTS.entries[lang] for lang in LANGUAGES), value.key
    for key in (outcome.notice, outcome.chosen):
        if key:
            assert all(key in TEXTS.entries[lang] for lang in LANGUAGES), key
    return [reply.key for reply in outcome.replies]


def rendered(outcome: Outcome, index: int = 0, language: str = "nl") -> str:
    reply = outcome.replies[index]
    return TEXTS.render(language, reply.key, {**_shell_results(outcome), **reply.params})


def rhythm_buttons(cid: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button("coach_checkin.button.weekly", f"rt:{cid}:w1"),
            Button("coach_checkin.button.every_2_weeks", f"rt:{cid}:w2"),
        ),
        (
            Button("coach_checkin.button.every_4_weeks", f"rt:{cid}:w4"),
            Button("coach_checkin.button.every_6_weeks", f"rt:{cid}:w6"),
        ),
        (Button("coach_checkin.button.every_3_months", f"rt:{cid}:m3"),),
    )


def set_to(rhythm: Rhythm, weekday: int, at: time, client_id: int = 7) -> tuple[SetSchedule]:
    """The rhythm saved, from its first day by the rules of ``dialogs.schedule`` (Sam never
    had a check-in here: counted from today, ``NOW``)."""
    starts = first_day_after_change(NOW, rhythm=rhythm, weekday=weekday)
    return (SetSchedule(client_id, 1, rhythm.value, weekday, at, starts=starts),)


# -- the overview ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["ritme", "rhythm"])
def test_overview_of_a_client_with_a_schedule(command: str) -> None:
    outcome = act(Command(command, "Sam"))
    assert keys(outcome) == ["coach_checkin.overview"]
    assert outcome.effects == ()
    assert outcome.notice is None
    reply = outcome.replies[0]
    assert reply.to is Recipient.SENDER
    assert reply.params == {
        "client": "Sam",
        "rhythm": TextRef("coach_checkin.rhythm.every_2_weeks"),
        "weekday": TextRef("coach_checkin.weekday.tue"),
        "time": "09:30",
        "next": At(SAM_NEXT, NOW),
    }
    assert reply.buttons == (
        *rhythm_buttons(7),
        (
            Button("coach_checkin.button.pause", "rp:7:p"),
            Button("coach_checkin.button.start_now", "rn:7"),
        ),
    )
    assert rendered(outcome).startswith(
        "Sam krijgt elke 2 weken een check-in, op dinsdag om 09:30."
        " De volgende is dinsdag 10 november om 09:30."
    )
    assert rendered(outcome, language="en").startswith(
        "Sam gets a check-in every 2 weeks, on Tuesday at 09:30."
        " The next one is Tuesday, November 10 at 09:30."
    )


def test_overview_of_a_paused_client_offers_resume() -> None:
    outcome = act(Command("ritme", "Sam"), sam(PAUSED))
    assert keys(outcome) == ["coach_checkin.overview_paused"]
    reply = outcome.replies[0]
    assert reply.params == {
        "client": "Sam",
        "rhythm": TextRef("coach_checkin.rhythm.every_2_weeks"),
        "weekday": TextRef("coach_checkin.weekday.tue"),
        "time": "09:30",
    }
    assert reply.buttons == (
        *rhythm_buttons(7),
        (
            Button("coach_checkin.button.resume", "rp:7:r"),
            Button("coach_checkin.button.start_now", "rn:7"),
        ),
    )
    assert outcome.effects == ()


def test_overview_of_a_client_without_a_schedule_shows_the_defaults() -> None:
    outcome = act(Command("rhythm", "Sam"), sam(None))
    assert keys(outcome) == ["coach_checkin.overview_none"]
    reply = outcome.replies[0]
    assert reply.params == {
        "client": "Sam",
        "rhythm": TextRef("coach_checkin.rhythm.weekly"),
        "weekday": TextRef("coach_checkin.weekday.mon"),
        "time": DEFAULT_TIME.strftime("%H:%M"),
    }
    assert reply.buttons == (
        *rhythm_buttons(7),
        (
            Button("coach_checkin.button.pause", "rp:7:p"),
            Button("coach_checkin.button.start_now", "rn:7"),
        ),
    )
    assert outcome.effects == ()


def test_overview_buttons_carry_the_client_id() -> None:
    big = CoachClient(ClientRef(2**31 - 1, "Bo"), ACTIVE, SAM_NEXT)  # the largest id a row has
    outcome = act(Command("ritme", "Bo"), big)
    keys(outcome)
    data = [b.data for row in outcome.replies[0].buttons for b in row]
    assert data == [
        "rt:2147483647:w1",
        "rt:2147483647:w2",
        "rt:2147483647:w4",
        "rt:2147483647:w6",
        "rt:2147483647:m3",
        "rp:2147483647:p",
        "rn:2147483647",
    ]
    assert all(is_schedule_button(d) for d in data)
    # Each of those buttons is understood when tapped.
    for item in data:
        assert act(Tap(item), big).notice != "common.button_unknown", item


@pytest.mark.parametrize(
    "weekday, key", list(enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]))
)
def test_overview_names_every_weekday(weekday: int, key: str) -> None:
    outcome = act(Command("ritme", "Sam"), sam(replace(ACTIVE, weekday=weekday)))
    keys(outcome)
    assert outcome.replies[0].params["weekday"] == TextRef(f"coach_checkin.weekday.{key}")


@pytest.mark.parametrize("rhythm", list(Rhythm))
def test_overview_names_every_rhythm(rhythm: Rhythm) -> None:
    outcome = act(Command("ritme", "Sam"), sam(replace(ACTIVE, rhythm=rhythm)))
    keys(outcome)
    assert outcome.replies[0].params["rhythm"] == TextRef(f"coach_checkin.rhythm.{rhythm.value}")


# -- typing a rhythm -----------------------------------------------------------------------------

W1, W2, W4, W6, M3 = (
    Rhythm.WEEKLY,
    Rhythm.EVERY_2_WEEKS,
    Rhythm.EVERY_4_WEEKS,
    Rhythm.EVERY_6_WEEKS,
    Rhythm.EVERY_3_MONTHS,
)


@pytest.mark.parametrize(
    "typed, rhythm, weekday, at",
    [
        ("elke 2 weken dinsdag 10:00", W2, 1, time(10)),
        ("Elke 2 Weken DINSDAG 10:00", W2, 1, time(10)),
        ("  elke   2   weken   dinsdag   10:00  ", W2, 1, time(10)),
        ("every 3 months", M3, 0, time(10)),
        ("elke 3 maanden", M3, 0, time(10)),
        ("3 maanden", M3, 0, time(10)),
        ("waakvlam", M3, 0, time(10)),
        ("Kwartaal", M3, 0, time(10)),
        ("13 weken", M3, 0, time(10)),
        ("every 13 weeks", M3, 0, time(10)),
        ("elke 6 weken op vrijdag om 15:45", W6, 4, time(15, 45)),
        ("every 6 weeks on friday at 9h", W6, 4, time(9)),
        ("4 weken", W4, 0, time(10)),
        ("every 4 weeks", W4, 0, time(10)),
        ("tweewekelijks", W2, 0, time(10)),
        ("biweekly", W2, 0, time(10)),
        ("elke week", W1, 0, time(10)),
        ("every week", W1, 0, time(10)),
        ("wekelijks", W1, 0, time(10)),
        ("weekly", W1, 0, time(10)),
        ("week", W1, 0, time(10)),
        ("di 9.30", W1, 1, time(9, 30)),
        ("14u", W1, 0, time(14)),
        ("9u30", W1, 0, time(9, 30)),
        ("10uur", W1, 0, time(10)),
        ("10.15u", W1, 0, time(10, 15)),
        ("20:59", W1, 0, time(20, 59)),
        # The words after an hour are the coach's (words.yaml): "uur", "u", "'s avonds", "pm".
        ("elke week zaterdag 9 uur", W1, 5, time(9)),
        ("zaterdag om 9 uur", W1, 5, time(9)),
        ("10 uur", W1, 0, time(10)),
        ("9.30 uur", W1, 0, time(9, 30)),
        ("09:00", W1, 0, time(9)),
        ("4 uur 's middags", W1, 0, time(16)),
        ("8 uur 's ochtends", W1, 0, time(8)),
        ("2 uur ’s middags", W1, 0, time(14)),  # a phone's curly apostrophe
        ("20 uur", W1, 0, time(20)),
        ("every week on saturday at 2pm", W1, 5, time(14)),
        ("saturday 2.30 pm", W1, 5, time(14, 30)),
        ("saturday 11 a.m.", W1, 5, time(11)),
        ("9 o'clock", W1, 0, time(9)),
        ("dinsdag", W1, 1, time(10)),
        ("zo", W1, 6, time(10)),
        ("saturday", W1, 5, time(10)),
        ("om 11:15", W1, 0, time(11, 15)),
        ("donderdag elke 4 weken", W4, 3, time(10)),  # any order
        ("10:00 wo every 2 weeks", W2, 2, time(10)),
    ],
)
def test_a_typed_rhythm_for_a_client_without_schedule(
    typed: str, rhythm: Rhythm, weekday: int, at: time
) -> None:
    outcome = act(Command("ritme", f"Sam {typed}"), sam(None))
    assert keys(outcome) == ["coach_checkin.changed", "checkin.schedule_changed"]
    assert outcome.effects == set_to(rhythm, weekday, at)


@pytest.mark.parametrize(
    "typed, rhythm, weekday, at",
    [
        ("dinsdag", W4, 1, time(15)),  # only the weekday changes
        ("11:15", W4, 3, time(11, 15)),  # only the time
        ("elke week", W1, 3, time(15)),  # only the rhythm
        ("ma 8u", W4, 0, time(8)),
        ("waakvlam zondag 12:00", M3, 6, time(12)),
    ],
)
def test_what_is_not_typed_stays_as_it_was(
    typed: str, rhythm: Rhythm, weekday: int, at: time
) -> None:
    current = Schedule(rhythm=W4, weekday=3, at=time(15))
    outcome = act(Command("rhythm", f"Sam {typed}"), sam(current))
    keys(outcome)
    assert outcome.effects == set_to(rhythm, weekday, at)


def test_a_typed_rhythm_tells_the_coach_and_the_client() -> None:
    outcome = act(Command("ritme", "Sam elke 2 weken dinsdag 10:00"), sam(None))
    # Counted from today (no check-in yet): the Tuesday nearest two weeks on, 17 November.
    first = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    assert outcome.effects == (
        SetSchedule(7, 1, "every_2_weeks", 1, time(10), starts=first.date()),
    )
    assert outcome.notice == "coach_checkin.saved"
    coach, client = outcome.replies
    assert coach == Reply(
        "coach_checkin.changed",
        {
            "client": "Sam",
            "rhythm": TextRef("coach_checkin.rhythm.every_2_weeks"),
            "weekday": TextRef("coach_checkin.weekday.tue"),
            "time": "10:00",
            "next": At(first, NOW),
        },
    )
    assert client == Reply(
        "checkin.schedule_changed",
        {
            "coach": "Anna",
            "rhythm": TextRef("checkin.rhythm.every_2_weeks"),
            "weekday": TextRef("checkin.weekday.tue"),
            "next": At(first, NOW),
        },
        to=Recipient.CLIENT,
    )
    assert rendered(outcome) == (
        "Opgeslagen. Sam krijgt elke 2 weken een check-in, op dinsdag om 10:00."
        " De volgende is dinsdag 17 november om 10 uur."
    )
    assert rendered(outcome, 1) == (
        "Anna heeft veranderd hoe vaak je de vragen krijgt.\n"
        "Je krijgt ze nu elke 2 weken, op dinsdag.\n"
        "De volgende keer is dinsdag 17 november om 10 uur."
    )
    assert "Anna changed how often you get the questions." in rendered(outcome, 1, "en")


def test_only_a_new_time_is_told_as_a_new_time_and_the_same_rhythm_changes_nothing() -> None:
    moved = act(Command("ritme", "Sam 11:00"))
    assert keys(moved) == ["coach_checkin.changed", "checkin.schedule_moment_changed"]
    assert rendered(moved, 1).startswith("Anna heeft de dag of de tijd van je vragen veranderd.")
    same = act(Tap("rt:7:w2"))  # Sam already gets one every 2 weeks, Tuesday 09:30
    assert keys(same) == ["coach_checkin.unchanged"]
    assert same.effects == ()
    assert rendered(same) == (
        "Sam krijgt al elke 2 weken een check-in, op dinsdag om 09:30. Er verandert niets."
        " De volgende is dinsdag 10 november om 09:30."
    )


def test_a_typed_rhythm_for_a_paused_client_is_saved_as_well() -> None:
    outcome = act(Command("ritme", "Sam elke week"), sam(PAUSED))
    keys(outcome)
    assert outcome.effects == set_to(W1, 1, time(9, 30))


@pytest.mark.parametrize(
    "typed",
    [
        "soms",
        "blabla",
        "elke",  # only filler words
        "om",
        "de the on at",
        "elke 5 weken",  # not a rhythm: "weken" is left over
        "every 3 weeks",
        "elke 2 maanden",
        "elke week extra",  # leftover words
        "dinsdag blabla",
        "elke 2 weken dinsdag donderdag",  # a second weekday
        "maandag maandag",
        "10:00 11:00",  # a second time
        "25:00",
        "24:00",
        "10:60",
        "9:5",
        "10",  # an hour alone is no time
        "uur",
        "9 uur uur",
        "9 uur 10 uur",
        "14 pm",
        "0 am",
        "9 am pm",
        "25 uur",
        "9x30",
        "elke 2 weken 10:00 graag",
    ],
)
def test_a_rhythm_that_is_not_understood_changes_nothing(typed: str) -> None:
    outcome = act(Command("ritme", f"Sam {typed}"))
    assert keys(outcome) == ["coach_checkin.rhythm_not_understood"]
    assert outcome.replies[0].params == {"client": "Sam"}
    assert outcome.effects == ()
    assert outcome.notice is None


@pytest.mark.parametrize("typed", ["21 uur", "9 uur 's avonds", "21u", "9 pm", "11 pm"])
def test_a_typed_hour_in_the_quiet_hours_is_understood_and_refused(typed: str) -> None:
    outcome = act(Command("ritme", f"Sam elke week zaterdag {typed}"), sam(None))
    assert keys(outcome) == ["coach_checkin.time_quiet"]
    assert outcome.effects == ()


def test_a_number_without_clock_marks_is_not_a_time() -> None:
    outcome = act(Command("ritme", "Sam elke 2 week"), sam(None))
    assert outcome.effects != set_to(W1, 0, time(2))


# -- buttons ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code, rhythm", [("w1", W1), ("w4", W4), ("w6", W6), ("m3", M3)])
def test_a_rhythm_button_keeps_weekday_and_time(code: str, rhythm: Rhythm) -> None:
    outcome = act(Tap(f"rt:7:{code}"))
    assert keys(outcome) == ["coach_checkin.changed", "checkin.schedule_changed"]
    assert outcome.effects == set_to(rhythm, 1, time(9, 30))
    assert outcome.notice == "coach_checkin.saved"
    assert outcome.replies[1].to is Recipient.CLIENT
    starts = first_day_after_change(NOW, rhythm=rhythm, weekday=1)
    due = datetime.combine(starts, time(9, 30), tzinfo=AMS).astimezone(UTC)
    assert outcome.replies[1].params == {
        "coach": "Anna",
        "rhythm": TextRef(f"checkin.rhythm.{rhythm.value}"),
        "weekday": TextRef("checkin.weekday.tue"),
        "next": At(due, NOW),
    }


def test_a_rhythm_button_without_schedule_uses_monday_at_ten() -> None:
    outcome = act(Tap("rt:7:m3"), sam(None))
    keys(outcome)
    assert outcome.effects == set_to(M3, 0, DEFAULT_TIME)


def test_a_rhythm_button_for_a_paused_client_is_saved() -> None:
    outcome = act(Tap("rt:7:w6"), sam(PAUSED))
    keys(outcome)
    assert outcome.effects == set_to(W6, 1, time(9, 30))


def test_the_pause_button_pauses() -> None:
    outcome = act(Tap("rp:7:p"))
    assert keys(outcome) == ["coach_checkin.paused", "checkin.paused"]
    assert outcome.effects == (PauseCheckins(7, 1, True),)
    assert outcome.notice == "coach_checkin.saved"
    coach, client = outcome.replies
    assert coach.to is Recipient.SENDER
    assert coach.params["client"] == "Sam"
    assert client.to is Recipient.CLIENT
    assert client.params["coach"] == "Anna"
    assert rendered(outcome, 1) == (
        "De vragen staan even op pauze.\nJe kunt Anna altijd een bericht sturen."
    )


def test_the_resume_button_resumes() -> None:
    outcome = act(Tap("rp:7:r"), sam(PAUSED))
    assert keys(outcome) == ["coach_checkin.resumed", "checkin.resumed"]
    # No check-in yet: counted from today, the Tuesday nearest two weeks on (no catching up).
    assert outcome.effects == (PauseCheckins(7, 1, False, starts=RESUMED.date()),)
    assert outcome.notice == "coach_checkin.saved"
    coach, client = outcome.replies
    assert coach.params == {
        "client": "Sam",
        "rhythm": TextRef("coach_checkin.rhythm.every_2_weeks"),
        "weekday": TextRef("coach_checkin.weekday.tue"),
        "time": "09:30",
        "next": At(RESUMED, NOW),
    }
    assert client.to is Recipient.CLIENT
    assert client.params["coach"] == "Anna"
    assert (
        rendered(outcome, 1)
        == "De vragen gaan weer verder.\nDe volgende keer is dinsdag 17 november om 09:30."
    )


@pytest.mark.parametrize("data, schedule", [("rp:7:p", ACTIVE), ("rp:7:r", PAUSED)])
def test_a_client_reply_only_refers_to_client_texts(data: str, schedule: Schedule) -> None:
    outcome = act(Tap(data), sam(schedule))
    client = outcome.replies[1]
    refs = [v.key for v in client.params.values() if isinstance(v, TextRef)]
    assert all(TEXTS.entries["nl"][key].client_facing for key in refs), refs


def test_pausing_a_paused_client_changes_nothing() -> None:
    outcome = act(Tap("rp:7:p"), sam(PAUSED))
    assert keys(outcome) == ["coach_checkin.already_paused"]
    assert outcome.replies[0].params == {"client": "Sam"}
    assert outcome.effects == ()
    assert outcome.notice is None


def test_resuming_a_running_schedule_changes_nothing() -> None:
    outcome = act(Tap("rp:7:r"))
    assert keys(outcome) == ["coach_checkin.not_paused"]
    assert outcome.replies[0].params == {"client": "Sam"}
    assert outcome.effects == ()


@pytest.mark.parametrize("data", ["rp:7:p", "rp:7:r"])
def test_pause_or_resume_without_schedule_shows_that_there_is_none(data: str) -> None:
    outcome = act(Tap(data), sam(None))
    assert keys(outcome) == ["coach_checkin.overview_none"]
    assert outcome.effects == ()


def test_the_start_now_button_starts_a_checkin() -> None:
    outcome = act(Tap("rn:7"))
    assert keys(outcome) == ["coach_checkin.started"]
    assert outcome.effects == (StartCheckin(7, "coach"),)
    assert outcome.replies[0].params == {"client": "Sam"}


def test_buttons_act_on_the_client_they_name() -> None:
    bo = CoachClient(ClientRef(8, "Bo"), Schedule(rhythm=W1, weekday=4, at=time(11)), NEXT)
    outcome = act(Tap("rt:8:w4"), sam(), bo)
    keys(outcome)
    assert outcome.effects == set_to(W4, 4, time(11), client_id=8)
    assert outcome.replies[0].params["client"] == "Bo"
    assert act(Tap("rp:8:p"), sam(), bo).effects == (PauseCheckins(8, 1, True),)
    assert act(Tap("rn:8"), sam(), bo).effects == (StartCheckin(8, "coach"),)


@pytest.mark.parametrize("data", ["rt:99:w1", "rp:99:p", "rp:99:r", "rn:99", "rn:70", "rn:0"])
def test_a_button_for_a_client_not_in_the_coachs_list_is_refused(data: str) -> None:
    outcome = act(Tap(data))
    assert outcome == Outcome(notice="common.button_unknown")
    keys(outcome)


@pytest.mark.parametrize("data", ["rt:7:w1", "rp:7:p", "rn:7"])
def test_a_coach_without_clients_cannot_use_any_button(data: str) -> None:
    assert act(Tap(data), context=ctx()) == Outcome(notice="common.button_unknown")


@pytest.mark.parametrize(
    "data",
    [
        "rt:",
        "rp:",
        "rn:",
        "rt::w1",
        "rt:7",  # a rhythm button needs a rhythm
        "rp:7",  # a pause button needs p or r
        "rt:7:",
        "rt:7:w3",  # unknown rhythm codes
        "rt:7:w5",
        "rt:7:m1",
        "rt:7:W1",
        "rt:7:p",  # the arg of another kind of button
        "rt:7:r",
        "rp:7:w1",
        "rp:7:x",
        "rp:7:P",
        "rn:7:p",  # start-now takes no arg
        "rn:7:r",
        "rn:7:w1",
        "rn:7:",
        "rt:abc:w1",  # letters
        "rt:7a:w1",
        "rn:x7",
        "rt:-7:w1",
        "rt:+7:w1",
        "rt: 7:w1",
        "rn:٧",  # a digit, but not an ASCII one
        "rt:1234567890123:w1",  # too long: 13 digits
        "rn:0000000000007",
        "rt:7:w1:extra",
        "rt:7:w1 ",
        "rt:7:w1\n",
        "rn:7\x00",
        "rt:7:" + "w1" * 40,
    ],
)
def test_malformed_button_data_is_refused(data: str) -> None:
    assert act(Tap(data)) == Outcome(notice="common.button_unknown")


@pytest.mark.parametrize("data", ["rt:7:w1", "rp:7:p", "rn:7", "rt:", "rn:anything"])
def test_schedule_buttons_are_recognised(data: str) -> None:
    assert is_schedule_button(data)


@pytest.mark.parametrize("data", ["", "r", "rt", "rx:7", " rt:7:w1", "RT:7:w1", "ci:1:2:3", "nk:1"])
def test_other_button_data_is_not_a_schedule_button(data: str) -> None:
    assert not is_schedule_button(data)
    assert coach_checkin_acts(ANNA, Tap(data), NOW, ctx(sam())) is None


# -- pause and resume commands --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["pauze", "pause"])
def test_the_pause_command_pauses(command: str) -> None:
    outcome = act(Command(command, "Sam"))
    assert keys(outcome) == ["coach_checkin.paused", "checkin.paused"]
    assert outcome.effects == (PauseCheckins(7, 1, True),)
    assert "Hervatten: /hervat Sam" in rendered(outcome)


@pytest.mark.parametrize("command", ["hervat", "resume"])
def test_the_resume_command_resumes(command: str) -> None:
    outcome = act(Command(command, "sam"), sam(PAUSED))
    assert keys(outcome) == ["coach_checkin.resumed", "checkin.resumed"]
    assert outcome.effects == (PauseCheckins(7, 1, False, starts=RESUMED.date()),)
    assert rendered(outcome) == (
        "De check-ins van Sam gaan weer door: elke 2 weken, op dinsdag om 09:30."
        " De volgende is dinsdag 17 november om 09:30."
    )


@pytest.mark.parametrize("command", ["pauze", "pause"])
def test_pausing_twice_says_so(command: str) -> None:
    outcome = act(Command(command, "Sam"), sam(PAUSED))
    assert keys(outcome) == ["coach_checkin.already_paused"]
    assert outcome.effects == ()


@pytest.mark.parametrize("command", ["hervat", "resume"])
def test_resuming_what_runs_says_so(command: str) -> None:
    outcome = act(Command(command, "Sam"))
    assert keys(outcome) == ["coach_checkin.not_paused"]
    assert outcome.effects == ()


@pytest.mark.parametrize("command", ["pauze", "hervat"])
def test_pause_commands_without_schedule_change_nothing(command: str) -> None:
    outcome = act(Command(command, "Sam"), sam(None))
    assert keys(outcome) == ["coach_checkin.overview_none"]
    assert outcome.effects == ()


# -- check-in now -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event", [Command("checkin", "Sam"), Command("vragen", "Sam"), Tap("rn:7")]
)
def test_start_now(event: Event) -> None:
    outcome = act(event)
    assert keys(outcome) == ["coach_checkin.started"]
    assert outcome.effects == (StartCheckin(client_id=7, origin="coach"),)
    assert outcome.replies[0].params == {"client": "Sam"}
    assert rendered(outcome).startswith("Ik stuur Sam nu de vragen.")


@pytest.mark.parametrize("schedule", [None, PAUSED])
def test_start_now_does_not_need_a_running_schedule(schedule: Schedule | None) -> None:
    assert act(Command("checkin", "Sam"), sam(schedule)).effects == (StartCheckin(7, "coach"),)


@pytest.mark.parametrize("event", [Command("checkin", "Sam"), Tap("rn:7")])
def test_start_now_while_a_checkin_is_open_sends_no_second(event: Event) -> None:
    outcome = act(event, sam(open_checkin=True))
    assert keys(outcome) == ["coach_checkin.already_open"]
    assert outcome.replies[0].params == {"client": "Sam"}
    assert outcome.effects == ()


# Sam's chat refuses the bot's messages (403) since Monday 9 November (dialogs.reachability).
BLOCKED = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
PHONE = "+31612345678"  # Sam's stored number: the 📵 lines name it ("Bel Sam: +31 6 12345678")


@pytest.mark.parametrize(
    "event", [Command("checkin", "Sam"), Command("vragen", "Sam"), Tap("rn:7")]
)
def test_start_now_for_a_client_who_cannot_get_messages_sends_nothing_and_says_so(
    event: Event,
) -> None:
    """The coach reads what is true (no "Ik stuur Sam nu de vragen" before a send that
    fails), and what to do; as soon as Sam wrote again (the mark cleared) it works as before."""
    later = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    outcome = act(event, sam(unreachable_since=BLOCKED, phone=PHONE), now=later)
    assert keys(outcome) == ["client_card.unreachable"]
    assert outcome.effects == ()
    assert [reply.to for reply in outcome.replies] == [Recipient.SENDER]
    line = (
        "📵 Sinds 9 november kan Sam geen berichten van mij krijgen: misschien heeft Sam mij "
        "geblokkeerd of de chat gestopt. Check-ins wachten tot Sam weer bereikbaar is. "
    )
    assert rendered(outcome) == f"{line}Bel Sam: +31 6 12345678"
    no_number = act(event, sam(unreachable_since=BLOCKED), now=later)  # never "Bel Sam" then
    assert keys(no_number) == ["client_card.unreachable_no_phone"]
    assert rendered(no_number) == (
        f"{line}Ik heb geen telefoonnummer van Sam. Probeer Sam op een andere manier te bereiken."
    )
    assert rendered(outcome, language="en").startswith(
        "📵 Since November 9, Sam cannot get messages from me"
    )
    again = act(event, sam(), now=later)
    assert keys(again) == ["coach_checkin.started"]
    assert again.effects == (StartCheckin(7, "coach"),)


def test_a_client_who_cannot_get_messages_is_reported_before_an_open_checkin_or_quiet_hours() -> (
    None
):
    late = datetime(2026, 11, 10, 22, 0, tzinfo=UTC)  # 23:00 in Amsterdam
    blocked = sam(unreachable_since=BLOCKED, open_checkin=True, phone=PHONE)
    assert keys(act(Command("checkin", "Sam"), blocked, now=late)) == ["client_card.unreachable"]


def test_only_check_in_now_waits_for_a_client_who_cannot_get_messages() -> None:
    """The rhythm, a pause and the overview are the coach's own plans: they still work."""
    blocked = sam(unreachable_since=BLOCKED, phone=PHONE)
    assert keys(act(Command("ritme", "Sam"), blocked)) == ["coach_checkin.overview"]
    paused = act(Tap("rp:7:p"), blocked)  # saved; Sam is sent nothing (it could not arrive)
    assert keys(paused) == ["coach_checkin.not_told"]
    assert paused.replies[0].lead == "coach_checkin.paused"


def test_the_overview_of_a_client_who_cannot_get_messages_offers_no_check_in_now() -> None:
    """Anna reads /ritme Sam: no "📋 Nu een check-in" while it could not arrive, and "De
    volgende is ..." says what is true (it only goes out once Sam wrote again)."""
    outcome = act(Command("ritme", "Sam"), sam(unreachable_since=BLOCKED))
    assert keys(outcome) == ["coach_checkin.overview"]
    assert outcome.replies[0].buttons == (
        *rhythm_buttons(7),
        (Button("coach_checkin.button.pause", "rp:7:p"),),
    )
    assert rendered(outcome).startswith(
        "Sam krijgt elke 2 weken een check-in, op dinsdag om 09:30. De volgende is dinsdag "
        "10 november om 09:30, als Sam dan weer bereikbaar is.\n"
    )
    assert rendered(outcome, language="en").startswith(
        "Sam gets a check-in every 2 weeks, on Tuesday at 09:30. The next one is Tuesday, "
        "November 10 at 09:30, if Sam can be reached by then.\n"
    )
    again = act(Command("ritme", "Sam"), sam())  # Sam wrote again: the mark is cleared
    assert Button("coach_checkin.button.start_now", "rn:7") in again.replies[0].buttons[-1]
    assert "als Sam mij" not in rendered(again)


@pytest.mark.parametrize(
    ("event", "client", "key"),
    [
        (Command("ritme", "Sam elke week"), sam(), "coach_checkin.changed"),
        (Command("ritme", "Sam elke 2 weken dinsdag 9.30"), sam(), "coach_checkin.unchanged"),
        (Tap("rp:7:r"), sam(PAUSED), "coach_checkin.resumed"),
    ],
)
def test_the_next_check_in_told_for_a_client_who_cannot_get_messages_waits_for_them(
    event: Event, client: CoachClient, key: str
) -> None:
    """ "Opgeslagen. Sam krijgt elke week een check-in ... De volgende is ..." is only true
    with "als Sam dan weer bereikbaar is" while check-ins wait (``checkins_wait``);
    what Sam is told does not change."""
    blocked = act(event, replace(client, unreachable_since=BLOCKED))
    if blocked.replies[0].lead is not None:  # changed, resumed: "📵 Sam krijgt hier geen ..."
        blocked = replace(blocked, replies=(replace(blocked.replies[0], key=key, lead=None),))
    plain = act(event, client)
    plain = replace(plain, replies=plain.replies[:1])  # what Sam is told: not while marked
    assert keys(blocked)[0] == keys(plain)[0] == key
    assert rendered(blocked).endswith(", als Sam dan weer bereikbaar is.")
    assert rendered(blocked, language="en").endswith(", if Sam can be reached by then.")
    assert rendered(blocked) == rendered(plain)[:-1] + ", als Sam dan weer bereikbaar is."
    assert blocked.effects == plain.effects


def test_an_open_checkin_is_reported_before_quiet_hours() -> None:
    late = datetime(2026, 11, 2, 22, 0, tzinfo=UTC)  # 23:00 in Amsterdam
    outcome = act(Command("checkin", "Sam"), sam(open_checkin=True), now=late)
    assert keys(outcome) == ["coach_checkin.already_open"]


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 2, 21, 30, tzinfo=UTC),  # 22:30 in Amsterdam (CET)
        datetime(2026, 11, 3, 6, 59, tzinfo=UTC),  # 07:59 in Amsterdam
        datetime(2026, 11, 2, 20, 0, tzinfo=UTC),  # 21:00 in Amsterdam: quiet starts
        datetime(2026, 11, 2, 23, 0, tzinfo=UTC),  # midnight in Amsterdam
        datetime(2026, 7, 6, 5, 59, tzinfo=UTC),  # 07:59 in Amsterdam (CEST, UTC+2)
        datetime(2026, 7, 6, 19, 30, tzinfo=UTC),  # 21:30 in Amsterdam (CEST)
    ],
)
@pytest.mark.parametrize("event", [Command("checkin", "Sam"), Tap("rn:7")])
def test_no_checkin_in_quiet_hours(now: datetime, event: Event) -> None:
    outcome = act(event, now=now)
    assert keys(outcome) == ["coach_checkin.quiet_now"]
    assert outcome.replies[0].params == {"client": "Sam", "start": "21:00", "end": "08:00"}
    assert outcome.effects == ()
    assert "rusttijd (21:00–08:00)" in rendered(outcome)
    assert "Try after 08:00" in rendered(outcome, language="en")


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 3, 7, 0, tzinfo=UTC),  # 08:00 in Amsterdam: quiet is over
        datetime(2026, 11, 2, 19, 59, tzinfo=UTC),  # 20:59 in Amsterdam
        datetime(2026, 7, 6, 6, 0, tzinfo=UTC),  # 08:00 in Amsterdam (CEST)
        datetime(2026, 11, 2, 12, 30, tzinfo=UTC),  # 13:30 in Amsterdam
    ],
)
def test_checkin_now_in_waking_hours(now: datetime) -> None:
    outcome = act(Command("vragen", "Sam"), now=now)
    assert keys(outcome) == ["coach_checkin.started"]
    assert outcome.effects == (StartCheckin(7, "coach"),)


def test_quiet_hours_and_timezone_come_from_the_context() -> None:
    quiet = QuietHours(start=time(22), end=time(7))
    context = ctx(sam(), quiet=quiet, timezone="UTC")
    evening = datetime(2026, 11, 2, 21, 30, tzinfo=UTC)  # 21:30 UTC: not quiet here
    assert act(Command("checkin", "Sam"), context=context, now=evening).effects == (
        StartCheckin(7, "coach"),
    )
    night = datetime(2026, 11, 2, 22, 30, tzinfo=UTC)
    outcome = act(Command("checkin", "Sam"), context=context, now=night)
    assert keys(outcome) == ["coach_checkin.quiet_now"]
    assert outcome.replies[0].params == {"client": "Sam", "start": "22:00", "end": "07:00"}


def test_no_quiet_hours_at_all() -> None:
    context = ctx(sam(), quiet=QuietHours(start=time(0), end=time(0)))
    night = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
    assert act(Command("checkin", "Sam"), context=context, now=night).effects == (
        StartCheckin(7, "coach"),
    )


# -- naming the client ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [("josé", "Jose"), ("jose", "José"), ("JOSÉ", "josé"), ("Jose\u0301", "José")],
)
def test_names_ignore_case_and_accents(typed: str, stored: str) -> None:
    jose = CoachClient(ClientRef(9, stored), ACTIVE, SAM_NEXT)
    outcome = act(Command("ritme", typed), sam(), jose)
    assert keys(outcome) == ["coach_checkin.overview"]
    assert outcome.replies[0].params["client"] == stored  # the stored spelling is shown
    assert act(Command("pauze", typed), sam(), jose).effects == (PauseCheckins(9, 1, True),)


@pytest.mark.parametrize("order", [0, 1])
def test_the_longest_name_wins(order: int) -> None:
    vries = CoachClient(ClientRef(8, "Sam de Vries"), ACTIVE, SAM_NEXT)
    clients = (sam(), vries) if order == 0 else (vries, sam())
    overview = act(Command("ritme", "Sam de Vries"), *clients)
    assert overview.replies[0].buttons[0][0].data == "rt:8:w1"
    assert act(Command("ritme", "sam de vries elke week"), *clients).effects == set_to(
        W1, 1, time(9, 30), client_id=8
    )
    assert act(Command("ritme", "Sam elke week"), *clients).effects == set_to(W1, 1, time(9, 30))
    assert act(Command("checkin", "Sam de Vries"), *clients).effects == (StartCheckin(8, "coach"),)
    assert act(Command("checkin", "Sam"), *clients).effects == (StartCheckin(7, "coach"),)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_two_clients_with_the_same_name_are_asked_about(command: str) -> None:
    twin = CoachClient(ClientRef(9, "Sam"), ACTIVE, SAM_NEXT)
    bo = CoachClient(ClientRef(8, "Bo"), ACTIVE, SAM_NEXT)
    outcome = act(Command(command, "Sam elke week"), sam(), bo, twin)
    assert keys(outcome) == ["coach_checkin.which_client"]
    assert outcome.replies[0].params == {"names": "Sam, Sam", "command": command, "example": "Sam"}
    assert outcome.effects == ()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unknown_name_lists_the_coachs_clients(command: str) -> None:
    bo = CoachClient(ClientRef(8, "Bo"), ACTIVE, SAM_NEXT)
    outcome = act(Command(command, "Piet elke week"), sam(), bo)
    assert keys(outcome) == ["coach_checkin.which_client"]
    assert outcome.replies[0].params == {"names": "Sam, Bo", "command": command, "example": "Sam"}
    assert outcome.effects == ()


@pytest.mark.parametrize("args", ["", "   "])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_name_lists_the_coachs_clients(command: str, args: str) -> None:
    outcome = act(Command(command, args))  # even when there is only one client
    assert keys(outcome) == ["coach_checkin.which_client"]
    assert outcome.replies[0].params == {"names": "Sam", "command": command, "example": "Sam"}
    text = rendered(outcome)
    assert f"/{command} Sam" in text
    assert "Jouw cliënten: Sam" in text


@pytest.mark.parametrize("args", ["", "Sam", "Sam elke week"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_coach_without_clients_is_told_so(command: str, args: str) -> None:
    outcome = act(Command(command, args), context=ctx())
    assert keys(outcome) == ["coach_checkin.no_clients"]
    assert outcome.replies[0].params == {}
    assert outcome.effects == ()


@pytest.mark.parametrize("command", ["checkin", "pauze"])
def test_words_after_the_name_of_a_pause_or_start_are_not_ignored(command: str) -> None:
    jong = CoachClient(ClientRef(8, "Sam de Jong"), ACTIVE, SAM_NEXT)
    outcome = act(Command(command, "Sam de Jongg"), sam(), jong)  # a typo for Sam de Jong
    assert outcome.effects == ()


# -- not a check-in command ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        Command("nieuw", "Sam"),
        Command("help"),
        Command("start", "Sam"),
        Command("Ritme", "Sam"),  # the shell lower-cases command names
        Command("ritmes", "Sam"),
        Text("ritme Sam"),
        Text("/ritme Sam"),
        Start(),
        Start("abc"),
        MenuPress(MenuItem.HELP),
        MenuPress(MenuItem.NEW_CLIENT),
        OtherMessage("photo"),
        EditedMessage(),
        Tap("ci:1:2:3"),
        Tap("nk:1:accident"),
    ],
)
def test_other_events_are_not_handled(event: Event) -> None:
    assert coach_checkin_acts(ANNA, event, NOW, ctx(sam())) is None
    assert coach_checkin_acts(ANNA, event, NOW, ctx()) is None


def test_the_commands() -> None:
    assert {
        "ritme",
        "rhythm",
        "pauze",
        "pause",
        "hervat",
        "resume",
        "checkin",
        "vragen",
    } == COMMANDS


# -- through the router ---------------------------------------------------------------------------


def test_the_router_hands_a_coachs_command_to_this_dialog() -> None:
    context = DialogContext(coach_checkin=ctx(sam()))
    outcome = route(ANNA, Command("ritme", "Sam elke week"), NOW, context)
    assert outcome.effects == set_to(W1, 1, time(9, 30))
    outcome = route(ANNA, Tap("rn:7"), NOW, context)
    assert outcome.effects == (StartCheckin(7, "coach"),)


def test_the_router_refuses_schedule_buttons_of_a_client_or_an_inactive_coach() -> None:
    context = DialogContext(coach_checkin=ctx(sam()))
    inactive = replace(ANNA, coach_active=False)
    for person in (SAM, inactive):
        for data in ("rt:7:w1", "rp:7:p", "rn:7"):
            outcome = route(person, Tap(data), NOW, context)
            assert outcome.effects == ()
            assert outcome.notice == "common.button_unknown"


# -- texts ----------------------------------------------------------------------------------------


def test_every_text_the_dialog_can_name_exists_in_every_language() -> None:
    names = [
        *(f"coach_checkin.rhythm.{r.value}" for r in Rhythm),
        *(f"coach_checkin.button.{r.value}" for r in Rhythm),
        *(f"checkin.rhythm.{r.value}" for r in Rhythm),
        *(f"{p}.weekday.{d}" for p in ("coach_checkin", "checkin") for d in ("mon", "tue", "wed")),
        *(f"{p}.weekday.{d}" for p in ("coach_checkin", "checkin") for d in ("thu", "fri")),
        *(f"{p}.weekday.{d}" for p in ("coach_checkin", "checkin") for d in ("sat", "sun")),
        "coach_checkin.button.pause",
        "coach_checkin.button.resume",
        "coach_checkin.button.start_now",
        "coach_checkin.saved",
        "common.button_unknown",
    ]
    for language in LANGUAGES:
        missing = [key for key in names if key not in TEXTS.entries[language]]
        assert missing == [], language
        for key in names:
            TEXTS.render(language, key)


def _every_outcome() -> list[Outcome]:
    late = datetime(2026, 11, 2, 21, 30, tzinfo=UTC)
    bo = CoachClient(ClientRef(8, "Bo"), ACTIVE, SAM_NEXT)
    twin = CoachClient(ClientRef(9, "Sam"), ACTIVE, SAM_NEXT)
    events: list[Event] = [
        *(Command(c, "Sam") for c in sorted(COMMANDS)),
        Command("ritme", "Sam elke 2 weken dinsdag 10:00"),
        Command("ritme", "Sam blabla"),
        *(Tap(f"rt:7:{c}") for c in ("w1", "w2", "w4", "w6", "m3")),
        Tap("rp:7:p"),
        Tap("rp:7:r"),
        Tap("rn:7"),
        Tap("rn:99"),
    ]
    outcomes = []
    blocked = sam(unreachable_since=BLOCKED, phone=PHONE)
    no_number = sam(unreachable_since=BLOCKED)
    for client in (sam(), sam(PAUSED), sam(None), sam(open_checkin=True), blocked, no_number):
        for event in events:
            outcomes.append(act(event, client))
            outcomes.append(act(event, client, now=late))
    outcomes.append(act(Command("ritme", "Sam"), sam(), twin))
    outcomes.append(act(Command("ritme", "Piet"), sam(), bo))
    outcomes.append(act(Command("ritme", ""), context=ctx()))
    return outcomes


def test_every_reply_renders_in_every_language() -> None:
    seen: set[str] = set()
    for outcome in _every_outcome():
        seen.update(keys(outcome))
        if outcome.notice:
            seen.add(outcome.notice)
    assert seen == {
        "coach_checkin.overview",
        "coach_checkin.overview_paused",
        "coach_checkin.overview_none",
        "coach_checkin.changed",
        "coach_checkin.changed_paused",
        "checkin.schedule_changed",
        "checkin.schedule_moment_changed",
        "coach_checkin.unchanged",
        "coach_checkin.paused",
        "checkin.paused",
        "coach_checkin.resumed",
        "checkin.resumed",
        "coach_checkin.already_paused",
        "coach_checkin.not_paused",
        "coach_checkin.rhythm_not_understood",
        "coach_checkin.which_client",
        "coach_checkin.no_clients",
        "coach_checkin.already_open",
        "coach_checkin.quiet_now",
        "coach_checkin.started",
        "client_card.unreachable",
        "client_card.unreachable_no_phone",
        "coach_checkin.not_told",
        "coach_checkin.not_told_no_phone",
        "coach_checkin.saved",
        "common.button_unknown",
    }
