"""Turns Telegram updates into dialog events. Private chats only; everything else is ignored,
but for a person blocking or unblocking the bot (``my_chat_member`` of a private chat): that is
no dialog event, it changes whether a client can be reached (``bot.reachability``). An emoji
reaction in a private chat (``message_reaction``, sent because the bot asks for every update
type, ``bot.runner``) is a ``Reaction``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from telegram import (
    Message,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    ReactionType,
    ReactionTypeEmoji,
    Update,
    User,
)
from telegram.ext import ContextTypes

from bot.hearing import choice_labels
from bot.render import Menus
from bot.service import ButtonPress, Incoming, Waakvlam
from bot.urgency import is_alert_event
from dialogs.events import (
    Command,
    EditedMessage,
    Event,
    GroupMessage,
    MenuItem,
    MenuPress,
    OtherMessage,
    Reaction,
    Start,
    Tap,
    Text,
)
from dialogs.help_words import Heard, recognise
from dialogs.reachability import ChatChange, chat_change
from dialogs.words import Words

__all__ = [
    "account_name",
    "chat_change_from_update",
    "forwarded_from",
    "incoming_from_update",
    "is_alert_update",
    "make_update_handler",
]

log = logging.getLogger(__name__)

# A venue also carries a location and an animation a document: the more specific kind first.
_KINDS = (
    "voice",
    "audio",
    "photo",
    "video",
    "video_note",
    "animation",
    "document",
    "sticker",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
    "game",
)


_LONGEST_MENU_LABEL = 64  # longer texts are neither a menu button nor a noodknop command


def _kind(message: Message) -> str:
    return next((kind for kind in _KINDS if getattr(message, kind, None)), "other")


def _file_size(message: Message) -> int | None:
    """The size of what a message carries, when Telegram tells it (the largest photo size)."""
    attachment = message.effective_attachment
    if isinstance(attachment, tuple):
        attachment = attachment[-1] if attachment else None
    size = getattr(attachment, "file_size", None)
    return size if isinstance(size, int) else None


def account_name(user: User | None) -> str | None:
    """A Telegram account as Telegram shows it: first and last name, and @username if any
    ("Sam Jansen (@samj)"); for the coach of a link it opened, so a wrong account is noticed."""
    if user is None:
        return None
    return f"{user.full_name} (@{user.username})" if user.username else user.full_name


def forwarded_from(origin: MessageOrigin | None) -> str | None:
    """Whom a forwarded message came from, as Telegram shows it above the message: a user's
    name, the name a hidden user's privacy leaves, or a chat's or channel's title (with the
    author's signature when there is one). None for a message that is not forwarded."""
    if origin is None:
        return None
    name: str | None = None
    signature = getattr(origin, "author_signature", None)
    if isinstance(origin, MessageOriginUser):
        name = origin.sender_user.full_name
    elif isinstance(origin, MessageOriginHiddenUser):
        name = origin.sender_user_name
    elif isinstance(origin, MessageOriginChat):
        name = origin.sender_chat.title or origin.sender_chat.full_name
    elif isinstance(origin, MessageOriginChannel):
        name = origin.chat.title
    name = (name or "").strip() or "?"
    return f"{name} ({signature})" if signature else name


def _text_event(message: Message, menus: Menus) -> Event:
    text = message.text or ""
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    origin = forwarded_from(message.forward_origin)
    if origin is not None:  # someone else's words: never a command or a menu press
        return Text(text, message.message_id, message.chat.id, reply_to, forwarded_from=origin)
    if text.startswith("/"):
        head, _, args = text.partition(" ")
        name = head[1:].split("@", 1)[0].lower()
        if name == "start":
            return Start(args.strip() or None, account=account_name(message.from_user))
        return Command(name, args.strip())
    typed = Text(text, message.message_id, message.chat.id, reply_to)
    item = menus.item_for(text)
    return MenuPress(item, typed) if item is not None else typed


def _other(message: Message, reply_to: int | None) -> OtherMessage:
    """A message that is not text; a shared contact with its number and whose it is."""
    contact = message.contact
    return OtherMessage(
        _kind(message),
        message.message_id,
        message.chat.id,
        reply_to,
        _file_size(message),
        contact_phone=contact.phone_number if contact else None,
        contact_user_id=contact.user_id if contact else None,
        forwarded_from=forwarded_from(message.forward_origin),
        caption=message.caption,
    )


def _emoji(reactions: Sequence[ReactionType]) -> tuple[str, ...]:
    """The emoji of a reaction list; a custom emoji or a paid star has none we can show."""
    return tuple(r.emoji for r in reactions if isinstance(r, ReactionTypeEmoji))


def incoming_from_update(
    update: Update, menus: Menus, bot_id: int | None = None, bot_username: str | None = None
) -> Incoming | None:
    """Private chats, and in team group chats: button presses (alert buttons), and a reply to
    one of the bot's messages (``bot_id``) or a command, only to say where such words go.
    Nothing else: the bot does not answer a group's own talk."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    query = update.callback_query
    if chat.type != chat.PRIVATE and query is None:
        if not _meant_for_the_bot(update.message, bot_id, bot_username):
            return None
        return Incoming(
            telegram_user_id=user.id,
            chat_id=chat.id,
            language_code=user.language_code,
            event=GroupMessage(),
        )
    press = None
    event: Event
    if query is not None:
        event = Tap(query.data or "", chat.id)
        message = query.message if isinstance(query.message, Message) else None
        press = ButtonPress(
            query_id=query.id,
            message_id=message.message_id if message else None,
            message_text=(message.text or message.caption) if message else None,
            labels=choice_labels(message.reply_markup) if message else (),
        )
    elif (edited := update.edited_message) is not None:
        if edited.location is not None:
            # A live location moving: Telegram sends each new position (and the stop) as an
            # edit of its first message, for up to 8 hours. Nobody changed words: no answer.
            return None
        event = EditedMessage()
    elif (message := update.message) is not None:
        reply_to = message.reply_to_message.message_id if message.reply_to_message else None
        event = _text_event(message, menus) if message.text else _other(message, reply_to)
    elif (reacted := update.message_reaction) is not None:
        old, new = _emoji(reacted.old_reaction), _emoji(reacted.new_reaction)
        event = Reaction(reacted.message_id, chat.id, old, new)
    else:
        return None
    return Incoming(
        telegram_user_id=user.id,
        chat_id=chat.id,
        language_code=user.language_code,
        event=event,
        press=press,
    )


def _meant_for_the_bot(
    message: Message | None, bot_id: int | None, bot_username: str | None
) -> bool:
    """A group message that is a command ("/bericht Sam", or "/bericht@ThisBot Sam"; not one
    addressed to another bot, "/help@AndereBot") or a reply to the bot's own message (a copied
    alert: "Sam, ik bel je nu"). Not an edit, a reaction or the group's own talk."""
    if message is None:
        return False
    text = message.text or ""
    if text.startswith("/"):
        _, at, addressed = text.split(maxsplit=1)[0].partition("@")
        return not at or bot_username is None or addressed.lower() == bot_username.lower()
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    return author is not None and bot_id is not None and author.id == bot_id


def chat_change_from_update(update: Update) -> tuple[int, ChatChange] | None:
    """A person blocked or unblocked the bot in their private chat: that chat and the change.
    None for any other update (a team group's, a bot's)."""
    changed = update.my_chat_member
    if changed is None or changed.from_user.is_bot:
        return None
    change = chat_change(changed.chat.type, changed.new_chat_member.status)
    return (changed.chat.id, change) if change is not None else None


def is_alert_update(update: object, menus: Menus, words: Mapping[str, Words]) -> bool:
    """A noodknop press, a tap on an alert's button, or typed words of acute danger ("ik wil
    dood", in any language we have): handled before the others. Asked of every update before
    it waits its turn, so it looks only at what it must."""
    if not isinstance(update, Update):
        return False
    query = update.callback_query
    if query is not None:
        return is_alert_event(Tap(query.data or "", 0))
    message = update.message
    text = message.text if message is not None else None
    if not text:
        return False
    if len(text) <= _LONGEST_MENU_LABEL and (item := menus.item_for(text)) is not None:
        return item is MenuItem.NOODKNOP  # one of our buttons' labels: no words typed
    # Whose names a client uses is in the database; here the first and last word may be one
    # ("anna ik kan niet meer"): taken for a name, a word only makes an update go sooner.
    around = _first_and_last_word(text)
    if any(recognise(text, known, around) is Heard.DANGER for known in words.values()):
        return True
    if len(text) > _LONGEST_MENU_LABEL:
        return False
    if text.startswith("/"):
        return is_alert_event(Command(text[1:].split(" ", 1)[0].split("@", 1)[0].lower(), ""))
    return menus.item_for(text) is MenuItem.NOODKNOP


def _first_and_last_word(text: str) -> tuple[str, ...]:
    said = text.split()
    return (said[0], said[-1]) if len(said) > 1 else ()


def make_update_handler(service: Waakvlam):  # type: ignore[no-untyped-def]
    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any update: a person did something."""
        if (changed := chat_change_from_update(update)) is not None:
            await service.hooks.chat_changed(*changed)
            return
        incoming = incoming_from_update(update, service.menus, context.bot.id, context.bot.username)
        if incoming is not None:
            await service.handle(context.bot, incoming)

    return on_update
