"""Reply markup as Telegram checks it: inline and reply keyboards, remove, force reply.

`parse_reply_markup` validates the object a bot sends and returns it normalised (reply
keyboard buttons given as plain strings become `{"text": ...}`), raising Telegram's 400
errors for the mistakes bots make: `callback_data` longer than 64 bytes
(`BUTTON_DATA_INVALID`), an inline button without an action, a malformed URL, too many
buttons.
"""

from __future__ import annotations

from typing import Any

from telegram_sandbox.errors import ApiError, bad_request

__all__ = ["button_texts", "inline_keyboard", "parse_reply_markup", "reply_keyboard"]

MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_PREFIXES = ("http://", "https://", "tg://")


def _button_error(detail: str) -> ApiError:
    return bad_request(f"can't parse inline keyboard button: {detail}")


def _rows(markup: dict[str, Any], key: str, type_name: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" of the {type_name} should be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    return rows


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise _button_error('Field "text" must be of type String')
    actions = [name for name in _INLINE_ACTIONS if button.get(name) not in (None, "")]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data not in (None, ""):
        if not isinstance(data, str):
            raise _button_error('Field "callback_data" must be of type String')
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url not in (None, "") and (not isinstance(url, str) or not url.startswith(_URL_PREFIXES)):
        raise bad_request("BUTTON_URL_INVALID")
    return {key: value for key, value in button.items() if value is not None}


def _keyboard_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    return {key: value for key, value in button.items() if value is not None}


def parse_reply_markup(markup: dict[str, Any], *, inline_only: bool = False) -> dict[str, Any]:
    """Validate and normalise a reply_markup object; `inline_only` for edit methods."""
    if "inline_keyboard" in markup:
        rows = _rows(markup, "inline_keyboard", "InlineKeyboardMarkup")
        return {"inline_keyboard": [[_inline_button(b) for b in row] for row in rows]}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = _rows(markup, "keyboard", "ReplyKeyboardMarkup")
        normalised = dict(markup)
        normalised["keyboard"] = [[_keyboard_button(b) for b in row] for row in rows]
        placeholder = markup.get("input_field_placeholder")
        if isinstance(placeholder, str) and len(placeholder) > 64:
            raise bad_request("input field placeholder is too long")
        return normalised
    if markup.get("remove_keyboard") is True:
        return dict(markup)
    if markup.get("force_reply") is True:
        return dict(markup)
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_keyboard(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """The inline buttons of a markup by row (empty if it has none)."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard")
    return rows if isinstance(rows, list) else []


def reply_keyboard(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]] | None:
    """The reply-keyboard buttons of a markup by row, or None if it sets none."""
    if not markup:
        return None
    rows = markup.get("keyboard")
    return rows if isinstance(rows, list) else None


def button_texts(rows: list[list[dict[str, Any]]], key: str = "text") -> list[list[str]]:
    """`key` of every button by row (missing values as empty strings)."""
    return [[str(button.get(key) or "") for button in row] for row in rows]
