"""Button data: which dialog a pressed button belongs to, told by its prefix, in one place.

Every inline button's ``callback_data`` starts with a short prefix ("ci:" a check-in answer,
"al:" an alert button for coaches, ...). The router and the shell ask ``kind_of`` once and
hand the press to that dialog alone, which parses the rest of the data; data Telegram sends
is untrusted, so whatever does not match a known prefix is ``ButtonKind.UNKNOWN``.

An id in the data (``dr:<client id>``) is matched by ``ID`` in the dialog's pattern and read
by ``row_id`` alone: an id no row can have is None, the same as an id that is not there, so
made-up data never reaches the database (where it would not fit the column).
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["ID", "MAX_ROW_ID", "ButtonKind", "kind_of", "row_id"]

# Where a data pattern holds an id: any run of digits, which ``row_id`` then reads.
ID = "[0-9]+"
# Ids are INTEGER columns on SQLite and PostgreSQL (``storage.models``): 1 .. 2^31-1.
MAX_ROW_ID = 2**31 - 1
_ROW_ID = re.compile(r"[1-9][0-9]{0,9}")  # as the bot writes an id: no sign, no leading zero


class ButtonKind(StrEnum):
    READ_ALOUD = "read_aloud"  # "🔊 Voorlezen" under a text
    ALERT_REASON = "alert_reason"  # a client says why they pressed the noodknop
    ALERT = "alert"  # a coach picks an alert up, passes it on or closes it
    RELAY_CONFIRM = "relay_confirm"  # a client confirms sending a message to the coach
    RELAY_SEEN = "relay_seen"  # a coach marks a client's message as seen
    CHECKIN = "checkin"  # an answer to a check-in question
    SCHEDULE = "schedule"  # a coach's check-in rhythm, pause or "check-in now"
    ONBOARDING = "onboarding"  # consent, the read-aloud choice
    CASELOAD_PAGE = "caseload_page"  # ◀ ▶ under a coach's list of clients
    CASELOAD_CLIENT = "caseload_client"  # a client's name in that list: their card
    CLIENT_CARD = "client_card"  # a button on a client's card; "Geen notitie" after logging
    HELP_NOODKNOP = "help_noodknop"  # the noodknop offered after help words: an alert press
    HELP_WORDS = "help_words"  # a client sends (or not) their help words to the coach
    SIGNAL = "signal"  # a coach's one tap under a check-in signal: call, message, handled
    STOPPING = "stopping"  # a client confirms they want to stop; their coach ends support
    MESSAGE_CANCEL = "message_cancel"  # "Toch niet" under "what do you want to tell Anna?"
    LANGUAGE = "language"  # a client picks the language the bot speaks with them
    COACH_SETTINGS = "coach_settings"  # a coach's own settings: hours, backups, digest, language
    PHASE = "phase"  # a coach sets a client's phase, ends or reopens their support
    DATA_REQUEST = "data_request"  # a coach sends a client the summary of their data
    STOP_JOINING = "stop_joining"  # a coach confirms (or not) stopping a client's joining
    UNKNOWN = "unknown"


# Buttons whose whole data is one word.
_WHOLE = {
    "ra": ButtonKind.READ_ALOUD,
    "hn": ButtonKind.HELP_NOODKNOP,
    "mx": ButtonKind.MESSAGE_CANCEL,
}
# Buttons whose data is "<prefix>:<what the dialog parses>".
_PREFIXES = {
    "nk": ButtonKind.ALERT_REASON,
    "al": ButtonKind.ALERT,
    "rl": ButtonKind.RELAY_CONFIRM,
    "rs": ButtonKind.RELAY_SEEN,
    "ci": ButtonKind.CHECKIN,
    "rt": ButtonKind.SCHEDULE,
    "rp": ButtonKind.SCHEDULE,
    "rn": ButtonKind.SCHEDULE,
    "ob": ButtonKind.ONBOARDING,
    "hw": ButtonKind.HELP_WORDS,
    "sp": ButtonKind.STOPPING,
    "lg": ButtonKind.LANGUAGE,
    "cg": ButtonKind.CASELOAD_PAGE,
    "cl": ButtonKind.CASELOAD_CLIENT,
    "cc": ButtonKind.CLIENT_CARD,
    "cn": ButtonKind.CLIENT_CARD,
    "sg": ButtonKind.SIGNAL,
    "cs": ButtonKind.COACH_SETTINGS,
    "fa": ButtonKind.PHASE,
    "dr": ButtonKind.DATA_REQUEST,
    "sj": ButtonKind.STOP_JOINING,
}


def kind_of(data: str) -> ButtonKind:
    """The dialog a button's data belongs to ("ci:12:0:ab" -> CHECKIN, "ra" -> READ_ALOUD)."""
    prefix, colon, _ = data.partition(":")
    if not colon:
        return _WHOLE.get(data, ButtonKind.UNKNOWN)
    return _PREFIXES.get(prefix, ButtonKind.UNKNOWN)


def row_id(digits: str) -> int | None:
    """The id a button's data names, when a row can have it ("12" -> 12); None for anything
    else ("0", "007", "+12", "2147483648", "٣"): answered as an id that is not there."""
    if _ROW_ID.fullmatch(digits) is None:
        return None
    found = int(digits)
    return found if found <= MAX_ROW_ID else None
