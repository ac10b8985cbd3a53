"""What the coach is told about a check-in: a signal raised, a signal withdrawn, and what a
pause does to a check-in still open.

Pure rules the shell applies once it has stored the change (a signal is told once per cause,
which only the database knows). One check-in rings the coach's phone once at most: its new
signals go in one note (``one_per_checkin``) with the one-tap actions under it
(``dialogs.signal_actions``), and a line saying why there is no "📞 Ik bel" when the bot has
no phone number of the client; a withdrawn signal is routine and arrives silently
(``bot.loudness``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from dialogs.checkin_state import CheckinState, CheckinStatus, Signal
from dialogs.outcome import Lines, Recipient, Reply, TextRef
from dialogs.signal_actions import action_buttons

__all__ = ["closed_for_pause", "one_per_checkin", "signal_note", "withdrawn_note"]

WITHDRAWN = "coach_checkin.withdrawn"
BUNDLE = "coach_checkin.notes"
WITHOUT_PHONE = "coach_checkin.signal_no_phone"  # "{note}\n{no_phone}"
NO_PHONE_LINE = "coach_checkin.no_phone"  # why there is no "📞 Ik bel", and how to store one


def signal_note(signal: Signal, client_name: str, signal_id: int, *, phone_known: bool) -> Reply:
    """The note for the client's coach about a new signal ("Sam gave a 2"), with the taps
    that say what the coach does about it. "📞 Ik bel" only when the client's phone number is
    stored (``phone_known``); else a line under the note says why, and how to store it."""
    params = {**signal.params, "client": client_name}
    buttons = action_buttons(signal_id, phone_known=phone_known)
    if phone_known:
        return Reply(signal.key, params, buttons=buttons, to=Recipient.COACH)
    return Reply(
        WITHOUT_PHONE,
        {
            "note": TextRef(signal.key, params),
            "no_phone": TextRef(NO_PHONE_LINE, {"client": client_name}),
        },
        buttons=buttons,
        to=Recipient.COACH,
    )


def _said(note: Reply) -> TextRef:
    """What a signal's note says, without the line about a missing phone number."""
    if note.key == WITHOUT_PHONE:
        said = note.params["note"]
        assert isinstance(said, TextRef)
        return said
    return TextRef(note.key, dict(note.params))


def withdrawn_note(kind: str, client_name: str) -> Reply:
    """The client corrected the answer behind a signal: the coach hears it no longer holds."""
    return Reply(
        WITHDRAWN,
        {"client": client_name, "what": TextRef(f"coach_checkin.what.{kind}")},
        to=Recipient.COACH,
    )


def one_per_checkin(notes: Sequence[Reply]) -> tuple[Reply, ...]:
    """The notes one check-in gave its coach, as few messages as can be: every new signal in
    one note, under it the buttons of the first ("Sam gaf een 3", "Sam wil hulp bij: Werk" and
    "Sam wil graag dat je belt" are one message, one push). Withdrawn notes stay apart, in the
    order given: they are routine and do not ring."""
    raised = [note for note in notes if note.key != WITHDRAWN]
    others = tuple(note for note in notes if note.key == WITHDRAWN)
    if len(raised) <= 1:
        return (*raised, *others)
    first = raised[0]
    lines = [_said(note) for note in raised]
    # The client has no stored number: said once, under every signal (as under one).
    lines += [note.params["no_phone"] for note in raised if note.key == WITHOUT_PHONE][:1]
    bundle = Reply(
        BUNDLE,
        {"client": _said(first).params.get("client", ""), "notes": Lines(tuple(lines))},
        buttons=first.buttons,
        to=Recipient.COACH,
    )
    return (bundle, *others)


def closed_for_pause(state: CheckinState, now: datetime) -> CheckinState:
    """A check-in still open when the coach pauses (a holiday) closes without a reminder,
    and it counts as unfinished, never as missed: a holiday is no silence."""
    return replace(state, status=CheckinStatus.UNFINISHED, finished_at=now, wake_at=None)
