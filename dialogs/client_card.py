"""One client on one card: a picture of the grades, the last answers, open signals, and one
tap for what a coach does next (check-in now, rhythm, pause, a message, log a contact, history).

::

    "3. Sam" in the list (cl:<id>), or /client Sam ──▶ card: photo + caption + buttons
        ├─ 📋 Nu een check-in (rn:<id>; not while the client is marked 📵, unreachable),
        │  ⏸ Pauze / ▶ Hervatten (rp:<id>:p|r) ──▶ the rhythm dialog (dialogs.coach_checkin)
        ├─ ⏱ Ritme (cc:<id>:r) ───────────▶ the rhythm and its buttons, as /ritme Sam
        ├─ ✉️ Bericht (cc:<id>:m) ────────▶ the coach's next message goes to Sam (/bericht;
        │                                     while Sam is marked 📵: "may not arrive" first)
        ├─ 📞 Gebeld / 🏠 Langs geweest / 💬 Gesproken elders (cc:<id>:call|visit|elsewhere)
        │        ──▶ logged now; "a short note?" ──▶ typed within NOTE_WAIT: the note
        │                                       └─▶ Geen notitie (cn:<id>): none
        ├─ 📜 Geschiedenis (cc:<id>:h) ────▶ rhythm changes, alerts, phases, coaches and
        │                                     contacts, newest first
        └─ 🧭 Fase (fa:<id>) ──────────────▶ the phase dialog (dialogs.phases)

    /client Tim, no active client Tim ──▶ why not (``dialogs.no_card``): Tim's link not
        opened yet (until when it works) or no longer working, Tim still joining, Tim said
        no, Tim's support ended (/fase Tim); nobody of the coach's: "Ik ken geen cliënt ..."

Button data and typed names are untrusted. The shell loads a card only for one of the coach's
own active clients (``CardContext.card``) and the contact a pending note is for only when it
is the coach's own, about such a client; anything else (another coach's client, a former
client, a forged id, a card from before the client left) gets ``NOT_CURRENT`` and changes
nothing. A note is for the coach only: it is shown in their history, to nobody else.

Pure: the shell loads the rows into a ``CardView``; the picture is described here
(``dialogs.card_chart.Chart``) and drawn by the shell (``bot.chart``).

Longer than our ~400 lines on purpose: the card, its taps and the contact note it asks for
(and its cancel) are one conversation; split, each half would need the other's button data.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dialogs.buttons import ID, row_id
from dialogs.card_chart import Chart
from dialogs.card_view import (
    CardContext,
    CardView,
    ContactKind,
    LoggedContact,
    unreachable_line,
)
from dialogs.caseload import time_ago
from dialogs.checkin_questions import DONT_KNOW, SKIP, Question, QuestionKind, SignalRole
from dialogs.checkin_state import CheckinStatus
from dialogs.clients import ClientRef, find_client
from dialogs.coach_checkin import CoachCheckinContext, rhythm_overview
from dialogs.contact_effects import LogContact, SetContactNote
from dialogs.events import Command, Event, Text
from dialogs.no_card import no_card, starts_with_name
from dialogs.outcome import AwaitInput, Button, Lines, Outcome, Reply, TextRef
from dialogs.people import Person, Role
from dialogs.relay import ask_message, awaiting_message

__all__ = [
    "AWAITING_NOTE_PREFIX",
    "CHART_DAYS",
    "COMMANDS",
    "HISTORY_LINES",
    "MAX_NOTE",
    "NOTE_NOT_CURRENT",
    "NOTE_WAIT",
    "NOT_CURRENT",
    "awaits_note",
    "buttons",
    "chart_of",
    "client_named",
    "command",
    "history",
    "note_cancelled",
    "note_given",
    "noting_contact_id",
    "show",
    "tap",
    "tapped_client_id",
    "wants_card",
]

COMMANDS = frozenset({"client", "kaart"})
AWAITING_NOTE_PREFIX = "note:"
NOTE_WAIT = timedelta(minutes=30)  # a note typed later is an ordinary message again
MAX_NOTE = 200  # characters: a few words for the coach, not a care file
CHART_DAYS = 91  # about three months
HISTORY_LINES = 15
SIGNALS_SHOWN = 3
# A button or name for a client who is not (any more) one of the coach's own active clients.
NOT_CURRENT = "caseload.not_yours"
NOTE_NOT_CURRENT = "client_card.note_not_current"  # "Geen notitie" once no note is wanted

_CARD = re.compile(rf"cc:({ID})(?::(r|m|h|call|visit|elsewhere))?")
_LIST = re.compile(rf"cl:({ID})")
_NO_NOTE = re.compile(rf"cn:({ID})")
_AWAITING_NOTE = re.compile(r"note:([0-9]{1,12})")


# -- what the shell asks before loading --------------------------------------------------------


def wants_card(event: Event) -> bool:
    return isinstance(event, Command) and event.name in COMMANDS


def tapped_client_id(data: str) -> int | None:
    """The client a card button (or a name in the list, or "Geen notitie") names."""
    for pattern in (_CARD, _LIST, _NO_NOTE):
        if (found := pattern.fullmatch(data)) is not None:
            return row_id(found[1])
    return None


def client_named(args: str, clients: tuple[ClientRef, ...]) -> ClientRef | None:
    """The client ``/client NAME`` means: the name alone, nothing after it."""
    match = find_client(args, clients)
    return match.client if match.client is not None and not match.rest.strip() else None


def noting_contact_id(awaiting: str | None) -> int | None:
    """The contact in a coach's ``note:<contact id>`` awaiting, if that is what it is."""
    found = _AWAITING_NOTE.fullmatch(awaiting or "")
    return int(found[1]) if found else None


def awaits_note(person: Person) -> bool:
    return person.role is Role.COACH and noting_contact_id(person.awaiting) is not None


# -- the card ----------------------------------------------------------------------------------


def buttons(view: CardView) -> tuple[tuple[Button, ...], ...]:
    """The card's taps; no "📋 Nu een check-in" while the client's chat refuses messages (it
    could not arrive: the card's 📵 line says so)."""
    cid = view.client.id
    start_now = (
        (Button("coach_checkin.button.start_now", f"rn:{cid}"),)
        if view.unreachable_since is None
        else ()
    )
    first: tuple[Button, ...] = (*start_now, Button("client_card.button.rhythm", f"cc:{cid}:r"))
    second: list[Button] = []
    if view.rhythm is not None:
        second.append(
            Button("coach_checkin.button.resume", f"rp:{cid}:r")
            if view.paused
            else Button("coach_checkin.button.pause", f"rp:{cid}:p")
        )
    second.append(Button("client_card.button.message", f"cc:{cid}:m"))
    return (
        first,
        tuple(second),
        (
            Button("client_card.button.call", f"cc:{cid}:call"),
            Button("client_card.button.visit", f"cc:{cid}:visit"),
        ),
        (
            Button("client_card.button.elsewhere", f"cc:{cid}:elsewhere"),
            Button("client_card.button.history", f"cc:{cid}:h"),
        ),
        (Button("client_card.button.phase", f"fa:{cid}"),),  # dialogs.phases
    )


def show(view: CardView, now: datetime, timezone: str) -> Outcome:
    """The card: the picture with the caption under it, and the buttons."""
    lines: list[TextRef] = []
    if any(alert.outcome is None for alert in view.alerts):
        lines.append(TextRef("client_card.alert_open"))
    if view.unreachable_since is not None:  # dialogs.reachability: no check-ins go out
        lines.append(unreachable_line(view.client.name, view.unreachable_since, view.phone))
    lines.append(TextRef("client_card.rhythm", {"rhythm": _rhythm(view)}))
    ago = time_ago(view.last_contact, now, timezone)
    when = TextRef(ago.key.replace("caseload.contact.", "client_card.ago."), ago.params)
    lines.append(TextRef("client_card.contact", {"when": when}))
    lines.append(_answers(view))
    lines.extend(_signals(view))
    phase = TextRef(f"client_card.phase.{view.phase or 'none'}")
    params = {"client": view.client.name, "phase": phase, "lines": Lines(tuple(lines))}
    reply = Reply(
        "client_card.caption", params, buttons=buttons(view), chart=chart_of(view, now, timezone)
    )
    return Outcome(replies=(reply,))


def _rhythm(view: CardView) -> TextRef:
    if view.rhythm is None:
        return TextRef("caseload.no_rhythm")
    rhythm = TextRef(f"coach_checkin.rhythm.{view.rhythm.value}")
    return TextRef("caseload.paused", {"rhythm": rhythm}) if view.paused else rhythm


def _answer_words(question: Question, answer: str) -> TextRef | None:
    """One answer as the coach reads it: "cijfer 7", "hulp nodig", "bij: brieven en geld"."""
    if answer in (DONT_KNOW, SKIP):
        topic = question.signal.value if question.signal is not None else "other"
        return TextRef(
            f"client_card.answer.{answer}", {"question": TextRef(f"client_card.question.{topic}")}
        )
    role = question.signal
    if question.kind is QuestionKind.GRADE:
        return TextRef("client_card.answer.grade", {"grade": answer})
    if role is SignalRole.HELP:
        return TextRef(f"client_card.answer.help_{answer}")
    if role is SignalRole.CALL_ME:
        return TextRef(f"client_card.answer.call_{answer}")
    option = question.option(answer)
    if option is None:
        return None
    if role is SignalRole.HELP_AREA:
        return TextRef("client_card.answer.area", {"area": TextRef(option.label)})
    return TextRef(option.label)


def _joined(parts: list[TextRef]) -> TextRef:
    """ "a · b · c", from texts that are each rendered in the reader's language."""
    if len(parts) == 1:
        return parts[0]
    return TextRef("client_card.answer.join", {"first": parts[0], "rest": _joined(parts[1:])})


def _answers(view: CardView) -> TextRef:
    words = [w for q, a in view.last_answers if (w := _answer_words(q, a)) is not None]
    if view.last_answered_at is None or not words:
        return TextRef("client_card.no_answers")
    return TextRef(
        "client_card.answers", {"date": view.last_answered_at, "answers": _joined(words)}
    )


def _signals(view: CardView) -> list[TextRef]:
    if not view.signals:
        return [TextRef("client_card.no_signals")]
    shown = [TextRef("client_card.signals", {"count": len(view.signals)})]
    shown += [TextRef("client_card.signal", {"signal": s}) for s in view.signals[:SIGNALS_SHOWN]]
    if len(view.signals) > SIGNALS_SHOWN:
        shown.append(
            TextRef("client_card.more_signals", {"count": len(view.signals) - SIGNALS_SHOWN})
        )
    return shown


def chart_of(view: CardView, now: datetime, timezone: str) -> Chart:
    """The last ``CHART_DAYS``: every grade, each missed check-in, alert and logged contact."""
    start = now - timedelta(days=CHART_DAYS)
    checkins = [c for c in view.checkins if start <= c.sent_at <= now]
    return Chart(
        start=start,
        end=now,
        grades=tuple((c.sent_at, c.grade) for c in checkins if c.grade is not None),
        missed=tuple(c.sent_at for c in checkins if c.status is CheckinStatus.MISSED),
        alerts=tuple(a.pressed_at for a in view.alerts if start <= a.pressed_at <= now),
        contacts=tuple(sorted(c.at for c in view.contacts if start <= c.at <= now)),
        low_grade=view.low_grade,
        timezone=timezone,
    )


# -- history -----------------------------------------------------------------------------------


def history(view: CardView) -> Outcome:
    """Rhythm changes, alerts, phases, coaches and logged contacts, newest first."""
    items: list[tuple[datetime, int, TextRef]] = []
    for change in view.rhythm_changes:
        what = (
            TextRef("client_card.past.paused")
            if change.paused
            else TextRef(
                "client_card.past.rhythm",
                {"rhythm": TextRef(f"coach_checkin.rhythm.{change.rhythm.value}")},
            )
        )
        items.append((change.at, 0, what))
    for alert in view.alerts:
        outcome = TextRef(f"client_card.outcome.{alert.outcome or 'open'}")
        items.append((alert.pressed_at, 1, TextRef("client_card.past.alert", {"outcome": outcome})))
    for phase in view.phases:
        name = TextRef(f"client_card.phase.{phase.phase}")
        items.append((phase.at, 2, TextRef("client_card.past.phase", {"phase": name})))
    for step in view.coaches:
        items.append((step.at, 3, TextRef("client_card.past.coach", {"coach": step.coach})))
    for contact in view.contacts:
        kind = TextRef(f"client_card.kind.{contact.kind.value}")
        if contact.note and contact.coach_id == view.coach_id:
            what = TextRef("client_card.past.contact_note", {"kind": kind, "note": contact.note})
        else:
            what = TextRef("client_card.past.contact", {"kind": kind})
        items.append((contact.at, 4, what))
    items.sort(key=lambda item: (item[0], item[1]), reverse=True)
    lines = tuple(
        TextRef("client_card.past.line", {"date": at, "what": what})
        for at, _, what in items[:HISTORY_LINES]
    )
    if not lines:
        return Outcome(replies=(Reply("client_card.history_empty", {"client": view.client.name}),))
    params = {"client": view.client.name, "lines": Lines(lines)}
    key = "client_card.history_more" if len(items) > HISTORY_LINES else "client_card.history"
    return Outcome(replies=(Reply(key, params),))


# -- what the coach did ------------------------------------------------------------------------


def command(person: Person, event: Command, now: datetime, ctx: CardContext) -> Outcome:
    """``/client Sam``: Sam's card; a name none of their active clients has: why there is no
    card (``no_card``); else which one."""
    typed = " ".join(event.args.split())
    names = ", ".join(c.name for c in ctx.clients)
    if typed and not any(starts_with_name(typed, c.name) for c in ctx.clients):
        return no_card(typed, now, ctx)
    if not ctx.clients:
        return Outcome(replies=(Reply("coach_checkin.no_clients"),))
    named = client_named(event.args, ctx.clients)
    card = ctx.card
    if named is None or card is None or card.client.id != named.id or card.coach_id != person.id:
        return Outcome(
            replies=(
                Reply("client_card.which_client", {"names": names, "example": ctx.clients[0].name}),
            )
        )
    return show(card, now, ctx.timezone)


def tap(
    person: Person,
    data: str,
    now: datetime,
    ctx: CardContext | None,
    checkin_ctx: CoachCheckinContext | None,
) -> Outcome:
    """A name in the list (``cl:<id>``), a card's button (``cc:<id>[:action]``) or "Geen
    notitie" (``cn:<id>``). Only for the coach's own active client: else ``NOT_CURRENT``."""
    ctx = ctx or CardContext()
    if (no_note := _NO_NOTE.fullmatch(data)) is not None:
        return _no_note(person, row_id(no_note[1]), now, ctx)
    found = _CARD.fullmatch(data) or _LIST.fullmatch(data)
    if found is None:
        return Outcome(notice="common.button_unknown")
    card = ctx.card
    if card is None or card.client.id != row_id(found[1]) or card.coach_id != person.id:
        return Outcome(notice=NOT_CURRENT)
    action = found[2] if found.re is _CARD else None
    name = {"client": card.client.name}
    match action:
        case None:
            return show(card, now, ctx.timezone)
        case "r":
            shown = rhythm_overview(card.client.id, checkin_ctx or CoachCheckinContext(), now)
            return shown if shown is not None else Outcome(notice=NOT_CURRENT)
        case "m":
            awaiting = awaiting_message(card.client.id)
            return Outcome(
                effects=(AwaitInput(card.coach_id, awaiting),),
                replies=(ask_message(card.client.name, card.unreachable_since),),
            )
        case "h":
            return history(card)
    kind = ContactKind(action)
    ask = Reply(
        "client_card.logged",
        {**name, "kind": TextRef(f"client_card.kind.{kind.value}")},
        buttons=((Button("client_card.button.no_note", f"cn:{card.client.id}"),),),
    )
    return Outcome(effects=(LogContact(card.client.id, card.coach_id, kind.value),), replies=(ask,))


def _current_note(person: Person, now: datetime, ctx: CardContext) -> LoggedContact | None:
    """The contact the coach's pending note is for, while it is still wanted."""
    contact = ctx.noting
    if (
        contact is None
        or person.role is not Role.COACH
        or contact.id != noting_contact_id(person.awaiting)
        or contact.coach_id != person.id
        or contact.note is not None
        or not timedelta(0) <= now - contact.at <= NOTE_WAIT
    ):
        return None
    return contact


def _no_note(person: Person, client_id: int | None, now: datetime, ctx: CardContext) -> Outcome:
    contact = _current_note(person, now, ctx)
    if contact is None or contact.client_id != client_id:
        return Outcome(notice=NOTE_NOT_CURRENT)
    assert person.id is not None
    return Outcome(
        effects=(AwaitInput(person.id, None),),
        replies=(Reply("client_card.no_note", {"client": contact.client_name}),),
        notice="coach_checkin.saved",
    )


def note_cancelled(person: Person, now: datetime, ctx: CardContext) -> Reply:
    """What a coach reads who cancels the note (``/annuleer``, "laat maar"; the cancel rule is
    ``dialogs.relay.coach_cancels``): no note, and, while the question is current, that the
    contact itself is kept (it was stored before the note was asked)."""
    contact = _current_note(person, now, ctx)
    if contact is None:
        return Reply("client_card.note_cancelled_late")
    return Reply("client_card.note_cancelled", {"client": contact.client_name})


def note_given(person: Person, event: Text, now: datetime, ctx: CardContext) -> Outcome | None:
    """The coach typed the note for the contact they just logged. None when no note is wanted
    any more (too late, or the contact or client is gone): the text is then an ordinary one."""
    contact = _current_note(person, now, ctx)
    if contact is None:
        return None
    assert person.id is not None
    note = " ".join(event.text.split())
    again = ((Button("client_card.button.no_note", f"cn:{contact.client_id}"),),)
    if event.forwarded_from is not None:
        # Someone else's words are no note of the coach's (and need not be kept): the
        # question stays open for the coach's own.
        return Outcome(replies=(Reply("client_card.note_forwarded", buttons=again),))
    if len(note) > MAX_NOTE:
        reply = Reply("client_card.note_too_long", {"max": MAX_NOTE}, buttons=again)
        return Outcome(replies=(reply,))
    kind = TextRef(f"client_card.kind.{contact.kind.value}")
    return Outcome(
        effects=(SetContactNote(contact.id, person.id, note), AwaitInput(person.id, None)),
        replies=(Reply("client_card.note_saved", {"client": contact.client_name, "kind": kind}),),
    )
