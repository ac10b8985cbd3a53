"""Understanding typed answers: "ja", "Nee!", "👍", so a client can type instead of tap."""

from __future__ import annotations

import unicodedata

__all__ = ["clean_name", "parse_yes_no"]

_YES = {
    "ja",
    "jawel",
    "jazeker",
    "yes",
    "yep",
    "y",
    "j",
    "ok",
    "oke",
    "okay",
    "goed",
    "prima",
    "👍",
}
_NO = {"nee", "neen", "nope", "no", "n", "niet", "liever niet", "nee dank je", "no thanks", "👎"}


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return without_accents.strip(" .!?,")


def parse_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when the text is neither."""
    word = _normalise(text)
    if word in _YES:
        return True
    if word in _NO:
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
