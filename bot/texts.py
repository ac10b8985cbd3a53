"""Loads the texts in content/easy-language and renders a key with its placeholders.

Dialogs name texts by key; only this module turns a key into words. Dates are written in the
person's language with the month names from ``format.yaml``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from content import CONTENT_DIR, is_client_facing
from dialogs.outcome import At, Lines, TextRef

__all__ = ["TextEntry", "Texts", "load_texts"]


@dataclass(frozen=True)
class TextEntry:
    key: str
    value: str | list[str]
    file: str

    @property
    def client_facing(self) -> bool:
        return is_client_facing(self.file)

    @property
    def placeholders(self) -> frozenset[str]:
        if not isinstance(self.value, str):
            return frozenset()
        return frozenset(field for _, field, _, _ in string.Formatter().parse(self.value) if field)


def _flatten(prefix: str, node: Any, file: str, into: dict[str, TextEntry]) -> None:
    if isinstance(node, dict):
        for name, child in node.items():
            _flatten(f"{prefix}.{name}" if prefix else str(name), child, file, into)
        return
    if prefix in into:
        raise ValueError(f"text key {prefix!r} is defined twice ({into[prefix].file}, {file})")
    into[prefix] = TextEntry(key=prefix, value=node, file=file)


class Texts:
    """All texts of all languages, with a default language to fall back on."""

    def __init__(
        self,
        entries: Mapping[str, Mapping[str, TextEntry]],
        default_language: str,
        timezone: ZoneInfo,
    ) -> None:
        self.entries = entries
        self.default_language = default_language
        self.timezone = timezone
        self._placeholders: dict[str, frozenset[str]] = {}

    @property
    def languages(self) -> list[str]:
        return sorted(self.entries)

    def language(self, wanted: str | None) -> str:
        """The language to speak: the wanted one if we have it, else the default."""
        if wanted and wanted in self.entries:
            return wanted
        if wanted and wanted.split("-")[0] in self.entries:
            return wanted.split("-")[0]
        return self.default_language

    def placeholders(self, key: str) -> frozenset[str]:
        """The names a text shows, in any language ("{client}", "{time}")."""
        found = self._placeholders.get(key)
        if found is None:
            found = frozenset()
            for entries in self.entries.values():
                entry = entries.get(key)
                if entry is not None:
                    found |= entry.placeholders
            self._placeholders[key] = found
        return found

    def has(self, key: str) -> bool:
        return key in self.entries[self.default_language]

    def raw(self, language: str, key: str) -> str:
        entry = self.entries[self.language(language)].get(key)
        if entry is None:
            raise KeyError(f"no text {key!r}")
        if not isinstance(entry.value, str):
            raise TypeError(f"text {key!r} is not a sentence")
        return entry.value

    def render(self, language: str, key: str, params: Mapping[str, Any] | None = None) -> str:
        language = self.language(language)
        values = {name: self._value(language, value) for name, value in (params or {}).items()}
        return self.raw(language, key).format_map(values)

    def format_date(self, language: str, moment: datetime) -> str:
        """A date as people write it, in the organisation's timezone: "7 december"."""
        language = self.language(language)
        moment = moment.astimezone(self.timezone)
        months = self.entries[language]["format.months"].value
        return self.raw(language, "format.date").format(
            day=moment.day, month=months[moment.month - 1]
        )

    def format_time(self, moment: datetime) -> str:
        """A clock time in the organisation's timezone: "10:42"."""
        return moment.astimezone(self.timezone).strftime("%H:%M")

    def format_planned_time(self, language: str, hour: int, minute: int) -> str:
        """A time of day still to come, as people say it: a whole hour as ``format.hour``
        ("10 uur"), else "10:30" (and "00:00")."""
        if minute == 0 and hour > 0:
            return self.raw(self.language(language), "format.hour").format(hour=hour)
        return f"{hour:02d}:{minute:02d}"

    def format_at(self, language: str, moment: datetime, said_at: datetime | None = None) -> str:
        """A clock time, with its day when it is not the day ``said_at`` (when the sentence is
        said) falls on: "10:42", "maandag 10:42", "morgen om 10 uur", "maandag om 10:30",
        "maandag 7 december om 10 uur". Days count in the organisation's timezone; a week or
        more away the date is shown. A whole hour still to come is said as people say it
        (``format.hour``: "10 uur"). The one helper for a moment in a sentence (``At``)."""
        clock = self.format_time(moment)
        if said_at is None:
            return clock
        language = self.language(language)
        local = moment.astimezone(self.timezone)
        if moment > said_at:
            clock = self.format_planned_time(language, local.hour, local.minute)
        days = (local.date() - said_at.astimezone(self.timezone).date()).days
        if moment <= said_at:
            form = "earlier_today" if days == 0 else "earlier_days" if days > -7 else "earlier_date"
        elif days == 0:
            form = "later_today"
        else:
            form = "tomorrow" if days == 1 else "later_days" if days < 7 else "later_date"
        weekdays = self.entries[language]["format.weekdays"].value
        return self.raw(language, f"format.at.{form}").format(
            time=clock,
            weekday=weekdays[local.weekday()],
            date=self.format_date(language, moment),
        )

    def _value(self, language: str, value: Any) -> str:
        if isinstance(value, TextRef):
            return self.render(language, value.key, value.params)
        if isinstance(value, Lines):
            return "\n".join(self.render(language, item.key, item.params) for item in value.items)
        if isinstance(value, At):
            return self.format_at(language, value.moment, value.said_at)
        if isinstance(value, datetime):
            return self.format_date(language, value)
        return str(value)


def load_texts(
    default_language: str = "nl",
    timezone: ZoneInfo | None = None,
    directory: Path = CONTENT_DIR,
) -> Texts:
    entries: dict[str, dict[str, TextEntry]] = {}
    for language_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        language_entries: dict[str, TextEntry] = {}
        for file in sorted(language_dir.glob("*.yaml")):
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            _flatten("", data, file.name, language_entries)
        entries[language_dir.name] = language_entries
    if default_language not in entries:
        raise ValueError(f"no texts for the default language {default_language!r}")
    return Texts(entries, default_language, timezone or ZoneInfo("Europe/Amsterdam"))
