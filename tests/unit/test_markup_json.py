"""Keyboards go to Telegram as the Bot API takes them (``bot.delivery.markup_json``), written
without python-telegram-bot's generic ``to_dict``: the same JSON for every keyboard the bot
renders."""

from __future__ import annotations

from bot.delivery import markup_json
from bot.render import Menus, inline_markup
from bot.texts import Texts
from dialogs.outcome import READ_ALOUD_BUTTON, Button, Keyboard


def test_every_keyboard_is_written_as_python_telegram_bot_writes_it(texts: Texts) -> None:
    grades = tuple(
        tuple(Button(f"checkin.grade.{n}", f"ci:1:0:{n}") for n in row)
        for row in ((1, 2, 3, 4, 5), (6, 7, 8, 9, 10))
    )
    buttons = (*grades, (Button("menu.noodknop", "hn"),), (READ_ALOUD_BUTTON,))
    inline = inline_markup(buttons, "nl", texts)
    assert markup_json(inline) == inline.as_telegram().to_dict()
    assert markup_json(inline)["inline_keyboard"][2] == [
        {"text": texts.render("nl", "menu.noodknop"), "callback_data": "hn"}
    ]
    menus = Menus(texts)
    for keyboard in Keyboard:
        for language in ("nl", "en"):
            markup = menus.markup(keyboard, language)
            assert markup_json(markup) == markup.to_dict(), (keyboard, language)
