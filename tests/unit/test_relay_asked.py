"""Two quick messages before the first "send this?" is answered: the second question asks about
both ("Wil je deze 2 berichten naar Anna sturen?"), one yes sends both oldest first, one no
drops both; an old question is about what it said. Pure, with a fixed clock; the shell's
``client.relay_asked`` is followed through ``SetRelayAsked``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dialogs import relay
from dialogs.events import Text
from dialogs.outcome import Outcome
from dialogs.relay import RelayContext, SetRelayAsked, SetRelayDirect
from dialogs.relay_effects import RelayToCoach
from tests.unit.people import SAM
from tests.unit.test_relay_dialog import NOW, keys


@dataclass
class Chat:
    """Sam's chat: what the shell stores (asked ids, "send directly") follows the effects."""

    ctx: RelayContext = field(default_factory=lambda: RelayContext(chat_id=500, button_key=b"k"))

    def apply(self, outcome: Outcome) -> Outcome:
        for effect in outcome.effects:
            if isinstance(effect, SetRelayAsked):
                self.ctx = replace(self.ctx, asked=effect.asked)
            if isinstance(effect, SetRelayDirect):
                self.ctx = replace(self.ctx, relay_direct=effect.relay_direct)
        return outcome

    def types(self, text: str, message_id: int) -> Outcome:
        event = Text(text, message_id=message_id, chat_id=500)
        return self.apply(relay.client_sends(SAM, event, NOW, self.ctx))

    def presses(self, answer: bool, message_id: int) -> Outcome:
        data = relay.confirm_data(answer, message_id, self.ctx)
        return self.apply(relay.client_confirms(SAM, data, NOW, self.ctx))


def relayed(outcome: Outcome) -> list[int]:
    return [e.message_id for e in outcome.effects if isinstance(e, RelayToCoach)]


def test_the_second_question_asks_about_both_and_one_yes_sends_both_oldest_first() -> None:
    chat = Chat()
    first = chat.types("Ik heb een brief", 42)
    assert keys(first) == ["relay.confirm"] and chat.ctx.asked == (42,)
    second = chat.types("Kun je bellen?", 43)
    assert keys(second) == ["relay.confirm_many"]
    assert second.replies[0].params == {"coach": "Anna", "count": 2}
    yes, no = second.replies[0].buttons[0]
    assert (yes.data, no.data) == (
        relay.confirm_data(True, 43, chat.ctx),
        relay.confirm_data(False, 43, chat.ctx),
    )
    assert relayed(second) == [] and chat.ctx.asked == (42, 43)
    sent = chat.presses(True, 43)
    assert keys(sent) == ["relay.sent"] and sent.chosen == "relay.confirm_yes"
    assert relayed(sent) == [42, 43]  # both, oldest first
    assert chat.ctx.asked == () and chat.ctx.relay_direct
    # The first question pressed later: no second copy is asked for more than its own.
    assert relayed(chat.presses(True, 42)) == [42]  # the shell stores each relay once
    assert chat.ctx.asked == ()


def test_one_no_drops_them_all() -> None:
    chat = Chat()
    chat.types("Ik heb een brief", 42)
    chat.types("laat maar", 43)
    said = chat.presses(False, 43)
    assert keys(said) == ["relay.not_sent_many"] and said.chosen == "relay.confirm_no"
    assert relayed(said) == [] and chat.ctx.asked == () and not chat.ctx.relay_direct
    # A single one: the words for one message.
    chat.types("hoi", 44)
    assert keys(chat.presses(False, 44)) == ["relay.not_sent"] and chat.ctx.asked == ()


def test_an_old_question_is_about_what_it_asked_and_the_newer_one_waits() -> None:
    chat = Chat()
    chat.types("Ik heb een brief", 42)
    chat.types("Kun je bellen?", 43)
    sent = chat.presses(True, 42)  # "Wil je dit naar Anna sturen?" under the first
    assert relayed(sent) == [42] and chat.ctx.asked == (43,)
    assert SetRelayDirect(7, True) in sent.effects
    # The second question is still answered by its own buttons: only what is left.
    assert relayed(chat.presses(True, 43)) == [43] and chat.ctx.asked == ()


def test_a_button_not_asked_about_now_sends_only_its_own_message() -> None:
    """A question from before this version, or the offer during a check-in: its message."""
    chat = Chat()
    chat.types("Kun je bellen?", 43)
    sent = chat.presses(True, 40)
    assert relayed(sent) == [40] and chat.ctx.asked == (43,)
    assert not any(isinstance(e, SetRelayAsked) for e in sent.effects)
    chat.types("hoi", 44)  # Sam now sends directly: no question, nothing added
    assert chat.ctx.asked == (43,)


def test_at_most_ten_wait_for_one_answer() -> None:
    chat = Chat()
    for message_id in range(1, 13):
        asked = chat.types("hoi", message_id)
    assert asked.replies[0].params["count"] == relay.MAX_ASKED
    assert chat.ctx.asked == tuple(range(3, 13))
    assert relayed(chat.presses(True, 12)) == list(range(3, 13))
    assert relayed(chat.presses(True, 1)) == [1]  # the oldest kept its own question
