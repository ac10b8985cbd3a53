"""Loads what people may type instead of pressing a button: ``content/easy-language/<lang>/
words.yaml``, read once at start (a broken file stops the start with a clear error, as a
broken ``questions.yaml`` does). The dialogs get a person's ``Words`` in their context.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from content import CONTENT_DIR
from dialogs.words import Words, WordsError, parse_words

__all__ = ["load_words", "read_words"]


def read_words(directory: Path = CONTENT_DIR) -> dict[str, Words]:
    """Each language's own words, as its file has them."""
    found = {}
    for path in sorted(directory.glob("*/words.yaml")):
        try:
            found[path.parent.name] = parse_words(yaml.safe_load(path.read_text(encoding="utf-8")))
        except WordsError as error:
            raise WordsError(f"{path}: {error}") from error
    return found


def load_words(default_language: str, directory: Path = CONTENT_DIR) -> dict[str, Words]:
    """Per language what a person of that language is understood with: their own words, then
    the default language's, then the others' (see ``Words.then``)."""
    own = read_words(directory)
    if default_language not in own:
        raise WordsError(f"no words.yaml for the default language {default_language!r}")
    merged = {}
    for language, words in own.items():
        for other in sorted(own, key=lambda name: (name != default_language, name)):
            if other != language:
                words = words.then(own[other])
        merged[language] = words
    return merged
