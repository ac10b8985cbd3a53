"""Understanding typed answers: "ja", "Nee!", "👍", so a client can type instead of tap.

The words are the person's (``dialogs.words``, from content); this module only decides.
"""

from __future__ import annotations

import unicodedata

from dialogs.words import Words, normalise

__all__ = ["clean_name", "parse_yes_no"]


def parse_yes_no(text: str, words: Words) -> bool | None:
    """True for yes (or "oké", "goed": ``words.agree``), False for no, None when neither."""
    word = normalise(text)
    if word in words.yes or word in words.agree:
        return True
    if word in words.no:
        return False
    return None


def clean_name(text: str, max_length: int = 40) -> str | None:
    """A client name as a coach typed it, or None if it cannot be used as a name."""
    name = " ".join(text.split())
    if not name or len(name) > max_length or name.startswith("/"):
        return None
    if any(unicodedata.category(c).startswith("C") for c in name):
        return None
    if not any(c.isalpha() for c in name):
        return None
    return name
