"""What should happen after an event: replies as text keys, and effects as data.

The shell persists the effects in one transaction, then renders and sends the replies.
Values that only exist after the effects ran (an invite link) come from the effects' results,
which the shell merges into each reply's parameters.

Longer than our ~400 lines on purpose: every effect a dialog may ask for, side by side, is
the one list the shell's effect registry is checked against (one handler per type).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from dialogs.card_chart import Chart
from dialogs.checkin_state import RaiseSignal, RecordSignalAction, SaveCheckin, WithdrawSignal
from dialogs.contact_effects import LogContact, SetContactNote
from dialogs.phase_effects import ReopenSupport, RequestData, SendSummary, SetPhase
from dialogs.relay_effects import (
    AwaitClientMessage,
    MarkRelaySeen,
    PromiseMessage,
    RelayToClient,
    RelayToCoach,
    SetRelayAsked,
    SetRelayDirect,
)

__all__ = [
    "READ_ALOUD_BUTTON",
    "READ_ALOUD_DATA",
    "AcknowledgeAlert",
    "ActivateCoach",
    "AskToStop",
    "At",
    "AutoCloseAlert",
    "AwaitInput",
    "Button",
    "ChooseReadAloud",
    "ClaimClientInvite",
    "CloseAlert",
    "CopyToAlertTeam",
    "DeclineConsent",
    "Effect",
    "EndSupport",
    "EscalateAlert",
    "GiveConsent",
    "InviteClient",
    "Keyboard",
    "Lines",
    "MarkStopAsked",
    "Outcome",
    "PauseCheckins",
    "RaiseAlert",
    "RaiseSignal",
    "Recipient",
    "RecordSignalAction",
    "RemindToClose",
    "RenewClientInvite",
    "RepeatPress",
    "Reply",
    "SaveCheckin",
    "SendEmergencyNumbers",
    "SetAlertReason",
    "SetClientLanguage",
    "SetClientPhone",
    "SetReadAloud",
    "SetSchedule",
    "StartCheckin",
    "SupersedeAlert",
    "TakeBackAccident",
    "TextRef",
    "ToggleBackup",
    "UpdateCoachSettings",
    "WithdrawSignal",
]


@dataclass(frozen=True)
class TextRef:
    """A parameter whose value is another text, rendered in the reader's language, with
    parameters of its own when it has placeholders ("{count} dagen geleden")."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lines:
    """A parameter shown as several texts, one per line (a coach's list of clients)."""

    items: tuple[TextRef, ...] = ()


READ_ALOUD_DATA = "ra"  # the "🔊 Voorlezen" button under a text: hear this message


class Keyboard(StrEnum):
    CLIENT_MENU = "client_menu"
    CLIENT_ALERT_MENU = "client_alert_menu"  # the menu plus "send my location"
    COACH_MENU = "coach_menu"
    # The offer to share a phone number: one button that sends the client's own contact
    # (Telegram's request_contact), and "Liever niet".
    SHARE_PHONE = "share_phone"
    REMOVE = "remove"


class Recipient(StrEnum):
    SENDER = "sender"
    # The person who acted, in their own chat with the bot: the sender's chat, unless they
    # acted in a team group (what is for them alone, or names another client, goes there).
    ACTOR = "actor"
    COACH = "coach"  # the coach of the client concerned
    CLIENT = "client"  # the client an alert is about (when a coach or the clock acts)
    # Everyone already told about the alert, except the sender (the chat and the person).
    ALERT_TEAM = "alert_team"
    # The coach who picked the alert up; when nobody did (called off by accident), or that
    # coach can no longer be reached, the coach of the client concerned.
    ALERT_HELPER = "alert_helper"
    NEW_ALERT_RECIPIENTS = "new_alert_recipients"  # those this outcome's effects added


@dataclass(frozen=True)
class At:
    """A parameter shown as a clock time in the organisation's timezone ("10:42").

    With ``said_at`` (when the sentence is said) it also shows the day, when that is not the
    day it is said on: "maandag 10:42" before, "morgen om 10:42" after (``format.at``).
    """

    moment: datetime
    said_at: datetime | None = None


@dataclass(frozen=True)
class Button:
    """An inline button. ``data`` may hold ``{alert_id}``, filled from the effects' results;
    ``label_params`` fill the label's placeholders (a client's name on a coach's button)."""

    label_key: str
    data: str
    label_params: dict[str, str] = field(default_factory=dict)


READ_ALOUD_BUTTON = Button("common.read_aloud", READ_ALOUD_DATA)


@dataclass(frozen=True)
class Reply:
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    keyboard: Keyboard | None = None
    to: Recipient = Recipient.SENDER
    picture_of: str | None = None  # parameter whose value is shown as a QR code picture
    urgent: bool = False  # alert traffic: jumps every queue
    lead: str | None = None  # a text shown above this one, in the same message
    # Set on a reply that shows a secret (a live invite link): it is never stored, so when
    # Telegram will not take it now, this text (with the reply's own params) is queued instead.
    unsent_key: str | None = None
    chart: Chart | None = None  # a picture (bot.chart draws it); the text is its caption


@dataclass(frozen=True)
class ActivateCoach:
    invite_id: int
    coach_id: int


@dataclass(frozen=True)
class ClaimClientInvite:
    """The client opened their link: hold it for them while they decide about consent."""

    invite_id: int
    client_id: int


@dataclass(frozen=True)
class GiveConsent:
    client_id: int
    version: str


@dataclass(frozen=True)
class DeclineConsent:
    """Said no: forget the Telegram id and release the link so it can be opened again."""

    client_id: int


@dataclass(frozen=True)
class AskToStop:
    """The client confirmed they want to stop: recorded, and their coach is asked."""

    client_id: int


@dataclass(frozen=True)
class MarkStopAsked:
    """ "Wil je stoppen met Waakvlam?" became the client's last open question (``open``), or
    no longer is: while it is, a typed "ja" or "nee" answers it."""

    client_id: int
    open: bool


@dataclass(frozen=True)
class EndSupport:
    """The coach ended the client's support (the client asked to stop): the client's phase
    becomes "ended" with who and when, check-ins stop."""

    client_id: int
    coach_id: int
    reason: str


@dataclass(frozen=True)
class ChooseReadAloud:
    client_id: int
    read_aloud: bool


@dataclass(frozen=True)
class SetReadAloud:
    """The client switched read-aloud on or off ("voorlezen", "niet voorlezen"), in any state:
    only the choice changes, nothing about joining."""

    client_id: int
    read_aloud: bool


@dataclass(frozen=True)
class SetClientLanguage:
    """The client chose the language the bot speaks with them (a code of content/easy-language:
    "nl", "en"); every text and voice note for them is in it from now on."""

    client_id: int
    language: str


@dataclass(frozen=True)
class SetClientPhone:
    """Store (or with None remove) a client's phone number, E.164. ``by_coach_id``: the coach
    who typed it (only for their own client); None: the client shared it themselves."""

    client_id: int
    phone: str | None
    by_coach_id: int | None = None


@dataclass(frozen=True)
class AwaitInput:
    """A coach's next plain text answers this question (None: answers nothing)."""

    coach_id: int
    awaiting: str | None


@dataclass(frozen=True)
class UpdateCoachSettings:
    """A coach changed their own settings (``dialogs.coach_settings``); None keeps one."""

    coach_id: int
    days: str | None = None
    available_from: str | None = None
    available_until: str | None = None
    digest_weekday: int | None = None
    digest_time: time | None = None
    language: str | None = None


@dataclass(frozen=True)
class ToggleBackup:
    """A colleague added to (``on``, asked last) or taken from a coach's backups."""

    coach_id: int
    backup_coach_id: int
    on: bool


@dataclass(frozen=True)
class InviteClient:
    """Create a client and a single-use link; results: ``link``, ``expires``."""

    coach_id: int
    client_name: str
    language: str | None = None  # the client's language, if the coach named one; else theirs


@dataclass(frozen=True)
class RenewClientInvite:
    """A new single-use link for the coach's invited client (a link lost, expired, or
    withdrawn before); their unused links stop working in the same transaction.
    ``joining``: the client opened a link and is still joining, and the coach confirmed
    stopping it: that joining stops (the Telegram account that opened it is let go, their
    consent forgotten), only while nothing of theirs is kept. Results: ``link``, ``expires``
    and, for ``joining``, the account let go (``client``); when the client is no longer as
    the coach saw them, what the coach is told ``instead``."""

    coach_id: int
    client_id: int
    language: str | None = None  # a language the coach named now; else the client's stays
    joining: bool = False
    client_name: str = ""  # as stored: for what the coach is told instead


@dataclass(frozen=True)
class RaiseAlert:
    """Noodknop pressed: store the alert, tell the coach (and backups when the coach is off).
    ``words``: (chat id, message id) of words of danger that raised it instead, copied to
    everyone told. Results: ``alert_id``, ``time``, ``new_recipients``."""

    client_id: int
    words: tuple[int, int] | None = None


@dataclass(frozen=True)
class RepeatPress:
    alert_id: int


@dataclass(frozen=True)
class SetAlertReason:
    alert_id: int
    reason: str
    accidental: bool


@dataclass(frozen=True)
class TakeBackAccident:
    """The client said "by accident", then "I need help after all": the alert waits again."""

    alert_id: int


@dataclass(frozen=True)
class CopyToAlertTeam:
    """Copy the client's message (a location, help words) to everyone told about the alert;
    ``event`` is the step kept in the alert's timeline."""

    alert_id: int
    from_chat_id: int
    message_id: int
    event: str = "location_shared"


@dataclass(frozen=True)
class AcknowledgeAlert:
    alert_id: int
    coach_id: int


@dataclass(frozen=True)
class EscalateAlert:
    """Tell the backups not told yet. Results: ``new_recipients``, ``backups``."""

    alert_id: int
    by_coach_id: int | None = None  # None: the clock escalated


@dataclass(frozen=True)
class SendEmergencyNumbers:
    alert_id: int


@dataclass(frozen=True)
class CloseAlert:
    alert_id: int
    coach_id: int
    outcome: str


@dataclass(frozen=True)
class RemindToClose:
    """The team was reminded to close an alert someone picked up (kept in its timeline)."""

    alert_id: int


@dataclass(frozen=True)
class AutoCloseAlert:
    """The clock closes an alert that was picked up but never closed (outcome "auto_closed")."""

    alert_id: int


@dataclass(frozen=True)
class SupersedeAlert:
    """An alert left open when the client raised a new one is closed (outcome "superseded"):
    a client has one open alert at most."""

    alert_id: int


@dataclass(frozen=True)
class StartCheckin:
    """Open a check-in for the client now and send its first question (``origin``: who asked:
    "client", "coach" or "schedule"). Results: ``checkin_started`` (False when one is open)."""

    client_id: int
    origin: str


@dataclass(frozen=True)
class SetSchedule:
    """A coach set a client's check-in rhythm, weekday (0 = Monday) and local time.
    ``starts``: the local date of the first check-in (``dialogs.schedule.changed_schedule``);
    None: the first such weekday after now."""

    client_id: int
    coach_id: int
    rhythm: str
    weekday: int
    at: time
    starts: date | None = None


@dataclass(frozen=True)
class PauseCheckins:
    """A coach paused (holiday) or resumed a client's check-ins. Results: ``next`` (resumed).
    ``starts``: on resuming, the local date of the next check-in
    (``dialogs.schedule.paused_or_resumed``); None: the first such weekday after now."""

    client_id: int
    coach_id: int
    paused: bool
    starts: date | None = None


Effect = (
    ActivateCoach
    | ClaimClientInvite
    | GiveConsent
    | DeclineConsent
    | AskToStop
    | MarkStopAsked
    | EndSupport
    | ChooseReadAloud
    | SetReadAloud
    | SetClientLanguage
    | SetClientPhone
    | AwaitInput
    | UpdateCoachSettings
    | ToggleBackup
    | LogContact
    | SetContactNote
    | InviteClient
    | RenewClientInvite
    | RaiseAlert
    | RepeatPress
    | SetAlertReason
    | TakeBackAccident
    | CopyToAlertTeam
    | AcknowledgeAlert
    | EscalateAlert
    | SendEmergencyNumbers
    | CloseAlert
    | RemindToClose
    | AutoCloseAlert
    | SupersedeAlert
    | StartCheckin
    | SetSchedule
    | PauseCheckins
    | SaveCheckin
    | RaiseSignal
    | WithdrawSignal
    | RecordSignalAction
    | RelayToCoach
    | RelayToClient
    | MarkRelaySeen
    | SetRelayDirect
    | SetRelayAsked
    | AwaitClientMessage
    | PromiseMessage
    | SetPhase
    | ReopenSupport
    | RequestData
    | SendSummary
)


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    notice: str | None = None  # key shown briefly on the phone after a button press
    chosen: str | None = None  # label key of the pressed button, shown on the closed question

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(
            replies=self.replies + other.replies,
            effects=self.effects + other.effects,
            notice=other.notice or self.notice,
            chosen=other.chosen or self.chosen,
        )
