"""When an alert closes, the client hears it once and gets their menu back.

During an alert the client's keyboard holds "📍 Stuur waar ik ben". A coach's close outcome
or the clock's autoclose tells the client, in the outcome that records the close, that it is
closed, with the plain menu (``Keyboard.CLIENT_MENU``): no key for an alert that is over. An
alert closed as superseded (a newer one is open) says nothing to the client.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.loudness import is_silent
from bot.texts import load_texts
from dialogs.events import Tap
from dialogs.noodknop import CLOSE_OUTCOMES, AlertView, EscalationPolicy, check_closing
from dialogs.outcome import (
    AutoCloseAlert,
    CloseAlert,
    Keyboard,
    Outcome,
    Recipient,
    Reply,
    SupersedeAlert,
)
from dialogs.router import DialogContext, route
from storage.outbox import Priority
from tests.unit.people import ANNA, SAM

TEXTS = load_texts("nl")
PRESSED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TAKEN = PRESSED + timedelta(minutes=2)
PICKED_UP = AlertView(
    id=3,
    client_id=7,
    client_name="Sam",
    coach_name="Anna",
    pressed_at=PRESSED,
    recipient_coach_ids=frozenset({1}),
    recipient_chat_ids=frozenset({100}),
    coach_id=1,
    asked_coach_ids=frozenset({1}),
    client_phone="+31612345678",
    acknowledged_by="Anna",
    acknowledged_by_id=1,
    acknowledged_at=TAKEN,
    settled_at=TAKEN,
)
# Sam said "ja, per ongeluk": it stays open until a coach (or the clock) closes it.
CALLED_OFF = replace(
    PICKED_UP, acknowledged_by=None, acknowledged_by_id=None, acknowledged_at=None, accidental=True
)
CLOSED_NL = "Je melding is afgesloten.\nHeb je hulp nodig? Druk dan op 🔴 Noodknop."
CLOSED_EN = "Your alert is closed.\nDo you need help? Then press 🔴 Panic button."


def _close(alert: AlertView, outcome: str = "talked") -> Outcome:
    tap = Tap(f"al:3:close:{outcome}")
    return route(ANNA, tap, TAKEN + timedelta(minutes=20), DialogContext(tapped_alert=alert))


def _autoclose(alert: AlertView) -> Outcome:
    return check_closing(alert, TAKEN + timedelta(hours=24), EscalationPolicy())


def _to_client(outcome: Outcome) -> list[Reply]:
    return [r for r in outcome.replies if r.to is Recipient.CLIENT]


def _told_closed(outcome: Outcome) -> None:
    """Two messages for the client, not urgent (news, not a call to act; they go silently,
    see ``test_the_closed_note_never_rings``): the closed text with the menu without the
    location key, and under it the help line, which changes no keyboard, so it can carry
    "🔊 Voorlezen" (``bot.render.with_read_aloud_button``) and read both; nothing else."""
    told, helps = _to_client(outcome)
    assert (told.key, told.keyboard, told.urgent, told.buttons) == (
        "noodknop.closed",
        Keyboard.CLIENT_MENU,
        False,
        (),
    )
    assert (helps.key, helps.keyboard, helps.urgent, helps.buttons) == (
        "noodknop.closed_help",
        None,
        False,
        (),
    )
    for language, text in (("nl", CLOSED_NL), ("en", CLOSED_EN)):
        shown = [TEXTS.render(language, r.key, r.params) for r in (told, helps)]
        assert "\n".join(shown) == text


@pytest.mark.parametrize("outcome", CLOSE_OUTCOMES)
def test_a_coach_who_closes_it_tells_the_client_and_gives_the_menu_back(outcome: str) -> None:
    closed = _close(PICKED_UP, outcome)
    assert closed.effects == (CloseAlert(3, 1, outcome),)
    _told_closed(closed)
    assert [r.key for r in closed.replies] == [
        "alert.closed",
        "noodknop.closed",
        "noodknop.closed_help",
    ]


def test_an_alert_called_off_by_accident_and_then_closed_gives_the_menu_back_too() -> None:
    """Calling it off ("ja, per ongeluk") does not close it, nor change the keyboard: the
    location key stays until a coach or the clock closes it. Then the client hears it."""
    yes = route(SAM, Tap("nk:3:accident_yes"), TAKEN, DialogContext(tapped_alert=PICKED_UP))
    assert [r.key for r in yes.replies if r.to is Recipient.SENDER] == ["noodknop.accident_ok"]
    assert all(r.keyboard is None for r in yes.replies) and _to_client(yes) == []
    _told_closed(_close(CALLED_OFF, "false_alarm"))
    _told_closed(_autoclose(CALLED_OFF))


def test_the_clock_that_closes_it_tells_the_client_and_gives_the_menu_back() -> None:
    for alert in (PICKED_UP, replace(PICKED_UP, close_reminded=True, holds_back_checkins=True)):
        closing = _autoclose(alert)
        assert closing.effects == (AutoCloseAlert(3),)
        _told_closed(closing)


def test_the_reminder_and_the_time_before_it_say_nothing_to_the_client() -> None:
    policy = EscalationPolicy()
    for later in (timedelta(hours=1), timedelta(hours=4), timedelta(hours=23)):
        assert _to_client(check_closing(PICKED_UP, TAKEN + later, policy)) == []


def test_an_alert_closed_as_superseded_says_nothing_to_the_client() -> None:
    older = replace(PICKED_UP, newer_open=True)
    assert _autoclose(older) == Outcome(effects=(SupersedeAlert(3),))
    # The newer one beside an older one: the clock waits, and says nothing either.
    assert _autoclose(replace(PICKED_UP, older_open=True)) == Outcome()


def test_a_coach_closing_one_of_two_open_alerts_leaves_the_client_alone() -> None:
    """Only old data holds two open alerts: the other one counts, and its key must stay."""
    for alert in (replace(PICKED_UP, newer_open=True), replace(PICKED_UP, older_open=True)):
        closed = _close(alert)
        assert closed.effects == (CloseAlert(3, 1, "talked"),)
        assert _to_client(closed) == []


def test_the_client_is_told_once() -> None:
    """A second close tap, or the clock after a coach closed it: nothing for the client."""
    closed = replace(PICKED_UP, closed=True)
    again = _close(closed, "visited")
    assert (again.notice, again.effects, again.replies) == ("alert.already_closed", (), ())
    assert _autoclose(closed) == Outcome()


def test_nobody_closes_an_alert_nobody_picked_up_so_the_client_hears_nothing() -> None:
    waiting = replace(PICKED_UP, acknowledged_by=None, acknowledged_at=None, settled_at=None)
    tapped = _close(waiting)
    assert tapped.effects == () and tapped.replies == ()
    assert _to_client(_autoclose(waiting)) == []


def test_the_closed_text_names_the_noodknop_as_the_menu_shows_it() -> None:
    for language, text in (("nl", CLOSED_NL), ("en", CLOSED_EN)):
        assert text.endswith(TEXTS.render(language, "menu.noodknop") + ".")


def test_a_former_client_hears_it_is_closed_without_being_sent_to_the_noodknop() -> None:
    """An alert a former client's words raised (in the grace period after their support
    ended): the close names 112 and takes their keys away; the noodknop alerts nobody for
    them any more, so it is never offered."""
    former = replace(PICKED_UP, client_ended=True)
    autoclosed = check_closing(former, TAKEN + timedelta(hours=25), EscalationPolicy())
    for outcome in (_close(former), autoclosed):
        [told] = [r for r in outcome.replies if r.to is Recipient.CLIENT]
        assert told.key == "noodknop.closed_ended"
        assert told.keyboard is Keyboard.REMOVE and not told.urgent
        assert "Noodknop" not in TEXTS.render("nl", told.key)


def test_the_closed_note_never_rings() -> None:
    """The clock closes an alert a day after it was picked up, at night too: the client's
    note about it arrives without a sound."""
    for key in ("noodknop.closed", "noodknop.closed_help", "noodknop.closed_ended"):
        assert is_silent(priority=Priority.NOTICE, text_key=key)
