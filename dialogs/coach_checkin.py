"""What a coach does with a client's check-ins: see the rhythm, scale it up or down, pause
(holiday) and resume, or start a check-in now.

``/ritme Sam`` shows the current rhythm with one-tap buttons for each rhythm, pause or resume,
and "check-in now". ``/ritme Sam elke 2 weken dinsdag 10:00`` sets it in one go (any part
may be left out and stays as it was); the time may be "10:00", "9.30", "9 uur", "9u", "21 uur",
"9 uur 's avonds", "2pm" (the words after the hour are the coach's, ``words.yaml``).
``/pauze Sam``, ``/hervat Sam`` and ``/checkin Sam`` do the rest (a check-in now is not tried,
nor offered as a button, while the client's chat refuses messages, ``dialogs.reachability``:
the coach reads so, and "De volgende is ..." says it waits until the client writes; a new
rhythm, a pause or a resume is saved, but then nothing is queued for the client and the coach
reads "📵 Sam krijgt hier geen bericht over ..." under the confirmation). Button data
(``rt:<client id>:<rhythm>``, ``rp:<client id>:<p|r>``, ``rn:<client id>``) is untrusted: it
only counts for a client in the coach's own list, which the shell fills with the coach's
active clients.

Longer than our ~400 lines on purpose: the overview, a typed or tapped rhythm, pause, resume
and check-in now share one client list, its untrusted button data and the "next" they tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time

from dialogs.buttons import ID, ButtonKind, kind_of, row_id
from dialogs.card_view import called, unreachable_line
from dialogs.clients import ClientMatch, ClientRef, find_client
from dialogs.events import Command, Event, Tap
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
from dialogs.people import Person
from dialogs.schedule import (
    DEFAULT_QUIET,
    QuietHours,
    Rhythm,
    Schedule,
    changed_schedule,
    next_due,
    paused_or_resumed,
)
from dialogs.typed_time import typed_time
from dialogs.words import WEEKDAY_KEYS, Words, normalise

__all__ = [
    "COMMANDS",
    "DEFAULT_TIME",
    "CoachCheckinContext",
    "CoachClient",
    "coach_checkin_acts",
    "is_schedule_button",
    "own_client",
    "rhythm_button",
    "rhythm_overview",
]

RHYTHM_COMMANDS = frozenset({"ritme", "rhythm"})
PAUSE_COMMANDS = frozenset({"pauze", "pause"})
RESUME_COMMANDS = frozenset({"hervat", "resume"})
START_COMMANDS = frozenset({"checkin", "vragen"})
COMMANDS = RHYTHM_COMMANDS | PAUSE_COMMANDS | RESUME_COMMANDS | START_COMMANDS
DEFAULT_TIME = time(10)
NOT_TOLD = "coach_checkin.not_told"  # "📵 Sam krijgt hier geen bericht over ... Bel Sam: …"

_CODES = {
    "w1": Rhythm.WEEKLY,
    "w2": Rhythm.EVERY_2_WEEKS,
    "w4": Rhythm.EVERY_4_WEEKS,
    "w6": Rhythm.EVERY_6_WEEKS,
    "m3": Rhythm.EVERY_3_MONTHS,
}
_CODE_OF = {rhythm: code for code, rhythm in _CODES.items()}
_BUTTON = re.compile(rf"(rt|rp|rn):({ID})(?::(w1|w2|w4|w6|m3|p|r))?")

# The words for a rhythm and a weekday are the coach's (``ctx.words``, from content); so are
# the words around a time (``dialogs.typed_time``: "9 uur", "2pm"; "14" alone is no time).


@dataclass(frozen=True)
class CoachClient:
    """One of the coach's active clients, with what the check-in commands need to know."""

    ref: ClientRef
    schedule: Schedule | None = None
    next_due: datetime | None = None
    open_checkin: bool = False
    last_checkin: datetime | None = None  # when the client last got one (the rules count from it)
    unreachable_since: datetime | None = None  # their chat refuses messages (403) since then
    # Their stored phone number (E.164), if any: the 📵 lines name it ("Bel Sam: …").
    phone: str | None = None


@dataclass(frozen=True)
class CoachCheckinContext:
    """The coach's active clients, and the coach's ``words`` for a typed rhythm and weekday
    (their language's ``words.yaml``; ``Words()`` understands none: buttons still work)."""

    clients: tuple[CoachClient, ...] = ()
    timezone: str = "Europe/Amsterdam"
    quiet: QuietHours = field(default_factory=lambda: DEFAULT_QUIET)
    words: Words = field(default_factory=Words)


def is_schedule_button(data: str) -> bool:
    """A coach's rhythm, pause or "check-in now" button (``dialogs.buttons``)."""
    return kind_of(data) is ButtonKind.SCHEDULE


def own_client(client_id: int, ctx: CoachCheckinContext) -> CoachClient | None:
    """The client with this id (from untrusted button data), only when it is one of the
    coach's own active clients (the shell fills ``ctx`` with those alone)."""
    return next((c for c in ctx.clients if c.ref.id == client_id), None)


def rhythm_overview(client_id: int, ctx: CoachCheckinContext, now: datetime) -> Outcome | None:
    """What ``/ritme NAME`` shows, for a client named by id (a button in the coach's list of
    clients); None when the id is not one of the coach's own active clients."""
    client = own_client(client_id, ctx)
    return _overview(client, now) if client is not None else None


def coach_checkin_acts(
    person: Person, event: Event, now: datetime, ctx: CoachCheckinContext
) -> Outcome | None:
    """A check-in command or button of a coach; None when the event is not one."""
    assert person.id is not None
    if isinstance(event, Tap) and is_schedule_button(event.data):
        return _tap(person, event.data, now, ctx)
    if not isinstance(event, Command) or event.name not in COMMANDS:
        return None
    match = find_client(event.args, [c.ref for c in ctx.clients])
    if match.client is None:
        return _which_client(event.name, match)
    client = next(c for c in ctx.clients if c.ref.id == match.client.id)
    if event.name in RHYTHM_COMMANDS:
        if not match.rest.strip():
            return _overview(client, now)
        return _typed_rhythm(person, client, match.rest, now, ctx)
    if match.rest.strip():
        # "/pauze Sam de Jongg": a typo must never pause (or start) somebody else.
        return _which_client(event.name, ClientMatch(None, match.rest, ctx_refs(ctx)))
    if event.name in PAUSE_COMMANDS:
        return _pause(person, client, now, ctx, paused=True)
    if event.name in RESUME_COMMANDS:
        return _pause(person, client, now, ctx, paused=False)
    return _start_now(client, now, ctx)


def _which_client(command: str, match: ClientMatch) -> Outcome:
    names = ", ".join(c.name for c in match.candidates)
    example = match.candidates[0].name if match.candidates else "Sam"
    if not match.candidates:
        return Outcome(replies=(Reply("coach_checkin.no_clients"),))
    return Outcome(
        replies=(
            Reply(
                "coach_checkin.which_client",
                {"names": names, "command": command, "example": example},
            ),
        )
    )


def _tap(person: Person, data: str, now: datetime, ctx: CoachCheckinContext) -> Outcome:
    parsed = _BUTTON.fullmatch(data)
    client_id = row_id(parsed[2]) if parsed else None
    client = own_client(client_id, ctx) if client_id is not None else None
    if parsed is None or client is None:
        return Outcome(notice="common.button_unknown")
    assert person.id is not None
    kind, arg = parsed[1], parsed[3]
    if kind == "rt" and arg in _CODES:
        current = client.schedule
        weekday = current.weekday if current else 0
        at = current.at if current else DEFAULT_TIME
        return _set(person, client, (_CODES[arg], weekday, at), now, ctx)
    if kind == "rp" and arg in ("p", "r"):
        return _pause(person, client, now, ctx, paused=arg == "p")
    if kind == "rn" and arg is None:
        return _start_now(client, now, ctx)
    return Outcome(notice="common.button_unknown")


def _schedule_params(client: CoachClient, schedule: Schedule | None) -> dict[str, object]:
    rhythm = schedule.rhythm if schedule else Rhythm.WEEKLY
    weekday = schedule.weekday if schedule else 0
    at = schedule.at if schedule else DEFAULT_TIME
    return {
        "client": client.ref.name,
        "rhythm": TextRef(f"coach_checkin.rhythm.{rhythm.value}"),
        "weekday": TextRef(f"coach_checkin.weekday.{WEEKDAY_KEYS[weekday]}"),
        "time": at.strftime("%H:%M"),
    }


def rhythm_button(client_id: int, rhythm: Rhythm) -> Button:
    """One tap that sets ``rhythm`` for the client (``rt:<client id>:<code>``); the phase
    dialog offers it too (``dialogs.phases``)."""
    return Button(f"coach_checkin.button.{rhythm.value}", f"rt:{client_id}:{_CODE_OF[rhythm]}")


def _next(client: CoachClient, due: datetime | None, now: datetime) -> At | TextRef | None:
    """The next check-in as the coach reads it; while the client's chat refuses messages, with
    what is true: it only goes out if the client wrote to the bot by then."""
    if due is None:
        return None
    if client.unreachable_since is None:
        return At(due, now)
    return TextRef(
        "coach_checkin.next_if_writes", {"next": At(due, now), "client": client.ref.name}
    )


def _buttons(client: CoachClient) -> tuple[tuple[Button, ...], ...]:
    cid = client.ref.id

    def rhythm(r: Rhythm) -> Button:
        return rhythm_button(cid, r)

    paused = client.schedule is not None and client.schedule.paused
    pause = (
        Button("coach_checkin.button.resume", f"rp:{cid}:r")
        if paused
        else Button("coach_checkin.button.pause", f"rp:{cid}:p")
    )
    # No "📋 Nu een check-in" while the client's chat refuses messages: it could not arrive.
    start_now = (
        (Button("coach_checkin.button.start_now", f"rn:{cid}"),)
        if client.unreachable_since is None
        else ()
    )
    return (
        (rhythm(Rhythm.WEEKLY), rhythm(Rhythm.EVERY_2_WEEKS)),
        (rhythm(Rhythm.EVERY_4_WEEKS), rhythm(Rhythm.EVERY_6_WEEKS)),
        (rhythm(Rhythm.EVERY_3_MONTHS),),
        (pause, *start_now),
    )


def _overview(client: CoachClient, now: datetime) -> Outcome:
    params = _schedule_params(client, client.schedule)
    if client.schedule is None:
        key = "coach_checkin.overview_none"
    elif client.schedule.paused:
        key = "coach_checkin.overview_paused"
    else:
        key = "coach_checkin.overview"
        params["next"] = _next(client, client.next_due, now)
    return Outcome(replies=(Reply(key, params, buttons=_buttons(client)),))


def _longest_first(phrase: str) -> tuple[int, int, str]:
    """Rhythm phrases are tried with the most words first: "elke 2 weken" before "week"."""
    return (-len(phrase.split()), -len(phrase), phrase)


def ctx_refs(ctx: CoachCheckinContext) -> tuple[ClientRef, ...]:
    return tuple(c.ref for c in ctx.clients)


def _typed_rhythm(
    coach: Person, client: CoachClient, rest: str, now: datetime, ctx: CoachCheckinContext
) -> Outcome:
    words = ctx.words
    text = f" {normalise(rest, keep_punctuation=True)} "
    rhythm = None
    for phrase in sorted(words.rhythms, key=_longest_first):
        if f" {phrase} " in text:
            rhythm = words.rhythms[phrase]
            text = text.replace(f" {phrase} ", " ", 1)
            break
    weekday = None
    at = None
    leftover = []
    tokens = text.replace("’", "'").split()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token in words.schedule_filler:
            continue
        if token in words.weekdays and weekday is None:
            weekday = words.weekdays[token]
        elif at is None and (clock := typed_time(tokens, i - 1, words)) is not None:
            at, taken = clock
            i += taken - 1
        else:
            leftover.append(token)
    if leftover or (rhythm is None and weekday is None and at is None):
        return Outcome(
            replies=(Reply("coach_checkin.rhythm_not_understood", {"client": client.ref.name}),)
        )
    if at is not None and ctx.quiet.contains(at):
        quiet = {
            "client": client.ref.name,
            "start": ctx.quiet.start.strftime("%H:%M"),
            "end": ctx.quiet.end.strftime("%H:%M"),
        }
        return Outcome(replies=(Reply("coach_checkin.time_quiet", quiet),))
    current = client.schedule
    chosen = (
        rhythm or (current.rhythm if current else Rhythm.WEEKLY),
        weekday if weekday is not None else (current.weekday if current else 0),
        at or (current.at if current else DEFAULT_TIME),
    )
    return _set(coach, client, chosen, now, ctx)


def _set(
    coach: Person,
    client: CoachClient,
    chosen: tuple[Rhythm, int, time],
    now: datetime,
    ctx: CoachCheckinContext,
) -> Outcome:
    """A rhythm, weekday and time chosen; the next check-in follows the rules of
    ``dialogs.schedule`` (``changed_schedule``), and the client hears what changed
    (unless their chat refuses messages: ``_confirmed``)."""
    assert coach.id is not None
    coach_id = coach.id
    rhythm, weekday, at = chosen
    current = client.schedule
    if (
        current is not None
        and not current.paused
        and (current.rhythm, current.weekday)
        == (
            rhythm,
            weekday,
        )
        and current.at == at
    ):
        # Nothing changes: nothing is saved, and the client is told nothing.
        params = _schedule_params(client, current)
        params["next"] = _next(client, client.next_due, now)
        return Outcome(replies=(Reply("coach_checkin.unchanged", params),))
    schedule = changed_schedule(
        now,
        rhythm=rhythm,
        weekday=weekday,
        at=at,
        timezone=ctx.timezone,
        last_checkin=client.last_checkin,
    )
    due = next_due(schedule, now, ctx.quiet)
    params = _schedule_params(client, schedule)
    params["next"] = _next(client, due, now)
    client_params = {
        "coach": coach.name,
        "rhythm": TextRef(f"checkin.rhythm.{rhythm.value}"),
        "weekday": TextRef(f"checkin.weekday.{WEEKDAY_KEYS[weekday]}"),
        "next": At(due, now) if due else None,
    }
    effects = (
        SetSchedule(client.ref.id, coach_id, rhythm.value, weekday, at, starts=schedule.starts),
    )
    # The client hears what changed: how often, or only the day or the time.
    told = (
        "checkin.schedule_changed"
        if current is None or current.rhythm != rhythm
        else "checkin.schedule_moment_changed"
    )
    if current is not None and current.paused:
        # A new rhythm for later: the pause stays, and the client on holiday is not disturbed.
        return Outcome(
            effects=effects,
            replies=(Reply("coach_checkin.changed_paused", params),),
            notice="coach_checkin.saved",
        )
    return Outcome(
        effects=effects,
        replies=_confirmed(client, "coach_checkin.changed", params, Reply(told, client_params)),
        notice="coach_checkin.saved",
    )


def _pause(
    coach: Person, client: CoachClient, now: datetime, ctx: CoachCheckinContext, *, paused: bool
) -> Outcome:
    assert coach.id is not None
    coach_id = coach.id
    if client.schedule is None:
        return _overview(client, now)
    if client.schedule.paused == paused:
        key = "coach_checkin.already_paused" if paused else "coach_checkin.not_paused"
        return Outcome(replies=(Reply(key, {"client": client.ref.name}),), notice=None)
    params = _schedule_params(client, client.schedule)
    weekday_key = WEEKDAY_KEYS[client.schedule.weekday]
    client_params: dict[str, object] = {
        "weekday": TextRef(f"checkin.weekday.{weekday_key}"),
        "coach": coach.name,
    }
    starts = None
    if not paused:
        resumed = paused_or_resumed(client.schedule, False, now, client.last_checkin)
        due = next_due(resumed, now, ctx.quiet)
        starts = resumed.starts
        client_params["next"] = At(due, now) if due else None
        params["next"] = _next(client, due, now)
    key = "paused" if paused else "resumed"
    told = Reply(f"checkin.{key}", client_params)
    return Outcome(
        effects=(PauseCheckins(client.ref.id, coach_id, paused, starts=starts),),
        replies=_confirmed(client, f"coach_checkin.{key}", params, told),
        notice="coach_checkin.saved",
    )


def _confirmed(
    client: CoachClient, key: str, params: dict[str, object], told: Reply
) -> tuple[Reply, ...]:
    """The coach's confirmation, and what the client is ``told`` of the change. While the
    client's chat refuses messages nothing is queued for them (it could not arrive), and the
    coach reads so under the confirmation instead: never a change the client was not told."""
    if client.unreachable_since is None:
        return (Reply(key, params), Reply(told.key, told.params, to=Recipient.CLIENT))
    line = called(NOT_TOLD, {**params, "since": client.unreachable_since}, client.phone)
    return (Reply(line.key, line.params, lead=key),)


def _start_now(client: CoachClient, now: datetime, ctx: CoachCheckinContext) -> Outcome:
    name = {"client": client.ref.name}
    if client.unreachable_since is not None:  # it could not arrive: the card's 📵 line says why
        line = unreachable_line(client.ref.name, client.unreachable_since, client.phone)
        return Outcome(replies=(Reply(line.key, line.params),))
    if client.open_checkin:
        return Outcome(replies=(Reply("coach_checkin.already_open", name),))
    if ctx.quiet.is_quiet(now, ctx.timezone):
        quiet = {
            **name,
            "start": ctx.quiet.start.strftime("%H:%M"),
            "end": ctx.quiet.end.strftime("%H:%M"),
        }
        return Outcome(replies=(Reply("coach_checkin.quiet_now", quiet),))
    return Outcome(
        effects=(StartCheckin(client.ref.id, "coach"),),
        replies=(Reply("coach_checkin.started", name),),
    )
