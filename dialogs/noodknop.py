"""The noodknop: "I need my coach, now".

Pressing sends the alert at once (no confirmation step) and the client is told honestly what
happens: the coach gets a message; the client hears back when a person has seen it; in danger
call 112. A coach acknowledges with one tap (the client is then told who saw it and that they
will call), or passes it on. The clock re-notifies and escalates to the backups, and when nobody
responds the client gets the emergency numbers. Nothing here ever says help is coming before a
person confirmed it.

An open alert holds back the client's check-ins, so one that was picked up (or called off) must
not stay open because the last tap was forgotten: the clock reminds the coach who picked it up
once, then closes it itself (``check_closing``). A client has one open alert at most: a press
that raises a new alert closes the one still open (outcome "superseded", in the shell).

Longer than our ~400 lines on purpose: every rule of an alert's life (press, reason,
pick-up, escalation, closing) in one file, so whoever reviews the safety path reads it whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from dialogs.outcome import (
    AcknowledgeAlert,
    At,
    AutoCloseAlert,
    Button,
    CloseAlert,
    CopyToAlertTeam,
    EscalateAlert,
    Keyboard,
    Outcome,
    RaiseAlert,
    Recipient,
    RemindToClose,
    RepeatPress,
    Reply,
    SendEmergencyNumbers,
    SetAlertReason,
    SupersedeAlert,
    TextRef,
)
from dialogs.people import Person, Role

__all__ = [
    "CLOSE_OUTCOMES",
    "REASONS",
    "AlertView",
    "EscalationPolicy",
    "check_closing",
    "check_escalation",
    "coach_taps_alert",
    "delivery_failed",
    "is_available",
    "next_available",
    "parse_alert_data",
    "press",
    "share_location",
    "tell_reason",
]

REASONS = ("bad", "fight", "lost", "letter", "other", "accident")
CLOSE_OUTCOMES = ("talked", "visited", "referred", "false_alarm")
# Repeat presses are always counted; the team hears about the first few, then every fifth.
_NOTIFY_EVERY_REPEAT_UNTIL = 5
# A press this long after someone picked the alert up is a new call for help.
_ACK_STILL_FRESH = timedelta(minutes=30)
_ALERT_DATA = re.compile(r"^(nk|al):([0-9]{1,12}):([a-z_]{1,20})(?::([a-z_]{1,20}))?$")


@dataclass(frozen=True)
class AlertView:
    """An alert as the dialogs need it."""

    id: int
    client_id: int
    client_name: str
    coach_name: str  # the client's own coach
    pressed_at: datetime
    presses: int = 1
    reason: str | None = None
    accidental: bool = False
    acknowledged_by: str | None = None  # name of the coach who picked it up
    acknowledged_by_id: int | None = None  # and their id: they may close it wherever they are
    acknowledged_at: datetime | None = None
    escalated: bool = False
    emergency_sent: bool = False
    closed: bool = False
    recipient_coach_ids: frozenset[int] = frozenset()
    recipient_chat_ids: frozenset[int] = frozenset()
    backups_left: bool = False  # someone not yet told who could be
    others_reachable: bool = True  # someone already told was not lost to a failed delivery
    settled_at: datetime | None = None  # when it was picked up, or called off as an accident
    close_reminded: bool = False  # the team was reminded to close it since ``settled_at``
    # The client is active, with check-ins scheduled and not paused: an open alert is all
    # that holds them back.
    holds_back_checkins: bool = False
    # Another alert of the same client is open, raised later or earlier than this one (only
    # left from before a new alert closed the old one: a client has one open alert at most).
    newer_open: bool = False
    older_open: bool = False

    @property
    def waiting(self) -> bool:
        """Nobody picked it up, the client did not call it off, it is not closed."""
        return not (self.closed or self.acknowledged_by or self.accidental)


@dataclass(frozen=True)
class EscalationPolicy:
    """When the clock acts on an open alert.

    The first two count from the press, for an alert nobody picked up; the last two from the
    moment someone picked it up (or the client called it off), for one nobody closed.
    """

    renotify_after: timedelta = timedelta(minutes=5)
    emergency_after: timedelta = timedelta(minutes=15)
    close_remind_after: timedelta = timedelta(hours=4)
    autoclose_after: timedelta = timedelta(hours=24)


def is_available(days: str, start: str, end: str, local: datetime) -> bool:
    """Whether a coach's availability (ISO weekdays, "HH:MM"-"HH:MM" local) covers ``local``.

    A window that ends before it starts runs past midnight (22:00-07:00).
    """
    now = local.time()
    opens = _clock(start)
    closes = time.max if end == "24:00" else _clock(end)
    today = str(local.isoweekday()) in days
    if opens <= closes:
        return today and (opens <= now < closes or (end == "24:00" and now >= opens))
    # Past midnight the shift belongs to the day it started: Saturday 02:00 is Friday's night.
    yesterday = str((local - timedelta(days=1)).isoweekday()) in days
    return (today and now >= opens) or (yesterday and now < closes)


def next_available(days: str, start: str, end: str, local: datetime) -> datetime | None:
    """When a coach who is off at ``local`` (an aware local time) starts again, to the quarter
    hour; None when the availability never opens in the coming week."""
    moment = local.replace(second=0, microsecond=0)
    moment += timedelta(minutes=15 - moment.minute % 15)
    for _ in range(8 * 24 * 4):
        if is_available(days, start, end, moment):
            return moment
        moment += timedelta(minutes=15)
    return None


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _alert_buttons() -> tuple[tuple[Button, ...], ...]:
    return (
        (Button("alert.button_ack", "al:{alert_id}:ack"),),
        (Button("alert.button_pass", "al:{alert_id}:pass"),),
    )


def _close_buttons(alert_id: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        (Button(f"alert.outcome_{outcome}", f"al:{alert_id}:close:{outcome}"),)
        for outcome in CLOSE_OUTCOMES
    )


def _reason_buttons(alert_id: int | None) -> tuple[tuple[Button, ...], ...]:
    ident = "{alert_id}" if alert_id is None else str(alert_id)
    return tuple((Button(f"noodknop.reason_{r}", f"nk:{ident}:{r}"),) for r in REASONS)


def press(person: Person, open_alert: AlertView | None, now: datetime) -> Outcome:
    """The client pressed the noodknop (menu button or /nood)."""
    assert person.role is Role.CLIENT and person.id is not None
    names = {"coach": person.coach_name, "client": person.name}
    fresh_ack = (
        open_alert is not None
        and open_alert.acknowledged_at is not None
        and now - open_alert.acknowledged_at < _ACK_STILL_FRESH
    )
    if open_alert is None or (open_alert.acknowledged_by and not fresh_ack):
        return Outcome(
            effects=(RaiseAlert(client_id=person.id),),
            replies=(
                Reply("noodknop.sent", names, keyboard=Keyboard.CLIENT_ALERT_MENU),
                Reply("noodknop.what", buttons=_reason_buttons(None)),
                Reply(
                    "alert.new",
                    {**names, "time": At(now)},
                    buttons=_alert_buttons(),
                    to=Recipient.NEW_ALERT_RECIPIENTS,
                    urgent=True,
                ),
            ),
        )
    count = open_alert.presses + 1
    team_told: tuple[Reply, ...] = ()
    if count <= _NOTIFY_EVERY_REPEAT_UNTIL or count % 5 == 0:
        team_told = (
            Reply(
                "alert.pressed_again",
                {**names, "count": count, "time": At(now)},
                buttons=_alert_buttons(),
                to=Recipient.ALERT_TEAM,
                urgent=True,
            ),
        )
    if open_alert.acknowledged_by:
        lead = Reply(
            "noodknop.already_seen",
            {"helper": open_alert.acknowledged_by},
            keyboard=Keyboard.CLIENT_ALERT_MENU,
        )
    else:
        key = "noodknop.still_open" if team_told else "noodknop.still_open_quiet"
        lead = Reply(key, names, keyboard=Keyboard.CLIENT_ALERT_MENU)
    # A press after "by accident" means it was not: RepeatPress lifts that, and the clock runs.
    return Outcome(effects=(RepeatPress(open_alert.id),), replies=(lead, *team_told))


def parse_alert_data(data: str) -> tuple[str, int, str, str] | None:
    """``nk:<id>:<reason>`` or ``al:<id>:<action>[:<outcome>]`` -> (kind, id, action, arg)."""
    match = _ALERT_DATA.match(data)
    if match is None:
        return None
    kind, ident, action, arg = match.groups()
    return kind, int(ident), action, arg or ""


def tell_reason(person: Person, alert: AlertView | None, reason: str, now: datetime) -> Outcome:
    """The client chose what is going on (or that the press was an accident)."""
    if (
        person.role is not Role.CLIENT
        or alert is None
        or alert.client_id != person.id
        or reason not in REASONS
    ):
        return Outcome(notice="common.button_unknown")
    if alert.closed:
        return Outcome(notice="common.question_closed")
    names = {"coach": person.coach_name, "client": person.name}
    if reason == "accident":
        return Outcome(
            effects=(SetAlertReason(alert.id, reason, accidental=True),),
            replies=(
                Reply("noodknop.accident_ok", names, keyboard=Keyboard.CLIENT_MENU),
                Reply(
                    "alert.accident",
                    names,
                    buttons=_close_buttons(alert.id),
                    to=Recipient.ALERT_TEAM,
                    urgent=True,
                ),
            ),
            chosen=f"noodknop.reason_{reason}",
        )
    return Outcome(
        effects=(SetAlertReason(alert.id, reason, accidental=False),),
        replies=(
            Reply("noodknop.reason_thanks", names),
            Reply(
                "alert.reason",
                {**names, "reason": TextRef(f"alert.reason_{reason}")},
                to=Recipient.ALERT_TEAM,
                urgent=True,
            ),
        ),
        chosen=f"noodknop.reason_{reason}",
    )


def share_location(
    person: Person, alert: AlertView, chat_id: int, message_id: int, now: datetime
) -> Outcome:
    """A location sent while an alert is open goes to everyone told about it."""
    names = {"coach": person.coach_name, "client": person.name}
    return Outcome(
        effects=(CopyToAlertTeam(alert.id, chat_id, message_id),),
        replies=(
            Reply("noodknop.location_sent", names, keyboard=Keyboard.CLIENT_ALERT_MENU),
            Reply("alert.location", names, to=Recipient.ALERT_TEAM, urgent=True),
        ),
    )


def coach_taps_alert(
    person: Person,
    alert: AlertView | None,
    action: str,
    arg: str,
    now: datetime,
    chat_id: int | None = None,
) -> Outcome:
    """A coach pressed acknowledge, pass on, or a close outcome. Only those told may act:
    a coach it was sent to, or a coach pressing in a team group chat it was sent to."""
    if (
        person.role is not Role.COACH
        or person.id is None
        or not person.coach_active
        or alert is None
    ):
        return Outcome(notice="common.button_unknown")
    told_here = chat_id is not None and chat_id < 0 and chat_id in alert.recipient_chat_ids
    # The coach who picked it up may close it anywhere (the clock reminds them in private).
    picked_up_here = alert.acknowledged_by_id == person.id
    if person.id not in alert.recipient_coach_ids and not told_here and not picked_up_here:
        return Outcome(notice="common.button_unknown")
    if alert.closed:
        return Outcome(notice="alert.already_closed")
    names = {"client": alert.client_name, "coach": alert.coach_name, "helper": person.name}
    if action == "ack":
        if alert.acknowledged_by:
            return Outcome(notice="alert.already_taken")
        return Outcome(
            effects=(AcknowledgeAlert(alert.id, person.id),),
            replies=(
                Reply(
                    "noodknop.seen",
                    names,
                    keyboard=Keyboard.CLIENT_MENU,
                    to=Recipient.CLIENT,
                    urgent=True,
                ),
                Reply("alert.taken", names, to=Recipient.ALERT_TEAM, urgent=True),
                Reply("alert.close_prompt", names, buttons=_close_buttons(alert.id)),
            ),
            chosen="alert.button_ack",
        )
    if action == "pass":
        if alert.acknowledged_by:
            return Outcome(notice="alert.already_taken")
        return _pass_on(alert, names, person.id)
    if action == "close" and arg in CLOSE_OUTCOMES:
        if not (alert.acknowledged_by or alert.accidental):
            # The client was promised news when a person saw it: pick it up first.
            return Outcome(notice="alert.ack_first")
        return Outcome(
            effects=(CloseAlert(alert.id, person.id, arg),),
            replies=(Reply("alert.closed", names, to=Recipient.ALERT_TEAM),),
            chosen=f"alert.outcome_{arg}",
        )
    return Outcome(notice="common.button_unknown")


def _pass_on(alert: AlertView, names: dict[str, str | None], coach_id: int) -> Outcome:
    if alert.backups_left:
        return Outcome(
            effects=(EscalateAlert(alert.id, by_coach_id=coach_id),),
            replies=(
                Reply("alert.passed_on", names),
                _escalated(alert),
            ),
            chosen="alert.button_pass",
        )
    emergency = () if alert.emergency_sent else _emergency(alert)
    return Outcome(
        effects=(SendEmergencyNumbers(alert.id),) if emergency else (),
        replies=(Reply("alert.no_backup", names), *emergency),
        chosen="alert.button_pass",
    )


def _escalated(alert: AlertView) -> Reply:
    return Reply(
        "alert.escalated",
        {"client": alert.client_name, "coach": alert.coach_name, "time": At(alert.pressed_at)},
        buttons=_alert_buttons(),
        to=Recipient.NEW_ALERT_RECIPIENTS,
        urgent=True,
    )


def _emergency(alert: AlertView) -> tuple[Reply, ...]:
    names = {"client": alert.client_name, "coach": alert.coach_name}
    return (
        Reply(
            "noodknop.emergency",
            names,
            to=Recipient.CLIENT,
            urgent=True,
            keyboard=Keyboard.CLIENT_ALERT_MENU,
        ),
        Reply("alert.emergency_sent", names, to=Recipient.ALERT_TEAM, urgent=True),
    )


def check_escalation(alert: AlertView, now: datetime, policy: EscalationPolicy) -> Outcome:
    """The clock's look at a waiting alert, counted from the press (not from any restart)."""
    if not alert.waiting:
        return Outcome()
    waited = now - alert.pressed_at
    outcome = Outcome()
    if waited >= policy.renotify_after and not alert.escalated:
        names = {
            "client": alert.client_name,
            "coach": alert.coach_name,
            "time": At(alert.pressed_at),
        }
        reminder = Reply(
            "alert.reminder", names, buttons=_alert_buttons(), to=Recipient.COACH, urgent=True
        )
        outcome += Outcome(
            effects=(EscalateAlert(alert.id),),
            replies=(reminder, _escalated(alert)) if alert.backups_left else (reminder,),
        )
    if waited >= policy.emergency_after and not alert.emergency_sent:
        outcome += Outcome(effects=(SendEmergencyNumbers(alert.id),), replies=_emergency(alert))
    return outcome


def check_closing(alert: AlertView, now: datetime, policy: EscalationPolicy) -> Outcome:
    """The clock's look at an alert someone picked up (or the client called off) that is
    still open. Counted from that moment, not from the press, so a long call is not cut short.

    After ``close_remind_after`` the coach who picked it up (or, called off by accident, the
    client's coach) gets one reminder with the close buttons; after ``autoclose_after`` the
    alert closes itself (outcome "auto_closed") and they are told once. That the check-ins wait
    for it, or go on after it, is said only when it is so (``holds_back_checkins``). The client
    hears nothing: they were already told someone saw it.

    Nothing is said about an alert while another of the client's is open: one left open from
    before a newer alert is closed as superseded, without a word (the newer one is what counts).
    """
    if alert.closed:
        return Outcome()
    if alert.newer_open:
        return Outcome(effects=(SupersedeAlert(alert.id),))
    if alert.waiting or alert.settled_at is None or alert.older_open:
        return Outcome()
    open_for = now - alert.settled_at
    checkins = "_checkins" if alert.holds_back_checkins else ""
    names = {
        "client": alert.client_name,
        "coach": alert.coach_name,
        "time": At(alert.pressed_at, said_at=now),
    }
    if open_for >= policy.autoclose_after:
        return Outcome(
            effects=(AutoCloseAlert(alert.id),),
            replies=(Reply(f"alert.auto_closed{checkins}", names, to=Recipient.ALERT_HELPER),),
        )
    if open_for >= policy.close_remind_after and not alert.close_reminded:
        closes = At(alert.settled_at + policy.autoclose_after, said_at=now)
        return Outcome(
            effects=(RemindToClose(alert.id),),
            replies=(
                Reply(
                    f"alert.close_reminder{checkins}",
                    {**names, "closes": closes},
                    buttons=_close_buttons(alert.id),
                    to=Recipient.ALERT_HELPER,
                ),
            ),
        )
    return Outcome()


def delivery_failed(alert: AlertView, now: datetime) -> Outcome:
    """An alert could not reach someone for good (blocked the bot): never stay silent."""
    if not alert.waiting:
        return Outcome()
    if alert.backups_left:
        return Outcome(effects=(EscalateAlert(alert.id),), replies=(_escalated(alert),))
    if alert.emergency_sent or alert.others_reachable:
        return Outcome()
    return Outcome(effects=(SendEmergencyNumbers(alert.id),), replies=_emergency(alert))
