"""The readable summary of a client's export: what Waakvlam keeps about them, as a web page.

Written for the client (a coach gives it to them, or reads it with them) in their language,
with the easy-language texts of ``export.yaml``: this module only chooses which text to say
and escapes it; it holds no sentences. Plain HTML built with ``html.escape``, one file with
nothing to load, so it can be printed or sent as a document.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from bot.texts import Texts
from dialogs.phone import shown as shown_phone
from dialogs.words import WEEKDAY_KEYS
from storage.data_rights import ClientRecords

__all__ = ["render_summary"]

_STYLE = (
    "body{font-family:sans-serif;font-size:1.25em;line-height:1.6;max-width:38em;"
    "margin:2em auto;padding:0 1em}li{margin-bottom:.6em}h2{margin-top:1.6em}"
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class _Support:
    """Whether the support ended (and when, from its open "ended" phase), and who was the
    client's coach when: every sentence of the page is true on the day it is made."""

    ended: bool
    ended_at: datetime | None
    spans: tuple[tuple[datetime, datetime | None, str], ...]  # start, end, the coach's name

    def coach_at(self, moment: datetime) -> str | None:
        """The name of the client's coach at ``moment``; None when no row says."""
        found = None
        for start, end, name in self.spans:
            if start <= moment and (end is None or moment < end):
                found = name  # a later row wins: a move ends one row as the next begins
        return found


def _support(records: ClientRecords) -> _Support:
    client = records.tables["client"][0]
    ended = client["status"] == "ended"
    open_ends = [
        row["started_at"]
        for row in records.tables["support_phase"]
        if row["phase"] == "ended" and row["ended_at"] is None
    ]
    ended_at = max(open_ends) if ended and open_ends else None
    spans = []
    for row in sorted(records.tables["coach_assignment"], key=lambda r: (r["started_at"], r["id"])):
        name = records.coach_names.get(row["coach_id"])
        if name is not None:
            end = row["ended_at"] if row["ended_at"] is not None else ended_at
            spans.append((row["started_at"], end, name))
    return _Support(ended=ended, ended_at=ended_at, spans=tuple(spans))


class _Writer:
    def __init__(self, texts: Texts, language: str) -> None:
        self.texts = texts
        self.language = texts.language(language)
        self.parts: list[str] = []

    def say(self, key: str, **params: Any) -> str:
        return self.texts.render(self.language, f"export.{key}", params)

    def date(self, moment: datetime) -> str:
        local = moment.astimezone(self.texts.timezone)
        months = self.texts.entries[self.language]["format.months"].value
        return self.texts.raw(self.language, "export.date").format(
            day=local.day, month=months[local.month - 1], year=local.year
        )

    def time(self, moment: datetime) -> str:
        return self.texts.format_time(moment)

    def heading(self, key: str) -> None:
        self.parts.append(f"<h2>{html.escape(self.say(key))}</h2>")

    def paragraph(self, text: str) -> None:
        for line in text.splitlines():
            self.parts.append(f"<p>{html.escape(line)}</p>")

    def items(self, entries: list[list[str]]) -> None:
        if not entries:
            return
        self.parts.append("<ul>")
        for lines in entries:
            self.parts.append("<li>" + "<br>".join(html.escape(line) for line in lines) + "</li>")
        self.parts.append("</ul>")


def render_summary(records: ClientRecords, *, coach_name: str, texts: Texts, now: datetime) -> str:
    """The summary page for ``records`` (from ``storage.data_rights.collect``)."""
    client = records.tables["client"][0]
    out = _Writer(texts, client["language"])
    support = _support(records)
    out.parts.append(f"<h1>{html.escape(out.say('title'))}</h1>")
    out.paragraph(out.say("made", date=out.date(now)))
    out.paragraph(out.say("intro_ended" if support.ended else "intro"))
    _about(out, client, coach_name, support)
    _phases(out, records.tables["support_phase"])
    _coaches(out, support)
    _checkins(out, records, support)
    _messages(out, records.tables["relay"])
    _contacts(out, records.tables["contact_log"], records.coach_names)
    _noodknop(out, records.tables["alert"], records.coach_names)
    # After the end there is no coach to tell: the organisation answers (README, Data rights).
    out.heading("rights.heading")
    out.paragraph(out.say("rights.wrong_ended" if support.ended else "rights.wrong"))
    out.paragraph(out.say("rights.erase_ended" if support.ended else "rights.erase"))
    title = html.escape(out.say("title"))
    return (
        f'<!doctype html>\n<html lang="{html.escape(out.language)}">\n<head>'
        f'<meta charset="utf-8"><title>{title}</title><style>{_STYLE}</style></head>\n<body>\n'
        + "\n".join(out.parts)
        + "\n</body>\n</html>\n"
    )


def _about(out: _Writer, client: Row, coach_name: str, support: _Support) -> None:
    out.heading("about.heading")
    out.paragraph(out.say("about.name", name=client["name"]))
    # The day it ended is in "Je begeleiding", with the ended phase.
    out.paragraph(
        out.say("about.coach_ended" if support.ended else "about.coach", coach=coach_name)
    )
    # The day the invitation was made: who made it is in "Je coaches", and the coach now
    # may be another one.
    out.paragraph(out.say("about.invited", date=out.date(client["created_at"])))
    if client["consent_at"] is not None:
        out.paragraph(out.say("about.consent", date=out.date(client["consent_at"])))
    if client["telegram_user_id"] is not None:
        out.paragraph(out.say("about.telegram"))
    if client["read_aloud"] is not None:
        out.paragraph(
            out.say("about.read_aloud_on" if client["read_aloud"] else "about.read_aloud_off")
        )
    if client.get("phone"):
        phone = shown_phone(client["phone"])
        out.paragraph(out.say("about.phone_ended" if support.ended else "about.phone", phone=phone))


def _phases(out: _Writer, phases: list[dict[str, Any]]) -> None:
    """The support's phases, oldest first; an ended one with the reason stored with it."""
    if not phases:  # every client has one from the start; nothing to say without
        return
    out.heading("phases.heading")
    out.paragraph(out.say("phases.intro"))
    entries = []
    after_end = False
    for phase in sorted(phases, key=lambda row: (row["started_at"], row["id"])):
        lines = [out.say(f"phases.{phase['phase']}", date=out.date(phase["started_at"]))]
        reason_key = f"export.phases.reasons.{phase['end_reason']}"
        if phase["phase"] == "ended" and out.texts.has(reason_key):
            reason = out.texts.render(out.language, reason_key)
            lines.append(out.say("phases.reason", reason=reason))
        elif after_end:
            lines.append(out.say("phases.back"))
        after_end = phase["phase"] == "ended"
        entries.append(lines)
    out.items(entries)


def _coaches(out: _Writer, support: _Support) -> None:
    """Who was the client's coach, and when, oldest first: their own coaches, by name. After
    the end a coach row still open ends with the support."""
    entries = []
    for started, ended, coach in support.spans:
        start = out.date(started)
        end = None if ended is None else out.date(ended)
        if end is None:
            key = "coaches.was_since" if support.ended else "coaches.now"
            entries.append([out.say(key, date=start, coach=coach)])
        elif end == start:  # not "from 2 November to 2 November"
            entries.append([out.say("coaches.one_day", date=start, coach=coach)])
        else:
            entries.append([out.say("coaches.before", start=start, end=end, coach=coach)])
    if not entries:  # every client has one from the start; nothing to say without
        return
    out.heading("coaches.heading")
    out.paragraph(out.say("coaches.intro"))
    out.items(entries)


def _rhythm(out: _Writer, rhythm: str) -> str | None:
    """How often, in words ("elke 2 weken"); None for a rhythm without words."""
    key = f"checkin.rhythm.{rhythm}"
    return out.texts.render(out.language, key) if out.texts.has(key) else None


def _checkins(out: _Writer, records: ClientRecords, support: _Support) -> None:
    out.heading("checkins.heading")
    # After the end no questions come: the plan below is what it was.
    for schedule in [] if support.ended else records.tables["checkin_schedule"]:
        rhythm = _rhythm(out, schedule["rhythm"])
        if schedule["paused"]:
            if rhythm is None:
                out.paragraph(out.say("checkins.paused"))
            else:
                out.paragraph(out.say("checkins.rhythm_paused", rhythm=rhythm))
        elif rhythm is not None:
            out.paragraph(out.say("checkins.rhythm", rhythm=rhythm))
    _rhythm_changes(out, records.tables["schedule_change"])
    checkins = records.tables["checkin"]
    if not checkins:
        out.paragraph(out.say("checkins.none_ended" if support.ended else "checkins.none"))
        return
    # Who was told: the client's coach when each standing signal was raised.
    told: dict[int, list[str | None]] = {}
    for signal in sorted(records.tables["checkin_signal"], key=lambda row: row["raised_at"]):
        if signal["withdrawn_at"] is None:
            coaches = told.setdefault(signal["checkin_id"], [])
            if (coach := support.coach_at(signal["raised_at"])) not in coaches:
                coaches.append(coach)
    out.paragraph(out.say("checkins.intro"))
    out.items([_checkin_lines(out, row, told.get(row["id"], [])) for row in checkins])


def _rhythm_changes(out: _Writer, changes: list[dict[str, Any]]) -> None:
    """How often, on which day and at what time the client got the questions, and when they
    went on pause and on again, oldest first.

    A day counts with what held at its end, against what held at the end of the day before:
    two plans with one date read as a contradiction, so only the last is said; and a pause
    and a resume on one day cancel out (the plan was the same that evening), so neither is.
    A day says its plan ("Vanaf ...") when it differs from the one before, and a pause or a
    resume as a line of its own; a plan changed during a pause says it was still on pause."""
    last_of_day: dict[str, dict[str, Any]] = {}  # by the day as written; dicts keep the order
    for change in sorted(changes, key=lambda row: (row["at"], row["id"])):
        last_of_day[out.date(change["at"])] = change
    entries: list[list[str]] = []
    plan_before: tuple[str, int, str] | None = None
    paused_before = False
    for day, change in last_of_day.items():
        plan = (change["rhythm"], change["weekday"], change["time"])
        paused = change["paused"]
        if plan != plan_before and (line := _plan_line(out, day, change)) is not None:
            if paused and paused_before:  # a new plan for when the questions go on again
                entries.append([line, out.say("checkins.change_still_paused")])
            else:
                entries.append([line])
        if paused and not paused_before:
            entries.append([out.say("checkins.change_paused", date=day)])
        elif paused_before and not paused:
            entries.append([out.say("checkins.change_resumed", date=day)])
        plan_before, paused_before = plan, paused
    if entries:
        out.paragraph(out.say("checkins.changes"))
        out.items(entries)


def _plan_line(out: _Writer, day: str, change: Row) -> str | None:
    """ "Vanaf 5 november 2026: elke 2 weken, op donderdag om 14:30." (the time as the chat
    says it: "om 9 uur"); None for a rhythm without words."""
    rhythm = _rhythm(out, change["rhythm"])
    if rhythm is None:
        return None
    weekday = out.texts.render(out.language, f"checkin.weekday.{WEEKDAY_KEYS[change['weekday']]}")
    at = time.fromisoformat(change["time"])
    said = out.texts.format_planned_time(out.language, at.hour, at.minute)
    return out.say("checkins.change", date=day, rhythm=rhythm, weekday=weekday, time=said)


def _checkin_lines(out: _Writer, row: Row, told: list[str | None]) -> list[str]:
    """One check-in: its grade (or why there is none), then help and call, as answered, and
    which coach was told (None: no coach row covers the moment)."""
    answers: dict[str, str] = row["answers"] or {}
    day = out.date(row["sent_at"])
    grade = answers.get("grade", "")
    if row["status"] == "missed":
        lines = [out.say("checkins.missed", date=day)]
    elif row["status"] == "open":
        lines = [out.say("checkins.open", date=day)]
    elif grade.isdigit():
        lines = [out.say("checkins.grade", date=day, grade=grade)]
    else:
        lines = [out.say("checkins.no_grade", date=day)]
    area_key = f"questions.area.{answers.get('help_area', '')}"
    if out.texts.has(area_key):
        area = out.texts.render(out.language, area_key)
        lines.append(out.say("checkins.help", area=area))
    elif answers.get("help") == "yes":
        lines.append(out.say("checkins.help_yes"))
    if answers.get("call") == "yes":
        lines.append(out.say("checkins.call"))
    for coach in told:
        who = out.say("checkins.your_coach") if coach is None else coach
        lines.append(out.say("checkins.told", who=who))
    return lines


def _messages(out: _Writer, relays: list[dict[str, Any]]) -> None:
    out.heading("messages.heading")
    to_coach = sum(1 for relay in relays if relay["direction"] == "to_coach")
    out.paragraph(out.say("messages.to_coach", count=to_coach))
    out.paragraph(out.say("messages.to_client", count=len(relays) - to_coach))
    out.paragraph(out.say("messages.content"))


def _contacts(out: _Writer, contacts: list[dict[str, Any]], names: Mapping[int, str]) -> None:
    """The calls, visits and talks a coach logged, oldest first, each with the coach's note:
    in the bot a note is for the coach who wrote it, in the client's own data it belongs. One
    of the client's own coaches by name, another (a backup) as "een andere coach"."""
    out.heading("contacts.heading")
    if not contacts:
        out.paragraph(out.say("contacts.none"))
        return
    out.paragraph(out.say("contacts.intro"))
    entries = []
    for contact in sorted(contacts, key=lambda row: (row["at"], row["id"])):
        who = names.get(contact["coach_id"]) or out.say("contacts.other_coach")
        lines = [out.say(f"contacts.{contact['kind']}", date=out.date(contact["at"]), who=who)]
        if contact["note"]:
            lines.append(out.say("contacts.note", note=contact["note"]))
        entries.append(lines)
    out.items(entries)


def _noodknop(out: _Writer, alerts: list[dict[str, Any]], names: Mapping[int, str]) -> None:
    """Each press, and when a coach saw it (with the date when it was another day): one of
    the client's own coaches by name, a backup as "een coach"."""
    out.heading("noodknop.heading")
    if not alerts:
        out.paragraph(out.say("noodknop.none"))
        return
    entries = []
    for alert in alerts:
        pressed: datetime = alert["pressed_at"]
        lines = [out.say("noodknop.pressed", date=out.date(pressed), time=out.time(pressed))]
        seen: datetime | None = alert["acknowledged_at"]
        if seen is not None:
            by = alert["acknowledged_by"]
            who = names.get(by) if by is not None else None
            who = who or out.say("noodknop.a_coach")
            if out.date(seen) == out.date(pressed):
                lines.append(out.say("noodknop.seen", who=who, time=out.time(seen)))
            else:
                lines.append(
                    out.say("noodknop.seen_day", who=who, date=out.date(seen), time=out.time(seen))
                )
        entries.append(lines)
    out.items(entries)
