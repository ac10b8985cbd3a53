""" "Je melding is afgesloten" is checked again just before it is sent: it goes only while no
other alert of the client is open (``noodknop.closed_note_true``)."""

from __future__ import annotations

from dialogs.noodknop import CLOSED_NOTES, closed_note_true


def test_the_note_goes_when_no_alert_is_open() -> None:
    assert closed_note_true(3, [])


def test_the_note_is_dropped_while_a_newer_alert_is_open() -> None:
    assert not closed_note_true(3, [4])


def test_an_older_open_alert_also_makes_it_untrue() -> None:
    assert not closed_note_true(3, [2])


def test_its_own_alert_does_not_count() -> None:
    """Closed alerts do not reopen; if the row is read while it still shows as open, the
    note is about that alert, and it goes."""
    assert closed_note_true(3, [3])


def test_a_note_without_its_alert_goes_only_while_nothing_is_open() -> None:
    assert closed_note_true(None, [])
    assert not closed_note_true(None, [5])


def test_both_closed_notes_are_checked() -> None:
    assert {"noodknop.closed", "noodknop.closed_help", "noodknop.closed_ended"} == CLOSED_NOTES
