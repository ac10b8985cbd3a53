"""The noodknop dialog as transcripts of text keys, with a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.texts import load_texts
from dialogs import help_words, noodknop
from dialogs.events import Command, MenuItem, MenuPress, OtherMessage, Tap, Text
from dialogs.noodknop import (
    AlertView,
    EscalationPolicy,
    check_closing,
    check_escalation,
    is_available,
)
from dialogs.outcome import (
    AcknowledgeAlert,
    At,
    AutoCloseAlert,
    CloseAlert,
    EscalateAlert,
    Outcome,
    RaiseAlert,
    Recipient,
    RemindToClose,
    RepeatPress,
    Reply,
    SendEmergencyNumbers,
    SetAlertReason,
    SupersedeAlert,
    TakeBackAccident,
    TextRef,
)
from dialogs.people import Person
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, BRAM
from tests.unit.people import SAM as SAM_WITHOUT_PHONE

# Sam shared his phone number: those asked can call him (without one, see test_phone_dialog).
SAM = replace(SAM_WITHOUT_PHONE, phone="+31612345678")
PRESSED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TEXTS = load_texts("nl")
ALERT = AlertView(
    id=3,
    client_id=7,
    client_name="Sam",
    coach_name="Anna",
    pressed_at=PRESSED,
    recipient_coach_ids=frozenset({1}),
    recipient_chat_ids=frozenset({100}),
    coach_id=1,
    asked_coach_ids=frozenset({1}),
    client_phone="+31612345678",
)


def keys(outcome: Outcome) -> list[str]:
    for reply in outcome.replies:
        assert TEXTS.has(reply.key), reply.key
        for row in reply.buttons:
            assert all(TEXTS.has(b.label_key) for b in row)
            assert all(
                len(b.data.replace("{alert_id}", "999999999999").encode()) <= 64 for b in row
            )
    if outcome.notice:
        assert TEXTS.has(outcome.notice)
    return [reply.key for reply in outcome.replies]


@pytest.mark.parametrize("event", [MenuPress(MenuItem.NOODKNOP), Command("nood")])
def test_a_press_raises_the_alert_at_once(event: object) -> None:
    outcome = route(SAM, event, PRESSED)  # type: ignore[arg-type]
    assert outcome.effects == (RaiseAlert(client_id=7),)
    # What the client reads comes once it is stored who was asked (``raised``).
    assert keys(outcome) == ["alert.new"]
    alert = outcome.replies[0]
    assert alert.to is Recipient.NEW_ALERT_RECIPIENTS and alert.urgent


@pytest.mark.parametrize("language, promise", [("nl", "belt"), ("en", "will call")])
def test_only_an_acknowledgement_promises_a_call(language: str, promise: str) -> None:
    params = {"coach": "Anna", "client": "Sam", "helper": "Anna", "huisartsenpost": "x"}
    promising = {
        key
        for key, entry in TEXTS.entries[language].items()
        if key.startswith("noodknop.")
        and isinstance(entry.value, str)
        and promise in TEXTS.render(language, key, params)
    }
    # "seen" follows a person's tap; "already_seen" is shown only while that tap is fresh.
    assert promising == {"noodknop.seen", "noodknop.already_seen"}
    assert "112" in TEXTS.render(language, "noodknop.sent", params)


def test_pressing_again_adds_to_the_open_alert() -> None:
    outcome = route(SAM, MenuPress(MenuItem.NOODKNOP), PRESSED, DialogContext(open_alert=ALERT))
    assert outcome.effects == (RepeatPress(3),)
    assert keys(outcome) == ["noodknop.still_open", "alert.pressed_again"]
    seen = replace(ALERT, acknowledged_by="Anna", acknowledged_at=PRESSED, picked_up_by_phone=True)
    soon = PRESSED + timedelta(minutes=10)
    outcome = route(SAM, Command("nood"), soon, DialogContext(open_alert=seen))
    assert keys(outcome) == ["noodknop.danger_now", "alert.pressed_again"]
    assert outcome.effects == (RepeatPress(3),)
    # Who saw it and what they will do, then 112: a press again asks for more than that.
    told = outcome.replies[0]
    assert told.lead == "noodknop.already_seen"
    assert (
        TEXTS.render("nl", told.lead, told.params)
        + "\n\n"
        + TEXTS.render("nl", told.key, told.params)
        == "Anna heeft je melding al gezien.\nAnna belt je zo.\n\nIs er nu gevaar? Bel dan 112."
    )


def test_a_press_long_after_someone_picked_it_up_is_a_new_alert() -> None:
    seen = replace(ALERT, acknowledged_by="Anna", acknowledged_at=PRESSED)
    later = PRESSED + timedelta(days=3)
    outcome = route(SAM, Command("nood"), later, DialogContext(open_alert=seen))
    assert outcome.effects == (RaiseAlert(client_id=7),)
    assert keys(outcome) == ["alert.new"]


def test_a_press_after_by_accident_counts_again() -> None:
    called_off = replace(ALERT, accidental=True)
    outcome = route(SAM, Command("nood"), PRESSED, DialogContext(open_alert=called_off))
    assert outcome.effects == (RepeatPress(3),)  # the shell lifts "accidental": the clock runs
    assert keys(outcome) == ["noodknop.still_open", "alert.pressed_again"]


@pytest.mark.parametrize("presses, told", [(4, True), (5, False), (9, True), (12, False)])
def test_many_presses_reach_the_team_now_and_then_and_the_client_hears_the_truth(
    presses: int, told: bool
) -> None:
    busy = replace(ALERT, presses=presses)
    outcome = route(SAM, MenuPress(MenuItem.NOODKNOP), PRESSED, DialogContext(open_alert=busy))
    expected = (
        ["noodknop.still_open", "alert.pressed_again"] if told else ["noodknop.still_open_quiet"]
    )
    assert keys(outcome) == expected


def test_reason_and_accident() -> None:
    context = DialogContext(tapped_alert=ALERT)
    bad = route(SAM, Tap("nk:3:bad"), PRESSED, context)
    assert bad.effects == (SetAlertReason(3, "bad", accidental=False),)
    assert keys(bad) == ["noodknop.reason_thanks", "alert.reason"]
    accident = route(SAM, Tap("nk:3:accident"), PRESSED, context)
    assert accident.effects == ()  # asked once more before it counts
    assert keys(accident) == ["noodknop.accident_check"]
    sure = route(SAM, Tap("nk:3:accident_yes"), PRESSED, context)
    assert sure.effects == (SetAlertReason(3, "accident", accidental=True),)
    assert keys(sure) == ["noodknop.accident_ok", "alert.accident"]


def test_a_location_during_an_alert_goes_to_the_team() -> None:
    outcome = route(
        SAM, OtherMessage("location", 55, 500), PRESSED, DialogContext(open_alert=ALERT)
    )
    assert keys(outcome) == ["noodknop.location_sent", "alert.location"]
    without_alert = route(SAM, OtherMessage("location", 55, 500), PRESSED)
    assert keys(without_alert) == ["client.unsupported"]


def test_acknowledge_tells_the_client_who_and_what() -> None:
    outcome = route(ANNA, Tap("al:3:ack"), PRESSED, DialogContext(tapped_alert=ALERT))
    assert outcome.effects == (AcknowledgeAlert(3, 1),)
    assert keys(outcome) == ["noodknop.seen", "alert.taken", "alert.close_prompt"]
    assert outcome.replies[0].to is Recipient.CLIENT
    assert outcome.replies[0].params["helper"] == "Anna"


@pytest.mark.parametrize(
    "person, data, alert, notice",
    [
        (BRAM, "al:3:ack", ALERT, "common.button_unknown"),  # not told about it
        (SAM, "al:3:ack", ALERT, "common.button_unknown"),  # a client cannot acknowledge
        (ANNA, "al:3:ack", None, "common.button_unknown"),  # no such alert
        (ANNA, "al:3:ack", replace(ALERT, closed=True), "alert.already_closed"),
        (ANNA, "al:3:ack", replace(ALERT, acknowledged_by="Bram"), "alert.already_taken"),
        (ANNA, "al:3:close:party", ALERT, "common.button_unknown"),
        (ANNA, "al:3:launch", ALERT, "common.button_unknown"),
        (BRAM, "nk:3:bad", ALERT, "common.button_unknown"),
        (SAM, "nk:3:dance", ALERT, "common.button_unknown"),
        (SAM, "nk:3:bad", replace(ALERT, closed=True), "common.question_closed"),
        (ANNA, "al:3:close:talked", ALERT, "alert.ack_first"),  # nobody picked it up yet
        (replace(ANNA, coach_active=False), "al:3:ack", ALERT, "common.button_unknown"),
        (ANNA, "al:²:ack", ALERT, "common.button_unknown"),
        (ANNA, "al:3:ack:", ALERT, "common.button_unknown"),
    ],
)
def test_forged_and_stale_alert_buttons_change_nothing(
    person: Person, data: str, alert: AlertView | None, notice: str
) -> None:
    outcome = route(person, Tap(data), PRESSED, DialogContext(tapped_alert=alert))
    assert outcome.effects == () and outcome.replies == ()
    assert outcome.notice == notice


def test_a_team_group_press_needs_a_coach_in_a_group_that_was_told() -> None:
    in_group = replace(ALERT, recipient_chat_ids=frozenset({100, -900}))
    context = DialogContext(tapped_alert=in_group)
    assert route(BRAM, Tap("al:3:ack", -900), PRESSED, context).effects == (AcknowledgeAlert(3, 2),)
    assert route(BRAM, Tap("al:3:ack", -901), PRESSED, context).effects == ()
    stranger = Person.stranger(300, "nl")
    assert route(stranger, Tap("al:3:ack", -900), PRESSED, context).effects == ()


def test_pass_on_escalates_or_gives_the_numbers_when_nobody_is_left() -> None:
    with_backup = replace(ALERT, backups_left=True)
    passed = route(ANNA, Tap("al:3:pass"), PRESSED, DialogContext(tapped_alert=with_backup))
    assert passed.effects == (EscalateAlert(3, by_coach_id=1),)
    assert keys(passed) == [
        "alert.passed_on",
        "alert.passed_to_you",
        "noodknop.update_passed_backup",
    ]
    alone = route(ANNA, Tap("al:3:pass"), PRESSED, DialogContext(tapped_alert=ALERT))
    # The pass is stored (Anna no longer counts as asked), and nobody is left: the numbers.
    assert alone.effects == (EscalateAlert(3, by_coach_id=1), SendEmergencyNumbers(3))
    assert keys(alone) == [
        "alert.no_backup",
        "noodknop.update_passed_nobody",
        *NUMBERS,
        "alert.emergency_sent",
    ]


def test_close_records_the_outcome() -> None:
    picked_up = replace(ALERT, acknowledged_by="Anna", acknowledged_at=PRESSED)
    outcome = route(ANNA, Tap("al:3:close:visited"), PRESSED, DialogContext(tapped_alert=picked_up))
    assert outcome.effects == (CloseAlert(3, 1, "visited"),)


@pytest.mark.parametrize(
    "waited, effects",
    [
        (timedelta(minutes=4, seconds=59), []),
        (timedelta(minutes=5), [EscalateAlert]),
        (timedelta(minutes=15), [EscalateAlert, SendEmergencyNumbers]),
    ],
)
def test_the_clock_counts_from_the_press(waited: timedelta, effects: list[type]) -> None:
    outcome = check_escalation(
        replace(ALERT, backups_left=True), PRESSED + waited, EscalationPolicy()
    )
    assert [type(e) for e in outcome.effects] == effects


def test_the_clock_does_each_step_once_and_leaves_picked_up_alerts_alone() -> None:
    policy = EscalationPolicy()
    late = PRESSED + timedelta(hours=2)
    done = replace(ALERT, escalated=True, emergency_sent=True)
    assert check_escalation(done, late, policy) == Outcome()
    for settled in (
        replace(ALERT, acknowledged_by="Anna"),
        replace(ALERT, accidental=True),
        replace(ALERT, closed=True),
    ):
        assert check_escalation(settled, late, policy) == Outcome()
    escalated = check_escalation(replace(ALERT, escalated=True), late, policy)
    assert [type(e) for e in escalated.effects] == [SendEmergencyNumbers]


NUMBERS = ["noodknop.number_112", "noodknop.number_113", "noodknop.number_doctor"]
TAKEN = PRESSED + timedelta(minutes=2)
PICKED_UP = replace(
    ALERT, acknowledged_by="Anna", acknowledged_at=TAKEN, settled_at=TAKEN, escalated=True
)
CLOSE_BUTTONS = [
    "al:3:close:talked",
    "al:3:close:visited",
    "al:3:close:referred",
    "al:3:close:false_alarm",
]


@pytest.mark.parametrize(
    "open_for, expected",
    [
        (timedelta(minutes=30), []),
        (timedelta(hours=4) - timedelta(seconds=1), []),
        (timedelta(hours=4), ["alert.close_reminder"]),
        (timedelta(hours=23), ["alert.close_reminder"]),  # a clock that was down still reminds
        (timedelta(hours=24), ["alert.auto_closed", "noodknop.closed", "noodknop.closed_help"]),
        (timedelta(days=30), ["alert.auto_closed", "noodknop.closed", "noodknop.closed_help"]),
    ],
)
def test_a_picked_up_alert_nobody_closes_is_reminded_then_closes_itself(
    open_for: timedelta, expected: list[str]
) -> None:
    outcome = check_closing(PICKED_UP, TAKEN + open_for, EscalationPolicy())
    assert keys(outcome) == expected
    told = [r for r in outcome.replies if r.to is not Recipient.CLIENT]
    assert all(r.to is Recipient.ALERT_HELPER and not r.urgent for r in told)
    assert check_escalation(PICKED_UP, TAKEN + open_for, EscalationPolicy()) == Outcome()


def test_the_reminder_offers_the_close_buttons_and_says_when_it_closes_itself() -> None:
    outcome = check_closing(PICKED_UP, TAKEN + timedelta(hours=4), EscalationPolicy())
    assert outcome.effects == (RemindToClose(3),)
    [reminder] = outcome.replies
    assert [b.data for row in reminder.buttons for b in row] == CLOSE_BUTTONS
    assert reminder.params["closes"] == At(TAKEN + timedelta(hours=24), TAKEN + timedelta(hours=4))
    assert TEXTS.render("nl", reminder.key, reminder.params) == (
        "🔔 De melding van Sam van 10:00 staat nog open.\n"
        "Sluit hem af als het klaar is. Anders sluit ik hem morgen om 10:02 zelf."
    )


def test_after_the_reminder_the_clock_is_quiet_until_it_closes_the_alert() -> None:
    reminded = replace(PICKED_UP, close_reminded=True)
    policy = EscalationPolicy()
    assert check_closing(reminded, TAKEN + timedelta(hours=5), policy) == Outcome()
    closing = check_closing(reminded, TAKEN + timedelta(hours=24), policy)
    assert closing.effects == (AutoCloseAlert(3),)
    assert keys(closing) == ["alert.auto_closed", "noodknop.closed", "noodknop.closed_help"]
    assert check_closing(replace(reminded, closed=True), TAKEN + timedelta(days=2), policy) == (
        Outcome()
    )


def test_closing_counts_from_the_pick_up_not_from_the_press() -> None:
    # Pressed at 09:00, nobody answered for hours (the numbers went out), picked up at 15:00.
    late = replace(PICKED_UP, acknowledged_at=PRESSED + timedelta(hours=6))
    late = replace(late, settled_at=late.acknowledged_at, emergency_sent=True)
    assert check_closing(late, PRESSED + timedelta(hours=9), EscalationPolicy()) == Outcome()
    assert keys(check_closing(late, PRESSED + timedelta(hours=10), EscalationPolicy())) == [
        "alert.close_reminder"
    ]


def test_an_alert_called_off_by_accident_and_never_closed_closes_itself_too() -> None:
    called_off = replace(ALERT, accidental=True, settled_at=PRESSED + timedelta(minutes=1))
    policy = EscalationPolicy()
    assert keys(check_closing(called_off, PRESSED + timedelta(hours=5), policy)) == [
        "alert.close_reminder"
    ]
    assert check_closing(called_off, PRESSED + timedelta(days=1, minutes=1), policy).effects == (
        AutoCloseAlert(3),
    )


def test_the_clock_never_closes_an_alert_nobody_picked_up() -> None:
    """That one stays open for the coaches (the escalation and the numbers are its answer)."""
    for waiting in (ALERT, replace(ALERT, escalated=True, emergency_sent=True)):
        assert check_closing(waiting, PRESSED + timedelta(days=30), EscalationPolicy()) == (
            Outcome()
        )


def test_closing_sooner_than_the_reminder_skips_the_reminder() -> None:
    policy = EscalationPolicy(
        close_remind_after=timedelta(hours=4), autoclose_after=timedelta(hours=2)
    )
    assert keys(check_closing(PICKED_UP, TAKEN + timedelta(hours=2), policy)) == [
        "alert.auto_closed",
        "noodknop.closed",
        "noodknop.closed_help",
    ]


def _said(outcome: Outcome, language: str = "nl") -> str:
    """What the coach reads (after a closing, the client's "noodknop.closed" comes second)."""
    reply = outcome.replies[0]
    return TEXTS.render(language, reply.key, reply.params)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_check_ins_are_spoken_of_only_when_the_alert_is_all_that_holds_them_back(
    language: str,
) -> None:
    """Paused, ended, or without a schedule: the check-ins neither wait nor go on."""
    policy = EscalationPolicy()
    remind, close = TAKEN + timedelta(hours=4), TAKEN + timedelta(hours=24)
    waiting = replace(PICKED_UP, holds_back_checkins=True)
    assert keys(check_closing(waiting, remind, policy)) == ["alert.close_reminder_checkins"]
    assert keys(check_closing(waiting, close, policy)) == [
        "alert.auto_closed_checkins",
        "noodknop.closed",
        "noodknop.closed_help",
    ]
    assert "check-ins" in _said(check_closing(waiting, remind, policy), language)
    assert "check-ins" in _said(check_closing(waiting, close, policy), language)
    assert "check-ins" not in _said(check_closing(PICKED_UP, remind, policy), language)
    assert "check-ins" not in _said(check_closing(PICKED_UP, close, policy), language)
    assert _said(check_closing(waiting, close, policy)) == (
        "🔕 De melding van Sam van maandag 10:00 is nu vanzelf gesloten: niemand sloot hem af.\n"
        "De check-ins van Sam gaan weer door."
    )


def test_the_closing_texts_show_the_day_when_it_is_not_today() -> None:
    # Pressed Sunday 22:50 in Amsterdam, picked up at 23:00: reminded at 03:00 on Monday.
    sunday = datetime(2026, 11, 1, 21, 50, tzinfo=UTC)
    late = replace(PICKED_UP, pressed_at=sunday, acknowledged_at=sunday + timedelta(minutes=10))
    late = replace(late, settled_at=late.acknowledged_at)
    policy = EscalationPolicy()
    reminder = check_closing(late, sunday + timedelta(hours=4, minutes=10), policy)
    assert _said(reminder) == (
        "🔔 De melding van Sam van zondag 22:50 staat nog open.\n"
        "Sluit hem af als het klaar is. Anders sluit ik hem vandaag om 23 uur zelf."
    )
    assert _said(reminder, "en") == (
        "🔔 Sam's alert from Sunday 22:50 is still open.\n"
        "Close it when it is done. Otherwise I will close it myself today at 23:00."
    )
    # The same day it was pressed the time alone is shown.
    same_day = check_closing(PICKED_UP, TAKEN + timedelta(hours=4), policy)
    assert "van 10:00 staat" in _said(same_day)


def test_an_alert_left_open_beside_a_newer_one_is_closed_without_a_word() -> None:
    """Only old data can hold two open alerts of one client (a new one closes the old one):
    the clock closes the older one as superseded and never speaks of either while both are
    open."""
    policy = EscalationPolicy()
    older = replace(PICKED_UP, newer_open=True, holds_back_checkins=True)
    for later in (timedelta(minutes=1), timedelta(hours=4), timedelta(days=2)):
        assert check_closing(older, TAKEN + later, policy) == Outcome(effects=(SupersedeAlert(3),))
    assert check_closing(replace(older, closed=True), TAKEN, policy) == Outcome()
    newer = replace(PICKED_UP, older_open=True, holds_back_checkins=True)
    for later in (timedelta(hours=4), timedelta(days=2)):
        assert check_closing(newer, TAKEN + later, policy) == Outcome()


def test_the_coach_who_picked_it_up_may_close_it_from_their_own_chat() -> None:
    """Bram picked it up in a team group; the reminder reaches him in private, where his
    close buttons work. A coach who was not told and did not pick it up still cannot."""
    in_group = replace(
        PICKED_UP,
        recipient_chat_ids=frozenset({100, -900}),
        acknowledged_by="Bram",
        acknowledged_by_id=2,
    )
    tap = Tap("al:3:close:talked", 200)
    closed = route(BRAM, tap, PRESSED, DialogContext(tapped_alert=in_group))
    assert closed.effects == (CloseAlert(3, 2, "talked"),)
    assert route(BRAM, tap, PRESSED, DialogContext(tapped_alert=PICKED_UP)).effects == ()


def test_failed_delivery_never_means_silence() -> None:
    assert [
        type(e)
        for e in noodknop.delivery_failed(replace(ALERT, backups_left=True), PRESSED).effects
    ] == [EscalateAlert]
    lost = replace(ALERT, others_reachable=False)
    assert [type(e) for e in noodknop.delivery_failed(lost, PRESSED).effects] == [
        SendEmergencyNumbers
    ]
    assert noodknop.delivery_failed(ALERT, PRESSED) == Outcome()  # someone else has it


@pytest.mark.parametrize(
    "days, start, end, local, expected",
    [
        (
            "12345",
            "09:00",
            "17:00",
            datetime(2026, 11, 2, 9, 0, tzinfo=AMSTERDAM),
            True,
        ),  # Monday 09:00
        ("12345", "09:00", "17:00", datetime(2026, 11, 2, 17, 0, tzinfo=AMSTERDAM), False),
        (
            "12345",
            "09:00",
            "17:00",
            datetime(2026, 11, 7, 10, 0, tzinfo=AMSTERDAM),
            False,
        ),  # Saturday
        ("1234567", "00:00", "24:00", datetime(2026, 11, 7, 23, 59, tzinfo=AMSTERDAM), True),
        (
            "1234567",
            "22:00",
            "07:00",
            datetime(2026, 11, 7, 23, 0, tzinfo=AMSTERDAM),
            True,
        ),  # past midnight
        ("1234567", "22:00", "07:00", datetime(2026, 11, 7, 12, 0, tzinfo=AMSTERDAM), False),
        # a night shift belongs to the day it starts: Saturday 02:00 is Friday's night
        ("12345", "22:00", "07:00", datetime(2026, 11, 7, 2, 0, tzinfo=AMSTERDAM), True),
        ("12345", "22:00", "07:00", datetime(2026, 11, 2, 2, 0, tzinfo=AMSTERDAM), False),
        ("12345", "22:00", "07:00", datetime(2026, 11, 6, 23, 0, tzinfo=AMSTERDAM), True),
        ("12345", "22:00", "07:00", datetime(2026, 11, 7, 23, 0, tzinfo=AMSTERDAM), False),
    ],
)
def test_availability(days: str, start: str, end: str, local: datetime, expected: bool) -> None:
    assert is_available(days, start, end, local) is expected


# -- Every sentence true when it is said (issue 14, points 2, 3 and 4) ------------------------
#
# Transcripts: what each person reads, rendered, for each branch of who is asked now.

BACKUP = 2  # Bram's coach id
TOLD_BOTH = replace(ALERT, recipient_coach_ids=frozenset({1, BACKUP}))
WITH_BRAM = replace(TOLD_BOTH, asked_coach_ids=frozenset({1, BACKUP}))
ONLY_BRAM = replace(TOLD_BOTH, asked_coach_ids=frozenset({BACKUP}))
NOBODY = replace(ALERT, asked_coach_ids=frozenset())
HUISARTSENPOST = {"huisartsenpost": "0900-1234"}


def transcript(outcome: Outcome, to: Recipient = Recipient.SENDER) -> list[str]:
    """What one person reads from an outcome, message by message."""
    keys(outcome)
    return [_read(r) for r in outcome.replies if r.to is to]


def _read(reply: Reply) -> str:
    """One message as its reader sees it: the lead above the text, as ``bot.render`` joins
    them."""
    params = {**HUISARTSENPOST, **reply.params}
    text = TEXTS.render("nl", reply.key, params)
    return f"{TEXTS.render('nl', reply.lead, params)}\n\n{text}" if reply.lead else text


def said(outcome: Outcome) -> str:
    """Everything anyone reads from an outcome, in one string (for what must NOT be said)."""
    return "\n".join(
        TEXTS.render("nl", r.key, {**HUISARTSENPOST, **r.params}) for r in outcome.replies
    )


PRESS_112 = "Is er nu gevaar? Bel dan 112."


@pytest.mark.parametrize(
    "alert, expected",
    [
        (
            ALERT,
            "Ik stuur Anna nu een melding.\nIk laat het je weten als Anna het heeft gezien.\n"
            + PRESS_112,
        ),
        (
            replace(WITH_BRAM, off_hours=True),
            "Anna werkt nu niet.\nIk stuur Anna en een andere coach een melding.\n"
            "Ik laat het je weten als iemand het heeft gezien.\n" + PRESS_112,
        ),
        (
            replace(ALERT, off_hours=True),
            "Anna werkt nu niet.\nIk stuur Anna toch een melding.\n"
            "Misschien ziet Anna het pas later.\n"
            "Ik laat het je weten als Anna het heeft gezien.\n" + PRESS_112,
        ),
        (
            replace(ONLY_BRAM, off_hours=True),
            "Ik kan Anna nu niet bereiken.\nIk stuur een andere coach een melding.\n"
            "Ik laat het je weten als iemand het heeft gezien.\n" + PRESS_112,
        ),
    ],
)
def test_after_a_press_the_client_reads_who_was_really_asked(
    alert: AlertView, expected: str
) -> None:
    outcome = noodknop.raised(alert)
    assert transcript(outcome) == [
        expected,
        "Wat is er aan de hand?\nKies als je wilt. Het hoeft niet.",
    ]
    assert [b.data for row in outcome.replies[1].buttons for b in row][-1] == "nk:3:accident"


def test_outside_anna_hours_she_is_never_the_one_who_will_have_seen_it() -> None:
    off = noodknop.raised(replace(WITH_BRAM, off_hours=True))
    assert "als Anna het heeft gezien" not in said(off)
    assert "werkt nu niet" not in said(noodknop.raised(ALERT)), "in her hours: not said"


def test_a_press_nobody_could_be_told_about_says_nothing_of_anyone() -> None:
    """The numbers follow at once (delivery_failed): no "I am sending Anna" before them."""
    assert noodknop.raised(NOBODY) == Outcome()
    numbers = noodknop.delivery_failed(replace(NOBODY, others_reachable=False), PRESSED)
    assert numbers.effects == (SendEmergencyNumbers(3),)
    assert transcript(numbers, Recipient.CLIENT) == [
        "Ik kan nu geen coach bereiken.\nJe kunt zelf bellen.",
        "Is er gevaar? Bel 112.",
        "Denk je aan zelfmoord? Bel 0800-0113.\nDat is gratis, dag en nacht.",
        "Dokter nodig in de avond of het weekend?\nBel de huisartsenpost: 0900-1234.",
    ]
    assert "blijft aan" not in said(numbers)


@pytest.mark.parametrize(
    "alert, presses, expected",
    [
        (ALERT, 5, "Ik heb Anna al een melding gestuurd.\nAnna heeft nog niet gereageerd."),
        (ONLY_BRAM, 5, "Ik heb een andere coach al een melding gestuurd.\nNog niemand"),
        (ALERT, 1, "Ik heb Anna nog een keer gewaarschuwd."),
        (ONLY_BRAM, 1, "Ik heb een andere coach nog een keer gewaarschuwd."),
        (NOBODY, 5, "Maar ik kan nu geen coach bereiken."),
        (NOBODY, 1, "Maar ik kan nu geen coach bereiken."),
    ],
)
def test_pressing_again_says_only_what_was_done(
    alert: AlertView, presses: int, expected: str
) -> None:
    busy = replace(alert, presses=presses)
    outcome = route(SAM, MenuPress(MenuItem.NOODKNOP), PRESSED, DialogContext(open_alert=busy))
    [lead] = transcript(outcome)
    assert lead.startswith("Je melding staat nog aan.\n" + expected)
    assert "weet het al" not in lead, "nobody knows it until someone picked it up"
    assert "belt je" not in lead


def test_the_sixth_press_claims_nobody_knows_until_someone_picked_it_up() -> None:
    sixth = route(
        SAM, Command("nood"), PRESSED, DialogContext(open_alert=replace(ALERT, presses=5))
    )
    assert keys(sixth) == ["noodknop.still_open_quiet"]  # the team is not told again
    assert "weet het al" not in said(sixth)
    seen = replace(
        ALERT, presses=5, acknowledged_by="Anna", acknowledged_at=PRESSED, picked_up_by_phone=True
    )
    assert transcript(route(SAM, Command("nood"), PRESSED, DialogContext(open_alert=seen))) == [
        "Anna heeft je melding al gezien.\nAnna belt je zo.\n\nIs er nu gevaar? Bel dan 112."
    ]


# -- a coach passes it on: the client hears who is asked now ---------------------------------


def _pass(alert: AlertView, person: Person = ANNA) -> Outcome:
    return route(person, Tap("al:3:pass"), PRESSED, DialogContext(tapped_alert=alert))


def test_passed_on_to_a_backup_the_client_hears_another_coach_is_asked() -> None:
    passed = _pass(replace(ALERT, backups_left=True))
    assert transcript(passed, Recipient.CLIENT) == [
        "Anna kan nu niet.\nIk vraag nu een andere coach.\nIs er gevaar? Bel 112."
    ]
    assert passed.replies[-1].urgent


def test_passed_on_while_others_have_it_stays_on_for_them_without_the_numbers() -> None:
    passed = _pass(WITH_BRAM)
    assert passed.effects == (EscalateAlert(3, by_coach_id=1),)
    assert transcript(passed) == [
        "Er is geen nieuwe vervanging; anderen hebben de melding van Sam al en kunnen hem nog "
        "oppakken."
    ]
    assert transcript(passed, Recipient.CLIENT) == [
        "Anna kan nu niet.\nJe melding blijft aan voor een andere coach.\n"
        "Ik laat het je weten als iemand het heeft gezien.\nIs er gevaar? Bel 112."
    ]


def test_passed_on_with_nobody_left_never_says_the_alert_stays_on() -> None:
    passed = _pass(ALERT)
    client = transcript(passed, Recipient.CLIENT)
    assert client == [
        "Anna kan nu niet.\nIk kan nu geen andere coach vragen.",
        "Is er gevaar? Bel 112.",
        "Denk je aan zelfmoord? Bel 0800-0113.\nDat is gratis, dag en nacht.",
        "Dokter nodig in de avond of het weekend?\nBel de huisartsenpost: 0900-1234.",
    ]
    assert "blijft aan" not in said(passed) and "gereageerd" not in said(passed)
    assert transcript(passed)[0] == (
        "Er is niemand anders meer om te vragen. Ik stuur Sam nu de noodnummers."
    )
    # Bram (a backup who was told) passes too, after Anna did: nobody is left either.
    bram_passes = _pass(replace(ONLY_BRAM, emergency_sent=True), BRAM)
    assert bram_passes.effects == (EscalateAlert(3, by_coach_id=BACKUP),)
    assert transcript(bram_passes, Recipient.CLIENT) == [
        "Bram kan nu niet.\nIk kan nu geen andere coach vragen.",
        "Is er gevaar? Bel 112.",
    ]
    assert transcript(bram_passes) == [
        "Er is niemand anders meer om te vragen. Ik stuurde Sam de noodnummers al."
    ]


# -- the clock: an honest update when something changes, then the numbers one by one ----------


def test_at_five_minutes_the_client_hears_that_another_coach_is_asked() -> None:
    policy = EscalationPolicy()
    five = PRESSED + timedelta(minutes=5)
    with_backup = check_escalation(replace(ALERT, backups_left=True), five, policy)
    assert transcript(with_backup, Recipient.CLIENT) == [
        "Anna reageert nog niet.\nIk vraag nu ook een andere coach.\nIs er gevaar? Bel 112."
    ]
    alone = check_escalation(ALERT, five, policy)
    assert transcript(alone, Recipient.CLIENT) == [
        "Anna reageert nog niet.\nIk stuur Anna nog een melding.\nIs er gevaar? Bel 112."
    ]
    assert "andere coach" not in said(alone), "no backup: nobody else is said to be asked"
    unreachable = check_escalation(replace(ONLY_BRAM, backups_left=True), five, policy)
    assert keys(unreachable) == ["alert.escalated", "noodknop.update_other"]
    nothing_new = check_escalation(ONLY_BRAM, five, policy)
    assert nothing_new.replies == () and nothing_new.effects == (EscalateAlert(3),)


def test_anna_who_passed_it_on_is_not_reminded_by_the_clock() -> None:
    passed = replace(ALERT, asked_coach_ids=frozenset({BACKUP}), backups_left=True)
    outcome = check_escalation(passed, PRESSED + timedelta(minutes=5), EscalationPolicy())
    assert "alert.reminder" not in keys(outcome)


def test_at_fifteen_minutes_the_numbers_come_one_per_message() -> None:
    outcome = check_escalation(
        replace(ALERT, escalated=True), PRESSED + timedelta(minutes=15), EscalationPolicy()
    )
    client = [r for r in outcome.replies if r.to is Recipient.CLIENT]
    assert all(r.urgent for r in client) and len(client) == 4
    assert transcript(outcome, Recipient.CLIENT) == [
        "Nog niemand heeft je melding opgepakt.\nJe melding blijft aan.\nJe kunt ook zelf bellen.",
        "Is er gevaar? Bel 112.",
        "Denk je aan zelfmoord? Bel 0800-0113.\nDat is gratis, dag en nacht.",
        "Dokter nodig in de avond of het weekend?\nBel de huisartsenpost: 0900-1234.",
    ]


def test_the_numbers_without_a_huisartsenpost_number_say_where_to_find_it() -> None:
    rendered = TEXTS.render(
        "nl",
        "noodknop.number_doctor",
        {"huisartsenpost": TextRef("noodknop.huisartsenpost_unknown")},
    )
    assert rendered == (
        "Dokter nodig in de avond of het weekend?\n"
        "Bel de huisartsenpost: het nummer hoor je bij je eigen huisarts."
    )
    assert "eigen huisarts." not in TEXTS.render("nl", "noodknop.number_doctor", HUISARTSENPOST)


def test_a_blocked_coach_with_a_backup_left_tells_the_client_who_is_asked_instead() -> None:
    blocked = replace(ALERT, asked_coach_ids=frozenset(), backups_left=True)
    outcome = noodknop.delivery_failed(blocked, PRESSED)
    assert transcript(outcome, Recipient.CLIENT) == [
        "Ik kan Anna nu niet bereiken.\nIk vraag nu een andere coach.\nIs er gevaar? Bel 112."
    ]


# -- "by accident" asks once more, can be taken back; a reason can be changed -------------------


def _client_taps(data: str, alert: AlertView = ALERT) -> Outcome:
    return route(SAM, Tap(data), PRESSED, DialogContext(tapped_alert=alert))


def test_by_accident_is_asked_once_more_and_a_no_keeps_the_alert_on() -> None:
    check = _client_taps("nk:3:accident")
    assert transcript(check) == ["Is alles goed?\nWas het per ongeluk?"]
    assert [b.data for row in check.replies[0].buttons for b in row] == [
        "nk:3:accident_yes",
        "nk:3:accident_no",
    ]
    assert check.effects == () and check.chosen == "noodknop.reason_accident"
    no = _client_taps("nk:3:accident_no")
    assert no.effects == ()
    assert transcript(no)[0] == (
        "Oké. Je melding staat nog aan.\nIk laat het je weten als iemand het heeft gezien.\n"
        + PRESS_112
    )
    assert keys(no)[1] == "noodknop.what", "the reasons again"
    assert [r.to for r in no.replies] == [Recipient.SENDER, Recipient.SENDER], "team hears nothing"


def test_by_accident_confirmed_can_be_taken_back() -> None:
    yes = _client_taps("nk:3:accident_yes")
    assert transcript(yes) == [
        "Oké. Ik zeg tegen Anna dat het per ongeluk was.\n"
        "Heb je Anna toch nodig? Druk dan op de knop hieronder."
    ]
    assert [b.data for row in yes.replies[0].buttons for b in row] == ["nk:3:undo"]
    called_off = replace(ALERT, accidental=True, reason="accident")
    back = _client_taps("nk:3:undo", called_off)
    assert back.effects == (TakeBackAccident(3),)
    assert transcript(back)[0] == (
        "Oké. Je melding staat weer aan.\nIk laat het je weten als iemand het heeft gezien.\n"
        + PRESS_112
    )
    [team] = [r for r in back.replies if r.to is Recipient.ALERT_TEAM]
    assert team.urgent and [b.data for row in team.buttons for b in row] == [
        "al:{alert_id}:ack",
        "al:{alert_id}:pass",
    ]
    # Taken back once: the old button does nothing more; nor "yes" twice.
    assert _client_taps("nk:3:undo").notice == "common.question_closed"
    assert _client_taps("nk:3:accident_yes", called_off).notice == "common.question_closed"


def test_by_accident_when_anna_is_not_asked_does_not_name_her() -> None:
    yes = _client_taps("nk:3:accident_yes", ONLY_BRAM)
    assert "Anna" not in transcript(yes)[0]


def test_a_reason_can_be_changed_and_the_team_hears_the_change() -> None:
    bad = _client_taps("nk:3:bad")
    assert transcript(bad) == ["Dank je. Ik heb het aan Anna doorgegeven."]
    assert [b.data for row in bad.replies[0].buttons for b in row] == ["nk:3:change"]
    change = _client_taps("nk:3:change", replace(ALERT, reason="bad"))
    assert change.effects == () and keys(change) == ["noodknop.what"]
    assert len(change.replies[0].buttons) == len(noodknop.REASONS)
    lost = _client_taps("nk:3:lost", replace(ALERT, reason="bad"))
    assert lost.effects == (SetAlertReason(3, "lost", accidental=False),)
    assert transcript(lost, Recipient.ALERT_TEAM) == [
        "ℹ️ Sam kiest een ander antwoord: ik ben de weg kwijt."
    ]
    other = _client_taps("nk:3:bad", ONLY_BRAM)
    assert transcript(other) == ["Dank je. Ik heb het aan een andere coach doorgegeven."]


def test_client_alert_buttons_of_someone_else_or_a_closed_alert_change_nothing() -> None:
    for data in ("nk:3:accident_yes", "nk:3:undo", "nk:3:change", "nk:3:accident_no"):
        assert route(BRAM, Tap(data), PRESSED, DialogContext(tapped_alert=ALERT)).effects == ()
    for data in ("nk:3:accident_yes", "nk:3:change"):
        closed = _client_taps(data, replace(ALERT, closed=True, accidental=True))
        assert closed.effects == () and closed.notice == "common.question_closed"


def test_still_needing_help_under_a_closed_alert_is_a_new_press() -> None:
    for data in ("nk:3:undo", "nk:3:accident_no"):
        again = _client_taps(data, replace(ALERT, closed=True, accidental=True))
        assert [type(effect).__name__ for effect in again.effects] == ["RaiseAlert"]


def test_passing_on_an_alert_the_client_called_off_does_nothing_but_say_why() -> None:
    called_off = replace(ALERT, accidental=True, reason="accident")
    passed = route(ANNA, Tap("al:3:pass"), PRESSED, DialogContext(tapped_alert=called_off))
    assert passed == Outcome(notice="alert.pass_called_off")
    assert transcript(passed, Recipient.CLIENT) == [], "no 'Anna kan nu niet' nor numbers"


def test_help_words_after_by_accident_turn_the_alert_back_on() -> None:
    called_off = replace(ALERT, accidental=True, reason="accident")
    typed = Text("ik wil dood", 7000, 501, None)
    outcome = help_words.answer(SAM, typed, help_words.Heard.DANGER, PRESSED, called_off, None)
    assert TakeBackAccident(3) in outcome.effects
    [team] = [r for r in outcome.replies if r.key == "alert.accident_taken_back"]
    assert team.to is Recipient.ALERT_TEAM and team.urgent
    assert [b.data for row in team.buttons for b in row] == [
        "al:{alert_id}:ack",
        "al:{alert_id}:pass",
    ]
    still_on = route(SAM, typed, PRESSED, DialogContext(open_alert=ALERT))
    assert TakeBackAccident(3) not in still_on.effects, "only an alert called off is taken back"


def test_those_asked_later_read_with_the_alert_that_the_client_cannot_get_messages() -> None:
    """A backup asked at the escalation or after a pass on reads the 📵 line with the alert
    itself, not only once a message to the client fails (which may never be sent)."""
    blocked = replace(ALERT, backups_left=True, client_unreachable_since=PRESSED)
    five = PRESSED + timedelta(minutes=5)
    for outcome in (
        check_escalation(blocked, five, EscalationPolicy()),
        _pass(blocked),
    ):
        asked = [r for r in outcome.replies if r.to is Recipient.NEW_ALERT_RECIPIENTS]
        assert [r.key for r in asked][1:] == ["coach_reach.unreachable_alert"]
        assert all(r.urgent for r in asked)
        assert transcript(outcome, Recipient.NEW_ALERT_RECIPIENTS)[1] == (
            "📵 Sam kan geen berichten van mij krijgen (melding van 10:00): wat ik Sam stuur, "
            "komt niet aan, ook de noodnummers niet. Bel Sam."
        )
    reachable = check_escalation(
        replace(blocked, client_unreachable_since=None), five, EscalationPolicy()
    )
    assert [r.key for r in reachable.replies if r.to is Recipient.NEW_ALERT_RECIPIENTS] == [
        "alert.escalated"
    ]


# -- the client writes or presses again after a pick-up whose notice may not have arrived -------

ANNA_PICKED_UP = replace(ALERT, acknowledged_by="Anna", acknowledged_at=PRESSED)


@pytest.mark.parametrize(
    "by_phone, promised, expected",
    [
        (True, False, ["Anna heeft je melding al gezien.\nAnna belt je zo."]),
        (False, True, ["Anna heeft je melding al gezien.\nAnna stuurt je een bericht."]),
        # Her message came since (or was never promised): only who saw it.
        (False, False, ["Anna heeft je melding al gezien."]),
        (None, False, ["Anna heeft je melding al gezien."]),
    ],
)
def test_writing_after_a_pick_up_says_again_who_saw_it_and_what_is_recorded(
    by_phone: bool | None, promised: bool, expected: list[str]
) -> None:
    """Sam blocked the bot by mistake, so "Anna heeft je melding gezien" never arrived. His
    "Hallo?" after unblocking is sent with the alert, and he reads who saw it and what her
    seen notice promised: a call only when that is what was recorded (not today's phone), a
    message only while it is still owed."""
    seen = replace(
        ANNA_PICKED_UP, picked_up_by_phone=by_phone, client_phone=None, message_promised=promised
    )
    soon = PRESSED + timedelta(minutes=10)
    outcome = route(SAM, Text("Hallo?", 7000, 501, None), soon, DialogContext(open_alert=seen))
    assert keys(outcome)[:2] == [
        noodknop.seen_so_far(seen).key,  # type: ignore[union-attr]
        "help_words.added_to_alert",
    ]
    assert transcript(outcome) == [*expected, "Ik stuur dit mee met je melding."]
    pressed = route(SAM, Command("nood"), soon, DialogContext(open_alert=seen))
    assert transcript(pressed)[:1] == [f"{expected[0]}\n\nIs er nu gevaar? Bel dan 112."]


def test_writing_before_a_pick_up_keeps_todays_reply() -> None:
    outcome = route(SAM, Text("Hallo?", 7000, 501, None), PRESSED, DialogContext(open_alert=ALERT))
    assert transcript(outcome) == ["Ik stuur dit mee met je melding."]


def test_those_asked_later_read_no_call_in_the_line_without_a_stored_number() -> None:
    """The alert said Sam shared no phone number: its 📵 line for a backup asked at the
    escalation or after a pass on does not say "Bel Sam" either (``dialogs.reachability``)."""
    blocked = replace(ALERT, backups_left=True, client_unreachable_since=PRESSED, client_phone=None)
    five = PRESSED + timedelta(minutes=5)
    for outcome in (check_escalation(blocked, five, EscalationPolicy()), _pass(blocked)):
        asked = [r for r in outcome.replies if r.to is Recipient.NEW_ALERT_RECIPIENTS]
        assert [r.key for r in asked][1:] == ["coach_reach.unreachable_alert_no_phone"]
        line = transcript(outcome, Recipient.NEW_ALERT_RECIPIENTS)[1]
        assert "Bel Sam" not in line and "geen telefoonnummer" in line
