"""Whether the bot can reach a client, and what their coach hears about it.

Telegram answers 403 Forbidden to every message for a client who blocked the bot or stopped
(deleted) the chat. That is all that is known: not why, not how Sam is. A client who cannot
get messages cannot send any either (no message, no noodknop, no check-in answer), so a coach
who only saw "no answer" would wait for nothing.

::

    a message to Sam's chat refused (403) ──▶ refused(): the first time only
        ├─ Sam is marked unreachable since now (the shell stores ``unreachable_since``)
        ├─ a check-in still open closes as unfinished, never as missed: it could not arrive
        └─ Sam's coach, once: "Sam kan geen berichten van mij krijgen ... Bel Sam."
    while marked ──▶ no scheduled check-in is opened (``checkins_wait``): the schedule moves on
    Sam writes again (any message or tap) ──▶ heard_again(): the mark is cleared, and the coach
        hears once that Sam can be reached again and that the check-ins go on (or stay paused)

Only an active client is marked: a former client's coach is not bothered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dialogs.checkin_state import CheckinState, CheckinStatus
from dialogs.coach_notes import closed_for_pause
from dialogs.outcome import Outcome, Recipient, Reply, SaveCheckin

__all__ = ["Reach", "Reachability", "checkins_wait", "heard_again", "refused"]


@dataclass(frozen=True)
class Reach:
    """A client as these rules need them, loaded by the shell."""

    client_id: int
    name: str
    active: bool
    unreachable_since: datetime | None = None
    paused: bool = False  # the coach paused the check-ins
    open_checkin: CheckinState | None = None


@dataclass(frozen=True)
class Reachability:
    """What to store (``unreachable_since``: the new value) and what the outcome does."""

    unreachable_since: datetime | None
    outcome: Outcome


def refused(reach: Reach, now: datetime) -> Reachability | None:
    """A message to the client's chat was refused for good (403). None: nothing changes
    (already marked, or not an active client)."""
    if reach.unreachable_since is not None or not reach.active:
        return None
    effects: tuple[SaveCheckin, ...] = ()
    state = reach.open_checkin
    if state is not None and state.status is CheckinStatus.OPEN:
        effects = (SaveCheckin(closed_for_pause(state, now)),)  # no reminder, never "missed"
    notice = Reply("coach_reach.unreachable", {"client": reach.name}, to=Recipient.COACH)
    return Reachability(now, Outcome(replies=(notice,), effects=effects))


def heard_again(reach: Reach) -> Reachability | None:
    """The client wrote to the bot (any message or tap): their chat works again. None when
    they were not marked."""
    if reach.unreachable_since is None:
        return None
    if not reach.active:
        return Reachability(None, Outcome())
    key = "coach_reach.reachable_paused" if reach.paused else "coach_reach.reachable"
    return Reachability(
        None, Outcome(replies=(Reply(key, {"client": reach.name}, to=Recipient.COACH),))
    )


def checkins_wait(unreachable_since: datetime | None) -> bool:
    """No scheduled check-in while the client's chat refuses messages: it could not arrive,
    and a check-in that cannot arrive is no silence of the client's."""
    return unreachable_since is not None
