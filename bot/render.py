"""Turns dialog replies (text keys, button specs) into Telegram message parts, and back:
recognises a menu button's label in any language when a person taps or types it."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from typing import Any

import segno
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.texts import Texts
from dialogs.events import MenuItem
from dialogs.outcome import READ_ALOUD_BUTTON, Button, Keyboard, Reply
from dialogs.words import normalise

__all__ = [
    "InlineKeyboard",
    "Menus",
    "RenderedReply",
    "inline_markup",
    "render_reply",
    "with_read_aloud_button",
]


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    """Inline buttons as the bot sends them: rows of (label, callback data).

    Most replies carry these, and the bot writes them as the Bot API takes them
    (``bot.delivery.markup_json``); python-telegram-bot's own objects, about a tenth of the
    event loop's CPU per update to build, are made only for the calls that need them."""

    rows: tuple[tuple[tuple[str, str], ...], ...]

    def as_telegram(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                for row in self.rows
            ]
        )


Markup = InlineKeyboard | ReplyKeyboardMarkup | ReplyKeyboardRemove

_MENU_KEYS: dict[Keyboard, tuple[tuple[MenuItem, str], ...]] = {
    # One button per row, always in this order: the client finds them in the same place.
    Keyboard.CLIENT_MENU: (
        (MenuItem.MESSAGE_COACH, "menu.message_coach"),
        (MenuItem.CHECKIN, "menu.checkin"),
        (MenuItem.NOODKNOP, "menu.noodknop"),
    ),
    Keyboard.CLIENT_ALERT_MENU: (
        (MenuItem.MESSAGE_COACH, "menu.message_coach"),
        (MenuItem.CHECKIN, "menu.checkin"),
        (MenuItem.NOODKNOP, "menu.noodknop"),
    ),
    # The coach's: the list of clients on a row of its own, the rest below it.
    Keyboard.COACH_MENU: (
        (MenuItem.MY_CLIENTS, "coach.menu_clients"),
        (MenuItem.NEW_CLIENT, "coach.menu_new_client"),
        (MenuItem.HELP, "coach.menu_help"),
    ),
}


@dataclass(frozen=True)
class RenderedReply:
    text: str
    markup: Markup | None
    picture: bytes | None  # PNG to send as a photo, the text as its caption
    # A file to send as a document (its name, its bytes), the text as its caption.
    document: tuple[str, bytes] | None = None


def _fold(label: str) -> str:
    """Lowercase letters and digits only: '🔴 Noodknop' and 'noodknop!' fold alike."""
    return re.sub(r"[^a-z0-9]+", " ", normalise(label)).strip()


class Menus:
    """The persistent keyboards, and which menu item a typed or tapped label means."""

    def __init__(self, texts: Texts) -> None:
        self.texts = texts
        self._items: dict[str, MenuItem] = {}
        for items in _MENU_KEYS.values():
            for item, key in items:
                for language in texts.languages:
                    self._items[_fold(texts.render(language, key))] = item
        self.client_items = frozenset(item for item, _ in _MENU_KEYS[Keyboard.CLIENT_MENU])

    def item_for(self, text: str) -> MenuItem | None:
        return self._items.get(_fold(text))

    def markup(
        self, keyboard: Keyboard, language: str
    ) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
        if keyboard is Keyboard.REMOVE:
            return ReplyKeyboardRemove()
        if keyboard is Keyboard.SHARE_PHONE:
            # Telegram sends the client's own contact (after asking them) for the first.
            share = self.texts.render(language, "phone.share_button")
            rows = [
                [KeyboardButton(share, request_contact=True)],
                [KeyboardButton(self.texts.render(language, "phone.no_button"))],
                # The noodknop never leaves the screen, not even for this one question.
                [KeyboardButton(self.texts.render(language, "menu.noodknop"))],
            ]
            return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)
        rows = [
            [KeyboardButton(self.texts.render(language, key))] for _, key in _MENU_KEYS[keyboard]
        ]
        if keyboard is Keyboard.COACH_MENU:
            rows = [rows[0], [button for row in rows[1:] for button in row]]
        if keyboard is Keyboard.CLIENT_ALERT_MENU:
            label = self.texts.render(language, "noodknop.location_button")
            rows.append([KeyboardButton(label, request_location=True)])
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def inline_markup(
    buttons: tuple[tuple[Button, ...], ...], language: str, texts: Texts
) -> InlineKeyboard:
    return InlineKeyboard(
        tuple(
            tuple((texts.render(language, b.label_key, b.label_params), b.data) for b in row)
            for row in buttons
        )
    )


def with_read_aloud_button(reply: Reply, shown: str | None) -> Reply:
    """A client's text with the "🔊 Voorlezen" button under it, for clients who do not get
    every text as a voice note. A Telegram message carries either inline buttons or a reply
    keyboard: a text that would only send again the keyboard the client already sees (``shown``)
    drops it (Telegram keeps showing it) and gets the button; one that changes it does not."""
    if reply.picture_of is not None:
        return reply
    if reply.keyboard is not None and reply.keyboard.value != shown:
        return reply
    return replace(reply, keyboard=None, buttons=(*reply.buttons, (READ_ALOUD_BUTTON,)))


def render_reply(
    reply: Reply, language: str, texts: Texts, menus: Menus, results: dict[str, Any]
) -> RenderedReply:
    params = {**results, **reply.params}
    text = texts.render(language, reply.key, params)
    if reply.lead is not None:
        text = f"{texts.render(language, reply.lead, params)}\n\n{text}"
    markup: Markup | None = None
    if reply.buttons:
        markup = inline_markup(reply.buttons, language, texts)
    elif reply.keyboard is not None:
        markup = menus.markup(reply.keyboard, language)
    picture = qr_png(str(params[reply.picture_of])) if reply.picture_of else None
    return RenderedReply(text=text, markup=markup, picture=picture)
