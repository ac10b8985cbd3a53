"""Which updates are urgent: a noodknop press (menu button, /nood, /sos) and an alert's
buttons; nothing else, however it is worded."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import CallbackQuery, Chat, Message, Update, User

from bot.handlers import is_alert_update
from bot.render import Menus
from bot.texts import Texts
from bot.urgency import NOODKNOP_COMMANDS, is_alert_event, is_urgent, urgent_work
from bot.words import load_words
from dialogs import router
from dialogs.events import Command, MenuItem, MenuPress, Tap, Text

WHEN = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SAM = User(5, "Sam", is_bot=False)


def _text(text: str) -> Update:
    chat = Chat(5, Chat.PRIVATE)
    return Update(1, message=Message(1, WHEN, chat, from_user=SAM, text=text))


def _tap(data: str) -> Update:
    message = Message(2, WHEN, Chat(5, Chat.PRIVATE), text="...")
    return Update(2, callback_query=CallbackQuery("q", SAM, "i", message=message, data=data))


def test_the_noodknop_commands_are_the_routers() -> None:
    assert router._NOODKNOP_COMMANDS == NOODKNOP_COMMANDS


def test_alert_events() -> None:
    assert is_alert_event(MenuPress(MenuItem.NOODKNOP))
    assert is_alert_event(Command("nood", ""))
    assert is_alert_event(Tap("al:12:ack", 5))
    assert is_alert_event(Tap("nk:12:feel_bad", 5))
    assert not is_alert_event(MenuPress(MenuItem.CHECKIN))
    assert not is_alert_event(Command("hulp", ""))
    assert not is_alert_event(Tap("ci:1:grade:3", 5))
    assert not is_alert_event(Text("nood", 1, 5, None))


def test_alert_updates(texts: Texts) -> None:
    menus, words = Menus(texts), load_words("nl")
    assert is_alert_update(_text("🔴 Noodknop"), menus, words)
    assert is_alert_update(_text("noodknop"), menus, words)
    assert is_alert_update(_text("/nood"), menus, words)
    assert is_alert_update(_text("/SOS@waakvlam_bot"), menus, words)
    assert is_alert_update(_tap("al:3:ack"), menus, words)
    assert is_alert_update(_tap("hn"), menus, words)
    # Typed words of acute danger go first too, however long the message.
    assert is_alert_update(_text("ik wil dood"), menus, words)
    assert is_alert_update(_text("Het gaat slecht. " * 20 + "Ik wil dood."), menus, words)
    assert is_alert_update(_text("I want to die"), menus, words)
    # The coach's name around them (the router knows it's a name; here any word may be one).
    assert is_alert_update(_text("anna ik kan niet meer"), menus, words)
    assert is_alert_update(_text("ik kan niet meer Anna"), menus, words)
    assert not is_alert_update(_text("📋 Hoe gaat het?"), menus, words)
    assert not is_alert_update(_text("Ik heb de noodknop niet nodig, hoor. " * 3), menus, words)
    assert not is_alert_update(_text("hulp"), menus, words), "help words: calm, not first"
    assert not is_alert_update(_tap("🔊"), menus, words)
    assert not is_alert_update(_tap("al:forged"), menus, words), "only well-formed alert data"
    assert not is_alert_update(object(), menus, words)


def test_the_mark_holds_inside_only() -> None:
    assert not is_urgent()
    with urgent_work():
        assert is_urgent()
        with urgent_work(False):
            assert not is_urgent()
        assert is_urgent()
    assert not is_urgent()
