"""What a person did, as the dialogs see it (already parsed from a Telegram update)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Command",
    "EditedMessage",
    "Event",
    "GroupMessage",
    "MenuItem",
    "MenuPress",
    "OtherMessage",
    "Reaction",
    "Start",
    "Tap",
    "Text",
]


class MenuItem(StrEnum):
    """The persistent reply-keyboard buttons (client and coach menus)."""

    MESSAGE_COACH = "message_coach"
    CHECKIN = "checkin"
    NOODKNOP = "noodknop"
    MY_CLIENTS = "my_clients"
    NEW_CLIENT = "new_client"
    HELP = "help"


@dataclass(frozen=True)
class Start:
    """``/start``, with the deep-link payload when a link was opened. ``account``: the
    Telegram account as Telegram shows its name ("Sam Jansen (@samj)"), for the coach whose
    client link it is; never stored with the person."""

    payload: str | None = None
    account: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Command:
    """A slash command other than /start, e.g. ``/nieuw Sam`` -> name="nieuw", args="Sam"."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class Text:
    """Typed text. ``reply_to``: the id of the message (in the same chat) it answers.
    ``forwarded_from``: for a forwarded message, whom it came from, as Telegram shows it."""

    text: str
    message_id: int | None = None
    chat_id: int | None = None
    reply_to: int | None = None
    forwarded_from: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MenuPress:
    """A menu button's label, tapped or typed. ``typed``: the message itself, for a person whose
    menu has no such button (a client who types "Hulp" means the word, not the coach's
    "❓ Hulp"); not compared, so ``MenuPress(item)`` equals any press of that item."""

    item: MenuItem
    typed: Text | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Tap:
    """An inline button was pressed. ``data`` is untrusted: it came from someone's phone.

    ``chat_id`` is where the button was: a private chat, or a team group chat."""

    data: str
    chat_id: int | None = None


@dataclass(frozen=True)
class OtherMessage:
    """A sticker, photo, voice note, location...; ``message_id`` lets the shell copy it."""

    kind: str
    message_id: int | None = None
    chat_id: int | None = None
    reply_to: int | None = None
    file_size: int | None = None  # bytes, for photos, videos, documents and the like
    # A shared contact: its number, and whose Telegram account it is (None: nobody's known).
    contact_phone: str | None = None
    contact_user_id: int | None = None
    forwarded_from: str | None = field(default=None, compare=False)  # as on ``Text``
    # A photo's or voice note's own words under it (shown with who it is from, never kept).
    caption: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class EditedMessage:
    pass


@dataclass(frozen=True)
class GroupMessage:
    """In a team group chat: a reply to one of the bot's messages, or a command. The bot acts
    only on its buttons there; such words are meant for it, so it says where they go. What
    was said is not kept (it may name a client, and the group is no place to act on it)."""


@dataclass(frozen=True)
class Reaction:
    """A person set, changed or took away their emoji reaction (👍, ❤) on message
    ``message_id`` of their private chat ``chat_id``: ``old`` the emoji set before, ``new``
    those set now (Telegram sends the whole set each time; a custom emoji is not among them)."""

    message_id: int
    chat_id: int
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()


Event = (
    Start
    | Command
    | Text
    | MenuPress
    | Tap
    | OtherMessage
    | EditedMessage
    | Reaction
    | GroupMessage
)
