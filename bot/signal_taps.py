"""The shell side of a coach's one tap under a check-in signal (``dialogs.signal_actions``):
what the tap's dialog needs to see (the client's phone number, if stored: "📞 Ik bel" counts
only then, and the 📵 line after it names it; and whether their chat refuses messages, so the
client is told nothing), loaded only for the client's own coach, and the tap kept in the audit
trail about the client (``storage.signal_actions``)."""

from __future__ import annotations

from sqlmodel import Session

from bot.effect_registry import EffectEnv, Handler
from bot.effect_result import NOTHING, EffectResult
from dialogs.checkin_state import RecordSignalAction
from dialogs.signal_actions import SignalAction, SignalView
from storage import people
from storage import signal_actions as signal_store
from storage.models import ClientStatus

__all__ = ["SIGNAL_HANDLERS", "load_signal_view"]

_ACTIONS = frozenset(action.value for action in SignalAction)


def load_signal_view(session: Session, signal_id: int, coach_id: int) -> SignalView | None:
    """A signal as a coach's tap needs it; None unless it is about a client of theirs."""
    row = signal_store.get_signal(session, signal_id)
    client = people.get_client(session, row.client_id) if row is not None else None
    if row is None or client is None or client.coach_id != coach_id:
        return None
    coach = people.get_coach(session, coach_id)
    assert row.id is not None and client.id is not None and coach is not None
    chosen = signal_store.chosen_since(session, client.id, row.raised_at)
    return SignalView(
        signal_id=row.id,
        client_id=client.id,
        client_name=client.name,
        coach_id=coach_id,
        coach_name=coach.name,
        client_active=client.status == ClientStatus.ACTIVE,
        standing=signal_store.standing_in_checkin(session, row),
        chosen=frozenset(SignalAction(a) for a in chosen if a in _ACTIONS),
        unreachable_since=client.unreachable_since,  # the row is loaded already
        phone=client.phone,  # "📞 Ik bel" counts, and the 📵 line after it names the number
        promised=client.message_promised_by == coach_id,
    )


def _record(session: Session, effect: RecordSignalAction, env: EffectEnv) -> EffectResult:
    signal_store.record(
        session,
        client_id=effect.client_id,
        coach_id=effect.coach_id,
        action=effect.action,
        at=env.now,
    )
    return NOTHING


SIGNAL_HANDLERS: dict[type, Handler] = {RecordSignalAction: _record}
