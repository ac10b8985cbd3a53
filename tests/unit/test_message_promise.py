"""A promise to a client ("Anna stuurt je zo een bericht") outlives Anna's wait: the shell keeps
it on the client (``client.message_promised_by``) and loads it as ``CoachRelayContext.promised``
until Anna's message to them is relayed. A cancel after a new ``/bericht``, and a new question
that replaces the wait, remind Anna of it; without a promise everything reads as before."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.texts import load_texts
from bot.words import load_words
from dialogs.clients import ClientRef
from dialogs.events import Command, Text
from dialogs.outcome import AwaitInput, Reply
from dialogs.relay import CoachRelayContext, RelayToClient
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
WORDS = load_words("nl")["nl"]
SAM, JAN = ClientRef(7, "Sam"), ClientRef(8, "Jan")
ASKED = replace(ANNA, awaiting="message:7")  # /bericht Sam again, after an earlier /annuleer
OWED = CoachRelayContext(awaiting_client=SAM, promised=(SAM,))
REMINDER = (
    "Let op: ik heb Sam gezegd dat je een bericht stuurt. Toch iets sturen? Typ /bericht Sam."
)


def _shown(reply: Reply, language: str = "nl") -> str:
    texts = load_texts()
    body = texts.render(language, reply.key, reply.params)
    return f"{texts.render(language, reply.lead, reply.params)}\n\n{body}" if reply.lead else body


def _say(awaiting: str | None, event: Command | Text, relay: CoachRelayContext) -> list[str]:
    person = replace(ANNA, awaiting=awaiting)
    context = DialogContext(coach_relay=relay, coach_clients=(SAM, JAN), words=WORDS)
    return [_shown(reply) for reply in route(person, event, NOW, context).replies]


def test_a_second_cancel_still_reminds_of_the_promise() -> None:
    """a) 💬 for Sam, /annuleer, /bericht Sam, /annuleer: the second still names the promise."""
    assert _say("message:7", Command("annuleer"), OWED) == [f"Oké, ik stuur niets.\n\n{REMINDER}"]
    unpromised = replace(OWED, promised=())
    assert _say("message:7", Command("annuleer"), unpromised) == ["Oké, ik stuur niets."]


def test_the_mark_on_the_wait_alone_is_no_promise() -> None:
    """One source of truth: a promise the shell did not load (kept since) reminds of nothing."""
    kept = replace(OWED, promised=())
    assert _say("message:7:told", Command("annuleer"), kept) == ["Oké, ik stuur niets."]


def test_a_promise_to_another_client_is_not_named_by_a_cancel_for_jan() -> None:
    relay = CoachRelayContext(awaiting_client=JAN, promised=(SAM,))
    assert _say("message:8", Command("annuleer"), relay) == ["Oké, ik stuur niets."]


def test_bericht_jan_replacing_a_promised_wait_for_sam_reminds_first() -> None:
    """b) the reminder, then the question for Jan; the wait is Jan's."""
    outcome = route(
        ASKED,
        Command("bericht", "Jan"),
        NOW,
        DialogContext(coach_relay=OWED, coach_clients=(SAM, JAN), words=WORDS),
    )
    assert outcome.effects == (AwaitInput(1, "message:8"),)
    said = [_shown(reply) for reply in outcome.replies]
    assert said == [f"Je bericht aan Sam stuur ik niet.\n\n{REMINDER}", _shown(outcome.replies[1])]
    assert "Jan" in said[1] and len(said) == 2
    en = _shown(outcome.replies[0], "en")
    assert en.startswith("I will not send your message to Sam.\n\nNote: I told Sam")


def test_nieuw_replacing_a_promised_wait_reminds_too() -> None:
    said = _say("message:7", Command("nieuw"), OWED)
    assert said[0] == f"Je bericht aan Sam stuur ik niet.\n\n{REMINDER}" and len(said) >= 2


def test_asking_for_sam_again_or_without_a_promise_says_nothing_more() -> None:
    assert REMINDER not in " ".join(_say("message:7", Command("bericht", "Sam"), OWED))
    unpromised = replace(OWED, promised=())
    assert REMINDER not in " ".join(_say("message:7", Command("bericht", "Jan"), unpromised))
    assert REMINDER not in " ".join(_say(None, Command("bericht", "Jan"), OWED))  # no wait


def test_the_message_itself_keeps_the_promise_without_a_reminder() -> None:
    outcome = route(
        ASKED,
        Text("Ik bel je om 3 uur", message_id=55, chat_id=100),
        NOW,
        DialogContext(coach_relay=OWED, words=WORDS),
    )
    assert any(isinstance(e, RelayToClient) and e.client_id == 7 for e in outcome.effects)
    assert [r.key for r in outcome.replies] == ["coach_relay.sent"]


def test_annuleer_with_nothing_awaited_still_names_an_open_promise() -> None:
    """Nothing waits (cancelled before), but Sam was told a message is coming: said again."""
    promised = CoachRelayContext(promised=(SAM, JAN))
    said = _say(None, Command("annuleer"), promised)
    assert said == [
        f"Er staat geen bericht klaar. Ik stuur niets.\n\n{REMINDER}",
        REMINDER.replace("Sam", "Jan"),
    ]
    assert _say(None, Command("annuleer"), CoachRelayContext()) == [
        "Er staat geen bericht klaar. Ik stuur niets."
    ]
