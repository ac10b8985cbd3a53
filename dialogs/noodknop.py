"""The noodknop: "I need my coach, now".

Pressing sends the alert at once (no confirmation step) and the client is told honestly what
happens: the coach gets a message; the client hears back when a person has seen it; in danger
call 112. A coach acknowledges with one tap (the client is then told who saw it and that they
will call, or, with no phone number stored, send a message), or passes it on. The clock
re-notifies and escalates to the backups, and when nobody responds the client gets the
emergency numbers. Nothing here ever says help is coming before a person confirmed it.

Every sentence is true when it is said: what the client reads about who is asked comes from
what is stored (``AlertView.asked_coach_ids``: told, not lost to a failed delivery, and did not
pass it on), so the text after a press is chosen once the alert is stored (``raised``). Every
change the client cannot see (a backup asked, a coach who cannot come, nobody left) gets a short
update; the emergency numbers come one per message, each with what it is for. "By accident"
asks once more before it counts, can be taken back, and a chosen reason can be changed.

An open alert holds back the client's check-ins, so one that was picked up (or called off) must
not stay open because the last tap was forgotten: the clock reminds the coach who picked it up
once, then closes it itself (``check_closing``). A client has one open alert at most: a press
that raises a new alert closes the one still open (outcome "superseded", in the shell).

Longer than our ~400 lines on purpose: every rule of an alert's life (press, reason,
pick-up, escalation, closing) in one file, so whoever reviews the safety path reads it whole.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from dialogs.buttons import ID, row_id
from dialogs.outcome import (
    AcknowledgeAlert,
    At,
    AutoCloseAlert,
    AwaitInput,
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
    TakeBackAccident,
    TextRef,
)
from dialogs.people import Person, Role
from dialogs.phone import shown as shown_phone
from dialogs.promise_reminder import Promised, told_reminder
from dialogs.reachability import unreachable_alert_key
from dialogs.relay import awaiting_message
from dialogs.relay_effects import PromiseMessage

__all__ = [
    "CLOSED_NOTES",
    "CLOSED_NOTE_UNDER",
    "CLOSE_OUTCOMES",
    "NUMBER_KEYS",
    "REASONS",
    "SEEN_NOTICES",
    "SPOKE_WITH_CLIENT",
    "AlertView",
    "EscalationPolicy",
    "check_closing",
    "check_escalation",
    "closed_note_true",
    "coach_taps_alert",
    "delivery_failed",
    "emergency_numbers",
    "is_available",
    "next_available",
    "numbers_again",
    "parse_alert_data",
    "press",
    "raised",
    "seen_so_far",
    "share_location",
    "taken_back_by_words",
    "tell_reason",
    "wants_location_after",
    "with_location_key",
]

REASONS = ("bad", "fight", "lost", "letter", "other", "accident")
# What else a client's alert button may say: "yes, by accident" / "no, I need help" after
# "accident", take "by accident" back, choose another reason.
_CLIENT_ACTIONS = ("accident_yes", "accident_no", "undo", "change")
# A client's buttons that say "I do need help": on an alert closed since, a new press.
STILL_NEED_HELP = frozenset({"accident_no", "undo"})
CLOSE_OUTCOMES = ("talked", "visited", "referred", "false_alarm")
# Closes after which the coach spoke with the client: a message they promised is moot then.
SPOKE_WITH_CLIENT = frozenset({"talked", "visited"})
# Repeat presses are always counted; the team hears about the first few, then every fifth.
_NOTIFY_EVERY_REPEAT_UNTIL = 5
# A press this long after someone picked the alert up is a new call for help.
_ACK_STILL_FRESH = timedelta(minutes=30)
# The client's seen notice at a pick-up, by the promise it makes: a call, or a message.
SEEN_NOTICES = {"noodknop.seen": True, "noodknop.seen_message": False}
_ALERT_DATA = re.compile(rf"(nk|al):({ID}):([a-z_]{{1,20}})(?::([a-z_]{{1,20}}))?")


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
    # How the client was told of the pick-up, as recorded (their seen notice, ``SEEN_NOTICES``):
    # a call (True) or a message (False); None: no such notice was queued.
    picked_up_by_phone: bool | None = None
    escalated: bool = False
    emergency_sent: bool = False
    # The emergency numbers last queued for the client were refused (their chat refused
    # messages then): said again when they are heard from while nobody picked it up.
    numbers_refused: bool = False
    # Who picked it up told the client they send a message, and has not sent it yet
    # (``client.message_promised_by``): their reminder and the close say so.
    message_promised: bool = False
    # A backup who picked it up and promised that message has a message of the client's,
    # copied with this alert, in their chat: a reply to it reaches the client. Loaded only
    # for such a promise.
    helper_can_reply: bool = False
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
    coach_id: int | None = None  # the client's own coach
    # Who is asked now: told, not lost to a failed delivery (a 403), and, a coach, did not
    # tap "I cannot, pass it on". What the client reads about who is asked comes from here.
    asked_coach_ids: frozenset[int] = frozenset()
    asked_groups: int = 0  # team group chats asked
    off_hours: bool = False  # raised while the client's coach was off: backups told at once
    from_words: bool = False  # raised by words of danger the client typed, not by a press
    # The client's phone number (E.164), when known: those asked can call (shown to a backup
    # only in what they get while the alert is open). Without it they send a message.
    client_phone: str | None = None
    client_ended: bool = False  # the client's support ended (an alert raised in its grace period)
    # Since when the client's chat refuses the bot's messages (``dialogs.reachability``).
    client_unreachable_since: datetime | None = None
    client_ended_at: datetime | None = None  # when it ended (set with ``client_ended``)
    # A backup or a team chat was told about it before, whatever became of that (a pass, a
    # failed delivery): "no *other* backup left" is then what is true, not "no backup".
    backups_told: bool = False

    @property
    def waiting(self) -> bool:
        """Nobody picked it up, the client did not call it off, it is not closed."""
        return not (self.closed or self.acknowledged_by or self.accidental)

    @property
    def wants_location(self) -> bool:
        """Open and not called off: whoever helps may need to know where the client is, also
        after the pick-up."""
        return not (self.closed or self.accidental)

    @property
    def coach_asked(self) -> bool:
        """The client's own coach is asked now."""
        return self.coach_id is not None and self.coach_id in self.asked_coach_ids

    def others_asked(self, without: int | None = None) -> bool:
        """Someone besides the client's own coach (and besides ``without``) is asked now."""
        others = {c for c in self.asked_coach_ids if c not in (self.coach_id, without)}
        return bool(others) or self.asked_groups > 0

    def anyone_asked(self, without: int | None = None) -> bool:
        """Anyone at all (but ``without``, a coach who just passed it on) is asked now."""
        return bool(self.asked_coach_ids - {without or 0}) or self.asked_groups > 0


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


def _alert_buttons(phone: str | None) -> tuple[tuple[Button, ...], ...]:
    """Pick up ("I call now", or without a number "I send a message") and pass on."""
    ack = "alert.button_ack" if phone else "alert.button_ack_message"
    return (
        (Button(ack, "al:{alert_id}:ack"),),
        (Button("alert.button_pass", "al:{alert_id}:pass"),),
    )


def _reach(
    key: str, params: Mapping[str, object], phone: str | None
) -> tuple[str, dict[str, object]]:
    """A text that asks someone to call the client, with the number to tap; without a number
    its "_message" variant, which asks for a message instead."""
    if phone:
        return key, {**params, "phone": shown_phone(phone)}
    return f"{key}_message", dict(params)


def _close_buttons(alert_id: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        (Button(f"alert.outcome_{outcome}", f"al:{alert_id}:close:{outcome}"),)
        for outcome in CLOSE_OUTCOMES
    )


def _reason_buttons(alert_id: int | None) -> tuple[tuple[Button, ...], ...]:
    ident = "{alert_id}" if alert_id is None else str(alert_id)
    return tuple((Button(f"noodknop.reason_{r}", f"nk:{ident}:{r}"),) for r in REASONS)


def _client_button(label_key: str, alert_id: int, action: str) -> tuple[Button, ...]:
    return (Button(label_key, f"nk:{alert_id}:{action}"),)


def _who(alert: AlertView) -> str:
    """The text variant for who is asked now: "" the client's coach (perhaps others too),
    "_other" only others, "_nobody" nobody at all."""
    if alert.coach_asked:
        return ""
    return "_other" if alert.others_asked() else "_nobody"


def _what(pressed_at: datetime, from_words: bool) -> TextRef:
    """What happened, in an alert's texts for coaches: a press, or words of danger."""
    key = "alert.what.words" if from_words else "alert.what.pressed"
    return TextRef(key, {"time": At(pressed_at)})


def _whose(coach: str | None, ended_at: datetime | None) -> TextRef:
    """Whose client it is, in an alert's first lines: "cliënt van Anna"; for a client whose
    support ended (an alert from its grace period) "oud-cliënt van Anna, begeleiding gestopt
    op 3 december"."""
    if ended_at is None:
        return TextRef("alert.whose.client", {"coach": coach})
    return TextRef("alert.whose.former", {"coach": coach, "ended": ended_at})


def _ended_at(alert: AlertView | None) -> datetime | None:
    """When the alert's client's support ended, while it is ended (None: they take part)."""
    return alert.client_ended_at if alert is not None and alert.client_ended else None


def raise_for_words(
    person: Person,
    now: datetime,
    chat_id: int,
    message_id: int,
    ended_at: datetime | None = None,
) -> Outcome:
    """Words of danger typed while no alert is open: an alert of their own, routed, escalated
    and answered as a press is (the words copied to everyone asked, under its first text).
    ``ended_at``: a former client's (in the grace period), when their support ended."""
    assert person.role is Role.CLIENT and person.id is not None
    names = {
        "coach": person.coach_name,
        "client": person.name,
        "what": _what(now, True),
        "whose": _whose(person.coach_name, ended_at),
    }
    key, params = _reach("alert.new", names, person.phone)
    return Outcome(
        effects=(RaiseAlert(client_id=person.id, words=(chat_id, message_id)),),
        replies=(
            Reply(
                key,
                params,
                buttons=_alert_buttons(person.phone),
                to=Recipient.NEW_ALERT_RECIPIENTS,
                urgent=True,
            ),
        ),
    )


def press(person: Person, open_alert: AlertView | None, now: datetime) -> Outcome:
    """The client pressed the noodknop (menu button or /nood).

    A new alert: the coach (or whoever the routing names) is told at once; what the client
    reads comes once it is stored and it is known who was asked (``raised``)."""
    assert person.role is Role.CLIENT and person.id is not None
    names = {"coach": person.coach_name, "client": person.name}
    fresh_ack = (
        open_alert is not None
        and open_alert.acknowledged_at is not None
        and now - open_alert.acknowledged_at < _ACK_STILL_FRESH
    )
    if open_alert is None or (open_alert.acknowledged_by and not fresh_ack):
        # A former client presses only while the alert their words raised is open.
        whose = _whose(person.coach_name, _ended_at(open_alert))
        new = {**names, "what": _what(now, False), "whose": whose}
        key, params = _reach("alert.new", new, person.phone)
        return Outcome(
            effects=(RaiseAlert(client_id=person.id),),
            replies=(
                Reply(
                    key,
                    params,
                    buttons=_alert_buttons(person.phone),
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
                buttons=_alert_buttons(open_alert.client_phone),
                to=Recipient.ALERT_TEAM,
                urgent=True,
            ),
        )
    lead = seen_so_far(open_alert, Keyboard.CLIENT_ALERT_MENU)
    if lead is not None:
        # Picked up, and pressed again: who saw it and what they said they would do, and
        # 112 for danger now (a press again asks for more than the promise once more).
        lead = replace(lead, key="noodknop.danger_now", lead=lead.key)
    if lead is None:
        # Said only of whoever is really asked: "I warned Anna once more" only when the
        # warning goes out to Anna; when the team is not told again, only what was done.
        who = _who(open_alert)
        if who == "_nobody":
            key = "noodknop.still_open_nobody"
        else:
            key = ("noodknop.still_open" if team_told else "noodknop.still_open_quiet") + who
        lead = Reply(key, names, keyboard=Keyboard.CLIENT_ALERT_MENU)
    # A press after "by accident" means it was not: RepeatPress lifts that, and the clock runs.
    again = numbers_again(open_alert)
    return Outcome(effects=(RepeatPress(open_alert.id),), replies=(lead, *team_told, *again))


def seen_so_far(alert: AlertView, keyboard: Keyboard | None = None) -> Reply | None:
    """For a client who writes or presses again: who picked their alert up, and what their
    seen notice promised (a call, a message), as recorded; a notice that was refused (a
    blocked chat) is said again this way. None: nobody picked it up."""
    if not alert.acknowledged_by:
        return None
    by_phone = alert.picked_up_by_phone
    if by_phone is False and not alert.message_promised:
        by_phone = None  # the message came (or was never promised): only who saw it
    key = _SEEN_SO_FAR[by_phone]
    return Reply(key, {"helper": alert.acknowledged_by}, keyboard=keyboard)


#: By ``AlertView.picked_up_by_phone``: a call, a message, or not recorded how.
_SEEN_SO_FAR = {
    True: "noodknop.already_seen",
    False: "noodknop.already_seen_message",
    None: "noodknop.already_seen_only",
}


def raised(alert: AlertView) -> Outcome:
    """What the client reads once a new alert is stored: who was asked, as recorded.

    The client's coach in their hours: "I am sending Anna an alert". Anna off: that she does
    not work now, and whether another coach is asked too. Anna unreachable: another coach.
    Nobody at all: nothing here; the emergency numbers follow at once (``delivery_failed``)."""
    names = {"coach": alert.coach_name, "client": alert.client_name}
    if alert.coach_asked and not alert.off_hours:
        key = "noodknop.sent"
    elif alert.coach_asked:
        key = "noodknop.sent_off_hours" if alert.others_asked() else "noodknop.sent_off_hours_alone"
    elif alert.others_asked():
        key = "noodknop.sent_other"
    else:
        return Outcome()
    return Outcome(
        replies=(
            Reply(key, names, keyboard=Keyboard.CLIENT_ALERT_MENU),
            Reply("noodknop.what", buttons=_reason_buttons(alert.id)),
        )
    )


def parse_alert_data(data: str) -> tuple[str, int, str, str] | None:
    """``nk:<id>:<reason>`` or ``al:<id>:<action>[:<outcome>]`` -> (kind, id, action, arg)."""
    match = _ALERT_DATA.fullmatch(data)
    alert_id = row_id(match[2]) if match else None
    if match is None or alert_id is None:
        return None
    return match[1], alert_id, match[3], match[4] or ""


def tell_reason(person: Person, alert: AlertView | None, reason: str, now: datetime) -> Outcome:
    """The client chose what is going on, or pressed one of their other alert buttons.

    "By accident" is asked once more ("Is alles goed?") before it counts; "yes" calls the
    alert off (with a button to take that back), "no" keeps it on and offers the reasons
    again. After a reason the client may choose another one."""
    if (
        person.role is not Role.CLIENT
        or alert is None
        or alert.client_id != person.id
        or (reason not in REASONS and reason not in _CLIENT_ACTIONS)
    ):
        return Outcome(notice="common.button_unknown")
    if alert.closed:
        return Outcome(notice="common.question_closed")
    names = {"coach": person.coach_name, "client": person.name}
    match reason:
        case "accident":
            return Outcome(
                replies=(
                    Reply(
                        "noodknop.accident_check",
                        names,
                        buttons=(
                            _client_button("noodknop.accident_yes", alert.id, "accident_yes"),
                            _client_button("noodknop.accident_no", alert.id, "accident_no"),
                        ),
                    ),
                ),
                chosen="noodknop.reason_accident",
            )
        case "accident_yes":
            return _called_off(alert, names)
        case "accident_no":
            key = (
                "noodknop.still_open_nobody"
                if _who(alert) == "_nobody"
                else "noodknop.not_accident"
            )
            return Outcome(
                replies=(
                    Reply(key, names, keyboard=Keyboard.CLIENT_ALERT_MENU),
                    Reply("noodknop.what", buttons=_reason_buttons(alert.id)),
                ),
                chosen="noodknop.accident_no",
            )
        case "undo":
            return _take_back(alert, names)
        case "change":
            return Outcome(
                replies=(Reply("noodknop.what", buttons=_reason_buttons(alert.id)),),
                chosen="noodknop.button_change_reason",
            )
    changed = alert.reason is not None and alert.reason not in (reason, "accident")
    who = _who(alert)
    thanks = "noodknop.still_open_nobody" if who == "_nobody" else f"noodknop.reason_thanks{who}"
    return Outcome(
        effects=(SetAlertReason(alert.id, reason, accidental=False),),
        replies=(
            Reply(
                thanks,
                names,
                buttons=(_client_button("noodknop.button_change_reason", alert.id, "change"),),
            ),
            Reply(
                "alert.reason_changed" if changed else "alert.reason",
                {**names, "reason": TextRef(f"alert.reason_{reason}")},
                to=Recipient.ALERT_TEAM,
                urgent=True,
            ),
        ),
        chosen=f"noodknop.reason_{reason}",
    )


def _called_off(alert: AlertView, names: dict[str, str | None]) -> Outcome:
    """The client said "yes, by accident": now it counts. The team hears it; the client can
    take it back."""
    if alert.accidental:
        return Outcome(notice="common.question_closed")
    key = "noodknop.accident_ok" if alert.coach_asked else "noodknop.accident_ok_other"
    return Outcome(
        effects=(SetAlertReason(alert.id, "accident", accidental=True),),
        replies=(
            Reply(key, names, buttons=(_client_button("noodknop.button_undo", alert.id, "undo"),)),
            Reply(
                "alert.accident",
                names,
                buttons=_close_buttons(alert.id),
                to=Recipient.ALERT_TEAM,
                urgent=True,
            ),
        ),
        chosen="noodknop.accident_yes",
    )


def _back_on(alert: AlertView, names: Mapping[str, str | None]) -> Reply:
    """The client hears their alert is on again (after "per ongeluk" was taken back), with
    "📍 Stuur waar ik ben" back on their menu."""
    key = "noodknop.still_open_nobody" if _who(alert) == "_nobody" else "noodknop.back_on"
    return Reply(key, dict(names), keyboard=Keyboard.CLIENT_ALERT_MENU)


def taken_back_by_words(alert: AlertView, client_name: str) -> Outcome:
    """Help words typed after "per ongeluk": it was no accident after all. The alert waits
    again and the team is asked again, with the alert's buttons (``dialogs.help_words``); the
    client hears it is on again."""
    names = {"client": client_name, "coach": alert.coach_name}
    key, params = _reach("alert.accident_taken_back", names, alert.client_phone)
    return Outcome(
        effects=(TakeBackAccident(alert.id),),
        replies=(
            _back_on(alert, names),
            Reply(
                key,
                params,
                buttons=_alert_buttons(alert.client_phone),
                to=Recipient.ALERT_TEAM,
                urgent=True,
            ),
        ),
    )


def _take_back(alert: AlertView, names: dict[str, str | None]) -> Outcome:
    """The client said "I need help after all": the alert waits again, the team is asked
    again, the clock runs (from the press: time already passed is not given again)."""
    if not alert.accidental:
        return Outcome(notice="common.question_closed")
    return Outcome(
        effects=(TakeBackAccident(alert.id),),
        replies=(
            _back_on(alert, names),
            Reply("noodknop.what", buttons=_reason_buttons(alert.id)),
            Reply(
                *_reach("alert.accident_taken_back", names, alert.client_phone),
                buttons=_alert_buttons(alert.client_phone),
                to=Recipient.ALERT_TEAM,
                urgent=True,
            ),
        ),
        chosen="noodknop.button_undo",
    )


def share_location(
    person: Person, alert: AlertView, chat_id: int, message_id: int, now: datetime
) -> Outcome:
    """A location sent while an alert is open goes to everyone told about it."""
    names = {"coach": person.coach_name, "client": person.name}
    who = _who(alert)
    key = "noodknop.still_open_nobody" if who == "_nobody" else f"noodknop.location_sent{who}"
    return Outcome(
        effects=(CopyToAlertTeam(alert.id, chat_id, message_id),),
        replies=(
            Reply(key, names, keyboard=Keyboard.CLIENT_ALERT_MENU),
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
    picked_up_by_them = alert.acknowledged_by_id == person.id
    if person.id not in alert.recipient_coach_ids and not told_here and not picked_up_by_them:
        return Outcome(notice="common.button_unknown")
    if alert.closed:
        return Outcome(notice="alert.already_closed")
    names = {"client": alert.client_name, "coach": alert.coach_name, "helper": person.name}
    # Picked up already: by this coach (in a team group, say, and now tapped in private), or
    # by someone else.
    taken = "alert.already_yours" if picked_up_by_them else "alert.already_taken"
    if action == "ack":
        if alert.acknowledged_by:
            return Outcome(notice=taken)
        return _picked_up(alert, names, person.id)
    if action == "pass":
        if alert.acknowledged_by:
            return Outcome(notice=taken)
        if alert.accidental:
            # The client said "per ongeluk": passing it on would ask a backup to call, and
            # tell the client that nobody can come. The coach hears why nothing happens.
            return Outcome(notice="alert.pass_called_off")
        return _pass_on(alert, person.name, person.id)
    if action == "close" and arg in CLOSE_OUTCOMES:
        if not (alert.acknowledged_by or alert.accidental):
            # The client was promised news when a person saw it: pick it up first.
            return Outcome(
                notice="alert.ack_first" if alert.client_phone else "alert.ack_first_message"
            )
        return Outcome(
            effects=(CloseAlert(alert.id, person.id, arg),),
            replies=(
                Reply("alert.closed", names, to=Recipient.ALERT_TEAM),
                *_closed_for_client(alert),
            ),
            chosen=f"alert.outcome_{arg}",
        )
    return Outcome(notice="common.button_unknown")


def _closed_for_client(alert: AlertView) -> tuple[Reply, ...]:
    """The client hears their alert is closed, with their menu back: "📍 Stuur waar ik ben"
    is for an open alert only. Queued with the close itself, so it is true when it is said.
    Not while another alert of theirs is open: that one counts, and its key stays. A former
    client (support ended) has no noodknop any more: their keys go, and 112 is named.

    Two messages: "Je melding is afgesloten." brings the menu back, so it cannot carry
    "🔊 Voorlezen" (a message has one kind of buttons); "Heb je hulp nodig? ..." under it
    changes no keyboard and carries the button, which reads both (``bot.outbox_hooks``, as
    ``bot.pipeline`` does for direct replies)."""
    if alert.newer_open or alert.older_open:
        return ()
    # Not urgent, and silent (``bot.loudness``): news, not a call to act; an alert closed by
    # the clock at night must not wake anyone.
    if alert.client_ended:
        return (Reply("noodknop.closed_ended", keyboard=Keyboard.REMOVE, to=Recipient.CLIENT),)
    return (
        Reply("noodknop.closed", keyboard=Keyboard.CLIENT_MENU, to=Recipient.CLIENT),
        Reply("noodknop.closed_help", to=Recipient.CLIENT),
    )


# What the client reads when their alert closes (``_closed_for_client``): checked again just
# before it is sent (``closed_note_true``).
CLOSED_NOTES = frozenset({"noodknop.closed", "noodknop.closed_help", "noodknop.closed_ended"})
# The help line goes under the closed note, never before it (the shell holds it back).
CLOSED_NOTE_UNDER = {"noodknop.closed_help": "noodknop.closed"}


def closed_note_true(closed_alert_id: int | None, open_alert_ids: Collection[int]) -> bool:
    """Whether "Je melding is afgesloten", queued when alert ``closed_alert_id`` closed, is
    still true now that it is about to be sent: no other alert of the client is open.

    The note is queued with the close, but sent later; a client who presses the noodknop
    again in that moment has a new alert open, and must not read that it is closed, nor lose
    "📍 Stuur waar ik ben" to the note's plain menu. Then the note is dropped, never sent:
    the open alert is what counts, and its own close brings the note later. (An older open
    alert counts as well; the close queues no note then, so only a newer one meets this.)"""
    return all(alert_id == closed_alert_id for alert_id in open_alert_ids)


def _picked_up(alert: AlertView, names: dict[str, str | None], coach_id: int) -> Outcome:
    """A coach picked the alert up. With the client's number: "Anna belt je zo". Without one
    the coach's next message goes to the client (as after ``/bericht``), and the client reads
    "Anna stuurt je zo een bericht": what will really happen."""
    by_phone = alert.client_phone is not None
    suffix = "" if by_phone else "_message"
    # The client reads "Anna stuurt je een bericht": that promise is stored with it (a cancel
    # reminds Anna of it; the alert stays as it is).
    # Stored as a promise only when the client can read it now and the message can go (a
    # chat that refuses messages, an ended client: the coach still gets the wait).
    promise = (
        (PromiseMessage(alert.client_id, coach_id),)
        if alert.client_unreachable_since is None and not alert.client_ended
        else ()
    )
    send_next = (
        () if by_phone else (AwaitInput(coach_id, awaiting_message(alert.client_id)), *promise)
    )
    # In the coach's own chat: picked up in a team group, "your next message goes to Sam" is
    # for them, not for the group (where it would be untrue for everyone else).
    prompt = () if by_phone else (Reply("alert.message_prompt", names, to=Recipient.ACTOR),)
    return Outcome(
        effects=(AcknowledgeAlert(alert.id, coach_id), *send_next),
        replies=(
            # No keyboard: "📍 Stuur waar ik ben" may stay while the alert is open, and the
            # text keeps its "🔊 Voorlezen" (a message carries one kind of buttons).
            Reply(f"noodknop.seen{suffix}", names, to=Recipient.CLIENT, urgent=True),
            Reply(f"alert.taken{suffix}", names, to=Recipient.ALERT_TEAM, urgent=True),
            *prompt,
            Reply("alert.close_prompt", names, buttons=_close_buttons(alert.id)),
        ),
        chosen=f"alert.button_ack{suffix}",
    )


def _pass_on(alert: AlertView, helper: str | None, coach_id: int) -> Outcome:
    """A coach cannot take it. The pass is stored (``EscalateAlert`` with who passed), so they
    no longer count as asked; the client hears who is asked now, and gets the numbers when
    nobody is left."""
    names = {"client": alert.client_name, "coach": alert.coach_name, "helper": helper}
    passed = EscalateAlert(alert.id, by_coach_id=coach_id)
    if alert.backups_left:
        return Outcome(
            effects=(passed,),
            replies=(
                Reply("alert.passed_on", names),
                *_escalated(alert, passed_by=helper),
                _to_client("noodknop.update_passed_backup", names),
            ),
            chosen="alert.button_pass",
        )
    if alert.anyone_asked(without=coach_id):
        # Others were told before and can still pick it up: "blijft aan" is true.
        return Outcome(
            effects=(passed,),
            replies=(
                Reply("alert.passed_others_have_it", names),
                _to_client("noodknop.update_passed_waiting", names),
            ),
            chosen="alert.button_pass",
        )
    nobody = _to_client("noodknop.update_passed_nobody", names)
    if alert.emergency_sent:
        return Outcome(
            effects=(passed,),
            replies=(Reply("alert.no_backup_sent", names), nobody, *_numbers()[:1]),
            chosen="alert.button_pass",
        )
    return Outcome(
        effects=(passed, SendEmergencyNumbers(alert.id)),
        replies=(
            Reply("alert.no_backup", names),
            nobody,
            *_numbers(),
            Reply("alert.emergency_sent", names, to=Recipient.ALERT_TEAM, urgent=True),
        ),
        chosen="alert.button_pass",
    )


def _to_client(key: str, params: Mapping[str, str | None]) -> Reply:
    """An update for the client about their alert (from a coach's tap or the clock)."""
    return Reply(key, dict(params), to=Recipient.CLIENT, urgent=True)


def _escalated(alert: AlertView, passed_by: str | None = None) -> tuple[Reply, ...]:
    """The alert for backups asked now; after a pass it says who could not (not that the
    coach did not react). A client whose chat refuses messages (``dialogs.reachability``):
    those asked now read it with the alert, not only once a message to the client fails."""
    names = {
        "client": alert.client_name,
        "coach": alert.coach_name,
        "what": _what(alert.pressed_at, alert.from_words),
        "whose": _whose(alert.coach_name, _ended_at(alert)),
    }
    key, params = _reach(
        "alert.escalated" if passed_by is None else "alert.passed_to_you",
        names if passed_by is None else {**names, "helper": passed_by},
        alert.client_phone,
    )
    asked = Reply(
        key,
        params,
        buttons=_alert_buttons(alert.client_phone),
        to=Recipient.NEW_ALERT_RECIPIENTS,
        urgent=True,
    )
    if alert.client_unreachable_since is None:
        return (asked,)
    unreachable = Reply(
        unreachable_alert_key(phone_known=alert.client_phone is not None),
        {"client": alert.client_name, "time": At(alert.pressed_at)},
        to=Recipient.NEW_ALERT_RECIPIENTS,
        urgent=True,
    )
    return (asked, unreachable)


# The emergency numbers, one message each: one number and what it is for, each heard alone.
# The huisartsenpost's number is the organisation's setting (the shell fills {huisartsenpost}).
NUMBER_KEYS = ("noodknop.number_112", "noodknop.number_113", "noodknop.number_doctor")


def _numbers() -> tuple[Reply, ...]:
    return emergency_numbers(Recipient.CLIENT)


def wants_location_after(alert: AlertView, outcome: Outcome) -> bool:
    """Whether the client's alert wants their location once ``outcome`` is stored: as it
    was, unless the outcome calls it off as an accident or takes that back."""
    wanted = alert.wants_location
    for effect in outcome.effects:
        if isinstance(effect, TakeBackAccident) and effect.alert_id == alert.id:
            wanted = True
        elif isinstance(effect, SetAlertReason) and effect.alert_id == alert.id:
            wanted = not effect.accidental
    return wanted


def with_location_key(reply: Reply, wants_location: bool) -> Reply:
    """The client's menu with "📍 Stuur waar ik ben" while their alert wants it: every text
    that brings the menu back (whichever dialog said it, sent now or from the outbox) keeps
    the key, and only the closed note (sent once the alert is closed) takes it away."""
    if wants_location and reply.keyboard is Keyboard.CLIENT_MENU:
        return replace(reply, keyboard=Keyboard.CLIENT_ALERT_MENU)
    return reply


def numbers_again(alert: AlertView) -> tuple[Reply, ...]:
    """For a client heard from (a message, a press) while nobody picked their alert up and
    the emergency numbers sent to them were refused (they had blocked the bot by mistake):
    those numbers once more, as alert traffic, after the line that says what is so. Nothing
    otherwise: numbers that arrived are not repeated at every message."""
    if not alert.numbers_refused or alert.acknowledged_by or alert.closed:
        return ()
    names = {"client": alert.client_name, "coach": alert.coach_name}
    someone_asked = alert.coach_asked or alert.others_asked()
    lead = "noodknop.emergency_waiting" if someone_asked else "noodknop.emergency_nobody"
    return (
        Reply(lead, names, to=Recipient.CLIENT, urgent=True, keyboard=Keyboard.CLIENT_ALERT_MENU),
        *_numbers(),
    )


def emergency_numbers(to: Recipient) -> tuple[Reply, ...]:
    """The emergency numbers, one message each (also for a client whose support ended)."""
    return tuple(Reply(key, to=to, urgent=True) for key in NUMBER_KEYS)


def _emergency(alert: AlertView, someone_asked: bool) -> tuple[Reply, ...]:
    """The numbers for the client, after one line that says what is so: nobody reacted yet
    and the alert stays on for those asked, or nobody can be reached at all."""
    names = {"client": alert.client_name, "coach": alert.coach_name}
    lead = "noodknop.emergency_waiting" if someone_asked else "noodknop.emergency_nobody"
    return (
        Reply(lead, names, to=Recipient.CLIENT, urgent=True, keyboard=Keyboard.CLIENT_ALERT_MENU),
        *_numbers(),
        Reply("alert.emergency_sent", names, to=Recipient.ALERT_TEAM, urgent=True),
    )


def check_escalation(alert: AlertView, now: datetime, policy: EscalationPolicy) -> Outcome:
    """The clock's look at a waiting alert, counted from the press (not from any restart).

    After ``renotify_after`` the coach (if still asked) is reminded, told truly whether a backup
    is warned now (``_reminder_key``), the backups not told yet are asked, and the client hears
    that ("Anna reageert nog niet. Ik vraag nu ook een andere coach."); after
    ``emergency_after`` the client gets the numbers."""
    if not alert.waiting:
        return Outcome()
    waited = now - alert.pressed_at
    outcome = Outcome()
    someone_asked = alert.anyone_asked()
    if waited >= policy.renotify_after and not alert.escalated:
        names = {
            "client": alert.client_name,
            "coach": alert.coach_name,
            "what": _what(alert.pressed_at, alert.from_words),
        }
        replies: list[Reply] = []
        if alert.coach_asked:
            replies.append(
                Reply(
                    _reminder_key(alert),
                    names,
                    buttons=_alert_buttons(alert.client_phone),
                    to=Recipient.COACH,
                    urgent=True,
                )
            )
        if alert.backups_left:
            replies.extend(_escalated(alert))
            someone_asked = True
        update = _escalation_update(alert)
        if update is not None:
            replies.append(_to_client(update, {"coach": alert.coach_name}))
        outcome += Outcome(effects=(EscalateAlert(alert.id),), replies=tuple(replies))
    if waited >= policy.emergency_after and not alert.emergency_sent:
        outcome += Outcome(
            effects=(SendEmergencyNumbers(alert.id),), replies=_emergency(alert, someone_asked)
        )
    return outcome


def _reminder_key(alert: AlertView) -> str:
    """The coach's reminder says a backup is warned now only when one is: when someone not
    told yet gets the escalated alert with it (``backups_left``, as in ``check_escalation``).
    Else "no *other* backup left" when one was told before, and "no backup" only when none
    ever was. (Today every route that tells a backup also marks the alert escalated, which
    ends this reminder; the key keeps the sentence true should that change.)"""
    if alert.backups_left:
        return "alert.reminder"
    return "alert.reminder_none_left" if alert.backups_told else "alert.reminder_alone"


def _escalation_update(alert: AlertView) -> str | None:
    """What the client hears when the clock escalates; None when nothing changes for them."""
    if alert.coach_asked:
        return "noodknop.update_backup" if alert.backups_left else "noodknop.update_reminded"
    return "noodknop.update_other" if alert.backups_left else None


def check_closing(alert: AlertView, now: datetime, policy: EscalationPolicy) -> Outcome:
    """The clock's look at an alert someone picked up (or the client called off) that is
    still open. Counted from that moment, not from the press, so a long call is not cut short.

    After ``close_remind_after`` the coach who picked it up (or, called off by accident, the
    client's coach) gets one reminder with the close buttons; after ``autoclose_after`` the
    alert closes itself (outcome "auto_closed") and they are told once. That the check-ins wait
    for it, or go on after it, is said only when it is so (``holds_back_checkins``). The client
    hears only that it is closed, and gets their menu back (``_closed_for_client``).

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
            replies=(
                Reply(f"alert.auto_closed{checkins}", names, to=Recipient.ALERT_HELPER),
                *_still_owed(alert, closing=True),
                *_closed_for_client(alert),
            ),
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
                *_still_owed(alert, closing=False),
            ),
        )
    return Outcome()


def _still_owed(alert: AlertView, closing: bool) -> tuple[Reply, ...]:
    """ "Anna stuurt je een bericht" still owed: the one who said it reads it with the clock's
    reminder and with the close, with the way that works for them (``told_reminder``): their
    own client's ``/bericht``; a backup's reply to a message of the client's that came with
    the alert only while it is open (``helper_can_reply``), else the client's coach; a call
    while the client's chat refuses messages."""
    if not alert.message_promised or alert.acknowledged_by_id is None:
        return ()
    promise = Promised(
        alert.client_id,
        alert.client_name,
        own_coach=alert.acknowledged_by_id == alert.coach_id,
        unreachable=alert.client_unreachable_since is not None,
        phone=alert.client_phone,
        coach_name=alert.coach_name,
        can_reply=alert.helper_can_reply and not closing,
    )
    return (replace(told_reminder(promise, lead=None), to=Recipient.ALERT_HELPER),)


def delivery_failed(alert: AlertView, now: datetime) -> Outcome:
    """An alert could not reach someone for good (blocked the bot): never stay silent. The
    client hears it when another coach is asked instead, and gets the numbers when nobody at
    all can be reached."""
    if not alert.waiting:
        return Outcome()
    names = {"client": alert.client_name, "coach": alert.coach_name}
    if alert.backups_left:
        update = (
            "noodknop.update_unreachable_other"
            if alert.coach_asked
            else "noodknop.update_unreachable_coach"
        )
        return Outcome(
            effects=(EscalateAlert(alert.id),),
            replies=(*_escalated(alert), _to_client(update, names)),
        )
    if alert.emergency_sent or alert.others_reachable:
        return Outcome()
    return Outcome(
        effects=(SendEmergencyNumbers(alert.id),), replies=_emergency(alert, someone_asked=False)
    )
