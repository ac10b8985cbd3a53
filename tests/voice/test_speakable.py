"""What a person hears: times, numbers, ranges, emoji and links, in Dutch and English."""

from __future__ import annotations

import unicodedata

import pytest

from bot.texts import Texts
from bot.voice import speakable

DUTCH = [
    ("Om 09:00 begint het.", "Om negen uur begint het."),
    ("Om 09:30 uur begint het.", "Om half tien begint het."),
    ("09:15", "kwart over negen."),
    ("09:45", "kwart voor tien."),
    ("09:10", "tien over negen."),
    ("09:20", "tien voor half tien."),
    ("09:35", "vijf over half tien."),
    ("09:50", "tien voor tien."),
    ("9:07", "zeven over negen."),
    ("12:30", "half één."),
    ("13:00", "één uur 's middags."),
    ("21:00", "negen uur 's avonds."),
    ("00:30", "half één 's nachts."),
    ("Van 12:00-13:00.", "Van twaalf uur tot één uur 's middags."),
    ("Op 7 december.", "Op 7 december."),
    ("Is er gevaar? Bel dan altijd 112.", "Is er gevaar? Bel dan altijd één één twee."),
    ("Bel 113 of 0800-0113.", "Bel één één drie of nul acht nul nul, nul één één drie."),
    ("Kies een cijfer van 1-10.", "Kies een cijfer van 1 tot 10."),
    ("Kies 1 – 10", "Kies 1 tot 10."),
    ("Datum 7-12-2026.", "Datum 7-12-2026."),
    ("💬 Bericht aan coach", "Bericht aan coach."),
    ("🔴 Noodknop", "Noodknop."),
    ("➕ Nieuwe cliënt ❓", "Nieuwe cliënt."),
    ("📋 Hoe gaat het?", "Hoe gaat het?"),
    ("💬 🔴 📋 ➕ ❓", ""),
    ("Top 👍🏽! ➡️ verder", "Top! verder."),
    (
        "💬 Bericht aan coach – stuur Anna een bericht.",
        "Bericht aan coach, stuur Anna een bericht.",
    ),
    ("Open deze link: https://t.me/waakvlam_bot?start=abc", "Open deze link."),
    ("Open de link:\nhttps://t.me/waakvlam_bot?start=abc", "Open de link."),
    ("Tik op https://example.org/x. Dan ben je klaar.", "Tik op de link. Dan ben je klaar."),
    (
        "Hoi Sam!\nWelkom bij Waakvlam\n\nDit is je coach",
        "Hoi Sam!\nWelkom bij Waakvlam.\nDit is je coach.",
    ),
    ("Het is 20° buiten", "Het is 20° buiten."),
]

ENGLISH = [
    ("At 09:00 it starts.", "At nine o'clock it starts."),
    ("At 09:30 it starts.", "At half past nine it starts."),
    ("09:15", "quarter past nine."),
    ("09:45", "quarter to ten."),
    ("09:20", "twenty past nine."),
    ("09:35", "twenty-five to ten."),
    ("09:07", "seven minutes past nine."),
    ("09:31", "twenty-nine minutes to ten."),
    ("14:00", "two o'clock in the afternoon."),
    ("21:30", "half past nine in the evening."),
    ("On 7 December.", "On 7 December."),
    ("In danger? Always call 112.", "In danger? Always call one one two."),
    ("Pick a number 1-10.", "Pick a number 1 to 10."),
    ("🔴 Panic button", "Panic button."),
    ("Open this link: https://t.me/waakvlam_bot?start=abc", "Open this link."),
    ("Tap https://example.org to start.", "Tap the link to start."),
]


@pytest.mark.parametrize(("text", "heard"), DUTCH)
def test_dutch(text: str, heard: str) -> None:
    assert speakable("nl", text) == heard


@pytest.mark.parametrize(("text", "heard"), ENGLISH)
def test_english(text: str, heard: str) -> None:
    assert speakable("en", text) == heard


def test_regional_language_tags_use_the_base_language() -> None:
    assert speakable("nl-BE", "Om 09:30.") == "Om half tien."


def test_unknown_language_only_loses_emoji_and_links() -> None:
    assert speakable("de", "🔴 Um 09:30, 112: https://x.de") == "Um 09:30, 112."


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_text_in_the_content_can_be_spoken(texts: Texts, language: str) -> None:
    for entry in texts.entries[language].values():
        if not isinstance(entry.value, str):
            continue
        spoken = speakable(language, entry.value)
        assert not [c for c in spoken if unicodedata.category(c) == "So"], entry.key
        assert "http" not in spoken, entry.key
