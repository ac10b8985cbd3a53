"""Understanding typed answers: "ja", "Nee!", "👍", so a client can type instead of tap.

The words are the person's (``dialogs.words``, from content); this module only decides.
"""

from __future__ import annotations

from dialogs.words import Words, normalise

__all__ = ["parse_yes_no"]


def parse_yes_no(text: str, words: Words) -> bool | None:
    """True for yes (or "oké", "goed": ``words.agree``), False for no, None when neither."""
    word = normalise(text)
    if word in words.yes or word in words.agree:
        return True
    if word in words.no:
        return False
    return None
