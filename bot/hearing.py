"""What a voice note says for a bot text: the text, and then the choices under it.

A client who cannot read hears the question and also what they can press: "Je kunt kiezen:
1 tot en met 10, Weet ik niet of Overslaan." A run of three or more numbers is said as a
range; the "🔊 Voorlezen" button itself is never a choice. The words are content
(``common.choices``, ``common.choices_range``, ``common.choices_or``).
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.render import InlineKeyboard
from bot.texts import Texts
from dialogs.outcome import READ_ALOUD_DATA

__all__ = ["choice_labels", "spoken_with_choices"]


def choice_labels(markup: object) -> tuple[str, ...]:
    """The labels of a message's inline buttons, in order, without "🔊 Voorlezen": of a
    message the bot renders, or of one Telegram sent back (a pressed message)."""
    if isinstance(markup, InlineKeyboardMarkup):
        rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    elif isinstance(markup, InlineKeyboard):
        rows = [list(row) for row in markup.rows]
    else:
        return ()
    return tuple(label for row in rows for label, data in row if data != READ_ALOUD_DATA)


def _number(label: str) -> int | None:
    stripped = label.strip()
    return int(stripped) if stripped.isdigit() else None


def _grouped(labels: Sequence[str], texts: Texts, language: str) -> list[str]:
    """Labels as they are said: a run of 3 or more counting numbers becomes one range."""
    said: list[str] = []
    index = 0
    while index < len(labels):
        end = index
        first = _number(labels[index])
        while (
            first is not None
            and end + 1 < len(labels)
            and _number(labels[end + 1]) == first + (end + 1 - index)
        ):
            end += 1
        if first is not None and end - index >= 2:
            said.append(
                texts.render(
                    language, "common.choices_range", {"first": first, "last": labels[end].strip()}
                )
            )
        else:
            said.extend(labels[index : end + 1])
        index = end + 1
    return said


def spoken_with_choices(texts: Texts, language: str, text: str, labels: Sequence[str]) -> str:
    """``text``, and on a line of its own the choices its buttons offer (if any)."""
    said = _grouped([label for label in labels if label.strip()], texts, language)
    if not said:
        return text
    if len(said) == 1:
        listed = said[0]
    else:
        listed = f"{', '.join(said[:-1])} {texts.render(language, 'common.choices_or')} {said[-1]}"
    choices = texts.render(language, "common.choices", {"choices": listed})
    return f"{text}\n{choices}"
