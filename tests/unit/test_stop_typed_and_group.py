"""A typed yes/no answers the open stop question (and only then); words for the bot in a team
group get one line that names nobody; the coach's /hulp names /bericht and /annuleer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update, User

from bot.handlers import incoming_from_update
from bot.render import Menus
from bot.texts import load_texts
from bot.words import load_words
from dialogs import stopping
from dialogs.events import GroupMessage, MenuItem, MenuPress, Tap, Text
from dialogs.outcome import AskToStop, MarkStopAsked, Outcome, Reply, StartCheckin
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, SAM

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
WORDS = load_words("nl")["nl"]
CONTEXT = DialogContext(words=WORDS)
ASKED = replace(SAM, stop_asked_at=NOW)
BOT_ID = 999


def keys(outcome: Outcome) -> list[str]:
    return [r.key for r in outcome.replies]


def test_stop_asks_and_marks_the_question_open() -> None:
    asked = route(SAM, Text("stop"), NOW, CONTEXT)
    assert keys(asked) == ["stopping.ask"]
    assert asked.effects == (MarkStopAsked(SAM.id, True),)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["nee", "Nee!", "nee hoor"])
def test_a_typed_no_answers_the_open_stop_question(typed: str) -> None:
    said = route(ASKED, Text(typed), NOW, CONTEXT)
    assert keys(said) == ["stopping.not_stopping"]
    assert said.effects == (MarkStopAsked(SAM.id, False),)  # type: ignore[arg-type]


def test_a_typed_yes_asks_the_coach_as_the_button_does() -> None:
    said = route(ASKED, Text("ja"), NOW, CONTEXT)
    pressed = route(ASKED, Tap(stopping.STOP_YES), NOW, CONTEXT)
    assert (
        keys(said) == keys(pressed) == ["stopping.coach_asked", "coach_stop.client_wants_to_stop"]
    )
    assert said.effects == (AskToStop(SAM.id), MarkStopAsked(SAM.id, False))  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["oké", "goed"])
def test_agree_words_are_no_wish_to_stop(typed: str) -> None:
    assert stopping.typed_answer(ASKED, typed, WORDS, NOW) is None


def test_without_the_open_question_a_nee_is_no_answer_to_stopping() -> None:
    assert stopping.typed_answer(SAM, "nee", WORDS, NOW) is None
    assert "stopping.not_stopping" not in keys(route(SAM, Text("nee"), NOW, CONTEXT))


def test_a_forwarded_nee_answers_nothing() -> None:
    said = route(ASKED, Text("nee", forwarded_from="Kim"), NOW, CONTEXT)
    assert "stopping.not_stopping" not in keys(said)


def test_something_else_ends_the_open_question_a_quiet_press_does_not() -> None:
    menu = route(ASKED, MenuPress(MenuItem.CHECKIN), NOW, CONTEXT)
    assert menu.effects == (StartCheckin(SAM.id, "client"), MarkStopAsked(SAM.id, False))  # type: ignore[arg-type]
    assert stopping.question_after(ASKED, Outcome(notice="common.question_closed")) == Outcome(
        notice="common.question_closed"
    )
    asked_again = stopping.question_after(ASKED, Outcome(replies=(Reply("stopping.ask"),)))
    assert asked_again.effects == ()  # still open, nothing to store
    assert stopping.question_after(ANNA, Outcome(replies=(Reply("coach.help"),))).effects == ()


def test_a_group_message_gets_one_line_and_changes_no_wait() -> None:
    waiting = replace(ANNA, awaiting="message:7")
    said = route(waiting, GroupMessage(), NOW, CONTEXT)
    assert said == Outcome(replies=(Reply("group.private_chat_only"),))


def _group_update(text: str, reply_author: User | None = None) -> Update:
    group = Chat(-5, Chat.SUPERGROUP)
    bram = User(200, "Bram", is_bot=False)
    replied = (
        Message(1, NOW, group, from_user=reply_author, text="Kun jij Sam bellen?")
        if reply_author is not None
        else None
    )
    return Update(
        9, message=Message(2, NOW, group, from_user=bram, text=text, reply_to_message=replied)
    )


@pytest.mark.parametrize(
    ("text", "author", "heard"),
    [
        ("/bericht Sam", None, True),
        ("Sam, ik bel je nu", User(BOT_ID, "Waakvlam", is_bot=True), True),
        ("Sam, ik bel je nu", User(300, "Anna", is_bot=False), False),
        ("Wie belt Sam?", None, False),
    ],
)
def test_only_a_command_or_a_reply_to_the_bot_in_a_group_is_heard(
    text: str, author: User | None, heard: bool
) -> None:
    menus = Menus(load_texts("nl"))
    incoming = incoming_from_update(_group_update(text, author), menus, BOT_ID)
    if heard:
        assert incoming is not None and incoming.event == GroupMessage() and incoming.chat_id == -5
    else:
        assert incoming is None


@pytest.mark.parametrize(
    ("language", "lines"),
    [("nl", ["/bericht Naam", "/annuleer"]), ("en", ["/message Name", "/cancel"])],
)
def test_the_coach_help_names_message_and_cancel(language: str, lines: list[str]) -> None:
    help_text = load_texts(language).render(language, "coach.help")
    assert all(f"\n{line} – " in help_text for line in lines)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_group_line_names_no_client(language: str) -> None:
    line = load_texts(language).render(language, "group.private_chat_only")
    assert "{" not in line and "\n" not in line
