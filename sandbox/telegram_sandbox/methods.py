"""The Bot API methods the sandbox implements, one handler each.

A handler gets the validated parameters (see validation.py) and returns the `result` of
Telegram's answer, or raises `ApiError` with Telegram's status and wording. `HANDLERS`
maps the official method names to handlers; gen_schema.py takes the list of implemented
methods from it.

Longer than our ~400 lines on purpose: one handler per Bot API method the bot uses, in
one table, checked against the official list.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from telegram_sandbox.errors import ApiError, bad_request
from telegram_sandbox.files import MAX_DOWNLOAD_BYTES, StoredFile, ingest_upload, reuse_file
from telegram_sandbox.formatting import build_text
from telegram_sandbox.markup import parse_reply_markup
from telegram_sandbox.state import (
    CAPTION_KINDS,
    FILE_FIELDS,
    KIND_FIELDS,
    CallbackAnswer,
    ChatState,
    SandboxState,
    SentMessage,
    WebhookConfig,
    message_kind,
)
from telegram_sandbox.validation import UploadedFile

__all__ = [
    "HANDLERS",
    "Described",
    "MethodContext",
    "commands_key",
    "message_content",
    "message_file",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
FILE_KINDS = FILE_FIELDS
#: "Service messages, paid media messages, giveaway messages, giveaway winners messages,
#: and invoice messages can't be copied" (copyMessage in the Bot API docs).
UNCOPYABLE_KINDS = frozenset({"service", "paid_media", "giveaway", "giveaway_winners", "invoice"})
#: Message fields that go with the content whatever its kind.
_CONTENT_EXTRAS = (
    "entities",
    "link_preview_options",
    "caption",
    "caption_entities",
    "show_caption_above_media",
    "has_media_spoiler",
)
#: Live-location fields; a copied live location is a plain location.
_LIVE_FIELDS = ("live_period", "heading", "proximity_alert_radius")
#: The highest value of each dice emoji (a copy is a new throw).
DICE_MAX = {"🎲": 6, "🎯": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64}
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class Described(NamedTuple):
    """A result with the `description` Telegram adds to some successful answers."""

    result: Any
    description: str


@dataclass
class MethodContext:
    """What handlers need beyond the state: webhook switching and URL fetching."""

    state: SandboxState
    apply_webhook: Callable[[WebhookConfig | None], Awaitable[None]]
    fetch_url: Callable[[str], Awaitable[tuple[bytes, str | None]]]


Handler = Callable[[MethodContext, dict[str, Any]], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


H = TypeVar("H", bound=Handler)


def method(name: str) -> Callable[[H], H]:
    """Register a handler under its official Bot API name."""

    def register(handler: H) -> H:
        HANDLERS[name] = handler
        return handler

    return register


# --- helpers ------------------------------------------------------------------------------


def _markup(params: dict[str, Any], *, inline_only: bool = False) -> dict[str, Any] | None:
    markup = params.get("reply_markup")
    return parse_reply_markup(markup, inline_only=inline_only) if markup else None


def _inline_part(markup: dict[str, Any] | None) -> dict[str, Any]:
    """Message.reply_markup shows only an inline keyboard."""
    if markup and "inline_keyboard" in markup:
        return {"reply_markup": markup}
    return {}


def _legacy_param(value: Any) -> Any:
    """reply_to_message_id and allow_sending_without_reply are no longer in the Bot API
    docs (so not in schema.json) but Telegram still reads them: convert form text."""
    if isinstance(value, str):
        text = value.strip().lower()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        return text in ("true", "1")
    return value


def _reply_target(chat: ChatState, params: dict[str, Any]) -> dict[str, Any] | None:
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id", _legacy_param(params.get("reply_to_message_id")))
    if message_id in (None, 0):
        return None
    allow_without = reply.get(
        "allow_sending_without_reply",
        _legacy_param(params.get("allow_sending_without_reply")),
    )
    target = chat.messages.get(message_id) if isinstance(message_id, int) else None
    if target is None and not allow_without:
        raise bad_request("message to be replied not found")
    return target


def _caption(params: dict[str, Any], key: str = "caption") -> dict[str, Any]:
    if key not in params:
        return {}
    text, entities = build_text(
        str(params[key]), params.get("parse_mode"), params.get(f"{key}_entities")
    )
    if len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {}
    if text:
        content["caption"] = text
        if entities:
            content["caption_entities"] = entities
    return content


def message_file(state: SandboxState, message: dict[str, Any]) -> StoredFile | None:
    """The stored file a Message carries, if any."""
    for kind in FILE_KINDS:
        obj = message.get(kind)
        if isinstance(obj, list):
            obj = obj[-1] if obj else None
        if isinstance(obj, dict):
            return state.files.get(obj.get("file_id", ""))
    return None


def _send(
    ctx: MethodContext,
    chat: ChatState,
    params: dict[str, Any],
    content: dict[str, Any],
    *,
    method_name: str,
    markup: dict[str, Any] | None,
    file: StoredFile | None = None,
    copied_from: tuple[int, int] | None = None,
    forwarded_from: tuple[int, int] | None = None,
) -> SentMessage:
    state = ctx.state
    reply_to = _reply_target(chat, params)
    extra: dict[str, Any] = {}
    if params.get("protect_content"):
        extra["has_protected_content"] = True
    message = state.new_message(
        chat, state.bot_user, {**content, **extra, **_inline_part(markup)}, reply_to
    )
    return state.record_bot_message(
        chat,
        message,
        method=method_name,
        reply_markup=markup,
        file=file,
        copied_from=copied_from,
        forwarded_from=forwarded_from,
        silent=bool(params.get("disable_notification")),
    )


# --- bot and updates ----------------------------------------------------------------------


@method("getMe")
async def get_me(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """The bot's own User, with the capability flags getMe adds."""
    return {
        **ctx.state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut")
async def log_out(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Accepted and ignored: there is no cloud server to log out from."""
    return True


@method("close")
async def close(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Accepted and ignored."""
    return True


@method("getUpdates")
async def get_updates(ctx: MethodContext, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Long polling; see SandboxState.get_updates."""
    if ctx.state.webhook is None:
        ctx.state.set_allowed_updates(params.get("allowed_updates"))
    return await ctx.state.get_updates(
        offset=params.get("offset"),
        limit=params.get("limit", 100),
        wait=params.get("timeout", 0),
    )


@method("setWebhook")
async def set_webhook(ctx: MethodContext, params: dict[str, Any]) -> Described:
    """Switch to webhook delivery (plain local http is fine, unlike on Telegram)."""
    url = params.get("url", "")
    if not url:
        return await delete_webhook(ctx, params)
    if not re.match(r"^https?://[^/\s]+", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = params.get("max_connections", 40)
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if params.get("drop_pending_updates"):
        ctx.state.drop_pending()
    ctx.state.set_allowed_updates(params.get("allowed_updates"))
    config = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=max_connections,
        ip_address=params.get("ip_address"),
    )
    await ctx.apply_webhook(config)
    return Described(True, "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(ctx: MethodContext, params: dict[str, Any]) -> Described:
    """Back to getUpdates; pending updates stay unless drop_pending_updates."""
    had_webhook = ctx.state.webhook is not None
    if params.get("drop_pending_updates"):
        ctx.state.drop_pending()
    await ctx.apply_webhook(None)
    return Described(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """The current webhook and how many updates wait."""
    state = ctx.state
    info: dict[str, Any] = {
        "url": state.webhook.url if state.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if state.webhook is not None:
        info["max_connections"] = state.webhook.max_connections
        if state.webhook.ip_address:
            info["ip_address"] = state.webhook.ip_address
        if state.webhook.last_error_date is not None:
            info["last_error_date"] = state.webhook.last_error_date
            info["last_error_message"] = state.webhook.last_error_message
        if state.allowed_updates_set is not None:
            info["allowed_updates"] = state.allowed_updates_set
    return info


# --- sending ------------------------------------------------------------------------------


@method("sendMessage")
async def send_message(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """A text message, 1-4096 characters after parsing and trimming."""
    text, entities = build_text(params["text"], params.get("parse_mode"), params.get("entities"))
    if not text:
        raise bad_request("message text is empty")
    markup = _markup(params)
    chat = ctx.state.writable_chat(params["chat_id"])
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    if isinstance(params.get("link_preview_options"), dict):
        content["link_preview_options"] = params["link_preview_options"]
    return _send(ctx, chat, params, content, method_name="sendMessage", markup=markup).raw


async def _send_file(ctx: MethodContext, params: dict[str, Any], kind: str, name: str) -> Any:
    caption = _caption(params) if kind not in ("sticker", "video_note") else {}
    markup = _markup(params)
    chat = ctx.state.writable_chat(params["chat_id"])
    value = params[kind]
    if isinstance(value, UploadedFile):
        stored = ingest_upload(
            ctx.state.files,
            kind,
            value.data,
            file_name=value.filename,
            content_type=value.content_type,
            params=params,
        )
        as_kind = stored.kind
    elif isinstance(value, str) and re.match(r"^https?://", value):
        data, content_type = await ctx.fetch_url(value)
        file_name = value.rstrip("/").rsplit("/", 1)[-1] or None
        stored = ingest_upload(
            ctx.state.files,
            kind,
            data,
            file_name=file_name,
            content_type=content_type,
            params=params,
        )
        as_kind = stored.kind
    else:
        found = ctx.state.files.get(str(value))
        if found is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        stored, as_kind = found, reuse_file(found, kind)
    content = {**stored.content(as_kind), **caption}
    return _send(ctx, chat, params, content, method_name=name, markup=markup, file=stored).raw


def _file_method(kind: str, name: str) -> Handler:
    async def handler(ctx: MethodContext, params: dict[str, Any]) -> Any:
        return await _send_file(ctx, params, kind, name)

    handler.__doc__ = f"{name}: upload bytes, or re-send by file_id or HTTP URL."
    handler.__name__ = name
    return handler


for _kind, _name in (
    ("voice", "sendVoice"),
    ("audio", "sendAudio"),
    ("photo", "sendPhoto"),
    ("document", "sendDocument"),
    ("video", "sendVideo"),
    ("video_note", "sendVideoNote"),
    ("sticker", "sendSticker"),
):
    HANDLERS[_name] = _file_method(_kind, _name)


@method("sendLocation")
async def send_location(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """A location pin."""
    latitude, longitude = params["latitude"], params["longitude"]
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude specified")
    markup = _markup(params)
    chat = ctx.state.writable_chat(params["chat_id"])
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for key in (
        "horizontal_accuracy",
        "live_period",
        "heading",
        "proximity_alert_radius",
    ):
        if key in params:
            location[key] = params[key]
    content = {"location": location}
    return _send(ctx, chat, params, content, method_name="sendLocation", markup=markup).raw


@method("sendContact")
async def send_contact(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """A phone contact."""
    markup = _markup(params)
    chat = ctx.state.writable_chat(params["chat_id"])
    contact = {
        key: params[key]
        for key in ("phone_number", "first_name", "last_name", "vcard")
        if key in params
    }
    return _send(
        ctx,
        chat,
        params,
        {"contact": contact},
        method_name="sendContact",
        markup=markup,
    ).raw


@method("sendChatAction")
async def send_chat_action(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """ "typing...", "recording voice..." and the like; the person's chat records it."""
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat = ctx.state.writable_chat(params["chat_id"])
    chat.chat_actions.append(params["action"])
    chat.signal.notify()
    return True


def message_content(message: dict[str, Any]) -> dict[str, Any]:
    """The fields of a Message that make up its content (no ids, sender, reply...)."""
    kind = message_kind(message)
    keys = (*KIND_FIELDS.get(kind, (kind,)), *_CONTENT_EXTRAS)
    return {key: message[key] for key in keys if key in message}


def _quiz_answer_known(poll: dict[str, Any]) -> bool:
    if poll.get("type") != "quiz":
        return True
    return "correct_option_ids" in poll or "correct_option_id" in poll


def _copy_content(
    state: SandboxState, message: dict[str, Any], params: dict[str, Any]
) -> dict[str, Any]:
    """What a copy of `message` carries; 400 for the kinds Telegram does not copy.

    As on Telegram: a live location becomes a plain location, a dice is thrown again,
    a poll starts afresh (new id, no votes, open); a new `caption` replaces the old one
    only on media that have captions ("" removes it) and brings its own
    show_caption_above_media.
    """
    kind = message_kind(message)
    if kind in UNCOPYABLE_KINDS or (kind == "poll" and not _quiz_answer_known(message["poll"])):
        raise bad_request("message can't be copied")
    content = message_content(message)
    if kind in ("location", "venue"):
        location = {k: v for k, v in content["location"].items() if k not in _LIVE_FIELDS}
        content["location"] = location
        if kind == "venue":
            content["venue"] = {**content["venue"], "location": location}
    elif kind == "dice":
        emoji = content["dice"].get("emoji", "🎲")
        content["dice"] = {"emoji": emoji, "value": random.randint(1, DICE_MAX.get(emoji, 6))}
    elif kind == "poll":
        poll = {k: v for k, v in content["poll"].items() if k not in ("open_period", "close_date")}
        poll["id"] = state.new_poll_id()
        poll["options"] = [{**option, "voter_count": 0} for option in poll.get("options", [])]
        poll["total_voter_count"] = 0
        poll["is_closed"] = False
        content["poll"] = poll
    elif kind == "video" and "video_start_timestamp" in params:
        content["video"] = {**content["video"], "start_timestamp": params["video_start_timestamp"]}
    if "caption" in params and kind in CAPTION_KINDS:
        for key in ("caption", "caption_entities", "show_caption_above_media"):
            content.pop(key, None)
        content.update(_caption(params))
        if params.get("show_caption_above_media") and "caption" in content:
            content["show_caption_above_media"] = True
    return content


@method("copyMessage")
async def copy_message(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """Copy a message's content without a link to the original; returns a MessageId.

    Checked in the order the Bot API server does: the new caption and the markup, the
    target chat and the message to reply to, the message to copy, whether it can be
    copied, and only then whether the person blocked the bot (Telegram's own answer).
    """
    state = ctx.state
    if "caption" in params:
        _caption(params)
    markup = _markup(params)
    chat = state.find_chat(params["chat_id"])
    _reply_target(chat, params)
    source_chat = state.find_chat(params["from_chat_id"])
    source = source_chat.messages.get(params["message_id"])
    if source is None:
        raise bad_request("message to copy not found")
    content = _copy_content(state, source, params)
    chat = state.writable_chat(chat.id)
    sent = _send(
        ctx,
        chat,
        params,
        content,
        method_name="copyMessage",
        markup=markup,
        file=message_file(state, source),
        copied_from=(source_chat.id, params["message_id"]),
    )
    return {"message_id": sent.message_id}


def _forward_content(message: dict[str, Any]) -> dict[str, Any]:
    """What a forward of `message` carries: the same content (same dice value, same
    poll); a quiz's answer is shown only once the quiz is closed."""
    if message_kind(message) == "service":
        raise bad_request("message can't be forwarded")
    content = message_content(message)
    poll = content.get("poll")
    if isinstance(poll, dict) and poll.get("type") == "quiz" and not poll.get("is_closed"):
        hidden = ("correct_option_ids", "correct_option_id")
        content["poll"] = {k: v for k, v in poll.items() if k not in hidden}
    return content


@method("forwardMessage")
async def forward_message(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """Forward a message, with forward_origin naming its sender."""
    chat = ctx.state.find_chat(params["chat_id"])
    source_chat = ctx.state.find_chat(params["from_chat_id"])
    source = source_chat.messages.get(params["message_id"])
    if source is None:
        raise bad_request("message to forward not found")
    if source.get("has_protected_content"):
        raise bad_request("message can't be forwarded")
    content = _forward_content(source)
    origin = source.get("forward_origin") or {
        "type": "user",
        "sender_user": source["from"],
        "date": source["date"],
    }
    content["forward_origin"] = origin
    chat = ctx.state.writable_chat(chat.id)
    sent = _send(
        ctx,
        chat,
        {},
        content,
        method_name="forwardMessage",
        markup=None,
        file=message_file(ctx.state, source),
        forwarded_from=(source_chat.id, params["message_id"]),
    )
    return sent.raw


# --- editing and deleting -----------------------------------------------------------------


def _editable(ctx: MethodContext, params: dict[str, Any]) -> tuple[ChatState, SentMessage]:
    if params.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    if "chat_id" not in params:
        raise bad_request("chat_id is empty")
    if "message_id" not in params:
        raise bad_request("message identifier is not specified")
    chat = ctx.state.writable_chat(params["chat_id"])
    message_id = params["message_id"]
    if message_id not in chat.messages:
        raise bad_request("message to edit not found")
    sent = chat.sent.get(message_id)
    if sent is None:
        raise bad_request("message can't be edited")
    return chat, sent


def _current_inline(sent: SentMessage) -> dict[str, Any] | None:
    markup = sent.reply_markup
    return markup if markup and "inline_keyboard" in markup else None


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are "
        "exactly "
        "the same as a current content and reply markup of the message"
    )


def _apply_edit(
    ctx: MethodContext,
    chat: ChatState,
    sent: SentMessage,
    changes: dict[str, Any],
    drop: tuple[str, ...],
    markup: dict[str, Any] | None,
    *,
    content_changed: bool,
) -> dict[str, Any]:
    old_inline = _current_inline(sent)
    if not content_changed and markup == old_inline:
        raise _not_modified()
    new = {k: v for k, v in sent.raw.items() if k not in drop and k != "reply_markup"}
    new.update(changes)
    new.update(_inline_part(markup))
    if content_changed:
        new["edit_date"] = ctx.state.now()
    kept = markup if markup is not None else (None if old_inline else sent.reply_markup)
    ctx.state.replace_message(chat, new, kept)
    return new


@method("editMessageText")
async def edit_message_text(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """New text (and inline keyboard: leaving it out removes the keyboard)."""
    chat, sent = _editable(ctx, params)
    if "text" not in sent.raw:
        raise bad_request("there is no text in the message to edit")
    text, entities = build_text(params["text"], params.get("parse_mode"), params.get("entities"))
    if not text:
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    markup = _markup(params, inline_only=True)
    changed = text != sent.raw.get("text") or entities != sent.raw.get("entities", [])
    changes: dict[str, Any] = {"text": text}
    if entities:
        changes["entities"] = entities
    return _apply_edit(
        ctx, chat, sent, changes, ("text", "entities"), markup, content_changed=changed
    )


@method("editMessageCaption")
async def edit_message_caption(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """New caption of a media message (an absent caption removes it)."""
    chat, sent = _editable(ctx, params)
    if "text" in sent.raw:
        raise bad_request("there is no caption in the message to edit")
    changes = _caption({"caption": params.get("caption", ""), **params})
    markup = _markup(params, inline_only=True)
    changed = changes.get("caption") != sent.raw.get("caption") or changes.get(
        "caption_entities"
    ) != sent.raw.get("caption_entities")
    return _apply_edit(
        ctx,
        chat,
        sent,
        changes,
        ("caption", "caption_entities"),
        markup,
        content_changed=changed,
    )


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """New inline keyboard (none removes it)."""
    chat, sent = _editable(ctx, params)
    markup = _markup(params, inline_only=True)
    return _apply_edit(ctx, chat, sent, {}, (), markup, content_changed=False)


@method("deleteMessage")
async def delete_message(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Delete one message of the chat (the bot's or the person's)."""
    chat = ctx.state.find_chat(params["chat_id"])
    if not ctx.state.delete_message(chat, params["message_id"]):
        raise bad_request("message to delete not found")
    return True


@method("deleteMessages")
async def delete_messages(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Delete up to 100 messages; ids that are not found are skipped."""
    chat = ctx.state.find_chat(params["chat_id"])
    message_ids = params["message_ids"]
    if not 1 <= len(message_ids) <= 100:
        raise bad_request("too many messages to delete")
    for message_id in message_ids:
        ctx.state.delete_message(chat, message_id)
    return True


# --- callback queries ---------------------------------------------------------------------


@method("answerCallbackQuery")
async def answer_callback_query(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Stop the button's spinner; a notification or alert is shown to the person."""
    state = ctx.state
    record = state.callback_queries.get(params["callback_query_id"])
    loop_time = asyncio.get_running_loop().time()
    if record is None or record.answered or loop_time - record.created > state.callback_timeout:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    answer = CallbackAnswer(
        query_id=record.id,
        text=text,
        show_alert=bool(params.get("show_alert", False)),
        url=params.get("url"),
        cache_time=int(params.get("cache_time", 0)),
    )
    state.callback_answers.setdefault(record.user_id, []).append(answer)
    chat = state.chats.get(record.chat_id)
    if chat is not None:
        chat.signal.notify()
    return True


# --- commands, files, chats ---------------------------------------------------------------


def commands_key(scope: dict[str, Any] | None, language_code: str | None) -> tuple[str, str]:
    """Where setMyCommands keeps a command list: (scope as JSON, language code)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    return commands_key(params.get("scope"), params.get("language_code"))


@method("setMyCommands")
async def set_my_commands(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """The bot's command list for a scope and language."""
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands")
    cleaned = []
    for command in commands:
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.match(name.lstrip("/").lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("command description is empty")
        cleaned.append({"command": name.lstrip("/").lower(), "description": description})
    ctx.state.commands[_commands_key(params)] = cleaned
    return True


@method("getMyCommands")
async def get_my_commands(ctx: MethodContext, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The command list set for exactly this scope and language."""
    return list(ctx.state.commands.get(_commands_key(params), []))


@method("deleteMyCommands")
async def delete_my_commands(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Forget the command list of this scope and language."""
    ctx.state.commands.pop(_commands_key(params), None)
    return True


@method("setMyDescription")
async def set_my_description(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Accepted; the sandbox shows no bot profile."""
    return True


@method("setMyShortDescription")
async def set_my_short_description(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Accepted; the sandbox shows no bot profile."""
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(ctx: MethodContext, params: dict[str, Any]) -> bool:
    """Accepted; the sandbox has no menu button."""
    return True


@method("getFile")
async def get_file(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """A File with the file_path to download it from (at most 20 MB, as on Telegram)."""
    stored = ctx.state.files.get(params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


@method("getChat")
async def get_chat(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """ChatFullInfo of a chat the bot knows."""
    chat = ctx.state.find_chat(params["chat_id"])
    return {
        **chat.info,
        "accent_color_id": abs(chat.id) % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


@method("getChatMember")
async def get_chat_member(ctx: MethodContext, params: dict[str, Any]) -> dict[str, Any]:
    """Membership of a user in a chat the bot knows."""
    state = ctx.state
    chat = state.find_chat(params["chat_id"])
    user_id = params["user_id"]
    if user_id == state.bot_user["id"]:
        return {"status": "member", "user": state.bot_user}
    user = chat.members.get(user_id) or (chat.user if chat.id == user_id else None)
    if user is not None:
        return {"status": "member", "user": user}
    known = state.users.get(user_id)
    if known is None:
        raise bad_request("user not found")
    return {"status": "left", "user": known}
