"""The shell side of a coach's list of clients: the rows ``dialogs.caseload`` sorts and shows.

Seven queries whatever the number of clients (``storage.caseload``: the clients, then per
table one query for all of them: schedules, open alerts, standing signals, messages, recent
check-ins; and the contacts coaches logged, ``storage.contacts``). Grades are read from a
check-in's answers with the question set of its version, as the signals do.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session

from bot.checkins import CheckinShell
from dialogs.caseload import CaseloadClient, CaseloadContext
from dialogs.checkin import grade_of
from dialogs.checkin_state import CheckinState, CheckinStatus
from dialogs.schedule import Rhythm
from storage import caseload, contacts
from storage.caseload import ClosedCheckin
from storage.models import Client

__all__ = ["load_caseload"]


def load_caseload(session: Session, coach_id: int, checkins: CheckinShell) -> CaseloadContext:
    """The coach's active clients with what the list shows and sorts by."""
    clients = caseload.active_clients(session, coach_id)
    ids = [client.id for client in clients if client.id is not None]
    if not ids:
        return CaseloadContext((), checkins.timezone)
    schedules = caseload.schedules(session, ids)
    alerts = caseload.open_alert_clients(session, ids)
    signals = caseload.open_signal_counts(session, ids)
    relays = caseload.last_relays(session, ids)
    logged = contacts.last_contacts(session, ids)  # logged contacts, alerts closed as talked
    recent: dict[int, list[ClosedCheckin]] = defaultdict(list)
    for row in caseload.recent_checkins(session, ids):
        recent[row.client_id].append(row)
    rows = []
    for client in clients:
        assert client.id is not None
        schedule = schedules.get(client.id)
        history = recent.get(client.id, [])
        grades = [g for g in (_grade(row, client, checkins) for row in history) if g is not None]
        moments = [relays.get(client.id), logged.get(client.id)] + [
            row.finished_at for row in history if row.status == CheckinStatus.DONE
        ]
        rows.append(
            CaseloadClient(
                id=client.id,
                name=client.name,
                joined_at=client.consent_at or client.created_at,
                last_contact=max((m for m in moments if m is not None), default=None),
                rhythm=Rhythm(schedule.rhythm) if schedule is not None else None,
                paused=schedule.paused if schedule is not None else False,
                grade=grades[0] if grades else None,
                previous_grade=grades[1] if len(grades) > 1 else None,
                open_alert=client.id in alerts,
                open_signals=signals.get(client.id, 0),
                missed_in_a_row=_missed_in_a_row(history),
                unreachable_since=client.unreachable_since,
            )
        )
    return CaseloadContext(tuple(rows), checkins.timezone)


def _missed_in_a_row(history: list[ClosedCheckin]) -> int:
    """How many of the latest closed check-ins (newest first) were missed, without a break."""
    count = 0
    for row in history:
        if row.status != CheckinStatus.MISSED:
            break
        count += 1
    return count


def _grade(row: ClosedCheckin, client: Client, checkins: CheckinShell) -> int | None:
    if row.status not in (CheckinStatus.DONE, CheckinStatus.UNFINISHED):
        return None
    questions = checkins.book(client.language).get(row.version)
    if questions is None:
        return None
    state = CheckinState(
        checkin_id=row.id,
        client_id=row.client_id,
        version=row.version,
        sent_at=row.sent_at,
        answers=row.answers,
        status=CheckinStatus(row.status),
        finished_at=row.finished_at,
    )
    return grade_of(state, questions)
