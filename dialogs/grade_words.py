"""A grade said in words during the grade question: "slecht", "gaat wel", "goed", "super".

Such a word says which end it is, not the number. The check-in answers kindly and narrows it
down ("Dat is jammer. Is het een 1, 2, 3 of 4?", with those buttons); nothing is saved as an
answer until a number is chosen. The words are content (``words.yaml``, ``grade_words``).
"""

from __future__ import annotations

from dialogs.words import Words, normalise

__all__ = ["GRADE_BANDS", "band_of"]

# How good each kind of word is, as the grades it may mean (1 is very bad, 10 very good).
GRADE_BANDS: dict[str, tuple[int, ...]] = {
    "bad": (1, 2, 3, 4),
    "so_so": (5, 6),
    "good": (7, 8),
    "great": (9, 10),
}


def band_of(text: str, words: Words) -> str | None:
    """The band a typed grade word belongs to ("slecht" -> "bad"), or None."""
    band = words.grade_words.get(normalise(text))
    return band if band in GRADE_BANDS else None
