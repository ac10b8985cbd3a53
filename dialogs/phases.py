"""A client's support phases, set by their coach; ending the support with a reason; reopening.

::

    card "🧭 Fase" (fa:<id>), or /fase Sam ──▶ the phase, its history (dates, who), buttons
        ├─ Start / Regulier / Waakvlam (fa:<id>:s:<phase>) ──▶ SetPhase; the rhythm that
        │       fits it, one tap to apply (the rhythm dialog's rt:<id>:<code>); coach decides
        ├─ Beëindigen… (fa:<id>:e), or /afsluiten Sam ──▶ which reason?
        │       └─ a reason (fa:<id>:x:<reason>) ──▶ EndSupport; the client's goodbye;
        │                the coach's notice has "↩️ Heropenen" (fa:<id>:o)
        └─ (an ended client) Heropenen (fa:<id>:o), or /heropen Sam
                ──▶ ReopenSupport: active again in "regular", "Welkom terug" with the menu;
                    without a linked Telegram account nothing changes: a new link (/nieuw)
    /fase Sam waakvlam ──▶ as the button

Button data and typed names are untrusted. The shell loads ``PhaseContext.client`` only for
one of the coach's own clients, active or ended (a former client is found by name only among
the coach's own former clients); anything else (another coach's client, a forged id) gets
``NOT_YOURS`` and changes nothing; a button from before a change (ending twice, a phase for an
ended client, reopening an active one) gets ``STALE`` and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from dialogs.buttons import ID, row_id
from dialogs.clients import ClientRef, find_client
from dialogs.coach_checkin import rhythm_button
from dialogs.events import Command, Event
from dialogs.outcome import Button, EndSupport, Keyboard, Lines, Outcome, Recipient, Reply, TextRef
from dialogs.people import Person, Role
from dialogs.phase_effects import ReopenSupport, SetPhase
from dialogs.schedule import Rhythm
from dialogs.words import PHASE_KEYS, Words, normalise

__all__ = [
    "COMMANDS",
    "END_COMMANDS",
    "END_REASONS",
    "NOT_YOURS",
    "PHASES",
    "PHASE_COMMANDS",
    "REOPEN_COMMANDS",
    "STALE",
    "SUGGESTED",
    "PhaseClient",
    "PhaseContext",
    "PhaseStep",
    "command",
    "named_client",
    "tap",
    "tapped_client_id",
    "wants",
]

PHASE_COMMANDS = frozenset({"fase", "phase"})
END_COMMANDS = frozenset({"afsluiten", "end"})
REOPEN_COMMANDS = frozenset({"heropen", "reopen"})
COMMANDS = PHASE_COMMANDS | END_COMMANDS | REOPEN_COMMANDS

PHASES = PHASE_KEYS  # "ended" only by ending
# The rhythm that fits a phase (the coach decides): start weekly, regular every two weeks,
# waakvlam every three months (the reports: contact every 2-3 months in the calm phase).
SUGGESTED = {
    "start": Rhythm.WEEKLY,
    "regular": Rhythm.EVERY_2_WEEKS,
    "waakvlam": Rhythm.EVERY_3_MONTHS,
}
END_REASONS = ("goal", "moved", "other_help", "not_wanted", "no_contact", "other")
NOT_YOURS = "caseload.not_yours"
STALE = "common.question_closed"

_DATA = re.compile(rf"fa:({ID})(?::(s|e|x|o)(?::([a-z_]{{1,12}}))?)?")


@dataclass(frozen=True)
class PhaseStep:
    """One phase in the history: when it began, who set it (a coach's name; None: the bot,
    when the client joined), and for "ended" why."""

    phase: str
    started_at: datetime
    by: str | None = None
    end_reason: str | None = None


@dataclass(frozen=True)
class PhaseClient:
    """One of the coach's own clients, active or ended."""

    ref: ClientRef
    coach_id: int
    ended: bool
    linked: bool  # a Telegram account is linked: the client can be told
    steps: tuple[PhaseStep, ...] = ()  # oldest first
    alert_open: bool = False  # a noodknop alert of theirs is open: support cannot end now

    @property
    def phase(self) -> str | None:
        return self.steps[-1].phase if self.steps else None


@dataclass(frozen=True)
class PhaseContext:
    client: PhaseClient | None = None  # the client a command or button names, when the coach's
    active: tuple[ClientRef, ...] = ()  # the coach's active clients (for a name)
    former: tuple[ClientRef, ...] = ()  # the coach's ended clients (for /fase and /heropen)
    grace_days: int = 30  # how long an ended client's messages still reach the coach


# -- what the shell asks before loading --------------------------------------------------------


def wants(event: Event) -> bool:
    return isinstance(event, Command) and event.name in COMMANDS


def tapped_client_id(data: str) -> int | None:
    found = _DATA.fullmatch(data)
    return row_id(found[1]) if found else None


def named_client(
    event: Command, active: tuple[ClientRef, ...], former: tuple[ClientRef, ...], words: Words
) -> ClientRef | None:
    """The client a command names: an active one first; a former one (the coach's own) for
    /fase and /heropen only. After /fase and the name only a phase (``words.phases``) may
    follow."""
    pools = {
        **dict.fromkeys(PHASE_COMMANDS, (active, former)),
        **dict.fromkeys(END_COMMANDS, (active,)),
        **dict.fromkeys(REOPEN_COMMANDS, (former, active)),
    }
    for pool in pools.get(event.name, ()):
        match = find_client(event.args, pool)
        if match.client is not None:
            rest = normalise(match.rest)
            if not rest or (event.name in PHASE_COMMANDS and rest in words.phases):
                return match.client
    return None


# -- what the coach did ------------------------------------------------------------------------


def command(
    person: Person, event: Command, now: datetime, ctx: PhaseContext, words: Words
) -> Outcome:
    """/fase Sam [phase], /afsluiten Sam, /heropen Sam; the phase in the coach's ``words``."""
    if not _coach(person):
        return Outcome()
    client = ctx.client
    if client is None or client.coach_id != person.id:
        pool = ctx.former if event.name in REOPEN_COMMANDS else ctx.active
        if not pool:
            return Outcome(replies=(Reply("coach_phase.nobody"),))
        names = {"names": ", ".join(c.name for c in pool), "example": pool[0].name}
        return Outcome(replies=(Reply(f"coach_phase.which.{_verb(event.name)}", names),))
    if event.name in END_COMMANDS:
        return _ask_reason(client)
    if event.name in REOPEN_COMMANDS:
        return _reopen(person, client)
    wanted = words.phases.get(normalise(find_client(event.args, (client.ref,)).rest))
    if wanted is not None:
        return _set(person, client, wanted)
    return show(client)


def _verb(name: str) -> str:
    if name in END_COMMANDS:
        return "end"
    return "reopen" if name in REOPEN_COMMANDS else "phase"


def tap(person: Person, data: str, now: datetime, ctx: PhaseContext | None) -> Outcome:
    """A button under the card or the phase view."""
    if not _coach(person):
        return Outcome(notice="common.button_unknown")
    found = _DATA.fullmatch(data)
    if found is None:
        return Outcome(notice="common.button_unknown")
    client = ctx.client if ctx is not None else None
    if client is None or client.ref.id != row_id(found[1]) or client.coach_id != person.id:
        return Outcome(notice=NOT_YOURS)
    action, arg = found[2], found[3]
    match action:
        case None:
            return show(client)
        case "s" if arg in PHASES:
            return _set(person, client, arg)
        case "e" if arg is None:
            return _ask_reason(client)
        case "x" if arg in END_REASONS:
            return _end(person, client, arg, ctx.grace_days if ctx else 0)
        case "o" if arg is None:
            return _reopen(person, client)
    return Outcome(notice="common.button_unknown")


def _coach(person: Person) -> bool:
    return person.role is Role.COACH and person.id is not None and person.coach_active


def show(client: PhaseClient) -> Outcome:
    """The phase, its history (date, phase, who) and what the coach can do next."""
    lines = tuple(_line(step) for step in reversed(client.steps))
    params = {
        "client": client.ref.name,
        "phase": TextRef(f"client_card.phase.{client.phase or 'none'}"),
        "lines": Lines(lines),
    }
    cid = client.ref.id
    buttons: tuple[tuple[Button, ...], ...]
    if client.ended:
        buttons = ((Button("coach_phase.button.reopen", f"fa:{cid}:o"),),)
    else:
        choices = tuple(
            Button(f"coach_phase.button.{p}", f"fa:{cid}:s:{p}")
            for p in PHASES
            if p != client.phase
        )
        buttons = (choices, (Button("coach_phase.button.end", f"fa:{cid}:e"),))
    return Outcome(replies=(Reply("coach_phase.view", params, buttons=buttons),))


def _line(step: PhaseStep) -> TextRef:
    what: TextRef = TextRef(f"client_card.phase.{step.phase}")
    if step.end_reason is not None:
        reason = _reason(step.end_reason)
        what = TextRef("coach_phase.ended_because", {"reason": reason})
    if step.by is None:
        return TextRef("coach_phase.line", {"date": step.started_at, "what": what})
    return TextRef("coach_phase.line_by", {"date": step.started_at, "what": what, "by": step.by})


def _reason(code: str) -> TextRef:
    known = code in END_REASONS or code == "client_asked"
    return TextRef(f"coach_phase.reason.{code if known else 'other'}")


def _set(person: Person, client: PhaseClient, phase: str) -> Outcome:
    assert person.id is not None
    if client.ended:
        return Outcome(notice=STALE)
    names = {"client": client.ref.name}
    if phase == client.phase:
        return Outcome(replies=(Reply("coach_phase.already", {**names, "phase": _name(phase)}),))
    rhythm = SUGGESTED[phase]
    return Outcome(
        effects=(SetPhase(client.ref.id, person.id, phase),),
        replies=(
            Reply(
                "coach_phase.set",
                {
                    **names,
                    "phase": _name(phase),
                    "rhythm": TextRef(f"coach_checkin.rhythm.{rhythm.value}"),
                },
                buttons=((rhythm_button(client.ref.id, rhythm),),),
            ),
        ),
        chosen=f"coach_phase.button.{phase}",
    )


def _name(phase: str) -> TextRef:
    return TextRef(f"client_card.phase.{phase}")


def _ask_reason(client: PhaseClient) -> Outcome:
    if client.ended:
        return Outcome(notice=STALE)
    cid = client.ref.id
    buttons = tuple((Button(f"coach_phase.reason.{r}", f"fa:{cid}:x:{r}"),) for r in END_REASONS)
    return Outcome(
        replies=(Reply("coach_phase.ask_reason", {"client": client.ref.name}, buttons=buttons),)
    )


def _end(person: Person, client: PhaseClient, reason: str, days: int) -> Outcome:
    """EndSupport with the reason; the client's warm goodbye (when they can be told)."""
    assert person.id is not None
    if client.ended:
        return Outcome(notice=STALE)
    names = {"client": client.ref.name, "coach": person.name}
    if client.alert_open:  # the alert's people are asked now; the client must be reachable
        return Outcome(replies=(Reply("coach_phase.not_during_alert", names),))
    told = "coach_phase.ended" if client.linked else "coach_phase.ended_untold"
    params = {**names, "reason": _reason(reason), "days": days}
    undo = Button("coach_phase.button.reopen", f"fa:{client.ref.id}:o")  # a tap takes it back
    buttons = ((undo,),) if client.linked else ()
    replies = [Reply(told, params, buttons=buttons)]
    if client.linked:
        replies.append(
            Reply("stopping.goodbye", names, to=Recipient.CLIENT, keyboard=Keyboard.REMOVE)
        )
    return Outcome(
        effects=(EndSupport(client.ref.id, person.id, reason),),
        replies=tuple(replies),
        chosen=f"coach_phase.reason.{reason}",
    )


def _reopen(person: Person, client: PhaseClient) -> Outcome:
    """Active again in "regular" with "Welkom terug", only when the client can be told."""
    assert person.id is not None
    names = {"client": client.ref.name, "coach": person.name}
    if not client.ended:
        return Outcome(notice=STALE)
    if not client.linked:
        return Outcome(replies=(Reply("coach_phase.reopen_unlinked", names),))
    return Outcome(
        effects=(ReopenSupport(client.ref.id, person.id),),
        replies=(
            Reply("coach_phase.reopened", names, keyboard=Keyboard.COACH_MENU),
            Reply("ended.welcome_back", names, to=Recipient.CLIENT, keyboard=Keyboard.CLIENT_MENU),
        ),
        chosen="coach_phase.button.reopen",
    )
