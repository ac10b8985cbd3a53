"""A coach's list of clients: the order (who needs attention first), the words for the last
contact, the trend arrows, the paging and the untrusted buttons; rendered in both languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.texts import Texts, load_texts
from dialogs.caseload import (
    PAGE_SIZE,
    Attention,
    CaseloadClient,
    CaseloadContext,
    attention,
    contact_overdue,
    show,
    sort_clients,
    tap,
    time_ago,
    trend,
)
from dialogs.events import Command, MenuItem, MenuPress, Tap
from dialogs.outcome import Button, Outcome, TextRef
from dialogs.router import DialogContext, route
from dialogs.schedule import Rhythm
from tests.unit.people import ANNA

TZ = "Europe/Amsterdam"
# Monday 30 November 2026, 10:00 in Amsterdam.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
JOINED = NOW - timedelta(days=100)
TEXTS = load_texts("nl")


def client(name: str, client_id: int = 1, **fields: object) -> CaseloadClient:
    defaults: dict[str, object] = {
        "joined_at": JOINED,
        "last_contact": NOW - timedelta(days=2),
        "rhythm": Rhythm.WEEKLY,
    }
    return CaseloadClient(client_id, name, **(defaults | fields))  # type: ignore[arg-type]


def rendered(ref: TextRef, language: str = "nl", texts: Texts = TEXTS) -> str:
    return texts.render(language, ref.key, ref.params)


# -- the order ---------------------------------------------------------------------------------


def test_who_needs_attention_comes_first_in_the_order_of_the_issue() -> None:
    calm = client("Aad", 1)
    missed = client("Bo", 2, missed_in_a_row=1)
    silent = client("Cor", 3, last_contact=NOW - timedelta(days=9))
    signal = client("Dirk", 4, open_signals=1)
    alert = client("Eva", 5, open_alert=True, open_signals=2, missed_in_a_row=2)
    ordered = sort_clients([calm, missed, silent, signal, alert], NOW, TZ)
    assert [c.name for c in ordered] == ["Eva", "Dirk", "Cor", "Bo", "Aad"]
    assert [attention(c, NOW, TZ) for c in ordered] == [
        Attention.ALERT,
        Attention.SIGNALS,
        Attention.NO_CONTACT,
        Attention.MISSED,
        Attention.CALM,
    ]


def test_within_a_group_the_longest_without_contact_first_and_the_calm_by_name() -> None:
    recent = client("Ali", 1, open_signals=1, last_contact=NOW - timedelta(days=1))
    long_ago = client("Zoë", 2, open_signals=1, last_contact=NOW - timedelta(days=5))
    never = client("Mo", 3, open_signals=1, last_contact=None, joined_at=NOW - timedelta(days=6))
    calm = [client("sam", 4), client("Ädam", 5), client("bram", 6)]
    ordered = sort_clients([recent, long_ago, never, *calm], NOW, TZ)
    assert [c.name for c in ordered] == ["Mo", "Zoë", "Ali", "Ädam", "bram", "sam"]


def test_no_contact_counts_against_the_rhythm_in_local_days() -> None:
    weekly = client("Sam", last_contact=NOW - timedelta(days=7))
    assert not contact_overdue(weekly, NOW, TZ)  # a week is the rhythm, not longer
    assert contact_overdue(client("Sam", last_contact=NOW - timedelta(days=8)), NOW, TZ)
    every_4 = client("Sam", rhythm=Rhythm.EVERY_4_WEEKS, last_contact=NOW - timedelta(days=20))
    assert not contact_overdue(every_4, NOW, TZ)
    # Never any contact: counted from joining.
    assert contact_overdue(client("Sam", last_contact=None), NOW, TZ)
    fresh = client("Sam", last_contact=None, joined_at=NOW - timedelta(days=3))
    assert not contact_overdue(fresh, NOW, TZ)
    # Paused (a holiday) or without a rhythm: never overdue.
    assert not contact_overdue(client("Sam", last_contact=None, paused=True), NOW, TZ)
    assert not contact_overdue(client("Sam", last_contact=None, rhythm=None), NOW, TZ)


# -- the words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ago", "words"),
    [
        (timedelta(hours=1), "contact vandaag"),
        (timedelta(days=1), "contact gisteren"),
        (timedelta(days=3), "contact 3 dagen geleden"),
        (timedelta(days=13), "contact 13 dagen geleden"),
        (timedelta(days=14), "contact 2 weken geleden"),
        (timedelta(days=59), "contact 8 weken geleden"),
        (timedelta(days=75), "contact 2 maanden geleden"),
    ],
)
def test_last_contact_in_words(ago: timedelta, words: str) -> None:
    assert rendered(time_ago(NOW - ago, NOW, TZ)) == words


def test_last_contact_counts_calendar_days_on_the_local_clock() -> None:
    late = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)  # Sunday 23:30 in Amsterdam
    early = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 00:30 in Amsterdam
    assert time_ago(late, NOW, TZ) == TextRef("caseload.contact.yesterday")
    assert time_ago(early, NOW, TZ) == TextRef("caseload.contact.today")
    assert rendered(time_ago(None, NOW, TZ)) == "nog geen contact"
    assert rendered(time_ago(NOW - timedelta(days=3), NOW, TZ), "en") == "contact 3 days ago"


def test_the_trend_arrow_compares_with_the_grade_before() -> None:
    assert rendered(trend(7, 5)) == " ↑"
    assert rendered(trend(3, 8)) == " ↓"
    assert rendered(trend(6, 6)) == " →"
    assert rendered(trend(6, None)) == ""
    assert rendered(trend(None, None)) == ""


# -- the message -------------------------------------------------------------------------------


def texts_of(outcome: Outcome, language: str = "nl") -> list[str]:
    return [TEXTS.render(language, r.key, r.params) for r in outcome.replies]


def labels(outcome: Outcome, language: str = "nl") -> list[list[str]]:
    [reply] = outcome.replies
    return [
        [TEXTS.render(language, b.label_key, b.label_params) for b in row] for row in reply.buttons
    ]


def test_one_line_per_client_with_contact_grade_trend_rhythm_and_pause() -> None:
    sam = client(
        "Sam",
        7,
        open_alert=True,
        last_contact=NOW - timedelta(days=3),
        grade=3,
        previous_grade=8,
    )
    kim = client("Kim", 8, paused=True, rhythm=Rhythm.EVERY_2_WEEKS, last_contact=None)
    outcome = show(CaseloadContext((kim, sam), TZ), NOW)
    [text] = texts_of(outcome)
    lines = text.split("\n")
    assert lines[0] == "Jouw cliënten (2). Wie aandacht nodig heeft, staat bovenaan."
    assert lines[1] == "1. 🔴 Sam · contact 3 dagen geleden · cijfer 3 ↓ · elke week"
    assert lines[2] == "2. Kim · nog geen contact · nog geen cijfer · ⏸ pauze (elke 2 weken)"
    assert labels(outcome) == [["1. Sam", "2. Kim"]]
    assert outcome.replies[0].buttons[0][0].data == "cl:7"
    [english] = texts_of(outcome, "en")
    assert english.split("\n")[1] == "1. 🔴 Sam · contact 3 days ago · grade 3 ↓ · every week"


def test_no_clients_says_how_to_invite_one() -> None:
    assert [r.key for r in show(CaseloadContext((), TZ), NOW).replies] == ["caseload.empty"]


def test_past_twenty_clients_the_list_is_paged() -> None:
    many = tuple(client(f"Client {n:02}", n) for n in range(1, 46))
    ctx = CaseloadContext(many, TZ)
    first = show(ctx, NOW)
    [text] = texts_of(first)
    assert text.startswith("Jouw cliënten (45), blad 1 van 3.")
    assert text.count(" · contact ") == PAGE_SIZE
    rows = labels(first)
    assert rows[0] == ["1. Client 01", "2. Client 02"]
    assert rows[-1] == ["Volgende ▶"]
    assert sum(len(row) for row in rows[:-1]) == PAGE_SIZE
    assert first.replies[0].buttons[-1][0].data == "cg:1"
    middle = tap("cg:1", NOW, ctx)
    assert labels(middle)[-1] == ["◀ Vorige", "Volgende ▶"]
    assert labels(middle)[0] == ["21. Client 21", "22. Client 22"]
    last = tap("cg:2", NOW, ctx)
    [text] = texts_of(last)
    assert "blad 3 van 3" in text and text.count(" · contact ") == 5
    assert labels(last)[-1] == ["◀ Vorige"]
    assert tap("cg:999", NOW, ctx) == last  # a forged page number: the last page


# -- the buttons -------------------------------------------------------------------------------


def test_a_forged_page_button_changes_nothing() -> None:
    for forged in ("cg:x", "cg:", "cl:7", "cg:1:2"):
        outcome = tap(forged, NOW, CaseloadContext())
        assert outcome.replies == () and outcome.effects == ()
        assert outcome.notice == "common.button_unknown"


def test_the_router_sends_the_command_the_menu_button_and_the_buttons_here() -> None:
    ctx = DialogContext(caseload=CaseloadContext((client("Sam", 7),), TZ))
    for event in (Command("clienten"), Command("clients"), MenuPress(MenuItem.MY_CLIENTS)):
        assert [r.key for r in route(ANNA, event, NOW, ctx).replies] == ["caseload.list"]
    assert route(ANNA, Tap("cl:9"), NOW, ctx).notice == "caseload.not_yours"
    inactive = replace(ANNA, coach_active=False)
    assert [r.key for r in route(inactive, Command("clienten"), NOW, ctx).replies] == [
        "coach.inactive"
    ]
    assert route(inactive, Tap("cg:0"), NOW, ctx).notice == "common.button_unknown"


def test_the_list_survives_the_outbox() -> None:
    """A reply Telegram keeps refusing goes to the outbox: the lines and the named buttons
    come back from its JSON as they went in."""
    import json

    from bot.outbox_rows import decode_buttons, decode_params, encode_buttons, encode_params

    sam = client("Sam", 7, grade=3, previous_grade=8, paused=True)
    [reply] = show(CaseloadContext((sam,), TZ), NOW).replies
    stored = json.loads(json.dumps(encode_params(reply.params)))
    assert decode_params(stored) == reply.params
    buttons = json.loads(json.dumps(encode_buttons(reply.buttons)))
    assert decode_buttons(buttons) == reply.buttons
    assert encode_buttons((((Button("common.read_aloud", "ra")),),)) == [
        [{"label_key": "common.read_aloud", "data": "ra"}]
    ]
