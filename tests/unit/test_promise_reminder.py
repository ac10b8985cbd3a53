"""The reminder of a promised message ("Let op: ik heb Sam gezegd dat je een bericht stuurt.")
names only a way to keep it that works for the coach who reads it: "Typ /bericht Sam" for
Sam's own coach while Sam's chat takes messages; a call while it refuses them (📵); for a
backup who picked Sam's alert up (their /bericht does not know Sam) a reply to Sam's message
that came with the alert, else Sam's coach (and a call, with a number). Everywhere it is said:
a cancel, a new question, an alert's tap, a signal's ✅, the clock's close reminder."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.texts import load_texts
from bot.words import load_words
from dialogs.clients import ClientRef
from dialogs.events import Command, Tap
from dialogs.noodknop import AlertView, EscalationPolicy, check_closing
from dialogs.outcome import Recipient, Reply
from dialogs.promise_reminder import REMINDER_KEYS, Promised, told_reminder
from dialogs.relay import CoachRelayContext
from dialogs.router import DialogContext, route
from dialogs.signal_actions import SignalView, coach_taps
from tests.unit.people import ANNA, BRAM
from tests.unit.test_message_cancel import KIM_ALERT

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
WORDS = load_words("nl")["nl"]
PHONE = "+31612345678"
LEAD_NL = "Let op: ik heb Sam gezegd dat je een bericht stuurt."
OWN_NL = f"{LEAD_NL} Toch iets sturen? Typ /bericht Sam."
BLOCKED_NL = f"{LEAD_NL} Maar Sam kan nu geen berichten van mij krijgen. Bel Sam: +31 6 12345678"
BLOCKED_NO_PHONE_NL = (
    f"{LEAD_NL} Maar Sam kan nu geen berichten van mij krijgen. Ik heb geen telefoonnummer"
    " van Sam. Probeer Sam op een andere manier te bereiken."
)
REPLY_NL = f"{LEAD_NL} Toch iets sturen? Antwoord op een bericht van Sam bij de melding."
ASK_ANNA_NL = f"{LEAD_NL} Vraag Anna, de coach van Sam, om het bericht te sturen."
ASK_ANNA_PHONE_NL = f"{ASK_ANNA_NL} Of bel Sam: +31 6 12345678"

OWN = Promised(7, "Sam")
BLOCKED = replace(OWN, unreachable=True, phone=PHONE)
BLOCKED_NO_PHONE = replace(OWN, unreachable=True)
BY_BRAM = Promised(7, "Sam", own_coach=False, coach_name="Anna")  # Bram picked the alert up
BY_BRAM_REPLY = replace(BY_BRAM, can_reply=True)


def _shown(reply: Reply, language: str = "nl") -> str:
    texts = load_texts()
    body = texts.render(language, reply.key, reply.params)
    return f"{texts.render(language, reply.lead, reply.params)}\n\n{body}" if reply.lead else body


@pytest.mark.parametrize(
    "promise, nl",
    [
        (ClientRef(7, "Sam"), OWN_NL),  # the common case: no more than the name is loaded
        (OWN, OWN_NL),
        (replace(OWN, phone=PHONE), OWN_NL),
        (BLOCKED, BLOCKED_NL),
        (BLOCKED_NO_PHONE, BLOCKED_NO_PHONE_NL),
        (replace(BY_BRAM_REPLY, unreachable=True, phone=PHONE), BLOCKED_NL),
        (BY_BRAM_REPLY, REPLY_NL),
        (BY_BRAM, ASK_ANNA_NL),
        (replace(BY_BRAM, phone=PHONE), ASK_ANNA_PHONE_NL),
    ],
)
def test_each_coach_reads_a_way_that_works_for_them(promise: ClientRef, nl: str) -> None:
    reply = told_reminder(promise, lead=None)
    assert reply.key in REMINDER_KEYS
    assert _shown(reply) == nl
    english = _shown(reply, "en")
    assert english.startswith("Note: I told Sam that you will send a message.")
    assert ("/message Sam" in english) == ("/bericht Sam" in nl)
    assert ("Call Sam" in english or "call Sam" in english) == ("el Sam" in nl)


def _cancel(person: object, relay: CoachRelayContext, awaiting: str | None) -> list[str]:
    coach = replace(person, awaiting=awaiting)  # type: ignore[type-var]
    context = DialogContext(coach_relay=relay, words=WORDS)
    return [_shown(r) for r in route(coach, Command("annuleer"), NOW, context).replies]


def test_a_cancel_while_sams_chat_refuses_messages_says_to_call() -> None:
    relay = CoachRelayContext(awaiting_client=ClientRef(7, "Sam"), promised=(BLOCKED,))
    assert _cancel(ANNA, relay, "message:7") == [f"Oké, ik stuur niets.\n\n{BLOCKED_NL}"]
    nothing = CoachRelayContext(promised=(BLOCKED_NO_PHONE,))
    assert _cancel(ANNA, nothing, None) == [
        f"Er staat geen bericht klaar. Ik stuur niets.\n\n{BLOCKED_NO_PHONE_NL}"
    ]


def test_a_backup_who_cancels_is_never_told_to_type_bericht() -> None:
    """Bram picked Sam's alert up without a number (his next message was Sam's), then typed
    /annuleer: his /bericht lists only his own clients."""
    for promise, said in ((BY_BRAM, ASK_ANNA_NL), (BY_BRAM_REPLY, REPLY_NL)):
        relay = CoachRelayContext(awaiting_client=ClientRef(7, "Sam"), promised=(promise,))
        assert _cancel(BRAM, relay, "message:7") == [f"Oké, ik stuur niets.\n\n{said}"]
        assert "/bericht" not in _cancel(BRAM, relay, None)[-1]


def test_a_new_question_replacing_a_backups_wait_reminds_once_the_backups_way() -> None:
    """Bram's /bericht for his own client Jan ends the wait for Sam: the reminder first."""
    relay = CoachRelayContext(awaiting_client=ClientRef(7, "Sam"), promised=(BY_BRAM,))
    context = DialogContext(coach_relay=relay, coach_clients=(ClientRef(8, "Jan"),), words=WORDS)
    bram = replace(BRAM, awaiting="message:7")
    replies = route(bram, Command("bericht", "Jan"), NOW, context).replies
    assert _shown(replies[0]) == f"Je bericht aan Sam stuur ik niet.\n\n{ASK_ANNA_NL}"
    assert sum(r.key in REMINDER_KEYS for r in replies) == 1


def test_an_alert_tap_that_ends_a_wait_for_a_blocked_client_says_to_call() -> None:
    """Anna waits to write Sam (📵 since), and picks up Kim's alert: the wait ends."""
    kim = KIM_ALERT  # Kim's number is stored: Anna calls her
    relay = CoachRelayContext(awaiting_client=ClientRef(7, "Sam"), promised=(BLOCKED,))
    context = DialogContext(tapped_alert=kim, coach_relay=relay)
    outcome = route(replace(ANNA, awaiting="message:7"), Tap("al:3:ack", 100), NOW, context)
    said = [_shown(r) for r in outcome.replies]
    assert f"Je bericht aan Sam stuur ik niet.\n\n{BLOCKED_NL}" in said
    assert not any("/bericht Sam" in s for s in said)


def test_a_signals_done_for_a_blocked_client_says_to_call() -> None:
    view = SignalView(
        signal_id=12,
        client_id=7,
        client_name="Sam",
        coach_id=1,
        coach_name="Anna",
        client_active=True,
        standing=True,
        promised=True,
        unreachable_since=NOW,
        phone=PHONE,
    )
    done = coach_taps(replace(ANNA, awaiting="message:7"), view, "sg:12:done")
    assert [_shown(r) for r in done.replies] == [
        f"Genoteerd als afgehandeld. Ik stuur niets.\n\n{BLOCKED_NL}"
    ]
    reachable = coach_taps(ANNA, replace(view, unreachable_since=None), "sg:12:done")
    assert [_shown(r) for r in reachable.replies] == [
        f"Genoteerd als afgehandeld. Ik stuur niets.\n\n{OWN_NL}"
    ]


SAMS_ALERT = AlertView(
    id=3,
    client_id=7,
    client_name="Sam",
    coach_name="Anna",
    pressed_at=NOW,
    recipient_coach_ids=frozenset({1, 2}),
    recipient_chat_ids=frozenset({100, 200}),
    coach_id=1,
    asked_coach_ids=frozenset({1, 2}),
    acknowledged_by="Anna",
    acknowledged_by_id=1,
    acknowledged_at=NOW,
    picked_up_by_phone=False,
    message_promised=True,
    settled_at=NOW,
)
POLICY = EscalationPolicy()


def _owed(alert: AlertView, after: object) -> list[str]:
    replies = check_closing(alert, NOW + after, POLICY).replies  # type: ignore[operator]
    owed = [r for r in replies if r.key in REMINDER_KEYS]
    assert all(r.to is Recipient.ALERT_HELPER for r in owed)
    return [_shown(r) for r in owed]


def test_the_clocks_close_reminder_names_the_way_for_whoever_picked_it_up() -> None:
    remind, close = POLICY.close_remind_after, POLICY.autoclose_after
    assert _owed(SAMS_ALERT, remind) == [OWN_NL]
    assert _owed(SAMS_ALERT, close) == [OWN_NL]  # /bericht Sam works after the close too
    blocked = replace(SAMS_ALERT, client_unreachable_since=NOW)
    assert _owed(blocked, remind) == [BLOCKED_NO_PHONE_NL]
    by_bram = replace(SAMS_ALERT, acknowledged_by="Bram", acknowledged_by_id=2)
    assert _owed(by_bram, remind) == [ASK_ANNA_NL]
    replying = replace(by_bram, helper_can_reply=True)
    assert _owed(replying, remind) == [REPLY_NL]
    # Closed by the clock: a reply to Sam's copy no longer reaches Sam.
    assert _owed(replying, close) == [ASK_ANNA_NL]
    assert _owed(replace(by_bram, message_promised=False), remind) == []
