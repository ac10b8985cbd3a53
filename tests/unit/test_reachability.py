"""The rules of ``dialogs.reachability``: a client whose chat refuses messages (403) is marked
once and their coach told once (also when Telegram says they blocked the bot); an open
check-in closes as unfinished, never missed; the client writing again (or unblocking) clears
it and tells the coach once, and so does a message Telegram accepts that left after the mark;
a refusal of a message sent before they came back marks nobody; scheduled check-ins wait
meanwhile. The clock is passed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update

from bot.handlers import chat_change_from_update, incoming_from_update
from bot.render import Menus
from bot.texts import load_texts
from dialogs.caseload import Attention, CaseloadClient, attention
from dialogs.checkin_state import CheckinState, CheckinStatus
from dialogs.outcome import At, Recipient, SaveCheckin
from dialogs.reachability import (
    AlertLineRead,
    AlertReach,
    ChatChange,
    NumbersRefused,
    Reach,
    chat_change,
    checkins_wait,
    delivered_again,
    heard_again,
    numbers_refused,
    refused,
)

NOW = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
SAM = Reach(client_id=7, name="Sam", active=True, phone="+31612345678")
MENUS = Menus(load_texts())


def test_the_first_refused_message_marks_the_client_and_tells_the_coach() -> None:
    decided = refused(SAM, NOW)
    assert decided is not None
    assert decided.unreachable_since == NOW
    [notice] = decided.outcome.replies
    assert (notice.key, notice.params, notice.to) == (
        "coach_reach.unreachable",
        {"client": "Sam", "phone": "+31 6 12345678"},  # as the alert shows it
        Recipient.COACH,
    )
    assert decided.outcome.effects == ()


def test_without_a_stored_phone_number_the_everyday_notice_never_says_call() -> None:
    """ "Bel Sam" would send Anna to a number the bot does not have: the notice says it has
    none and to reach Sam another way (as the alert's line does)."""
    decided = refused(replace(SAM, phone=None), NOW)
    assert decided is not None
    [notice] = decided.outcome.replies
    assert (notice.key, notice.params, notice.to) == (
        "coach_reach.unreachable_no_phone",
        {"client": "Sam"},
        Recipient.COACH,
    )
    for language, call in (("nl", "Bel Sam"), ("en", "Call Sam")):
        text = load_texts().render(language, notice.key, notice.params)
        assert call not in text and "/" in text  # the message command is still offered
        phoned = load_texts().render(
            language, "coach_reach.unreachable", {"client": "Sam", "phone": "+31 6 12345678"}
        )
        assert f"{call}: +31 6 12345678\n" in phoned


def test_a_second_refused_message_or_a_former_client_changes_nothing() -> None:
    assert refused(Reach(7, "Sam", True, unreachable_since=NOW), NOW + timedelta(days=7)) is None
    assert refused(Reach(7, "Sam", active=False), NOW) is None


def test_an_open_checkin_closes_as_unfinished_never_missed() -> None:
    state = CheckinState(
        checkin_id=3, client_id=7, version="1", sent_at=NOW, wake_at=NOW + timedelta(hours=4)
    )
    decided = refused(Reach(7, "Sam", True, open_checkin=state), NOW)
    assert decided is not None
    [saved] = decided.outcome.effects
    assert isinstance(saved, SaveCheckin)
    assert (saved.state.status, saved.state.finished_at, saved.state.wake_at) == (
        CheckinStatus.UNFINISHED,
        NOW,
        None,
    )


def test_writing_again_clears_the_mark_and_says_whether_checkins_go_on() -> None:
    assert heard_again(SAM, NOW) is None  # never marked: nothing to say
    marked = Reach(7, "Sam", True, unreachable_since=NOW)
    going_on = heard_again(marked, NOW)
    assert going_on is not None and going_on.unreachable_since is None
    assert [r.key for r in going_on.outcome.replies] == ["coach_reach.reachable"]
    paused = heard_again(Reach(7, "Sam", True, unreachable_since=NOW, paused=True), NOW)
    assert paused is not None
    assert [r.key for r in paused.outcome.replies] == ["coach_reach.reachable_paused"]
    former = heard_again(Reach(7, "Sam", False, unreachable_since=NOW), NOW)
    assert former is not None and former.unreachable_since is None
    assert former.outcome.replies == ()  # cleared, without bothering a former coach


def test_scheduled_checkins_wait_only_while_marked() -> None:
    assert checkins_wait(NOW) and not checkins_wait(None)


def test_the_list_puts_an_unreachable_client_right_after_an_open_alert() -> None:
    joined = NOW - timedelta(days=30)
    sam = CaseloadClient(7, "Sam", joined, unreachable_since=NOW, missed_in_a_row=1)
    assert attention(sam, NOW, "Europe/Amsterdam") is Attention.UNREACHABLE
    alert = CaseloadClient(8, "Bo", joined, unreachable_since=NOW, open_alert=True)
    assert attention(alert, NOW, "Europe/Amsterdam") is Attention.ALERT


# -- Telegram's word of a block or an unblock (my_chat_member), and a late refusal ---------------


def test_a_block_in_a_private_chat_refuses_and_an_unblock_works() -> None:
    assert chat_change("private", "kicked") is ChatChange.REFUSES
    assert chat_change("private", "member") is ChatChange.WORKS
    assert chat_change("private", "left") is None
    # A team group removing or adding the bot says nothing of a client's chat.
    assert chat_change("group", "kicked") is None
    assert chat_change("supergroup", "member") is None


def test_a_block_marks_as_a_refused_message_does_also_after_an_earlier_return() -> None:
    back_before = replace(SAM, heard_again_at=NOW - timedelta(days=1))
    decided = refused(back_before, NOW)  # no message: Telegram's own word, never late
    assert decided is not None and decided.unreachable_since == NOW
    assert [r.key for r in decided.outcome.replies] == ["coach_reach.unreachable"]


def test_a_refusal_of_a_message_sent_before_the_client_came_back_marks_nobody() -> None:
    sent = NOW - timedelta(minutes=5)
    back_after = replace(SAM, heard_again_at=NOW - timedelta(minutes=1))
    assert refused(back_after, NOW, sent_from=sent) is None
    assert refused(replace(SAM, heard_again_at=sent), NOW, sent_from=sent) is None  # same moment
    # Back before the message left: its refusal is news, the client is marked.
    back_before = replace(SAM, heard_again_at=sent - timedelta(seconds=1))
    decided = refused(back_before, NOW, sent_from=sent)
    assert decided is not None and decided.unreachable_since == NOW
    never_gone = refused(SAM, NOW, sent_from=sent)
    assert never_gone is not None and never_gone.unreachable_since == NOW


def _member_update(chat: dict[str, Any], status: str, *, by_bot: bool = False) -> Update:
    bot = {"id": 1, "is_bot": True, "first_name": "Waakvlam", "username": "waakvlam_bot"}
    person = {"id": chat["id"], "is_bot": by_bot, "first_name": "Sam"}
    member = {"user": bot, "status": status} | ({"until_date": 0} if status == "kicked" else {})
    changed = {
        "chat": chat,
        "from": person,
        "date": int(NOW.timestamp()),
        "old_chat_member": {"user": bot, "status": "member"},
        "new_chat_member": member,
    }
    return Update.de_json({"update_id": 5, "my_chat_member": changed}, None)


def test_handlers_take_a_private_chat_s_block_and_unblock_and_nothing_else() -> None:
    sam = {"id": 4242, "type": "private", "first_name": "Sam"}
    assert chat_change_from_update(_member_update(sam, "kicked")) == (4242, ChatChange.REFUSES)
    assert chat_change_from_update(_member_update(sam, "member")) == (4242, ChatChange.WORKS)
    group = {"id": -100, "type": "group", "title": "Team"}
    assert chat_change_from_update(_member_update(group, "kicked")) is None
    assert chat_change_from_update(_member_update(sam, "kicked", by_bot=True)) is None
    # Any other update is no block or unblock; and a block is no dialog event.
    assert chat_change_from_update(Update(update_id=6)) is None
    assert incoming_from_update(_member_update(sam, "kicked"), MENUS) is None


# -- a message Telegram accepted for a marked client's chat ---------------------------------------


def test_a_message_accepted_after_the_mark_clears_it_and_says_whether_checkins_go_on() -> None:
    marked = replace(SAM, unreachable_since=NOW)
    later = NOW + timedelta(seconds=1)
    going_on = delivered_again(marked, later, later)
    assert going_on is not None and going_on.unreachable_since is None
    [notice] = going_on.outcome.replies
    assert (notice.key, notice.params, notice.to) == (
        "coach_reach.delivered",
        {"client": "Sam"},
        Recipient.COACH,
    )
    assert going_on.outcome.effects == ()
    paused = delivered_again(replace(marked, paused=True), later, later)
    assert paused is not None
    assert [r.key for r in paused.outcome.replies] == ["coach_reach.delivered_paused"]
    former = delivered_again(replace(marked, active=False), later, later)
    assert former is not None and former.unreachable_since is None
    assert former.outcome.replies == ()  # cleared, without bothering a former coach


def test_a_message_that_may_have_left_before_the_mark_clears_nothing() -> None:
    marked = replace(SAM, unreachable_since=NOW)
    assert delivered_again(marked, NOW - timedelta(minutes=5), NOW) is None  # a late acceptance
    assert delivered_again(marked, NOW, NOW) is None  # the same moment: it may have left first
    assert delivered_again(marked, None, NOW) is None  # not known when it left
    assert delivered_again(SAM, NOW, NOW) is None  # never marked: nothing to say


PRESSED = NOW - timedelta(minutes=20)


def test_with_an_alert_open_the_notice_goes_to_its_team_as_alert_traffic() -> None:
    """Whoever handles the alert must know that Sam reads nothing ("Anna belt je", the
    emergency numbers): the team hears it, at alert priority; Anna is among them."""
    state = CheckinState(checkin_id=3, client_id=7, version="1", sent_at=NOW)
    alert = AlertReach(pressed_at=PRESSED, coach_told=True, phone_known=True)
    decided = refused(replace(SAM, open_alert=alert, open_checkin=state), NOW)
    assert decided is not None
    assert decided.unreachable_since == NOW
    [notice] = decided.outcome.replies
    assert (notice.key, notice.params, notice.to, notice.urgent) == (
        "coach_reach.unreachable_alert",
        {"client": "Sam", "time": At(PRESSED, said_at=NOW)},
        Recipient.ALERT_TEAM,
        True,
    )
    [saved] = decided.outcome.effects  # the open check-in closes as without an alert
    assert isinstance(saved, SaveCheckin)
    text = load_texts().render("nl", notice.key, {"client": "Sam", "time": "09:40"})
    assert text == (
        "📵 Sam kan geen berichten van mij krijgen (melding van 09:40): wat ik Sam stuur, "
        "komt niet aan, ook de noodnummers niet. Bel Sam."
    )


def test_without_a_stored_phone_number_the_alerts_line_never_says_call() -> None:
    """The alert itself said Sam shared no phone number: "Bel Sam" would send its reader to
    a number they do not have. Every recipient of the line reads the same choice."""
    no_phone = AlertReach(pressed_at=PRESSED, coach_told=False, phone_known=False)
    decided = refused(replace(SAM, open_alert=no_phone), NOW)
    assert decided is not None
    assert [(r.key, r.to) for r in decided.outcome.replies] == [
        ("coach_reach.unreachable_alert_no_phone", Recipient.ALERT_TEAM),
        ("coach_reach.unreachable_alert_no_phone", Recipient.COACH),
    ]
    picked_up = replace(no_phone, picked_up=True, coach_is_helper=True)
    decided = refused(replace(SAM, open_alert=picked_up), NOW)
    assert decided is not None
    assert [r.key for r in decided.outcome.replies] == ["coach_reach.unreachable_alert_no_phone"]
    for language in ("nl", "en"):
        text = load_texts().render(
            language, "coach_reach.unreachable_alert_no_phone", {"client": "Sam", "time": "09:40"}
        )
        assert "Sam" in text and "09:40" in text
        assert "Bel Sam" not in text and "Call Sam" not in text
    assert load_texts().render(
        "nl", "coach_reach.unreachable_alert_no_phone", {"client": "Sam", "time": "09:40"}
    ) == (
        "📵 Sam kan geen berichten van mij krijgen (melding van 09:40): wat ik Sam stuur, "
        "komt niet aan, ook de noodnummers niet. Van Sam is geen telefoonnummer bewaard: "
        "probeer Sam op een andere manier te bereiken."
    )


def test_a_coach_not_told_about_the_alert_hears_it_too() -> None:
    alert = AlertReach(pressed_at=PRESSED, coach_told=False, phone_known=True)
    decided = refused(replace(SAM, open_alert=alert), NOW)
    assert decided is not None
    assert [(r.key, r.to, r.urgent) for r in decided.outcome.replies] == [
        ("coach_reach.unreachable_alert", Recipient.ALERT_TEAM, True),
        ("coach_reach.unreachable_alert", Recipient.COACH, True),
    ]


def test_while_marked_only_someone_asked_about_the_alert_since_hears_it() -> None:
    marked = replace(SAM, unreachable_since=NOW - timedelta(minutes=3))
    later = NOW + timedelta(minutes=2)
    asked_since = AlertReach(pressed_at=PRESSED, coach_told=True, untold=True, phone_known=True)
    decided = refused(replace(marked, open_alert=asked_since), later)
    assert decided is not None
    assert decided.unreachable_since == marked.unreachable_since  # the mark stays as it was
    [notice] = decided.outcome.replies
    assert (notice.key, notice.to, notice.params["time"]) == (
        "coach_reach.unreachable_alert",
        Recipient.ALERT_TEAM,
        At(PRESSED, said_at=later),
    )
    assert decided.outcome.effects == ()
    all_told = replace(asked_since, untold=False)
    assert refused(replace(marked, open_alert=all_told), later) is None
    assert refused(replace(marked, active=False, open_alert=asked_since), later) is None


def test_once_someone_picked_the_alert_up_only_they_hear_it_at_once() -> None:
    """The one who calls must know "Ik bel je" cannot arrive; a ringing line for everyone
    else told about the alert would only say nobody calls. Sam's coach, when someone else
    picked it up, hears it as on any day."""
    by_bram = AlertReach(pressed_at=PRESSED, coach_told=True, picked_up=True, phone_known=True)
    decided = refused(replace(SAM, open_alert=by_bram), NOW)
    assert decided is not None
    assert [(r.key, r.to, r.urgent) for r in decided.outcome.replies] == [
        ("coach_reach.unreachable_alert", Recipient.ALERT_HELPER, True),
        ("coach_reach.unreachable", Recipient.COACH, False),
    ]
    by_anna = replace(by_bram, coach_is_helper=True)
    decided = refused(replace(SAM, open_alert=by_anna), NOW)
    assert decided is not None
    assert [(r.key, r.to) for r in decided.outcome.replies] == [
        ("coach_reach.unreachable_alert", Recipient.ALERT_HELPER)
    ]
    # While marked, those asked about the alert since (the team) hear it, as before a pick-up.
    marked = replace(SAM, unreachable_since=NOW - timedelta(minutes=3))
    again = refused(replace(marked, open_alert=by_bram), NOW)
    assert again is not None
    assert [(r.key, r.to) for r in again.outcome.replies] == [
        ("coach_reach.unreachable_alert", Recipient.ALERT_TEAM)
    ]


# -- the mark cleared while the alert whose 📵 line someone read is still open --------------------


def test_those_who_read_the_alerts_line_hear_once_that_messages_arrive_again() -> None:
    """The 📵 line told them Sam reads nothing, the numbers included: with the alert still
    open, its end reaches them the same way, at alert priority. Sam's coach, one of them,
    reads only that; a coach who read the everyday 📵 notice instead reads the everyday ✅."""
    later = NOW + timedelta(minutes=30)
    read = AlertLineRead(pressed_at=PRESSED, coach_read=True)
    marked = replace(SAM, unreachable_since=NOW, alert_line_read=read)
    line = ("coach_reach.reachable_alert", Recipient.ALERT_TEAM, True)
    for decided in (heard_again(marked, later), delivered_again(marked, later, later)):
        assert decided is not None and decided.unreachable_since is None
        assert [(r.key, r.to, r.urgent) for r in decided.outcome.replies] == [line]
        assert decided.outcome.replies[0].params == {
            "client": "Sam",
            "time": At(PRESSED, said_at=later),
        }
    not_the_coach = replace(marked, alert_line_read=replace(read, coach_read=False))
    decided = delivered_again(not_the_coach, later, later)
    assert decided is not None
    assert [(r.key, r.to) for r in decided.outcome.replies] == [
        ("coach_reach.reachable_alert", Recipient.ALERT_TEAM),
        ("coach_reach.delivered", Recipient.COACH),
    ]
    # Nobody read it (or the alert was closed): the coach's notice only, as on any day.
    decided = heard_again(replace(marked, alert_line_read=None), later)
    assert decided is not None
    assert [(r.key, r.to) for r in decided.outcome.replies] == [
        ("coach_reach.reachable", Recipient.COACH)
    ]
    assert heard_again(replace(marked, active=False), later) == heard_again(
        Reach(7, "Sam", False, unreachable_since=NOW), later
    )


def test_the_numbers_state_comes_from_their_rows_refused_and_queued() -> None:
    """Every row refused: all; some refused, others arrived or still to go: some; none refused
    (or none sent): nothing to say."""
    assert numbers_refused(queued=3, refused=3) == NumbersRefused.ALL
    assert numbers_refused(queued=3, refused=1) == NumbersRefused.SOME
    assert numbers_refused(queued=3, refused=2) == NumbersRefused.SOME
    assert numbers_refused(queued=3, refused=0) == NumbersRefused.NONE
    assert numbers_refused(queued=0, refused=0) == NumbersRefused.NONE


def _line(numbers: NumbersRefused) -> str:
    """The alert's ✅ line in Dutch, as Sam's coach (one of its readers) reads it."""
    later = NOW + timedelta(minutes=30)
    read = AlertLineRead(pressed_at=PRESSED, coach_read=True, numbers=numbers)
    decided = heard_again(replace(SAM, unreachable_since=NOW, alert_line_read=read), later)
    assert decided is not None
    [line] = decided.outcome.replies
    assert (line.to, line.urgent) == (Recipient.ALERT_TEAM, True)
    return load_texts().render("nl", line.key, {"client": "Sam", "time": "09:40"})


def test_the_line_says_the_emergency_numbers_did_not_arrive_when_all_were_refused() -> None:
    assert _line(NumbersRefused.ALL) == (
        "✅ Berichten komen weer aan bij Sam (melding van 09:40). "
        "De noodnummers die ik Sam stuurde, kwamen niet aan."
    )


def test_the_line_says_not_all_emergency_numbers_arrived_when_some_were_refused() -> None:
    assert _line(NumbersRefused.SOME) == (
        "✅ Berichten komen weer aan bij Sam (melding van 09:40). "
        "Niet alle noodnummers die ik Sam stuurde, kwamen aan."
    )


def test_the_line_says_nothing_of_the_numbers_when_none_was_refused() -> None:
    assert _line(NumbersRefused.NONE) == "✅ Berichten komen weer aan bij Sam (melding van 09:40)."
